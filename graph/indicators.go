package graph

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// The indicators: the resolvers resolve the caller's scope, check the period, ask the
// Store for the figures (one statement per group of indicators) and turn them into
// cells with the suppression rules of model.IndicatorDefinition.Cell.

// IndicatorRequest is a checked indicators input.
type IndicatorRequest struct {
	Names     []model.IndicatorName
	From, To  model.Date
	Breakdown *model.Breakdown
	Scope     db.IndicatorScope
	// Secret is set for an analyst asking personal indicators: the period is this
	// calendar unit, and the cells follow the year's suppression pattern.
	Secret *model.CalendarUnit
}

// CheckIndicatorsInput resolves the scope of p and checks in (for the API and the CSV).
func CheckIndicatorsInput(store *db.Store, p *model.Principal, in *model.IndicatorsInput) (IndicatorRequest, error) {
	if in == nil {
		in = &model.IndicatorsInput{}
	}
	var req IndicatorRequest
	req.Names = in.Names
	if len(req.Names) == 0 {
		for _, d := range model.IndicatorDefinitions {
			req.Names = append(req.Names, d.Name)
		}
	}
	scope, err := db.ResolveIndicatorScope(p, in.Departments, "input", "departments")
	if err != nil {
		return req, err
	}
	req.Scope, req.Breakdown = scope, in.Breakdown
	today := model.DateOf(store.Now())
	if secretApplies(p, req.Names) {
		if e := checkAnalystDepartments(p, in.Departments, "input", "departments"); e != nil {
			return req, e
		}
		u := model.DefaultAnalystPeriod(today)
		if in.Period != nil {
			from, to := model.DateOr(in.Period.From, u.From), model.DateOr(in.Period.To, u.To)
			var e *model.Error
			if u, e = model.CheckAnalystPeriod(from, to, today, "input", "period"); e != nil {
				return req, e
			}
		}
		req.From, req.To, req.Secret = u.From, u.To, &u
		return req, nil
	}
	req.From, req.To = model.DefaultIndicatorPeriod(today, in.Period)
	if e := model.CheckIndicatorPeriod(req.From, req.To); e != nil {
		return req, e
	}
	return req, nil
}

// secretApplies reports whether the disclosure control applies: an analyst asking at
// least one personal indicator.
func secretApplies(p *model.Principal, names []model.IndicatorName) bool {
	if p == nil || p.Role != model.RoleAnalyst {
		return false
	}
	for _, n := range names {
		if d, ok := model.IndicatorDefinitionOf(n); ok && d.Personal {
			return true
		}
	}
	return false
}

// checkAnalystDepartments: an analyst's personal indicators cover its whole territory
// (a subset of departments would be one more sum to difference); the departments are
// in the DEPARTMENT breakdown.
func checkAnalystDepartments(p *model.Principal, asked []string, path ...string) *model.Error {
	if len(asked) == 0 {
		return nil
	}
	if len(p.Departments) > 0 && sameSet(asked, p.Departments) {
		return nil
	}
	return model.Errorf(model.CodeInvalidInput, model.Path(path...),
		"secret statistique : les indicateurs d'un chargé d'études couvrent tout son territoire ; utilisez la ventilation par département")
}

