package model

import (
	"strings"
	"testing"
)

// Seed « Suivi-évaluation » (DESIGN §6): analysts see no cell under 5.
func TestSuppressed(t *testing.T) {
	for _, c := range []struct {
		name string
		unit IndicatorUnit
		t    Tally
		want bool
	}{
		{"count of zero is shown", IndicatorUnitCount, Tally{}, false},
		{"count of 4 hidden", IndicatorUnitCount, Tally{Numerator: 4}, true},
		{"count of 5 shown", IndicatorUnitCount, Tally{Numerator: 5}, false},
		{"rate 0/0 shown (undefined)", IndicatorUnitRate, Tally{}, false},
		{"rate 0/10 shown", IndicatorUnitRate, Tally{Denominator: 10}, false},
		{"rate 3/10 hidden (numerator)", IndicatorUnitRate, Tally{Numerator: 3, Denominator: 10}, true},
		{"rate 8/10 hidden (complement of 2)", IndicatorUnitRate, Tally{Numerator: 8, Denominator: 10}, true},
		{"rate 10/10 shown", IndicatorUnitRate, Tally{Numerator: 10, Denominator: 10}, false},
		{"rate 5/10 shown", IndicatorUnitRate, Tally{Numerator: 5, Denominator: 10}, false},
		{"median over 4 hidden", IndicatorUnitDays, Tally{Denominator: 4}, true},
		{"median over 5 shown", IndicatorUnitDays, Tally{Denominator: 5}, false},
	} {
		if got := Suppressed(c.unit, c.t); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}

func TestCellHidden(t *testing.T) {
	d, _ := IndicatorDefinitionOf(IndicatorNameEmploymentOrTrainingAtExit)
	small := Tally{Numerator: 2, Denominator: 3}
	if c := d.Cell(small, true); !c.Suppressed || c.Value != nil || c.Numerator != nil || c.Denominator != nil || c.Target == nil {
		t.Errorf("hidden: %+v", c)
	}
	if c := d.Cell(small, false); c.Suppressed || *c.Value != 0.6667 {
		t.Errorf("shown: %+v", c)
	}
}

func TestEveryIndicatorDefined(t *testing.T) {
	for _, n := range AllIndicatorName {
		d, ok := IndicatorDefinitionOf(n)
		if !ok || d.Label == "" || d.Description == "" || d.Numerator == "" || len(d.Breakdowns) == 0 {
			t.Errorf("%s: incomplete definition %+v", n, d)
		}
		if (d.Unit == IndicatorUnitCount) != (d.Denominator == nil) {
			t.Errorf("%s: a count has no denominator, others have one", n)
		}
	}
	if len(IndicatorDefinitions) != len(AllIndicatorName) {
		t.Errorf("%d definitions for %d names", len(IndicatorDefinitions), len(AllIndicatorName))
	}
}

func TestSeriesSteps(t *testing.T) {
	from, to := NewDate(2026, 2, 10), NewDate(2026, 7, 5)
	q, err := SeriesSteps(from, to, SeriesGranularityQuarter)
	if err != nil || len(q) != 3 || q[0].From != from || q[0].To != NewDate(2026, 3, 31) || q[0].Label != "2026-T1" ||
		q[2].From != NewDate(2026, 7, 1) || q[2].To != to || q[2].Label != "2026-T3" {
		t.Errorf("quarters = %+v %v", q, err)
	}
	m, err := SeriesSteps(from, to, SeriesGranularityMonth)
	if err != nil || len(m) != 6 || m[1].Label != "2026-03" || m[1].To != NewDate(2026, 3, 31) {
		t.Errorf("months = %+v %v", m, err)
	}
	if _, err := SeriesSteps(NewDate(2010, 1, 1), to, SeriesGranularityMonth); err == nil || err.Code != CodeOutOfRange {
		t.Errorf("too long: %v", err)
	}
}

func TestAgeBandAndHousehold(t *testing.T) {
	birth := NewDate(2000, 6, 15)
	for _, c := range []struct {
		day  Date
		want AgeBand
	}{{NewDate(2018, 6, 14), AgeBandUnder18}, {NewDate(2018, 6, 15), AgeBandFrom18To25}, {NewDate(2026, 6, 15), AgeBandFrom26To35},
		{NewDate(2056, 6, 15), AgeBandFrom56}} {
		if got := AgeBandOn(birth, c.day); got != c.want {
			t.Errorf("age band on %s = %s, want %s", c.day, got, c.want)
		}
	}
	if HouseholdOf(true, 2, 0) != HouseholdCompositionCoupleWithChildren || HouseholdOf(false, 1, 0) != HouseholdCompositionSingleParent ||
		HouseholdOf(true, 0, 0) != HouseholdCompositionCouple || HouseholdOf(false, 0, 1) != HouseholdCompositionOther ||
		HouseholdOf(false, 0, 0) != HouseholdCompositionAlone {
		t.Error("household compositions")
	}
}

// Seed « Suivi-évaluation »: follow-ups check that the insertion lasts.
func TestFollowUpSustained(t *testing.T) {
	for _, c := range []struct {
		h    HousingSituation
		e    EmploymentSituation
		tr   TrainingSituation
		want bool
	}{
		{HousingSituationHosted, EmploymentSituationPermanentContract, TrainingSituationNone, true},
		{HousingSituationHosted, EmploymentSituationJobSeeking, TrainingSituationQualifyingTraining, true},
		{HousingSituationPermanentHousing, EmploymentSituationInactive, TrainingSituationNone, true},
		{HousingSituationTemporaryHousing, EmploymentSituationJobSeeking, TrainingSituationUnknown, false},
	} {
		if got := FollowUpSustained(c.h, c.e, c.tr); got != c.want {
			t.Errorf("%s %s %s = %v", c.h, c.e, c.tr, got)
		}
	}
}

// Issue 17: at a follow-up, a pre-qualifying training is sustained training; a French
// course (work-oriented or not) is not sustained employment or training.
func TestSustainedEmploymentOrTraining_PreQualifyingAndFrench(t *testing.T) {
	for _, c := range []struct {
		tr   TrainingSituation
		want bool
	}{
		{TrainingSituationPreQualifyingTraining, true},
		{TrainingSituationQualifyingTraining, true},
		{TrainingSituationOtherTraining, true},
		{TrainingSituationFrenchCourse, false},
		{TrainingSituationNone, false},
	} {
		if got := SustainedEmploymentOrTraining(EmploymentSituationJobSeeking, c.tr); got != c.want {
			t.Errorf("%s = %v, want %v", c.tr, got, c.want)
		}
	}
	if got := TrainingSituationOf(OutcomeKindWorkOrientedFrenchCourse); SustainedEmploymentOrTraining(EmploymentSituationJobSeeking, got) {
		t.Errorf("a work-oriented French course (%s) counts as sustained employment or training", got)
	}
	d, _ := IndicatorDefinitionOf(IndicatorNameEmploymentOrTrainingAtExit)
	for _, want := range []string{"préqualifiante", "contrôlée au regard de ces sorties positives", "visée professionnelle"} {
		if !strings.Contains(d.Description, want) {
			t.Errorf("EMPLOYMENT_OR_TRAINING_AT_EXIT's definition does not say %q", want)
		}
	}
}

func TestNeedMissing(t *testing.T) {
	if NeedMissing(0, 0, 0, 0) || !NeedMissing(3, 0, 0, 0) || !NeedMissing(10, 2, 6, 0) || NeedMissing(10, 2, 6, 1) || NeedMissing(5, 1, 5, 0) {
		t.Error("need missing")
	}
	for _, k := range AllNeedKind {
		if len(NeedThematiques[k]) == 0 {
			t.Errorf("%s answers no thématique", k)
		}
	}
}
