package graph_test

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// The attacker of issue 15 (hole 8): an analyst with a valid token tries to recover a
// suppressed cell of the indicators by differencing what the API publishes — day-by-day
// periods, overlapping periods, a breakdown against its total, a series against its
// total — on the demo and on a generated data set. It collects every cell it can read
// (each calendar month, quarter and year, in total and by every breakdown, tables and
// series), checks that a cell reads the same wherever it appears, then solves the
// linear system of the sums that hold between them (a quarter is its months, a year its
// quarters, a total its cells) for the hidden cells, exactly (Gaussian elimination) and
// by bounds (every count is at least 0). It must recover none.

// attackNames are the indicators whose figures add up over time and over cells, so that
// differencing applies (a rate's numerator and denominator separately).
var attackNames = []string{"REFERRALS", "ENTRIES", "EXITS", "EXCLUSIONS", "EMPLOYMENT_OR_TRAINING_AT_EXIT", "HOUSING_AT_EXIT"}

var attackBreakdowns = []string{"", "DEPARTMENT", "STRUCTURE", "REFERENT", "SEX", "AGE_BAND", "PROTECTION_TYPE",
	"HOUSEHOLD", "REASON", "COHORT_QUARTER", "COHORT_YEAR", "COHORT_MONTH"}

// seen is what the attacker read of one cell.
type seen struct {
	hidden bool
	n, d   int
}

// attackCell names a cell: indicator, breakdown ("" for the total), unit, key.
type attackCell struct{ name, breakdown, unit, key string }

type attacker struct {
	t        *testing.T
	env      *graphtest.Env
	p        *model.Principal
	cells    map[attackCell]seen
	keys     map[[2]string]map[string]bool // (name, breakdown) → keys seen
	units    []model.CalendarUnit
	answered int
}

func newAttacker(t *testing.T, env *graphtest.Env, p *model.Principal) *attacker {
	return &attacker{t: t, env: env, p: p, cells: map[attackCell]seen{}, keys: map[[2]string]map[string]bool{}}
}

// record keeps a cell, checking it reads the same wherever it was read before.
func (a *attacker) record(c attackCell, s seen) {
	a.t.Helper()
	if c.breakdown == "" {
		c.key = ""
	}
	if prev, ok := a.cells[c]; ok && prev != s {
		a.t.Errorf("%v reads %+v here and %+v elsewhere", c, s, prev)
	}
	a.cells[c] = s
	if c.breakdown != "" && c.key != "" {
		k := [2]string{c.name, c.breakdown}
		if a.keys[k] == nil {
			a.keys[k] = map[string]bool{}
		}
		a.keys[k][c.key] = true
	}
}

func seenOf(c cellOut) seen {
	s := seen{hidden: c.Suppressed}
	if c.Numerator != nil {
		s.n = *c.Numerator
	}
	if c.Denominator != nil {
		s.d = *c.Denominator
	}
	return s
}

