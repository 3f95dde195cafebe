package endpoint

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// OperationReport is what one GraphQL operation did: the structured log line, the metrics
// and the slow-operation log are made from it. A subscription is reported once, when it
// ends; a request refused before execution is reported too (Refused).
type OperationReport struct {
	RequestID     string
	Name          string // operation name, "" for an anonymous operation
	Type          string // query, mutation, subscription; "" when the document did not parse
	DocumentHash  string // sha256 of the document, hex
	Principal     *model.Principal
	Cost          int
	Duration      time.Duration
	SQLStatements int
	ErrorCodes    []string // extensions.code of each error, in order
	Refused       bool     // refused before execution (parse, validation, limits)
	Events        int      // events delivered (subscriptions)
}

// Observer receives what the endpoint does, for logs and metrics (see server/metrics.go).
// Its methods must be quick and safe for concurrent use.
type Observer interface {
	OperationDone(ctx context.Context, r OperationReport)
	SubscriptionsChanged(name string, delta int)
	// SubscriptionEvent is called for each event sent to a subscription, as it is sent.
	SubscriptionEvent(name string)
}

// opStats is the per-operation tally the statement observer adds to.
type opStats struct {
	statements atomic.Int64
	events     atomic.Int64
}

type opStatsKey struct{}

func opStatsFrom(ctx context.Context) *opStats {
	s, _ := ctx.Value(opStatsKey{}).(*opStats)
	return s
}

// DocumentHash is the sha256 of a document, hex: the persisted-query key and the
// document's name in logs.
func DocumentHash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

// StatementTracer counts the SQL statements of each operation and opens a trace span per
// statement, as a child of the operation's span, with OpenTelemetry's database semantic
// conventions: the span is named after the operation (SELECT, INSERT...), with
// db.system.name, db.operation.name and db.query.text (the parameterised text: values
// are never in it). Give it to db.Open (Options.Observer).
type StatementTracer struct {
	Tracer trace.Tracer
}

var _ db.StatementObserver = StatementTracer{}

// NewStatementTracer returns the statement observer for tp (nil: no spans, counting only).
func NewStatementTracer(tp trace.TracerProvider) StatementTracer {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	return StatementTracer{Tracer: tp.Tracer(tracerName)}
}

// tracerName is the instrumentation scope of the spans; it keeps the name it had before the
// endpoint left package graph, so that existing trace queries still find them.
const tracerName = "github.com/agir-reseau/agir-backend/graph"

// StatementStart implements db.StatementObserver.
func (t StatementTracer) StatementStart(ctx context.Context, query string) func(error) {
	if s := opStatsFrom(ctx); s != nil {
		s.statements.Add(1)
	}
	if !trace.SpanFromContext(ctx).SpanContext().IsValid() {
		return func(error) {}
	}
	verb := sqlVerb(query)
	_, span := t.Tracer.Start(ctx, verb, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.operation.name", verb),
			attribute.String("db.query.text", query)))
	return func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, "statement failed")
		}
		span.End()
	}
}

func sqlVerb(q string) string {
	f := strings.Fields(q)
	if len(f) == 0 {
		return "statement"
	}
	return strings.ToUpper(f[0])
}

// operationName is the operation's name or "" for an anonymous one.
func operationName(oc *graphql.OperationContext) string {
	if oc == nil {
		return ""
	}
	if oc.OperationName != "" {
		return oc.OperationName
	}
	if oc.Operation != nil {
		return oc.Operation.Name
	}
	return ""
}

