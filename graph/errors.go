package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// presentError shapes every error sent to a client. Coded errors (*model.Error, not
// INTERNAL) keep their French message and gain extensions {code, field}; errors made by
// the GraphQL engine itself (parse, validation) and the endpoint's limits pass as they are;
// deadlines (the request's, PostgreSQL's statement_timeout) become TIMEOUT; anything else is
// masked: the client gets the INTERNAL code and the request id, the log gets the detail.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var coded *model.Error
		switch {
		case errors.As(err, &coded) && coded.Code != model.CodeInternal:
			gqlErr.Message = coded.Message
			gqlErr.Extensions = map[string]any{"code": string(coded.Code)}
			if len(coded.Field) > 0 {
				gqlErr.Extensions["field"] = coded.Field
			}
			return gqlErr
		case db.IsTimeout(err):
			logger.WarnContext(ctx, "deadline exceeded", "request_id", model.RequestMetaFrom(ctx).ID, "path", gqlErr.Path.String(), "err", err)
			return &gqlerror.Error{
				Message:    "délai de traitement dépassé : simplifiez la requête ou réessayez",
				Path:       gqlErr.Path,
				Locations:  gqlErr.Locations,
				Extensions: map[string]any{"code": string(model.CodeTimeout), "requestId": model.RequestMetaFrom(ctx).ID},
			}
		case gqlErr.Err == nil && !errors.As(err, &coded):
			// From the engine (parse, validation, input coercion) or from the endpoint's
			// own checks, which set their code; the parser's token limit gets its own.
			if strings.HasPrefix(gqlErr.Message, "exceeded token limit") {
				gqlErr.Message = "document trop long : " + gqlErr.Message
				gqlErr.Extensions = map[string]any{"code": string(model.CodeTokenLimitExceeded)}
			}
			return gqlErr
		}
		id := model.RequestMetaFrom(ctx).ID
		logger.ErrorContext(ctx, "internal error", "request_id", id, "path", gqlErr.Path.String(), "err", err)
		return &gqlerror.Error{
			Message:    fmt.Sprintf("erreur interne : contactez l'assistance en citant la référence %s", id),
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": string(model.CodeInternal), "requestId": id},
		}
	}
}

// recoverPanic turns a panic in a resolver into a masked internal error, logging the
// stack with the request id.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "panic in resolver", "request_id", model.RequestMetaFrom(ctx).ID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return &model.Error{Code: model.CodeInternal, Message: "erreur interne", Err: fmt.Errorf("panic: %v", p)}
	}
}
