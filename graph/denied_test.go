package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// syncBuffer is a log destination safe for the resolvers' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// records returns the JSON log records written since the last call.
func (s *syncBuffer) records(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if line == "" {
			continue
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, r)
	}
	s.b.Reset()
	return out
}

// loggedDemoEnv is the demo territory behind an endpoint whose warnings (denied
// attempts, masked internal errors) are captured in logs, as JSON lines.
func loggedDemoEnv(t *testing.T) (*graphtest.Env, *syncBuffer) {
	env := demoEnv(t)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &graphtest.Env{T: t, Store: env.Store, Endpoint: endpoint.NewEndpoint(endpoint.EndpointConfig{Store: env.Store, Logger: logger})}, logs
}

// Bad input (issue 7): a denied field, an id outside the caller's scope and an act on
// another territory's object are logged as warnings naming the request, the principal
// and the target, never the data.
func TestDeniedAttemptsLogged(t *testing.T) {
	env, logs := loggedDemoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	pe := demoPrincipal(t, env, model.RolePartnerEditor)
	var benKey, benName string
	if err := env.Store.DB().QueryRow(`SELECT id, last_name FROM beneficiaries ORDER BY id LIMIT 1`).Scan(&benKey, &benName); err != nil {
		t.Fatal(err)
	}
	benID := model.GlobalID("Beneficiary", benKey)
	one := func(t *testing.T, want map[string]any) map[string]any {
		t.Helper()
		recs := logs.records(t)
		for _, r := range recs {
			if r["msg"] != "access denied" {
				continue
			}
			ok := true
			for k, v := range want {
				ok = ok && r[k] == v
			}
			if ok {
				if strings.Contains(strings.ToLower(mustJSON(r)), strings.ToLower(benName)) {
					t.Fatalf("the log holds data: %v", r)
				}
				return r
			}
		}
		t.Fatalf("no access denied record %v among %v", want, recs)
		return nil
	}
	t.Run("DeniedField", func(t *testing.T) {
		r := env.Do(ic, `query Health($id: ID!) { beneficiary(id: $id) { id accessibility { __typename } } }`, map[string]any{"id": benID})
		if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("errors %+v", r.Errors)
		}
		rec := one(t, map[string]any{"kind": "field", "target": "Beneficiary.accessibility"})
		if rec["level"] != "WARN" || rec["request_id"] != "test-request" || rec["role"] != "insertion_counsellor" ||
			rec["email"] != ic.Email || rec["operation"] != "Health" || rec["code"] != "FORBIDDEN" {
			t.Fatalf("record %v", rec)
		}
	})
	t.Run("NodeOutsideScope", func(t *testing.T) {
		var d struct{ Node *struct{ ID string } }
		env.MustDo(pe, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": benID}, &d)
		if d.Node != nil {
			t.Fatal("partner reached a beneficiary")
		}
		rec := one(t, map[string]any{"kind": "node", "target": "Beneficiary", "key": benKey})
		if rec["role"] != "partner_editor" || rec["request_id"] != "test-request" {
			t.Fatalf("record %v", rec)
		}
	})
	t.Run("ActOutsideScope", func(t *testing.T) {
		isere := *demoPrincipal(t, env, model.RoleCoordinator)
		isere.Departments = []string{"13"}
		var dept string
		if err := env.Store.DB().Get(&dept, `SELECT department FROM beneficiaries WHERE id = $1`, benKey); err != nil {
			t.Fatal(err)
		}
		_, ues := act(t, env, &isere, "updateBeneficiaryContact", map[string]any{"beneficiaryId": benID, "version": 1, "phone": "0600000000"}, "")
		if len(ues) != 1 || ues[0].Code != "NOT_FOUND" {
			t.Fatalf("user errors %+v", ues)
		}
		one(t, map[string]any{"kind": "mutation", "target": "Mutation.updateBeneficiaryContact", "code": "NOT_FOUND"})
	})
	t.Run("AllowedIsNotLogged", func(t *testing.T) {
		env.MustDo(demoPrincipal(t, env, model.RoleCoordinator), `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": benID}, nil)
		for _, r := range logs.records(t) {
			if r["msg"] == "access denied" {
				t.Fatalf("logged %v", r)
			}
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A field denied on every row of a page (the state representative reads no contact
// details) is one error per row, each naming its row (each row in its own field
// context).
func TestDeniedField_ErrorPerRow(t *testing.T) {
	env := demoEnv(t)
	sr := demoPrincipal(t, env, model.RoleStateRepresentative)
	for _, c := range []struct {
		name, query string
		path        func(i int) string
	}{
		{"Nodes", `{ beneficiaries(first: 5) { nodes { id phone } } }`, func(i int) string { return fmt.Sprintf("beneficiaries.nodes.%d.phone", i) }},
		{"Edges", `{ beneficiaries(first: 5) { edges { node { id phone } } } }`, func(i int) string { return fmt.Sprintf("beneficiaries.edges.%d.node.phone", i) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := env.Do(sr, c.query, nil)
			var d struct {
				Beneficiaries struct {
					Nodes []struct{ ID string }
					Edges []struct{ Node struct{ ID string } }
				}
			}
			if err := json.Unmarshal(r.Data, &d); err != nil {
				t.Fatal(err)
			}
			rows := len(d.Beneficiaries.Nodes) + len(d.Beneficiaries.Edges)
			if rows < 2 {
				t.Fatalf("%d rows: the demo does not exercise it", rows)
			}
			paths := map[string]bool{}
			for _, e := range r.Errors {
				if e.Code() != "FORBIDDEN" {
					t.Errorf("error %+v", e)
				}
				parts := make([]string, len(e.Path))
				for i, p := range e.Path {
					parts[i] = fmt.Sprint(p)
				}
				paths[strings.Join(parts, ".")] = true
			}
			for i := 0; i < rows; i++ {
				if !paths[c.path(i)] {
					t.Errorf("no error at %s; errors at %v", c.path(i), paths)
				}
			}
			if len(r.Errors) != rows {
				t.Errorf("%d errors for %d rows", len(r.Errors), rows)
			}
		})
	}
}
