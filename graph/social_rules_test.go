package graph_test

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Bad input: every malformed field and every rule broken gets a user error with a stable
// code, the field and a French message, and changes nothing.
func TestReferBeneficiary_BadInput(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	refer(t, env, sw, referral("OFII-69-2026-9000"))
	for _, tc := range []struct {
		name  string
		input map[string]any
		code  string
		field string
	}{
		{"ErrBlankFirstName", with(referral("A1"), "firstName", "  "), "INVALID_INPUT", "firstName"},
		{"ErrLongLastName", with(referral("A2"), "lastName", strings.Repeat("x", 101)), "INVALID_INPUT", "lastName"},
		{"ErrBadDepartment", with(referral("A3"), "department", "6"), "INVALID_INPUT", "department"},
		{"ErrBadEmail", with(referral("A4"), "email", "pas-une-adresse"), "INVALID_INPUT", "email"},
		{"ErrBlankOfiiReference", with(referral(" ")), "INVALID_INPUT", "ofiiReference"},
		{"ErrDuplicateOfiiReference", referral("OFII-69-2026-9000"), "ALREADY_EXISTS", "ofiiReference"},
		{"ErrReferredInFuture", with(referral("A5"), "referredOn", "2026-03-03"), "INVALID_INPUT", "referredOn"},
		{"ErrBornAfterReferral", with(referral("A6"), "birthDate", "2026-03-02", "referredOn", "2026-03-01"), "INVALID_INPUT", "birthDate"},
		{"ErrBlankLanguage", with(referral("A7"), "languages", []string{"arabe", ""}), "INVALID_INPUT", "languages"},
		{"ErrUnknownOperator", with(referral("A8"), "socialOperatorId", "bm9wZQ"), "NOT_FOUND", "socialOperatorId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			actErr(t, env, sw, "referBeneficiary", tc.input, tc.code, "input", tc.field)
		})
	}
	if n := countRows(t, env, `SELECT count(*) FROM beneficiaries`); n != 1 {
		t.Fatalf("bad referrals were written: %d", n)
	}
	t.Run("ErrMalformedDate", func(t *testing.T) {
		r := env.Do(sw, `mutation($input: ReferBeneficiaryInput!) { referBeneficiary(input: $input) { userErrors { code } } }`,
			map[string]any{"input": with(referral("A9"), "birthDate", "14/05/1990")})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID_INPUT" || !strings.Contains(r.Errors[0].Message, "AAAA-MM-JJ") {
			t.Fatalf("%+v", r.Errors)
		}
	})
}

