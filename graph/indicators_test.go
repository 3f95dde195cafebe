package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// A hand-built data set for the indicators: journeys written straight into the tables
// with chosen dates (the acts' own rules are tested elsewhere), so that every expected
// numerator and denominator below is computed by hand from this list.

// journeySpec is one hand-built journey; empty strings are absent facts.
type journeySpec struct {
	name, dept, sex                  string
	referred, cir, welcome, contract string
	endsOn                           string // journey_ends_on; welcome (else referral) + 24 months - 1 day by default
	exitOn, exitKind, exitReason     string
	exitHousing                      string
	reintegratedOn, reintegratedTo   string
	outcomes                         [][4]string // kind, contract type, starts, ends
	evaluations                      []string
	followUps                        [][3]string // stage, held on, employment situation
	rightsDoneOn                     string
}

type indicatorData struct {
	env                *graphtest.Env
	social, employment string // operator structures
	partner            string
	ids                map[string]string
}

func newIndicatorData(t *testing.T, env *graphtest.Env) *indicatorData {
	t.Helper()
	d := &indicatorData{env: env, ids: map[string]string{}}
	db := env.Store.DB()
	for _, q := range []struct {
		dst  *string
		role string
	}{{&d.social, "SOCIAL_OPERATOR"}, {&d.employment, "EMPLOYMENT_OPERATOR"}} {
		if err := db.Get(q.dst, `SELECT id FROM structures WHERE agir_role = $1 ORDER BY name LIMIT 1`, q.role); err != nil {
			t.Fatalf("structure %s: %v", q.role, err)
		}
	}
	if err := db.Get(&d.partner, `SELECT id FROM structures WHERE name = 'Mission locale de Lyon'`); err != nil {
		t.Fatalf("partner: %v", err)
	}
	return d
}

func (d *indicatorData) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := d.env.Store.DB().Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	fillJourneyFacts(t, d.env) // rows written without the acts: their facts follow, as after the seed
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (d *indicatorData) add(t *testing.T, j journeySpec) {
	t.Helper()
	if j.dept == "" {
		j.dept = "69"
	}
	if j.sex == "" {
		j.sex = "FEMALE"
	}
	var id string
	err := d.env.Store.DB().Get(&id, `INSERT INTO beneficiaries (created_at, updated_at, first_name, last_name, birth_date, sex,
			nationality, protection_type, cir_signed_on, department, social_operator_id, employment_operator_id, referred_on,
			ofii_reference, admission, phase, welcome_due_on, welcome_held_on, journey_ends_on)
		VALUES (now(), now(), 'Test', $1, '1990-05-01', $2, 'afghane', 'REFUGEE', $3::date, $4, $5, $6, $7::date, $1, 'ELIGIBLE',
			'WELCOMED', (COALESCE($3::date, $7::date) + interval '1 month')::date, $8::date,
			COALESCE($9::date, (COALESCE($8::date, $7::date) + interval '24 months' - interval '1 day')::date))
		RETURNING id`, j.name, j.sex, null(j.cir), j.dept, d.social, d.employment, j.referred, null(j.welcome), null(j.endsOn))
	if err != nil {
		t.Fatalf("beneficiary %s: %v", j.name, err)
	}
	d.ids[j.name] = id
	fillJourneyFacts(t, d.env)
	if j.contract != "" {
		d.exec(t, `INSERT INTO engagement_contracts (beneficiary_id, signed_on, consent_recorded, recorded_by, created_at)
			VALUES ($1, $2, true, 'test', now())`, id, j.contract)
	}
	if j.exitOn != "" {
		var exitID string
		if err := d.env.Store.DB().Get(&exitID, `INSERT INTO journey_exits (beneficiary_id, kind, exited_on, reason, housing_situation,
				recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, 'test', now()) RETURNING id`,
			id, j.exitKind, j.exitOn, j.exitReason, null(j.exitHousing)); err != nil {
			t.Fatalf("exit: %v", err)
		}
		if j.reintegratedOn != "" {
			d.exec(t, `INSERT INTO reintegrations (beneficiary_id, exit_id, reintegrated_on, until_on, reason, approved_by, created_at)
				VALUES ($1, $2, $3, $4, 'raison', 'test', now())`, id, exitID, j.reintegratedOn, j.reintegratedTo)
		}
		for _, f := range j.followUps {
			d.exec(t, `INSERT INTO follow_ups (beneficiary_id, exit_id, stage, due_on, held_on, housing_situation,
					employment_situation, training_situation, created_at)
				VALUES ($1, $2, $3, $4, $4, 'HOSTED', $5, 'NONE', now())`, id, exitID, f[0], f[1], f[2])
		}
	}
	for _, o := range j.outcomes {
		training := any(nil)
		if o[0] == "QUALIFYING_TRAINING" {
			training = "CAP"
		}
		d.exec(t, `INSERT INTO outcomes (beneficiary_id, kind, contract_type, training_title, starts_on, ends_on, author_subject, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'test', now())`, id, o[0], null(o[1]), training, o[2], null(o[3]))
	}
	for i, stage := range j.evaluations {
		d.exec(t, `INSERT INTO evaluations (beneficiary_id, stage, evaluated_on, housing_score, employment_score, training_score,
				rights_score, created_at) VALUES ($1, $2, $3, 1, 1, 1, 1, now())`, id, stage, fmt.Sprintf("2025-0%d-01", i+1))
	}
	if j.rightsDoneOn != "" {
		d.exec(t, `INSERT INTO rights_steps (beneficiary_id, kind, status, completed_on, updated_at) VALUES ($1, 'HEALTH_INSURANCE', 'DONE', $2, now())`,
			id, j.rightsDoneOn)
	}
}