// readYear reads every ended unit of year, in total and by every breakdown, and the
// monthly and quarterly series.
func (a *attacker) readYear(year int, today model.Date) {
	a.t.Helper()
	for _, u := range model.YearUnits(year) {
		if !u.To.Before(today) {
			continue
		}
		a.units = append(a.units, u)
		for _, b := range attackBreakdowns {
			in := map[string]any{"names": attackNames, "period": map[string]any{"from": u.From.String(), "to": u.To.String()}}
			if b != "" {
				in["breakdown"] = b
			}
			rows := indicatorRows(a.t, a.env, a.p, in)
			a.answered++
			for name, r := range rows {
				a.record(attackCell{name, "", u.Label(), ""}, seenOf(r.Total))
				if b == "" || r.Breakdown == nil {
					continue
				}
				for _, c := range r.Cells {
					a.record(attackCell{name, b, u.Label(), *c.Key}, seenOf(c))
				}
			}
		}
	}
	for _, g := range []string{"MONTH", "QUARTER"} {
		var units []model.CalendarUnit
		for _, u := range a.units {
			if u.From.Year == year && ((g == "MONTH" && u.Level == model.LevelMonth) || (g == "QUARTER" && u.Level == model.LevelQuarter)) {
				units = append(units, u)
			}
		}
		if len(units) == 0 {
			continue
		}
		for _, name := range attackNames {
			var out struct {
				IndicatorSeries struct {
					Points []struct {
						Label       string
						Numerator   *int
						Denominator *int
						Suppressed  bool
					}
				}
			}
			a.env.MustDo(a.p, `query($n: IndicatorName!, $g: SeriesGranularity!, $p: PeriodInput) { indicatorSeries(name: $n, granularity: $g, period: $p) {
				points { label numerator denominator suppressed } } }`,
				map[string]any{"n": name, "g": g, "p": map[string]any{"from": units[0].From.String(), "to": units[len(units)-1].To.String()}}, &out)
			if len(out.IndicatorSeries.Points) != len(units) {
				a.t.Fatalf("series %s %s: %d points for %d steps", name, g, len(out.IndicatorSeries.Points), len(units))
			}
			for _, pt := range out.IndicatorSeries.Points {
				a.record(attackCell{name, "", pt.Label, ""}, seenOf(cellOut{Numerator: pt.Numerator, Denominator: pt.Denominator, Suppressed: pt.Suppressed}))
			}
		}
	}
}

// system is a linear system over the hidden cells of one indicator and one part
// (numerator or denominator): each equation is Σ coef·x = rhs.
type system struct {
	vars map[attackCell]int
	rows [][]float64
	rhs  []float64
	cell []attackCell
}

func (s *system) variable(c attackCell) int {
	if i, ok := s.vars[c]; ok {
		return i
	}
	s.vars[c] = len(s.cell)
	s.cell = append(s.cell, c)
	return len(s.cell) - 1
}

// recover returns the hidden cells of name whose part ("n" or "d") the attacker can
// compute, with the value it computes.
func (a *attacker) recover(name, part string) map[attackCell]float64 {
	value := func(s seen) float64 {
		if part == "n" {
			return float64(s.n)
		}
		return float64(s.d)
	}
	sys := &system{vars: map[attackCell]int{}}
	type term struct {
		c    attackCell
		coef float64
	}
	// equation adds Σ terms = 0, the shown cells moved to the right-hand side. A cell
	// never read (an unended unit, a key absent from a unit) is unknown, or 0 when its
	// unit was read in the same breakdown and did not list it.
	equation := func(terms []term) {
		row := map[int]float64{}
		rhs := 0.0
		for _, t := range terms {
			s, ok := a.cells[t.c]
			if !ok && t.c.key != "" && a.answeredUnit(t.c.unit) {
				continue // not listed: nothing counted
			}
			if ok && !s.hidden {
				rhs -= t.coef * value(s)
				continue
			}
			row[sys.variable(t.c)] += t.coef
		}
		if len(row) == 0 {
			return
		}
		dense := make([]float64, 0)
		for i, c := range row {
			for len(dense) <= i {
				dense = append(dense, 0)
			}
			dense[i] = c
		}
		sys.rows, sys.rhs = append(sys.rows, dense), append(sys.rhs, rhs)
	}
	years := map[int]bool{}
	for _, u := range a.units {
		years[u.From.Year] = true
	}
	for _, b := range attackBreakdowns {
		keys := []string{""}
		if b != "" {
			keys = nil
			for k := range a.keys[[2]string{name, b}] {
				keys = append(keys, k)
			}
			if len(keys) == 0 {
				continue // the indicator does not break down by b
			}
			sort.Strings(keys)
		}
		for y := range years {
			for _, u := range model.YearUnits(y) {
				// Time: a quarter is its months, a year its quarters, for each key.
				if parts := u.Parts(); parts != nil {
					for _, k := range keys {
						terms := []term{{attackCell{name, b, u.Label(), k}, -1}}
						for _, p := range parts {
							terms = append(terms, term{attackCell{name, b, p.Label(), k}, 1})
						}
						equation(terms)
					}
				}
				// Breakdown: the total is its cells.
				if b != "" {
					terms := []term{{attackCell{name, "", u.Label(), ""}, -1}}
					for _, k := range keys {
						terms = append(terms, term{attackCell{name, b, u.Label(), k}, 1})
					}
					equation(terms)
				}
			}
		}
	}
	return sys.solve()
}

