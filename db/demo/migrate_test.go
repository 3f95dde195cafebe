package demo

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
)

// TestMigrations_OverAnonymisedRefusals: the migrations since 00096 go down and up again on
// the demo territory with a refused orientation of an anonymised person (whose rows a
// trigger freezes), as they must on a production database (00098 failed there).
func TestMigrations_OverAnonymisedRefusals(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewDatabase(t)
	store, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	conn := store.DB().DB
	res, err := conn.ExecContext(ctx, `UPDATE beneficiaries SET phone = NULL, email = NULL, address = NULL, anonymised_at = now()
		WHERE id = (SELECT beneficiary_id FROM orientations WHERE status = 'REFUSED' ORDER BY id LIMIT 1)`)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("anonymise a person with a refused orientation: %d, %v", n, err)
	}
	p, err := db.NewMigrationProvider(conn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 96); err != nil {
		t.Fatalf("down to 00096: %v", err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up from 00096: %v", err)
	}
	var missing int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM orientations WHERE status = 'REFUSED' AND refusal_category IS NULL`).Scan(&missing); err != nil || missing != 0 {
		t.Fatalf("refusals without a reason after the migrations: %d, %v", missing, err)
	}
}
