package model

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Statistical disclosure control for analysts (« secret statistique », DESIGN §6),
// written to hold against differencing (docs/indicators.md gives the argument):
//
//   - Periods are calendar units: an analyst's period is one calendar month, quarter or
//     year that has ended (CheckAnalystPeriod). Two periods then either nest or do not
//     overlap, so the only sums an analyst can difference are the calendar hierarchy
//     month ⊂ quarter ⊂ year, and a unit's figures no longer change with the day asked.
//   - One suppression pattern per year, whatever is asked: the cells of every unit of the
//     year (12 months, 4 quarters, the year) by every key of the breakdown and in total
//     are decided together (HiddenCells), and a table or a series shows the cells of that
//     pattern. The same cell is therefore hidden in every answer it appears in.
//   - Primary suppression: a cell counting 1 to 4 (Suppressed).
//   - Upward in time: a quarter (year) is hidden, for a key or in total, as soon as one of
//     its months (quarters) is hidden for that key: its value minus the shown parts would
//     give the hidden part away. Months are decided before their quarter, so a month once
//     shown stays shown when its quarter ends.
//   - Sideways in the breakdown: when exactly one cell of a unit is hidden and the total
//     is shown, a second cell (the smallest shown one) is hidden with it. Above the month
//     this does not arise for a sum: a hidden quarter hides a month, whose breakdown
//     already hides two cells. The total is never hidden by its cells, so it is the same
//     in every breakdown.

// CalendarLevel is the size of a calendar unit.
type CalendarLevel int

// The calendar levels, finest first.
const (
	LevelMonth CalendarLevel = iota
	LevelQuarter
	LevelYear
)

// CalendarUnit is a calendar month, quarter or year.
type CalendarUnit struct {
	Level    CalendarLevel
	From, To Date
}

// Label is `2026-03`, `2026-T1` or `2026`.
func (u CalendarUnit) Label() string {
	switch u.Level {
	case LevelMonth:
		return fmt.Sprintf("%04d-%02d", u.From.Year, u.From.Month)
	case LevelQuarter:
		return fmt.Sprintf("%04d-T%d", u.From.Year, (int(u.From.Month)-1)/3+1)
	}
	return fmt.Sprintf("%04d", u.From.Year)
}

func monthUnit(y int, m time.Month) CalendarUnit {
	f := NewDate(y, m, 1)
	return CalendarUnit{Level: LevelMonth, From: f, To: f.AddDate(0, 1, -1)}
}

func quarterUnit(y, q int) CalendarUnit {
	f := NewDate(y, time.Month(3*q-2), 1)
	return CalendarUnit{Level: LevelQuarter, From: f, To: f.AddDate(0, 3, -1)}
}

func yearUnit(y int) CalendarUnit {
	return CalendarUnit{Level: LevelYear, From: NewDate(y, time.January, 1), To: NewDate(y, time.December, 31)}
}

// CalendarUnitOf returns the calendar unit [from, to] is, if it is one.
func CalendarUnitOf(from, to Date) (CalendarUnit, bool) {
	if from.Day != 1 {
		return CalendarUnit{}, false
	}
	for _, u := range []CalendarUnit{monthUnit(from.Year, from.Month), quarterUnit(from.Year, (int(from.Month)-1)/3+1), yearUnit(from.Year)} {
		if u.From == from && u.To == to {
			return u, true
		}
	}
	return CalendarUnit{}, false
}

// Parts are the units a quarter or a year adds up: 3 months, 4 quarters.
func (u CalendarUnit) Parts() []CalendarUnit {
	switch u.Level {
	case LevelQuarter:
		return []CalendarUnit{monthUnit(u.From.Year, u.From.Month), monthUnit(u.From.Year, u.From.Month+1), monthUnit(u.From.Year, u.From.Month+2)}
	case LevelYear:
		return []CalendarUnit{quarterUnit(u.From.Year, 1), quarterUnit(u.From.Year, 2), quarterUnit(u.From.Year, 3), quarterUnit(u.From.Year, 4)}
	}
	return nil
}

// YearUnits are the 17 units of a year in the order they are decided: months, quarters,
// the year.
func YearUnits(year int) []CalendarUnit {
	var out []CalendarUnit
	for m := time.January; m <= time.December; m++ {
		out = append(out, monthUnit(year, m))
	}
	for q := 1; q <= 4; q++ {
		out = append(out, quarterUnit(year, q))
	}
	return append(out, yearUnit(year))
}

// CheckAnalystPeriod: an analyst's period is one calendar month, quarter or year that
// has ended before today (INVALID_INPUT otherwise, naming the unit the period starts in).
func CheckAnalystPeriod(from, to, today Date, path ...string) (CalendarUnit, *Error) {
	u, ok := CalendarUnitOf(from, to)
	if !ok {
		m := monthUnit(from.Year, from.Month)
		return u, Errorf(CodeInvalidInput, Path(path...),
			"secret statistique : la période d'un chargé d'études est un mois, un trimestre ou une année civile entière (par exemple du %s au %s)",
			m.From, m.To)
	}
	if !u.To.Before(today) {
		return u, Errorf(CodeInvalidInput, Path(path...),
			"secret statistique : la période %s n'est pas terminée ; un chargé d'études ne voit que des périodes closes", u.Label())
	}
	return u, nil
}

