package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/graph"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// readableSelection is the selection of every field role may read on typ, down through
// the objects of a person's record (not Structure, StaffMember, Offer; no type twice on
// a path), without fields that need arguments.
func readableSelection(schema *ast.Schema, rules *graph.Rules, role model.Role, typ string, onPath map[string]bool) string {
	var b strings.Builder
	for _, f := range schema.Types[typ].Fields {
		next := schema.Types[f.Type.Name()]
		if strings.HasPrefix(f.Name, "__") || requiredArgs(f) || !rules.CanRead(role, typ, f.Name) || next == nil {
			continue
		}
		switch next.Kind {
		case ast.Scalar, ast.Enum:
			b.WriteString(f.Name + " ")
		case ast.Object:
			if notOfAPerson[next.Name] || onPath[next.Name] || next.Name == "Beneficiary" {
				continue
			}
			onPath[next.Name] = true
			if sub := readableSelection(schema, rules, role, next.Name, onPath); sub != "" {
				b.WriteString(f.Name + " { " + sub + "} ")
			}
			delete(onPath, next.Name)
		}
	}
	return b.String()
}

// strings of v (decoded JSON), every leaf.
func leaves(v any, out map[string]bool) {
	switch x := v.(type) {
	case string:
		out[x] = true
	case []any:
		for _, e := range x {
			leaves(e, out)
		}
	case map[string]any:
		for _, e := range x {
			leaves(e, out)
		}
	}
}

// storedPersonalValues returns the free texts and identifiers stored on the person key,
// in every table that holds them.
func storedPersonalValues(t *testing.T, env *graphtest.Env, key string) []string {
	t.Helper()
	var values []string
	if err := env.Store.DB().Select(&values, `
		SELECT v FROM (
			SELECT first_name AS v FROM beneficiaries WHERE id = $1 UNION SELECT last_name FROM beneficiaries WHERE id = $1
			UNION SELECT ofii_reference FROM beneficiaries WHERE id = $1 UNION SELECT phone FROM beneficiaries WHERE id = $1
			UNION SELECT email FROM beneficiaries WHERE id = $1 UNION SELECT address FROM beneficiaries WHERE id = $1
			UNION SELECT first_name FROM household_members WHERE beneficiary_id = $1 UNION SELECT last_name FROM household_members WHERE beneficiary_id = $1
			UNION SELECT title FROM objectives WHERE beneficiary_id = $1 UNION SELECT title FROM plan_actions WHERE beneficiary_id = $1
			UNION SELECT scope FROM consents WHERE beneficiary_id = $1
			UNION SELECT shared_note FROM interviews WHERE beneficiary_id = $1 UNION SELECT private_note FROM interviews WHERE beneficiary_id = $1
			UNION SELECT situation FROM diagnostic_axes WHERE beneficiary_id = $1 UNION SELECT needs FROM diagnostic_axes WHERE beneficiary_id = $1
			UNION SELECT needs FROM accessibility WHERE beneficiary_id = $1
			UNION SELECT reason FROM reintegrations WHERE beneficiary_id = $1
			UNION SELECT result FROM support_actions WHERE beneficiary_id = $1
			UNION SELECT purpose FROM orientations WHERE beneficiary_id = $1) x
		WHERE length(v) >= 6`, key); err != nil {
		t.Fatal(err)
	}
	return values
}

// Issue 15, hole 2: a private note of the employment operator is null through GraphQL
// for the social worker and the coordinator, but the RGPD export showed it (whole rows).
// The export applies the field rules GraphQL applies to the caller: for every role that
// may export, no stored value of the person that the role cannot read through GraphQL
// (read with every field it may read, walking the schema) is in its export; what is
// withheld is listed with the structure that holds it.
func TestExport_AppliesTheCallersFieldRules(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	id := refer(t, env, sw, referral("OFII-69-2026-0802"))
	welcome(t, env, sw, id, "2026-03-02")
	const private = "Note privée de l'opérateur emploi : dettes évoquées"
	mustAct(t, env, ic, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "PROFESSIONAL", "medium": "IN_PERSON",
		"plannedAt": "2026-03-02T14:00:00+01:00", "status": "HELD", "sharedNote": "Bilan professionnel fait.",
		"privateNote": private}, "interview { id }")
	mustAct(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "IN_PERSON",
		"plannedAt": "2026-03-02T16:00:00+01:00", "status": "HELD", "privateNote": "Note privée du service social"}, "interview { id }")
	mustAct(t, env, sw, "recordDiagnostic", map[string]any{"beneficiaryId": id, "axes": []any{
		map[string]any{"axis": "RIGHTS", "situation": "Droits CAF ouverts"}, map[string]any{"axis": "HOUSING", "situation": "Hébergé en CADA"},
		map[string]any{"axis": "EMPLOYMENT", "situation": "Sans emploi"}, map[string]any{"axis": "TRAINING", "situation": "Aucune formation"},
		map[string]any{"axis": "HEALTH", "situation": "Suivi psychologique"}}}, "beneficiary { id }")
	_, key, _ := model.ParseGlobalID(id)
	stored := storedPersonalValues(t, env, key)
	schema, rules := env.Endpoint.Schema, env.Endpoint.Rules

	for _, p := range []*model.Principal{sw, coord} {
		t.Run(string(p.Role), func(t *testing.T) {
			var d map[string]any
			sel := readableSelection(schema, rules, p.Role, "Beneficiary", map[string]bool{})
			env.MustDo(p, `query($id: ID!) { beneficiary(id: $id) { `+sel+` } }`, map[string]any{"id": id}, &d)
			readable := map[string]bool{}
			leaves(d, readable)
			text := exportOf(t, env, p, id)
			if text == nil {
				t.Fatal("no export")
			}
			unreadable := 0
			for _, v := range stored {
				if readable[v] {
					if !strings.Contains(*text, jsonText(v)) {
						t.Errorf("export lacks %q, read through GraphQL", v)
					}
					continue
				}
				unreadable++
				if strings.Contains(*text, jsonText(v)) {
					t.Errorf("export holds %q, which %s cannot read through GraphQL", v, p.Role)
				}
			}
			if unreadable == 0 {
				t.Fatalf("%s reads every stored value: the test checks nothing", p.Role)
			}
			var doc struct {
				Withheld []struct{ Record, ID, Field, HeldBy, HeldByName string }
			}
			if err := json.Unmarshal([]byte(*text), &doc); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range doc.Withheld {
				found = found || w.Record == "interviews" && w.Field == "privateNote" && w.HeldBy == model.GlobalID("Structure", ic.StructureID) && w.HeldByName != ""
			}
			if !found {
				t.Errorf("the employment operator's private note is not listed as withheld with its structure: %+v", doc.Withheld)
			}
		})
	}
}
