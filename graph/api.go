package graph

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// Options is what the schema's resolvers need. Only Store is required.
type Options struct {
	Store  *db.Store
	Logger *slog.Logger // nil: slog.Default
	// Broker delivers database notifications to subscriptions; nil turns them off.
	Broker *db.Broker
	// Reauthorize checks again, while a subscription lives, that its caller's account
	// still exists and is active, and returns its current principal; an error ends the
	// subscription. nil: not checked.
	Reauthorize func(ctx context.Context, p *model.Principal) (*model.Principal, error)
	// SubscriptionRecheck is the longest time a subscription delivers events without
	// calling Reauthorize; 0 means 30s, < 0 every event.
	SubscriptionRecheck time.Duration
}

// API is the schema made executable: its resolvers, its access rules (@allow, @group)
// and what the endpoint (package endpoint) must install around it, in this order:
// AuditReads as an operation middleware, FieldMiddleware around fields, WithLoaders
// around the HTTP handler, ErrorPresenter and Recover on the server.
type API struct {
	graphql.ExecutableSchema
	Rules  *Rules
	store  *db.Store
	logger *slog.Logger
}

// New builds the executable schema on a Store.
func New(o Options) *API {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	resolver := &Resolver{Store: o.Store, Logger: o.Logger}
	if o.Broker != nil {
		resolver.realtime = &realtime{broker: o.Broker, reauthorize: o.Reauthorize, recheck: o.SubscriptionRecheck}
		if resolver.realtime.recheck == 0 {
			resolver.realtime.recheck = 30 * time.Second
		}
	}
	es := NewExecutableSchema(Config{Resolvers: resolver})
	rules := NewRules(es.Schema())
	rules.logger = o.Logger
	resolver.rules = rules
	return &API{ExecutableSchema: es, Rules: rules, store: o.Store, logger: o.Logger}
}

// ErrorPresenter shapes every error sent to a client (see presentError).
func (a *API) ErrorPresenter() graphql.ErrorPresenterFunc { return presentError(a.logger) }

// Recover turns a panic in a resolver into a masked internal error.
func (a *API) Recover() graphql.RecoverFunc { return recoverPanic(a.logger) }

// AuditReads writes the operation's reads of personal data to the audit log before the
// response leaves (no audit, no data); present shapes the error when it cannot.
func (a *API) AuditReads(present graphql.ErrorPresenterFunc) graphql.OperationMiddleware {
	return auditReadsOperation(a.store, present)
}

// FieldMiddleware applies the access rule of each field.
func (a *API) FieldMiddleware(ctx context.Context, next graphql.Resolver) (any, error) {
	return a.Rules.middleware(ctx, next)
}

// WithLoaders attaches fresh loaders to each request.
func (a *API) WithLoaders(next http.Handler) http.Handler { return withLoaders(a.store, next) }
