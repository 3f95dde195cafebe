package db

// MERGE NOTE: this file holds the few reads of the social module the professional module
// needs, copied with the same names and signatures as the social branch (db/social.go,
// db/social_reads.go), which is not merged yet. Delete this file when merging the social
// branch: its definitions replace these.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"

	"github.com/agir-reseau/agir-backend/graph/model"
)

const beneficiaryColumns = `b.id, b.version, b.first_name, b.last_name, b.birth_date, b.sex, b.nationality, b.languages,
	b.phone, b.email, b.address, b.department, b.protection_type, b.protection_granted_on, b.cir_signed_on,
	b.social_operator_id, b.employment_operator_id, b.referred_on, b.ofii_reference, b.admission, b.eligibility,
	b.state_instruction_on, b.state_instruction_ref, b.ofii_agreement_on, b.phase, b.journey_starts_on,
	b.journey_ends_on, b.welcome_due_on, b.welcome_held_on, b.convocation_status, b.created_at, b.sort_name`

type beneficiaryRow struct {
	model.Beneficiary
	Languages   pq.StringArray `db:"languages"`
	Eligibility []byte         `db:"eligibility"`
	SortName    string         `db:"sort_name"`
}

func (r beneficiaryRow) model() model.Beneficiary {
	b := r.Beneficiary
	b.Languages = nonNil([]string(r.Languages))
	_ = json.Unmarshal(r.Eligibility, &b.EligibilityChecks)
	return b
}

// getBeneficiary reads one beneficiary in the caller's scope; lock takes its row lock
// for the rest of the transaction (acts on one journey are serialised). NOT_FOUND when
// it does not exist or is outside the scope.
func (tx *Tx) getBeneficiary(ctx context.Context, p *model.Principal, key string, lock bool) (model.Beneficiary, error) {
	if len(validUUIDs([]string{key})) == 0 {
		return model.Beneficiary{}, model.ErrNotFound("bénéficiaire")
	}
	args := []any{key}
	q := `SELECT ` + beneficiaryColumns + ` FROM beneficiaries b WHERE b.id = $1 AND ` + beneficiaryScope(p, "b", &args)
	if lock {
		q += ` FOR UPDATE`
	}
	var rows []beneficiaryRow
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return model.Beneficiary{}, fmt.Errorf("get beneficiary: %w", err)
	}
	if len(rows) == 0 {
		e := model.ErrNotFound("bénéficiaire")
		e.Field = model.Path("input", "beneficiaryId")
		return model.Beneficiary{}, e
	}
	return rows[0].model(), nil
}

// BeneficiariesByKeys returns the beneficiaries of keys in p's scope, in key order (a
// zero Beneficiary, Key "", where none is visible).
func (s *Store) BeneficiariesByKeys(ctx context.Context, p *model.Principal, keys []string) ([]model.Beneficiary, error) {
	out := make([]model.Beneficiary, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		args := []any{pq.Array(validUUIDs(keys))}
		var rows []beneficiaryRow
		err := tx.SelectContext(ctx, &rows, `SELECT `+beneficiaryColumns+` FROM beneficiaries b
			WHERE b.id = ANY($1::uuid[]) AND `+beneficiaryScope(p, "b", &args), args...)
		if err != nil {
			return err
		}
		byKey := make(map[string]model.Beneficiary, len(rows))
		for _, r := range rows {
			byKey[r.Key] = r.model()
		}
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: beneficiaries by keys: %w", err)
	}
	return out, nil
}
