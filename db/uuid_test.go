package db

import (
	"regexp"
	"testing"
)

// The form isUUID accepts, as a regular expression (what it replaced).
var uuidForm = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func TestIsUUID(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6f", true},
		{"0B9C2F7E-3A41-4C5D-9E8F-1A2B3C4D5E6F", true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"", false},
		{"0b9c2f7e3a414c5d9e8f1a2b3c4d5e6f", false},          // no hyphens (PostgreSQL would take it)
		{"{0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6f}", false},    // braces
		{"0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6", false},       // one digit short
		{"0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6f0", false},     // one too many
		{"0b9c2f7e-3a41-4c5d-9e8f_1a2b3c4d5e6f", false},      // wrong separator
		{"0b9c2f7g-3a41-4c5d-9e8f-1a2b3c4d5e6f", false},      // not hexadecimal
		{"0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6\u00e9", false}, // multi-byte
		{"0b9c2f7e--a41-4c5d-9e8f-1a2b3c4d5e6f", false},
	} {
		if got := isUUID(c.s); got != c.want {
			t.Errorf("isUUID(%q) = %v, want %v", c.s, got, c.want)
		}
		if got := uuidForm.MatchString(c.s); got != c.want {
			t.Errorf("the reference form says %v for %q, the table %v", got, c.s, c.want)
		}
	}
}

func FuzzIsUUID(f *testing.F) {
	f.Add("0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6f")
	f.Add("0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isUUID(s), uuidForm.MatchString(s); got != want {
			t.Errorf("isUUID(%q) = %v, the regular expression says %v", s, got, want)
		}
	})
}

// BenchmarkIsUUID compares the check with the regular expression it replaced, on the
// 50 keys of a page.
func BenchmarkIsUUID(b *testing.B) {
	keys := make([]string, 50)
	for i := range keys {
		keys[i] = "0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e" + string(rune('a'+i%6)) + "f"
	}
	for _, c := range []struct {
		name  string
		check func(string) bool
	}{{"Regexp", uuidForm.MatchString}, {"Hand", isUUID}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				for _, k := range keys {
					if !c.check(k) {
						b.Fatal(k)
					}
				}
			}
		})
	}
}
