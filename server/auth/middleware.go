package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// maxTokenLen bounds the bearer tokens the middleware hands to a verifier.
const maxTokenLen = 16 << 10

// MiddlewareOptions adds optional steps to [MiddlewareWith]. The zero value adds none.
type MiddlewareOptions struct {
	// Resolve, when set, receives the principal of every verified token and returns
	// the principal the request will carry: the seam where staff records are matched
	// by subject or e-mail. A nil principal with a nil error counts as ErrInvalidToken;
	// so does a returned principal without a valid role. Errors wrapping one of the
	// sentinels count as that sentinel; any other error is stored as is (see
	// [FailureFrom]).
	Resolve func(ctx context.Context, p *model.Principal) (*model.Principal, error)
	// OnFailure, when set, is called with the detailed error of each failed
	// authentication, for logs. The request context carries only the sentinel.
	OnFailure func(r *http.Request, err error)
}

// Middleware is [MiddlewareWith] without options.
func Middleware(v Verifier, next http.Handler) http.Handler {
	return MiddlewareWith(v, MiddlewareOptions{}, next)
}

// MiddlewareWith authenticates each request by the token of its
// "Authorization: Bearer <token>" header (the scheme is matched case-insensitively)
// and calls next with a request whose context carries the outcome:
//   - on success, the principal ([model.PrincipalFrom]) and no failure;
//   - otherwise no principal and a failure ([FailureFrom]): ErrNoToken without the
//     header, ErrInvalidToken for another scheme, an empty or oversized token, or a
//     token v refuses, ErrExpiredToken for an expired one.
//
// It never answers the request itself: the GraphQL layer turns the failure into a
// GraphQL-shaped authentication error where a field needs a caller. v must not be nil.
func MiddlewareWith(v Verifier, o MiddlewareOptions, next http.Handler) http.Handler {
	if v == nil {
		panic("auth: Middleware with a nil Verifier")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, err := authenticate(ctx, v, o.Resolve, r.Header.Get("Authorization"))
		if err != nil {
			if o.OnFailure != nil {
				o.OnFailure(r, err)
			}
			ctx = context.WithValue(ctx, failureKey{}, reason(err))
		} else {
			ctx = model.WithPrincipal(ctx, p)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func authenticate(ctx context.Context, v Verifier, resolve func(context.Context, *model.Principal) (*model.Principal, error), header string) (*model.Principal, error) {
	if header == "" {
		return nil, ErrNoToken
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return nil, invalid("Authorization header is not a bearer token")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, invalid("empty bearer token")
	}
	if len(token) > maxTokenLen {
		return nil, invalid("bearer token longer than %d bytes", maxTokenLen)
	}
	p, err := v.Verify(ctx, token)
	if err != nil {
		return nil, err
	}
	if resolve != nil {
		if p, err = resolve(ctx, p); err != nil {
			return nil, err
		}
	}
	if p == nil {
		return nil, invalid("no principal for the token")
	}
	if !p.Role.Valid() {
		return nil, invalid("principal %q has no valid role", p.Subject)
	}
	return p, nil
}

// reason reduces err to the sentinel it wraps, or err itself when it wraps none.
func reason(err error) error {
	for _, s := range []error{ErrNoToken, ErrExpiredToken, ErrInvalidToken} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

type failureKey struct{}

// FailureFrom reports why the request of ctx has no principal: nil when ctx carries a
// principal; otherwise ErrNoToken, ErrInvalidToken or ErrExpiredToken, exactly (== and
// [errors.Is] both work). A context that did not pass through the middleware gives
// ErrNoToken. Any other error comes from [MiddlewareOptions.Resolve] and is an internal
// failure, not the caller's: mask it.
func FailureFrom(ctx context.Context) error {
	if err, ok := ctx.Value(failureKey{}).(error); ok {
		return err
	}
	if model.PrincipalFrom(ctx) != nil {
		return nil
	}
	return ErrNoToken
}
