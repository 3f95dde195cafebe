package db

import (
	"context"
	"fmt"
)

// BeneficiaryDepartments returns the department of each beneficiary of keys (those that
// exist), for the audit entries of reads made on objects that carry their beneficiary's
// key but not its department. No scope applies: the keys come from objects the caller
// has just read in its scope.
func (s *Store) BeneficiaryDepartments(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []struct {
			Key        string `db:"id"`
			Department string `db:"department"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT id::text AS id, department FROM beneficiaries WHERE id = ANY($1::uuid[])`, keys); err != nil {
			return err
		}
		for _, r := range rows {
			out[r.Key] = r.Department
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: beneficiary departments: %w", err)
	}
	return out, nil
}
