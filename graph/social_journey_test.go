package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

const fullBeneficiary = `id version firstName lastName phase department journeyStartsOn journeyEndsOn welcomeInterviewDueOn
	welcomeInterviewLate convocationStatus referral { referredOn ofiiReference admission eligibility { condition met message } }
	socialOperator { name } employmentOperator { name }
	referents { socialWorker { name } insertionCounsellor { name } history { kind active staffMember { name } } }
	interviews { id version kind status heldOn late sharedNote privateNote }
	diagnostic { rights { situation needs } housing { situation } employment { situation } training { situation } health { situation } }
	plan { objectives { id axis title actions { id version title status dueOn completedOn } } }
	engagementContract { signedOn consentRecorded }
	evaluations { stage housing employment training rights }
	evaluationProgress { axis entry midCourse exit change }
	exits { kind exitedOn exitReason employmentSituation housingSituation trainingSituation }
	followUps { stage dueOn heldOn employmentSituation }
	alerts { kind since dueOn message }
	timeline { on kind summary }`

// A BPI from OFII referral to an exit in employment, with both follow-ups (DESIGN §3).
func TestJourney_ReferralToExitInEmployment(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)

	id := refer(t, env, sw, referral("OFII-69-2026-0001"))
	b := get(t, env, sw, id, fullBeneficiary)
	if b["phase"] != "REFERRED" || b["welcomeInterviewDueOn"] != "2026-03-20" || b["socialOperator"].(map[string]any)["name"] == nil {
		t.Fatalf("after referral: %+v", b)
	}
	for _, c := range b["referral"].(map[string]any)["eligibility"].([]any) {
		if !c.(map[string]any)["met"].(bool) {
			t.Fatalf("condition not met: %+v", c)
		}
	}

	t.Run("ErrContractBeforeWelcome", func(t *testing.T) {
		actErr(t, env, sw, "signEngagementContract", map[string]any{"beneficiaryId": id, "signedOn": "2026-03-02", "consentRecorded": true}, "OUT_OF_ORDER", "input", "beneficiaryId")
	})
	t.Run("ErrDiagnosticBeforeWelcome", func(t *testing.T) {
		actErr(t, env, sw, "recordDiagnostic", map[string]any{"beneficiaryId": id, "axes": []any{map[string]any{"axis": "RIGHTS", "situation": "x"}}}, "OUT_OF_ORDER")
	})
	t.Run("ErrFollowUpBeforeExit", func(t *testing.T) {
		actErr(t, env, sw, "recordFollowUp", map[string]any{"beneficiaryId": id, "stage": "THREE_MONTHS", "heldOn": "2026-03-02",
			"housingSituation": "HOSTED", "employmentSituation": "JOB_SEEKING", "trainingSituation": "NONE"}, "OUT_OF_ORDER")
	})

	mustAct(t, env, sw, "convokeBeneficiary", map[string]any{"beneficiaryId": id, "appointmentAt": "2026-03-10T09:30:00+01:00",
		"address": "ARSL, 5 place Bellecour, 69002 Lyon"}, "beneficiary { phase convocationStatus }")
	b = get(t, env, sw, id, fullBeneficiary)
	if b["phase"] != "CONVOKED" || b["convocationStatus"] != "PLANNED" {
		t.Fatalf("after convocation: %v %v", b["phase"], b["convocationStatus"])
	}
	welcomeIV := b["interviews"].([]any)[0].(map[string]any)

	t.Run("ErrHeldBeforeItsDay", func(t *testing.T) {
		actErr(t, env, sw, "recordInterview", map[string]any{"interviewId": welcomeIV["id"], "version": welcomeIV["version"], "status": "HELD"}, "INVALID_INPUT")
	})
	setToday(env, "2026-03-10")
	t.Run("ErrStaleVersion", func(t *testing.T) {
		actErr(t, env, sw, "recordInterview", map[string]any{"interviewId": welcomeIV["id"], "version": 99, "status": "HELD"}, "VERSION_CONFLICT", "input", "version")
	})
	mustAct(t, env, sw, "recordInterview", map[string]any{"interviewId": welcomeIV["id"], "version": welcomeIV["version"], "status": "HELD",
		"sharedNote": "Accueil avec interprète en dari.", "privateNote": "Fragilité psychologique à suivre."}, "interview { status heldOn }")
	mustAct(t, env, sw, "recordDiagnostic", map[string]any{"beneficiaryId": id, "axes": []any{
		map[string]any{"axis": "RIGHTS", "situation": "Droits CAF non ouverts", "needs": "Ouvrir les droits CAF"},
		map[string]any{"axis": "HOUSING", "situation": "Hébergée en CPH", "needs": "Logement autonome"},
		map[string]any{"axis": "EMPLOYMENT", "situation": "Sans emploi, expérience de couturière"},
		map[string]any{"axis": "TRAINING", "situation": "Pas de diplôme reconnu"},
		map[string]any{"axis": "HEALTH", "situation": "Suivi médical en cours"},
	}}, "beneficiary { phase }")
	mustAct(t, env, sw, "assignReferents", map[string]any{"beneficiaryId": id,
		"socialWorkerId": staffID(t, env, "social_worker@demo.agir.local")}, "beneficiary { id }")
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	mustAct(t, env, ic, "assignReferents", map[string]any{"beneficiaryId": id,
		"insertionCounsellorId": staffID(t, env, "insertion_counsellor@demo.agir.local")}, "beneficiary { id }")
	plan := mustAct(t, env, ic, "addPlanAction", map[string]any{"beneficiaryId": id, "axis": "EMPLOYMENT",
		"objectiveTitle": "Accéder à un emploi dans la couture", "title": "Rédiger un CV", "dueOn": "2026-04-15"},
		"planAction { id version status }")
	action := plan["planAction"].(map[string]any)
	mustAct(t, env, sw, "signEngagementContract", map[string]any{"beneficiaryId": id, "signedOn": "2026-03-10", "consentRecorded": true}, "beneficiary { phase }")
	t.Run("ErrContractTwice", func(t *testing.T) {
		actErr(t, env, sw, "signEngagementContract", map[string]any{"beneficiaryId": id, "signedOn": "2026-03-10", "consentRecorded": true}, "OUT_OF_ORDER")
	})
	mustAct(t, env, ic, "updatePlanAction", map[string]any{"id": action["id"], "version": action["version"], "status": "DONE"}, "planAction { status }")
	mustAct(t, env, sw, "recordEvaluation", map[string]any{"beneficiaryId": id, "stage": "ENTRY", "evaluatedOn": "2026-03-10",
		"housing": 1, "employment": 0, "training": 1, "rights": 2}, "beneficiary { id }")

	b = get(t, env, sw, id, fullBeneficiary)
	if b["phase"] != "CONTRACTED" || b["convocationStatus"] != "HELD" || b["welcomeInterviewLate"] != false ||
		b["journeyEndsOn"] != "2028-03-09" || b["engagementContract"] == nil {
		t.Fatalf("after contract: phase %v convocation %v late %v ends %v", b["phase"], b["convocationStatus"], b["welcomeInterviewLate"], b["journeyEndsOn"])
	}
	refs := b["referents"].(map[string]any)
	if refs["socialWorker"].(map[string]any)["name"] != "Karim Benali" || refs["insertionCounsellor"].(map[string]any)["name"] != "Sophie Laurent" {
		t.Fatalf("referents %+v", refs)
	}

	setToday(env, "2027-03-15")
	if !alertKinds(get(t, env, sw, id, "alerts { kind }"))["EVALUATION_DUE"] {
		t.Fatal("mid-course evaluation not flagged")
	}
	mustAct(t, env, sw, "recordEvaluation", map[string]any{"beneficiaryId": id, "stage": "MID_COURSE", "evaluatedOn": "2027-03-15",
		"housing": 3, "employment": 2, "training": 2, "rights": 4}, "beneficiary { id }")

	setToday(env, "2027-06-01")
	mustAct(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": "2027-06-01", "reason": "GOALS_REACHED",
		"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "PERMANENT_CONTRACT", "trainingSituation": "NONE"}, "beneficiary { phase }")
	t.Run("ErrExitTwice", func(t *testing.T) {
		actErr(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": "2027-06-01", "reason": "GOALS_REACHED",
			"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "PERMANENT_CONTRACT", "trainingSituation": "NONE"}, "OUT_OF_ORDER")
	})
	t.Run("ErrInterviewAfterExit", func(t *testing.T) {
		actErr(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "PHONE",
			"plannedAt": "2027-06-01T10:00:00+02:00", "status": "HELD"}, "OUT_OF_ORDER")
	})
	mustAct(t, env, sw, "recordEvaluation", map[string]any{"beneficiaryId": id, "stage": "EXIT", "evaluatedOn": "2027-06-01",
		"housing": 5, "employment": 5, "training": 2, "rights": 5}, "beneficiary { id }")
	b = get(t, env, sw, id, fullBeneficiary)
	if b["phase"] != "EXITED" || alertKinds(b)["FOLLOW_UP_DUE"] {
		t.Fatalf("after exit: %v %v", b["phase"], b["alerts"])
	}

	setToday(env, "2027-09-01")
	b = get(t, env, sw, id, fullBeneficiary)
	if !alertKinds(b)["FOLLOW_UP_DUE"] || b["followUps"].([]any)[0].(map[string]any)["dueOn"] != "2027-09-01" {
		t.Fatalf("3-month follow-up not due: %v %v", b["alerts"], b["followUps"])
	}
	mustAct(t, env, ic, "recordFollowUp", map[string]any{"beneficiaryId": id, "stage": "THREE_MONTHS", "heldOn": "2027-09-01",
		"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "PERMANENT_CONTRACT", "trainingSituation": "NONE"}, "beneficiary { phase }")
	t.Run("ErrFollowUpTwice", func(t *testing.T) {
		actErr(t, env, ic, "recordFollowUp", map[string]any{"beneficiaryId": id, "stage": "THREE_MONTHS", "heldOn": "2027-09-01",
			"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "PERMANENT_CONTRACT", "trainingSituation": "NONE"}, "ALREADY_EXISTS", "input", "stage")
	})
	if get(t, env, sw, id, "phase")["phase"] != "FOLLOW_UP" {
		t.Fatal("not in FOLLOW_UP")
	}
	setToday(env, "2027-12-02")
	mustAct(t, env, sw, "recordFollowUp", map[string]any{"beneficiaryId": id, "stage": "SIX_MONTHS", "heldOn": "2027-12-02",
		"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "PERMANENT_CONTRACT", "trainingSituation": "NONE"}, "beneficiary { phase }")
	b = get(t, env, sw, id, fullBeneficiary)
	if b["phase"] != "CLOSED" || len(b["alerts"].([]any)) != 0 {
		t.Fatalf("closed: %v %v", b["phase"], b["alerts"])
	}
	prog := b["evaluationProgress"].([]any)
	if emp := prog[1].(map[string]any); emp["axis"] != "EMPLOYMENT" || emp["change"] != float64(5) || emp["midCourse"] != float64(2) {
		t.Fatalf("progress %+v", prog)
	}
	kinds := []string{}
	prev := ""
	for _, e := range b["timeline"].([]any) {
		ev := e.(map[string]any)
		if ev["on"].(string) < prev {
			t.Fatalf("timeline out of order: %v", b["timeline"])
		}
		prev = ev["on"].(string)
		kinds = append(kinds, ev["kind"].(string))
	}
	if kinds[0] != "REFERRED" || kinds[len(kinds)-1] != "FOLLOW_UP" || len(kinds) < 14 {
		t.Fatalf("timeline kinds %v", kinds)
	}
	if n := countRows(t, env, `SELECT count(*) FROM audit_log WHERE entity_type = 'Beneficiary'`); n < 15 {
		t.Fatalf("audit entries: %d", n)
	}
}
