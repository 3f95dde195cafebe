package graph

import (
	"context"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestJoinGroupFetches: the social timeline and the professional one merge per
// beneficiary, ordered by day then recording instant.
func TestJoinGroupFetches(t *testing.T) {
	at := func(day int, kind model.TimelineEventKind) model.TimelineEvent {
		return model.TimelineEvent{On: model.NewDate(2026, 3, day), RecordedAt: time.Date(2026, 3, day, 10, 0, 0, 0, time.UTC), Kind: kind}
	}
	social := func(context.Context, *model.Principal, []string) (map[string][]model.TimelineEvent, error) {
		return map[string][]model.TimelineEvent{"a": {at(1, model.TimelineEventKindReferred), at(9, model.TimelineEventKindContractSigned)}}, nil
	}
	professional := func(context.Context, *model.Principal, []string) (map[string][]model.TimelineEvent, error) {
		return map[string][]model.TimelineEvent{"a": {at(5, model.TimelineEventKindFrenchLevel)}, "b": {at(2, model.TimelineEventKindOutcome)}}, nil
	}
	m, err := joinGroupFetches(timelineLess, social, professional)(context.Background(), nil, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	a := m["a"]
	if len(a) != 3 || a[0].Kind != model.TimelineEventKindReferred || a[1].Kind != model.TimelineEventKindFrenchLevel ||
		a[2].Kind != model.TimelineEventKindContractSigned || len(m["b"]) != 1 {
		t.Fatalf("merged: %+v", m)
	}
	alerts := []model.Alert{{Since: model.NewDate(2026, 3, 4)}, {Since: model.NewDate(2026, 3, 1)}}
	if !alertsLess(alerts[1], alerts[0]) {
		t.Fatal("alerts order")
	}
}
