package model

import (
	"strings"
	"testing"
	"time"
)

// The convocation's content (seed « Modalité et délais d'accès »: date, heure, adresse),
// in French and in the spoken languages the project has a translation for.
func TestConvocationTexts(t *testing.T) {
	s := func(v string) *string { return &v }
	base := ConvocationDocument{Convocation: Convocation{Key: "k", Address: "ARSL, 5 place Bellecour, 69002 Lyon",
		AppointmentAt: time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC)}, FirstName: "Amina", LastName: "Haïdari",
		StructureName: "ARSL", StructureAddress: s("5 place Bellecour"), StructurePostalCode: s("69002"), StructureCity: s("Lyon"),
		StructurePhone: s("04 72 00 00 00")}
	for _, tc := range []struct {
		name      string
		languages []string
		want      []string
	}{
		{"FrenchOnly", []string{"dari", "pachto"}, []string{"fr"}},
		{"EnglishByItsFrenchName", []string{"dari", " Anglais "}, []string{"fr", "en"}},
		{"EnglishOnceByTag", []string{"en", "english"}, []string{"fr", "en"}},
		{"FrenchSpokenIsNotRepeated", []string{"français"}, []string{"fr"}},
		{"ArabicHasNoTranslationYet", []string{"arabe"}, []string{"fr"}},
		{"NoLanguage", nil, []string{"fr"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := base
			d.Languages = tc.languages
			texts := ConvocationTexts(d)
			var got []string
			for _, x := range texts {
				got = append(got, x.Language)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("languages %v, want %v", got, tc.want)
			}
		})
	}
	// 23:30 UTC on 9 March is 00:30 on 10 March in Paris
	d := base
	d.Languages = []string{"anglais"}
	texts := ConvocationTexts(d)
	fr, en := strings.Join(texts[0].Lines, "\n"), strings.Join(texts[1].Lines, "\n")
	for _, want := range []string{"Amina Haïdari", "Date : mardi 10 mars 2026", "Heure : 00h30", "Adresse : ARSL, 5 place Bellecour, 69002 Lyon",
		"Contact : ARSL — 5 place Bellecour, 69002 Lyon — 04 72 00 00 00"} {
		if !strings.Contains(fr, want) {
			t.Errorf("French text lacks %q:\n%s", want, fr)
		}
	}
	for _, want := range []string{"Date: Tuesday 10 March 2026", "Time: 00:30", "Address: ARSL, 5 place Bellecour, 69002 Lyon"} {
		if !strings.Contains(en, want) {
			t.Errorf("English text lacks %q:\n%s", want, en)
		}
	}
}
