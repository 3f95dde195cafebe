package demo

import "fmt"

// loadConsents records the consent to share with partners of every demo beneficiary who
// was welcomed (the binôme asks it at the welcome interview), and of those already
// oriented: an orientation to a partner requires it (issue 7).
func (g *gen) loadConsents() error {
	_, err := g.tx.ExecContext(g.ctx, `
		INSERT INTO consents (beneficiary_id, kind, scope, given_on, recorded_by, recorded_by_structure_id, created_at)
		SELECT b.id, 'SHARE_WITH_PARTNERS',
		       'Partage avec les partenaires destinataires d''une orientation : prénom, initiale du nom, langues, niveau de français',
		       LEAST(COALESCE(b.welcome_held_on, b.referred_on),
		             COALESCE((SELECT min(o.oriented_on) FROM orientations o WHERE o.beneficiary_id = b.id), b.referred_on)),
		       'demo:social_worker', b.social_operator_id, now()
		FROM beneficiaries b
		WHERE b.welcome_held_on IS NOT NULL OR EXISTS (SELECT 1 FROM orientations o WHERE o.beneficiary_id = b.id)`)
	if err != nil {
		return fmt.Errorf("consents: %w", err)
	}
	return nil
}