// orient adds an orientation of journey name to the partner.
func (d *indicatorData) orient(t *testing.T, name, on, due, answered string) {
	t.Helper()
	status := "PENDING"
	if answered != "" {
		status = "ACCEPTED"
	}
	d.exec(t, `INSERT INTO orientations (beneficiary_id, kind, structure_id, purpose, oriented_on, answer_due_on, status, answered_on,
			oriented_by_subject, created_at, updated_at)
		VALUES ($1, 'FRENCH_COURSE', $2, 'cours de français', $3, $4, $5, $6, 'test', now(), now())`,
		d.ids[name], d.partner, on, due, status, null(answered))
}

// indicatorJourneys is the data set; today is 2026-06-15, the period is Q1 2026.
var indicatorJourneys = []journeySpec{
	// A: welcome within the month, contract 5 days later, entry evaluation.
	{name: "A", referred: "2026-01-10", cir: "2026-01-05", welcome: "2026-01-20", contract: "2026-01-25", evaluations: []string{"ENTRY"}},
	// B: welcome late (due 2026-03-01), contract 10 days later.
	{name: "B", referred: "2026-02-01", cir: "2026-02-01", welcome: "2026-03-10", contract: "2026-03-20"},
	// C: no welcome, due 2026-04-01 passed (mature, counts against the rate).
	{name: "C", referred: "2026-03-01", cir: "2026-03-01"},
	// D: no welcome, due 2026-07-01 not passed (immature: never counted).
	{name: "D", referred: "2026-06-01", cir: "2026-06-01"},
	// E: exit in Q1 in a CDI started before, permanent housing, every evaluation, a right
	// opened, the 3-month follow-up in employment; journey past 24 months (ended 2026-01-19).
	{name: "E", referred: "2024-01-10", welcome: "2024-01-20", contract: "2024-02-01",
		exitOn: "2026-02-15", exitKind: "EXIT", exitReason: "GOALS_REACHED", exitHousing: "PERMANENT_HOUSING",
		outcomes:    [][4]string{{"EMPLOYMENT", "CDI", "2026-01-05", ""}},
		evaluations: []string{"ENTRY", "MID_COURSE", "EXIT"}, rightsDoneOn: "2025-01-01",
		followUps: [][3]string{{"THREE_MONTHS", "2026-05-20", "PERMANENT_CONTRACT"}}},
	// F: withdrawal in Q1; a short CDD ended before the exit; a qualifying training during the journey.
	{name: "F", referred: "2024-06-01", welcome: "2024-06-10", exitOn: "2026-03-01", exitKind: "EXIT", exitReason: "WITHDRAWAL",
		exitHousing: "HOSTED", outcomes: [][4]string{{"EMPLOYMENT", "CDD_UNDER_6_MONTHS", "2025-10-01", "2025-12-31"},
			{"QUALIFYING_TRAINING", "", "2025-05-01", "2025-09-01"}}},
	// G: exclusion in Q1, in qualifying training on the day.
	{name: "G", referred: "2025-01-10", welcome: "2025-01-20", exitOn: "2026-01-20", exitKind: "EXCLUSION", exitReason: "NON_ADHERENCE",
		outcomes: [][4]string{{"QUALIFYING_TRAINING", "", "2026-01-01", ""}}},
	// H: exit in Q1 re-opened by a reintegration in Q1: an exit and a reintegration, not an end.
	{name: "H", referred: "2024-03-01", welcome: "2024-03-05", endsOn: "2027-03-19", exitOn: "2026-03-15", exitKind: "EXIT",
		exitReason: "JOURNEY_LIMIT", reintegratedOn: "2026-03-20", reintegratedTo: "2027-03-19"},
	// I: Isère, welcome within the month.
	{name: "I", dept: "38", sex: "MALE", referred: "2026-01-15", cir: "2026-01-15", welcome: "2026-01-30"},
	// J: in progress past its 24 months (ended 2025-10-09).
	{name: "J", referred: "2023-10-01", welcome: "2023-10-10"},
}