// The rules of DESIGN §3, each with failing input through the API.
func TestJourneyRules_FailingInput(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	id := refer(t, env, sw, referral("OFII-69-2026-9100"))

	// Welcome interview (« Modalité et délais d'accès »): after a convocation, once.
	t.Run("ErrWelcomeWithoutConvocation", func(t *testing.T) {
		actErr(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "WELCOME", "medium": "IN_PERSON",
			"plannedAt": "2026-03-02T09:00:00+01:00", "status": "HELD"}, "OUT_OF_ORDER", "input", "kind")
	})
	t.Run("ErrWelcomeByCounsellor", func(t *testing.T) {
		actErr(t, env, ic, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "WELCOME", "medium": "IN_PERSON",
			"plannedAt": "2026-03-02T09:00:00+01:00", "status": "PLANNED"}, "FORBIDDEN", "input", "kind")
	})
	t.Run("ErrInterviewBothTargets", func(t *testing.T) {
		actErr(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "interviewId": "x", "status": "HELD"}, "INVALID_INPUT", "input", "beneficiaryId")
	})
	t.Run("ErrNewInterviewWithoutKind", func(t *testing.T) {
		actErr(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "status": "PLANNED"}, "INVALID_INPUT", "input", "kind")
	})
	t.Run("ErrAppointmentBeforeHandover", func(t *testing.T) {
		actErr(t, env, sw, "convokeBeneficiary", map[string]any{"beneficiaryId": id, "appointmentAt": "2026-03-01T09:00:00+01:00",
			"address": "ARSL"}, "INVALID_INPUT", "input", "appointmentAt")
	})
	t.Run("ErrBlankAddress", func(t *testing.T) {
		actErr(t, env, sw, "convokeBeneficiary", map[string]any{"beneficiaryId": id, "appointmentAt": "2026-03-09T09:00:00+01:00",
			"address": ""}, "INVALID_INPUT", "input", "address")
	})
	t.Run("ErrEvaluationBeforeWelcome", func(t *testing.T) {
		actErr(t, env, sw, "recordEvaluation", map[string]any{"beneficiaryId": id, "stage": "ENTRY", "evaluatedOn": "2026-03-02",
			"housing": 1, "employment": 1, "training": 1, "rights": 1}, "OUT_OF_ORDER")
	})
	welcome(t, env, sw, id, "2026-03-02")
	t.Run("ErrWelcomeTwice", func(t *testing.T) {
		actErr(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "WELCOME", "medium": "IN_PERSON",
			"plannedAt": "2026-03-02T10:00:00+01:00", "status": "HELD"}, "OUT_OF_ORDER")
	})
	t.Run("ErrConvokeAfterWelcome", func(t *testing.T) {
		actErr(t, env, sw, "convokeBeneficiary", map[string]any{"beneficiaryId": id, "appointmentAt": "2026-03-09T09:00:00+01:00",
			"address": "ARSL"}, "OUT_OF_ORDER")
	})

	// Diagnostic: rights, housing, employment, training.
	t.Run("ErrDiagnosticMissingAxis", func(t *testing.T) {
		actErr(t, env, sw, "recordDiagnostic", map[string]any{"beneficiaryId": id, "axes": []any{
			map[string]any{"axis": "RIGHTS", "situation": "a"}, map[string]any{"axis": "HOUSING", "situation": "b"}}}, "INVALID_INPUT", "input", "axes")
	})
	t.Run("ErrDiagnosticAxisTwice", func(t *testing.T) {
		actErr(t, env, sw, "recordDiagnostic", map[string]any{"beneficiaryId": id, "axes": []any{
			map[string]any{"axis": "RIGHTS", "situation": "a"}, map[string]any{"axis": "RIGHTS", "situation": "b"}}}, "INVALID_INPUT", "input", "axes")
	})

	// Plan and contract.
	t.Run("ErrContractWithoutPlan", func(t *testing.T) {
		actErr(t, env, sw, "signEngagementContract", map[string]any{"beneficiaryId": id, "signedOn": "2026-03-02", "consentRecorded": true}, "OUT_OF_ORDER")
	})
	t.Run("ErrPlanActionWithoutObjective", func(t *testing.T) {
		actErr(t, env, sw, "addPlanAction", map[string]any{"beneficiaryId": id, "title": "CV"}, "INVALID_INPUT", "input", "objectiveTitle")
	})
	p := mustAct(t, env, sw, "addPlanAction", map[string]any{"beneficiaryId": id, "axis": "RIGHTS", "objectiveTitle": "Ouvrir les droits",
		"title": "Demande CSS"}, "planAction { id version }")
	action := p["planAction"].(map[string]any)
	t.Run("ErrContractWithoutConsent", func(t *testing.T) {
		actErr(t, env, sw, "signEngagementContract", map[string]any{"beneficiaryId": id, "signedOn": "2026-03-02", "consentRecorded": false}, "RULE_VIOLATION", "input", "consentRecorded")
	})
	t.Run("ErrContractInFuture", func(t *testing.T) {
		actErr(t, env, sw, "signEngagementContract", map[string]any{"beneficiaryId": id, "signedOn": "2026-03-03", "consentRecorded": true}, "INVALID_INPUT", "input", "signedOn")
	})
	mustAct(t, env, sw, "updatePlanAction", map[string]any{"id": action["id"], "version": action["version"], "status": "ABANDONED"}, "planAction { status }")
	t.Run("ErrPlanActionAfterAbandon", func(t *testing.T) {
		actErr(t, env, sw, "updatePlanAction", map[string]any{"id": action["id"], "version": action["version"].(float64) + 1, "status": "DONE"}, "OUT_OF_ORDER", "input", "status")
	})
	t.Run("ErrPlanActionStale", func(t *testing.T) {
		actErr(t, env, sw, "updatePlanAction", map[string]any{"id": action["id"], "version": action["version"], "title": "x"}, "VERSION_CONFLICT", "input", "version")
	})

	// Binôme (« Organisation »): one social worker and one insertion counsellor, of the operators.
	t.Run("ErrReferentOfWrongFunction", func(t *testing.T) {
		actErr(t, env, sw, "assignReferents", map[string]any{"beneficiaryId": id,
			"socialWorkerId": staffID(t, env, "insertion_counsellor@demo.agir.local")}, "INVALID_INPUT", "input", "socialWorkerId")
	})
	t.Run("ErrInactiveReferent", func(t *testing.T) {
		actErr(t, env, sw, "assignReferents", map[string]any{"beneficiaryId": id,
			"socialWorkerId": staffID(t, env, "paul.ancien@arsl.demo.agir.local")}, "INVALID_INPUT", "input", "socialWorkerId")
	})
	t.Run("ErrCounsellorAssignsSocialWorker", func(t *testing.T) {
		actErr(t, env, ic, "assignReferents", map[string]any{"beneficiaryId": id,
			"socialWorkerId": staffID(t, env, "social_worker@demo.agir.local")}, "FORBIDDEN", "input", "socialWorkerId")
	})
	t.Run("ErrNoReferent", func(t *testing.T) {
		actErr(t, env, sw, "assignReferents", map[string]any{"beneficiaryId": id}, "INVALID_INPUT")
	})
	t.Run("ReplacementKeepsHistory", func(t *testing.T) {
		for _, email := range []string{"social_worker@demo.agir.local", "amina.diallo@arsl.demo.agir.local"} {
			mustAct(t, env, sw, "assignReferents", map[string]any{"beneficiaryId": id, "socialWorkerId": staffID(t, env, email)}, "beneficiary { id }")
		}
		b := get(t, env, sw, id, "referents { socialWorker { name } history { active staffMember { name } } }")
		refs := b["referents"].(map[string]any)
		h := refs["history"].([]any)
		if refs["socialWorker"].(map[string]any)["name"] != "Amina Diallo" || len(h) != 2 || h[0].(map[string]any)["active"] != true || h[1].(map[string]any)["active"] != false {
			t.Fatalf("referents %+v", refs)
		}
	})
	t.Run("ErrDatabaseForbidsTwoActiveReferents", func(t *testing.T) {
		_, key, _ := model.ParseGlobalID(id)
		_, err := env.Store.DB().Exec(`INSERT INTO referent_assignments (beneficiary_id, kind, staff_member_id, assigned_at, assigned_by)
			SELECT $1, 'SOCIAL_WORKER', id, now(), 'test' FROM staff_members WHERE email = 'lea.fontaine@arsl.demo.agir.local'`, key)
		if err == nil || !strings.Contains(err.Error(), "referent_assignments_one_active_key") {
			t.Fatalf("second active referent accepted: %v", err)
		}
	})

	// Evaluations (« Suivi-évaluation »): entry, mid-course, exit; 0 to 5.
	eval := func(stage string, score int) map[string]any {
		return map[string]any{"beneficiaryId": id, "stage": stage, "evaluatedOn": "2026-03-02", "housing": score, "employment": 1, "training": 1, "rights": 1}
	}
	t.Run("ErrMidCourseBeforeEntry", func(t *testing.T) {
		actErr(t, env, sw, "recordEvaluation", eval("MID_COURSE", 1), "OUT_OF_ORDER", "input", "stage")
	})
	t.Run("ErrScoreOutOfRange", func(t *testing.T) {
		actErr(t, env, sw, "recordEvaluation", eval("ENTRY", 6), "OUT_OF_RANGE", "input", "housing")
	})
	mustAct(t, env, sw, "recordEvaluation", eval("ENTRY", 2), "beneficiary { id }")
	t.Run("ErrEntryTwice", func(t *testing.T) {
		actErr(t, env, sw, "recordEvaluation", eval("ENTRY", 2), "ALREADY_EXISTS", "input", "stage")
	})

	// Rights steps.
	t.Run("ErrRightsDoneWithoutDay", func(t *testing.T) {
		actErr(t, env, sw, "recordRightsStep", map[string]any{"beneficiaryId": id, "kind": "BANK_ACCOUNT", "status": "DONE", "version": 0}, "INVALID_INPUT", "input", "completedOn")
	})
	mustAct(t, env, sw, "recordRightsStep", map[string]any{"beneficiaryId": id, "kind": "BANK_ACCOUNT", "status": "DONE",
		"startedOn": "2026-03-02", "completedOn": "2026-03-02", "version": 0}, "beneficiary { id }")
	t.Run("ErrRightsStale", func(t *testing.T) {
		actErr(t, env, sw, "recordRightsStep", map[string]any{"beneficiaryId": id, "kind": "BANK_ACCOUNT", "status": "IN_PROGRESS", "version": 0}, "VERSION_CONFLICT")
	})
	b := get(t, env, sw, id, "rightsSteps { kind status completedOn version }")
	steps := b["rightsSteps"].([]any)
	if len(steps) != len(model.AllRightsStepKind) {
		t.Fatalf("checklist %+v", steps)
	}
	for _, s := range steps {
		s := s.(map[string]any)
		if (s["kind"] == "BANK_ACCOUNT") != (s["status"] == "DONE") {
			t.Fatalf("checklist %+v", steps)
		}
	}

	// Exit and follow-ups (« Suivi-évaluation »).
	exit := map[string]any{"beneficiaryId": id, "exitedOn": "2026-03-02", "reason": "WITHDRAWAL",
		"housingSituation": "HOSTED", "employmentSituation": "JOB_SEEKING", "trainingSituation": "FRENCH_COURSE"}
	t.Run("ErrExitInFuture", func(t *testing.T) {
		actErr(t, env, sw, "exitJourney", with(exit, "exitedOn", "2026-03-04"), "INVALID_INPUT", "input", "exitedOn")
	})
	t.Run("ErrExitBeforeReferral", func(t *testing.T) {
		actErr(t, env, sw, "exitJourney", with(exit, "exitedOn", "2026-01-01"), "OUT_OF_ORDER", "input", "exitedOn")
	})
	mustAct(t, env, sw, "exitJourney", exit, "beneficiary { phase }")
	t.Run("ErrFollowUpBeforeExitDay", func(t *testing.T) {
		actErr(t, env, sw, "recordFollowUp", map[string]any{"beneficiaryId": id, "stage": "THREE_MONTHS", "heldOn": "2026-03-01",
			"housingSituation": "HOSTED", "employmentSituation": "JOB_SEEKING", "trainingSituation": "NONE"}, "OUT_OF_ORDER", "input", "heldOn")
	})
	t.Run("ErrMidCourseAfterExit", func(t *testing.T) { actErr(t, env, sw, "recordEvaluation", eval("MID_COURSE", 1), "OUT_OF_ORDER") })
	t.Run("ErrUnknownBeneficiary", func(t *testing.T) {
		actErr(t, env, sw, "exitJourney", with(exit, "beneficiaryId", model.GlobalID("Beneficiary", "00000000-0000-0000-0000-000000000000")), "NOT_FOUND", "input", "beneficiaryId")
		actErr(t, env, sw, "exitJourney", with(exit, "beneficiaryId", "garbage"), "NOT_FOUND", "input", "beneficiaryId")
	})
}

