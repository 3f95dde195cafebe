package model

import "testing"

func TestDateOr(t *testing.T) {
	today, other := NewDate(2026, 11, 26), NewDate(2026, 1, 2)
	if got := DateOr(nil, today); got != today {
		t.Fatalf("DateOr(nil) = %s, want %s", got, today)
	}
	if got := DateOr(&other, today); got != other {
		t.Fatalf("DateOr(&other) = %s, want %s", got, other)
	}
}
