package db

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Issue 17: pre-qualifying training and work-oriented French course are outcome kinds the
// database accepts (with a title, like a qualifying training), and the SQL of the 60 %
// target counts the first and not the second, as model.CountsAsEmploymentOrTraining does.
func TestOutcomeKinds_PreQualifyingAndWorkOrientedFrench(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var structure, beneficiary string
	if err := s.db.GetContext(ctx, &structure, `INSERT INTO structures (name, agir_role, departments) VALUES ('Opérateur', 'SOCIAL_OPERATOR', '{69}') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if err := s.db.GetContext(ctx, &beneficiary, `
		INSERT INTO beneficiaries (created_at, updated_at, first_name, last_name, birth_date, sex, nationality, department,
		       protection_type, social_operator_id, employment_operator_id, referred_on, cir_signed_on, ofii_reference, admission)
		VALUES (now(), now(), 'Amina', 'K', '1990-01-01', 'FEMALE', 'afghane', '69', 'REFUGEE', $1, $1,
		        current_date - 100, current_date - 100, 'OFII-1', 'ELIGIBLE') RETURNING id`, structure); err != nil {
		t.Fatal(err)
	}
	insert := func(kind string, title *string) error {
		_, err := s.db.ExecContext(ctx, `INSERT INTO outcomes (beneficiary_id, kind, training_title, starts_on, author_subject, created_at)
			VALUES ($1, $2, $3, current_date, 'test', now())`, beneficiary, kind, title)
		return err
	}
	title := "Prépa compétences"
	for _, k := range []model.OutcomeKind{model.OutcomeKindPreQualifyingTraining, model.OutcomeKindWorkOrientedFrenchCourse} {
		if err := insert(string(k), nil); err == nil || !strings.Contains(err.Error(), "outcomes_training_check") {
			t.Errorf("%s without a title: %v", k, err)
		}
		if err := insert(string(k), &title); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	if err := insert(string(model.OutcomeKindQualifyingTraining), &title); err != nil {
		t.Fatal(err)
	}
	var args []any
	cond := countsAsEmploymentOrTrainingSQL("x", &args)
	var counted []string
	if err := s.db.SelectContext(ctx, &counted, `SELECT x.kind FROM outcomes x WHERE `+cond+` ORDER BY x.kind`, args...); err != nil {
		t.Fatal(err)
	}
	if want := []string{"PRE_QUALIFYING_TRAINING", "QUALIFYING_TRAINING"}; !slices.Equal(counted, want) {
		t.Fatalf("counted for the 60 %% target: %v, want %v", counted, want)
	}
}
