package graph_test

import (
	"reflect"
	"strings"
	"testing"
)

// TestTimeline_TiesInAFixedOrder: a timeline is ordered by day, then recording instant,
// then kind; acts of one kind recorded at the same instant (two household members joining
// in one act, the referents of a binôme) by their summary, and the steps of one
// orientation recorded together in their order (sent, answered, started, ended). The same
// question gets the same answer: such ties came back in varying order from one request
// to the next.
func TestTimeline_TiesInAFixedOrder(t *testing.T) {
	env := demoEnv(t)
	coord := principal(t, env, "coordinator@demo.agir.local")
	type event struct{ On, RecordedAt, Kind, Summary string }
	type answer struct {
		Beneficiaries struct{ Nodes []struct{ Timeline []event } }
	}
	const query = `{ beneficiaries(first: 100) { nodes { timeline { on recordedAt kind summary } } } }`
	var first answer
	env.MustDo(coord, query, nil, &first)
	step := func(summary string) int {
		for i, words := range [][]string{{"envoyée"}, {"acceptée", "refusée"}, {"démarrée"}, {"terminée", "abandonnée"}} {
			for _, w := range words {
				if strings.HasPrefix(summary, "Orientation "+w+" :") {
					return i
				}
			}
		}
		t.Fatalf("an orientation step not known to the test: %q", summary)
		return 0
	}
	ties, orientationTies := 0, 0
	for _, b := range first.Beneficiaries.Nodes {
		for i := 1; i < len(b.Timeline); i++ {
			p, e := b.Timeline[i-1], b.Timeline[i]
			if p.On > e.On || p.On == e.On && p.RecordedAt > e.RecordedAt {
				t.Fatalf("out of order: %+v then %+v", p, e)
			}
			if p.On != e.On || p.RecordedAt != e.RecordedAt || p.Kind != e.Kind {
				continue
			}
			if e.Kind != "ORIENTATION" {
				ties++
				if p.Summary > e.Summary {
					t.Errorf("a tie not ordered by summary: %+v then %+v", p, e)
				}
				continue
			}
			_, pWhat, _ := strings.Cut(p.Summary, " : ")
			_, eWhat, _ := strings.Cut(e.Summary, " : ")
			if pWhat == eWhat {
				orientationTies++
				if step(p.Summary) > step(e.Summary) {
					t.Errorf("an orientation's steps out of order: %q then %q", p.Summary, e.Summary)
				}
			}
		}
	}
	if ties == 0 || orientationTies == 0 {
		t.Fatalf("ties %d, orientation steps recorded together %d: the demo no longer has both, the test checks nothing", ties, orientationTies)
	}
	for range 3 {
		var again answer
		env.MustDo(coord, query, nil, &again)
		if !reflect.DeepEqual(again, first) {
			t.Fatal("the same question, another answer")
		}
	}
}
