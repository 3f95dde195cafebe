package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Consents of beneficiaries (issue 7, DESIGN §6): recorded with date and scope, withdrawn
// (never deleted); an orientation to a partner requires the consent to share.

func init() {
	constraintErrors["consents_active_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "kind"),
		"un consentement de ce type est déjà en vigueur pour cette personne")
	constraintErrors["consents_scope_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "scope"),
		"la portée du consentement est requise (500 caractères au plus)")
	constraintErrors["beneficiaries_anonymised_check"] = model.Errorf(model.CodeAnonymised, model.Path("input", "beneficiaryId"),
		"les données de cette personne ont été anonymisées : rien ne peut plus être enregistré à son sujet")
}

const consentColumns = `c.beneficiary_id, c.kind, c.scope, c.given_on, c.withdrawn_on`

// consentWrite locks beneficiary key in p's scope for a consent act: NOT_FOUND outside the
// scope, ANONYMISED for an anonymised person.
func (tx *Tx) consentWrite(ctx context.Context, p *model.Principal, key string) (model.Beneficiary, error) {
	b, err := tx.getBeneficiary(ctx, p, key, true)
	if err != nil {
		return b, err
	}
	if err := tx.requireNotAnonymised(ctx, key); err != nil {
		return b, err
	}
	return b, nil
}

// requireNotAnonymised refuses an act about an anonymised person.
func (tx *Tx) requireNotAnonymised(ctx context.Context, key string) error {
	var anonymised bool
	if err := tx.GetContext(ctx, &anonymised, `SELECT anonymised_at IS NOT NULL FROM beneficiaries WHERE id = $1`, key); err != nil {
		return fmt.Errorf("anonymised: %w", err)
	}
	if anonymised {
		return model.Errorf(model.CodeAnonymised, model.Path("input", "beneficiaryId"),
			"les données de cette personne ont été anonymisées : rien ne peut plus être enregistré à son sujet")
	}
	return nil
}

