package db

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/db/seed"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// A small seed run (issue 17): every generated exit form agrees with the generated
// outcomes by exitJourney's rule (model.CheckExitSituation), so the scale data tell the
// same story in the exit forms and in EMPLOYMENT_OR_TRAINING_AT_EXIT; the new outcome
// kinds and the refusal reasons load.
func TestSeed_ExitSituationsAgreeWithOutcomes(t *testing.T) {
	ctx := context.Background()
	url, s := newTestDatabase(t)
	tiny := seed.Scale{Name: "tiny", Departments: 1, BeneficiariesPerDept: 300, Years: 5, PartnersPerDept: 4, OffersPerDept: 10,
		EventsPerDept: 2, SocialWorkersPerDept: 2, CounsellorsPerDept: 2, NeedsPerDept: 2}
	if _, err := seed.LoadWith(ctx, url, seed.Options{Scale: tiny, Seed: seed.DefaultSeed}); err != nil {
		t.Fatal(err)
	}
	var exits []struct {
		BeneficiaryKey string                    `db:"beneficiary_id"`
		ExitedOn       model.Date                `db:"exited_on"`
		Employment     model.EmploymentSituation `db:"employment_situation"`
		Training       model.TrainingSituation   `db:"training_situation"`
	}
	if err := s.db.SelectContext(ctx, &exits, `SELECT beneficiary_id, exited_on, employment_situation, training_situation
		FROM journey_exits WHERE kind = 'EXIT'`); err != nil {
		t.Fatal(err)
	}
	counting := 0
	for _, x := range exits {
		var outcomes []model.Outcome
		if err := s.db.SelectContext(ctx, &outcomes, `SELECT id, beneficiary_id, kind, contract_type, starts_on, ends_on, created_at
			FROM outcomes WHERE beneficiary_id = $1`, x.BeneficiaryKey); err != nil {
			t.Fatal(err)
		}
		if e := model.CheckExitSituation(x.Employment, x.Training, outcomes, x.ExitedOn); e != nil {
			t.Fatalf("exit of %s on %s (%s/%s): %s", x.BeneficiaryKey, x.ExitedOn, x.Employment, x.Training, e.Message)
		}
		if model.ExitSituationCounts(x.Employment, x.Training) {
			counting++
		}
	}
	var kinds, reasons int
	if err := s.db.GetContext(ctx, &kinds, `SELECT count(DISTINCT kind) FROM outcomes`); err != nil {
		t.Fatal(err)
	}
	if err := s.db.GetContext(ctx, &reasons, `SELECT count(DISTINCT refusal_category) FROM orientations WHERE status = 'REFUSED'`); err != nil {
		t.Fatal(err)
	}
	if len(exits) < 50 || counting == 0 || counting == len(exits) || kinds < 4 || reasons < 4 {
		t.Fatalf("%d exits, %d in employment or training, %d outcome kinds, %d refusal reasons", len(exits), counting, kinds, reasons)
	}
	t.Logf("%d exits, %d in employment or training; %d outcome kinds, %d refusal reasons", len(exits), counting, kinds, reasons)
}
