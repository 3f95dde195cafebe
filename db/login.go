package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// OIDCLogin is the identity an OIDC token presents.
type OIDCLogin struct {
	Issuer, Subject, Email string
	EmailVerified          bool
}

// LoginRefusedError is the error of StaffMemberByOIDCLogin when the rule of
// model.DecideLogin refuses the token for the staff record its e-mail found.
type LoginRefusedError struct {
	Decision model.LoginDecision
	StaffKey string
}

func (e *LoginRefusedError) Error() string {
	return fmt.Sprintf("login refused for staff member %s: %s", e.StaffKey, e.Decision.Reason())
}

// IsLoginRefused reports whether err is a LoginRefusedError.
func IsLoginRefused(err error) bool {
	var r *LoginRefusedError
	return errors.As(err, &r)
}

// StaffMemberByOIDCLogin returns the staff member an OIDC token identifies. The record
// linked to the token's issuer and subject answers; otherwise the record of the token's
// e-mail (case-insensitive), which model.DecideLogin then judges: linked to the token at
// its first login when the e-mail is verified (the link is audited), refused with a
// *LoginRefusedError when it is not, or when the record belongs to another subject.
// ok is false when no record has the subject or the e-mail.
func (s *Store) StaffMemberByOIDCLogin(ctx context.Context, l OIDCLogin) (m model.StaffMember, structure model.Structure, ok bool, err error) {
	err = s.WithTx(ctx, func(tx *Tx) error {
		var rows []struct {
			model.StaffMember
			SubjectIssuer *string      `db:"subject_issuer"`
			S             structureRow `db:"s"`
		}
		err := tx.SelectContext(ctx, &rows, `
			SELECT m.id, m.structure_id, m.name, m.email, m.subject, m.subject_issuer, m.staff_role, m.active,
			       `+columnList("s.", "s", structureColumnList)+`
			FROM staff_members m JOIN structures s ON s.id = m.structure_id
			WHERE (m.subject = $2 AND (m.subject_issuer = $1 OR m.subject_issuer IS NULL))
			   OR (lower(m.email) = lower($3) AND $3 <> '')
			ORDER BY (m.subject = $2 AND m.subject_issuer IS NOT DISTINCT FROM $1) DESC NULLS LAST,
			         (m.subject = $2) DESC NULLS LAST
			LIMIT 1
			FOR UPDATE OF m`, l.Issuer, l.Subject, l.Email)
		if err != nil || len(rows) == 0 {
			return err
		}
		r := rows[0]
		switch d := model.DecideLogin(r.SubjectIssuer, r.Subject, l.Issuer, l.Subject, l.EmailVerified); d {
		case model.LoginMatch:
		case model.LoginLink:
			if _, err := tx.ExecContext(ctx, `UPDATE staff_members SET subject = $1, subject_issuer = $2 WHERE id = $3`,
				l.Subject, l.Issuer, r.Key); err != nil {
				return err
			}
			r.Subject = &l.Subject
			structure := r.S.model()
			actor := &model.Principal{Subject: l.Subject, Email: l.Email, Issuer: l.Issuer, Role: r.StaffRole.AccessRole(),
				StructureID: r.StructureKey}
			if err := tx.audit(ctx, actor, AuditEntry{Action: "linkLogin", EntityType: "StaffMember", EntityID: r.Key,
				Departments: structure.Departments, Changes: map[string]any{
					"subject":       map[string]any{"before": nil, "after": l.Subject},
					"subjectIssuer": map[string]any{"before": r.SubjectIssuer, "after": l.Issuer},
				}}); err != nil {
				return err
			}
		default:
			return &LoginRefusedError{Decision: d, StaffKey: r.Key}
		}
		m, structure, ok = r.StaffMember, r.S.model(), true
		return nil
	})
	if err != nil {
		var refused *LoginRefusedError
		if errors.As(err, &refused) {
			return m, structure, false, err
		}
		return m, structure, false, fmt.Errorf("db: staff member by OIDC login: %w", err)
	}
	return m, structure, ok, nil
}
