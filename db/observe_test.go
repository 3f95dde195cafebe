package db

import (
	"context"
	"testing"
)

// TestPoolKeepsStatementsPrepared: a statement with arguments is prepared once per
// connection and reused (the server lists it in pg_prepared_statements once, however
// often it ran: pgx's statement cache), and its answers follow its arguments.
func TestPoolKeepsStatementsPrepared(t *testing.T) {
	s := newTestStore(t)
	s.db.SetMaxOpenConns(1) // one connection: the statements counted are all on it
	ctx := context.Background()
	prepared := func() int {
		t.Helper()
		var n int
		if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM pg_prepared_statements`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := prepared()
	for i := range 20 {
		var got int
		if err := s.db.GetContext(ctx, &got, `SELECT $1::int + 1`, i); err != nil {
			t.Fatal(err)
		}
		if got != i+1 {
			t.Fatalf("SELECT %d + 1 = %d", i, got)
		}
	}
	if n := prepared() - before; n != 1 {
		t.Fatalf("20 runs of one statement left %d prepared statements, want 1", n)
	}

	// in a transaction too, and an error leaves the connection usable
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got int
	if err := tx.GetContext(ctx, &got, `SELECT $1::int + 1`, 41); err != nil || got != 42 {
		t.Fatalf("in a transaction: %d, %v", got, err)
	}
	if err := tx.GetContext(ctx, &got, `SELECT 1 / $1::int`, 0); err == nil {
		t.Fatal("division by zero did not fail")
	}
	_ = tx.Rollback()
	if err := s.db.GetContext(ctx, &got, `SELECT 1 / $1::int`, 1); err != nil || got != 1 {
		t.Fatalf("after a failed transaction: %d, %v", got, err)
	}

}

// TestPoolStatementsAfterChanges: a statement whose prepared form the server lost
// (DEALLOCATE, as a pooler or DISCARD does) or whose plan no longer fits (a column's
// type changed) fails once and is prepared again; a statement sent while another's rows
// are open is refused (pgx: conn busy), and the connection stays usable.
func TestPoolStatementsAfterChanges(t *testing.T) {
	s := newTestStore(t)
	s.db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE t (id int PRIMARY KEY, v int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO t VALUES (1, 10), (2, 20)`); err != nil {
		t.Fatal(err)
	}
	get := func() (string, error) {
		var v string
		err := s.db.GetContext(ctx, &v, `SELECT v FROM t WHERE id = $1`, 1)
		return v, err
	}
	if v, err := get(); err != nil || v != "10" {
		t.Fatalf("first: %q, %v", v, err)
	}
	// the server forgets the statement
	if _, err := s.db.ExecContext(ctx, `DEALLOCATE ALL`); err != nil {
		t.Fatal(err)
	}
	if _, err := get(); err == nil {
		t.Fatal("a deallocated statement ran")
	}
	if v, err := get(); err != nil || v != "10" {
		t.Fatalf("after DEALLOCATE: %q, %v", v, err)
	}
	// the result's type changes
	if _, err := s.db.ExecContext(ctx, `ALTER TABLE t ALTER COLUMN v TYPE text`); err != nil {
		t.Fatal(err)
	}
	_, _ = get() // may fail once: cached plan must not change result type
	if v, err := get(); err != nil || v != "10" {
		t.Fatalf("after ALTER: %q, %v", v, err)
	}
	// a statement while rows are open on the same connection (a transaction)
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tx.QueryxContext(ctx, `SELECT v FROM t WHERE id >= $1 ORDER BY id`, 1)
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	var v string
	if err := tx.GetContext(ctx, &v, `SELECT v FROM t WHERE id = $1 AND v <> $2`, 2, "x"); err == nil {
		t.Fatal("a statement while rows were open ran")
	}
	var next string
	if !rows.Next() || rows.Scan(&next) != nil || next != "20" {
		t.Fatalf("the open rows broke: %q, %v", next, rows.Err())
	}
	rows.Close()
	_ = tx.Rollback()
	if v, err := get(); err != nil || v != "10" {
		t.Fatalf("after the refused statement: %q, %v", v, err)
	}
}
