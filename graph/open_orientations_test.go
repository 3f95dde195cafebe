package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestBeneficiary_OpenOrientationCount: a beneficiary's open orientations (pending,
// accepted or started) are counted as the orientations list says, on a page and on one
// record, and a page reads the count for all its rows in one statement (5 rows or 20
// cost the same).
func TestBeneficiary_OpenOrientationCount(t *testing.T) {
	env, counter := countedDemoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	// Close one orientation of the demo, so that open and all differ somewhere.
	if _, err := env.Store.DB().Exec(`UPDATE orientations SET status = 'REFUSED', refusal_category = 'NO_CAPACITY', refusal_reason = 'Complet', answered_on = oriented_on
		WHERE id = (SELECT id FROM orientations WHERE status = 'PENDING' ORDER BY id LIMIT 1)`); err != nil {
		t.Fatalf("close an orientation: %v", err)
	}
	type node struct {
		ID                   string
		OpenOrientationCount int
		Orientations         []struct{ Status string }
	}
	query := `query($n: Int!) { beneficiaries(first: $n) { nodes { id openOrientationCount orientations { status } } } }`
	page := func(n int) ([]node, int64) {
		var d struct{ Beneficiaries struct{ Nodes []node } }
		mark := counter.start()
		env.MustDo(coord, query, map[string]any{"n": n}, &d)
		used, _ := counter.since(mark)
		return d.Beneficiaries.Nodes, used
	}
	small, usedSmall := page(5)
	nodes, used := page(20)
	if len(small) != 5 || len(nodes) < 10 {
		t.Fatalf("%d and %d nodes", len(small), len(nodes))
	}
	// The page, the counts, the orientations: the same for 5 rows and for 20.
	if usedSmall != used || used > 3 {
		t.Fatalf("statements: %d for 5 rows, %d for %d", usedSmall, used, len(nodes))
	}
	open, differs := 0, 0
	for _, n := range nodes {
		want := 0
		for _, o := range n.Orientations {
			if o.Status == "PENDING" || o.Status == "ACCEPTED" || o.Status == "STARTED" {
				want++
			}
		}
		if n.OpenOrientationCount != want {
			t.Fatalf("%s: %d open orientations, want %d (%+v)", n.ID, n.OpenOrientationCount, want, n.Orientations)
		}
		open += want
		if want != len(n.Orientations) {
			differs++
		}
	}
	if open == 0 || differs == 0 {
		t.Fatalf("the data does not exercise the count: %d open, %d beneficiaries with closed orientations", open, differs)
	}
	// One record answers the same.
	var rec struct {
		Beneficiary struct{ OpenOrientationCount int }
	}
	for _, n := range nodes {
		if n.OpenOrientationCount == 0 {
			continue
		}
		env.MustDo(coord, `query($id: ID!) { beneficiary(id: $id) { openOrientationCount } }`, map[string]any{"id": n.ID}, &rec)
		if rec.Beneficiary.OpenOrientationCount != n.OpenOrientationCount {
			t.Fatalf("%s: %d on its record, %d on the page", n.ID, rec.Beneficiary.OpenOrientationCount, n.OpenOrientationCount)
		}
		break
	}
}
