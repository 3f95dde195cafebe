package graph_test

import (
	"fmt"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestStaffCaseload: a worker's caseload counts the journeys it follows as an active
// referent; a change of referent moves the journey from one caseload to the other.
func TestStaffCaseload(t *testing.T) {
	env := demoEnv(t)
	clearSocialDemo(t, env)
	coverDepartments(t, env)
	setToday(env, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sw, sw2 := staffID(t, env, "social_worker@demo.agir.local"), staffID(t, env, "amina.diallo@arsl.demo.agir.local")
	ic := staffID(t, env, "insertion_counsellor@demo.agir.local")
	var ids []string
	for i := 0; i < 3; i++ {
		id := refer(t, env, coord, referral(fmt.Sprintf("OFII-69-2026-9%03d", i)))
		worker := sw
		if i == 2 {
			worker = sw2
		}
		mustAct(t, env, coord, "assignReferents", map[string]any{"beneficiaryId": id, "socialWorkerId": worker, "insertionCounsellorId": ic}, "beneficiary { id }")
		ids = append(ids, id)
	}
	caseloads := func() (int, int, int) {
		var d struct {
			A, B, C struct{ Caseload int }
		}
		env.MustDo(coord, `query($a: ID!, $b: ID!, $c: ID!) { a: node(id: $a) { ... on StaffMember { caseload } }
			b: node(id: $b) { ... on StaffMember { caseload } } c: node(id: $c) { ... on StaffMember { caseload } } }`,
			map[string]any{"a": sw, "b": sw2, "c": ic}, &d)
		return d.A.Caseload, d.B.Caseload, d.C.Caseload
	}
	if a, b, c := caseloads(); a != 2 || b != 1 || c != 3 {
		t.Fatalf("caseloads %d, %d, %d; want 2, 1, 3", a, b, c)
	}
	mustAct(t, env, coord, "assignReferents", map[string]any{"beneficiaryId": ids[0], "socialWorkerId": sw2, "insertionCounsellorId": ic}, "beneficiary { id }")
	if a, b, c := caseloads(); a != 1 || b != 2 || c != 3 {
		t.Fatalf("after the change of referent: %d, %d, %d; want 1, 2, 3", a, b, c)
	}
	t.Run("ErrPartnerForbidden", func(t *testing.T) {
		r := env.Do(demoPrincipal(t, env, model.RolePartnerEditor), `query($a: ID!) { node(id: $a) { ... on StaffMember { caseload } } }`, map[string]any{"a": sw})
		if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("errors %+v", r.Errors)
		}
	})
}
