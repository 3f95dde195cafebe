package db

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/db/dbtest"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, func(ctx context.Context, url string) error {
		_, err := Migrate(ctx, url)
		return err
	})
}

// newTestStore opens a Store on a fresh database.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), dbtest.NewDatabase(t), Options{MaxOpenConns: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
