// Package graphtest runs GraphQL operations in process against a fresh database, as a
// given principal, for the API tests of every module.
package graphtest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/db/demo"
	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/internal/datainclusion"
)

// Env is one test's API: a fresh database (cloned from the migrated template), its Store
// and the GraphQL endpoint. The package's TestMain must call dbtest.Main.
type Env struct {
	T        testing.TB
	Store    *db.Store
	Endpoint *endpoint.Endpoint
}

// New returns an Env on a fresh database.
func New(t testing.TB) *Env {
	t.Helper()
	return NewWithOptions(t, db.Options{MaxOpenConns: 10})
}

// NewWithOptions returns an Env on a fresh database, its Store opened with o (e.g. a
// statement counter).
func NewWithOptions(t testing.TB, o db.Options) *Env {
	t.Helper()
	store, err := db.Open(context.Background(), dbtest.NewDatabase(t), o)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &Env{T: t, Store: store, Endpoint: endpoint.NewEndpoint(endpoint.EndpointConfig{Store: store, Logger: logger})}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Response is a GraphQL response with its data left raw for the test to decode.
type Response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the error's extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Do runs one operation as p (nil: anonymous) and returns the raw response.
func (e *Env) Do(p *model.Principal, query string, vars map[string]any) Response {
	e.T.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	ctx := endpoint.WithRequestID(req.Context(), "test-request")
	if p != nil {
		ctx = model.WithPrincipal(ctx, p)
	}
	rec := httptest.NewRecorder()
	e.Endpoint.ServeHTTP(rec, req.WithContext(ctx))
	var r Response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		e.T.Fatalf("decode response %q: %v", rec.Body.String(), err)
	}
	r.Status = rec.Code
	return r
}

// MustDo runs one operation as p, fails the test on any GraphQL error, and decodes data
// into out (when not nil).
func (e *Env) MustDo(p *model.Principal, query string, vars map[string]any, out any) {
	e.T.Helper()
	r := e.Do(p, query, vars)
	if len(r.Errors) > 0 {
		e.T.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			e.T.Fatalf("decode data %s: %v", r.Data, err)
		}
	}
}

// SharedDISchema compiles a data·inclusion v1 JSON Schema (structure.json, service.json)
// from the national files (internal/datainclusion says where; the test is skipped
// without them).
func SharedDISchema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(datainclusion.Dir(t), name)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", name, err)
	}
	return s
}

// NewDemo returns an Env on a fresh database holding the demo territory (db/demo).
func NewDemo(t testing.TB) *Env {
	t.Helper()
	env := New(t)
	if _, err := demo.Load(context.Background(), env.Store); err != nil {
		t.Fatalf("demo: %v", err)
	}
	return env
}

// DemoPrincipal returns the principal of the demo staff member of role, as the server
// resolves it.
func (e *Env) DemoPrincipal(role model.Role) *model.Principal {
	e.T.Helper()
	email := string(role) + "@demo.agir.local"
	m, s, ok, err := e.Store.StaffMemberByLogin(context.Background(), "", email)
	if err != nil || !ok {
		e.T.Fatalf("staff %s: ok=%v err=%v", email, ok, err)
	}
	return &model.Principal{Subject: "test-" + email, Email: email, Name: m.Name,
		Role: m.StaffRole.AccessRole(), StructureID: m.StructureKey, Departments: s.Departments}
}
