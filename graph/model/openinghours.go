package model

import (
	"fmt"
	"strings"
)

// ValidateOpeningHours checks that s follows the OpenStreetMap opening_hours syntax
// (« horaires d'accueil » of data·inclusion, https://wiki.openstreetmap.org/wiki/Key:opening_hours/specification):
// rules separated by ";", "," (additional rule) or "||" (fallback), each made of optional
// wide-range selectors (years, months and dates, weeks, an optional ":"), small-range
// selectors (weekdays with [nth] and offsets, PH and SH holidays, times with variable
// times sunrise/sunset/dawn/dusk, open ends "+", periods "/"), or "24/7", then an optional
// modifier (open, closed, off, unknown) and comment ("..."). It returns nil when s is
// valid, otherwise an error telling where parsing stopped. It checks ranges (hours,
// minutes, days of month, weeks) but not the meaning of overlapping rules.
func ValidateOpeningHours(s string) error {
	p := &ohParser{s: s}
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("horaires vides")
	}
	for {
		p.space()
		if !p.rule() {
			return p.fail()
		}
		p.space()
		if p.eof() {
			return nil
		}
		switch {
		case p.lit("||"), p.lit(";"), p.lit(","):
		default:
			return p.fail()
		}
	}
}

type ohParser struct {
	s    string
	i    int
	far  int    // farthest position reached, for the error message
	what string // what was expected there
}

func (p *ohParser) fail() error {
	at := max(p.far, p.i)
	if at >= len(p.s) {
		return fmt.Errorf("horaires incomplets : « %s » se termine trop tôt", p.s)
	}
	return fmt.Errorf("horaires invalides à la position %d (« %s »)", at+1, p.s[at:])
}

func (p *ohParser) eof() bool { return p.i >= len(p.s) }

func (p *ohParser) mark() { p.far = max(p.far, p.i) }