// answeredUnit reports whether the unit of label was read (in every breakdown).
func (a *attacker) answeredUnit(label string) bool {
	for _, u := range a.units {
		if u.Label() == label {
			return true
		}
	}
	return false
}

// solve finds the variables fixed by the system: exactly (a reduced row echelon form
// where a pivot row has no other variable), or by bounds (each variable at least 0, an
// equation bounds each of its variables by the others' bounds).
func (s *system) solve() map[attackCell]float64 {
	n := len(s.cell)
	m := len(s.rows)
	a := make([][]float64, m)
	for i := range s.rows {
		a[i] = make([]float64, n+1)
		copy(a[i], s.rows[i])
		a[i][n] = s.rhs[i]
	}
	out := map[attackCell]float64{}
	const eps = 1e-9
	r := 0
	pivots := []int{}
	for c := 0; c < n && r < m; c++ {
		best := r
		for i := r; i < m; i++ {
			if math.Abs(a[i][c]) > math.Abs(a[best][c]) {
				best = i
			}
		}
		if math.Abs(a[best][c]) < eps {
			continue
		}
		a[r], a[best] = a[best], a[r]
		for j := c; j <= n; j++ {
			if j != c {
				a[r][j] /= a[r][c]
			}
		}
		a[r][c] = 1
		for i := 0; i < m; i++ {
			if i != r && math.Abs(a[i][c]) > eps {
				f := a[i][c]
				for j := c; j <= n; j++ {
					a[i][j] -= f * a[r][j]
				}
			}
		}
		pivots = append(pivots, c)
		r++
	}
	for i, c := range pivots {
		alone := true
		for j := 0; j < n; j++ {
			if j != c && math.Abs(a[i][j]) > eps {
				alone = false
				break
			}
		}
		if alone {
			out[s.cell[c]] = a[i][n]
		}
	}
	// Bounds.
	lo, hi := make([]float64, n), make([]float64, n)
	for i := range hi {
		hi[i] = math.Inf(1)
	}
	for round := 0; round < 20; round++ {
		changed := false
		for i, row := range s.rows {
			for v, cv := range row {
				if cv == 0 {
					continue
				}
				// cv·x_v = rhs - Σ others.
				minOthers, maxOthers := 0.0, 0.0
				for w, cw := range row {
					if w == v || cw == 0 {
						continue
					}
					if cw > 0 {
						minOthers += cw * lo[w]
						maxOthers += cw * hi[w]
					} else {
						minOthers += cw * hi[w]
						maxOthers += cw * lo[w]
					}
				}
				a, b := (s.rhs[i]-maxOthers)/cv, (s.rhs[i]-minOthers)/cv
				if cv < 0 {
					a, b = b, a
				}
				if !math.IsNaN(a) && a > lo[v]+eps {
					lo[v], changed = a, true
				}
				if !math.IsNaN(b) && b < hi[v]-eps {
					hi[v], changed = b, true
				}
			}
		}
		if !changed {
			break
		}
	}
	for v := range s.cell {
		if hi[v]-lo[v] < 0.5 {
			out[s.cell[v]] = lo[v]
		}
	}
	return out
}

