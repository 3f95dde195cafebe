package graph_test

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

func TestDemoPartnership(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	var d struct {
		Offers struct{ TotalCount int }
		Stale  struct{ TotalCount int } `json:"stale"`
		NetworkEvents struct{ TotalCount int }
		EmergingNeeds struct{ TotalCount int }
		GoodPractices struct{ TotalCount int }
	}
	env.MustDo(p, `{ offers(first: 1) { totalCount } stale: offers(first: 1, filter: {freshness: STALE}) { totalCount }
		networkEvents(first: 1) { totalCount } emergingNeeds(first: 1) { totalCount } goodPractices(first: 1) { totalCount } }`, nil, &d)
	if d.Offers.TotalCount < 200 || d.Stale.TotalCount == 0 || d.Stale.TotalCount >= d.Offers.TotalCount ||
		d.NetworkEvents.TotalCount != 6 || d.EmergingNeeds.TotalCount != 6 || d.GoodPractices.TotalCount != 5 {
		t.Fatalf("demo = %+v", d)
	}
	_ = context.Background()
}
