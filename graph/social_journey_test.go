package graph_test

import (
	"fmt"
	"strings"
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
	t.Run("NotesOfAHeldWelcomeCanBeCompleted", func(t *testing.T) {
		mustAct(t, env, sw, "recordInterview", map[string]any{"interviewId": welcomeIV["id"], "version": welcomeIV["version"].(float64) + 1,
			"status": "HELD", "sharedNote": "Accueil avec interprète en dari ; orientation vers la PMI."}, "interview { status }")
	})
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
	t.Run("ErrExitInEmploymentWithoutTheOutcome", func(t *testing.T) {
		actErr(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": "2027-06-01", "reason": "GOALS_REACHED",
			"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "PERMANENT_CONTRACT", "trainingSituation": "NONE"}, "RULE_VIOLATION", "input", "employmentSituation")
	})
	mustAct(t, env, ic, "recordOutcome", map[string]any{"beneficiaryId": id, "kind": "EMPLOYMENT", "contractType": "CDI",
		"jobTitle": "Couturière", "startsOn": "2027-05-15"}, "outcome { id }")
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
	var changes string
	if err := env.Store.DB().Get(&changes, `SELECT changes::text FROM audit_log WHERE action = 'exitJourney'`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(changes, `"phase": {"after": "EXITED", "before": "CONTRACTED"}`) || !strings.Contains(changes, `"employment": "PERMANENT_CONTRACT"`) {
		t.Fatalf("audit of the exit: %s", changes)
	}
}

// A family: the principal BPI and joining members (seed « Conditions d'accès »: spouse,
// minor children, parents, without the status).
func TestJourney_FamilyWithJoiningMembers(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	id := refer(t, env, sw, referral("OFII-69-2026-0100"))
	member := func(rel, first, birth string) map[string]any {
		return map[string]any{"beneficiaryId": id, "relationship": rel, "firstName": first, "lastName": "Haïdari",
			"birthDate": birth, "sex": "MALE", "nationality": "afghane", "joinedOn": "2026-03-01"}
	}
	t.Run("OK", func(t *testing.T) {
		p := mustAct(t, env, sw, "addHouseholdMember", member("SPOUSE", "Javad", "1987-01-03"), "householdMember { id relationship } beneficiary { id }")
		if p["householdMember"].(map[string]any)["relationship"] != "SPOUSE" {
			t.Fatalf("payload %+v", p)
		}
		mustAct(t, env, sw, "addHouseholdMember", with(member("MINOR_CHILD", "Sina", "2015-09-20"), "hasProtection", true), "householdMember { id }")
		mustAct(t, env, sw, "addHouseholdMember", member("PARENT", "Gulalai", "1958-04-11"), "householdMember { id }")
		b := get(t, env, sw, id, "household { id relationship firstName birthDate hasProtection joinedOn } timeline { kind }")
		h := b["household"].([]any)
		if len(h) != 3 || h[1].(map[string]any)["hasProtection"] != true || h[0].(map[string]any)["hasProtection"] != false {
			t.Fatalf("household %+v", h)
		}
		var node struct{ Node map[string]any }
		env.MustDo(sw, `query($id: ID!) { node(id: $id) { ... on HouseholdMember { firstName } } }`, map[string]any{"id": h[0].(map[string]any)["id"]}, &node)
		if node.Node["firstName"] != "Javad" {
			t.Fatalf("node %+v", node)
		}
	})
	t.Run("ErrAdultChild", func(t *testing.T) {
		actErr(t, env, sw, "addHouseholdMember", member("MINOR_CHILD", "Omid", "2007-01-01"), "NOT_ELIGIBLE", "input", "birthDate")
	})
	t.Run("ErrSecondSpouse", func(t *testing.T) {
		actErr(t, env, sw, "addHouseholdMember", member("SPOUSE", "Reza", "1985-01-01"), "ALREADY_EXISTS", "input", "relationship")
	})
	t.Run("ErrBlankName", func(t *testing.T) {
		actErr(t, env, sw, "addHouseholdMember", with(member("PARENT", " ", "1950-01-01")), "INVALID_INPUT", "input", "firstName")
	})
	t.Run("ErrJoinedInFuture", func(t *testing.T) {
		actErr(t, env, sw, "addHouseholdMember", with(member("PARENT", "Ali", "1950-01-01"), "joinedOn", "2026-04-01"), "INVALID_INPUT", "input", "joinedOn")
	})
	if n := countRows(t, env, `SELECT count(*) FROM household_members`); n != 3 {
		t.Fatalf("refused members were written: %d rows", n)
	}
}

// An ineligible referral is refused naming the failed condition, then admitted
// exceptionally by the state representative with OFII's agreement.
func TestJourney_IneligibleThenAdmittedExceptionally(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	sr := demoPrincipal(t, env, model.RoleStateRepresentative)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	old := with(referral("OFII-69-2026-0200"), "protectionGrantedOn", "2024-11-15")

	for _, tc := range []struct {
		name  string
		input map[string]any
		field string
	}{
		{"ErrProtectionBeforeNMinus1", old, "protectionGrantedOn"},
		{"ErrNotBPI", with(referral("OFII-69-2026-0201"), "protectionType", "OTHER"), "protectionType"},
		{"ErrCIRNotSigned", with(referral("OFII-69-2026-0202"), "cirSignedOn", nil), "cirSignedOn"},
		{"ErrDepartmentNotCovered", with(referral("OFII-69-2026-0203"), "department", "75"), "department"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ue := actErr(t, env, sw, "referBeneficiary", tc.input, "NOT_ELIGIBLE", "input", tc.field)
			if !strings.Contains(ue.Message, "non éligible") {
				t.Fatalf("message %q", ue.Message)
			}
		})
	}
	if n := countRows(t, env, `SELECT count(*) FROM beneficiaries`); n != 0 {
		t.Fatalf("refused referrals were written: %d", n)
	}
	exceptional := map[string]any{"referral": old, "stateInstructionOn": "2026-02-25",
		"stateInstructionReference": "DDETS69-2026-014", "ofiiAgreementOn": "2026-02-27"}
	t.Run("ErrCoordinatorCannotAdmit", func(t *testing.T) { forbidden(t, env, coord, "admitExceptionally", exceptional) })
	t.Run("ErrEligiblePersonNeedsNoExceptionalAdmission", func(t *testing.T) {
		actErr(t, env, sr, "admitExceptionally", with(exceptional, "referral", referral("OFII-69-2026-0204")), "RULE_VIOLATION", "input", "referral")
	})
	t.Run("ErrInstructionInFuture", func(t *testing.T) {
		actErr(t, env, sr, "admitExceptionally", with(exceptional, "stateInstructionOn", "2026-03-05"), "INVALID_INPUT", "input", "stateInstructionOn")
	})
	p := mustAct(t, env, sr, "admitExceptionally", exceptional, "beneficiary { id phase referral { admission stateInstructionOn ofiiAgreementOn eligibility { condition met } } }")
	b := p["beneficiary"].(map[string]any)
	ref := b["referral"].(map[string]any)
	if b["phase"] != "REFERRED" || ref["admission"] != "EXCEPTIONAL" || ref["ofiiAgreementOn"] != "2026-02-27" {
		t.Fatalf("admitted %+v", b)
	}
	failed := 0
	for _, c := range ref["eligibility"].([]any) {
		if !c.(map[string]any)["met"].(bool) {
			failed++
			if c.(map[string]any)["condition"] != "PROTECTION_DATE" {
				t.Fatalf("wrong failed condition %+v", c)
			}
		}
	}
	if failed != 1 {
		t.Fatalf("eligibility %+v", ref["eligibility"])
	}
	// the social operator follows the beneficiary admitted exceptionally
	id := b["id"].(string)
	if get(t, env, sw, id, "id") == nil {
		t.Fatal("social worker does not see the admitted beneficiary")
	}
	t.Run("ErrJoiningMemberOfExceptionalAdmission", func(t *testing.T) {
		actErr(t, env, sw, "addHouseholdMember", map[string]any{"beneficiaryId": id, "relationship": "SPOUSE", "firstName": "X",
			"lastName": "Y", "birthDate": "1980-01-01", "sex": "MALE", "nationality": "afghane"}, "NOT_ELIGIBLE")
	})
	t.Run("StateRepresentativeSeesNoNotes", func(t *testing.T) {
		r := env.Do(sr, `query($id: ID!) { beneficiary(id: $id) { lastName cirSignedOn phone } }`, map[string]any{"id": id})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || !strings.Contains(string(r.Data), `"lastName":"Haïdari"`) || !strings.Contains(string(r.Data), `"phone":null`) {
			t.Fatalf("state representative read %s %+v", r.Data, r.Errors)
		}
		r = env.Do(sr, `query($id: ID!) { beneficiary(id: $id) { interviews { sharedNote } } }`, map[string]any{"id": id})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || strings.Contains(string(r.Data), "sharedNote") {
			t.Fatalf("state representative read interviews %s %+v", r.Data, r.Errors)
		}
	})
}

// Exclusion for two housing refusals: refused after one refusal, accepted after two,
// decided by a coordinator only (seed « Suivi-évaluation »).
func TestJourney_ExclusionForTwoHousingRefusals(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	id := refer(t, env, sw, referral("OFII-69-2026-0300"))
	welcome(t, env, sw, id, "2026-03-05")
	setToday(env, "2026-05-01")
	exclude := map[string]any{"beneficiaryId": id, "reason": "TWO_HOUSING_REFUSALS", "note": "Deux refus sans motif légitime."}

	mustAct(t, env, sw, "recordHousingProposal", map[string]any{"beneficiaryId": id, "proposedOn": "2026-04-02", "offer": "T2 Villeurbanne",
		"landlord": "Est Métropole Habitat", "outcome": "REFUSED", "refusalReason": "Trop loin de l'école des enfants"}, "housingProposal { id outcome }")
	t.Run("ErrRefusalWithoutReason", func(t *testing.T) {
		actErr(t, env, sw, "recordHousingProposal", map[string]any{"beneficiaryId": id, "proposedOn": "2026-04-10", "offer": "T3 Vaulx",
			"outcome": "REFUSED"}, "INVALID_INPUT", "input", "refusalReason")
	})
	t.Run("ErrAfterOneRefusal", func(t *testing.T) {
		actErr(t, env, coord, "excludeBeneficiary", exclude, "RULE_VIOLATION", "input", "reason")
	})
	t.Run("ErrSocialWorkerCannotExclude", func(t *testing.T) { forbidden(t, env, sw, "excludeBeneficiary", exclude) })
	if alertKinds(get(t, env, sw, id, "alerts { kind }"))["HOUSING_REFUSALS"] {
		t.Fatal("exclusion risk after one refusal")
	}
	p := mustAct(t, env, sw, "recordHousingProposal", map[string]any{"beneficiaryId": id, "proposedOn": "2026-04-20", "offer": "T2 Lyon 8e"},
		"housingProposal { id version outcome }")
	h := p["housingProposal"].(map[string]any)
	t.Run("ErrDecideStale", func(t *testing.T) {
		actErr(t, env, sw, "decideHousingProposal", map[string]any{"id": h["id"], "version": 7, "outcome": "ACCEPTED"}, "VERSION_CONFLICT")
	})
	mustAct(t, env, sw, "decideHousingProposal", map[string]any{"id": h["id"], "version": h["version"], "outcome": "REFUSED",
		"refusalReason": "Logement jugé trop petit", "decidedOn": "2026-04-25"}, "housingProposal { outcome }")
	t.Run("ErrDecideTwice", func(t *testing.T) {
		actErr(t, env, sw, "decideHousingProposal", map[string]any{"id": h["id"], "version": h["version"].(float64) + 1, "outcome": "ACCEPTED"}, "OUT_OF_ORDER")
	})
	b := get(t, env, coord, id, "housingRefusalCount alerts { kind since }")
	if b["housingRefusalCount"] != float64(2) || !alertKinds(b)["HOUSING_REFUSALS"] {
		t.Fatalf("after two refusals %+v", b)
	}
	var list struct {
		Beneficiaries struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
	}
	env.MustDo(coord, `{ beneficiaries(filter: {alert: HOUSING_REFUSALS}) { totalCount nodes { id } } }`, nil, &list)
	if list.Beneficiaries.TotalCount != 1 || list.Beneficiaries.Nodes[0].ID != id {
		t.Fatalf("exclusion-risk list %+v", list)
	}
	mustAct(t, env, coord, "excludeBeneficiary", exclude, "beneficiary { phase exits { kind exclusionReason } }")
	b = get(t, env, coord, id, "phase exits { kind exclusionReason exitedOn } followUps { stage } alerts { kind }")
	if b["phase"] != "CLOSED" || b["exits"].([]any)[0].(map[string]any)["exclusionReason"] != "TWO_HOUSING_REFUSALS" ||
		len(b["followUps"].([]any)) != 0 || len(b["alerts"].([]any)) != 0 {
		t.Fatalf("after exclusion %+v", b)
	}
	t.Run("ErrExcludeTwice", func(t *testing.T) { actErr(t, env, coord, "excludeBeneficiary", exclude, "OUT_OF_ORDER") })
	t.Run("ErrFollowUpAfterExclusion", func(t *testing.T) {
		actErr(t, env, sw, "recordFollowUp", map[string]any{"beneficiaryId": id, "stage": "THREE_MONTHS", "heldOn": "2026-05-01",
			"housingSituation": "HOSTED", "employmentSituation": "JOB_SEEKING", "trainingSituation": "NONE"}, "OUT_OF_ORDER")
	})
}

// Other exclusion reasons need no refusal (violence or threat, non-adherence, offence).
func TestExclusion_OtherReasons(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	for i, reason := range []string{"VIOLENCE_OR_THREAT", "NON_ADHERENCE", "OFFENCE_PROSECUTED"} {
		id := refer(t, env, coord, referral(fmt.Sprintf("OFII-69-2026-031%d", i)))
		p := mustAct(t, env, coord, "excludeBeneficiary", map[string]any{"beneficiaryId": id, "reason": reason}, "beneficiary { phase }")
		if p["beneficiary"].(map[string]any)["phase"] != "CLOSED" {
			t.Fatalf("%s: %+v", reason, p)
		}
	}
}

// Reintegration: state representative only, 12 months at most (seed « Suivi-évaluation »).
func TestJourney_ReintegrationLimitedTo12Months(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	sr := demoPrincipal(t, env, model.RoleStateRepresentative)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	id := refer(t, env, sw, referral("OFII-69-2026-0400"))
	reintegrate := map[string]any{"beneficiaryId": id, "reintegratedOn": "2026-09-01", "until": "2027-09-02",
		"reason": "Perte de logement, accompagnement à reprendre."}
	setToday(env, "2026-03-10")
	t.Run("ErrNotExited", func(t *testing.T) {
		actErr(t, env, sr, "reintegrateBeneficiary", with(reintegrate, "reintegratedOn", "2026-03-10", "until", "2026-09-01"), "OUT_OF_ORDER")
	})
	mustAct(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": "2026-03-10", "reason": "MOVED_AWAY",
		"housingSituation": "UNKNOWN", "employmentSituation": "UNKNOWN", "trainingSituation": "UNKNOWN"}, "beneficiary { phase }")
	setToday(env, "2026-09-01")
	t.Run("ErrBeyond12Months", func(t *testing.T) {
		ue := actErr(t, env, sr, "reintegrateBeneficiary", reintegrate, "RULE_VIOLATION", "input", "until")
		if !strings.Contains(ue.Message, "12 mois") {
			t.Fatalf("message %q", ue.Message)
		}
	})
	t.Run("ErrCoordinatorCannotReintegrate", func(t *testing.T) { forbidden(t, env, coord, "reintegrateBeneficiary", reintegrate) })
	t.Run("ErrBlankReason", func(t *testing.T) {
		actErr(t, env, sr, "reintegrateBeneficiary", with(reintegrate, "reason", "  "), "INVALID_INPUT", "input", "reason")
	})
	if get(t, env, sw, id, "phase")["phase"] != "EXITED" {
		t.Fatal("refused reintegration changed the phase")
	}
	p := mustAct(t, env, sr, "reintegrateBeneficiary", with(reintegrate, "until", "2027-09-01"), "beneficiary { phase journeyStartsOn journeyEndsOn reintegrations { until } }")
	b := p["beneficiary"].(map[string]any)
	if b["phase"] != "REINTEGRATED" || b["journeyEndsOn"] != "2027-09-01" || b["journeyStartsOn"] != "2026-09-01" {
		t.Fatalf("reintegrated %+v", b)
	}
	t.Run("ErrReintegrateTwice", func(t *testing.T) {
		actErr(t, env, sr, "reintegrateBeneficiary", with(reintegrate, "until", "2027-03-01"), "OUT_OF_ORDER")
	})
	// the reintegrated journey lives again: interviews, then a new exit
	mustAct(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "IN_PERSON",
		"plannedAt": "2026-09-01T10:00:00+02:00", "status": "HELD"}, "interview { id }")
	setToday(env, "2027-09-02")
	actErr(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "IN_PERSON",
		"plannedAt": "2027-09-02T10:00:00+02:00", "status": "HELD"}, "JOURNEY_LIMIT_REACHED")
	mustAct(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": "2027-09-01", "reason": "JOURNEY_LIMIT",
		"housingSituation": "TEMPORARY_HOUSING", "employmentSituation": "JOB_SEEKING", "trainingSituation": "NONE"}, "beneficiary { phase }")
	if b := get(t, env, sw, id, "phase exits { kind }"); b["phase"] != "EXITED" || len(b["exits"].([]any)) != 2 {
		t.Fatalf("second exit %+v", b)
	}
}

