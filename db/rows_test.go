package db

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agir-reseau/agir-backend/graph/model"
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

// TestSelectRows_DecodedByPgx: the rows pgx reads itself fill embedded structs, text
// arrays (stringArray, which database/sql would hand over as text but pgx in binary),
// dates (model.Date, a sql.Scanner), NULL into pointers, and named string types; a
// column without a field is an error, a field without a column stays zero. A lazy read's
// second statement runs in its read-only transaction, on the same connection as the
// rest of the transaction.
func TestSelectRows_DecodedByPgx(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	type inner struct {
		Key  string     `db:"id"`
		Born model.Date `db:"born"`
	}
	type row struct {
		inner
		Languages stringArray         `db:"languages"`
		Ended     *model.Date         `db:"ended"`
		Phase     model.JourneyPhase  `db:"phase"`
		Status    *model.JourneyPhase `db:"status"`
		Unread    string              `db:"unread"`
		Role      *model.StaffRole    `db:"role"`
	}
	err := s.readTx(ctx, func(tx *Tx) error {
		rows, err := selectRows[row](ctx, tx, 1, `SELECT '0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6f'::uuid AS id,
			DATE '2026-02-28' AS born, ARRAY['fr', 'ps']::text[] AS languages, NULL::date AS ended,
			'WELCOMED' AS phase, 'CONTRACTED' AS status, NULL AS role`)
		if err != nil {
			return err
		}
		want := row{inner: inner{Key: "0b9c2f7e-3a41-4c5d-9e8f-1a2b3c4d5e6f", Born: model.NewDate(2026, 2, 28)},
			Languages: stringArray{"fr", "ps"}, Phase: "WELCOMED"}
		if len(rows) != 1 || rows[0].Status == nil || *rows[0].Status != "CONTRACTED" {
			t.Fatalf("rows %+v", rows)
		}
		rows[0].Status = nil
		if !reflect.DeepEqual(rows[0], want) {
			t.Errorf("got %+v, want %+v", rows[0], want)
		}
		type setting struct {
			RO string `db:"ro"`
		}
		readOnly, err := selectRows[setting](ctx, tx, 1, `SELECT current_setting('transaction_read_only') AS ro`)
		if err != nil {
			return err
		}
		if readOnly[0].RO != "on" {
			t.Errorf("the second statement of a read: transaction_read_only %q", readOnly[0].RO)
		}
		if _, err := selectRows[row](ctx, tx, 1, `SELECT 'x' AS id, 1 AS extra`); err == nil {
			t.Error("a column without a field: no error")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestColumnFields: pgx.RowToStructByNameLax's mapping, computed once per statement: a tag
// matches exactly first, then regardless of case; an untagged field by its name, case and
// underscores aside; an outer field wins over an embedded one of the same name; "-" and
// unexported fields take no column; a column without a field is an error.
func TestColumnFields(t *testing.T) {
	type Embedded struct {
		A      string `db:"a"`
		Shadow string `db:"shadow"`
		hidden string
	}
	type row struct {
		Embedded
		Shadow   string `db:"shadow"`
		Ignored  string `db:"-"`
		PlanDate string
		Upper    string `db:"Upper"`
		Lower    string `db:"upper"`
	}
	cols := func(names ...string) []pgconn.FieldDescription {
		out := make([]pgconn.FieldDescription, len(names))
		for i, n := range names {
			out[i].Name = n
		}
		return out
	}
	typ := reflect.TypeFor[row]()
	paths, err := columnFields(typ, cols("a", "shadow", "plan_date", "Upper", "upper", "A"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(paths); got != "[[0 0] [1] [3] [4] [5] [0 0]]" {
		t.Errorf("paths %s", got)
	}
	for _, c := range []string{"ignored", "hidden", "extra"} {
		if _, err := columnFields(typ, cols(c)); err == nil {
			t.Errorf("column %s: no error", c)
		}
	}
}
