package endpoint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// httpResult is a raw HTTP answer of the endpoint.
type httpResult struct {
	Status int
	Header http.Header
	Body   struct {
		Data       json.RawMessage   `json:"data"`
		Errors     []graphtest.Error `json:"errors"`
		Extensions map[string]any    `json:"extensions"`
	}
	Raw map[string]json.RawMessage
}

func (r httpResult) code() string {
	if len(r.Body.Errors) == 0 {
		return ""
	}
	return r.Body.Errors[0].Code()
}

// send runs one HTTP request on h as p (nil: anonymous).
func send(t *testing.T, h http.Handler, p *model.Principal, req *http.Request) httpResult {
	t.Helper()
	ctx := endpoint.WithRequestID(req.Context(), "test-request")
	if p != nil {
		ctx = model.WithPrincipal(ctx, p)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req.WithContext(ctx))
	var r httpResult
	r.Status, r.Header = rec.Code, rec.Header()
	if err := json.Unmarshal(rec.Body.Bytes(), &r.Body); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &r.Raw)
	return r
}

// post sends a JSON body, accepting accept ("" for no Accept header).
func post(t *testing.T, h http.Handler, p *model.Principal, accept string, body any) httpResult {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	default:
		b, _ = json.Marshal(v)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return send(t, h, p, req)
}

const gqlResponse = "application/graphql-response+json"

func q(query string) map[string]any { return map[string]any{"query": query} }

// aliased repeats field under n aliases a0..a(n-1).
func aliased(n int, field string) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	b.WriteString("}")
	return b.String()
}

func newEndpoint(env *graphtest.Env, c endpoint.EndpointConfig) *endpoint.Endpoint {
	c.Store = env.Store
	return endpoint.NewEndpoint(c)
}