// Contact details: optimistic concurrency on the beneficiary's version.
func TestUpdateBeneficiaryContact(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	id := refer(t, env, sw, referral("OFII-69-2026-9200"))
	v := get(t, env, sw, id, "version")["version"]
	t.Run("OK", func(t *testing.T) {
		p := mustAct(t, env, sw, "updateBeneficiaryContact", map[string]any{"beneficiaryId": id, "version": v, "phone": "0700000000", "email": ""},
			"beneficiary { version phone email address }")
		b := p["beneficiary"].(map[string]any)
		if b["phone"] != "0700000000" || b["email"] != nil || b["address"] == nil || b["version"] == v {
			t.Fatalf("after update %+v", b)
		}
	})
	t.Run("ErrStaleVersion", func(t *testing.T) {
		actErr(t, env, sw, "updateBeneficiaryContact", map[string]any{"beneficiaryId": id, "version": v, "phone": "0711111111"}, "VERSION_CONFLICT", "input", "version")
	})
	t.Run("ErrBadEmail", func(t *testing.T) {
		actErr(t, env, sw, "updateBeneficiaryContact", map[string]any{"beneficiaryId": id, "version": v, "email": "nope"}, "INVALID_INPUT", "input", "email")
	})
}

// Private notes belong to the author's structure: another structure cannot replace them.
func TestInterview_PrivateNoteOwnedByAuthorStructure(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	id := refer(t, env, sw, referral("OFII-69-2026-9300"))
	p := mustAct(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "PHONE",
		"plannedAt": "2026-03-05T10:00:00+01:00", "status": "PLANNED", "privateNote": "Note confidentielle ARSL."}, "interview { id version }")
	iv := p["interview"].(map[string]any)
	actErr(t, env, ic, "recordInterview", map[string]any{"interviewId": iv["id"], "version": iv["version"], "status": "CANCELLED",
		"privateNote": "Écrasée ?"}, "FORBIDDEN", "input", "privateNote")
	mustAct(t, env, ic, "recordInterview", map[string]any{"interviewId": iv["id"], "version": iv["version"], "status": "CANCELLED"}, "interview { status }")
	b := get(t, env, sw, id, "interviews { status privateNote } convocationStatus")
	if iv := b["interviews"].([]any)[0].(map[string]any); iv["privateNote"] != "Note confidentielle ARSL." || iv["status"] != "CANCELLED" {
		t.Fatalf("interview %+v", iv)
	}
	t.Run("ErrFollowUpInterviewBeforeExit", func(t *testing.T) {
		actErr(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "FOLLOW_UP", "medium": "PHONE",
			"plannedAt": "2026-03-05T10:00:00+01:00", "status": "PLANNED"}, "OUT_OF_ORDER")
	})
}