func (p *ohParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// lit consumes the literal l (after optional spaces) and reports whether it did.
func (p *ohParser) lit(l string) bool {
	save := p.i
	p.space()
	if strings.HasPrefix(p.s[p.i:], l) {
		p.i += len(l)
		p.mark()
		return true
	}
	p.i = save
	return false
}

// word consumes one of words when it is not followed by a letter.
func (p *ohParser) word(words ...string) (string, bool) {
	save := p.i
	p.space()
	for _, w := range words {
		if strings.HasPrefix(p.s[p.i:], w) {
			end := p.i + len(w)
			if end < len(p.s) && isLetter(p.s[end]) {
				continue
			}
			p.i = end
			p.mark()
			return w, true
		}
	}
	p.i = save
	return "", false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// number consumes exactly n digits (n > 0) or 1..-n digits (n < 0) and returns their value.
func (p *ohParser) number(n int) (int, bool) {
	save := p.i
	p.space()
	start, v := p.i, 0
	for p.i < len(p.s) && isDigit(p.s[p.i]) && (n < 0 && p.i-start < -n || n > 0 && p.i-start < n) {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
	}
	got := p.i - start
	if got == 0 || n > 0 && got != n || p.i < len(p.s) && isDigit(p.s[p.i]) {
		p.i = save
		return 0, false
	}
	p.mark()
	return v, true
}

// try runs f and rewinds when it fails.
func (p *ohParser) try(f func() bool) bool {
	save := p.i
	if f() {
		return true
	}
	p.i = save
	return false
}

// list parses item {"," item}, rewinding a trailing "," that does not start an item (it
// may separate two rules).
func (p *ohParser) list(item func() bool) bool {
	if !p.try(item) {
		return false
	}
	for {
		save := p.i
		if !p.lit(",") || !p.try(item) {
			p.i = save
			return true
		}
	}
}

var (
	ohWeekdays = []string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}
	ohMonths   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	ohMonthLen = map[string]int{"Jan": 31, "Feb": 29, "Mar": 31, "Apr": 30, "May": 31, "Jun": 30, "Jul": 31, "Aug": 31, "Sep": 30, "Oct": 31, "Nov": 30, "Dec": 31}
)

func (p *ohParser) rule() bool {
	if p.lit("24/7") {
		p.modifier()
		return true
	}
	found := false
	// wide range selectors: years, months and dates, weeks; or a comment followed by ":"
	if p.try(func() bool { return p.comment() && p.lit(":") }) {
		found = true
	}
	if p.list(p.yearRange) {
		found = true
	}
	if p.list(p.monthdayRange) {
		found = true
	}
	if p.weekSelector() {
		found = true
	}
	if found {
		p.lit(":")
	}
	// small range selectors
	if p.weekdaySelector() {
		found = true
	}
	if p.list(p.timespan) {
		found = true
	}
	if p.modifier() {
		found = true
	}
	return found
}

func (p *ohParser) modifier() bool {
	found := false
	if _, ok := p.word("open", "closed", "off", "unknown"); ok {
		found = true
	}
	if p.comment() {
		found = true
	}
	return found
}

func (p *ohParser) comment() bool {
	return p.try(func() bool {
		if !p.lit(`"`) {
			return false
		}
		end := strings.IndexByte(p.s[p.i:], '"')
		if end < 0 {
			return false
		}
		p.i += end + 1
		p.mark()
		return true
	})
}

func (p *ohParser) year() (int, bool) {
	y, ok := p.number(4)
	return y, ok && y >= 1900
}

func (p *ohParser) yearRange() bool {
	y, ok := p.year()
	if !ok {
		return false
	}
	// a year followed by a month belongs to a date ("2025 Dec 25"): leave it to monthday
	save := p.i
	if _, isMonth := p.word(ohMonths...); isMonth {
		p.i = save
		return false
	}
	if p.lit("+") {
		return true
	}
	if p.try(func() bool {
		if !p.lit("-") {
			return false
		}
		y2, ok := p.year()
		return ok && y2 >= y
	}) {
		if p.lit("/") {
			n, ok := p.number(-3)
			return ok && n > 0
		}
	}
	return true
}

// date parses [year] month [day] or easter; wantDay requires the day.
func (p *ohParser) date(wantDay bool) (month string, day int, ok bool) {
	return month, day, p.try(func() bool {
		p.try(func() bool { _, ok := p.year(); return ok })
		if _, ok := p.word("easter"); ok {
			month = "easter"
			return true
		}
		m, ok := p.word(ohMonths...)
		if !ok {
			return false
		}
		month = m
		if d, ok := p.number(-2); ok {
			if d < 1 || d > ohMonthLen[m] {
				return false
			}
			day = d
			return true
		}
		return !wantDay
	})
}

func (p *ohParser) dayOffset() {
	p.try(func() bool {
		if !p.lit("+") && !p.lit("-") {
			return false
		}
		if _, ok := p.number(-3); !ok {
			return false
		}
		_, ok := p.word("days", "day")
		return ok
	})
}

func (p *ohParser) monthdayRange() bool {
	return p.try(func() bool {
		m, d, ok := p.date(false)
		if !ok {
			return false
		}
		p.dayOffset()
		if p.lit("+") {
			return d != 0
		}
		if !p.lit("-") {
			return true
		}
		if d == 0 { // month range: Jan-Mar
			_, ok := p.word(ohMonths...)
			return ok
		}
		// Dec 24-26, Dec 24-Jan 02, Jan 01-easter
		if n, ok := p.number(-2); ok {
			return n >= 1 && n <= ohMonthLen[m]
		}
		_, _, ok = p.date(true)
		if ok {
			p.dayOffset()
		}
		return ok
	})
}

func (p *ohParser) weekSelector() bool {
	return p.try(func() bool {
		if _, ok := p.word("week"); !ok {
			return false
		}
		return p.list(func() bool {
			w, ok := p.number(-2)
			if !ok || w < 1 || w > 53 {
				return false
			}
			if p.try(func() bool {
				if !p.lit("-") {
					return false
				}
				w2, ok := p.number(-2)
				return ok && w2 >= 1 && w2 <= 53
			}) && p.lit("/") {
				n, ok := p.number(-2)
				return ok && n > 0
			}
			return true
		})
	})
}

func (p *ohParser) weekdaySelector() bool {
	return p.list(func() bool {
		if h, ok := p.word("PH", "SH"); ok {
			if h == "PH" {
				p.dayOffset()
			}
			return true
		}
		if _, ok := p.word(ohWeekdays...); !ok {
			return false
		}
		if p.lit("[") {
			ok := p.list(func() bool {
				neg := p.lit("-")
				n, ok := p.number(1)
				if !ok || n < 1 || n > 5 {
					return false
				}
				if !neg && p.try(func() bool {
					if !p.lit("-") {
						return false
					}
					m, ok := p.number(1)
					return ok && m >= n && m <= 5
				}) {
					return true
				}
				return true
			})
			if !ok || !p.lit("]") {
				return false
			}
			p.dayOffset()
			return true
		}
		p.try(func() bool {
			if !p.lit("-") {
				return false
			}
			_, ok := p.word(ohWeekdays...)
			return ok
		})
		return true
	})
}

// clock parses hh:mm with hours up to maxHour (24 for a start, 48 for an extended end).
func (p *ohParser) clock(maxHour int) bool {
	return p.try(func() bool {
		h, ok := p.number(2)
		if !ok || h > maxHour || !strings.HasPrefix(p.s[p.i:], ":") {
			return false
		}
		p.i++
		m, ok := p.number(2)
		return ok && m < 60 && (h < maxHour || m == 0)
	})
}

func (p *ohParser) variableTime() bool {
	if _, ok := p.word("sunrise", "sunset", "dawn", "dusk"); ok {
		return true
	}
	return p.try(func() bool {
		if !p.lit("(") {
			return false
		}
		if _, ok := p.word("sunrise", "sunset", "dawn", "dusk"); !ok {
			return false
		}
		if !p.lit("+") && !p.lit("-") {
			return false
		}
		return p.clock(24) && p.lit(")")
	})
}

func (p *ohParser) timespan() bool {
	return p.try(func() bool {
		if !p.clock(24) && !p.variableTime() {
			return false
		}
		if p.lit("+") {
			return true
		}
		if !p.try(func() bool { return p.lit("-") && (p.clock(48) || p.variableTime()) }) {
			return true // a point in time (e.g. "Mo 12:00")
		}
		p.lit("+")
		if p.lit("/") {
			if p.clock(24) {
				return true
			}
			n, ok := p.number(-3)
			return ok && n > 0
		}
		return true
	})
}