// attack reads year and the ones after up to today, and fails on every hidden cell it
// recovers; it returns the number of hidden cells read.
func attack(t *testing.T, env *graphtest.Env, p *model.Principal, today model.Date, years ...int) int {
	t.Helper()
	a := newAttacker(t, env, p)
	for _, y := range years {
		a.readYear(y, today)
	}
	hidden := 0
	for _, s := range a.cells {
		if s.hidden {
			hidden++
		}
	}
	var leaks []string
	for _, name := range attackNames {
		parts := []string{"n"}
		if strings.Contains(name, "AT_EXIT") {
			parts = append(parts, "d")
		}
		for _, part := range parts {
			for c, v := range a.recover(name, part) {
				if s, ok := a.cells[c]; ok && s.hidden {
					leaks = append(leaks, fmt.Sprintf("%s %s %s %q %s = %v", c.name, c.breakdown, c.unit, c.key, part, v))
				}
			}
		}
	}
	sort.Strings(leaks)
	if len(leaks) > 0 {
		t.Errorf("%d hidden cells recovered (of %d hidden, %d answers), e.g.:\n%s", len(leaks), hidden, a.answered,
			strings.Join(leaks[:min(len(leaks), 15)], "\n"))
	} else {
		t.Logf("%d cells read, %d hidden, %d answers: none recovered", len(a.cells), hidden, a.answered)
	}
	return hidden
}

