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
	_, s := newTestDatabase(t)
	return s
}

// newTestDatabase is newTestStore with the database's URL, for a test that also connects
// by itself (the broker's listener, the seed).
func newTestDatabase(t testing.TB) (string, *Store) {
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
	return url, s
}
