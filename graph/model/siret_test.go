package model

import "testing"

// Rule: data·inclusion « siret » is a valid SIRET number (Luhn, La Poste exception).
func TestValidSIRET(t *testing.T) {
	for _, tc := range []struct {
		siret string
		want  bool
	}{
		{"13003013300016", true},  // data·inclusion's example (DINUM)
		{"73282932000074", true},  // Apple France
		{"35600000000048", true},  // La Poste head office (Luhn)
		{"35600000049837", true},  // a La Poste establishment: digit sum 50
		{"35600000049838", false}, // La Poste, digit sum 51
		{"13003013300017", false}, // bad checksum
		{"1300301330001", false},  // 13 digits
		{"130030133000160", false},
		{"1300301330001A", false},
		{"", false},
		{"00000000000000", true}, // Luhn-valid, syntactically a SIRET
	} {
		if got := ValidSIRET(tc.siret); got != tc.want {
			t.Errorf("ValidSIRET(%q) = %v, want %v", tc.siret, got, tc.want)
		}
	}
}