// Acts on one journey are serialised: of concurrent exits, one succeeds, the others are
// out of order; a refused act writes nothing, not even an audit entry.
func TestExitJourney_ConcurrentAndRefusedActsChangeNothing(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	id := refer(t, env, sw, referral("OFII-69-2026-9400"))
	mustAct(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "PHONE",
		"plannedAt": "2026-03-02T09:00:00+01:00", "status": "HELD", "privateNote": "Secret médical évoqué."}, "interview { id }")
	exit := map[string]any{"beneficiaryId": id, "exitedOn": "2026-03-02", "reason": "WITHDRAWAL",
		"housingSituation": "HOSTED", "employmentSituation": "JOB_SEEKING", "trainingSituation": "NONE"}
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ues := act(t, env, sw, "exitJourney", exit, "beneficiary { id }")
			switch {
			case len(ues) == 0:
				ok.Add(1)
			case ues[0].Code == "OUT_OF_ORDER":
				refused.Add(1)
			default:
				t.Errorf("unexpected %+v", ues)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 || refused.Load() != 5 || countRows(t, env, `SELECT count(*) FROM journey_exits`) != 1 {
		t.Fatalf("%d exits, %d refused", ok.Load(), refused.Load())
	}
	audits := countRows(t, env, `SELECT count(*) FROM audit_log`)
	version := get(t, env, sw, id, "version")["version"]
	actErr(t, env, sw, "exitJourney", exit, "OUT_OF_ORDER")
	actErr(t, env, sw, "addPlanAction", map[string]any{"beneficiaryId": id, "axis": "HOUSING", "objectiveTitle": "x", "title": "y"}, "OUT_OF_ORDER")
	if countRows(t, env, `SELECT count(*) FROM audit_log`) != audits || get(t, env, sw, id, "version")["version"] != version {
		t.Fatal("a refused act wrote something")
	}
	for _, e := range get(t, env, sw, id, "timeline { summary }")["timeline"].([]any) {
		if strings.Contains(e.(map[string]any)["summary"].(string), "Secret") {
			t.Fatalf("a note leaked into the timeline: %v", e)
		}
	}
}
