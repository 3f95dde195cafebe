package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Every breakdown runs on the demo, and the cells of a count partition its total.
func TestIndicatorsDemoBreakdowns(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	for _, b := range model.AllBreakdown {
		rows := indicatorRows(t, env, p, map[string]any{"breakdown": b, "period": map[string]any{"from": "2024-01-01"}})
		if len(rows) != len(model.AllIndicatorName) {
			t.Fatalf("%s: %d rows", b, len(rows))
		}
		for _, name := range []string{"REFERRALS", "ACTIVE_JOURNEYS", "EXITS"} {
			r := rows[name]
			cohort := b == model.BreakdownCohortMonth || b == model.BreakdownCohortQuarter || b == model.BreakdownCohortYear
			if (r.Breakdown != nil) != ((b != model.BreakdownReason || name == "EXITS") && !(cohort && name == "REFERRALS")) {
				t.Errorf("%s by %s: breakdown %v", name, b, r.Breakdown)
			}
			if r.Breakdown == nil {
				continue
			}
			sum := 0
			for _, c := range r.Cells {
				sum += *c.Numerator
			}
			if sum != *r.Total.Numerator || sum == 0 {
				t.Errorf("%s by %s: cells sum to %d, total %d", name, b, sum, *r.Total.Numerator)
			}
		}
	}
}
