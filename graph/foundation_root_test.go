package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestStructure covers the root field structure(id:); me, node, nodes and structures
// are covered in foundation_test.go.
func TestStructure(t *testing.T) {
	env := demoEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	var me struct {
		Me struct{ Structure struct{ ID, Name string } }
	}
	env.MustDo(coordinator, `{ me { structure { id name } } }`, nil, &me)
	want := me.Me.Structure
	type structure struct {
		Structure *struct {
			ID, Name, AgirRole string
			Departments        []string
		}
	}
	t.Run("OK", func(t *testing.T) {
		for _, role := range model.AllRoles { // every role may see structures
			var d structure
			env.MustDo(demoPrincipal(t, env, role), `query($id: ID!) { structure(id: $id) { id name agirRole departments } }`,
				map[string]any{"id": want.ID}, &d)
			if d.Structure == nil || d.Structure.ID != want.ID || d.Structure.Name != want.Name ||
				d.Structure.AgirRole != "COORDINATOR" || len(d.Structure.Departments) == 0 {
				t.Fatalf("%s: structure = %+v, want %+v", role, d.Structure, want)
			}
		}
	})
	t.Run("UnknownIDsAreNull", func(t *testing.T) {
		_, key, _ := model.ParseGlobalID(want.ID)
		for _, id := range []string{"", "garbage", model.GlobalID("Structure", "00000000-0000-0000-0000-000000000000"),
			model.GlobalID("Structure", "not-a-uuid"), model.GlobalID("StaffMember", key)} {
			var d structure
			env.MustDo(coordinator, `query($id: ID!) { structure(id: $id) { id } }`, map[string]any{"id": id}, &d)
			if d.Structure != nil {
				t.Fatalf("%q resolved to %+v", id, d.Structure)
			}
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		r := env.Do(nil, `query($id: ID!) { structure(id: $id) { name } }`, map[string]any{"id": want.ID})
		// The HTTP layer answers 401 UNAUTHENTICATED before this (server tests); the
		// endpoint's own refusal is a second line of defence: one error, no data.
		if len(r.Errors) != 1 || len(r.Data) != 0 && string(r.Data) != "null" {
			t.Fatalf("anonymous got %s %+v", r.Data, r.Errors)
		}
	})
}
