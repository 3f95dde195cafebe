package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// overviewEnv is the demo territory on 2026-06-15 with hand-built journeys, alerts,
// orientations, offers and network animation instead of the demo's.
func overviewEnv(t *testing.T) (*graphtest.Env, *indicatorData) {
	t.Helper()
	env := socialEnv(t, "2026-06-15")
	d := newIndicatorData(t, env)
	d.exec(t, `TRUNCATE offers, network_events, emerging_needs CASCADE`)
	for _, name := range []string{"A", "B", "C", "D", "E", "F", "G"} {
		d.add(t, journeySpec{name: name, referred: "2025-01-10", welcome: "2025-01-20"})
	}
	d.add(t, journeySpec{name: "I", dept: "38", referred: "2026-03-01", cir: "2026-03-01"})
	d.add(t, journeySpec{name: "X", referred: "2024-01-10", welcome: "2024-01-20", exitOn: "2026-01-10", exitKind: "EXIT", exitReason: "GOALS_REACHED"})
	d.exec(t, `UPDATE beneficiaries SET phase = 'EXITED' WHERE id = $1`, d.ids["X"])
	alert := func(name, kind, from, due string) {
		d.exec(t, `INSERT INTO beneficiary_alerts (beneficiary_id, kind, active_from, due_on) VALUES ($1, $2, $3, $4)`,
			d.ids[name], kind, from, null(due))
	}
	alert("A", "WELCOME_INTERVIEW_OVERDUE", "2026-05-01", "2026-04-30")
	alert("I", "WELCOME_INTERVIEW_OVERDUE", "2026-04-02", "2026-04-01")
	alert("B", "CONTRACT_NOT_SIGNED", "2026-06-01", "2026-05-31")
	alert("B", "EVALUATION_DUE", "2026-06-20", "2026-06-20") // not yet active
	alert("C", "EVALUATION_DUE", "2026-06-10", "2026-06-10")
	alert("D", "JOURNEY_LIMIT_NEAR", "2026-05-01", "2026-07-01")
	alert("E", "JOURNEY_LIMIT_NEAR", "2026-03-01", "2026-05-01") // past its limit: REACHED instead
	alert("E", "JOURNEY_LIMIT_REACHED", "2026-05-02", "2026-05-01")
	alert("F", "HOUSING_REFUSALS", "2026-04-01", "")
	alert("X", "FOLLOW_UP_DUE", "2026-04-10", "2026-04-10")

	d.orient(t, "A", "2026-05-17", "2026-06-01", "")           // overdue
	d.orient(t, "B", "2026-06-05", "2026-06-20", "")           // pending, not overdue
	d.orient(t, "C", "2026-04-16", "2026-05-01", "2026-04-20") // answered

	var social, counsellor string
	db := env.Store.DB()
	if err := db.Get(&social, `SELECT id FROM staff_members WHERE email = 'social_worker@demo.agir.local'`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&counsellor, `SELECT id FROM staff_members WHERE email = 'insertion_counsellor@demo.agir.local'`); err != nil {
		t.Fatal(err)
	}
	assign := func(name, kind, staff string) {
		d.exec(t, `INSERT INTO referent_assignments (beneficiary_id, kind, staff_member_id, assigned_at, assigned_by)
			VALUES ($1, $2, $3, now(), 'test')`, d.ids[name], kind, staff)
	}
	for _, n := range []string{"A", "B", "G", "X"} { // X has exited: not in the caseload
		assign(n, "SOCIAL_WORKER", social)
	}
	assign("C", "INSERTION_COUNSELLOR", counsellor)

	// Needs: French for A and B, childcare for A (pre-diagnostic barriers); housing for C
	// (welcome diagnostic); A's housing axis has no needs.
	diag := func(name, barriers string) {
		d.exec(t, `INSERT INTO professional_diagnostics (beneficiary_id, assessed_on, education_level, barriers, author_subject, created_at)
			VALUES ($1, '2026-02-01', 'PRIMARY', $2::jsonb, 'test', now())`, d.ids[name], barriers)
	}
	diag("A", `[{"kind": "FRENCH", "severity": "HIGH"}, {"kind": "CHILDCARE", "severity": "LOW"}]`)
	diag("B", `[{"kind": "FRENCH", "severity": "MEDIUM"}]`)
	axis := func(name, ax, needs string) {
		d.exec(t, `INSERT INTO diagnostic_axes (beneficiary_id, axis, situation, needs, assessed_on, updated_at)
			VALUES ($1, $2, 'situation', $3, '2025-01-20', now())`, d.ids[name], ax, needs)
	}
	axis("C", "HOUSING", "cherche un logement")
	axis("A", "HOUSING", "")

	var housingTheme string
	if err := db.Get(&housingTheme, `SELECT value FROM di_closed_values WHERE list = 'thematiques' AND value LIKE 'logement-hebergement--%' ORDER BY value LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	offer := func(name, theme, status, verified string, capacity any) {
		d.exec(t, `INSERT INTO offers (structure_id, nom, description, thematiques, status, department, update_frequency_months,
				verified_at, date_maj, capacite, created_at, updated_at)
			VALUES ($1, $2, 'description de l''offre', ARRAY[$3], $4, '69', 6, $5::timestamptz, $5::date, $6, $5::timestamptz, $5::timestamptz)`,
			d.partner, name, theme, status, verified, capacity)
	}
	offer("Cours de français", "lecture-ecriture-calcul--maitriser-le-francais", "PUBLISHED", "2025-01-01", 1) // stale
	offer("Logement accompagné", housingTheme, "PUBLISHED", "2026-05-01", nil)
	offer("Atelier brouillon", "lecture-ecriture-calcul--maitriser-le-francais", "DRAFT", "2024-01-01", 30)

	d.exec(t, `INSERT INTO collective_actions (department, theme, starts_at, place, capacity, created_at) VALUES
		('69', 'Atelier CV', '2026-06-20 10:00+02', 'Lyon', 10, now()), ('69', 'Atelier logement', '2026-08-01 10:00+02', 'Lyon', 10, now()),
		('38', 'Atelier isérois', '2026-06-18 10:00+02', 'Grenoble', 10, now())`)
	d.exec(t, `INSERT INTO network_events (kind, title, theme, starts_at, departments) VALUES
		('MEETING', 'Comité local', 'EMPLOYMENT', '2026-06-25 14:00+02', '{69}'), ('MEETING', 'Comité passé', 'EMPLOYMENT', '2026-06-01 14:00+02', '{69}')`)
	d.exec(t, `INSERT INTO emerging_needs (description, theme, department, reported_at, beneficiaries_concerned, status) VALUES
		('Garde d''enfants pendant les cours', 'FRENCH', '69', '2026-05-01', 4, 'IDENTIFIED'),
		('Transport vers les zones d''emploi', 'MOBILITY', '69', '2026-04-01', 6, 'ADDRESSED')`)
	return env, d
}

type overviewOut struct {
	NetworkOverview struct {
		Departments     []string
		Today           string
		JourneysByPhase []struct {
			Phase string
			Count int
		}
		Alerts []struct {
			Kind  string
			Count int
			Items []struct {
				Beneficiary *struct{ ID string }
				Structure   *struct{ Name string }
				Offer       *struct{ Name string }
				Since       string
				DueOn       *string
			}
		}
		Caseloads []struct {
			Referent       struct{ Email string }
			Kind           string
			ActiveJourneys int
			WithAlerts     int
		}
		PartnerActivity []struct {
			Structure            struct{ Name string }
			OrientationsReceived int
			OrientationsAnswered int
			OrientationsOverdue  int
			OffersPublished      int
			OffersUpdated        int
			OffersStale          int
		}
		UpcomingCollectiveActions []struct{ Theme string }
		UpcomingNetworkEvents     []struct{ Title string }
		OpenEmergingNeeds         []struct{ Description string }
		NeedsGap                  []struct {
			Need                  string
			Beneficiaries         int
			Offers                int
			Places                int
			OffersWithoutCapacity int
			Missing               bool
		}
	}
}

const overviewQuery = `query($t: [String!], $first: Int) { networkOverview(territory: $t, alertItems: $first) {
	departments today journeysByPhase { phase count }
	alerts { kind count items { beneficiary { id } structure { name } offer { name } since dueOn } }
	caseloads { referent { email } kind activeJourneys withAlerts }
	partnerActivity { structure { name } orientationsReceived orientationsAnswered orientationsOverdue offersPublished offersUpdated offersStale }
	upcomingCollectiveActions { theme } upcomingNetworkEvents { title } openEmergingNeeds { description }
	needsGap { need beneficiaries offers places offersWithoutCapacity missing } } }`

func TestNetworkOverview(t *testing.T) {
	env, d := overviewEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)

	t.Run("OK", func(t *testing.T) {
		var out overviewOut
		env.MustDo(coordinator, overviewQuery, map[string]any{"first": 1}, &out)
		o := out.NetworkOverview
		if o.Today != "2026-06-15" || len(o.Departments) != 2 {
			t.Errorf("today %s, departments %v", o.Today, o.Departments)
		}
		phases := map[string]int{}
		for _, p := range o.JourneysByPhase {
			phases[p.Phase] = p.Count
		}
		if len(o.JourneysByPhase) != len(model.AllJourneyPhase) || phases["WELCOMED"] != 8 || phases["EXITED"] != 1 || phases["CLOSED"] != 0 {
			t.Errorf("phases = %v", phases)
		}
		want := map[string]struct {
			count int
			first string // the first item: a beneficiary's name, or an offer's
		}{
			"WELCOME_INTERVIEW_OVERDUE": {2, "I"}, // A and I; I since 2026-04-02 first
			"CONTRACT_NOT_SIGNED":       {1, "B"},
			"EVALUATION_DUE":            {1, "C"}, // B's is not active before 2026-06-20
			"JOURNEY_LIMIT_NEAR":        {1, "D"}, // E's near-limit gave way
			"JOURNEY_LIMIT_REACHED":     {1, "E"},
			"EXCLUSION_RISK":            {1, "F"},
			"FOLLOW_UP_DUE":             {1, "X"},
			"ORIENTATION_UNANSWERED":    {1, "A"}, // B's deadline is not passed, C's answered
			"STALE_OFFER":               {1, "Cours de français"},
		}
		if len(o.Alerts) != len(model.AllNetworkAlertKind) {
			t.Fatalf("alert groups = %d", len(o.Alerts))
		}
		for _, g := range o.Alerts {
			w := want[g.Kind]
			if g.Count != w.count || len(g.Items) != 1 {
				t.Errorf("%s: %d alerts, %d items; want %d", g.Kind, g.Count, len(g.Items), w.count)
				continue
			}
			it := g.Items[0]
			switch {
			case g.Kind == "STALE_OFFER":
				if it.Offer == nil || it.Offer.Name != w.first || it.Structure == nil || it.Structure.Name != "Mission locale de Lyon" ||
					it.Since != "2025-07-02" || *it.DueOn != "2025-07-01" {
					t.Errorf("%s: %+v", g.Kind, it)
				}
			case it.Beneficiary == nil || it.Beneficiary.ID != model.GlobalID("Beneficiary", d.ids[w.first]):
				t.Errorf("%s: first item %+v, want %s", g.Kind, it.Beneficiary, w.first)
			case g.Kind == "ORIENTATION_UNANSWERED" && (it.Structure == nil || it.Since != "2026-06-02"):
				t.Errorf("%s: %+v", g.Kind, it)
			}
		}
		caseloads := map[string][2]int{}
		for _, c := range o.Caseloads {
			caseloads[c.Referent.Email+"/"+c.Kind] = [2]int{c.ActiveJourneys, c.WithAlerts}
		}
		if len(caseloads) != 2 || caseloads["social_worker@demo.agir.local/SOCIAL_WORKER"] != [2]int{3, 2} ||
			caseloads["insertion_counsellor@demo.agir.local/INSERTION_COUNSELLOR"] != [2]int{1, 1} {
			t.Errorf("caseloads = %v", caseloads) // A, B (alerts), G (none); X exited
		}
		if len(o.Caseloads) == 2 && o.Caseloads[0].ActiveJourneys != 3 {
			t.Errorf("caseloads not busiest first: %+v", o.Caseloads)
		}
		pa := o.PartnerActivity
		if len(pa) == 0 || pa[0].Structure.Name != "Mission locale de Lyon" || pa[0].OrientationsReceived != 3 ||
			pa[0].OrientationsAnswered != 1 || pa[0].OrientationsOverdue != 1 || pa[0].OffersPublished != 2 ||
			pa[0].OffersUpdated != 1 || pa[0].OffersStale != 1 {
			t.Errorf("partner activity = %+v", pa[0])
		}
		if len(o.UpcomingCollectiveActions) != 2 || o.UpcomingCollectiveActions[0].Theme != "Atelier isérois" {
			t.Errorf("collective actions = %+v", o.UpcomingCollectiveActions)
		}
		if len(o.UpcomingNetworkEvents) != 1 || o.UpcomingNetworkEvents[0].Title != "Comité local" {
			t.Errorf("network events = %+v", o.UpcomingNetworkEvents)
		}
		if len(o.OpenEmergingNeeds) != 1 {
			t.Errorf("open needs = %+v", o.OpenEmergingNeeds)
		}
	})

	t.Run("OKNeedsGap", func(t *testing.T) {
		var out overviewOut
		env.MustDo(coordinator, overviewQuery, nil, &out)
		gap := map[string][5]int{}
		for _, g := range out.NetworkOverview.NeedsGap {
			missing := 0
			if g.Missing {
				missing = 1
			}
			gap[g.Need] = [5]int{g.Beneficiaries, g.Offers, g.Places, g.OffersWithoutCapacity, missing}
		}
		for need, w := range map[string][5]int{
			"FRENCH":     {2, 1, 1, 0, 1}, // A, B; one offer of one place (the draft does not count)
			"CHILDCARE":  {1, 0, 0, 0, 1}, // A; no offer
			"HOUSING":    {1, 1, 0, 1, 0}, // C; an offer of unknown capacity: not known to be missing
			"EMPLOYMENT": {0, 0, 0, 0, 0},
		} {
			if gap[need] != w {
				t.Errorf("%s: got %v, want %v", need, gap[need], w)
			}
		}
		if g := out.NetworkOverview.NeedsGap; len(g) != len(model.AllNeedKind) || !g[0].Missing || !g[1].Missing || g[2].Missing {
			t.Errorf("missing needs not first: %+v", g)
		}
	})

	t.Run("OKTerritoryNarrowed", func(t *testing.T) {
		var out overviewOut
		env.MustDo(coordinator, overviewQuery, map[string]any{"t": []string{"38"}}, &out)
		for _, g := range out.NetworkOverview.Alerts {
			if (g.Kind == "WELCOME_INTERVIEW_OVERDUE") != (g.Count == 1) {
				t.Errorf("38: %s %d", g.Kind, g.Count)
			}
		}
	})

	t.Run("ErrOutsideTerritory", func(t *testing.T) {
		r := env.Do(coordinator, overviewQuery, map[string]any{"t": []string{"75"}})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})

	t.Run("ErrNotCoordinator", func(t *testing.T) {
		for _, role := range []model.Role{model.RoleAnalyst, model.RoleStateRepresentative, model.RoleSocialWorker} {
			r := env.Do(demoPrincipal(t, env, role), `{ networkOverview { today } }`, nil)
			if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
				t.Errorf("%s: errors = %+v", role, r.Errors)
			}
		}
	})
}

// The network indicators on the hand-built animation of overviewEnv.
func TestIndicatorsNetwork(t *testing.T) {
	env, d := overviewEnv(t)
	var past string
	if err := env.Store.DB().Get(&past, `SELECT id FROM network_events WHERE title = 'Comité passé'`); err != nil {
		t.Fatal(err)
	}
	d.exec(t, `INSERT INTO network_event_participants (event_id, structure_id, invited, attended) VALUES
		($1, $2, true, true), ($1, $3, true, true), ($1, (SELECT id FROM structures WHERE name = 'CAF du Rhône'), true, false)`,
		past, d.partner, d.social)
	d.exec(t, `INSERT INTO network_event_participants (event_id, structure_id, invited, attended)
		SELECT id, $1, true, NULL FROM network_events WHERE title = 'Comité local'`, d.partner)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	names := []string{"NETWORK_EVENTS_HELD", "EVENT_PARTICIPATIONS", "EMERGING_NEEDS_OPEN", "EMERGING_NEEDS_ADDRESSED", "OFFERS_UP_TO_DATE"}
	period := map[string]any{"from": "2026-01-01", "to": "2026-06-15"}

	t.Run("OK", func(t *testing.T) {
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": period, "names": names})
		expectCell(t, "NETWORK_EVENTS_HELD", rows["NETWORK_EVENTS_HELD"].Total, intp(1), nil)   // the committee of 25 June is to come
		expectCell(t, "EVENT_PARTICIPATIONS", rows["EVENT_PARTICIPATIONS"].Total, intp(2), nil) // the CAF was absent
		expectCell(t, "EMERGING_NEEDS_OPEN", rows["EMERGING_NEEDS_OPEN"].Total, intp(1), nil)
		expectCell(t, "EMERGING_NEEDS_ADDRESSED", rows["EMERGING_NEEDS_ADDRESSED"].Total, intp(1), nil)
		expectCell(t, "OFFERS_UP_TO_DATE", rows["OFFERS_UP_TO_DATE"].Total, intp(1), intp(2)) // the draft does not count
		// Before the needs were reported: none.
		rows = indicatorRows(t, env, coordinator, map[string]any{"period": map[string]any{"from": "2026-01-01", "to": "2026-03-31"},
			"names": names})
		expectCell(t, "EMERGING_NEEDS_OPEN", rows["EMERGING_NEEDS_OPEN"].Total, intp(0), nil)
		expectCell(t, "NETWORK_EVENTS_HELD", rows["NETWORK_EVENTS_HELD"].Total, intp(0), nil)
	})

	t.Run("OKByStructure", func(t *testing.T) {
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": period, "names": names, "breakdown": "STRUCTURE"})
		got := map[string]int{}
		for _, c := range rows["EVENT_PARTICIPATIONS"].Cells {
			got[*c.Key] = *c.Numerator
		}
		if len(got) != 2 || got[d.partner] != 1 || got[d.social] != 1 {
			t.Errorf("participations by structure = %v", got)
		}
		if c := rows["OFFERS_UP_TO_DATE"].Cells; len(c) != 1 || *c[0].Key != d.partner || *c[0].Label != "Mission locale de Lyon" ||
			*c[0].Numerator != 1 || *c[0].Denominator != 2 {
			t.Errorf("offers up to date by partner = %+v", c)
		}
		if r := rows["NETWORK_EVENTS_HELD"]; r.Breakdown != nil || len(r.Cells) != 0 {
			t.Errorf("events by structure (not applicable) = %+v", r)
		}
	})

	t.Run("OKNotSuppressedForAnalysts", func(t *testing.T) {
		rows := indicatorRows(t, env, demoPrincipal(t, env, model.RoleAnalyst), map[string]any{"period": period, "names": names})
		expectCell(t, "NETWORK_EVENTS_HELD", rows["NETWORK_EVENTS_HELD"].Total, intp(1), nil)
	})
}

// A referent's caseload counts as "with alerts" exactly the journeys of its list that
// show an alert, orientation alerts included (issue 17, defect 7).
func TestCaseload_WithAlertsIsTheListsCount(t *testing.T) {
	env := demoEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	// a journey whose only alert is an orientation left unanswered past its deadline
	key := insertBeneficiary(t, env, "Samira", "Haddad", "69", 90)
	_, counsellorKey, _ := model.ParseGlobalID(staffID(t, env, "insertion_counsellor@demo.agir.local"))
	if _, err := env.Store.DB().Exec(`INSERT INTO referent_assignments (beneficiary_id, kind, staff_member_id, assigned_at, assigned_by)
		VALUES ($1, 'INSERTION_COUNSELLOR', $2, now(), 'test')`, key, counsellorKey); err != nil {
		t.Fatal(err)
	}
	orient(t, env, ic, map[string]any{"beneficiaryId": model.GlobalID("Beneficiary", key), "kind": "INSERTION_SCHEME",
		"structureId": model.GlobalID("Structure", structureKeyNamed(t, env, "Mission locale")),
		"purpose":     "Entrée en chantier d'insertion", "orientedOn": dayFromToday(env, -20)})
	var o struct {
		NetworkOverview struct {
			Caseloads []struct {
				Referent                   struct{ ID, Email string }
				Kind                       string
				ActiveJourneys, WithAlerts int
			}
		}
	}
	env.MustDo(coordinator, `{ networkOverview { caseloads { referent { id email } kind activeJourneys withAlerts } } }`, nil, &o)
	if len(o.NetworkOverview.Caseloads) == 0 {
		t.Fatal("no caseload in the demo")
	}
	inProgress := model.PhasesInProgress()
	onlyOrientation := 0
	for _, c := range o.NetworkOverview.Caseloads {
		var l struct {
			Beneficiaries struct {
				TotalCount int
				Nodes      []struct{ Alerts []struct{ Kind string } }
			}
		}
		env.MustDo(coordinator, `query($r: ID!, $p: [JourneyPhase!]) { beneficiaries(first: 100, filter: {referentId: $r, phases: $p}) {
			totalCount nodes { alerts { kind } } } }`, map[string]any{"r": c.Referent.ID, "p": inProgress}, &l)
		if l.Beneficiaries.TotalCount > 100 {
			t.Fatalf("%s: caseload over one page (%d)", c.Referent.Email, l.Beneficiaries.TotalCount)
		}
		withAlerts := 0
		for _, n := range l.Beneficiaries.Nodes {
			if len(n.Alerts) > 0 {
				withAlerts++
			}
			if len(n.Alerts) == 1 && n.Alerts[0].Kind == string(model.AlertKindOrientationUnanswered) {
				onlyOrientation++
			}
		}
		if c.ActiveJourneys != l.Beneficiaries.TotalCount || c.WithAlerts != withAlerts {
			t.Errorf("%s (%s): caseload %d journeys, %d with alerts; list %d, %d with alerts",
				c.Referent.Email, c.Kind, c.ActiveJourneys, c.WithAlerts, l.Beneficiaries.TotalCount, withAlerts)
		}
	}
	if onlyOrientation == 0 {
		t.Fatal("the demo has no journey whose only alert is an unanswered orientation: the test cannot fail")
	}
}
