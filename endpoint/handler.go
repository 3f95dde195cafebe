// Package endpoint serves the schema of package graph: GraphQL over HTTP and subscriptions
// over WebSocket, the limits of an operation (cost, depth, selections, tokens, rate),
// persisted queries and introspection control, metrics and tracing, and the other HTTP
// routes that read through the Store (CSV and JSON exports, convocation PDFs). Package
// graph knows nothing of it.
package endpoint

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// EndpointConfig is what the GraphQL endpoint needs. Only Store is required.
type EndpointConfig struct {
	Store  *db.Store
	Logger *slog.Logger
	// Production turns off what helps developers only (field suggestions).
	Production bool
	// QueryCacheSize is the number of parsed and validated documents kept (LRU); 0 means 1000.
	QueryCacheSize int
	// Limits bound each operation (cost, depth, aliases, root fields, tokens).
	Limits Limits
	// RateLimit is the per-caller budget of cost; the zero value turns rate limiting off
	// (the server sets it: AGIR_RATE_CAPACITY, AGIR_RATE_PER_SECOND).
	RateLimit RateLimitConfig
	// OperationTimeout is the deadline of one HTTP operation (0: none but the client's).
	OperationTimeout time.Duration
	// Persisted configures automatic persisted queries and the production allow-list.
	Persisted PersistedQueries
	// Observer receives a report per operation (logs, metrics); nil for none.
	Observer Observer
	// TracerProvider makes the spans of operations; nil for none.
	TracerProvider trace.TracerProvider
	// Broker delivers database notifications to subscriptions; nil turns them off.
	Broker *db.Broker
	// Authenticate verifies the Authorization value of a WebSocket's connection_init
	// payload (browsers cannot set headers on a WebSocket); nil refuses every WebSocket.
	Authenticate func(ctx context.Context, authorization string) (*model.Principal, error)
	// Reauthorize checks again, while a subscription lives, that its caller's account
	// still exists and is active, and returns its current principal (role, structure
	// and territory may have changed); an error ends the subscription. nil: not checked.
	Reauthorize func(ctx context.Context, p *model.Principal) (*model.Principal, error)
	// SubscriptionRecheck is the longest time a subscription delivers events without
	// calling Reauthorize (checked when an event arrives); 0 means 30s, < 0 every event.
	SubscriptionRecheck time.Duration
}

// RateLimitConfig is the leaky bucket of each caller (see RateLimiter).
type RateLimitConfig struct {
	Capacity  int
	PerSecond float64
}

// Endpoint is the GraphQL endpoint: an http.Handler serving GraphQL over HTTP (GET and
// POST) and subscriptions over WebSocket (graphql-transport-ws).
type Endpoint struct {
	http.Handler
	Rules   *graph.Rules
	Schema  *ast.Schema
	Limits  Limits
	Limiter *RateLimiter // nil when rate limiting is off
}

// NewEndpoint builds the GraphQL endpoint. Requests must carry a principal (set by the
// authentication middleware in front, or by Authenticate for a WebSocket); without one
// every operation is refused, introspection included.
func NewEndpoint(c EndpointConfig) *Endpoint {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.QueryCacheSize == 0 {
		c.QueryCacheSize = 1000
	}
	if c.TracerProvider == nil {
		c.TracerProvider = noop.NewTracerProvider()
	}
	c.Limits = c.Limits.withDefaults()
	var limiter *RateLimiter
	if c.RateLimit.Capacity > 0 && c.RateLimit.PerSecond > 0 {
		limiter = NewRateLimiter(c.RateLimit.Capacity, c.RateLimit.PerSecond)
	}
	api := graph.New(graph.Options{Store: c.Store, Logger: c.Logger, Broker: c.Broker,
		Reauthorize: c.Reauthorize, SubscriptionRecheck: c.SubscriptionRecheck})
	obs := &endpointObserver{observer: c.Observer, tracer: c.TracerProvider.Tracer(tracerName), maxTokens: c.Limits.MaxTokens}

	srv := handler.New(api.ExecutableSchema)
	if c.Broker != nil {
		srv.AddTransport(transport.Websocket{
			InitFunc:              websocketInit(c.Authenticate),
			InitTimeout:           10 * time.Second,
			KeepAlivePingInterval: 20 * time.Second,
		})
	}
	srv.AddTransport(transport.Options{AllowedMethods: []string{"GET", "POST", "OPTIONS"}})
	srv.AddTransport(httpTransport{timeout: c.OperationTimeout, report: obs.refused, store: c.Store, logger: c.Logger})
	queryCache := lru.New[*ast.QueryDocument](c.QueryCacheSize)
	srv.SetQueryCache(queryCache)
	srv.SetParserTokenLimit(c.Limits.MaxTokens)
	srv.SetDisableSuggestion(c.Production)
	srv.Use(newIntrospectionExtension(c.Production, c.Persisted.FreeRoles))
	srv.Use(newPersistedExtension(c.Persisted))
	srv.Use(selectionsExtension{max: c.Limits.MaxSelections, maxTokens: c.Limits.MaxTokens, cache: queryCache})
	srv.Use(limitsExtension{limits: c.Limits, limiter: limiter})
	present := api.ErrorPresenter()
	srv.SetErrorPresenter(present)
	srv.SetRecoverFunc(api.Recover())
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if model.PrincipalFrom(ctx) == nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "authentification requise",
				Extensions: map[string]any{"code": string(model.CodeUnauthenticated), "requestId": RequestID(ctx)}}}})
		}
		return next(withOperationName(ctx, operationName(graphql.GetOperationContext(ctx))))
	})
	srv.AroundOperations(obs.observe)
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if graphql.HasOperationContext(ctx) {
			oc := graphql.GetOperationContext(ctx)
			if c := costReportOf(oc); c != nil && (oc.Operation == nil || oc.Operation.Operation != ast.Subscription) {
				graphql.RegisterExtension(ctx, "cost", c)
			}
		}
		return next(ctx)
	})
	srv.AroundOperations(api.AuditReads(present))
	srv.AroundFields(api.FieldMiddleware)
	return &Endpoint{Handler: api.WithLoaders(srv), Rules: api.Rules, Schema: api.Schema(), Limits: c.Limits, Limiter: limiter}
}

// websocketInit authenticates a WebSocket connection by the Authorization entry of its
// connection_init payload (or the upgrade request's header, already verified). A refused
// connection is closed with 4403 Forbidden, as graphql-transport-ws says.
func websocketInit(authenticate func(context.Context, string) (*model.Principal, error)) transport.WebsocketInitFunc {
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if model.PrincipalFrom(ctx) != nil {
			return ctx, nil, nil
		}
		refused := transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, 4403), "Forbidden")
		if authenticate == nil {
			return refused, nil, errors.New("authentification requise")
		}
		p, err := authenticate(ctx, payload.Authorization())
		if err != nil || p == nil {
			return refused, nil, errors.New("authentification requise : jeton absent, invalide ou expiré")
		}
		return model.WithPrincipal(ctx, p), nil, nil
	}
}
