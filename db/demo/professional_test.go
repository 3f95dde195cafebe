package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, func(ctx context.Context, url string) error {
		_, err := db.Migrate(ctx, url)
		return err
	})
}

// professionalCoverage returns the orientation statuses ("OVERDUE" for a pending one
// past its deadline) and the outcome types ("KIND/CONTRACT") found in the database.
func professionalCoverage(t *testing.T, store *db.Store) (statuses, outcomes []string) {
	t.Helper()
	today := model.DateOf(store.Now())
	if err := store.DB().Select(&statuses, `SELECT DISTINCT CASE WHEN status = 'PENDING' AND answer_due_on < $1 THEN 'OVERDUE' ELSE status END FROM orientations`, today); err != nil {
		t.Fatal(err)
	}
	if err := store.DB().Select(&outcomes, `SELECT DISTINCT kind || '/' || COALESCE(contract_type, '') FROM outcomes`); err != nil {
		t.Fatal(err)
	}
	return statuses, outcomes
}

// withGen runs fn with a demo generator in one transaction of a fresh database whose
// structures and staff are loaded.
func withGen(t *testing.T, fn func(tx *db.Tx, g *gen) error) *db.Store {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, dbtest.NewDatabase(t), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	err = store.WithTx(ctx, func(tx *db.Tx) error {
		g := &gen{tx: tx.Tx, ctx: ctx, rnd: rand.New(rand.NewPCG(Seed, Seed)), ids: map[string]string{}}
		if err := g.loadStructures(); err != nil {
			return err
		}
		return fn(tx, g)
	})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// TestLoadProfessional_CoversEveryStatusAndOutcome: with enough beneficiaries, the
// professional step covers every orientation status (a pending one past its deadline
// among them, in the demo partner's inbox) and every outcome type; without
// beneficiaries, it adds nothing.
func TestLoadProfessional_CoversEveryStatusAndOutcome(t *testing.T) {
	ctx := context.Background()
	t.Run("NoBeneficiaries", func(t *testing.T) {
		store := withGen(t, func(tx *db.Tx, g *gen) error { return g.loadProfessional() })
		if statuses, outcomes := professionalCoverage(t, store); len(statuses)+len(outcomes) != 0 {
			t.Fatalf("records without beneficiaries: %v %v", statuses, outcomes)
		}
	})
	t.Run("OK", func(t *testing.T) {
		store := withGen(t, func(tx *db.Tx, g *gen) error {
			for i := 0; i < 30; i++ {
				_, err := tx.ExecContext(ctx, `
					INSERT INTO beneficiaries (created_at, updated_at, first_name, last_name, birth_date, sex, nationality, department,
					       protection_type, social_operator_id, employment_operator_id, referred_on, cir_signed_on, ofii_reference, admission)
					VALUES (now(), now(), 'Prénom', $1, '1990-01-01', 'MALE', 'soudanaise', $2, 'REFUGEE', $3, $4,
					        current_date - $5::int, current_date - $5::int, $1, 'ELIGIBLE')`,
					fmt.Sprintf("DEMO-%02d", i), Departments[i%2], g.ids[structureKey("ARSL")], g.ids[structureKey("ASFEL")], 30+25*i)
				if err != nil {
					return err
				}
			}
			return g.loadProfessional()
		})
		statuses, outcomes := professionalCoverage(t, store)
		if len(statuses) != len(model.AllOrientationStatus)+1 {
			t.Errorf("orientation statuses: %v", statuses)
		}
		if len(outcomes) != len(model.AllContractType)+len(model.AllOutcomeKind)-1 {
			t.Errorf("outcomes: %v", outcomes)
		}
		var inbox int
		if err := store.DB().Get(&inbox, `SELECT count(*) FROM orientations o JOIN structures s ON s.id = o.structure_id
			WHERE s.name = 'Mission locale de Lyon' AND o.status = 'PENDING' AND o.answer_due_on < $1`, model.DateOf(store.Now())); err != nil || inbox == 0 {
			t.Errorf("no overdue orientation in the demo partner's inbox: %d %v", inbox, err)
		}
	})
	t.Run("FullDemo", func(t *testing.T) {
		// The whole demo: the professional step follows the social one, which makes the
		// beneficiaries (none when the social module is absent).
		store, err := db.Open(ctx, dbtest.NewDatabase(t), db.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		if _, err := Load(ctx, store); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := store.DB().Get(&n, `SELECT count(*) FROM beneficiaries`); err != nil {
			t.Fatal(err)
		}
		statuses, outcomes := professionalCoverage(t, store)
		switch {
		case n == 0 && len(statuses)+len(outcomes) > 0:
			t.Fatalf("records without beneficiaries: %v %v", statuses, outcomes)
		case n >= 20 && (len(statuses) != len(model.AllOrientationStatus)+1 || len(outcomes) != len(model.AllContractType)+len(model.AllOutcomeKind)-1):
			t.Fatalf("%d beneficiaries, statuses %v, outcomes %v", n, statuses, outcomes)
		}
	})
}
