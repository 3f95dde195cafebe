package demo

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
)

// TestLoadTerritory checks the server's demo: a few hundred beneficiaries over both
// departments, every phase present, and a second load changing nothing.
func TestLoadTerritory(t *testing.T) {
	ctx := context.Background()
	store, err := db.Open(ctx, dbtest.NewDatabase(t), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	loaded, err := LoadTerritory(ctx, store)
	if err != nil || !loaded {
		t.Fatalf("loaded=%v err=%v", loaded, err)
	}
	var n, phases, departments int
	if err := store.DB().QueryRow(`SELECT count(*), count(DISTINCT phase), count(DISTINCT department) FROM beneficiaries`).
		Scan(&n, &phases, &departments); err != nil {
		t.Fatal(err)
	}
	if n < 250 || phases != 8 || departments != 2 {
		t.Fatalf("%d beneficiaries, %d phases, %d departments", n, phases, departments)
	}
	if again, err := LoadTerritory(ctx, store); err != nil || again {
		t.Fatalf("second load: loaded=%v err=%v", again, err)
	}
}
