package model

import "testing"

// Rule: data·inclusion « horaires_accueil » is in OSM opening_hours syntax.
func TestValidateOpeningHours(t *testing.T) {
	valid := []string{
		"Mo-Fr 08:30-12:30; PH off",
		"Mo-Fr 08:30-12:30,13:30-17:00",
		"Mo,We,Fr 09:00-12:00",
		"Mo-Fr 09:00-12:00, Sa 10:00-12:00",
		"24/7",
		"24/7 closed \"travaux\"",
		"Mo-Sa 10:00-20:00; Su off; PH off",
		"Jan-Mar Mo-Fr 09:00-17:00",
		"Dec 25 off",
		"Dec 24-26 off",
		"2026 Jan 01-2026 Feb 15: Mo-Fr 08:00-12:00",
		"Jul-Aug: Mo-Fr 09:00-13:00",
		"week 01-53/2 Fr 09:00-12:00",
		"Su[1] 10:00-12:00",
		"Sa[1,3] 09:00-12:00; Sa[-1] off",
		"Mo-Fr 22:00-02:00",
		"Mo-Fr 10:00+",
		"Mo-Fr sunrise-sunset",
		"Mo-Fr (sunrise+01:00)-18:00",
		"Mo-Fr 08:00-24:00",
		"Mo-Fr 09:00-17:00 \"sur rendez-vous\"",
		"Mo-Fr 09:00-17:00 || \"sur rendez-vous\"",
		"\"sur rendez-vous\"",
		"unknown",
		"Tu 09:00-12:00 open",
		"PH,Su off",
		"Mo-Fr 10:00-16:00/01:00",
		"2025-2027 Mo-Fr 09:00-12:00",
		"easter off",
		"SH off; Mo-Fr 09:00-12:00",
		"Mo 12:00",
	}
	for _, s := range valid {
		if err := ValidateOpeningHours(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	invalid := []string{
		"",
		"   ",
		"lundi 9h-12h",
		"Mo-Fr 8:30-12:30",
		"Mo-Fr 08:30-12:60",
		"Mo-Fr 25:00-26:00",
		"Mo-Fr 08:00-49:00",
		"Xx 09:00-12:00",
		"Mo-Fr 09:00-12:00;",
		"Mo-Fr 09:00-",
		"Feb 30 off",
		"week 54 Mo 09:00-10:00",
		"Su[6] 10:00-12:00",
		"\"commentaire non fermé",
		"Mo-Fr 09:00-12:00 foo",
		"9h-12h",
	}
	for _, s := range invalid {
		if err := ValidateOpeningHours(s); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
}
