package graph_test

import (
	"fmt"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The indicators issue 17 asks for, on the hand-built journeys of indicatorEnv (today
// 2026-06-15) and a few more, every figure computed by hand below.
func TestIndicatorsProgramme(t *testing.T) {
	env, d := indicatorEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	// Entries of 2025 beside G (entered 2025-01-20, excluded 2026-01-20): K exits with its
	// goals reached, L moves away, M withdraws, all within 6 months.
	for _, j := range []journeySpec{
		{name: "K", referred: "2025-01-20", welcome: "2025-02-01", exitOn: "2025-05-01", exitKind: "EXIT", exitReason: "GOALS_REACHED"},
		{name: "L", referred: "2025-01-25", welcome: "2025-02-05", exitOn: "2025-04-01", exitKind: "EXIT", exitReason: "MOVED_AWAY"},
		{name: "M", referred: "2025-02-10", welcome: "2025-03-01", exitOn: "2025-06-01", exitKind: "EXIT", exitReason: "WITHDRAWAL"},
	} {
		d.add(t, j)
	}
	// French levels: E from A1 to A2 by its exit (the B1 comes after it), F from below A1
	// to B1, G assessed once at A1.
	for _, l := range [][3]string{{"E", "A1", "2024-02-01"}, {"E", "A2", "2025-06-01"}, {"E", "B1", "2026-03-01"},
		{"F", "BELOW_A1", "2024-07-01"}, {"F", "B1", "2026-01-10"}, {"G", "A1", "2025-02-01"}} {
		d.exec(t, `INSERT INTO french_levels (beneficiary_id, level, assessed_on, source, author_subject, created_at)
			VALUES ($1, $2, $3, 'TRAINING_BODY', 'test', now())`, d.ids[l[0]], l[1], l[2])
	}
	// Convocations: A came, B and C did not, I's interview is not recorded, D's is to come.
	for _, c := range [][3]string{{"A", "2026-01-15", "HELD"}, {"B", "2026-02-10", "NO_SHOW"}, {"C", "2026-03-05", "NO_SHOW"},
		{"I", "2026-01-20", ""}, {"D", "2026-06-20", "PLANNED"}} {
		var conv string
		if err := env.Store.DB().Get(&conv, `INSERT INTO convocations (beneficiary_id, appointment_at, address, handed_over_on, created_at)
			VALUES ($1, ($2::date + time '10:00') AT TIME ZONE 'Europe/Paris', '1 rue de la République, Lyon', $2::date - 7, now()) RETURNING id`,
			d.ids[c[0]], c[1]); err != nil {
			t.Fatal(err)
		}
		if c[2] != "" {
			d.exec(t, `INSERT INTO interviews (beneficiary_id, convocation_id, kind, medium, planned_at, status, held_on, author_subject,
					created_at, updated_at)
				VALUES ($1, $2, 'WELCOME', 'IN_PERSON', ($3::date + time '10:00') AT TIME ZONE 'Europe/Paris', $4,
					CASE WHEN $4 = 'HELD' THEN $3::date END, 'test', now(), now())`, d.ids[c[0]], conv, c[1], c[2])
		}
	}
	// An orientation of G refused in January (A's and B's were accepted in Q1).
	d.exec(t, `INSERT INTO orientations (beneficiary_id, kind, structure_id, purpose, oriented_on, answer_due_on, status, answered_on,
			refusal_category, refusal_reason, oriented_by_subject, created_at, updated_at)
		VALUES ($1, 'QUALIFYING_TRAINING', $2, 'formation', '2026-01-05', '2026-01-20', 'REFUSED', '2026-01-15', 'NO_CAPACITY', 'complet', 'test', now(), now())`,
		d.ids["G"], d.partner)
	// F's 3-month follow-up: seeking a job, in a French course, in permanent housing.
	d.exec(t, `INSERT INTO follow_ups (beneficiary_id, exit_id, stage, due_on, held_on, housing_situation, employment_situation,
			training_situation, created_at)
		SELECT $1, id, 'THREE_MONTHS', '2026-06-01', '2026-06-01', 'PERMANENT_HOUSING', 'JOB_SEEKING', 'FRENCH_COURSE', now()
		FROM journey_exits WHERE beneficiary_id = $1`, d.ids["F"])

	year := func(y string) map[string]any { return map[string]any{"from": y + "-01-01", "to": y + "-12-31"} }
	t.Run("OKRetentionCohorts", func(t *testing.T) {
		names := []string{"RETENTION_6_MONTHS", "RETENTION_12_MONTHS"}
		for _, c := range []struct {
			what        string
			period      map[string]any
			six, twelve [2]int
		}{
			// G retained at 6 months (excluded after), not at 12 (excluded on the day);
			// K exited positively; L moved away (left out); M withdrew.
			{"2025", year("2025"), [2]int{2, 3}, [2]int{1, 3}},
			// The cohort of February 2025: K (L moved away).
			{"2025-02", map[string]any{"from": "2025-02-01", "to": "2025-02-28"}, [2]int{1, 1}, [2]int{1, 1}},
			// E and F still in their journey, H re-opened by its reintegration.
			{"2024", year("2024"), [2]int{3, 3}, [2]int{3, 3}},
			// A, B and I entered in Q1 2026: their 6 months are not over (immature).
			{"2026-T1", q1, [2]int{0, 0}, [2]int{0, 0}},
			{"2020 (empty)", year("2020"), [2]int{0, 0}, [2]int{0, 0}},
		} {
			rows := indicatorRows(t, env, coordinator, map[string]any{"period": c.period, "names": names})
			expectCell(t, c.what+" 6 months", rows["RETENTION_6_MONTHS"].Total, intp(c.six[0]), intp(c.six[1]))
			expectCell(t, c.what+" 12 months", rows["RETENTION_12_MONTHS"].Total, intp(c.twelve[0]), intp(c.twelve[1]))
		}
	})

	t.Run("OKOutcomes", func(t *testing.T) {
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": q1})
		// Ended in Q1: E, F, G.
		expectCell(t, "FRENCH_A2_AT_EXIT", rows["FRENCH_A2_AT_EXIT"].Total, intp(2), intp(3)) // E A2, F B1; G A1
		expectCell(t, "FRENCH_B1_AT_EXIT", rows["FRENCH_B1_AT_EXIT"].Total, intp(1), intp(3)) // F
		if c := rows["FRENCH_LEVELS_GAINED_MEDIAN"].Total; c.Value == nil || *c.Value != 2 || *c.Denominator != 2 || c.Numerator != nil {
			t.Errorf("levels gained: %+v, want the median of E's 1 and F's 3 over 2", c) // G has one assessment
		}
		// Follow-ups at 3 months: E in a CDI; F in a French course and permanent housing,
		// which count for durability but not for employment or training.
		expectCell(t, "DURABILITY_3_MONTHS", rows["DURABILITY_3_MONTHS"].Total, intp(2), intp(2))
		expectCell(t, "EMPLOYMENT_DURABILITY_3_MONTHS", rows["EMPLOYMENT_DURABILITY_3_MONTHS"].Total, intp(1), intp(2))
		expectCell(t, "EMPLOYMENT_DURABILITY_6_MONTHS", rows["EMPLOYMENT_DURABILITY_6_MONTHS"].Total, intp(0), intp(0)) // immature
		// Convocations: B and C missed, A came; I's interview is not recorded.
		expectCell(t, "CONVOCATION_NO_SHOW", rows["CONVOCATION_NO_SHOW"].Total, intp(2), intp(3))
		// Orientations answered in Q1: A and B accepted, G's refused.
		expectCell(t, "ORIENTATION_ACCEPTANCE", rows["ORIENTATION_ACCEPTANCE"].Total, intp(2), intp(3))
		rows = indicatorRows(t, env, coordinator, map[string]any{"period": q1, "breakdown": "STRUCTURE",
			"names": []string{"ORIENTATION_ACCEPTANCE", "ORIENTATION_ANSWER_DELAY_MEDIAN"}})
		if c := rows["ORIENTATION_ACCEPTANCE"].Cells; len(c) != 1 || *c[0].Key != d.partner || *c[0].Numerator != 2 || *c[0].Denominator != 3 {
			t.Errorf("acceptance by partner: %+v", c)
		}
		// Answered in 9, 19 and 10 days: the partner's median is 10.
		if c := rows["ORIENTATION_ANSWER_DELAY_MEDIAN"].Cells; len(c) != 1 || *c[0].Value != 10 {
			t.Errorf("delay by partner: %+v", c)
		}
		// Nothing in 2020.
		rows = indicatorRows(t, env, coordinator, map[string]any{"period": year("2020")})
		for _, n := range []string{"FRENCH_A2_AT_EXIT", "CONVOCATION_NO_SHOW", "ORIENTATION_ACCEPTANCE", "EMPLOYMENT_DURABILITY_3_MONTHS"} {
			expectCell(t, n+" 2020", rows[n].Total, intp(0), intp(0))
		}
		if c := rows["FRENCH_LEVELS_GAINED_MEDIAN"].Total; c.Value != nil || *c.Denominator != 0 {
			t.Errorf("levels gained of nobody: %+v", c)
		}
	})

	t.Run("OKEndedByReason", func(t *testing.T) {
		// The 60 % by reason of the end: E's goals reached (in a CDI), F's withdrawal, G's
		// exclusion (in training on the day); the rows of journeys in progress are not cells.
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": q1, "breakdown": "REASON",
			"names": []string{"EMPLOYMENT_OR_TRAINING_AT_EXIT", "FRENCH_A2_AT_EXIT", "ENTRIES"}})
		got := map[string]string{}
		for _, c := range rows["EMPLOYMENT_OR_TRAINING_AT_EXIT"].Cells {
			got[*c.Key+"|"+*c.Label] = show(c.Numerator) + "/" + show(c.Denominator)
		}
		want := map[string]string{"GOALS_REACHED|Objectifs atteints": "1/1", "WITHDRAWAL|Abandon": "0/1", "NON_ADHERENCE|Non-adhésion": "1/1"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("by reason: %v, want %v", got, want)
		}
		expectCell(t, "total", rows["EMPLOYMENT_OR_TRAINING_AT_EXIT"].Total, intp(2), intp(3))
		if r := rows["ENTRIES"]; r.Breakdown != nil || len(r.Cells) != 0 {
			t.Errorf("entries by reason: %+v", r)
		}
	})

	t.Run("OKSuppressedForAnalysts", func(t *testing.T) {
		analyst := demoPrincipal(t, env, model.RoleAnalyst)
		rows := indicatorRows(t, env, analyst, map[string]any{"period": year("2025"), "names": []string{"RETENTION_6_MONTHS", "RETENTION_12_MONTHS"}})
		rows2 := indicatorRows(t, env, analyst, map[string]any{"period": q1, "names": []string{"CONVOCATION_NO_SHOW", "FRENCH_LEVELS_GAINED_MEDIAN"}})
		for name, c := range map[string]cellOut{"RETENTION_6_MONTHS": rows["RETENTION_6_MONTHS"].Total,
			"CONVOCATION_NO_SHOW": rows2["CONVOCATION_NO_SHOW"].Total, "FRENCH_LEVELS_GAINED_MEDIAN": rows2["FRENCH_LEVELS_GAINED_MEDIAN"].Total} {
			if !c.Suppressed || c.Value != nil || c.Numerator != nil || c.Denominator != nil {
				t.Errorf("%s shown to an analyst: %+v", name, c)
			}
		}
	})

	t.Run("OKDefinitions", func(t *testing.T) {
		var out struct {
			IndicatorDefinitions []struct {
				Name, Label, Description, Unit string
				Denominator, Maturity          *string
			}
		}
		env.MustDo(coordinator, `{ indicatorDefinitions { name label description unit denominator maturity } }`, nil, &out)
		got := map[string]bool{}
		for _, d := range out.IndicatorDefinitions {
			got[d.Name] = d.Label != "" && d.Description != "" && d.Denominator != nil
		}
		for _, n := range []string{"RETENTION_6_MONTHS", "RETENTION_12_MONTHS", "FRENCH_LEVELS_GAINED_MEDIAN", "FRENCH_A2_AT_EXIT",
			"FRENCH_B1_AT_EXIT", "CONVOCATION_NO_SHOW", "ORIENTATION_ACCEPTANCE", "EMPLOYMENT_DURABILITY_3_MONTHS", "EMPLOYMENT_DURABILITY_6_MONTHS"} {
			if !got[n] {
				t.Errorf("%s: not defined, or without label, description or denominator", n)
			}
		}
	})
}
