package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/model"
)

func TestObservability_MetricsAndTraces(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	m := startServer(t, dbtest.NewDatabase(t), WithTracerProvider(tp))
	tok := token(t, m, model.RoleCoordinator)

	var out struct {
		Data struct {
			Structures struct{ TotalCount int }
		}
		Extensions struct{ Cost endpoint.CostReport }
	}
	status, body := gqlPost(t, m, tok, `query DashboardStructures { structures(first: 5) { totalCount nodes { name } } }`, nil, &out)
	if status != 200 || out.Data.Structures.TotalCount == 0 || out.Extensions.Cost.Requested != 5 {
		t.Fatalf("status %d body %s", status, body)
	}
	if status, body := gqlPost(t, m, tok, `query Bad { nope }`, nil, nil); status != 400 {
		t.Fatalf("validation failure: status %d body %s", status, body)
	}

	t.Run("Metrics", func(t *testing.T) {
		status, text := httpGet(t, "http://"+m.Addr()+"/metrics")
		if status != 200 {
			t.Fatalf("status %d", status)
		}
		for _, want := range []string{
			`agir_graphql_operations_total{operation="DashboardStructures",outcome="ok",type="query"} 1`,
			`agir_graphql_operations_total{operation="Bad",outcome="refused",type="query"} 1`,
			`agir_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED",operation="Bad"} 1`,
			`agir_graphql_operation_duration_seconds_count{operation="DashboardStructures",type="query"} 1`,
			`agir_graphql_operation_cost_sum{type="query"} 5`,
			`agir_graphql_sql_statements_count{type="query"} 1`,
			`go_sql_max_open_connections{db_name="primary"} 20`,
			`agir_http_requests_total{code="200",route="/graphql"}`,
			`http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="200",http_route="/graphql"} 1`,
			`http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="400",http_route="/graphql"} 1`,
		} {
			if !strings.Contains(text, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		// The statements of the operation were counted (at least the page's SELECT).
		if strings.Contains(text, `agir_graphql_sql_statements_bucket{type="query",le="0"} 1`) {
			t.Error("no SQL statement counted for the operation")
		}
	})

	t.Run("Traces", func(t *testing.T) {
		// OpenTelemetry's conventions: the HTTP server span (otelhttp) named after the
		// route, the GraphQL operation span "{type} {name}" under it, a database span per
		// statement under that.
		var httpSpan, op sdktrace.ReadOnlySpan
		for _, s := range spans.Ended() {
			switch s.Name() {
			case "query DashboardStructures":
				op = s
			case "POST /graphql":
				if httpSpan == nil {
					httpSpan = s
				}
			}
		}
		if op == nil || httpSpan == nil {
			names := []string{}
			for _, s := range spans.Ended() {
				names = append(names, s.Name())
			}
			t.Fatalf("no operation span or HTTP span among %q", names)
		}
		attrsOf := func(s sdktrace.ReadOnlySpan) map[string]string {
			attrs := map[string]string{}
			for _, a := range s.Attributes() {
				attrs[string(a.Key)] = a.Value.Emit()
			}
			return attrs
		}
		if a := attrsOf(httpSpan); httpSpan.SpanKind() != trace.SpanKindServer || a["http.route"] != "/graphql" ||
			a["http.request.method"] != "POST" || a["http.response.status_code"] == "" {
			t.Errorf("HTTP span %s: kind %v, attributes %v", httpSpan.Name(), httpSpan.SpanKind(), a)
		}
		var underHTTP bool
		for _, s := range spans.Ended() {
			if s.SpanContext().SpanID() == op.Parent().SpanID() && s.Name() == "POST /graphql" {
				underHTTP = true
			}
		}
		if !underHTTP {
			t.Error("the operation span is not under an HTTP server span")
		}
		sql := 0
		for _, s := range spans.Ended() {
			if s.Parent().SpanID() != op.SpanContext().SpanID() {
				continue
			}
			sql++
			a := attrsOf(s)
			if s.SpanKind() != trace.SpanKindClient || a["db.system.name"] != "postgresql" || a["db.query.text"] == "" ||
				a["db.operation.name"] != s.Name() || a["db.statement"] != "" || a["db.system"] != "" {
				t.Errorf("database span %q: kind %v, attributes %v", s.Name(), s.SpanKind(), a)
			}
		}
		if sql == 0 {
			t.Error("no database span under the operation span")
		}
		attrs := attrsOf(op)
		if attrs["graphql.cost"] != "5" || attrs["graphql.operation.type"] != "query" ||
			attrs["graphql.operation.name"] != "DashboardStructures" || attrs["db.statements"] == "0" {
			t.Errorf("span attributes %v", attrs)
		}
	})

	t.Run("AnonymousOperationSpanIsItsType", func(t *testing.T) {
		if status, body := gqlPost(t, m, tok, `{ me { role } }`, nil, nil); status != 200 {
			t.Fatalf("status %d body %s", status, body)
		}
		for _, s := range spans.Ended() {
			if s.Name() == "query" {
				for _, a := range s.Attributes() {
					if a.Key == "graphql.operation.name" {
						t.Errorf("anonymous operation with graphql.operation.name %q", a.Value.Emit())
					}
				}
				return
			}
		}
		t.Error("no span named query")
	})

	t.Run("CallerTraceContinued", func(t *testing.T) {
		const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		req, err := http.NewRequest(http.MethodGet, "http://"+m.Addr()+"/healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, s := range spans.Ended() {
			if s.Name() == "GET /healthz" && s.SpanContext().TraceID().String() == traceID && s.Parent().SpanID().String() == "00f067aa0ba902b7" {
				return
			}
		}
		t.Error("no span GET /healthz in the caller's trace")
	})
}

// TestObservability_SubscriptionEventsCounted checks that the events counter moves with
// each event sent, while the subscription is still open.
func TestObservability_SubscriptionEventsCounted(t *testing.T) {
	m := startServer(t, dbtest.NewDatabase(t))
	c, err := dialWS(t, m, token(t, m, model.RolePartnerEditor))
	if err != nil {
		t.Fatal(err)
	}
	c.subscribe("map", `subscription MapWatch { offerMapChanged(department: "69") { offerId } }`)
	publish := func() error {
		return m.Store.Notify(context.Background(), nil, db.ChannelOfferMap, model.OfferMapEvent{
			OfferID: "T2ZmZXI6MQ", Department: "69", Kind: model.OfferMapEventKindUpdated, At: time.Now()})
	}
	if msg := publishUntil(t, c, publish); msg.Type != "next" {
		t.Fatalf("got %+v", msg)
	}
	metric := func() string {
		_, text := httpGet(t, "http://"+m.Addr()+"/metrics")
		for _, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, `agir_graphql_subscription_events_total{operation="MapWatch"}`) {
				return line
			}
		}
		return ""
	}
	if got := metric(); got != `agir_graphql_subscription_events_total{operation="MapWatch"} 1` {
		t.Fatalf("after one event, open subscription: %q", got)
	}
	if err := publish(); err != nil {
		t.Fatal(err)
	}
	if msg, err := c.read(5 * time.Second); err != nil || msg.Type != "next" {
		t.Fatalf("second event: %+v %v", msg, err)
	}
	if got := metric(); got != `agir_graphql_subscription_events_total{operation="MapWatch"} 2` {
		t.Fatalf("after two events: %q", got)
	}
}

