package db

import (
	"context"
	"database/sql"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/agir-reseau/agir-backend/db/dbtest"
)

// The template is empty: each test migrates its database itself.
func TestMain(m *testing.M) { dbtest.Main(m, nil) }

// allVersions lists the versions of the embedded migrations, in order.
func allVersions(t *testing.T) []int64 {
	t.Helper()
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v, %v", names, err)
	}
	var versions []int64
	for _, name := range names {
		prefix, _, _ := strings.Cut(strings.TrimPrefix(name, "migrations/"), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if err != nil {
			t.Fatalf("migration %s has no numeric version", name)
		}
		versions = append(versions, v)
	}
	for _, m := range goMigrations() {
		versions = append(versions, m.Version)
	}
	slices.Sort(versions)
	return versions
}

// schemaObjects lists what the migrations may leave in the database, apart from
// goose's own table and what extensions own: relations, functions, types and triggers.
func schemaObjects(t *testing.T, conn *sql.DB) []string {
	t.Helper()
	rows, err := conn.Query(`
		SELECT 'relation ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relname NOT LIKE 'goose_db_version%'
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
		UNION ALL
		SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'public'
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
		UNION ALL
		SELECT 'type ' || ty.typname FROM pg_type ty JOIN pg_namespace n ON n.oid = ty.typnamespace
		WHERE n.nspname = 'public' AND ty.typtype IN ('e', 'd', 'r', 'm')
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = ty.oid AND d.deptype = 'e')
		UNION ALL
		SELECT 'schema ' || nspname FROM pg_namespace
		WHERE nspname NOT IN ('public', 'information_schema') AND nspname NOT LIKE 'pg\_%'
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	all := allVersions(t)

	t.Run("FromEmptyThenNothing", func(t *testing.T) {
		url := dbtest.NewDatabase(t)
		applied, err := Migrate(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(applied, all) {
			t.Fatalf("first Migrate applied %v, want %v", applied, all)
		}
		applied, err = Migrate(ctx, url)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, %v; want none", applied, err)
		}
		// The Store opens on the migrated database.
		s, err := Open(ctx, url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("DownToZeroThenUp", func(t *testing.T) {
		url := dbtest.NewDatabase(t)
		conn, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		empty := schemaObjects(t, conn)
		if _, err := Migrate(ctx, url); err != nil {
			t.Fatal(err)
		}
		if got := schemaObjects(t, conn); len(got) <= len(empty) {
			t.Fatalf("Migrate created nothing: %v", got)
		}
		p := gooseProvider(t, conn)
		results, err := p.DownTo(ctx, 0)
		if err != nil {
			t.Fatalf("down to 0: %v", err)
		}
		if len(results) != len(all) {
			t.Errorf("down to 0 rolled back %d migrations, want %d", len(results), len(all))
		}
		if v, err := p.GetDBVersion(ctx); err != nil || v != 0 {
			t.Errorf("version after down: %d, %v; want 0", v, err)
		}
		if got := schemaObjects(t, conn); !slices.Equal(got, empty) {
			t.Errorf("down migrations left %v (empty database: %v)", got, empty)
		}
		applied, err := Migrate(ctx, url)
		if err != nil || !slices.Equal(applied, all) {
			t.Fatalf("up again: %v, %v; want %v", applied, err, all)
		}
	})

	t.Run("ConcurrentStarts", func(t *testing.T) {
		url := dbtest.NewDatabase(t)
		const n = 3
		var wg sync.WaitGroup
		results := make([][]int64, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { results[i], errs[i] = Migrate(ctx, url) })
		}
		wg.Wait()
		var union []int64
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("Migrate %d: %v", i, errs[i])
			}
			union = append(union, results[i]...)
		}
		slices.Sort(union)
		if !slices.Equal(union, all) {
			t.Fatalf("concurrent Migrate applied %v together, want each of %v once", union, all)
		}
	})
}

// TestMigrate_OutOfOrder: a database that holds a module's higher migration before a lower
// one of another module (merged later) gets the missing one applied, not refused.
func TestMigrate_OutOfOrder(t *testing.T) {
	ctx := context.Background()
	all := allVersions(t)
	url, conn := migratedDatabase(t)
	p := gooseProvider(t, conn)
	// Two independent migrations: the last before 00100 and 00101 (the journey facts'
	// table and its fill, which go together). The later one is there, the one before it
	// not (it "lands later").
	cut := slices.Index(all, 100)
	if cut < 0 {
		cut = len(all)
	}
	if _, err := p.DownTo(ctx, all[cut-3]); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ApplyVersion(ctx, all[cut-1], true); err != nil {
		t.Fatal(err)
	}
	applied, err := Migrate(ctx, url)
	if err != nil {
		t.Fatalf("out-of-order migration refused: %v", err)
	}
	if want := append([]int64{all[cut-2]}, all[cut:]...); !slices.Equal(applied, want) {
		t.Fatalf("applied %v, want %v", applied, want)
	}
}

// TestMigrate_AuditPageReadsRollbackRefused: rolling back migration 00080 once the audit
// log holds a page read would lose who was read and break the chain: it is refused, and
// the column stays.
func TestMigrate_AuditPageReadsRollbackRefused(t *testing.T) {
	ctx := context.Background()
	_, conn := migratedDatabase(t)
	if _, err := conn.ExecContext(ctx, `INSERT INTO audit_log (at, actor_subject, actor_role, action, entity_type, entity_id,
		entity_ids, prev_hash, hash) VALUES (now(), 's', 'coordinator', 'read', 'Beneficiary', 'a', '{a,b}', '\x00', '\x00')`); err != nil {
		t.Fatal(err)
	}
	p := gooseProvider(t, conn)
	if _, err := p.DownTo(ctx, 79); err == nil || !strings.Contains(err.Error(), "entity_ids") {
		t.Fatalf("rollback of 00080 with a page read: %v", err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT cardinality(entity_ids) FROM audit_log WHERE entity_id = 'a'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("page read after the refused rollback: %d, %v", n, err)
	}
}

// migratedDatabase returns a fresh database with every migration applied, and a
// connection to it (closed with the test).
func migratedDatabase(t *testing.T) (string, *sql.DB) {
	t.Helper()
	url := dbtest.NewDatabase(t)
	if _, err := Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return url, conn
}

// gooseProvider is goose's provider of the project's migrations on conn, to move a test
// database up and down by version.
func gooseProvider(t *testing.T, conn *sql.DB) *goose.Provider {
	t.Helper()
	p, err := goose.NewProvider(goose.DialectPostgres, conn, mustSub(migrations, "migrations"), goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(goMigrations()...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
