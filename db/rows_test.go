package db

import (
	"fmt"
	"testing"
)

// TestGroupRows: each owner gets its rows in their order, in a slice of its own:
// appending to one does not write into another's.
func TestGroupRows(t *testing.T) {
	type row struct{ owner, v string }
	rows := []row{{"a", "1"}, {"b", "2"}, {"a", "3"}, {"c", "4"}, {"b", "5"}, {"a", "6"}}
	got := groupRows(rows, func(r row) string { return r.owner })
	if s := fmt.Sprint(got); s != "map[a:[{a 1} {a 3} {a 6}] b:[{b 2} {b 5}] c:[{c 4}]]" {
		t.Fatalf("grouped %s", s)
	}
	_ = append(got["a"], row{"a", "7"})
	_ = append(got["b"], row{"b", "8"})
	if s := fmt.Sprint(got["b"], got["c"]); s != "[{b 2} {b 5}] [{c 4}]" {
		t.Fatalf("after appending to a and b: b %v, c %v", got["b"], got["c"])
	}
	if len(groupRows([]row(nil), func(r row) string { return r.owner })) != 0 {
		t.Fatal("no rows, no groups")
	}
}
