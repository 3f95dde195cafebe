package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// A department negotiates its delays (DESIGN §3); its journeys follow them at once, the
// others keep the seed's.
func TestProgrammeParameters_NegotiatedByDepartment(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	lyon := refer(t, env, sw, referral("OFII-69-2026-9500"))
	grenoble := refer(t, env, sw, with(referral("OFII-38-2026-9501"), "department", "38"))
	welcome(t, env, sw, lyon, "2026-03-05")

	var d struct{ ProgrammeParameters map[string]any }
	env.MustDo(sw, `{ programmeParameters(department: "69") { maxJourneyMonths followUpMonths negotiated version } }`, nil, &d)
	if d.ProgrammeParameters["maxJourneyMonths"] != float64(24) || d.ProgrammeParameters["negotiated"] != false {
		t.Fatalf("defaults %+v", d)
	}
	set := map[string]any{"department": "69", "version": 0, "maxJourneyMonths": 18, "welcomeDelayMonths": 2}
	t.Run("ErrSocialWorker", func(t *testing.T) { forbidden(t, env, sw, "setProgrammeParameters", set) })
	t.Run("ErrBeyond24Months", func(t *testing.T) {
		actErr(t, env, coord, "setProgrammeParameters", with(set, "maxJourneyMonths", 30), "OUT_OF_RANGE", "input", "maxJourneyMonths")
	})
	t.Run("ErrOutsideTerritory", func(t *testing.T) {
		actErr(t, env, coord, "setProgrammeParameters", with(set, "department", "75"), "FORBIDDEN", "input", "department")
	})
	p := mustAct(t, env, coord, "setProgrammeParameters", set, "programmeParameters { maxJourneyMonths welcomeDelayMonths negotiated version }")
	if pp := p["programmeParameters"].(map[string]any); pp["maxJourneyMonths"] != float64(18) || pp["version"] != float64(1) {
		t.Fatalf("set %+v", pp)
	}
	t.Run("ErrStaleVersion", func(t *testing.T) {
		actErr(t, env, coord, "setProgrammeParameters", set, "VERSION_CONFLICT", "input", "version")
	})
	if b := get(t, env, sw, lyon, "journeyEndsOn welcomeInterviewDueOn"); b["journeyEndsOn"] != "2027-09-04" || b["welcomeInterviewDueOn"] != "2026-04-20" {
		t.Fatalf("Rhône journey not re-derived: %+v", b)
	}
	if b := get(t, env, sw, grenoble, "welcomeInterviewDueOn"); b["welcomeInterviewDueOn"] != "2026-03-20" {
		t.Fatalf("Isère journey changed: %+v", b)
	}
	setToday(env, "2027-09-05")
	actErr(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": lyon, "kind": "SOCIAL", "medium": "PHONE",
		"plannedAt": "2027-09-05T10:00:00+02:00", "status": "HELD"}, "JOURNEY_LIMIT_REACHED")
}
