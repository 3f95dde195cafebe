package graph_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
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

// TestTimeline_OrientationStepsKeepTheirInstant: each step of an orientation is dated in
// the timeline by the moment it was recorded, which a later act does not move: an
// answer recorded before another orientation was sent stays before it once the first
// orientation has started and ended (it used to take the orientation's last change).
func TestTimeline_OrientationStepsKeepTheirInstant(t *testing.T) {
	env := demoEnv(t)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	partner := demoPrincipal(t, env, model.RolePartnerEditor) // Mission locale de Lyon
	mission := model.GlobalID("Structure", structureKeyNamed(t, env, "Mission locale"))
	bid := model.GlobalID("Beneficiary", insertBeneficiary(t, env, "Amina", "Rahimi", "69", 60))
	day := env.Store.Now().In(model.Paris)
	at := func(hour int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, model.Paris)
	}
	clock := func(hour int) { env.Store.Now = func() time.Time { return at(hour) } }

	clock(8)
	o, ue := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "JOB_SEARCH_SUPPORT", "structureId": mission,
		"purpose": "Accompagnement vers l'emploi"})
	if ue.code() != "" {
		t.Fatalf("orient: %+v", ue)
	}
	clock(9)
	if got := respond(t, env, partner, map[string]any{"orientationId": o.ID, "version": o.Version, "answer": "ACCEPTED"}); got.UserErrors.code() != "" {
		t.Fatalf("accept: %+v", got)
	}
	clock(10)
	if _, ue := orient(t, env, ic, map[string]any{"beneficiaryId": bid, "kind": "FRENCH_COURSE", "structureId": mission,
		"purpose": "Cours de français à visée professionnelle"}); ue.code() != "" {
		t.Fatalf("second orientation: %+v", ue)
	}
	clock(11)
	if got := setStatus(t, env, ic, map[string]any{"orientationId": o.ID, "version": o.Version + 1, "status": "STARTED"}); got.UserErrors.code() != "" {
		t.Fatalf("start: %+v", got)
	}
	clock(12)
	if got := setStatus(t, env, ic, map[string]any{"orientationId": o.ID, "version": o.Version + 2, "status": "COMPLETED"}); got.UserErrors.code() != "" {
		t.Fatalf("complete: %+v", got)
	}

	var out struct {
		Beneficiary struct {
			Timeline []struct {
				RecordedAt time.Time
				Kind       string
				Summary    string
			}
		}
	}
	env.MustDo(ic, `query($id: ID!) { beneficiary(id: $id) { timeline { recordedAt kind summary } } }`, map[string]any{"id": bid}, &out)
	var got []string
	for _, e := range out.Beneficiary.Timeline {
		if e.Kind == "ORIENTATION" {
			what, _, _ := strings.Cut(e.Summary, " :")
			got = append(got, fmt.Sprintf("%s %s", e.RecordedAt.In(model.Paris).Format("15h"), what))
		}
	}
	want := []string{"08h Orientation envoyée", "09h Orientation acceptée", "10h Orientation envoyée",
		"11h Orientation démarrée", "12h Orientation terminée"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("orientation steps\n got %q\nwant %q", got, want)
	}
}