func TestLimits_AbusiveQueries(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	h := env.Endpoint

	t.Run("OK", func(t *testing.T) {
		h := newEndpoint(env, endpoint.EndpointConfig{RateLimit: endpoint.RateLimitConfig{Capacity: 60_000, PerSecond: 300}})
		r := post(t, h, p, gqlResponse, q(`{ structures(first: 10) { nodes { name } } }`))
		if r.Status != 200 || len(r.Body.Errors) > 0 {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/graphql-response+json; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		var cost endpoint.CostReport
		b, _ := json.Marshal(r.Body.Extensions["cost"])
		_ = json.Unmarshal(b, &cost)
		if cost.Requested != 10 || cost.Maximum != 10_000 || cost.Remaining == nil || *cost.Remaining != 60_000-10 {
			t.Errorf("extensions.cost = %s", b)
		}
		if r.Header.Get("X-RateLimit-Remaining") != "59990" {
			t.Errorf("X-RateLimit-Remaining = %q", r.Header.Get("X-RateLimit-Remaining"))
		}
	})
	t.Run("ErrAliasFlood", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, q(aliased(200, "me { name }")))
		if r.Status != 400 || r.code() != "ALIAS_LIMIT_EXCEEDED" || r.Raw["data"] != nil {
			t.Fatalf("status %d errors %+v data %s", r.Status, r.Body.Errors, r.Raw["data"])
		}
		// The same refusal in application/json is a 200, as GraphQL over HTTP says.
		r = post(t, h, p, "application/json", q(aliased(200, "me { name }")))
		if r.Status != 200 || r.code() != "ALIAS_LIMIT_EXCEEDED" {
			t.Fatalf("application/json: status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrAliasFloodInIntrospection", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, q("{ __schema "+aliased(100, "types { name }")+" }"))
		if r.Status != 400 || r.code() != "ALIAS_LIMIT_EXCEEDED" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrRootFields", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, q(aliased(30, "structures(first: 1) { totalCount }")))
		if r.Status != 400 || r.code() != "ROOT_FIELD_LIMIT_EXCEEDED" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrHugePage", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, q(`{ structures(first: 100000) { nodes { name } } }`))
		if r.Status != 400 || r.code() != "OUT_OF_RANGE" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
		r = post(t, h, p, gqlResponse, map[string]any{
			"query":     `query Q($n: Int) { structures(last: $n) { nodes { name } } }`,
			"variables": map[string]any{"n": 0},
		})
		if r.Status != 400 || r.code() != "OUT_OF_RANGE" {
			t.Fatalf("last: $n = 0: status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrBatch", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, `[{"query":"{ me { name } }"},{"query":"{ me { role } }"}]`)
		if r.Status != 400 || r.code() != "BATCH_NOT_SUPPORTED" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrTokenFlood", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, q("{ me { "+strings.Repeat("name ", 6000)+"} }"))
		if r.Status != 400 || r.code() != "TOKEN_LIMIT_EXCEEDED" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrDuplicatedFieldFlood", func(t *testing.T) {
		// 4 900 copies of one field fit under the token limit (25 KB) but the
		// overlapping-fields validation compares them pairwise: seconds of CPU. The
		// document is refused on its selection count before validation.
		flood := "{ me { " + strings.Repeat("name ", 4900) + "} }"
		r := post(t, h, p, gqlResponse, q(flood))
		if r.Status != 400 || r.code() != "FIELD_LIMIT_EXCEEDED" || r.Raw["data"] != nil {
			t.Fatalf("status %d errors %+v data %s", r.Status, r.Body.Errors, r.Raw["data"])
		}
		// Spread through a fragment, the copies are counted where they are written.
		frag := "query { me { ...F } } fragment F on Viewer { " + strings.Repeat("name ", 1500) + "}"
		if r := post(t, h, p, gqlResponse, q(frag)); r.Status != 400 || r.code() != "FIELD_LIMIT_EXCEEDED" {
			t.Fatalf("fragment: status %d errors %+v", r.Status, r.Body.Errors)
		}
		// Under the bound the same shape runs.
		ok := "{ me { " + strings.Repeat("name ", 50) + "} }"
		if r := post(t, h, p, gqlResponse, q(ok)); r.Status != 200 || len(r.Body.Errors) > 0 {
			t.Fatalf("50 copies: status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrDeepIntrospection", func(t *testing.T) {
		deep := "{ __schema { types { fields { type { " + strings.Repeat("ofType { ", 20) + "name" + strings.Repeat(" }", 20) + " } } } } }"
		r := post(t, h, p, gqlResponse, q(deep))
		if r.Status != 400 || len(r.Body.Errors) == 0 {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrBodyTooLarge", func(t *testing.T) {
		limited := http.MaxBytesHandler(h, 1024)
		r := post(t, limited, p, gqlResponse, q("{ me { name } }"+strings.Repeat(" ", 2000)))
		if r.Status != 413 || r.code() != "REQUEST_TOO_LARGE" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrMutationOnGET", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("mutation { __typename }"), nil)
		req.Header.Set("Accept", gqlResponse)
		r := send(t, h, p, req)
		if r.Status != 405 || r.Header.Get("Allow") != "POST" || r.code() != "METHOD_NOT_ALLOWED" {
			t.Fatalf("status %d Allow %q errors %+v", r.Status, r.Header.Get("Allow"), r.Body.Errors)
		}
		// A query on GET is fine.
		req = httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape("{ me { role } }"), nil)
		if r := send(t, h, p, req); r.Status != 200 || string(r.Body.Data) != `{"me":{"role":"coordinator"}}` {
			t.Fatalf("GET query: status %d data %s errors %+v", r.Status, r.Body.Data, r.Body.Errors)
		}
	})
}

func TestLimits_DepthAndCost(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	h := newEndpoint(env, endpoint.EndpointConfig{Limits: endpoint.Limits{MaxDepth: 2, MaxCost: 150}})

	t.Run("OK", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, q(`{ structures(first: 100) { totalCount } }`))
		if r.Status != 200 || len(r.Body.Errors) > 0 {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrDeepNesting", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, q(`{ structures(first: 1) { edges { node { name } } } }`))
		if r.Status != 400 || r.code() != "DEPTH_LIMIT_EXCEEDED" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrCost", func(t *testing.T) {
		r := post(t, h, p, gqlResponse, q(`{ a: structures(first: 100) { totalCount } b: structures(last: 100) { totalCount } }`))
		if r.Status != 400 || r.code() != "COST_LIMIT_EXCEEDED" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
		cost, _ := r.Body.Extensions["cost"].(map[string]any)
		if cost["requested"] != float64(200) || cost["maximum"] != float64(150) {
			t.Errorf("extensions.cost = %v", r.Body.Extensions["cost"])
		}
	})
}

func TestLimits_RateLimit(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	h := newEndpoint(env, endpoint.EndpointConfig{RateLimit: endpoint.RateLimitConfig{Capacity: 150, PerSecond: 0.01}})
	page := q(`{ structures(first: 100) { totalCount } }`)

	r := post(t, h, p, gqlResponse, page)
	if r.Status != 200 || r.Header.Get("X-RateLimit-Remaining") != "50" {
		t.Fatalf("first: status %d, remaining %q, errors %+v", r.Status, r.Header.Get("X-RateLimit-Remaining"), r.Body.Errors)
	}
	r = post(t, h, p, gqlResponse, page)
	if r.Status != 429 || r.code() != "RATE_LIMITED" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("second: status %d, Retry-After %q, errors %+v", r.Status, r.Header.Get("Retry-After"), r.Body.Errors)
	}
	cost, _ := r.Body.Extensions["cost"].(map[string]any)
	if cost["remaining"] != float64(50) || cost["retryAfterSeconds"] == nil {
		t.Errorf("extensions.cost = %v", r.Body.Extensions["cost"])
	}
	// Another caller has a budget of its own.
	other := demoPrincipal(t, env, model.RoleAdmin)
	if r := post(t, h, other, gqlResponse, page); r.Status != 200 {
		t.Fatalf("other caller: status %d errors %+v", r.Status, r.Body.Errors)
	}
}

func TestLimits_Deadlines(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)

	t.Run("ErrRequestDeadline", func(t *testing.T) {
		h := newEndpoint(env, endpoint.EndpointConfig{OperationTimeout: time.Nanosecond})
		r := post(t, h, p, gqlResponse, q(`{ structures(first: 1) { totalCount } }`))
		if r.Status != 504 || r.code() != "TIMEOUT" {
			t.Fatalf("status %d errors %+v data %s", r.Status, r.Body.Errors, r.Body.Data)
		}
	})
	t.Run("ErrStatementTimeout", func(t *testing.T) {
		// A writer holds the table: the read waits past statement_timeout and is cancelled.
		url := dbtest.NewDatabase(t)
		slow, err := db.Open(context.Background(), url, db.Options{StatementTimeout: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer slow.Close()
		lock, err := slow.DB().BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Rollback()
		if _, err := lock.Exec(`LOCK TABLE structures IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		h := endpoint.NewEndpoint(endpoint.EndpointConfig{Store: slow})
		start := time.Now()
		r := post(t, h, p, gqlResponse, q(`{ structures(first: 1) { totalCount } }`))
		if r.Status != 504 || r.code() != "TIMEOUT" || strings.Contains(r.Body.Errors[0].Message, "statement") {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("answered after %s", d)
		}
	})
}

func TestAnalyze_Cost(t *testing.T) {
	env := graphtest.New(t)
	schema := env.Endpoint.Schema
	for _, tc := range []struct {
		query string
		want  int
	}{
		{`{ __typename }`, 1},
		{`{ me { name } }`, 1},
		{`{ me { structure { name } } }`, 2},
		{`{ structures { totalCount } }`, model.DefaultPageSize},
		{`{ structures(first: 50) { edges { node { name } } nodes { name } pageInfo { hasNextPage } } }`, 50},
		{`{ nodes(ids: ["a", "b", "c"]) { id } }`, 3},
		{`{ a: structures(first: 10) { totalCount } b: structures(first: 5) { totalCount } }`, 15},
	} {
		doc, errs := gqlparser.LoadQuery(schema, tc.query)
		if errs != nil {
			t.Fatalf("%s: %v", tc.query, errs)
		}
		shape, err := endpoint.Analyze(doc.Operations[0], nil)
		if err != nil || shape.Cost != tc.want {
			t.Errorf("%s: cost %d (err %v), want %d", tc.query, shape.Cost, err, tc.want)
		}
	}
}
