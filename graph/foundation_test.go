package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/db/demo"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// demoEnv is an Env loaded with the demo territory, and the principal of a demo account.
func demoEnv(t *testing.T) *graphtest.Env {
	t.Helper()
	env := graphtest.New(t)
	if _, err := demo.Load(context.Background(), env.Store); err != nil {
		t.Fatalf("demo: %v", err)
	}
	return env
}

// principal returns the principal of a demo staff member, as the server resolves it.
func principal(t *testing.T, env *graphtest.Env, email string) *model.Principal {
	t.Helper()
	m, s, ok, err := env.Store.StaffMemberByLogin(context.Background(), "", email)
	if err != nil || !ok {
		t.Fatalf("staff %s: ok=%v err=%v", email, ok, err)
	}
	return &model.Principal{Subject: "test-" + email, Email: email, Name: m.Name,
		Role: m.StaffRole.AccessRole(), StructureID: m.StructureKey, Departments: s.Departments}
}

func demoPrincipal(t *testing.T, env *graphtest.Env, role model.Role) *model.Principal {
	return principal(t, env, string(role)+"@demo.agir.local")
}

func TestMe(t *testing.T) {
	env := demoEnv(t)
	t.Run("OK", func(t *testing.T) {
		var data struct {
			Me struct {
				Role        string
				Departments []string
				Structure   struct{ Name, AgirRole string }
			}
		}
		env.MustDo(demoPrincipal(t, env, model.RoleCoordinator), `{ me { role departments structure { name agirRole } } }`, nil, &data)
		if data.Me.Role != "coordinator" || data.Me.Structure.AgirRole != "COORDINATOR" || len(data.Me.Departments) != 2 {
			t.Fatalf("me = %+v", data.Me)
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		r := env.Do(nil, `{ me { role } }`, nil)
		if len(r.Errors) != 1 || string(r.Data) != "null" && len(r.Data) != 0 {
			t.Fatalf("anonymous got %s %+v", r.Data, r.Errors)
		}
	})
}

func TestStructures(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RolePartnerEditor)
	type page struct {
		Structures struct {
			TotalCount int
			Nodes      []struct{ ID, Name string }
			PageInfo   struct {
				HasNextPage     bool
				HasPreviousPage bool
				EndCursor       string
				StartCursor     string
			}
		}
	}
	t.Run("KeysetPagesCoverAllOnce", func(t *testing.T) {
		seen := map[string]bool{}
		var after any
		total := -1
		for i := 0; i < 10; i++ {
			var d page
			env.MustDo(p, `query($after: String) { structures(first: 10, after: $after) { totalCount nodes { id name } pageInfo { hasNextPage endCursor } } }`,
				map[string]any{"after": after}, &d)
			total = d.Structures.TotalCount
			prev := ""
			for _, n := range d.Structures.Nodes {
				if seen[n.ID] {
					t.Fatalf("%s twice", n.Name)
				}
				if n.Name < prev {
					t.Fatalf("not ordered by name: %s after %s", n.Name, prev)
				}
				prev, seen[n.ID] = n.Name, true
			}
			if !d.Structures.PageInfo.HasNextPage {
				break
			}
			after = d.Structures.PageInfo.EndCursor
		}
		if total != len(seen) || total < 20 {
			t.Fatalf("total %d, seen %d", total, len(seen))
		}
	})
	t.Run("Backward", func(t *testing.T) {
		var last page
		env.MustDo(p, `{ structures(last: 3) { nodes { name } pageInfo { hasPreviousPage hasNextPage } } }`, nil, &last)
		var all page
		env.MustDo(p, `{ structures(first: 100) { nodes { name } } }`, nil, &all)
		n := len(all.Structures.Nodes)
		if len(last.Structures.Nodes) != 3 || last.Structures.Nodes[2].Name != all.Structures.Nodes[n-1].Name ||
			last.Structures.Nodes[0].Name != all.Structures.Nodes[n-3].Name || !last.Structures.PageInfo.HasPreviousPage {
			t.Fatalf("last 3 = %+v", last.Structures)
		}
	})
	t.Run("Filter", func(t *testing.T) {
		var d page
		env.MustDo(p, `{ structures(first: 100, filter: {agirRole: STATE_SERVICE, department: "38"}) { totalCount nodes { name } } }`, nil, &d)
		if d.Structures.TotalCount != 1 || d.Structures.Nodes[0].Name != "DDETS de l'Isère" {
			t.Fatalf("got %+v", d.Structures)
		}
	})
	for _, tc := range []struct{ name, args, code string }{
		{"ErrFirstTooLarge", "first: 101", "OUT_OF_RANGE"},
		{"ErrFirstZero", "first: 0", "OUT_OF_RANGE"},
		{"ErrLastTooLarge", "last: 1000", "OUT_OF_RANGE"},
		{"ErrFirstAndLast", "first: 1, last: 1", "INVALID_INPUT"},
		{"ErrBadCursor", `after: "nope"`, "INVALID_INPUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Do(p, `{ structures(`+tc.args+`) { totalCount } }`, nil)
			if len(r.Errors) != 1 || r.Errors[0].Code() != tc.code {
				t.Fatalf("errors = %+v", r.Errors)
			}
		})
	}
}

func TestNode(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	var me struct {
		Me struct{ Structure struct{ ID, Name string } }
	}
	env.MustDo(p, `{ me { structure { id name } } }`, nil, &me)
	id := me.Me.Structure.ID
	t.Run("OK", func(t *testing.T) {
		var d struct {
			Node  struct{ Typename, Name string } `json:"node"`
			Nodes []*struct{ Name string }
		}
		env.MustDo(p, `query($id: ID!) { node(id: $id) { ... on Structure { name } } nodes(ids: [$id, "garbage", $id]) { ... on Structure { name } } }`,
			map[string]any{"id": id}, &d)
		if d.Node.Name != me.Me.Structure.Name || len(d.Nodes) != 3 || d.Nodes[1] != nil || d.Nodes[2].Name != d.Node.Name {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("UnknownIDsAreNull", func(t *testing.T) {
		for _, id := range []string{"", "x", model.GlobalID("Structure", "00000000-0000-0000-0000-000000000000"),
			model.GlobalID("Structure", "not-a-uuid"), model.GlobalID("Nope", "1")} {
			var d struct{ Node *struct{ ID string } }
			env.MustDo(p, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, &d)
			if d.Node != nil {
				t.Fatalf("%q resolved to %+v", id, d.Node)
			}
		}
	})
}

func TestErrorMasking(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	env.Store.Close() // every query now fails inside the driver
	r := env.Do(p, `{ structures(first: 5) { totalCount } }`, nil)
	if len(r.Errors) != 1 {
		t.Fatalf("errors = %+v", r.Errors)
	}
	e := r.Errors[0]
	if e.Code() != "INTERNAL" || e.Extensions["requestId"] != "test-request" ||
		strings.Contains(e.Message, "sql") || !strings.Contains(e.Message, "test-request") {
		t.Fatalf("not masked: %+v", e)
	}
}
