package arabic

import (
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// The forms are those of the Unicode charts of Arabic Presentation Forms-B, worked out
// by hand for each word.
func TestShape(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"InitialLamAlefFinalIsolated", "سلام", "\uFEB3\uFEFC\uFEE1"}, // seen initial, lam-alef final, meem isolated after alef
		{"InitialMedialMedialFinal", "محمد", "\uFEE3\uFEA4\uFEE4\uFEAA"},
		{"RightJoiningLettersStayIsolated", "دار", "\uFEA9\uFE8D\uFEAD"},
		{"LamAlefAlone", "لا", "\uFEFB"},
		{"LamAlefWithHamza", "لأ", "\uFEF7"},
		{"InitialMedialFinal", "بيت", "\uFE91\uFEF4\uFE96"},
		{"AfterRehANewJoin", "برنامج", "\uFE91\uFEAE\uFEE7\uFE8E\uFEE3\uFE9E"},
		{"TehMarbutaFinal", "مدينة", "\uFEE3\uFEAA\uFEF3\uFEE8\uFE94"}, // meem initial, dal final, yeh initial (dal does not join after), noon medial, teh marbuta final
		{"HamzaNeverJoins", "ماء", "\uFEE3\uFE8E\uFE80"},
		{"MarkIsTransparent", "بَيت", "\uFE91\u064E\uFEF4\uFE96"},
		{"LatinAndDigitsKept", "AGIR 2026، موعد", "AGIR 2026، \uFEE3\uFEEE\uFECB\uFEAA"}, // meem initial, waw final, ain initial, dal final
		{"WordsShapedApart", "من في", "\uFEE3\uFEE6 \uFED3\uFEF2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Shape(tc.in); got != tc.want {
				t.Fatalf("Shape(%q) = %U, want %U", tc.in, []rune(got), []rune(tc.want))
			}
			// compatibility normalisation gives the letters back (what a text extractor reads)
			if back := norm.NFKC.String(Shape(tc.in)); back != tc.in {
				t.Fatalf("NFKC(Shape(%q)) = %q", tc.in, back)
			}
		})
	}
}

func TestVisual(t *testing.T) {
	rev := func(s string) string { rs := []rune(s); slices.Reverse(rs); return string(rs) }
	for _, tc := range []struct {
		name, in, want string
	}{
		{"ArabicReversed", "سلام", rev("سلام")},
		{"LatinAndNumbersKeepTheirOrder", "مرحبا AGIR 2026", "AGIR 2026 " + rev("مرحبا")}, // 2026 follows a Latin word: left to right with it (rule W7)
		{"NumberAfterArabic", "مرحبا 2026 نعم", rev("نعم") + " 2026 " + rev("مرحبا")},
		{"TimeAfterLabel", "الساعة: 09:30", "09:30 :" + rev("الساعة")},
		{"BracketsMirrored", "مرحبا (نعم)", rev("(نعم)")[0:0] + "(" + rev("نعم") + ") " + rev("مرحبا")},
		{"LatinOnly", "Lyon 69003", "Lyon 69003"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Visual(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Visual(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
