package graph_test

import (
	"encoding/json"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The note of a HEALTH barrier is health data: an insertion counsellor, who reads notes
// but not health data, gets it null with FORBIDDEN naming the field (it read it before);
// the other notes stay readable; the social worker and the coordinator read all of them.
func TestBarrier_HealthNoteIsHealthData(t *testing.T) {
	env := demoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	key := insertBeneficiary(t, env, "Amina", "Haidari", "69", 200)
	bid := model.GlobalID("Beneficiary", key)
	var rec struct {
		RecordProfessionalDiagnostic struct{ UserErrors userErrs }
	}
	env.MustDo(ic, `mutation($in: RecordProfessionalDiagnosticInput!) { recordProfessionalDiagnostic(input: $in) { userErrors { code } } }`,
		map[string]any{"in": map[string]any{"beneficiaryId": bid, "assessedOn": dayFromToday(env, -10), "educationLevel": "PRIMARY",
			"barriers": []any{
				map[string]any{"kind": "HEALTH", "severity": "HIGH", "note": "suivi psychiatrique hebdomadaire"},
				map[string]any{"kind": "FRENCH", "severity": "MEDIUM", "note": "cours du soir possibles"}}}}, &rec)
	if c := rec.RecordProfessionalDiagnostic.UserErrors.code(); c != "" {
		t.Fatalf("record: %s", c)
	}
	const q = `query($id: ID!) { beneficiary(id: $id) { professionalDiagnostic { barriers { kind note } } } }`
	type barriers struct {
		Beneficiary struct {
			ProfessionalDiagnostic struct {
				Barriers []struct {
					Kind string
					Note *string
				}
			}
		}
	}
	notes := func(raw json.RawMessage) map[string]*string {
		var d barriers
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		out := map[string]*string{}
		for _, b := range d.Beneficiary.ProfessionalDiagnostic.Barriers {
			out[b.Kind] = b.Note
		}
		return out
	}

	t.Run("ErrInsertionCounsellorReadsHealthNote", func(t *testing.T) {
		r := env.Do(ic, q, map[string]any{"id": bid})
		n := notes(r.Data)
		if n["HEALTH"] != nil {
			t.Fatalf("insertion counsellor read the health barrier's note %q", *n["HEALTH"])
		}
		if n["FRENCH"] == nil || *n["FRENCH"] != "cours du soir possibles" {
			t.Fatalf("the other note: %v", n["FRENCH"])
		}
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || len(r.Errors[0].Path) == 0 || r.Errors[0].Path[len(r.Errors[0].Path)-1] != "note" {
			t.Fatalf("errors %+v, want one FORBIDDEN on note", r.Errors)
		}
	})
	for _, role := range []model.Role{model.RoleSocialWorker, model.RoleCoordinator} {
		t.Run("OK_"+string(role), func(t *testing.T) {
			r := env.Do(demoPrincipal(t, env, role), q, map[string]any{"id": bid})
			n := notes(r.Data)
			if len(r.Errors) > 0 || n["HEALTH"] == nil || *n["HEALTH"] != "suivi psychiatrique hebdomadaire" {
				t.Fatalf("%s: notes %v errors %+v", role, n, r.Errors)
			}
		})
	}
}
