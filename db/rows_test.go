package db

import (
	"context"
	"database/sql"
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

// TestSelectRows: rows scanned in place keep their order, with more rows than the hint;
// a row type that is not a struct mapped by column goes through sqlx's Select.
func TestSelectRows(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	type row struct {
		N    int    `db:"n"`
		Name string `db:"name"`
	}
	err := s.readTx(ctx, func(tx *Tx) error {
		rows, err := selectRows[row](ctx, tx, 2, `SELECT n, 'r' || n AS name FROM generate_series(5, 1, -1) n`)
		if err != nil {
			return err
		}
		if got := fmt.Sprint(rows); got != "[{5 r5} {4 r4} {3 r3} {2 r2} {1 r1}]" {
			t.Errorf("structs: %s", got)
		}
		names, err := selectRows[string](ctx, tx, 2, `SELECT 'r' || n FROM generate_series(1, 3) n`)
		if err != nil {
			return err
		}
		if got := fmt.Sprint(names); got != "[r1 r2 r3]" {
			t.Errorf("strings: %s", got)
		}
		times, err := selectRows[sql.NullTime](ctx, tx, 1, `SELECT NULL::timestamptz`)
		if err != nil {
			return err
		}
		if len(times) != 1 || times[0].Valid {
			t.Errorf("scanners: %+v", times)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
