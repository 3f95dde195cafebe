package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/server/auth"
)

// routes assembles the HTTP surface: /graphql (authenticated; WebSocket upgrades
// authenticate in their connection_init message), the explorer page at /, /metrics,
// /healthz and /readyz.
func (m *Main) routes(gql *endpoint.Endpoint) http.Handler {
	mux := http.NewServeMux()
	api := auth.MiddlewareWith(m.verifier, auth.MiddlewareOptions{
		Resolve: m.resolvePrincipalCached,
		OnFailure: func(r *http.Request, err error) {
			m.Logger.InfoContext(r.Context(), "authentication failed", "request_id", endpoint.RequestID(r.Context()), "err", err)
		},
	}, requireAuth(m.Logger, gql))
	limited := http.MaxBytesHandler(api, m.Config.MaxBodyBytes)
	mux.Handle("/graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocket(r) {
			// Long-lived: no body limit (messages have theirs), no deadline; closed when
			// the server shuts down.
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			defer context.AfterFunc(m.closing, cancel)()
			api.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		limited.ServeHTTP(w, r)
	}))
	if m.Config.Production() && m.Config.Endpoint.MetricsToken == "" {
		m.Logger.Warn("/metrics is closed: set AGIR_METRICS_TOKEN to scrape it in production")
	}
	mux.Handle("GET /metrics", m.telemetry.handler(m.Config.Endpoint.MetricsToken, m.Config.Production()))
	// The offer map in data·inclusion v1, behind the same authentication as /graphql.
	export := auth.MiddlewareWith(m.verifier, auth.MiddlewareOptions{Resolve: m.resolvePrincipalCached},
		requireAuth(m.Logger, endpoint.DataInclusionExport(m.Store, m.Logger)))
	mux.Handle("GET /export/data-inclusion/structures.json", export)
	mux.Handle("GET /export/data-inclusion/services.json", export)
	// Indicator tables as CSV, same authentication, scope and suppression as Query.indicators.
	mux.Handle("GET /export/indicators.csv", auth.MiddlewareWith(m.verifier, auth.MiddlewareOptions{Resolve: m.resolvePrincipalCached},
		requireAuth(m.Logger, endpoint.IndicatorsCSV(m.Store, m.Logger))))
	// Convocation documents (PDF), same authentication, roles and scope as Query.node.
	mux.Handle("GET "+endpoint.ConvocationDocumentPath+"{file}", auth.MiddlewareWith(m.verifier, auth.MiddlewareOptions{Resolve: m.resolvePrincipalCached},
		requireAuth(m.Logger, endpoint.ConvocationDocument(m.Store, m.Logger))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := m.Store.Ping(ctx); err != nil {
			m.Logger.WarnContext(ctx, "not ready", "err", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	page, assets := explorer()
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /graphiql/", assets)
	// The HTTP server span (otelhttp) continues the caller's trace (W3C traceparent), so
	// an operation's span joins the client's or the load balancer's trace; withRoute,
	// next to the mux, names it after the route once the mux has chosen one.
	traced := otelhttp.NewHandler(withAccessLog(m.Logger, withTimeout(m.Config.RequestTimeout, m.telemetry.withRoute(mux))), "HTTP",
		otelhttp.WithTracerProvider(m.tracer), otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithMeterProvider(noopmetric.NewMeterProvider()), // metrics: Prometheus, withRoute
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }))
	return withRequestID(traced)
}

// isWebSocket reports whether r asks to upgrade to a WebSocket (subscriptions).
func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// resolvePrincipal matches a verified token to its staff record, which is authoritative
// for role, structure and territory. An unknown or deactivated user gets nothing. It
// reads the record every time (subscriptions' rechecks, WebSocket handshakes).
func (m *Main) resolvePrincipal(ctx context.Context, p *model.Principal) (*model.Principal, error) {
	v, err := m.lookUpStaff(ctx, loginOf(p))
	if err != nil {
		return nil, err
	}
	return principalOf(p, v)
}

// resolvePrincipalCached is resolvePrincipal for HTTP requests: the staff record may be
// up to AGIR_STAFF_CACHE_TTL old (see staffCache).
func (m *Main) resolvePrincipalCached(ctx context.Context, p *model.Principal) (*model.Principal, error) {
	v, err := m.staff.get(ctx, loginOf(p))
	if err != nil {
		return nil, err
	}
	return principalOf(p, v)
}

// lookUpStaff finds the staff record of a verified token. An OIDC token (it has an
// issuer) is identified by its subject: its e-mail only finds the record of a first
// login, with email_verified, which links the record to the subject (db's
// StaffMemberByOIDCLogin); a refusal is kept with its reason. Development tokens match
// by subject or e-mail.
func (m *Main) lookUpStaff(ctx context.Context, l staffLogin) (staffLookup, error) {
	if l.issuer == "" {
		staff, structure, ok, err := m.Store.StaffMemberByLogin(ctx, l.subject, l.email)
		return staffLookup{staff: staff, structure: structure, ok: ok}, err
	}
	staff, structure, ok, err := m.Store.StaffMemberByOIDCLogin(ctx, db.OIDCLogin{Issuer: l.issuer, Subject: l.subject,
		Email: l.email, EmailVerified: l.emailVerified})
	if db.IsLoginRefused(err) {
		return staffLookup{refusal: err.Error()}, nil
	}
	return staffLookup{staff: staff, structure: structure, ok: ok}, err
}

func principalOf(p *model.Principal, v staffLookup) (*model.Principal, error) {
	if v.refusal != "" {
		return nil, fmt.Errorf("%w: OIDC identity (iss %q, sub %q, email %q) refused: %s", auth.ErrInvalidToken, p.Issuer, p.Subject, p.Email, v.refusal)
	}
	if !v.ok || !v.staff.Active {
		return nil, auth.ErrInvalidToken
	}
	resolved := *p
	resolved.Role = v.staff.StaffRole.AccessRole()
	resolved.StructureID = v.staff.StructureKey
	resolved.Departments = v.structure.Departments
	if resolved.Name == "" {
		resolved.Name = v.staff.Name
	}
	return &resolved, nil
}

// requireAuth answers 401 with a GraphQL-shaped body when the request carries no valid
// token: no operation runs, nothing is read.
func requireAuth(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions || isWebSocket(r) {
			next.ServeHTTP(w, r)
			return
		}
		failure := auth.FailureFrom(r.Context())
		if failure == nil {
			next.ServeHTTP(w, r)
			return
		}
		msg := "authentification requise : jeton absent"
		switch {
		case errors.Is(failure, auth.ErrExpiredToken):
			msg = "authentification requise : jeton expiré"
		case errors.Is(failure, auth.ErrInvalidToken):
			msg = "authentification requise : jeton invalide ou compte inconnu ou désactivé"
		case db.IsUnavailable(failure):
			// The staff lookup could not reach the database: retry later, as for any
			// request that finds it unreachable.
			logger.WarnContext(r.Context(), "authentication: database unavailable", "request_id", endpoint.RequestID(r.Context()), "err", failure)
			w.Header().Set("Retry-After", strconv.Itoa(endpoint.RetryAfterSeconds))
			writeGraphQLError(w, r, http.StatusServiceUnavailable, model.CodeUnavailable,
				"service momentanément indisponible (base de données injoignable ou saturée) : réessayez dans quelques secondes")
			return
		case !errors.Is(failure, auth.ErrNoToken):
			logger.ErrorContext(r.Context(), "authentication", "request_id", endpoint.RequestID(r.Context()), "err", failure)
			writeGraphQLError(w, r, http.StatusInternalServerError, model.CodeInternal, "erreur interne : référence "+endpoint.RequestID(r.Context()))
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="agir"`)
		writeGraphQLError(w, r, http.StatusUnauthorized, model.CodeUnauthenticated, msg)
	})
}

// writeGraphQLError writes a GraphQL response carrying one request error.
func writeGraphQLError(w http.ResponseWriter, r *http.Request, status int, code model.ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message":    msg,
		"extensions": map[string]any{"code": string(code), "requestId": endpoint.RequestID(r.Context())},
	}}})
}

// withRequestID gives each request an id (the client's X-Request-Id when sane), returned
// in the X-Request-Id header and carried by the context for logs and masked errors.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) < 8 || len(id) > 64 || !isToken(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ctx := model.WithRequestMeta(r.Context(), model.RequestMeta{ID: id, ClientAddr: host})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func isToken(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// withTimeout bounds each request by the configured deadline (WebSockets aside: they
// live as long as their subscriptions).
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocket(r) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// withAccessLog writes one structured line per request.
func withAccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.InfoContext(r.Context(), "http", "request_id", endpoint.RequestID(r.Context()), "method", r.Method,
			"path", r.URL.Path, "status", rec.status, "duration", time.Since(start), "client", r.RemoteAddr)
	})
}