// DefaultAnalystPeriod is an analyst's period when none is given: the last ended
// calendar quarter.
func DefaultAnalystPeriod(today Date) CalendarUnit {
	q := quarterUnit(today.Year, (int(today.Month)-1)/3+1)
	prev := q.From.AddDate(0, -3, 0)
	return quarterUnit(prev.Year, (int(prev.Month)-1)/3+1)
}

// AnalystSeriesUnits cuts an analyst's series period into calendar months or quarters:
// the period must start on the first day of a step and end on the last day of an ended
// step (INVALID_INPUT otherwise); at most MaxSeriesSteps.
func AnalystSeriesUnits(from, to, today Date, g SeriesGranularity) ([]CalendarUnit, *Error) {
	if err := CheckIndicatorPeriod(from, to); err != nil {
		return nil, err
	}
	var out []CalendarUnit
	d := from
	for !d.After(to) {
		u := monthUnit(d.Year, d.Month)
		if g == SeriesGranularityQuarter {
			u = quarterUnit(d.Year, (int(d.Month)-1)/3+1)
		}
		if u.From != d || u.To.After(to) {
			return nil, Errorf(CodeInvalidInput, Path("period"),
				"secret statistique : la série d'un chargé d'études commence au début d'un pas (mois ou trimestre) et finit à la fin d'un pas")
		}
		if !u.To.Before(today) {
			return nil, Errorf(CodeInvalidInput, Path("period", "to"),
				"secret statistique : le pas %s n'est pas terminé ; un chargé d'études ne voit que des périodes closes", u.Label())
		}
		if len(out) == MaxSeriesSteps {
			return nil, Errorf(CodeOutOfRange, Path("period"), "la série dépasse %d pas", MaxSeriesSteps)
		}
		out = append(out, u)
		d = u.To.AddDate(0, 0, 1)
	}
	return out, nil
}

// GridCell is one cell of a year's suppression pattern: a unit and a key of the
// breakdown ("" for the total).
type GridCell struct {
	Unit CalendarUnit
	Key  string
}

// HiddenCells decides the suppression pattern of one year of an indicator of unit for
// analysts: tally gives the figures of a cell, keys are the keys of the breakdown (none
// for the total only). It returns the hidden cells. The total's pattern depends on the
// totals only, so it is the same with or without a breakdown.
func HiddenCells(unit IndicatorUnit, year int, keys []string, tally func(GridCell) Tally) map[GridCell]bool {
	size := func(t Tally) int {
		if unit == IndicatorUnitCount {
			return t.Numerator
		}
		return t.Denominator
	}
	present := func(t Tally) bool { return t.Numerator != 0 || t.Denominator != 0 || t.Value != nil }
	keys = append([]string(nil), keys...)
	sort.Strings(keys)
	hidden := map[GridCell]bool{}
	hidesAPart := func(u CalendarUnit, k string) bool {
		for _, p := range u.Parts() {
			if hidden[GridCell{p, k}] {
				return true
			}
		}
		return false
	}
	for _, u := range YearUnits(year) {
		for _, k := range append([]string{""}, keys...) {
			c := GridCell{u, k}
			if Suppressed(unit, tally(c)) || hidesAPart(u, k) {
				hidden[c] = true
			}
		}
		if len(keys) == 0 || hidden[GridCell{u, ""}] {
			continue
		}
		var lone []string
		for _, k := range keys {
			if hidden[GridCell{u, k}] {
				lone = append(lone, k)
			}
		}
		if len(lone) != 1 {
			continue
		}
		partner, best := "", Tally{}
		for _, k := range keys {
			t := tally(GridCell{u, k})
			if k == lone[0] || !present(t) {
				continue
			}
			if partner == "" || size(t) < size(best) {
				partner, best = k, t
			}
		}
		if partner != "" {
			hidden[GridCell{u, partner}] = true
		}
	}
	return hidden
}

// ConcernedCount is EmergingNeed.concernedCount: the number of beneficiaries concerned,
// nil for an analyst when it is 1 to 4 (statistical secrecy, issue 15).
func (n EmergingNeed) ConcernedCount(ctx context.Context) *int {
	c := n.BeneficiariesConcerned
	if p := PrincipalFrom(ctx); p != nil && p.Role == RoleAnalyst && Suppressed(IndicatorUnitCount, Tally{Numerator: c}) {
		return nil
	}
	return &c
}

// BeneficiariesConcernedShown is the deprecated EmergingNeed.beneficiariesConcerned: a
// hidden number reads 0.
func (n EmergingNeed) BeneficiariesConcernedShown(ctx context.Context) int {
	if c := n.ConcernedCount(ctx); c != nil {
		return *c
	}
	return 0
}
