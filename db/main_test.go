package db

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/db/dbtest"
)

// newTestStore opens a Store on a fresh, migrated database. (The package's template is
// left empty, for the migration tests of migrate_test.go; see its TestMain.)
func newTestStore(t testing.TB) *Store {
	t.Helper()
	url := dbtest.NewDatabase(t)
	if _, err := Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), url, Options{MaxOpenConns: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
