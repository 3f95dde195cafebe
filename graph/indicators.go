package graph

import (
	"context"
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
}

// CheckIndicatorsInput resolves the scope of p and checks in (for the API and the CSV).
func CheckIndicatorsInput(store *db.Store, p *model.Principal, in *model.IndicatorsInput) (IndicatorRequest, error) {
	if in == nil {
		in = &model.IndicatorsInput{}
	}
	var req IndicatorRequest
	scope, err := db.ResolveIndicatorScope(p, in.Departments, "input", "departments")
	if err != nil {
		return req, err
	}
	req.Scope, req.Breakdown = scope, in.Breakdown
	req.From, req.To = model.DefaultIndicatorPeriod(model.DateOf(store.Now()), in.Period)
	if e := model.CheckIndicatorPeriod(req.From, req.To); e != nil {
		return req, e
	}
	req.Names = in.Names
	if len(req.Names) == 0 {
		for _, d := range model.IndicatorDefinitions {
			req.Names = append(req.Names, d.Name)
		}
	}
	return req, nil
}

// ComputeIndicators computes the table of a checked request for p.
func ComputeIndicators(ctx context.Context, store *db.Store, p *model.Principal, req IndicatorRequest) (*model.IndicatorTable, error) {
	figures, labels, today, err := store.Indicators(ctx, db.IndicatorQuery{Names: req.Names,
		Periods: []db.IndicatorPeriod{{From: req.From, To: req.To}}, Breakdown: req.Breakdown, Scope: req.Scope})
	if err != nil {
		return nil, err
	}
	t := &model.IndicatorTable{From: req.From, To: req.To, Departments: model.NonNilStrings(req.Scope.Departments),
		Breakdown: req.Breakdown, ComputedOn: today}
	cells := figures[req.From]
	for _, d := range model.IndicatorDefinitions {
		if !containsIndicator(req.Names, d.Name) {
			continue
		}
		def := d
		total := cells[""][d.Name]
		totalCell := def.Cell(p.Role, total)
		row := model.IndicatorRow{Indicator: d.Name, Definition: &def, Total: &totalCell, Cells: []model.IndicatorCell{}}
		if req.Breakdown != nil && d.BreaksDownBy(*req.Breakdown) {
			row.Breakdown = req.Breakdown
			keys := make([]string, 0, len(cells))
			for k := range cells {
				if k != "" {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			var tallies []model.Tally
			for _, k := range keys {
				t := cells[k][d.Name]
				if t.Numerator == 0 && t.Denominator == 0 && t.Value == nil {
					continue // nothing to count in this cell for this indicator
				}
				c := def.Cell(p.Role, t)
				key := k
				c.Key, c.Label = &key, keyLabel(labels, k)
				row.Cells = append(row.Cells, c)
				tallies = append(tallies, t)
			}
			if p.Role == model.RoleAnalyst && d.Personal && !totalCell.Suppressed {
				model.ProtectComplements(d.Unit, row.Cells, tallies)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
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
	from, to := model.DefaultIndicatorPeriod(today, period)
	if period == nil || period.From == nil {
		from = to.AddDate(-1, 0, 1) // a year of steps by default
	}
	steps, e := model.SeriesSteps(from, to, g)
	if e != nil {
		return nil, e
	}
	periods := make([]db.IndicatorPeriod, len(steps))
	for i, s := range steps {
		periods[i] = db.IndicatorPeriod{From: s.From, To: s.To}
	}
	figures, _, _, err := r.Store.Indicators(ctx, db.IndicatorQuery{Names: []model.IndicatorName{name}, Periods: periods, Scope: scope})
	if err != nil {
		return nil, err
	}
	out := &model.IndicatorSeries{Indicator: name, Definition: &def, Granularity: g, Departments: model.NonNilStrings(scope.Departments),
		Points: []model.IndicatorPoint{}}
	for _, s := range steps {
		c := def.Cell(p.Role, figures[s.From][""][name])
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

// maxOverviewItems bounds networkOverview's first.
const maxOverviewItems = 50
