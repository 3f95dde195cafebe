package db

import (
	"context"
	"fmt"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// ConvocationDocument returns what the convocation key's document shows, in p's scope
// (the beneficiary's, as for Beneficiary.convocations), or nil outside it.
func (s *Store) ConvocationDocument(ctx context.Context, p *model.Principal, key string) (*model.ConvocationDocument, error) {
	type row struct {
		model.ConvocationDocument
		Langs stringArray `db:"languages"`
	}
	r, err := scopedOne[row](ctx, s, p, key, `SELECT c.id, c.beneficiary_id, c.appointment_at, c.address, c.handed_over_on,
			COALESCE((SELECT i.status FROM interviews i WHERE i.convocation_id = c.id ORDER BY i.seq DESC LIMIT 1), 'PLANNED') AS status,
			COALESCE(b.first_name, '') AS first_name, COALESCE(b.last_name, '') AS last_name, b.languages, b.department,
			s.name AS structure_name, s.adresse AS structure_address, s.complement_adresse AS structure_complement,
			s.code_postal AS structure_postal_code, s.commune AS structure_city, s.telephone AS structure_phone,
			s.courriel AS structure_email
		FROM convocations c JOIN beneficiaries b ON b.id = c.beneficiary_id JOIN structures s ON s.id = b.social_operator_id
		WHERE c.id = $1 AND {scope}`)
	if err != nil || r == nil {
		if err != nil {
			err = fmt.Errorf("db: convocation document: %w", err)
		}
		return nil, err
	}
	d := r.ConvocationDocument
	d.Languages = model.NonNilStrings([]string(r.Langs))
	return &d, nil
}

// ConvocationByKey returns a convocation in p's scope, or nil.
func (s *Store) ConvocationByKey(ctx context.Context, p *model.Principal, key string) (*model.Convocation, error) {
	return scopedOne[model.Convocation](ctx, s, p, key, `SELECT c.id, c.beneficiary_id, c.appointment_at, c.address, c.handed_over_on,
			COALESCE((SELECT i.status FROM interviews i WHERE i.convocation_id = c.id ORDER BY i.seq DESC LIMIT 1), 'PLANNED') AS status
		FROM convocations c JOIN beneficiaries b ON b.id = c.beneficiary_id WHERE c.id = $1 AND {scope}`)
}
