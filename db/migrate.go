package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds the plain SQL migrations, applied in order by goose.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies every migration not yet applied to the database at url, and returns
// the versions it applied. It is safe to call on every start: goose takes a lock and
// skips what is already there.
func Migrate(ctx context.Context, url string) ([]int64, error) {
	conn, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	defer conn.Close()
	return migrateDB(ctx, conn)
}

func migrateDB(ctx context.Context, conn *sql.DB) ([]int64, error) {
	// A session lock keeps two instances starting at once from applying the same
	// migration twice. The one that waits probes every second (goose's default, 5 s,
	// is long beside migrations that take milliseconds), for up to 5 minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	// Modules number their migrations in ranges of their own (social 10-19, partnership
	// 20-29, ...), so a database can hold a higher number before a lower one lands (a
	// module merged later): such migrations are independent, and are applied, not
	// refused.
	p, err := NewMigrationProvider(conn, goose.WithSessionLocker(locker), goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
		slog.DebugContext(ctx, "migration applied", "version", r.Source.Version, "duration", r.Duration)
	}
	return applied, nil
}

// goMigrations are the migrations written in Go, beside the SQL files: 00101 fills the
// journey facts with the statement the acts run (db/journey_facts.go).
// NewMigrationProvider is a goose provider of the project's migrations, the SQL files and
// the Go ones, on conn (Migrate uses it; so can a test that puts a database at an older
// version).
func NewMigrationProvider(conn *sql.DB, opts ...goose.ProviderOption) (*goose.Provider, error) {
	opts = append([]goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(goMigrations()...)}, opts...)
	return goose.NewProvider(goose.DialectPostgres, conn, mustSub(migrations, "migrations"), opts...)
}

func goMigrations() []*goose.Migration {
	return []*goose.Migration{journeyFactsMigration()}
}
