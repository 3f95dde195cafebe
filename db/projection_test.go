package db

import (
	"slices"
	"strings"
	"testing"
)

// TestBeneficiaryProjection: a page reads the columns of the fields asked when every
// field is known to need only those (the list, the dashboard), and every column
// otherwise (a resolver reading other columns, a field it does not know).
func TestBeneficiaryProjection(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fields  []string
		partial bool
		has     []string
	}{
		{"List", []string{"id", "firstName", "lastName", "phase", "referents", "socialOperator"}, true, []string{"b.first_name", "b.last_name"}},
		{"Dashboard", []string{"id", "firstName", "lastName", "phase", "journeyEndsOn", "socialOperator", "employmentOperator",
			"referents", "lastInterview", "orientations", "alerts"}, true, []string{"b.first_name"}},
		{"ResolverReadingColumns", []string{"id", "welcomeInterviewLate"}, false, []string{"b.eligibility"}},
		{"UnknownField", []string{"id", "somethingNew"}, false, []string{"b.eligibility"}},
		{"All", nil, false, []string{"b.eligibility"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols, partial := beneficiaryProjection(tc.fields)
			if partial != tc.partial {
				t.Fatalf("partial %v, want %v: %s", partial, tc.partial, cols)
			}
			for _, c := range tc.has {
				if !strings.Contains(cols, c) {
					t.Fatalf("%s missing from %s", c, cols)
				}
			}
			if partial {
				// nothing the fields do not ask for: contact details, birth date, eligibility
				for _, c := range []string{"b.eligibility", "b.phone", "b.email", "b.address", "b.birth_date"} {
					if strings.Contains(cols, c) {
						t.Fatalf("a narrow page reads %s: %s", c, cols)
					}
				}
				// the same set of fields, in another order or repeated: the same text (one
				// prepared statement per set)
				again := append(slices.Clone(tc.fields), tc.fields[0])
				slices.Reverse(again)
				if other, _ := beneficiaryProjection(again); other != cols {
					t.Fatalf("fields %v read %s, in another order %s", tc.fields, cols, other)
				}
			}
		})
	}
}
