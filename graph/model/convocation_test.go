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
		{"ArabicByItsFrenchName", []string{"Arabe"}, []string{"fr", "ar"}},
		{"ArabicAndEnglishInTheOrderSpoken", []string{"ar", "anglais", "arabic"}, []string{"fr", "ar", "en"}},
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
	d.Languages = []string{"arabe"}
	texts = ConvocationTexts(d)
	ar := texts[1]
	if !ar.RTL || texts[0].RTL || ar.Title != "استدعاء — برنامج AGIR" {
		t.Fatalf("Arabic text: %+v", ar)
	}
	for _, want := range []string{"Amina Haïdari،", "التاريخ: الثلاثاء 10 مارس 2026", "الساعة: 00:30", "العنوان: ARSL, 5 place Bellecour, 69002 Lyon",
		"للتواصل: ARSL — 5 place Bellecour, 69002 Lyon — 04 72 00 00 00"} {
		if !strings.Contains(strings.Join(ar.Lines, "\n"), want) {
			t.Errorf("Arabic text lacks %q:\n%s", want, strings.Join(ar.Lines, "\n"))
		}
	}
}
