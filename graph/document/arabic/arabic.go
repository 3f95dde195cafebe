// Package arabic prepares Arabic text for a PDF library that draws one glyph per
// character from left to right (codeberg.org/go-pdf/fpdf): it shapes the letters into
// their contextual forms of the Unicode block Arabic Presentation Forms-B (isolated,
// final, initial, medial, and the lam-alef ligatures) and reorders a line for display
// (the Unicode Bidirectional Algorithm of golang.org/x/text/unicode/bidi). Shaping
// works on logical text; a paragraph is shaped, then broken into lines, then each line
// is put in visual order.
package arabic

import (
	"slices"
	"strings"

	"golang.org/x/text/unicode/bidi"
)

// forms are the presentation forms of a letter: isolated, final, initial, medial. A
// right-joining letter (it joins the letter before it, never the one after) has no
// initial nor medial form (0).
type forms [4]rune

const (
	isolated = iota
	final
	initial
	medial
)

// letters maps the Arabic letters to their presentation forms (Unicode, Arabic
// Presentation Forms-B, U+FE80 to U+FEF4).
var letters = map[rune]forms{
	'\u0621': {0xFE80, 0, 0, 0},                // hamza (non-joining)
	'\u0622': {0xFE81, 0xFE82, 0, 0},           // alef with madda above
	'\u0623': {0xFE83, 0xFE84, 0, 0},           // alef with hamza above
	'\u0624': {0xFE85, 0xFE86, 0, 0},           // waw with hamza above
	'\u0625': {0xFE87, 0xFE88, 0, 0},           // alef with hamza below
	'\u0626': {0xFE89, 0xFE8A, 0xFE8B, 0xFE8C}, // yeh with hamza above
	'\u0627': {0xFE8D, 0xFE8E, 0, 0},           // alef
	'\u0628': {0xFE8F, 0xFE90, 0xFE91, 0xFE92}, // beh
	'\u0629': {0xFE93, 0xFE94, 0, 0},           // teh marbuta
	'\u062A': {0xFE95, 0xFE96, 0xFE97, 0xFE98}, // teh
	'\u062B': {0xFE99, 0xFE9A, 0xFE9B, 0xFE9C}, // theh
	'\u062C': {0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0}, // jeem
	'\u062D': {0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4}, // hah
	'\u062E': {0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8}, // khah
	'\u062F': {0xFEA9, 0xFEAA, 0, 0},           // dal
	'\u0630': {0xFEAB, 0xFEAC, 0, 0},           // thal
	'\u0631': {0xFEAD, 0xFEAE, 0, 0},           // reh
	'\u0632': {0xFEAF, 0xFEB0, 0, 0},           // zain
	'\u0633': {0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4}, // seen
	'\u0634': {0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8}, // sheen
	'\u0635': {0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC}, // sad
	'\u0636': {0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0}, // dad
	'\u0637': {0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4}, // tah
	'\u0638': {0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8}, // zah
	'\u0639': {0xFEC9, 0xFECA, 0xFECB, 0xFECC}, // ain
	'\u063A': {0xFECD, 0xFECE, 0xFECF, 0xFED0}, // ghain
	'\u0640': {0x0640, 0x0640, 0x0640, 0x0640}, // tatweel (joins both sides, one form)
	'\u0641': {0xFED1, 0xFED2, 0xFED3, 0xFED4}, // feh
	'\u0642': {0xFED5, 0xFED6, 0xFED7, 0xFED8}, // qaf
	'\u0643': {0xFED9, 0xFEDA, 0xFEDB, 0xFEDC}, // kaf
	'\u0644': {0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0}, // lam
	'\u0645': {0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4}, // meem
	'\u0646': {0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8}, // noon
	'\u0647': {0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC}, // heh
	'\u0648': {0xFEED, 0xFEEE, 0, 0},           // waw
	'\u0649': {0xFEEF, 0xFEF0, 0, 0},           // alef maksura
	'\u064A': {0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4}, // yeh
}