// A journey reaching 24 months: the approach is flagged, then only the exit remains
// (seed « Durée : 24 mois maximum »).
func TestJourney_Reaching24Months(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	id := refer(t, env, sw, referral("OFII-69-2026-0500"))
	welcome(t, env, sw, id, "2026-03-05")
	setToday(env, "2027-12-01")
	b := get(t, env, sw, id, "journeyEndsOn alerts { kind dueOn }")
	if b["journeyEndsOn"] != "2028-03-04" || alertKinds(b)["JOURNEY_LIMIT_NEAR"] {
		t.Fatalf("before warning %+v", b)
	}
	setToday(env, "2028-01-04")
	if b := get(t, env, sw, id, "alerts { kind }"); !alertKinds(b)["JOURNEY_LIMIT_NEAR"] || alertKinds(b)["JOURNEY_LIMIT_REACHED"] {
		t.Fatalf("near limit not flagged %+v", b)
	}
	var list struct{ Beneficiaries struct{ TotalCount int } }
	env.MustDo(sw, `{ beneficiaries(filter: {alert: JOURNEY_LIMIT_NEAR}) { totalCount } }`, nil, &list)
	if list.Beneficiaries.TotalCount != 1 {
		t.Fatalf("near-limit filter %+v", list)
	}
	mustAct(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "PHONE",
		"plannedAt": "2028-01-04T10:00:00+01:00", "status": "HELD"}, "interview { id }")
	setToday(env, "2028-03-05")
	if b := get(t, env, sw, id, "alerts { kind }"); !alertKinds(b)["JOURNEY_LIMIT_REACHED"] || alertKinds(b)["JOURNEY_LIMIT_NEAR"] {
		t.Fatalf("limit passed not flagged %+v", b)
	}
	env.MustDo(sw, `{ beneficiaries(filter: {alert: JOURNEY_LIMIT_NEAR}) { totalCount } }`, nil, &list)
	if list.Beneficiaries.TotalCount != 0 {
		t.Fatalf("near-limit filter after the limit %+v", list)
	}
	for _, tc := range []struct {
		name, mutation string
		input          map[string]any
	}{
		{"ErrInterview", "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "PHONE", "plannedAt": "2028-03-05T10:00:00+01:00", "status": "HELD"}},
		{"ErrPlanAction", "addPlanAction", map[string]any{"beneficiaryId": id, "axis": "HOUSING", "objectiveTitle": "Logement", "title": "Dossier DALO"}},
		{"ErrHousing", "recordHousingProposal", map[string]any{"beneficiaryId": id, "proposedOn": "2028-03-05", "offer": "T1"}},
	} {
		t.Run(tc.name, func(t *testing.T) { actErr(t, env, sw, tc.mutation, tc.input, "JOURNEY_LIMIT_REACHED") })
	}
	mustAct(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": "2028-03-04", "reason": "JOURNEY_LIMIT",
		"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "JOB_SEEKING", "trainingSituation": "NONE"}, "beneficiary { phase }")
}

// The state representative reads the reintegrations it approves, without their free-text reason.
func TestReintegration_StateRepresentativeReadsWithoutNotes(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	sr := demoPrincipal(t, env, model.RoleStateRepresentative)
	id := refer(t, env, sw, referral("OFII-69-2026-0450"))
	mustAct(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": "2026-03-02", "reason": "WITHDRAWAL",
		"housingSituation": "UNKNOWN", "employmentSituation": "UNKNOWN", "trainingSituation": "UNKNOWN"}, "beneficiary { phase }")
	mustAct(t, env, sr, "reintegrateBeneficiary", map[string]any{"beneficiaryId": id, "reintegratedOn": "2026-03-02", "until": "2026-12-01",
		"reason": "Situation de détresse signalée par le CCAS."}, "beneficiary { phase }")
	r := env.Do(sr, `query($id: ID!) { beneficiary(id: $id) { phase reintegrations { until reason } } }`, map[string]any{"id": id})
	if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || strings.Contains(string(r.Data), "CCAS") ||
		!strings.Contains(string(r.Data), `"until":"2026-12-01"`) {
		t.Fatalf("state representative read %s %+v", r.Data, r.Errors)
	}
}
