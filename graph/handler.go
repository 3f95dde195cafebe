package graph

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// EndpointConfig is what the GraphQL endpoint needs.
type EndpointConfig struct {
	Store  *db.Store
	Logger *slog.Logger
	// Production turns off what helps developers only (field suggestions).
	Production bool
	// QueryCacheSize is the number of parsed and validated documents kept (LRU); 0 means 1000.
	QueryCacheSize int
}

// Endpoint is the GraphQL endpoint: an http.Handler serving POST and GET.
type Endpoint struct {
	http.Handler
	Rules  *Rules
	Schema *ast.Schema
}

// NewEndpoint builds the GraphQL endpoint. Requests must carry a principal (set by the
// authentication middleware in front); without one every field is refused.
func NewEndpoint(c EndpointConfig) *Endpoint {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.QueryCacheSize == 0 {
		c.QueryCacheSize = 1000
	}
	resolver := &Resolver{Store: c.Store, Logger: c.Logger}
	es := NewExecutableSchema(Config{Resolvers: resolver})
	rules := NewRules(es.Schema())
	resolver.rules = rules

	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](c.QueryCacheSize))
	srv.Use(extension.Introspection{})
	srv.SetErrorPresenter(presentError(c.Logger))
	srv.SetRecoverFunc(recoverPanic(c.Logger))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if model.PrincipalFrom(ctx) == nil {
			return graphql.OneShot(graphql.ErrorResponse(ctx, "authentification requise"))
		}
		oc := graphql.GetOperationContext(ctx)
		name := oc.OperationName
		if name == "" && oc.Operation != nil {
			name = oc.Operation.Name
		}
		return next(withOperationName(ctx, name))
	})
	srv.AroundOperations(auditReadsOperation(c.Store))
	srv.AroundFields(rules.middleware)
	return &Endpoint{Handler: withLoaders(c.Store, srv), Rules: rules, Schema: es.Schema()}
}
