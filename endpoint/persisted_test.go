package endpoint_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

func persisted(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestPersistedQueries_Automatic(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	doc := `query Me { me { role } }`
	hash := endpoint.DocumentHash(doc)

	r := post(t, env.Endpoint, p, "application/json", map[string]any{"extensions": persisted(hash)})
	if r.Status != 200 || r.code() != "PERSISTED_QUERY_NOT_FOUND" || r.Body.Errors[0].Message != "PersistedQueryNotFound" {
		t.Fatalf("unknown hash: status %d errors %+v", r.Status, r.Body.Errors)
	}
	r = post(t, env.Endpoint, p, "application/json", map[string]any{"query": doc, "extensions": persisted(hash)})
	if r.Status != 200 || string(r.Body.Data) != `{"me":{"role":"coordinator"}}` {
		t.Fatalf("register: status %d data %s errors %+v", r.Status, r.Body.Data, r.Body.Errors)
	}
	r = post(t, env.Endpoint, p, "application/json", map[string]any{"extensions": persisted(hash)})
	if r.Status != 200 || string(r.Body.Data) != `{"me":{"role":"coordinator"}}` {
		t.Fatalf("by hash: status %d data %s errors %+v", r.Status, r.Body.Data, r.Body.Errors)
	}
	r = post(t, env.Endpoint, p, "application/json", map[string]any{"query": `{ me { name } }`, "extensions": persisted(hash)})
	if r.code() != "BAD_REQUEST" {
		t.Fatalf("hash of another document: status %d errors %+v", r.Status, r.Body.Errors)
	}
}

func TestPersistedQueries_ProductionAllowList(t *testing.T) {
	env := demoEnv(t)
	known := `query Dashboard { me { role } }`
	h := newEndpoint(env, endpoint.EndpointConfig{Production: true, Persisted: endpoint.PersistedQueries{
		Known: map[string]string{endpoint.DocumentHash(known): known}, Required: true}})
	spa := demoPrincipal(t, env, model.RoleCoordinator)
	analyst := demoPrincipal(t, env, model.RoleAnalyst)

	t.Run("OK", func(t *testing.T) {
		if r := post(t, h, spa, gqlResponse, map[string]any{"extensions": persisted(endpoint.DocumentHash(known))}); r.Status != 200 || len(r.Body.Errors) > 0 {
			t.Fatalf("known hash: status %d errors %+v", r.Status, r.Body.Errors)
		}
		if r := post(t, h, spa, gqlResponse, q(known)); r.Status != 200 || len(r.Body.Errors) > 0 {
			t.Fatalf("known text: status %d errors %+v", r.Status, r.Body.Errors)
		}
		if r := post(t, h, analyst, gqlResponse, q(`{ structures(first: 3) { totalCount } }`)); r.Status != 200 || len(r.Body.Errors) > 0 {
			t.Fatalf("analyst's own query: status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrUnknownDocument", func(t *testing.T) {
		r := post(t, h, spa, gqlResponse, q(`{ structures(first: 3) { totalCount } }`))
		if r.Status != 403 || r.code() != "PERSISTED_QUERY_REQUIRED" {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
		doc := `{ me { name } }`
		r = post(t, h, spa, gqlResponse, map[string]any{"query": doc, "extensions": persisted(endpoint.DocumentHash(doc))})
		if r.Status != 403 || r.code() != "PERSISTED_QUERY_REQUIRED" {
			t.Fatalf("APQ registration: status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
	t.Run("ErrNoSuggestionsInProduction", func(t *testing.T) {
		r := post(t, h, analyst, gqlResponse, q(`{ me { rol } }`))
		if r.Status != 400 || len(r.Body.Errors) != 1 || r.Body.Errors[0].Message != `Cannot query field "rol" on type "Viewer".` {
			t.Fatalf("status %d errors %+v", r.Status, r.Body.Errors)
		}
	})
}

func TestIntrospection_AuthenticatedOnly(t *testing.T) {
	env := graphtest.New(t)
	query := q(`{ __schema { queryType { name } } }`)
	t.Run("OK", func(t *testing.T) {
		p := &model.Principal{Subject: "s", Role: model.RoleAnalyst}
		if r := post(t, env.Endpoint, p, gqlResponse, query); r.Status != 200 || string(r.Body.Data) != `{"__schema":{"queryType":{"name":"Query"}}}` {
			t.Fatalf("status %d data %s errors %+v", r.Status, r.Body.Data, r.Body.Errors)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		r := post(t, env.Endpoint, nil, gqlResponse, query)
		if r.Status != 401 || r.code() != "UNAUTHENTICATED" || !isNullJSON(r.Body.Data) {
			t.Fatalf("status %d data %s errors %+v", r.Status, r.Body.Data, r.Body.Errors)
		}
	})
}

// In production, without a manifest of persisted documents, introspection is still
// closed to every role but the analysts' (it was open to partner_editor); through a
// fragment too. In development it stays open.
func TestIntrospection_ProductionAnalystsOnly(t *testing.T) {
	env := graphtest.New(t)
	prod := newEndpoint(env, endpoint.EndpointConfig{Production: true})
	docs := map[string]string{
		"schema":   `{ __schema { queryType { name } } }`,
		"type":     `{ __type(name: "Beneficiary") { fields { name } } }`,
		"fragment": `query { ...F } fragment F on Query { __schema { types { name } } }`,
	}
	for _, role := range model.AllRoles {
		p := &model.Principal{Subject: "s", Role: role}
		for name, doc := range docs {
			r := post(t, prod, p, gqlResponse, q(doc))
			if role == model.RoleAnalyst {
				if r.Status != 200 || len(r.Body.Errors) > 0 {
					t.Errorf("analyst, %s: status %d errors %+v", name, r.Status, r.Body.Errors)
				}
				continue
			}
			if r.code() != "FORBIDDEN" || !isNullJSON(r.Body.Data) {
				t.Errorf("%s, %s: status %d data %s errors %+v; want FORBIDDEN", role, name, r.Status, r.Body.Data, r.Body.Errors)
			}
		}
		// __typename is not introspection.
		if r := post(t, prod, p, gqlResponse, q(`{ __typename }`)); r.Status != 200 || len(r.Body.Errors) > 0 {
			t.Errorf("%s, __typename: status %d errors %+v", role, r.Status, r.Body.Errors)
		}
	}
	dev := &model.Principal{Subject: "s", Role: model.RolePartnerEditor}
	if r := post(t, env.Endpoint, dev, gqlResponse, q(docs["schema"])); r.Status != 200 || len(r.Body.Errors) > 0 {
		t.Errorf("development, partner_editor: status %d errors %+v", r.Status, r.Body.Errors)
	}
}

func isNullJSON(b []byte) bool { return len(b) == 0 || string(b) == "null" }

func TestLoadPersistedManifest(t *testing.T) {
	doc := `query Dashboard { me { role } }`
	hash := endpoint.DocumentHash(doc)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Run("OK", func(t *testing.T) {
		for _, content := range []string{
			fmt.Sprintf(`{%q: %q}`, hash, doc),
			fmt.Sprintf(`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": %q, "name": "Dashboard", "type": "query", "body": %q}]}`, hash, doc),
		} {
			known, err := endpoint.LoadPersistedManifest(write("m.json", content))
			if err != nil || known[hash] != doc {
				t.Errorf("%s: %v %v", content, known, err)
			}
		}
	})
	t.Run("ErrWrongHash", func(t *testing.T) {
		if _, err := endpoint.LoadPersistedManifest(write("bad.json", fmt.Sprintf(`{%q: %q}`, hash, doc+" "))); err == nil {
			t.Error("a hash that is not the document's was accepted")
		}
	})
}
