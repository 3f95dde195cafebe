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

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph"
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
		Extensions struct{ Cost graph.CostReport }
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
		var op sdktrace.ReadOnlySpan
		for _, s := range spans.Ended() {
			if s.Name() == "graphql.query DashboardStructures" {
				op = s
			}
		}
		if op == nil {
			t.Fatalf("no operation span among %d", len(spans.Ended()))
		}
		sql := 0
		for _, s := range spans.Ended() {
			if strings.HasPrefix(s.Name(), "sql ") && s.Parent().SpanID() == op.SpanContext().SpanID() {
				sql++
			}
		}
		if sql == 0 {
			t.Error("no SQL span under the operation span")
		}
		attrs := map[string]string{}
		for _, a := range op.Attributes() {
			attrs[string(a.Key)] = a.Value.Emit()
		}
		if attrs["graphql.cost"] != "5" || attrs["graphql.operation.type"] != "query" || attrs["db.statements"] == "0" {
			t.Errorf("span attributes %v", attrs)
		}
	})
}

func TestObservability_OperationLog(t *testing.T) {
	var buf syncBuffer
	tel := newTelemetry(slog.New(slog.NewJSONHandler(&buf, nil)), 10*time.Millisecond)
	tel.OperationDone(context.Background(), graph.OperationReport{
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
	_, span := tp.Tracer("test").Start(context.Background(), "graphql.query Test")
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