// lamAlef maps the alef that follows a lam to the ligature's isolated and final forms.
var lamAlef = map[rune][2]rune{
	'\u0622': {0xFEF5, 0xFEF6},
	'\u0623': {0xFEF7, 0xFEF8},
	'\u0625': {0xFEF9, 0xFEFA},
	'\u0627': {0xFEFB, 0xFEFC},
}

// transparent reports whether r is a combining mark (harakat, superscript alef) that
// neither joins nor breaks a join: it is kept where it is.
func transparent(r rune) bool {
	return (r >= '\u064B' && r <= '\u065F') || r == '\u0670'
}

// joinsAfter reports whether letter r connects to the letter that follows it.
func joinsAfter(r rune) bool {
	f, ok := letters[r]
	return ok && f[initial] != 0
}

// joinsBefore reports whether letter r connects to the letter that precedes it.
func joinsBefore(r rune) bool {
	f, ok := letters[r]
	return ok && f[final] != 0
}

// Shape returns s, in logical order, with its Arabic letters replaced by their
// contextual presentation forms and each lam followed by an alef by their ligature.
// Other characters are kept as they are.
func Shape(s string) string {
	rs := []rune(s)
	// neighbour returns the index of the nearest letter from i in direction step,
	// skipping transparent marks; -1 when there is none.
	neighbour := func(i, step int) int {
		for j := i + step; j >= 0 && j < len(rs); j += step {
			if !transparent(rs[j]) {
				return j
			}
		}
		return -1
	}
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		f, ok := letters[r]
		if !ok {
			b.WriteRune(r)
			continue
		}
		p := neighbour(i, -1)
		before := p >= 0 && joinsAfter(rs[p]) && joinsBefore(r)
		n := neighbour(i, 1)
		if r == '\u0644' && n >= 0 {
			if lig, ok := lamAlef[rs[n]]; ok {
				if before {
					b.WriteRune(lig[1])
				} else {
					b.WriteRune(lig[0])
				}
				for _, m := range rs[i+1 : n] { // marks between lam and alef
					b.WriteRune(m)
				}
				i = n
				continue
			}
		}
		after := n >= 0 && joinsAfter(r) && joinsBefore(rs[n])
		switch {
		case before && after:
			b.WriteRune(f[medial])
		case before:
			b.WriteRune(f[final])
		case after:
			b.WriteRune(f[initial])
		default:
			b.WriteRune(f[isolated])
		}
	}
	return b.String()
}

// mirrored are the characters a right-to-left run shows mirrored (Unicode
// Bidi_Mirroring_Glyph, the pairs the documents use).
var mirrored = map[rune]rune{'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«'}

// Visual returns one line of logical text in the order it is drawn from left to right,
// for a right-to-left paragraph. The runs and their directions are those the Unicode
// Bidirectional Algorithm resolves (golang.org/x/text/unicode/bidi; a right-to-left run
// is at level 1, a left-to-right one at level 2 in a right-to-left paragraph without
// embeddings); the reordering is the algorithm's rule L2, done here because
// bidi.Paragraph.Order gives the runs in logical order: from the highest level down to
// 1, every maximal sequence of characters at that level or above is reversed. Brackets
// in right-to-left runs are mirrored (rule L4); numbers and Latin words keep their
// left-to-right order.
func Visual(line string) (string, error) {
	var p bidi.Paragraph
	if _, err := p.SetString(line, bidi.DefaultDirection(bidi.RightToLeft)); err != nil {
		return "", err
	}
	o, err := p.Order()
	if err != nil {
		return "", err
	}
	var rs []rune
	var levels []int
	for i := 0; i < o.NumRuns(); i++ {
		run := o.Run(i)
		level := 2
		if run.Direction() == bidi.RightToLeft {
			level = 1
		}
		for _, r := range run.String() {
			if m, ok := mirrored[r]; ok && level == 1 {
				r = m
			}
			rs, levels = append(rs, r), append(levels, level)
		}
	}
	for level := 2; level >= 1; level-- {
		for i := 0; i < len(rs); {
			if levels[i] < level {
				i++
				continue
			}
			j := i
			for j < len(rs) && levels[j] >= level {
				j++
			}
			slices.Reverse(rs[i:j])
			slices.Reverse(levels[i:j])
			i = j
		}
	}
	return string(rs), nil
}
