package main

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/agir-reseau/agir-backend/endpoint"
)

// telemetry is what the server tells its operators: Prometheus metrics (its own
// registry, served at /metrics), one structured log line per GraphQL operation, and a
// warning for each operation slower than slowThreshold. It implements endpoint.Observer.
type telemetry struct {
	logger        *slog.Logger
	slowThreshold time.Duration
	registry      *prometheus.Registry

	operations    *prometheus.CounterVec
	errors        *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	cost          *prometheus.HistogramVec
	statements    *prometheus.HistogramVec
	subscriptions *prometheus.GaugeVec
	events        *prometheus.CounterVec
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec

	names operationNames
}

func newTelemetry(logger *slog.Logger, slow time.Duration) *telemetry {
	t := &telemetry{logger: logger, slowThreshold: slow, registry: prometheus.NewRegistry()}
	t.operations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agir_graphql_operations_total",
		Help: "GraphQL operations by name, type and outcome (ok, error: some errors, refused: refused before execution).",
	}, []string{"operation", "type", "outcome"})
	t.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agir_graphql_errors_total",
		Help: "Errors of GraphQL operations by operation name and error code.",
	}, []string{"operation", "code"})
	t.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "agir_graphql_operation_duration_seconds",
		Help:    "Duration of GraphQL operations by name and type.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"operation", "type"})
	t.cost = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "agir_graphql_operation_cost",
		Help:    "Cost of GraphQL operations (see extensions.cost) by type.",
		Buckets: []float64{1, 5, 20, 100, 500, 1000, 2500, 5000, 10000},
	}, []string{"type"})
	t.statements = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "agir_graphql_sql_statements",
		Help:    "SQL statements run by one GraphQL operation, by type.",
		Buckets: []float64{0, 1, 2, 3, 5, 10, 20, 50, 100},
	}, []string{"type"})
	t.subscriptions = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "agir_graphql_subscriptions_active",
		Help: "Subscriptions open on this instance, by operation name.",
	}, []string{"operation"})
	t.events = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agir_graphql_subscription_events_total",
		Help: "Events sent to subscriptions, by operation name, counted as each is sent.",
	}, []string{"operation"})
	t.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agir_http_requests_total",
		Help: "HTTP requests by route and status code.",
	}, []string{"route", "code"})
	// OpenTelemetry's http.server.request.duration, with its attribute names, as
	// Prometheus names it. WebSocket upgrades (subscriptions) are not observed: they last
	// as long as the connection.
	t.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_server_request_duration_seconds",
		Help:    "Duration of HTTP server requests by method, route and status code (WebSocket upgrades excepted).",
		Buckets: []float64{.005, .01, .025, .05, .075, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10},
	}, []string{"http_request_method", "http_route", "http_response_status_code"})
	t.registry.MustRegister(t.operations, t.errors, t.duration, t.cost, t.statements, t.subscriptions, t.events, t.httpRequests, t.httpDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return t
}

// watchPool adds the statistics of a connection pool (open, in use, idle, waits).
func (t *telemetry) watchPool(db *sql.DB, name string) {
	t.registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// handler serves the metrics; with a token, only to "Authorization: Bearer <token>".
func (t *telemetry) handler(token string, production bool) http.Handler {
	h := promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{})
	if token == "" && !production {
		return h
	}
	if token == "" {
		// Production without AGIR_METRICS_TOKEN: closed to everyone, rather than open
		// to anyone who reaches the port.
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="agir-metrics"`)
			http.Error(w, "unauthorized: /metrics needs AGIR_METRICS_TOKEN in production", http.StatusUnauthorized)
		})
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="agir-metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// OperationDone implements endpoint.Observer: metrics, the operation's log line, and the
// slow-operation warning.
func (t *telemetry) OperationDone(ctx context.Context, r endpoint.OperationReport) {
	name := t.names.label(r.Name)
	kind := r.Type
	if kind == "" {
		kind = "unknown"
	}
	outcome := "ok"
	switch {
	case r.Refused:
		outcome = "refused"
	case len(r.ErrorCodes) > 0:
		outcome = "error"
	}
	t.operations.WithLabelValues(name, kind, outcome).Inc()
	for _, code := range r.ErrorCodes {
		t.errors.WithLabelValues(name, code).Inc()
	}
	if kind != "subscription" {
		t.duration.WithLabelValues(name, kind).Observe(r.Duration.Seconds())
	}
	if !r.Refused {
		t.cost.WithLabelValues(kind).Observe(float64(r.Cost))
		t.statements.WithLabelValues(kind).Observe(float64(r.SQLStatements))
	}
	attrs := []any{"request_id", r.RequestID, "operation", r.Name, "type", r.Type, "document", shortHash(r.DocumentHash),
		"cost", r.Cost, "duration", r.Duration, "sql", r.SQLStatements, "errors", strings.Join(r.ErrorCodes, ",")}
	if r.Principal != nil {
		attrs = append(attrs, "subject", r.Principal.Subject, "role", string(r.Principal.Role))
	}
	if r.Refused {
		attrs = append(attrs, "refused", true)
	}
	if kind == "subscription" {
		attrs = append(attrs, "events", r.Events)
	}
	t.logger.InfoContext(ctx, "graphql", attrs...)
	if t.slowThreshold > 0 && r.Duration >= t.slowThreshold && kind != "subscription" {
		t.logger.WarnContext(ctx, "slow graphql operation", append(attrs, "threshold", t.slowThreshold)...)
	}
}

// SubscriptionEvent implements endpoint.Observer.
func (t *telemetry) SubscriptionEvent(name string) {
	t.events.WithLabelValues(t.names.label(name)).Inc()
}

// SubscriptionsChanged implements endpoint.Observer.
func (t *telemetry) SubscriptionsChanged(name string, delta int) {
	t.subscriptions.WithLabelValues(t.names.label(name)).Add(float64(delta))
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}

// operationNames keeps the label "operation" of bounded cardinality: names are chosen by
// clients, so past maxOperationNames distinct ones, new names count as "other".
type operationNames struct {
	mu   sync.Mutex
	seen map[string]bool
}

const maxOperationNames = 300

var operationNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

func (n *operationNames) label(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case !operationNameRE.MatchString(name):
		return "invalid"
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if !n.seen[name] {
		if len(n.seen) >= maxOperationNames {
			return "other"
		}
		n.seen[name] = true
	}
	return name
}

// withRoute wraps the mux: once the mux has chosen a route (it sets the request's
// Pattern), it names the HTTP server span after it ("GET /graphql", with http.route, as
// OpenTelemetry's HTTP conventions ask), counts the request and observes its duration by
// route and status. Requests no route matched count under "unmatched", so that
// arbitrary paths do not make new series.
func (t *telemetry) withRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		route := routeOf(r.Pattern)
		span := trace.SpanFromContext(r.Context())
		span.SetName(r.Method + " " + route)
		span.SetAttributes(attribute.String("http.route", route))
		status := strconv.Itoa(rec.status)
		t.httpRequests.WithLabelValues(route, status).Inc()
		if !isWebSocket(r) {
			t.httpDuration.WithLabelValues(r.Method, route, status).Observe(time.Since(start).Seconds())
		}
	})
}

// routeOf is the path of a mux pattern ("GET /{$}" is "/"), "unmatched" without one.
func routeOf(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	return strings.TrimSuffix(pattern, "{$}")
}