// observe is the operation middleware: a span per operation, a tally of SQL
// statements, one report when the operation ends (each query or mutation; a
// subscription when its stream ends, and a count of each event as it is sent).
//
// The span follows OpenTelemetry's GraphQL semantic conventions: named
// "{graphql.operation.type} {graphql.operation.name}" ("query Dashboard"), or the type
// alone for an anonymous operation, with graphql.operation.type and, when there is one,
// graphql.operation.name. The document itself is not recorded (graphql.document is
// optional and may be long); its sha256 is, as graphql.document.hash.
func (e *endpointObserver) observe(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	name := operationName(oc)
	kind := string(oc.Operation.Operation)
	stats := &opStats{}
	ctx = context.WithValue(ctx, opStatsKey{}, stats)
	spanName := kind
	attrs := []attribute.KeyValue{
		attribute.String("graphql.operation.type", kind),
		attribute.String("graphql.document.hash", DocumentHash(oc.RawQuery)),
	}
	if name != "" {
		spanName += " " + name
		attrs = append(attrs, attribute.String("graphql.operation.name", name))
	}
	ctx, span := e.tracer.Start(ctx, spanName, trace.WithAttributes(attrs...))
	start := oc.Stats.OperationStart
	if start.IsZero() {
		start = time.Now()
	}
	subscription := oc.Operation.Operation == ast.Subscription
	if subscription && e.observer != nil {
		e.observer.SubscriptionsChanged(name, 1)
	}
	var codes []string
	rh := next(ctx)
	done := false
	return func(ctx context.Context) *graphql.Response {
		resp := rh(ctx)
		if done {
			return resp
		}
		switch {
		case resp != nil:
			codes = append(codes, errorCodes(resp)...)
			if subscription {
				stats.events.Add(1)
				if e.observer != nil {
					e.observer.SubscriptionEvent(name)
				}
				return resp
			}
		case !subscription && errors.Is(ctx.Err(), context.DeadlineExceeded):
			codes = append(codes, string(model.CodeTimeout)) // the executor gives nothing past the deadline
		}
		done = true
		if subscription && e.observer != nil {
			e.observer.SubscriptionsChanged(name, -1)
		}
		report := e.report(ctx, oc, codes, time.Since(start))
		report.SQLStatements = int(stats.statements.Load())
		report.Events = int(stats.events.Load())
		span.SetAttributes(attribute.Int("graphql.cost", report.Cost), attribute.Int("db.statements", report.SQLStatements))
		if len(codes) > 0 {
			span.SetAttributes(attribute.StringSlice("graphql.error.codes", codes))
			span.SetStatus(otelError, strings.Join(codes, ","))
		}
		span.End()
		if e.observer != nil {
			e.observer.OperationDone(ctx, report)
		}
		return resp
	}
}

const otelError = codes.Error

type endpointObserver struct {
	observer  Observer
	tracer    trace.Tracer
	maxTokens int
}

func (e *endpointObserver) report(ctx context.Context, oc *graphql.OperationContext, codes []string, d time.Duration) OperationReport {
	r := OperationReport{
		RequestID:  RequestID(ctx),
		Name:       operationName(oc),
		Principal:  model.PrincipalFrom(ctx),
		Duration:   d,
		ErrorCodes: codes,
	}
	if oc != nil {
		r.DocumentHash = DocumentHash(oc.RawQuery)
		if oc.Operation != nil {
			r.Type = string(oc.Operation.Operation)
		}
	}
	if c := costReportOf(oc); c != nil {
		r.Cost = c.Requested
	}
	return r
}

// refused reports an operation refused before execution (HTTP transport).
func (e *endpointObserver) refused(ctx context.Context, oc *graphql.OperationContext, resp *graphql.Response) {
	if e.observer == nil {
		return
	}
	start := time.Now()
	if oc != nil && !oc.Stats.OperationStart.IsZero() {
		start = oc.Stats.OperationStart
	}
	r := e.report(ctx, oc, errorCodes(resp), time.Since(start))
	r.Refused = true
	if oc != nil && oc.Operation == nil && oc.RawQuery != "" {
		// Refused before an operation was chosen: name it from the document when it parses.
		if doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: oc.RawQuery}, e.maxTokens); err == nil {
			if op := doc.Operations.ForName(oc.OperationName); op != nil {
				r.Name, r.Type = op.Name, string(op.Operation)
			}
		}
	}
	e.observer.OperationDone(ctx, r)
}

func errorCodes(resp *graphql.Response) []string {
	var out []string
	for _, err := range resp.Errors {
		code, _ := err.Extensions["code"].(string)
		if code == "" {
			code = "UNKNOWN"
		}
		out = append(out, code)
	}
	return out
}
