package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// The end of a journey (seed « Suivi-évaluation »): the exit evaluation and the follow-ups
// at 3 and 6 months (issue 17, defects 1 and 2).

func evaluation(id, stage, on string) map[string]any {
	return map[string]any{"beneficiaryId": id, "stage": stage, "evaluatedOn": on, "housing": 2, "employment": 2, "training": 2, "rights": 2}
}

func followUp(id, stage, heldOn string) map[string]any {
	return map[string]any{"beneficiaryId": id, "stage": stage, "heldOn": heldOn,
		"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "PERMANENT_CONTRACT", "trainingSituation": "NONE"}
}

// welcomedWithEntryEvaluation refers a BPI, holds its welcome interview on welcomeDay
// and records its entry evaluation the same day; the clock is left on welcomeDay.
func welcomedWithEntryEvaluation(t *testing.T, env *graphtest.Env, sw *model.Principal, ofii, welcomeDay string) string {
	t.Helper()
	id := refer(t, env, sw, referral(ofii))
	welcome(t, env, sw, id, welcomeDay)
	setToday(env, welcomeDay)
	mustAct(t, env, sw, "recordEvaluation", evaluation(id, "ENTRY", welcomeDay), "beneficiary { id }")
	return id
}

// An exit evaluation two days after the welcome was accepted, and the real one at exit
// was then refused ALREADY_EXISTS.
func TestExitEvaluation_OnlyAtExitOrNearTheEnd(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	id := welcomedWithEntryEvaluation(t, env, sw, "OFII-69-2026-0171", "2026-03-10")
	other := welcomedWithEntryEvaluation(t, env, sw, "OFII-69-2026-0172", "2026-03-10")

	setToday(env, "2026-03-12")
	t.Run("ErrTwoDaysAfterWelcome", func(t *testing.T) {
		actErr(t, env, sw, "recordEvaluation", evaluation(id, "EXIT", "2026-03-12"), "OUT_OF_ORDER", "input", "stage")
		if n := countRows(t, env, `SELECT count(*) FROM evaluations WHERE stage = 'EXIT'`); n != 0 {
			t.Fatalf("exit evaluations written: %d", n)
		}
	})
	// the period ends on 9 March 2028; its end is near from 9 January 2028
	setToday(env, "2028-01-08")
	t.Run("ErrTheDayBeforeTheEndIsNear", func(t *testing.T) {
		actErr(t, env, sw, "recordEvaluation", evaluation(id, "EXIT", "2028-01-08"), "OUT_OF_ORDER", "input", "stage")
	})
	setToday(env, "2028-01-09")
	t.Run("OK_WhenTheEndIsNear", func(t *testing.T) {
		mustAct(t, env, sw, "recordEvaluation", evaluation(id, "EXIT", "2028-01-09"), "beneficiary { id }")
	})

	// an early exit: the exit evaluation follows it
	setToday(env, "2026-11-02")
	mustAct(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": other, "exitedOn": "2026-11-02", "reason": "GOALS_REACHED",
		"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "JOB_SEEKING", "trainingSituation": "NONE"}, "beneficiary { phase }")
	t.Run("OK_AtTheRealExit", func(t *testing.T) {
		p := mustAct(t, env, sw, "recordEvaluation", evaluation(other, "EXIT", "2026-11-02"), "beneficiary { evaluations { stage } }")
		if ev := p["beneficiary"].(map[string]any)["evaluations"].([]any); len(ev) != 2 {
			t.Fatalf("evaluations %v", ev)
		}
	})
}

// A "6-month" follow-up held 7 days after the exit closed the journey, and the 3-month
// one could be recorded afterwards.
func TestFollowUps_InOrderNearTheirDayClosedWhenBothHeld(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	id := welcomedWithEntryEvaluation(t, env, sw, "OFII-69-2026-0173", "2026-03-10")
	setToday(env, "2026-11-02")
	mustAct(t, env, sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": "2026-11-02", "reason": "GOALS_REACHED",
		"housingSituation": "PERMANENT_HOUSING", "employmentSituation": "JOB_SEEKING", "trainingSituation": "NONE"}, "beneficiary { phase }")
	mustAct(t, env, sw, "recordEvaluation", evaluation(id, "EXIT", "2026-11-02"), "beneficiary { id }")

	setToday(env, "2026-11-09")
	t.Run("ErrSixMonthsSevenDaysAfterExit", func(t *testing.T) {
		actErr(t, env, sw, "recordFollowUp", followUp(id, "SIX_MONTHS", "2026-11-09"), "OUT_OF_ORDER", "input", "stage")
	})
	t.Run("ErrThreeMonthsSevenDaysAfterExit", func(t *testing.T) {
		actErr(t, env, sw, "recordFollowUp", followUp(id, "THREE_MONTHS", "2026-11-09"), "OUT_OF_RANGE", "input", "heldOn")
	})
	if n := countRows(t, env, `SELECT count(*) FROM follow_ups`); n != 0 {
		t.Fatalf("follow-ups written: %d", n)
	}
	if ph := get(t, env, sw, id, "phase")["phase"]; ph != "EXITED" {
		t.Fatalf("phase %v", ph)
	}

	// due on 2 February 2027, held within 30 days of it
	setToday(env, "2027-02-20")
	mustAct(t, env, sw, "recordFollowUp", followUp(id, "THREE_MONTHS", "2027-02-20"), "beneficiary { id }")
	t.Run("ErrSixMonthsNextToTheThreeMonths", func(t *testing.T) {
		actErr(t, env, sw, "recordFollowUp", followUp(id, "SIX_MONTHS", "2027-02-20"), "OUT_OF_RANGE", "input", "heldOn")
	})
	if b := get(t, env, sw, id, "phase followUps { stage heldOn }"); b["phase"] != "FOLLOW_UP" || b["followUps"].([]any)[1].(map[string]any)["heldOn"] != nil {
		t.Fatalf("after the 3-month follow-up: %v", b)
	}

	// due on 2 May 2027
	setToday(env, "2027-05-05")
	mustAct(t, env, sw, "recordFollowUp", followUp(id, "SIX_MONTHS", "2027-05-05"), "beneficiary { id }")
	if b := get(t, env, sw, id, "phase alerts { kind }"); b["phase"] != "CLOSED" || len(b["alerts"].([]any)) != 0 {
		t.Fatalf("after both follow-ups: %v", b)
	}
}
