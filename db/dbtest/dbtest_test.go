package dbtest

import (
	"context"
	"database/sql"
	"testing"
)

func TestMain(m *testing.M) {
	Main(m, func(ctx context.Context, url string) error {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, `CREATE TABLE note (id int PRIMARY KEY, body text NOT NULL)`)
		return err
	})
}

func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countNotes(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM note`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewDatabase_TwoDatabasesAreIsolated(t *testing.T) {
	first, second := NewDatabase(t), NewDatabase(t)
	if first == second {
		t.Fatalf("both databases have the URL %q", first)
	}
	db1, db2 := open(t, first), open(t, second)
	if _, err := db1.ExecContext(t.Context(), `INSERT INTO note (id, body) VALUES (1, 'only in the first')`); err != nil {
		t.Fatal(err)
	}
	if got := countNotes(t, db1); got != 1 {
		t.Errorf("first database: %d notes, want 1", got)
	}
	if got := countNotes(t, db2); got != 0 {
		t.Errorf("second database: %d notes, want 0 (migrated template, no data)", got)
	}
}

func TestNewDatabase_DroppedAtCleanup(t *testing.T) {
	var name string
	t.Run("OK", func(t *testing.T) {
		db := open(t, NewDatabase(t))
		if err := db.QueryRowContext(t.Context(), `SELECT current_database()`).Scan(&name); err != nil {
			t.Fatal(err)
		}
		db.Close()
	})
	admin := open(t, AdminURL())
	var exists bool
	if err := admin.QueryRowContext(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestNewDatabase_ParallelClones(t *testing.T) {
	for i := range 8 {
		t.Run("clone", func(t *testing.T) {
			t.Parallel()
			db := open(t, NewDatabase(t))
			if _, err := db.ExecContext(t.Context(), `INSERT INTO note (id, body) VALUES ($1, 'x')`, i); err != nil {
				t.Fatal(err)
			}
			if got := countNotes(t, db); got != 1 {
				t.Errorf("%d notes, want 1", got)
			}
		})
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"postgres://root@127.0.0.1:5432/test?sslmode=disable", "postgres://root@127.0.0.1:5432/agir_t_x?sslmode=disable"},
		{"postgresql://u:p@h/db", "postgresql://u:p@h/agir_t_x"},
		{"postgres://h?dbname=db&sslmode=disable", "postgres://h/agir_t_x?sslmode=disable"},
		{"host=/run/pg dbname=test sslmode=disable", "host=/run/pg dbname=test sslmode=disable dbname='agir_t_x'"},
	}
	for _, tt := range tests {
		if got := withDatabase(tt.dsn, "agir_t_x"); got != tt.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
