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

// TestLoadProfessional_CoversEveryStatusAndOutcome: with the beneficiaries of a demo
// territory, the professional step covers every orientation status (a pending one past
// its deadline among them) and every outcome type; without beneficiaries, it adds nothing.
func TestLoadProfessional_CoversEveryStatusAndOutcome(t *testing.T) {
	ctx := context.Background()
	store, err := db.Open(ctx, dbtest.NewDatabase(t), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	t.Run("NoBeneficiaries", func(t *testing.T) {
		if _, err := Load(ctx, store); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := store.DB().Get(&n, `SELECT (SELECT count(*) FROM orientations) + (SELECT count(*) FROM outcomes)`); err != nil || n != 0 {
			t.Fatalf("records without beneficiaries: %d %v", n, err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		err := store.WithTx(ctx, func(tx *db.Tx) error {
			g := &gen{tx: tx.Tx, ctx: ctx, rnd: rand.New(rand.NewPCG(Seed, Seed)), ids: map[string]string{}}
			// The structures exist already (Load above): read their keys back.
			rows, err := tx.QueryxContext(ctx, `SELECT name, id FROM structures`)
			if err != nil {
				return err
			}
			for rows.Next() {
				var name, id string
				if err := rows.Scan(&name, &id); err != nil {
					return err
				}
				g.ids[structureKey(shortName(name))] = id
			}
			if err := rows.Err(); err != nil {
				return err
			}
			for i := 0; i < 30; i++ {
				dep := Departments[i%2]
				_, err := tx.ExecContext(ctx, `
					INSERT INTO beneficiaries (created_at, updated_at, first_name, last_name, birth_date, sex, nationality, department,
					       protection_type, social_operator_id, employment_operator_id, referred_on, cir_signed_on, ofii_reference, admission)
					VALUES (now(), now(), 'Prénom', $1, '1990-01-01', 'MALE', 'soudanaise', $2, 'REFUGEE', $3, $4,
					        current_date - $5::int, current_date - $5::int, $1, 'ELIGIBLE')`,
					fmt.Sprintf("DEMO-%02d", i), dep, g.ids[structureKey("ARSL")], g.ids[structureKey("ASFEL")], 30+25*i)
				if err != nil {
					return err
				}
			}
			return g.loadProfessional()
		})
		if err != nil {
			t.Fatal(err)
		}
		var statuses, kinds []string
		today := model.DateOf(store.Now())
		if err := store.DB().Select(&statuses, `SELECT DISTINCT CASE WHEN status = 'PENDING' AND answer_due_on < $1 THEN 'OVERDUE' ELSE status END FROM orientations`, today); err != nil {
			t.Fatal(err)
		}
		if err := store.DB().Select(&kinds, `SELECT DISTINCT kind || '/' || COALESCE(contract_type, '') FROM outcomes`); err != nil {
			t.Fatal(err)
		}
		if len(statuses) != len(model.AllOrientationStatus)+1 {
			t.Errorf("orientation statuses: %v", statuses)
		}
		if len(kinds) != len(model.AllContractType)+len(model.AllOutcomeKind)-1 {
			t.Errorf("outcomes: %v", kinds)
		}
		var inbox int
		if err := store.DB().Get(&inbox, `SELECT count(*) FROM orientations o JOIN structures s ON s.id = o.structure_id
			WHERE s.name = 'Mission locale de Lyon' AND o.status = 'PENDING' AND o.answer_due_on < $1`, today); err != nil || inbox == 0 {
			t.Errorf("no overdue orientation in the demo partner's inbox: %d %v", inbox, err)
		}
	})
}
