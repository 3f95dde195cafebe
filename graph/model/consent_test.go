package model

import (
	"testing"
	"time"
)

// Issue 7: journeys closed for more than AGIR_ANONYMISE_AFTER_DAYS (default 730) are
// anonymised.
func TestAnonymiseClosedBefore(t *testing.T) {
	d := func(y int, m, day int) Date { return Date{Year: y, Month: time.Month(m), Day: day} }
	for _, tc := range []struct {
		name  string
		today Date
		days  int
		want  Date
	}{
		{"Default", d(2026, 3, 2), 0, d(2024, 3, 2)},
		{"NegativeIsDefault", d(2026, 3, 2), -5, d(2024, 3, 2)},
		{"Configured", d(2026, 3, 2), 30, d(2026, 1, 31)},
		{"LeapDay", d(2024, 3, 1), 1, d(2024, 2, 29)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AnonymiseClosedBefore(tc.today, tc.days); got != tc.want {
				t.Fatalf("AnonymiseClosedBefore(%s, %d) = %s, want %s", tc.today, tc.days, got, tc.want)
			}
		})
	}
}
