package graph

import (
	"fmt"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestReadLogEntries: the reads of an operation are one entry per type, set of fields and
// department, listing its objects in key order; a field read twice on an object counts
// once, and an object's fields may come in any order and interleaved with others'.
func TestReadLogEntries(t *testing.T) {
	l := newReadLog()
	ben := func(key, dept string) model.AuditRef {
		return model.AuditRef{Type: "Beneficiary", Key: key, Department: dept}
	}
	l.add(ben("b2", "69"), "lastName")
	l.add(ben("b2", "69"), "firstName")
	l.add(ben("b1", "69"), "firstName")
	l.add(ben("b3", "69"), "firstName")
	l.add(ben("b1", "69"), "lastName")
	l.add(ben("b2", "69"), "lastName") // again
	l.add(ben("b4", "38"), "firstName")
	l.add(ben("b4", "38"), "lastName")
	l.add(model.AuditRef{Type: "HouseholdMember", Key: "h1", Department: "69"}, "firstName")
	var got []string
	for _, e := range l.entries() {
		got = append(got, fmt.Sprintf("%s %s %v %v %v", e.EntityType, e.EntityID, e.EntityIDs, e.Departments, e.Changes))
	}
	want := []string{
		"Beneficiary b1 [b1 b2] [69] [firstName lastName]",
		"Beneficiary b3 [] [69] [firstName]",
		"Beneficiary b4 [] [38] [firstName lastName]",
		"HouseholdMember h1 [] [69] [firstName]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("entries\n%s\nwant\n%s", got, want)
	}
}
