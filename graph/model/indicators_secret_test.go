package model

import (
	"testing"
	"time"
)

func TestCalendarUnitOf(t *testing.T) {
	d := func(s string) Date { x, _ := ParseDate(s); return x }
	for _, c := range []struct {
		from, to string
		ok       bool
		label    string
	}{
		{"2026-02-01", "2026-02-28", true, "2026-02"},
		{"2024-02-01", "2024-02-29", true, "2024-02"},
		{"2026-04-01", "2026-06-30", true, "2026-T2"},
		{"2026-01-01", "2026-12-31", true, "2026"},
		{"2026-01-01", "2026-01-31", true, "2026-01"},
		{"2026-01-01", "2026-03-31", true, "2026-T1"},
		{"2026-01-01", "2026-02-28", false, ""}, // two months
		{"2026-02-01", "2026-04-30", false, ""}, // a quarter not on the calendar
		{"2026-01-02", "2026-01-31", false, ""},
		{"2026-01-01", "2026-01-30", false, ""},
		{"2025-01-01", "2026-12-31", false, ""}, // two years
	} {
		u, ok := CalendarUnitOf(d(c.from), d(c.to))
		if ok != c.ok || (ok && u.Label() != c.label) {
			t.Errorf("%s..%s: %v %q", c.from, c.to, ok, u.Label())
		}
	}
}

func TestCheckAnalystPeriod(t *testing.T) {
	today := NewDate(2026, time.June, 15)
	if _, e := CheckAnalystPeriod(NewDate(2026, time.May, 1), NewDate(2026, time.May, 31), today); e != nil {
		t.Errorf("ended month refused: %v", e)
	}
	for _, p := range [][2]Date{
		{NewDate(2026, time.June, 1), NewDate(2026, time.June, 30)},    // not ended
		{NewDate(2026, time.January, 1), NewDate(2026, time.June, 14)}, // not a unit
		{NewDate(2026, time.May, 1), NewDate(2026, time.May, 30)},      // one day short
	} {
		if _, e := CheckAnalystPeriod(p[0], p[1], today, "input", "period"); e == nil || e.Code != CodeInvalidInput {
			t.Errorf("%v: %v", p, e)
		}
	}
	if u := DefaultAnalystPeriod(today); u.Label() != "2026-T1" {
		t.Errorf("default = %s", u.Label())
	}
	if u := DefaultAnalystPeriod(NewDate(2026, time.February, 3)); u.Label() != "2025-T4" {
		t.Errorf("default in February = %s", u.Label())
	}
}

func TestAnalystSeriesUnits(t *testing.T) {
	today := NewDate(2026, time.June, 15)
	us, e := AnalystSeriesUnits(NewDate(2025, time.November, 1), NewDate(2026, time.May, 31), today, SeriesGranularityMonth)
	if e != nil || len(us) != 7 || us[0].Label() != "2025-11" || us[6].Label() != "2026-05" {
		t.Fatalf("%v %v", us, e)
	}
	if _, e := AnalystSeriesUnits(NewDate(2026, time.January, 1), NewDate(2026, time.June, 30), today, SeriesGranularityQuarter); e == nil {
		t.Error("a quarter not ended accepted")
	}
	if _, e := AnalystSeriesUnits(NewDate(2026, time.January, 5), NewDate(2026, time.March, 31), today, SeriesGranularityMonth); e == nil {
		t.Error("a series starting mid-month accepted")
	}
}

// The pattern of one year, by hand: months of January and February, keys A and B.
func TestHiddenCells(t *testing.T) {
	const y = 2025
	units := YearUnits(y)
	jan, feb, mar, q1, year := units[0], units[1], units[2], units[12], units[16]
	figures := map[GridCell]int{
		{jan, ""}: 12, {jan, "A"}: 2, {jan, "B"}: 10, // A of January is 2: hidden, and B with it
		{feb, ""}: 20, {feb, "A"}: 10, {feb, "B"}: 10,
		{mar, ""}: 3, {mar, "A"}: 3, // a small month in total
	}
	sum := func(u CalendarUnit, k string) int {
		n := 0
		for _, m := range units[:12] {
			if !m.From.Before(u.From) && !m.To.After(u.To) {
				n += figures[GridCell{m, k}]
			}
		}
		return n
	}
	tally := func(c GridCell) Tally { return Tally{Numerator: sum(c.Unit, c.Key)} }
	h := HiddenCells(IndicatorUnitCount, y, []string{"A", "B"}, tally)
	for _, c := range []struct {
		cell GridCell
		want bool
	}{
		{GridCell{jan, ""}, false}, {GridCell{jan, "A"}, true}, {GridCell{jan, "B"}, true}, // primary and sideways
		{GridCell{feb, "A"}, false}, {GridCell{feb, "B"}, false},
		{GridCell{mar, ""}, true}, {GridCell{mar, "A"}, true}, // 3 in total and in A
		{GridCell{q1, "A"}, true}, {GridCell{q1, "B"}, true}, // upward from January
		{GridCell{q1, ""}, true}, {GridCell{year, ""}, true}, // upward from March
		{GridCell{year, "A"}, true}, {GridCell{units[13], ""}, false}, // an empty quarter is shown
	} {
		if h[c.cell] != c.want {
			t.Errorf("%s %q: hidden %v, want %v", c.cell.Unit.Label(), c.cell.Key, h[c.cell], c.want)
		}
	}
	// The total's pattern does not depend on the breakdown.
	alone := HiddenCells(IndicatorUnitCount, y, nil, tally)
	for _, u := range units {
		if alone[GridCell{u, ""}] != h[GridCell{u, ""}] {
			t.Errorf("%s: total hidden %v alone, %v with a breakdown", u.Label(), alone[GridCell{u, ""}], h[GridCell{u, ""}])
		}
	}
}

func TestWeekOf(t *testing.T) {
	for day, want := range map[string]string{"2026-06-15": "2026-06-15", "2026-06-21": "2026-06-15", "2026-06-22": "2026-06-22", "2026-03-01": "2026-02-23"} {
		d, _ := ParseDate(day)
		if m, s := WeekOf(d); m.String() != want || m.AddDate(0, 0, 6) != s {
			t.Errorf("%s: %s..%s", day, m, s)
		}
	}
}

func TestPartnerWeekJudge(t *testing.T) {
	places := func(n int) *int { return &n }
	p := PartnerWeek{OrientationsAnswered: 4, OrientationsRefused: 1, OrientationsInProgress: 3, Places: places(3)}
	p.Judge()
	if *p.RefusalRate != 0.25 || p.Saturated == nil || !*p.Saturated {
		t.Errorf("full: %+v", p)
	}
	p = PartnerWeek{OrientationsInProgress: 3, Places: places(3), CapacityUnknown: true}
	p.Judge()
	if p.RefusalRate != nil || p.Saturated != nil || p.Places != nil {
		t.Errorf("capacity unknown: %+v", p)
	}
}

func TestNeedCapacityUnknown(t *testing.T) {
	for _, c := range []struct {
		b, o, places, without int
		missing, unknown      bool
	}{
		{0, 0, 0, 0, false, false},
		{5, 0, 0, 0, true, false},  // no offer: missing
		{5, 2, 3, 0, true, false},  // every capacity given, too few places: missing
		{5, 2, 3, 1, false, true},  // one offer gives none: capacity unknown, not missing
		{5, 2, 6, 1, false, false}, // enough known places
	} {
		if NeedMissing(c.b, c.o, c.places, c.without) != c.missing || NeedCapacityUnknown(c.b, c.o, c.places, c.without) != c.unknown {
			t.Errorf("%+v", c)
		}
	}
}