func sameSet(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// ComputeIndicators computes the table of a checked request for p.
func ComputeIndicators(ctx context.Context, store *db.Store, p *model.Principal, req IndicatorRequest) (*model.IndicatorTable, error) {
	asked := db.IndicatorPeriod{From: req.From, To: req.To}
	periods := []db.IndicatorPeriod{asked}
	if req.Secret != nil {
		periods = yearPeriods(req.Secret.From.Year)
	}
	figures, labels, today, err := store.Indicators(ctx, db.IndicatorQuery{Names: req.Names,
		Periods: periods, Breakdown: req.Breakdown, Scope: req.Scope})
	if err != nil {
		return nil, err
	}
	t := &model.IndicatorTable{From: req.From, To: req.To, Departments: model.NonNilStrings(req.Scope.Departments),
		Breakdown: req.Breakdown, ComputedOn: today}
	cells := figures[asked]
	for _, d := range model.IndicatorDefinitions {
		if !containsIndicator(req.Names, d.Name) {
			continue
		}
		def := d
		breaks := req.Breakdown != nil && d.BreaksDownBy(*req.Breakdown)
		var keys []string
		if breaks {
			keys = cellKeys(cells, d.Name)
		}
		// hidden tells whether a cell of the asked period is suppressed.
		hidden := func(key string, t model.Tally) bool {
			return d.Personal && p.Role == model.RoleAnalyst && model.Suppressed(d.Unit, t)
		}
		if req.Secret != nil && d.Personal {
			var gridKeys []string
			if breaks {
				gridKeys = yearKeys(figures, d.Name)
			}
			pattern := model.HiddenCells(d.Unit, req.Secret.From.Year, gridKeys, tallyOf(figures, d.Name))
			hidden = func(key string, _ model.Tally) bool { return pattern[model.GridCell{Unit: *req.Secret, Key: key}] }
		}
		total := cells[""][d.Name]
		totalCell := def.Cell(total, hidden("", total))
		row := model.IndicatorRow{Indicator: d.Name, Definition: &def, Total: &totalCell, Cells: []model.IndicatorCell{}}
		if breaks {
			row.Breakdown = req.Breakdown
			for _, k := range keys {
				t := cells[k][d.Name]
				c := def.Cell(t, hidden(k, t))
				key := k
				c.Key, c.Label = &key, keyLabel(labels, k)
				row.Cells = append(row.Cells, c)
			}
			if *req.Breakdown == model.BreakdownReferent && p.Role == model.RoleAnalyst {
				pseudonymiseReferents(store.PseudonymKey, row.Cells)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// yearPeriods are the 17 calendar units of a year, as periods of the Store.
func yearPeriods(year int) []db.IndicatorPeriod {
	var out []db.IndicatorPeriod
	for _, u := range model.YearUnits(year) {
		out = append(out, db.IndicatorPeriod{From: u.From, To: u.To})
	}
	return out
}

// cellKeys are the keys of the cells of one period with something counted for name, in
// order (a cell with nothing counted is not shown).
func cellKeys(cells map[string]map[model.IndicatorName]model.Tally, name model.IndicatorName) []string {
	keys := []string{}
	for k, byName := range cells {
		t := byName[name]
		if k != "" && (t.Numerator != 0 || t.Denominator != 0 || t.Value != nil) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// yearKeys are the keys with something counted for name in any period of figures.
func yearKeys(figures db.IndicatorFigures, name model.IndicatorName) []string {
	seen := map[string]bool{}
	for _, cells := range figures {
		for _, k := range cellKeys(cells, name) {
			seen[k] = true
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tallyOf(figures db.IndicatorFigures, name model.IndicatorName) func(model.GridCell) model.Tally {
	return func(c model.GridCell) model.Tally {
		return figures[db.IndicatorPeriod{From: c.Unit.From, To: c.Unit.To}][c.Key][name]
	}
}

// pseudonymiseReferents replaces, for analysts, the staff ids and names of the REFERENT
// breakdown by a pseudonym (HMAC of the id with the server's pseudonym key): an analyst
// sees that journeys are spread among referents, not who they are. The cells are
// re-ordered by their new key.
func pseudonymiseReferents(secret []byte, cells []model.IndicatorCell) {
	for i := range cells {
		if cells[i].Key == nil || *cells[i].Key == db.UnknownIndicatorKey {
			continue
		}
		m := hmac.New(sha256.New, secret)
		m.Write([]byte("referent:" + *cells[i].Key))
		key := "R-" + hex.EncodeToString(m.Sum(nil))[:10]
		label := "Référent " + key
		cells[i].Key, cells[i].Label = &key, &label
	}
	sort.SliceStable(cells, func(i, j int) bool { return *cells[i].Key < *cells[j].Key })
}

func keyLabel(labels db.IndicatorLabels, k string) *string {
	if l, ok := labels[k]; ok {
		return &l
	}
	if l, ok := model.BreakdownLabels[k]; ok {
		return &l
	}
	return &k
}

func containsIndicator(xs []model.IndicatorName, x model.IndicatorName) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// indicatorSeries computes one indicator step by step.
func (r *Resolver) indicatorSeries(ctx context.Context, name model.IndicatorName, g model.SeriesGranularity, period *model.PeriodInput, departments []string) (*model.IndicatorSeries, error) {
	p := model.PrincipalFrom(ctx)
	def, ok := model.IndicatorDefinitionOf(name)
	if !ok {
		return nil, model.Errorf(model.CodeInvalidInput, model.Path("name"), "indicateur inconnu")
	}
	scope, err := db.ResolveIndicatorScope(p, departments, "departments")
	if err != nil {
		return nil, err
	}
	today := model.DateOf(r.Store.Now())
	var steps []model.SeriesStep
	secret := secretApplies(p, []model.IndicatorName{name})
	if secret {
		if e := checkAnalystDepartments(p, departments, "departments"); e != nil {
			return nil, e
		}
		// The last 12 ended months (4 ended quarters) by default.
		lastMonth := model.NewDate(today.Year, today.Month, 1).AddDate(0, 0, -1)
		from, to := model.NewDate(lastMonth.Year, lastMonth.Month, 1).AddDate(0, -11, 0), lastMonth
		if g == model.SeriesGranularityQuarter {
			q := model.DefaultAnalystPeriod(today)
			from, to = q.From.AddDate(0, -9, 0), q.To
		}
		if period != nil {
			from, to = model.DateOr(period.From, from), model.DateOr(period.To, to)
		}
		units, e := model.AnalystSeriesUnits(from, to, today, g)
		if e != nil {
			return nil, e
		}
		for _, u := range units {
			steps = append(steps, model.SeriesStep{From: u.From, To: u.To, Label: u.Label()})
		}
	} else {
		from, to := model.DefaultIndicatorPeriod(today, period)
		if period == nil || period.From == nil {
			from = to.AddDate(-1, 0, 1) // a year of steps by default
		}
		var e *model.Error
		if steps, e = model.SeriesSteps(from, to, g); e != nil {
			return nil, e
		}
	}
	var periods []db.IndicatorPeriod
	years := map[int]bool{}
	for _, s := range steps {
		if !secret {
			periods = append(periods, db.IndicatorPeriod{From: s.From, To: s.To})
		} else if !years[s.From.Year] {
			years[s.From.Year] = true
			periods = append(periods, yearPeriods(s.From.Year)...)
		}
	}
	figures, _, _, err := r.Store.Indicators(ctx, db.IndicatorQuery{Names: []model.IndicatorName{name}, Periods: periods, Scope: scope})
	if err != nil {
		return nil, err
	}
	patterns := map[int]map[model.GridCell]bool{}
	for y := range years {
		patterns[y] = model.HiddenCells(def.Unit, y, nil, tallyOf(figures, name))
	}
	out := &model.IndicatorSeries{Indicator: name, Definition: &def, Granularity: g, Departments: model.NonNilStrings(scope.Departments),
		Points: []model.IndicatorPoint{}}
	for _, s := range steps {
		t := figures[db.IndicatorPeriod{From: s.From, To: s.To}][""][name]
		hide := def.Personal && p.Role == model.RoleAnalyst && model.Suppressed(def.Unit, t)
		if secret {
			u, _ := model.CalendarUnitOf(s.From, s.To)
			hide = patterns[s.From.Year][model.GridCell{Unit: u}]
		}
		c := def.Cell(t, hide)
		out.Points = append(out.Points, model.IndicatorPoint{From: s.From, To: s.To, Label: s.Label, Value: c.Value,
			Numerator: c.Numerator, Denominator: c.Denominator, Target: c.Target, Suppressed: c.Suppressed})
	}
	return out, nil
}

// loadOptional loads the object of an optional key with a loader; nil when the key is
// nil or the object is not visible (zero value).
func loadOptional[T any](ctx context.Context, load func(context.Context, string) (T, error), key *string, keyOf func(T) string) (*T, error) {
	if key == nil {
		return nil, nil
	}
	v, err := load(ctx, *key)
	if err != nil {
		return nil, err
	}
	return found(v, keyOf(v)), nil
}

// loadAllFound loads the objects of keys with a loader, leaving out those not visible.
func loadAllFound[T any](ctx context.Context, loadAll func(context.Context, []string) ([]T, error), keys []string, keyOf func(T) string) ([]T, error) {
	vs, err := loadAll(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(vs))
	for _, v := range vs {
		if keyOf(v) != "" {
			out = append(out, v)
		}
	}
	return out, nil
}

// weekDueItems is how many items of each kind NetworkOverview.week.dueThisWeek lists.
const weekDueItems = 5

// maxOverviewItems bounds networkOverview's first.
const maxOverviewItems = 50