// indicatorEnv is the demo territory with the hand-built journeys instead of the demo's.
func indicatorEnv(t *testing.T) (*graphtest.Env, *indicatorData) {
	t.Helper()
	env := socialEnv(t, "2026-06-15")
	d := newIndicatorData(t, env)
	for _, j := range indicatorJourneys {
		d.add(t, j)
	}
	d.orient(t, "A", "2026-02-01", "2026-02-16", "2026-02-10") // answered in 9 days, in time
	d.orient(t, "B", "2026-03-01", "2026-03-16", "2026-03-20") // 19 days, late
	d.orient(t, "C", "2026-03-05", "2026-03-20", "")           // unanswered, mature
	d.orient(t, "I", "2026-06-10", "2026-06-25", "")           // unanswered, immature
	return env, d
}

type cellOut struct {
	Key         *string
	Label       *string
	Value       *float64
	Numerator   *int
	Denominator *int
	Target      *float64
	Suppressed  bool
}

type rowOut struct {
	Indicator string
	Breakdown *string
	Total     cellOut
	Cells     []cellOut
}

const indicatorsQuery = `query($in: IndicatorsInput) { indicators(input: $in) { from to departments computedOn
	rows { indicator breakdown total { key label value numerator denominator target suppressed }
		cells { key label value numerator denominator target suppressed } } } }`

func indicatorRows(t *testing.T, env *graphtest.Env, p *model.Principal, in map[string]any) map[string]rowOut {
	t.Helper()
	var out struct {
		Indicators struct{ Rows []rowOut }
	}
	env.MustDo(p, indicatorsQuery, map[string]any{"in": in}, &out)
	m := map[string]rowOut{}
	for _, r := range out.Indicators.Rows {
		m[r.Indicator] = r
	}
	return m
}

var q1 = map[string]any{"from": "2026-01-01", "to": "2026-03-31"}

func intp(n int) *int { return &n }

