package graph_test

import (
	"fmt"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The coordinator's Monday view on the hand-built journeys of indicatorEnv: today is
// Monday 2026-06-15, the week runs to Sunday 2026-06-21, the 12 weeks from 2026-03-30. The territory asked is the
// Rhône: I (Isère) is outside it.
func TestCoordinatorWeek(t *testing.T) {
	env, d := indicatorEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	// Due this week: A's evaluation on Thursday (its alert not active yet); not B's
	// follow-up at the end of the month. D's orientation answers on Thursday; G's was
	// refused on 1 June; C's and I's are pending (due 20 March, overdue, and 25 June).
	d.exec(t, `INSERT INTO beneficiary_alerts (beneficiary_id, kind, active_from, due_on) VALUES
		($1, 'EVALUATION_DUE', '2026-06-17', '2026-06-18'), ($2, 'FOLLOW_UP_DUE', '2026-06-25', '2026-06-30')`, d.ids["A"], d.ids["B"])
	d.orient(t, "D", "2026-06-08", "2026-06-18", "")
	d.exec(t, `INSERT INTO orientations (beneficiary_id, kind, structure_id, purpose, oriented_on, answer_due_on, status, answered_on,
			refusal_category, refusal_reason, oriented_by_subject, created_at, updated_at)
		VALUES ($1, 'QUALIFYING_TRAINING', $2, 'formation', '2026-05-25', '2026-06-05', 'REFUSED', '2026-06-01', 'NO_CAPACITY', 'complet', 'test', now(), now())`,
		d.ids["G"], d.partner)
	var offers int
	if err := env.Store.DB().Get(&offers, `WITH u AS (UPDATE offers SET capacite = 1 WHERE structure_id = $1 AND status = 'PUBLISHED' RETURNING 1)
		SELECT count(*) FROM u`, d.partner); err != nil || offers == 0 {
		t.Fatalf("partner's offers: %d %v", offers, err)
	}
	type week struct {
		NetworkOverview struct {
			Week struct {
				From, To    string
				DueThisWeek []struct {
					Kind  string
					Count int
					Items []struct {
						Beneficiary *struct{ ID string }
						DueOn       string
					}
				}
				Partners []partnerWeek
				Trends   []struct {
					From                                                        string
					Referrals, Entries, Ends, Orientations, OrientationsRefused int
				}
			}
		}
	}
	const q = `{ networkOverview(territory: ["69"]) { week { from to
		dueThisWeek { kind count items { beneficiary { id } dueOn } }
		partners { structure { id name } orientationsReceived orientationsAnswered orientationsRefused orientationsPending
			orientationsInProgress refusalRate places capacityUnknown saturated refusalsByReason { reason label count } }
		trends { from referrals entries ends orientations orientationsRefused } } } }`
	var out week
	env.MustDo(coordinator, q, nil, &out)
	w := out.NetworkOverview.Week
	if w.From != "2026-06-15" || w.To != "2026-06-21" {
		t.Errorf("week %s..%s", w.From, w.To)
	}
	due := map[string]string{}
	for _, g := range w.DueThisWeek {
		if g.Count > 0 {
			due[g.Kind] = fmt.Sprintf("%d %s", g.Count, g.Items[0].DueOn)
		}
	}
	if fmt.Sprint(due) != "map[EVALUATION_DUE:1 2026-06-18 ORIENTATION_UNANSWERED:1 2026-06-18]" || len(w.DueThisWeek) != len(model.AllNetworkAlertKind) {
		t.Errorf("due this week: %v (%d kinds)", due, len(w.DueThisWeek))
	}
	var partner *partnerWeek
	for i, p := range w.Partners {
		if p.Structure.Name == "Mission locale de Lyon" {
			partner = &w.Partners[i]
		}
	}
	if partner == nil {
		t.Fatalf("partner not listed: %+v", w.Partners)
	}
	// Since 30 March: received D's (8 June) and G's (25 May); answered and refused G's;
	// pending C and D; in progress A and B (accepted).
	p := *partner
	if p.OrientationsReceived != 2 || p.OrientationsAnswered != 1 || p.OrientationsRefused != 1 || p.OrientationsPending != 2 ||
		p.OrientationsInProgress != 2 || p.RefusalRate == nil || *p.RefusalRate != 1 {
		t.Errorf("partner: %+v", p)
	}
	// G's refusal was for want of places (« plus de place »); every reason is listed, the
	// most frequent first, then in the order of the closed list.
	byReason := []string{}
	for _, r := range p.RefusalsByReason {
		byReason = append(byReason, fmt.Sprintf("%s:%d", r.Reason, r.Count))
	}
	if fmt.Sprint(byReason) != "[NO_CAPACITY:1 PUBLIC_NOT_ELIGIBLE:0 OFFER_NOT_SUITED:0 BENEFICIARY_UNREACHABLE:0 BENEFICIARY_DECLINED:0 DUPLICATE:0 OTHER:0]" ||
		p.RefusalsByReason[0].Label != "Plus de place" {
		t.Errorf("refusals by reason: %v %+v", byReason, p.RefusalsByReason)
	}
	if p.CapacityUnknown || p.Places == nil || *p.Places != offers || p.Saturated == nil || *p.Saturated != (2 >= offers) {
		t.Errorf("partner's capacity with %d places: %+v", offers, p)
	}
	// 12 weeks, the current one last: D referred the week of 1 June, G's refusal that
	// week, its orientation the week of 25 May, D's the week of 8 June.
	if len(w.Trends) != 12 || w.Trends[0].From != "2026-03-30" || w.Trends[11].From != "2026-06-15" {
		t.Fatalf("trends: %+v", w.Trends)
	}
	got := map[string]string{}
	for _, tr := range w.Trends {
		if tr.Referrals+tr.Entries+tr.Ends+tr.Orientations+tr.OrientationsRefused > 0 {
			got[tr.From] = fmt.Sprintf("%d %d %d %d %d", tr.Referrals, tr.Entries, tr.Ends, tr.Orientations, tr.OrientationsRefused)
		}
	}
	if fmt.Sprint(got) != "map[2026-05-25:0 0 0 1 0 2026-06-01:1 0 0 0 1 2026-06-08:0 0 0 1 0]" {
		t.Errorf("trends: %v", got)
	}
	// An offer without capacity: saturation cannot be judged (« capacité inconnue »).
	d.exec(t, `UPDATE offers SET capacite = NULL WHERE id = (SELECT id FROM offers WHERE structure_id = $1 AND status = 'PUBLISHED' LIMIT 1)`, d.partner)
	env.MustDo(coordinator, q, nil, &out)
	for _, p := range out.NetworkOverview.Week.Partners {
		if p.Structure.Name == "Mission locale de Lyon" && (!p.CapacityUnknown || p.Places != nil || p.Saturated != nil) {
			t.Errorf("capacity unknown: %+v", p)
		}
	}
}

// partnerWeek is a partner's line of the coordinator's week (networkOverview.week.partners).
type partnerWeek struct {
	Structure                                                                            struct{ ID, Name string }
	OrientationsReceived, OrientationsAnswered, OrientationsRefused, OrientationsPending int
	OrientationsInProgress                                                               int
	RefusalRate                                                                          *float64
	Places                                                                               *int
	CapacityUnknown                                                                      bool
	Saturated                                                                            *bool
	RefusalsByReason                                                                     []struct {
		Reason, Label string
		Count         int
	}
}
