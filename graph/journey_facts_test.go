package graph_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// journeyFactsAgree checks that the journey facts the acts keep (journey_facts) are
// exactly those recomputed from the acts: every journey re-derived with
// model.DeriveJourney matches its stored state, every facts row matches the row rebuilt
// from the acts, every indicator computed from the facts equals the one computed from
// the acts, and the network overview (alerts by kind, phases, caseloads) equals what
// Beneficiary.alerts and .phase show one by one.
func journeyFactsAgree(t *testing.T, env *graphtest.Env, coord *model.Principal, step string) {
	t.Helper()
	ctx := context.Background()
	rep, err := env.Store.CheckJourneyFacts(ctx)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if rep.JourneysChanged != 0 || rep.FactsChanged != 0 {
		t.Fatalf("%s: %+v", step, rep)
	}

	// Indicators: facts against acts, every indicator, monthly and over the whole span,
	// under several breakdowns.
	today := model.DateOf(env.Store.Now())
	var periods []db.IndicatorPeriod
	first := model.NewDate(2026, 1, 1)
	for m := first; !m.After(today); m = m.AddDate(0, 1, 0) {
		periods = append(periods, db.IndicatorPeriod{From: m, To: m.AddDate(0, 1, -1)})
	}
	periods = append(periods, db.IndicatorPeriod{From: first, To: today})
	breakdowns := []*model.Breakdown{ptr(model.BreakdownDepartment), ptr(model.BreakdownStructure),
		ptr(model.BreakdownReferent), ptr(model.BreakdownReason), ptr(model.BreakdownCohortQuarter), ptr(model.BreakdownSex)}
	for _, bd := range []*model.Breakdown{nil, breakdowns[len(step)%len(breakdowns)]} { // the total and one breakdown, in turn
		q := db.IndicatorQuery{Names: model.AllIndicatorName, Periods: periods, Breakdown: bd, Scope: db.IndicatorScope{National: true}}
		facts, _, _, err := env.Store.Indicators(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		q.FromActs = true
		acts, _, _, err := env.Store.Indicators(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if !reflect.DeepEqual(facts, acts) {
			t.Fatalf("%s: indicators (breakdown %v) from the facts differ from the acts:\n%v\n%v", step, bd, facts, acts)
		}
	}

	// The overview against the beneficiaries one by one.
	ov, err := env.Store.NetworkOverview(ctx, coord, []string{"69"}, 1000)
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	var keys []string
	if err := env.Store.DB().Select(&keys, `SELECT id FROM beneficiaries WHERE department = '69'`); err != nil {
		t.Fatal(err)
	}
	alerts, err := env.Store.AlertsByBeneficiaries(ctx, coord, keys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for k, as := range alerts {
		for _, a := range as {
			want[string(a.Kind)] = append(want[string(a.Kind)], k)
		}
	}
	for _, g := range ov.Alerts {
		kind := model.AlertKind(g.Kind) // the journey alerts keep their names, but for the exclusion risk
		if g.Kind == model.NetworkAlertKindExclusionRisk {
			kind = model.AlertKindHousingRefusals
		}
		if !kind.IsValid() || kind == model.AlertKindOrientationUnanswered {
			continue
		}
		var got []string
		for _, it := range g.Items {
			got = append(got, *it.BeneficiaryKey)
		}
		sort.Strings(got)
		w := want[string(kind)]
		sort.Strings(w)
		if g.Count != len(w) || !reflect.DeepEqual(got, w) {
			t.Fatalf("%s: overview %s: %d %v, want %d %v", step, g.Kind, g.Count, got, len(w), w)
		}
	}
	var phases []struct {
		Phase model.JourneyPhase `db:"phase"`
		N     int                `db:"n"`
	}
	if err := env.Store.DB().Select(&phases, `SELECT phase, count(*) AS n FROM beneficiaries WHERE department = '69' GROUP BY phase`); err != nil {
		t.Fatal(err)
	}
	byPhase := map[model.JourneyPhase]int{}
	for _, p := range phases {
		byPhase[p.Phase] = p.N
	}
	for _, pc := range ov.JourneysByPhase {
		if pc.Count != byPhase[pc.Phase] {
			t.Fatalf("%s: overview phase %s: %d, want %d", step, pc.Phase, pc.Count, byPhase[pc.Phase])
		}
	}
	ori, err := env.Store.OrientationAlertsByBeneficiaries(ctx, coord, keys)
	if err != nil {
		t.Fatal(err)
	}
	var assignments []struct {
		Staff string `db:"staff_member_id"`
		Kind  string `db:"kind"`
		Key   string `db:"beneficiary_id"`
		Phase string `db:"phase"`
	}
	if err := env.Store.DB().Select(&assignments, `SELECT ra.staff_member_id, ra.kind, ra.beneficiary_id, b.phase
		FROM referent_assignments ra JOIN beneficiaries b ON b.id = ra.beneficiary_id WHERE ra.ended_at IS NULL AND b.department = '69'`); err != nil {
		t.Fatal(err)
	}
	type load struct{ active, alerted int }
	wantLoads := map[string]load{}
	for _, a := range assignments {
		if !model.JourneyPhase(a.Phase).InProgress() {
			continue
		}
		l := wantLoads[a.Staff+"/"+a.Kind]
		l.active++
		if len(alerts[a.Key])+len(ori[a.Key]) > 0 {
			l.alerted++
		}
		wantLoads[a.Staff+"/"+a.Kind] = l
	}
	gotLoads := map[string]load{}
	for _, c := range ov.Caseloads {
		gotLoads[fmt.Sprintf("%s/%s", c.ReferentKey, c.Kind)] = load{c.ActiveJourneys, c.WithAlerts}
	}
	if !reflect.DeepEqual(gotLoads, wantLoads) {
		t.Fatalf("%s: caseloads %v, want %v", step, gotLoads, wantLoads)
	}
}

func ptr[T any](v T) *T { return &v }

// TestJourneyFacts_RandomActs is the exactness property of the journey facts (issue
// 19): random sequences of acts (fixed seed, days moving forward, acts the rules refuse
// included) through the Store's real acts, and after each step the facts, every
// indicator, the overview and the caseloads agree with a full recomputation from the
// acts (journeyFactsAgree). Days pass without acts too: alerts falling due on their own
// must show on their day.
func TestJourneyFacts_RandomActs(t *testing.T) {
	env := socialEnv(t, "2026-01-05")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sr := demoPrincipal(t, env, model.RoleStateRepresentative)
	workers := []string{staffID(t, env, "social_worker@demo.agir.local"), staffID(t, env, "amina.diallo@arsl.demo.agir.local")}
	rnd := rand.New(rand.NewPCG(19, 2026))
	day := model.NewDate(2026, 1, 5)
	setDay := func(d model.Date) {
		day = d
		setToday(env, d.String())
	}
	pick := func(xs ...string) string { return xs[rnd.IntN(len(xs))] }
	var ids []string
	const journeys, steps = 10, 200
	accepted := map[string]int{}
	for i := 0; i < steps; i++ {
		setDay(day.AddDate(0, 0, rnd.IntN(9)))
		d := day.String()
		if len(ids) < journeys && (len(ids) == 0 || rnd.IntN(8) == 0) {
			in := referral(fmt.Sprintf("OFII-69-FACTS-%d", i))
			in["referredOn"], in["cirSignedOn"] = d, day.AddDate(0, 0, -rnd.IntN(20)).String()
			in["protectionGrantedOn"] = day.AddDate(0, 0, -100).String()
			ids = append(ids, refer(t, env, sw, in))
			accepted["referBeneficiary"]++
			journeyFactsAgree(t, env, coord, fmt.Sprintf("step %d (refer)", i))
			continue
		}
		id := ids[rnd.IntN(len(ids))]
		// lastExit returns the day of the journey's last exit, if any.
		lastExit := func(id string) []model.Date {
			var exited []model.Date
			_, key, _ := model.ParseGlobalID(id)
			if err := env.Store.DB().Select(&exited, `SELECT exited_on FROM journey_exits WHERE beneficiary_id = $1 ORDER BY seq DESC LIMIT 1`, key); err != nil {
				t.Fatal(err)
			}
			return exited
		}
		// before is a day before today, before the last exit when there is one (the
		// outcome and French level indicators count what was there by the end).
		before := func() string {
			from := day
			if e := lastExit(id); len(e) == 1 {
				from = e[0]
			}
			return from.AddDate(0, 0, -rnd.IntN(30)).String()
		}
		var name string
		var ues []userError
		try := func(p *model.Principal, n string, input map[string]any, sel string) map[string]any {
			name = n
			var payload map[string]any
			payload, ues = act(t, env, p, n, input, sel)
			return payload
		}
		// Half of the time, the act that follows in the journey (so that every phase is
		// reached); else any act, which the rules may refuse.
		kind := rnd.IntN(16)
		if rnd.IntN(2) == 0 {
			var phase string
			_, key, _ := model.ParseGlobalID(id)
			if err := env.Store.DB().Get(&phase, `SELECT phase FROM beneficiaries WHERE id = $1`, key); err != nil {
				t.Fatal(err)
			}
			next := map[string][]int{"REFERRED": {0}, "CONVOKED": {0}, "WELCOMED": {2, 3, 3, 4, 5},
				"CONTRACTED": {5, 6, 7, 8, 9, 9, 9, 13, 14}, "REINTEGRATED": {5, 8, 9, 13}, "EXITED": {5, 11, 11, 12, 13, 14}, "FOLLOW_UP": {11, 11, 12, 13}}[phase]
			if len(next) > 0 {
				kind = next[rnd.IntN(len(next))]
			}
		}
		switch kind {
		case 0, 1:
			try(sw, "convokeBeneficiary", map[string]any{"beneficiaryId": id, "appointmentAt": d + "T09:30:00+01:00", "address": "ARSL"}, "")
			if len(ues) == 0 {
				b := get(t, env, sw, id, "interviews { id version kind status }")
				for _, x := range b["interviews"].([]any) {
					iv := x.(map[string]any)
					if iv["kind"] == "WELCOME" && iv["status"] == "PLANNED" && rnd.IntN(3) > 0 {
						try(sw, "recordInterview", map[string]any{"interviewId": iv["id"], "version": iv["version"], "status": pick("HELD", "HELD", "NO_SHOW")}, "")
					}
				}
			}
		case 2:
			try(sw, "recordDiagnostic", map[string]any{"beneficiaryId": id, "axes": []any{
				map[string]any{"axis": "RIGHTS", "situation": "a"}, map[string]any{"axis": "HOUSING", "situation": "b"},
				map[string]any{"axis": "EMPLOYMENT", "situation": "c"}, map[string]any{"axis": "TRAINING", "situation": "d"}}}, "")
		case 3:
			try(sw, "addPlanAction", map[string]any{"beneficiaryId": id, "axis": "RIGHTS", "objectiveTitle": "Ouvrir les droits", "title": "Demande CSS"}, "")
		case 4:
			try(sw, "signEngagementContract", map[string]any{"beneficiaryId": id, "signedOn": d, "consentRecorded": true}, "")
		case 5:
			try(sw, "recordEvaluation", evaluation(id, pick("ENTRY", "ENTRY", "MID_COURSE", "EXIT"), d), "")
		case 6:
			try(sw, "recordHousingProposal", map[string]any{"beneficiaryId": id, "proposedOn": d, "offer": "T2 Lyon 7e",
				"outcome": "REFUSED", "decidedOn": d, "refusalReason": "trop loin"}, "")
		case 7:
			try(sw, "recordRightsStep", map[string]any{"beneficiaryId": id, "kind": pick("HEALTH_INSURANCE", "BANK_ACCOUNT", "FAMILY_BENEFITS"),
				"status": "DONE", "completedOn": d, "version": 0}, "")
		case 8, 9:
			try(sw, "exitJourney", map[string]any{"beneficiaryId": id, "exitedOn": d, "reason": pick("GOALS_REACHED", "MOVED_AWAY", "WITHDRAWAL", "OTHER"),
				"housingSituation": pick("PERMANENT_HOUSING", "HOSTED"), "employmentSituation": pick("PERMANENT_CONTRACT", "JOB_SEEKING"),
				"trainingSituation": pick("NONE", "QUALIFYING_TRAINING")}, "")
		case 10:
			try(coord, "excludeBeneficiary", map[string]any{"beneficiaryId": id, "excludedOn": d, "reason": pick("TWO_HOUSING_REFUSALS", "NON_ADHERENCE")}, "")
		case 11:
			// The follow-up due day after the last exit: jump there (the clock moves on).
			// The next follow-up, on a day near its due day (the clock jumps there).
			for _, fu := range []struct {
				stage  string
				months int
			}{{"THREE_MONTHS", 3}, {"SIX_MONTHS", 6}} {
				if exited := lastExit(id); len(exited) == 1 {
					if due := exited[0].AddMonthsClamped(fu.months).AddDate(0, 0, rnd.IntN(20)-10); due.After(day) {
						setDay(due)
					}
				}
				try(ic, "recordFollowUp", followUp(id, fu.stage, day.String()), "")
				if len(ues) == 0 || ues[0].Code != "ALREADY_EXISTS" {
					break
				}
			}
		case 12:
			try(sr, "reintegrateBeneficiary", map[string]any{"beneficiaryId": id, "reintegratedOn": d, "until": day.AddMonthsClamped(6).String(),
				"reason": "accord du préfet"}, "")
		case 13:
			in := map[string]any{"beneficiaryId": id, "kind": pick("EMPLOYMENT", "QUALIFYING_TRAINING", "FRANCE_TRAVAIL_REGISTRATION"),
				"startsOn": before()}
			if in["kind"] == "EMPLOYMENT" {
				in["contractType"], in["weeklyHours"], in["jobTitle"] = pick("CDI", "TEMPORARY"), 35, "Agent"
			}
			if in["kind"] == "QUALIFYING_TRAINING" {
				in["trainingTitle"] = "CAP"
			}
			try(ic, "recordOutcome", in, "")
		case 14:
			try(coord, "recordFrenchLevel", map[string]any{"beneficiaryId": id, "level": pick("BELOW_A1", "A1", "A2", "B1"),
				"assessedOn": before(), "source": "OFII_CIR_TEST"}, "")
		case 15:
			try(coord, "assignReferents", map[string]any{"beneficiaryId": id, "socialWorkerId": workers[rnd.IntN(len(workers))]}, "")
		}
		if len(ues) == 0 {
			accepted[name]++
		}
		journeyFactsAgree(t, env, coord, fmt.Sprintf("step %d (%s on %s, refused: %v)", i, name, day, ues))
	}
	t.Logf("acts accepted: %v", accepted)
	for _, n := range []string{"convokeBeneficiary", "recordInterview", "signEngagementContract", "recordEvaluation", "exitJourney",
		"recordFollowUp", "recordOutcome", "recordFrenchLevel", "recordHousingProposal"} {
		if accepted[n] == 0 {
			t.Errorf("no %s accepted: the sequence does not exercise it", n)
		}
	}
}

// TestJourneyFacts_AlertFallsDueWithoutAct: an alert that falls due without any act (the
// welcome interview not held a month after the CIR) shows on its day in the overview,
// the caseload and the list's alert filter, and not the day before: the facts store the
// day, today is compared when read.
func TestJourneyFacts_AlertFallsDueWithoutAct(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	in := referral("OFII-69-2026-DUE")
	in["cirSignedOn"], in["referredOn"] = "2026-02-20", "2026-03-02"
	id := refer(t, env, sw, in)
	mustAct(t, env, coord, "assignReferents", map[string]any{"beneficiaryId": id,
		"socialWorkerId": staffID(t, env, "social_worker@demo.agir.local")}, "beneficiary { id }")
	count := func() (overview, withAlerts, listed int) {
		t.Helper()
		ov, err := env.Store.NetworkOverview(context.Background(), coord, []string{"69"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range ov.Alerts {
			if g.Kind == model.NetworkAlertKindWelcomeInterviewOverdue {
				overview = g.Count
			}
		}
		for _, c := range ov.Caseloads {
			withAlerts += c.WithAlerts
		}
		var d struct {
			Beneficiaries struct{ TotalCount int }
		}
		env.MustDo(coord, `{ beneficiaries(filter: {alert: WELCOME_INTERVIEW_OVERDUE}) { totalCount } }`, nil, &d)
		return overview, withAlerts, d.Beneficiaries.TotalCount
	}
	// Due on 2026-03-20 (a month after the CIR): the alert starts the next day.
	setToday(env, "2026-03-20")
	if o, w, l := count(); o != 0 || w != 0 || l != 0 {
		t.Fatalf("on the due day: overview %d, caseload %d, list %d; want none", o, w, l)
	}
	env.Store.Now = func() time.Time { return time.Date(2026, 3, 21, 8, 0, 0, 0, model.Paris) }
	if o, w, l := count(); o != 1 || w != 1 || l != 1 {
		t.Fatalf("the day after: overview %d, caseload %d, list %d; want 1 each", o, w, l)
	}
}

// fillJourneyFacts writes the facts of every journey, for fixtures that write the acts'
// rows directly instead of through the acts (as the seed does).
func fillJourneyFacts(t testing.TB, env *graphtest.Env) {
	t.Helper()
	ctx := context.Background()
	if err := env.Store.WithTx(ctx, func(tx *db.Tx) error { return tx.FillJourneyFacts(ctx, env.Store.Params) }); err != nil {
		t.Fatal(err)
	}
}
