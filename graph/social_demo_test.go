package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The demo data covers every phase and every alert.
func TestDemo_CoversEveryPhaseAndAlert(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	var d struct {
		Beneficiaries struct {
			TotalCount int
			Nodes      []struct {
				Phase  string
				Alerts []struct{ Kind string }
			}
		}
		CollectiveActions struct{ TotalCount int }
	}
	env.MustDo(coord, `{ beneficiaries(first: 100) { totalCount nodes { phase alerts { kind } } } collectiveActions { totalCount } }`, nil, &d)
	phases, alerts := map[string]bool{}, map[string]bool{}
	for _, n := range d.Beneficiaries.Nodes {
		phases[n.Phase] = true
		for _, a := range n.Alerts {
			alerts[a.Kind] = true
		}
	}
	for _, p := range model.AllJourneyPhase {
		if !phases[string(p)] {
			t.Errorf("no demo beneficiary in phase %s", p)
		}
	}
	for _, a := range model.AllAlertKind {
		if !alerts[string(a)] {
			t.Errorf("no demo beneficiary with alert %s", a)
		}
	}
	if d.CollectiveActions.TotalCount < 3 {
		t.Errorf("collective actions: %d", d.CollectiveActions.TotalCount)
	}
}