// RecordConsent records a consent of beneficiary key, given on givenOn (today when nil).
// The engagement contract's consent is recorded with the contract (SignEngagementContract).
func (s *Store) RecordConsent(ctx context.Context, p *model.Principal, key string, kind model.ConsentKind, scope string, givenOn *model.Date) (*model.Consent, *model.Beneficiary, error) {
	var c model.Consent
	var b model.Beneficiary
	err := s.WithTx(ctx, func(tx *Tx) error {
		var err error
		if b, err = tx.consentWrite(ctx, p, key); err != nil {
			return err
		}
		if kind == model.ConsentKindEngagementContract {
			return model.Errorf(model.CodeRuleViolation, model.Path("input", "kind"),
				"le consentement au contrat d'engagement est recueilli avec la signature du contrat (signEngagementContract)")
		}
		today := tx.today()
		day := model.DateOr(givenOn, today)
		if e := model.CheckDay(day, b.ReferredOn, today, "givenOn"); e != nil {
			return e
		}
		if err := tx.GetContext(ctx, &c, `INSERT INTO consents AS c (beneficiary_id, kind, scope, given_on, recorded_by,
				recorded_by_structure_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+consentColumns,
			key, string(kind), strings.TrimSpace(scope), day, p.Subject, uuidOrNil(p.StructureID), tx.Now); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "recordConsent", EntityType: "Beneficiary", EntityID: key,
			Departments: []string{b.Department}, Changes: map[string]any{"consent": map[string]any{"before": nil,
				"after": map[string]any{"kind": kind, "scope": c.Scope, "givenOn": day.String()}}}})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("db: record consent: %w", err)
	}
	return &c, &b, nil
}

// WithdrawConsent withdraws the consent of kind in force for beneficiary key, on
// withdrawnOn (today when nil). Orientations already made are kept; no new one is possible.
func (s *Store) WithdrawConsent(ctx context.Context, p *model.Principal, key string, kind model.ConsentKind, withdrawnOn *model.Date) (*model.Consent, *model.Beneficiary, error) {
	var c model.Consent
	var b model.Beneficiary
	err := s.WithTx(ctx, func(tx *Tx) error {
		var err error
		if b, err = tx.consentWrite(ctx, p, key); err != nil {
			return err
		}
		if kind == model.ConsentKindEngagementContract {
			return model.Errorf(model.CodeRuleViolation, model.Path("input", "kind"),
				"le retrait du consentement au contrat d'engagement est une sortie du programme (exitJourney)")
		}
		var rows []model.Consent
		if err := tx.SelectContext(ctx, &rows, `SELECT `+consentColumns+` FROM consents c
			WHERE c.beneficiary_id = $1 AND c.kind = $2 AND c.withdrawn_on IS NULL FOR UPDATE`, key, string(kind)); err != nil {
			return err
		}
		if len(rows) == 0 {
			return model.Errorf(model.CodeNotFound, model.Path("input", "kind"), "aucun consentement de ce type n'est en vigueur")
		}
		today := tx.today()
		day := model.DateOr(withdrawnOn, today)
		if e := model.CheckDay(day, rows[0].GivenOn, today, "withdrawnOn"); e != nil {
			e.Message = "le retrait ne peut être dans le futur ni précéder le recueil du consentement (" + rows[0].GivenOn.String() + ")"
			return e
		}
		if err := tx.GetContext(ctx, &c, `UPDATE consents c SET withdrawn_on = $3, withdrawn_by = $4
			WHERE c.beneficiary_id = $1 AND c.kind = $2 AND c.withdrawn_on IS NULL RETURNING `+consentColumns,
			key, string(kind), day, p.Subject); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "withdrawConsent", EntityType: "Beneficiary", EntityID: key,
			Departments: []string{b.Department}, Changes: map[string]any{"consent": map[string]any{
				"before": map[string]any{"kind": kind, "withdrawnOn": nil}, "after": map[string]any{"kind": kind, "withdrawnOn": day.String()}}}})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("db: withdraw consent: %w", err)
	}
	return &c, &b, nil
}

// requireSharingConsent refuses an orientation to a partner when beneficiary key has no
// consent to share in force, given by today (issue 7: "an orientation to a partner
// requires the consent to share"). The consent row is locked (FOR SHARE) so that a
// concurrent withdrawal waits for the orientation, or the orientation sees it.
func requireSharingConsent(ctx context.Context, tx *Tx, beneficiaryKey string) error {
	var ids []string
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM consents WHERE beneficiary_id = $1 AND kind = 'SHARE_WITH_PARTNERS'
		AND withdrawn_on IS NULL AND given_on <= $2 FOR SHARE`, beneficiaryKey, tx.today()); err != nil {
		return fmt.Errorf("sharing consent: %w", err)
	}
	if len(ids) == 0 {
		return model.Errorf(model.CodeConsentRequired, model.Path("input", "beneficiaryId"),
			"la personne n'a pas consenti au partage de ses informations avec les partenaires : recueillez son consentement (recordConsent) avant de l'orienter")
	}
	return nil
}

// ConsentsByBeneficiaries returns the consents of each beneficiary in p's scope, latest
// first: those recorded here and the engagement contract's (from the contract).
func (s *Store) ConsentsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Consent, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT beneficiary_id, kind, scope, given_on, withdrawn_on, created_at FROM (
			SELECT `+consentColumns+`, c.created_at FROM consents c JOIN beneficiaries b ON b.id = c.beneficiary_id
			WHERE {scope}
			UNION ALL
			SELECT e.beneficiary_id, 'ENGAGEMENT_CONTRACT', $2, e.signed_on, NULL, e.created_at
			FROM engagement_contracts e JOIN beneficiaries b ON b.id = e.beneficiary_id
			WHERE e.consent_recorded AND {scope}) x
		ORDER BY given_on DESC, (withdrawn_on IS NULL) DESC, created_at DESC`,
		func(r consentRow) string { return r.BeneficiaryKey }, model.EngagementContractConsentScope)
	if err != nil {
		return nil, fmt.Errorf("db: consents: %w", err)
	}
	out := make(map[string][]model.Consent, len(m))
	for k, rows := range m {
		for _, r := range rows {
			out[k] = append(out[k], r.Consent)
		}
	}
	return out, nil
}

type consentRow struct {
	model.Consent
	CreatedAt any `db:"created_at"`
}