// TestObservability_Resource checks that spans describe the service from the standard
// variables.
func TestObservability_Resource(t *testing.T) {
	t.Run("Default", func(t *testing.T) {
		t.Setenv("OTEL_SERVICE_NAME", "")
		t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
		res, err := tracerResource(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := res.Set().Value("service.name"); v.AsString() != "agir-backend" {
			t.Errorf("service.name %q", v.AsString())
		}
	})
	t.Run("FromEnvironment", func(t *testing.T) {
		t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=recette,service.version=0.1.0,service.name=ignored")
		t.Setenv("OTEL_SERVICE_NAME", "agir-lyon")
		res, err := tracerResource(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{"deployment.environment.name": "recette", "service.version": "0.1.0",
			"service.name": "agir-lyon", "telemetry.sdk.language": "go"} {
			if v, _ := res.Set().Value(attribute.Key(k)); v.AsString() != want {
				t.Errorf("%s = %q, want %q", k, v.AsString(), want)
			}
		}
	})
}

func TestObservability_OperationLog(t *testing.T) {
	var buf syncBuffer
	tel := newTelemetry(slog.New(slog.NewJSONHandler(&buf, nil)), 10*time.Millisecond)
	tel.OperationDone(context.Background(), endpoint.OperationReport{
		RequestID: "req-1", Name: "Slow", Type: "query", DocumentHash: strings.Repeat("ab", 32),
		Principal: &model.Principal{Subject: "dev-coordinator", Role: model.RoleCoordinator},
		Cost:      12, Duration: 50 * time.Millisecond, SQLStatements: 3, ErrorCodes: []string{"TIMEOUT"},
	})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want an operation line and a slow line, got %q", lines)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"msg": "graphql", "operation": "Slow", "document": "abababababababab", "subject": "dev-coordinator",
		"role": "coordinator", "cost": float64(12), "sql": float64(3), "errors": "TIMEOUT", "request_id": "req-1"} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	if !strings.Contains(lines[1], `"msg":"slow graphql operation"`) || !strings.Contains(lines[1], `"level":"WARN"`) {
		t.Errorf("slow line %s", lines[1])
	}
}

// TestObservability_OTLPExport checks that, with OTEL_EXPORTER_OTLP_ENDPOINT set, spans
// reach an OTLP/HTTP collector.
func TestObservability_OTLPExport(t *testing.T) {
	var mu sync.Mutex
	var got []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL}
	tp, shutdown, err := newTracerProvider(context.Background(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	_, span := tp.Tracer("test").Start(context.Background(), "query Test")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 || got[0] != "POST /v1/traces application/x-protobuf" {
		t.Fatalf("collector received %q", got)
	}
}
