package graph_test

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/db/demo"
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

// The 60 % headline has one source (issue 17, defect 3): over the server's demo
// territory, the ended journeys whose exit form says employment or qualifying training
// are exactly those EMPLOYMENT_OR_TRAINING_AT_EXIT counts from the outcomes (the demo
// said 56/58 on the forms and 18/58 in the indicator). An exclusion has no form: the
// indicator reads its outcomes on the day, as the test does.
func TestEmploymentOrTrainingAtExit_ExitFormsAgreeWithTheIndicator(t *testing.T) {
	env := graphtest.New(t)
	if _, err := demo.LoadTerritory(context.Background(), env.Store); err != nil {
		t.Fatalf("demo: %v", err)
	}
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	today := model.DateOf(env.Store.Now()).String()
	rows := indicatorRows(t, env, coordinator, map[string]any{"names": []string{"EMPLOYMENT_OR_TRAINING_AT_EXIT"},
		"period": map[string]any{"from": "2020-01-01", "to": today}})
	cell := rows["EMPLOYMENT_OR_TRAINING_AT_EXIT"].Total

	ended, counts := 0, 0
	after := any(nil)
	for {
		var d struct {
			Beneficiaries struct {
				Nodes []struct {
					Phase    string
					Outcomes []struct {
						Kind         model.OutcomeKind
						ContractType *model.ContractType
						StartsOn     model.Date
						EndsOn       *model.Date
					}
					Exits []struct {
						Kind                                   string
						ExitedOn                               string
						EmploymentSituation, TrainingSituation *string
					}
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		env.MustDo(coordinator, `query($after: String) { beneficiaries(first: 100, after: $after, filter: {phases: [EXITED, FOLLOW_UP, CLOSED]}) {
			nodes { phase exits { kind exitedOn employmentSituation trainingSituation }
				outcomes { kind contractType startsOn endsOn } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"after": after}, &d)
		for _, b := range d.Beneficiaries.Nodes {
			last := b.Exits[0]
			for _, x := range b.Exits {
				if x.ExitedOn > last.ExitedOn {
					last = x
				}
			}
			ended++
			switch last.Kind {
			case "EXIT":
				if model.ExitSituationCounts(model.EmploymentSituation(*last.EmploymentSituation), model.TrainingSituation(*last.TrainingSituation)) {
					counts++
				}
			case "EXCLUSION":
				var os []model.Outcome
				for _, o := range b.Outcomes {
					os = append(os, model.Outcome{Kind: o.Kind, ContractType: o.ContractType, StartsOn: o.StartsOn, EndsOn: o.EndsOn})
				}
				on, err := model.ParseDate(last.ExitedOn)
				if err != nil {
					t.Fatal(err)
				}
				if model.InEmploymentOrTrainingOn(os, on) {
					counts++
				}
			}
		}
		if !d.Beneficiaries.PageInfo.HasNextPage {
			break
		}
		after = d.Beneficiaries.PageInfo.EndCursor
	}
	if ended < 20 || counts == 0 {
		t.Fatalf("demo: %d ended journeys, %d in employment or training on the forms", ended, counts)
	}
	expectCell(t, "EMPLOYMENT_OR_TRAINING_AT_EXIT", cell, intp(counts), intp(ended))
}