// probeRefused checks the periods and scopes an attacker would difference are refused.
func probeRefused(t *testing.T, env *graphtest.Env, p *model.Principal, year int, today model.Date) {
	t.Helper()
	day := func(m time.Month, d int) string { return model.NewDate(year, m, d).String() }
	for _, in := range []map[string]any{
		{"period": map[string]any{"from": day(1, 1), "to": day(3, 14)}}, // day by day: up to D
		{"period": map[string]any{"from": day(1, 1), "to": day(3, 15)}}, // and up to D+1
		{"period": map[string]any{"from": day(3, 15), "to": day(3, 15)}},
		{"period": map[string]any{"from": day(1, 1), "to": day(2, 28)}}, // January–February against January
		{"period": map[string]any{"from": day(2, 1), "to": day(4, 30)}}, // a quarter off the calendar
		{"period": map[string]any{"from": day(1, 1), "to": model.NewDate(year+1, 12, 31).String()}},
		{"period": map[string]any{"from": model.NewDate(today.Year, today.Month, 1).String(), "to": model.NewDate(today.Year, today.Month, 1).AddDate(0, 1, -1).String()}}, // not ended
		{"departments": []string{"69"}, "period": map[string]any{"from": day(1, 1), "to": day(3, 31)}},                                                                     // a subset of the territory
	} {
		in["names"] = []string{"REFERRALS"}
		r := env.Do(p, indicatorsQuery, map[string]any{"in": in})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID_INPUT" {
			t.Errorf("%v: errors %+v", in, r.Errors)
		}
	}
	r := env.Do(p, `{ indicatorSeries(name: REFERRALS, granularity: MONTH, period: {from: "`+day(1, 1)+`", to: "`+day(3, 15)+`"}) { granularity } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID_INPUT" {
		t.Errorf("series to a day: %+v", r.Errors)
	}
}

func TestIndicatorsDisclosureAttack(t *testing.T) {
	t.Run("OKDemo", func(t *testing.T) {
		env := demoEnv(t)
		analyst := demoPrincipal(t, env, model.RoleAnalyst)
		today := model.DateOf(env.Store.Now())
		probeRefused(t, env, analyst, today.Year-1, today)
		if hidden := attack(t, env, analyst, today, today.Year-1, today.Year); hidden == 0 {
			t.Error("nothing hidden on the demo: the attack proves nothing")
		}
	})
	t.Run("OKGenerated", func(t *testing.T) {
		env := socialEnv(t, "2026-06-15")
		d := newIndicatorData(t, env)
		generateJourneys(t, env, d, 240, 15)
		analyst := demoPrincipal(t, env, model.RoleAnalyst)
		today := model.DateOf(env.Store.Now())
		if hidden := attack(t, env, analyst, today, 2025, 2026); hidden == 0 {
			t.Error("nothing hidden: the attack proves nothing")
		}
	})
}

// generateJourneys adds n journeys with random dates in 2025 and early 2026, in the two
// departments, some ended (exits and exclusions with their reasons), some with an
// outcome and a referent.
func generateJourneys(t *testing.T, env *graphtest.Env, d *indicatorData, n int, seed int64) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	var workers []string
	if err := env.Store.DB().Select(&workers, `SELECT id FROM staff_members WHERE staff_role IN ('SOCIAL_WORKER', 'COORDINATOR', 'INSERTION_COUNSELLOR') ORDER BY id`); err != nil || len(workers) == 0 {
		t.Fatalf("workers: %v %d", err, len(workers))
	}
	start := model.NewDate(2025, time.January, 1)
	sexes := []string{"FEMALE", "MALE"}
	depts := []string{"69", "69", "69", "38"}
	exitReasons := []string{"GOALS_REACHED", "MOVED_AWAY", "WITHDRAWAL"}
	for i := 0; i < n; i++ {
		referred := start.AddDate(0, 0, rng.Intn(500))
		welcome := referred.AddDate(0, 0, 5+rng.Intn(40))
		j := journeySpec{name: fmt.Sprintf("G%03d", i), dept: depts[rng.Intn(len(depts))], sex: sexes[rng.Intn(2)],
			referred: referred.String(), cir: referred.String()}
		if welcome.Before(model.NewDate(2026, time.June, 1)) {
			j.welcome = welcome.String()
		}
		if j.welcome != "" && rng.Intn(3) == 0 {
			end := welcome.AddDate(0, 0, 20+rng.Intn(300))
			if end.Before(model.NewDate(2026, time.June, 10)) {
				j.exitOn, j.exitKind, j.exitReason = end.String(), "EXIT", exitReasons[rng.Intn(len(exitReasons))]
				if rng.Intn(6) == 0 {
					j.exitKind, j.exitReason = "EXCLUSION", "NON_ADHERENCE"
				}
				if rng.Intn(2) == 0 {
					j.exitHousing = "PERMANENT_HOUSING"
				}
				if rng.Intn(2) == 0 {
					j.outcomes = [][4]string{{"EMPLOYMENT", "CDI", welcome.AddDate(0, 0, 10).String(), ""}}
				}
			}
		}
		d.add(t, j)
		if rng.Intn(4) != 0 {
			d.exec(t, `INSERT INTO referent_assignments (beneficiary_id, kind, staff_member_id, assigned_at, assigned_by)
				VALUES ($1, 'SOCIAL_WORKER', $2, now(), 'test')`, d.ids[j.name], workers[rng.Intn(len(workers))])
		}
	}
}

// Issue 15: an analyst reads no emerging need's number of beneficiaries between 1 and 4.
func TestEmergingNeedConcernedSecret(t *testing.T) {
	env := demoEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	for _, n := range []int{2, 0, 7} {
		env.MustDo(coordinator, `mutation($n: Int!) { reportEmergingNeed(input: {description: "Besoin de test", theme: HEALTH,
			department: "69", beneficiariesConcerned: $n}) { emergingNeed { id } } }`, map[string]any{"n": n}, nil)
	}
	read := func(p *model.Principal) map[string]string {
		var out struct {
			EmergingNeeds struct {
				Nodes []struct {
					ID                     string
					BeneficiariesConcerned int
					ConcernedCount         *int
				}
			}
		}
		env.MustDo(p, `{ emergingNeeds(first: 50) { nodes { id beneficiariesConcerned concernedCount } } }`, nil, &out)
		got := map[string]string{}
		for _, n := range out.EmergingNeeds.Nodes {
			got[n.ID] = fmt.Sprintf("%d/%s", n.BeneficiariesConcerned, show(n.ConcernedCount))
		}
		return got
	}
	byCoordinator, byAnalyst := read(coordinator), read(demoPrincipal(t, env, model.RoleAnalyst))
	seen := map[string]int{}
	for id, c := range byCoordinator {
		a := byAnalyst[id]
		switch c {
		case "2/2":
			if a != "0/nil" {
				t.Errorf("an analyst reads a need of 2 as %s", a)
			}
		case "0/0", "7/7":
			if a != c {
				t.Errorf("an analyst reads %s as %s", c, a)
			}
		}
		seen[c]++
	}
	if seen["2/2"] == 0 || seen["0/0"] == 0 || seen["7/7"] == 0 {
		t.Fatalf("the needs reported are not listed: %v", seen)
	}
}