// expectCell checks a shown cell: numerator and denominator (nil when not applicable).
func expectCell(t *testing.T, what string, c cellOut, num, den *int) {
	t.Helper()
	if c.Suppressed {
		t.Errorf("%s: suppressed", what)
		return
	}
	eq := func(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	if !eq(c.Numerator, num) || !eq(c.Denominator, den) {
		t.Errorf("%s: got %s/%s, want %s/%s", what, show(c.Numerator), show(c.Denominator), show(num), show(den))
	}
	switch {
	case num != nil && den != nil && *den > 0:
		want := float64(*num) / float64(*den)
		if c.Value == nil || abs(*c.Value-want) > 0.0001 {
			t.Errorf("%s: value %v, want %v", what, c.Value, want)
		}
	case num != nil && den == nil:
		if c.Value == nil || *c.Value != float64(*num) {
			t.Errorf("%s: value %v, want %d", what, c.Value, *num)
		}
	case den != nil && *den == 0:
		if c.Value != nil {
			t.Errorf("%s: value %v for an empty denominator", what, *c.Value)
		}
	}
}

func show(n *int) string {
	if n == nil {
		return "nil"
	}
	return fmt.Sprint(*n)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func days(from, to string) int {
	a, _ := model.ParseDate(from)
	b, _ := model.ParseDate(to)
	return a.DaysUntil(b)
}

func TestIndicators(t *testing.T) {
	env, d := indicatorEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)

	t.Run("OK", func(t *testing.T) {
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": q1})
		counts := map[string]int{
			"REFERRALS":           4, // A, B, C, I (D is in June)
			"ENTRIES":             3, // A, B, I
			"ACTIVE_JOURNEYS":     9, // all but D
			"EXITS":               3, // E, F, H (H's exit counts though re-opened)
			"EXCLUSIONS":          1, // G
			"REINTEGRATIONS":      1, // H
			"JOURNEYS_OVER_LIMIT": 2, // E (ended 2026-01-19, exited 2026-02-15), J
		}
		for name, n := range counts {
			expectCell(t, name, rows[name].Total, intp(n), nil)
		}
		// Ended in Q1 (last end not re-opened): E, F, G.
		rates := map[string][2]int{
			"EMPLOYMENT_OR_TRAINING_AT_EXIT": {2, 3}, // E (CDI), G (training on the day); F's CDD ended before
			"DURABLE_EMPLOYMENT_AT_EXIT":     {1, 3}, // E
			"QUALIFYING_TRAINING":            {2, 3}, // F, G
			"HOUSING_AT_EXIT":                {1, 3}, // E
			"RIGHTS_OPENED":                  {1, 3}, // E
			"RETENTION":                      {6, 8}, // entered and active: A B I E F G H J; F withdrew, G excluded
			"WELCOME_WITHIN_DELAY":           {2, 4}, // CIR in Q1: A, I in time; B late; C not held (D immature)
			"ORIENTATIONS_ANSWERED_IN_TIME":  {1, 3}, // A in time; B late; C unanswered (I immature)
			"ENTRY_EVALUATIONS":              {1, 3}, // entries A, B, I; A evaluated
			"MID_COURSE_EVALUATIONS":         {0, 0}, // no entry of Q1 is 12 months old: empty cohort
			"EXIT_EVALUATIONS":               {1, 2}, // exits E, F (G excluded); E evaluated
			"FOLLOW_UPS_3_MONTHS":            {1, 2}, // E, F due by 2026-06-01; E followed up
			"FOLLOW_UPS_6_MONTHS":            {0, 0}, // due in August and September: immature
			"DURABILITY_3_MONTHS":            {1, 1}, // E in a CDI at 3 months
			"DURABILITY_6_MONTHS":            {0, 0},
		}
		for name, nd := range rates {
			expectCell(t, name, rows[name].Total, intp(nd[0]), intp(nd[1]))
		}
		if tg := rows["EMPLOYMENT_OR_TRAINING_AT_EXIT"].Total.Target; tg == nil || *tg != 0.6 {
			t.Errorf("target = %v", tg)
		}
		medians := map[string]struct {
			value float64
			den   int
		}{
			"WELCOME_DELAY_MEDIAN":            {15, 3},                                        // A 15, B 37, I 15
			"CONTRACT_DELAY_MEDIAN":           {7.5, 2},                                       // A 5, B 10
			"ORIENTATION_ANSWER_DELAY_MEDIAN": {14, 2},                                        // A 9, B 19
			"JOURNEY_DURATION_MEDIAN":         {float64(days("2024-06-10", "2026-03-01")), 3}, // middle of E, F, G
		}
		for name, m := range medians {
			c := rows[name].Total
			if c.Value == nil || *c.Value != m.value || c.Denominator == nil || *c.Denominator != m.den || c.Numerator != nil {
				t.Errorf("%s: got %v over %s, want %v over %d", name, c.Value, show(c.Denominator), m.value, m.den)
			}
		}
		if e, f, g := days("2024-01-20", "2026-02-15"), days("2024-06-10", "2026-03-01"), days("2025-01-20", "2026-01-20"); !(e > f && f > g) {
			t.Fatalf("the middle duration is not F's: %d %d %d", e, f, g)
		}
	})

	t.Run("OKImmatureCohortExcluded", func(t *testing.T) {
		// Up to today, D's CIR is in the period but its month has not passed: not counted.
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": map[string]any{"from": "2026-01-01", "to": "2026-06-15"},
			"names": []string{"WELCOME_WITHIN_DELAY", "ORIENTATIONS_ANSWERED_IN_TIME", "REFERRALS"}})
		expectCell(t, "WELCOME_WITHIN_DELAY", rows["WELCOME_WITHIN_DELAY"].Total, intp(2), intp(4))
		expectCell(t, "ORIENTATIONS_ANSWERED_IN_TIME", rows["ORIENTATIONS_ANSWERED_IN_TIME"].Total, intp(1), intp(3))
		expectCell(t, "REFERRALS", rows["REFERRALS"].Total, intp(5), nil)
		if len(rows) != 3 {
			t.Errorf("rows = %d, want the 3 asked", len(rows))
		}
	})

	t.Run("OKEmptyCohort", func(t *testing.T) {
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": map[string]any{"from": "2020-01-01", "to": "2020-12-31"}})
		expectCell(t, "REFERRALS", rows["REFERRALS"].Total, intp(0), nil)
		expectCell(t, "EMPLOYMENT_OR_TRAINING_AT_EXIT", rows["EMPLOYMENT_OR_TRAINING_AT_EXIT"].Total, intp(0), intp(0))
		if c := rows["WELCOME_DELAY_MEDIAN"].Total; c.Value != nil || c.Denominator == nil || *c.Denominator != 0 {
			t.Errorf("median of nothing = %+v", c)
		}
	})

	t.Run("OKBreakdowns", func(t *testing.T) {
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": q1, "breakdown": "DEPARTMENT",
			"names": []string{"ENTRIES", "EXCLUSIONS", "OFFERS_UP_TO_DATE"}})
		cells := map[string]cellOut{}
		for _, c := range rows["ENTRIES"].Cells {
			cells[*c.Key] = c
		}
		expectCell(t, "ENTRIES 69", cells["69"], intp(2), nil) // A, B
		expectCell(t, "ENTRIES 38", cells["38"], intp(1), nil) // I
		if l := cells["38"].Label; l == nil || *l != "Isère" {
			t.Errorf("label of 38 = %v", l)
		}
		rows = indicatorRows(t, env, coordinator, map[string]any{"period": q1, "breakdown": "REASON",
			"names": []string{"EXITS", "ENTRIES"}})
		reasons := map[string]int{}
		for _, c := range rows["EXITS"].Cells {
			reasons[*c.Key] = *c.Numerator
		}
		if len(reasons) != 3 || reasons["GOALS_REACHED"] != 1 || reasons["WITHDRAWAL"] != 1 || reasons["JOURNEY_LIMIT"] != 1 {
			t.Errorf("exits by reason = %v", reasons)
		}
		if r := rows["ENTRIES"]; r.Breakdown != nil || len(r.Cells) != 0 || *r.Total.Numerator != 3 {
			t.Errorf("entries by reason (not applicable) = %+v", r)
		}
		rows = indicatorRows(t, env, coordinator, map[string]any{"period": q1, "breakdown": "SEX", "names": []string{"REFERRALS"}})
		sexes := map[string]int{}
		for _, c := range rows["REFERRALS"].Cells {
			sexes[*c.Key] = *c.Numerator
		}
		if sexes["FEMALE"] != 3 || sexes["MALE"] != 1 {
			t.Errorf("referrals by sex = %v", sexes)
		}
	})

	t.Run("OKPersonBreakdowns", func(t *testing.T) {
		// A lives with a spouse and a minor child; the others alone. All were 35 at referral.
		for _, m := range [][2]string{{"SPOUSE", "1991-02-03"}, {"MINOR_CHILD", "2015-06-07"}} {
			d.exec(t, `INSERT INTO household_members (beneficiary_id, relationship, first_name, last_name, birth_date, sex, nationality,
				joined_on, created_at) VALUES ($1, $2, 'Prénom', 'Nom', $3, 'FEMALE', 'afghane', '2026-01-10', now())`, d.ids["A"], m[0], m[1])
		}
		var worker string
		if err := env.Store.DB().Get(&worker, `SELECT id FROM staff_members WHERE email = 'social_worker@demo.agir.local'`); err != nil {
			t.Fatal(err)
		}
		d.exec(t, `INSERT INTO referent_assignments (beneficiary_id, kind, staff_member_id, assigned_at, assigned_by)
			VALUES ($1, 'SOCIAL_WORKER', $2, now(), 'test')`, d.ids["B"], worker)
		cells := func(b string) map[string]int {
			rows := indicatorRows(t, env, coordinator, map[string]any{"period": q1, "breakdown": b, "names": []string{"REFERRALS"}})
			m := map[string]int{}
			for _, c := range rows["REFERRALS"].Cells {
				m[*c.Key+"|"+*c.Label] = *c.Numerator
			}
			return m
		}
		for b, want := range map[string]map[string]int{
			"HOUSEHOLD": {"ALONE|Personne seule": 3, "COUPLE_WITH_CHILDREN|Couple avec enfants": 1},
			"AGE_BAND":  {"FROM_26_TO_35|26-35 ans": 4},

			"PROTECTION_TYPE": {"REFUGEE|Réfugié": 4},
			"REFERENT":        {worker + "|Karim Benali": 1, "UNKNOWN|Non renseigné": 3}, // B's referent; the others have none
		} {
			if got := cells(b); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %v, want %v", b, got, want)
			}
		}
		// Cohorts: of the entries (A and I referred in January, B in February); the
		// referrals do not break down by cohort (their series does it).
		rows := indicatorRows(t, env, coordinator, map[string]any{"period": q1, "breakdown": "COHORT_MONTH", "names": []string{"ENTRIES", "REFERRALS"}})
		got := map[string]int{}
		for _, c := range rows["ENTRIES"].Cells {
			got[*c.Key] = *c.Numerator
		}
		if fmt.Sprint(got) != "map[2026-01:2 2026-02:1]" || rows["REFERRALS"].Breakdown != nil {
			t.Errorf("entries by cohort %v; referrals by cohort %+v", got, rows["REFERRALS"])
		}
	})

	t.Run("OKAnalystReferentsPseudonymised", func(t *testing.T) {
		// Issue 15: an analyst sees that journeys are spread among referents, not who they are.
		var worker string
		if err := env.Store.DB().Get(&worker, `SELECT id FROM staff_members WHERE email = 'social_worker@demo.agir.local'`); err != nil {
			t.Fatal(err)
		}
		d.exec(t, `INSERT INTO referent_assignments (beneficiary_id, kind, staff_member_id, assigned_at, assigned_by)
			SELECT id, 'SOCIAL_WORKER', $1, now(), 'test' FROM beneficiaries b WHERE NOT EXISTS (SELECT 1 FROM referent_assignments ra
				WHERE ra.beneficiary_id = b.id AND ra.kind = 'SOCIAL_WORKER' AND ra.ended_at IS NULL)`, worker)
		defer d.exec(t, `DELETE FROM referent_assignments WHERE assigned_by = 'test' AND beneficiary_id <> $1`, d.ids["B"])
		analyst := demoPrincipal(t, env, model.RoleAnalyst)
		rows := indicatorRows(t, env, analyst, map[string]any{"period": q1, "breakdown": "REFERENT", "names": []string{"ACTIVE_JOURNEYS"}})
		cells := rows["ACTIVE_JOURNEYS"].Cells
		if len(cells) != 1 || cells[0].Suppressed || *cells[0].Numerator != 9 {
			t.Fatalf("cells = %+v", cells)
		}
		if k, l := *cells[0].Key, *cells[0].Label; k == worker || strings.Contains(l, "Karim") || !strings.HasPrefix(k, "R-") || l != "Référent "+k {
			t.Errorf("analyst's referent cell: key %q label %q", k, l)
		}
		rows = indicatorRows(t, env, coordinator, map[string]any{"period": q1, "breakdown": "REFERENT", "names": []string{"ACTIVE_JOURNEYS"}})
		if c := rows["ACTIVE_JOURNEYS"].Cells; len(c) != 1 || *c[0].Key != worker || *c[0].Label != "Karim Benali" {
			t.Errorf("coordinator's referent cell: %+v", c)
		}
	})

	t.Run("OKSuppressedForAnalysts", func(t *testing.T) {
		analyst := demoPrincipal(t, env, model.RoleAnalyst)
		rows := indicatorRows(t, env, analyst, map[string]any{"period": q1, "breakdown": "DEPARTMENT"})
		// 4 referrals: under 5, suppressed; 9 active journeys shown in total...
		if c := rows["REFERRALS"].Total; !c.Suppressed || c.Value != nil || c.Numerator != nil || c.Denominator != nil {
			t.Errorf("referrals for an analyst = %+v", c)
		}
		expectCell(t, "ACTIVE_JOURNEYS", rows["ACTIVE_JOURNEYS"].Total, intp(9), nil)
		// ...but by department 8 and 1: the 1 is suppressed, and the 8 too (it would give the 1 away).
		for _, c := range rows["ACTIVE_JOURNEYS"].Cells {
			if !c.Suppressed || c.Numerator != nil {
				t.Errorf("active journeys %s for an analyst = %+v", *c.Key, c)
			}
		}
		// A rate whose denominator is under 5 is suppressed; a zero count is shown.
		if c := rows["EMPLOYMENT_OR_TRAINING_AT_EXIT"].Total; !c.Suppressed {
			t.Errorf("rate over 3 shown: %+v", c)
		}
		expectCell(t, "MID_COURSE_EVALUATIONS", rows["MID_COURSE_EVALUATIONS"].Total, intp(0), intp(0))
		// One exclusion: suppressed.
		if c := rows["EXCLUSIONS"].Total; !c.Suppressed {
			t.Errorf("one exclusion shown to an analyst: %+v", c)
		}
		// The state representative reads journeys of its territory: nothing suppressed.
		sr := demoPrincipal(t, env, model.RoleStateRepresentative)
		rows = indicatorRows(t, env, sr, map[string]any{"period": q1, "names": []string{"REFERRALS"}})
		expectCell(t, "REFERRALS (69 only)", rows["REFERRALS"].Total, intp(3), nil)
	})

	t.Run("ErrOutsideTerritory", func(t *testing.T) {
		sr := demoPrincipal(t, env, model.RoleStateRepresentative)
		r := env.Do(sr, indicatorsQuery, map[string]any{"in": map[string]any{"departments": []string{"38"}}})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})

	t.Run("ErrReversedPeriod", func(t *testing.T) {
		r := env.Do(coordinator, indicatorsQuery, map[string]any{"in": map[string]any{"period": map[string]any{"from": "2026-02-01", "to": "2026-01-01"}}})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID_INPUT" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})

	t.Run("ErrSocialWorker", func(t *testing.T) {
		r := env.Do(demoPrincipal(t, env, model.RoleSocialWorker), indicatorsQuery, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})
}

func TestIndicatorSeries(t *testing.T) {
	env, _ := indicatorEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	t.Run("OK", func(t *testing.T) {
		var out struct {
			IndicatorSeries struct {
				Points []struct {
					From, To, Label string
					Numerator       *int
				}
			}
		}
		env.MustDo(coordinator, `{ indicatorSeries(name: REFERRALS, granularity: MONTH, period: {from: "2026-01-01", to: "2026-06-15"}) {
			points { from to label numerator } } }`, nil, &out)
		want := []int{2, 1, 1, 0, 0, 1} // A I; B; C; -; -; D
		pts := out.IndicatorSeries.Points
		if len(pts) != len(want) || pts[5].To != "2026-06-15" || pts[0].Label != "2026-01" {
			t.Fatalf("points = %+v", pts)
		}
		for i, w := range want {
			if pts[i].Numerator == nil || *pts[i].Numerator != w {
				t.Errorf("%s: %s, want %d", pts[i].Label, show(pts[i].Numerator), w)
			}
		}
		env.MustDo(coordinator, `{ indicatorSeries(name: REFERRALS, granularity: QUARTER, period: {from: "2026-01-01", to: "2026-06-15"}) {
			points { from to label numerator } } }`, nil, &out)
		if pts := out.IndicatorSeries.Points; len(pts) != 2 || pts[0].Label != "2026-T1" || *pts[0].Numerator != 4 || *pts[1].Numerator != 1 {
			t.Errorf("quarters = %+v", pts)
		}
	})
	t.Run("ErrTooManySteps", func(t *testing.T) {
		r := env.Do(coordinator, `{ indicatorSeries(name: REFERRALS, granularity: MONTH, period: {from: "2010-01-01", to: "2026-06-15"}) { label: granularity } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "OUT_OF_RANGE" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})
}
