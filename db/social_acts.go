package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The acts of the journey after the welcome: diagnostic, referents, plan, contract,
// housing, rights, accessibility, evaluations, exit, exclusion, follow-ups, reintegration.

// RecordDiagnostic records (or completes) the diagnostic of the welcome interview; the
// first diagnostic covers at least rights, housing, employment and training (seed: "un
// diagnostic sur les volets droits, logement, emploi et formation").
func (s *Store) RecordDiagnostic(ctx context.Context, p *model.Principal, key string, axes []model.AxisAssessmentInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "recordDiagnostic", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActDiagnostic, f, today, params); err != nil {
			return nil, err
		}
		var existing []model.Axis
		if err := tx.SelectContext(ctx, &existing, `SELECT axis FROM diagnostic_axes WHERE beneficiary_id = $1`, key); err != nil {
			return nil, err
		}
		given := make([]model.Axis, len(axes))
		for i, a := range axes {
			given[i] = a.Axis
		}
		if err := model.CheckDiagnosticAxes(existing, given); err != nil {
			return nil, err
		}
		changed := []string{}
		for _, a := range axes {
			needs := ""
			if a.Needs != nil {
				needs = strings.TrimSpace(*a.Needs)
			}
			_, err := tx.ExecContext(ctx, `
				INSERT INTO diagnostic_axes (beneficiary_id, axis, situation, needs, assessed_on, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (beneficiary_id, axis) DO UPDATE SET situation = EXCLUDED.situation, needs = EXCLUDED.needs,
				       assessed_on = EXCLUDED.assessed_on, updated_at = EXCLUDED.updated_at`,
				key, string(a.Axis), strings.TrimSpace(a.Situation), needs, today, tx.Now)
			if err != nil {
				return nil, err
			}
			changed = append(changed, string(a.Axis))
		}
		return map[string]any{"axes": changed}, nil
	})
}

// AssignReferents replaces the active referents of the given kinds; the previous
// assignment is ended (history kept), the database forbids two active ones per kind. A
// social worker assigns only the social worker, an insertion counsellor only the
// insertion counsellor; each must be an active member of the operator following the
// beneficiary.
func (s *Store) AssignReferents(ctx context.Context, p *model.Principal, key string, socialWorker, insertionCounsellor string) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "assignReferents", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActReferents, f, today, params); err != nil {
			return nil, err
		}
		changes := map[string]any{}
		for _, r := range []struct {
			kind      model.ReferentKind
			staff     string
			structure string
			staffRole model.StaffRole
			field     string
			role      model.Role
		}{
			{model.ReferentKindSocialWorker, socialWorker, b.SocialOperatorKey, model.StaffRoleSocialWorker, "socialWorkerId", model.RoleSocialWorker},
			{model.ReferentKindInsertionCounsellor, insertionCounsellor, b.EmploymentOperatorKey, model.StaffRoleInsertionCounsellor, "insertionCounsellorId", model.RoleInsertionCounsellor},
		} {
			if r.staff == "" {
				continue
			}
			if p.Role != model.RoleCoordinator && p.Role != r.role {
				return nil, model.Errorf(model.CodeForbidden, model.Path("input", r.field), "vous ne pouvez désigner que le référent de votre structure")
			}
			var ok bool
			err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM staff_members WHERE id = $1 AND structure_id = $2 AND staff_role = $3 AND active)`,
				validUUIDOrNil(r.staff), r.structure, string(r.staffRole))
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", r.field),
					"ce professionnel n'est pas un membre actif de la structure qui suit le bénéficiaire, dans cette fonction")
			}
			var previous []string
			err = tx.SelectContext(ctx, &previous, `UPDATE referent_assignments SET ended_at = $3
				WHERE beneficiary_id = $1 AND kind = $2 AND ended_at IS NULL RETURNING staff_member_id`, key, string(r.kind), tx.Now)
			if err != nil {
				return nil, err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO referent_assignments (beneficiary_id, kind, staff_member_id, assigned_at, assigned_by)
				VALUES ($1, $2, $3, $4, $5)`, key, string(r.kind), r.staff, tx.Now, p.Subject)
			if err != nil {
				return nil, err
			}
			changes[string(r.kind)] = map[string]any{"before": previous, "after": r.staff}
		}
		if len(changes) == 0 {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "socialWorkerId"), "indiquez au moins un référent")
		}
		return changes, nil
	})
}

func validUUIDOrNil(k string) *string {
	if len(validUUIDs([]string{k})) == 0 {
		return nil
	}
	return &k
}

// SignEngagementContract records the signed contract, after the welcome and the plan,
// with the beneficiary's consent.
func (s *Store) SignEngagementContract(ctx context.Context, p *model.Principal, key string, in model.SignEngagementContractInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "signEngagementContract", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActContract, f, today, params); err != nil {
			return nil, err
		}
		if err := model.CheckEngagementContract(in.ConsentRecorded); err != nil {
			return nil, err
		}
		if err := model.CheckDay(in.SignedOn, *f.WelcomeHeldOn, today, "signedOn"); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO engagement_contracts (beneficiary_id, signed_on, consent_recorded, recorded_by, created_at)
			VALUES ($1, $2, true, $3, $4)`, key, in.SignedOn, p.Subject, tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"signedOn": in.SignedOn}, nil
	})
}

const planActionColumns = `a.id, a.version, a.objective_id, a.beneficiary_id, a.title, a.status, a.due_on, a.completed_on`

// PlanActionInput is a plan action to add (keys decoded).
type PlanActionInput struct {
	model.AddPlanActionInput
	ObjectiveKey string
}

// AddPlanAction adds an action to an existing objective, or to a new objective on an axis.
func (s *Store) AddPlanAction(ctx context.Context, p *model.Principal, key string, in PlanActionInput) (*model.Beneficiary, *model.PlanAction, error) {
	var action model.PlanAction
	b, err := s.act(ctx, p, key, "addPlanAction", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActPlan, f, today, params); err != nil {
			return nil, err
		}
		objective := in.ObjectiveKey
		if objective != "" {
			var ids []string
			if err := tx.SelectContext(ctx, &ids, `SELECT id FROM objectives WHERE id = $1 AND beneficiary_id = $2`, validUUIDOrNil(objective), key); err != nil {
				return nil, err
			}
			if len(ids) == 0 {
				return nil, model.Errorf(model.CodeNotFound, model.Path("input", "objectiveId"), "objectif introuvable pour ce bénéficiaire")
			}
		} else {
			if in.Axis == nil || in.ObjectiveTitle == nil || strings.TrimSpace(*in.ObjectiveTitle) == "" {
				return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "objectiveTitle"), "indiquez un objectif existant, ou le volet et l'intitulé d'un nouvel objectif")
			}
			if err := tx.GetContext(ctx, &objective, `INSERT INTO objectives (beneficiary_id, axis, title, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
				key, string(*in.Axis), strings.TrimSpace(*in.ObjectiveTitle), tx.Now); err != nil {
				return nil, err
			}
		}
		if in.DueOn != nil && in.DueOn.Before(b.ReferredOn) {
			return nil, model.Errorf(model.CodeOutOfOrder, model.Path("input", "dueOn"), "l'échéance précède l'orientation")
		}
		err := tx.GetContext(ctx, &action, `INSERT INTO plan_actions AS a (objective_id, beneficiary_id, title, status, due_on, created_at, updated_at)
			VALUES ($1, $2, $3, 'PLANNED', $4, $5, $5) RETURNING `+planActionColumns, objective, key, strings.TrimSpace(in.Title), in.DueOn, tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"planAction": action.Key, "objective": objective, "title": action.Title}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &action, nil
}

// UpdatePlanAction changes a plan action (optimistic concurrency on its version).
func (s *Store) UpdatePlanAction(ctx context.Context, p *model.Principal, actionKey string, in model.UpdatePlanActionInput) (*model.Beneficiary, *model.PlanAction, error) {
	key, err := s.ownerOf(ctx, p, "plan_actions", actionKey, "id", "action du plan")
	if err != nil {
		return nil, nil, err
	}
	var action model.PlanAction
	b, err := s.act(ctx, p, key, "updatePlanAction", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActPlan, f, today, params); err != nil {
			return nil, err
		}
		var cur model.PlanAction
		if err := tx.GetContext(ctx, &cur, `SELECT `+planActionColumns+` FROM plan_actions a WHERE a.id = $1 FOR UPDATE`, actionKey); err != nil {
			return nil, err
		}
		if cur.Version != in.Version {
			return nil, model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "l'action a été modifiée depuis votre lecture : rechargez-la")
		}
		next := cur
		if in.Status != nil {
			if err := model.CheckPlanActionStatus(cur.Status, *in.Status); err != nil {
				return nil, err
			}
			next.Status = *in.Status
		}
		if in.Title != nil {
			next.Title = strings.TrimSpace(*in.Title)
		}
		if in.DueOn != nil {
			next.DueOn = in.DueOn
		}
		if next.Status == model.PlanActionStatusDone && cur.Status != model.PlanActionStatusDone {
			done := model.DateOr(in.CompletedOn, today)
			if err := model.CheckDay(done, b.ReferredOn, today, "completedOn"); err != nil {
				return nil, err
			}
			next.CompletedOn = &done
		}
		err := tx.GetContext(ctx, &action, `UPDATE plan_actions a SET status = $2, title = $3, due_on = $4, completed_on = $5,
			version = version + 1, updated_at = $6 WHERE a.id = $1 RETURNING `+planActionColumns,
			actionKey, string(next.Status), next.Title, next.DueOn, next.CompletedOn, tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"planAction": actionKey, "status": map[string]any{"before": cur.Status, "after": next.Status},
			"dueOn": map[string]any{"before": cur.DueOn, "after": next.DueOn}, "title": map[string]any{"before": cur.Title, "after": next.Title}}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &action, nil
}

// ownerOf returns the beneficiary owning row key of table, when in p's scope.
func (s *Store) ownerOf(ctx context.Context, p *model.Principal, table, key, field, what string) (string, error) {
	var owner string
	err := s.readTx(ctx, func(tx *Tx) error {
		if len(validUUIDs([]string{key})) == 0 {
			return model.Errorf(model.CodeNotFound, model.Path("input", field), "%s introuvable", what)
		}
		args := []any{key}
		var keys []string
		err := tx.SelectContext(ctx, &keys, `SELECT x.beneficiary_id FROM `+table+` x JOIN beneficiaries b ON b.id = x.beneficiary_id
			WHERE x.id = $1 AND `+beneficiaryScope(p, "b", &args), args...)
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return model.Errorf(model.CodeNotFound, model.Path("input", field), "%s introuvable", what)
		}
		owner = keys[0]
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("db: owner of %s: %w", table, err)
	}
	return owner, nil
}

const housingColumns = `h.id, h.version, h.beneficiary_id, h.proposed_on, h.offer, h.landlord, h.outcome, h.decided_on, h.refusal_reason`

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

// RecordHousingProposal records a housing proposal, possibly with its outcome.
func (s *Store) RecordHousingProposal(ctx context.Context, p *model.Principal, key string, in model.RecordHousingProposalInput) (*model.Beneficiary, *model.HousingProposal, error) {
	var h model.HousingProposal
	b, err := s.act(ctx, p, key, "recordHousingProposal", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActHousing, f, today, params); err != nil {
			return nil, err
		}
		if err := model.CheckDay(in.ProposedOn, b.ReferredOn, today, "proposedOn"); err != nil {
			return nil, err
		}
		outcome := model.HousingOutcomePending
		if in.Outcome != nil {
			outcome = *in.Outcome
		}
		if err := model.CheckHousingOutcome(outcome, in.RefusalReason); err != nil {
			return nil, err
		}
		var decided *model.Date
		if outcome != model.HousingOutcomePending {
			d := in.ProposedOn
			if in.DecidedOn != nil {
				d = *in.DecidedOn
			}
			if d.Before(in.ProposedOn) || d.After(today) {
				return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "decidedOn"), "la réponse doit suivre la proposition et ne peut être dans le futur")
			}
			decided = &d
		}
		err := tx.GetContext(ctx, &h, `INSERT INTO housing_proposals AS h (beneficiary_id, proposed_on, offer, landlord, outcome, decided_on,
			refusal_reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING `+housingColumns,
			key, in.ProposedOn, strings.TrimSpace(in.Offer), trimmed(in.Landlord), string(outcome), decided, trimmed(in.RefusalReason), tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"housingProposal": h.Key, "outcome": outcome}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &h, nil
}

// DecideHousingProposal records the answer to a pending proposal.
func (s *Store) DecideHousingProposal(ctx context.Context, p *model.Principal, proposalKey string, in model.DecideHousingProposalInput) (*model.Beneficiary, *model.HousingProposal, error) {
	key, err := s.ownerOf(ctx, p, "housing_proposals", proposalKey, "id", "proposition de logement")
	if err != nil {
		return nil, nil, err
	}
	var h model.HousingProposal
	b, err := s.act(ctx, p, key, "decideHousingProposal", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActHousing, f, today, params); err != nil {
			return nil, err
		}
		var cur model.HousingProposal
		if err := tx.GetContext(ctx, &cur, `SELECT `+housingColumns+` FROM housing_proposals h WHERE h.id = $1 FOR UPDATE`, proposalKey); err != nil {
			return nil, err
		}
		if cur.Version != in.Version {
			return nil, model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "la proposition a été modifiée depuis votre lecture : rechargez-la")
		}
		if cur.Outcome != model.HousingOutcomePending {
			return nil, model.Errorf(model.CodeOutOfOrder, model.Path("input", "outcome"), "la proposition a déjà reçu une réponse")
		}
		if in.Outcome == model.HousingOutcomePending {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "outcome"), "la réponse est une acceptation ou un refus")
		}
		if err := model.CheckHousingOutcome(in.Outcome, in.RefusalReason); err != nil {
			return nil, err
		}
		d := model.DateOr(in.DecidedOn, today)
		if d.Before(cur.ProposedOn) || d.After(today) {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "decidedOn"), "la réponse doit suivre la proposition et ne peut être dans le futur")
		}
		err := tx.GetContext(ctx, &h, `UPDATE housing_proposals h SET outcome = $2, decided_on = $3, refusal_reason = $4, version = version + 1,
			updated_at = $5 WHERE h.id = $1 RETURNING `+housingColumns, proposalKey, string(in.Outcome), d, trimmed(in.RefusalReason), tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"housingProposal": h.Key, "outcome": map[string]any{"before": cur.Outcome, "after": h.Outcome}}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &h, nil
}

// RecordRightsStep records the status of one access-to-rights step (optimistic
// concurrency: version 0 for a step never recorded).
func (s *Store) RecordRightsStep(ctx context.Context, p *model.Principal, key string, in model.RecordRightsStepInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "recordRightsStep", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActRights, f, today, params); err != nil {
			return nil, err
		}
		for field, d := range map[string]*model.Date{"startedOn": in.StartedOn, "completedOn": in.CompletedOn} {
			if d != nil {
				if err := model.CheckDay(*d, b.ReferredOn, today, field); err != nil {
					return nil, err
				}
			}
		}
		if err := model.CheckRightsStep(in.Status, in.StartedOn, in.CompletedOn); err != nil {
			return nil, err
		}
		var versions []int
		if err := tx.SelectContext(ctx, &versions, `SELECT version FROM rights_steps WHERE beneficiary_id = $1 AND kind = $2 FOR UPDATE`, key, string(in.Kind)); err != nil {
			return nil, err
		}
		current := 0
		if len(versions) > 0 {
			current = versions[0]
		}
		if current != in.Version {
			return nil, model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "la démarche a été modifiée depuis votre lecture : rechargez-la")
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO rights_steps (beneficiary_id, kind, status, started_on, completed_on, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (beneficiary_id, kind) DO UPDATE SET status = EXCLUDED.status, started_on = EXCLUDED.started_on,
			       completed_on = EXCLUDED.completed_on, updated_at = EXCLUDED.updated_at, version = rights_steps.version + 1`,
			key, string(in.Kind), string(in.Status), in.StartedOn, in.CompletedOn, tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"kind": in.Kind, "status": in.Status}, nil
	})
}

// RecordAccessibility records disability and accessibility needs (optimistic concurrency).
func (s *Store) RecordAccessibility(ctx context.Context, p *model.Principal, key string, in model.RecordAccessibilityInput, referentKey string) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "recordAccessibility", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActAccessibility, f, today, params); err != nil {
			return nil, err
		}
		if in.RecognisedUntil != nil && !in.DisabilityRecognised {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "recognisedUntil"), "une fin de validité suppose une RQTH reconnue")
		}
		var referent *string
		if referentKey != "" {
			var ok bool
			if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM staff_members WHERE id = $1 AND staff_role = 'DISABILITY_REFERENT' AND active)`,
				validUUIDOrNil(referentKey)); err != nil {
				return nil, err
			}
			if !ok {
				return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "disabilityReferentId"), "ce professionnel n'est pas un référent handicap actif")
			}
			referent = &referentKey
		}
		var versions []int
		if err := tx.SelectContext(ctx, &versions, `SELECT version FROM accessibility WHERE beneficiary_id = $1 FOR UPDATE`, key); err != nil {
			return nil, err
		}
		current := 0
		if len(versions) > 0 {
			current = versions[0]
		}
		if current != in.Version {
			return nil, model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "la fiche a été modifiée depuis votre lecture : rechargez-la")
		}
		needs := ""
		if in.Needs != nil {
			needs = strings.TrimSpace(*in.Needs)
		}
		aids := make([]string, len(in.AidsRequested))
		for i, a := range in.AidsRequested {
			aids[i] = string(a)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO accessibility (beneficiary_id, disability_recognised, recognised_until, needs, disability_referent_id, aids_requested, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (beneficiary_id) DO UPDATE SET disability_recognised = EXCLUDED.disability_recognised,
			       recognised_until = EXCLUDED.recognised_until, needs = EXCLUDED.needs,
			       disability_referent_id = EXCLUDED.disability_referent_id, aids_requested = EXCLUDED.aids_requested,
			       updated_at = EXCLUDED.updated_at, version = accessibility.version + 1`,
			key, in.DisabilityRecognised, in.RecognisedUntil, needs, referent, aids, tx.Now)
		if err != nil {
			return nil, err
		}
		// health data: the audit names the fields changed, not their values
		return map[string]any{"fields": []string{"disabilityRecognised", "recognisedUntil", "needs", "disabilityReferent", "aidsRequested"}}, nil
	})
}

// RecordEvaluation records an evaluation of the current period.
func (s *Store) RecordEvaluation(ctx context.Context, p *model.Principal, key string, in model.RecordEvaluationInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "recordEvaluation", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActEvaluation, f, today, params); err != nil {
			return nil, err
		}
		if err := model.CheckEvaluation(in.Stage, [4]int{in.Housing, in.Employment, in.Training, in.Rights}, f, today, params); err != nil {
			return nil, err
		}
		if err := model.CheckDay(in.EvaluatedOn, *f.WelcomeHeldOn, today, "evaluatedOn"); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO evaluations (beneficiary_id, round, stage, evaluated_on, housing_score, employment_score,
			training_score, rights_score, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			key, f.Reintegrations, string(in.Stage), in.EvaluatedOn, in.Housing, in.Employment, in.Training, in.Rights, tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"stage": in.Stage, "scores": []int{in.Housing, in.Employment, in.Training, in.Rights}}, nil
	})
}

// ExitJourney ends the journey with its reason and the situation at exit.
func (s *Store) ExitJourney(ctx context.Context, p *model.Principal, key string, in model.ExitJourneyInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "exitJourney", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActExit, f, today, params); err != nil {
			return nil, err
		}
		from := b.ReferredOn
		if f.LastReintegration != nil {
			from = f.LastReintegration.On
		}
		if err := model.CheckDay(in.ExitedOn, from, today, "exitedOn"); err != nil {
			return nil, err
		}
		// the situation declared is the one the recorded outcomes show (the 60 % target)
		var outcomes []model.Outcome
		if err := tx.SelectContext(ctx, &outcomes, `SELECT `+outcomeColumns+` FROM outcomes x WHERE x.beneficiary_id = $1`, key); err != nil {
			return nil, fmt.Errorf("outcomes at exit: %w", err)
		}
		if err := model.CheckExitSituation(in.EmploymentSituation, in.TrainingSituation, outcomes, in.ExitedOn); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO journey_exits (beneficiary_id, kind, exited_on, reason, housing_situation,
			employment_situation, training_situation, recorded_by, created_at) VALUES ($1, 'EXIT', $2, $3, $4, $5, $6, $7, $8)`,
			key, in.ExitedOn, string(in.Reason), string(in.HousingSituation), string(in.EmploymentSituation), string(in.TrainingSituation), p.Subject, tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"exitedOn": in.ExitedOn, "reason": in.Reason, "housing": in.HousingSituation,
			"employment": in.EmploymentSituation, "training": in.TrainingSituation}, nil
	})
}

// ExcludeBeneficiary records an exclusion decided by a coordinator, for one of the
// programme's reasons.
func (s *Store) ExcludeBeneficiary(ctx context.Context, p *model.Principal, key string, in model.ExcludeBeneficiaryInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "excludeBeneficiary", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActExclude, f, today, params); err != nil {
			return nil, err
		}
		if err := model.CheckExclusion(p.Role, in.Reason, len(f.HousingRefusals), params); err != nil {
			return nil, err
		}
		on := model.DateOr(in.ExcludedOn, today)
		if err := model.CheckDay(on, b.ReferredOn, today, "excludedOn"); err != nil {
			return nil, err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO journey_exits (beneficiary_id, kind, exited_on, reason, note, recorded_by, created_at)
			VALUES ($1, 'EXCLUSION', $2, $3, $4, $5, $6)`, key, on, string(in.Reason), trimmed(in.Note), p.Subject, tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"excludedOn": on, "reason": in.Reason, "housingRefusals": len(f.HousingRefusals)}, nil
	})
}

// RecordFollowUp records a follow-up after the last exit.
func (s *Store) RecordFollowUp(ctx context.Context, p *model.Principal, key string, in model.RecordFollowUpInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "recordFollowUp", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActFollowUp, f, today, params); err != nil {
			return nil, err
		}
		if err := model.CheckDay(in.HeldOn, f.LastExit.On, today, "heldOn"); err != nil {
			return nil, err
		}
		if err := model.CheckFollowUp(in.Stage, in.HeldOn, f, params); err != nil {
			return nil, err
		}
		due := model.FollowUpDueOn(f.LastExit.On, in.Stage, params)
		_, err := tx.ExecContext(ctx, `INSERT INTO follow_ups (beneficiary_id, exit_id, stage, due_on, held_on, housing_situation,
			employment_situation, training_situation, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			key, f.LastExit.Key, string(in.Stage), due, in.HeldOn, string(in.HousingSituation), string(in.EmploymentSituation),
			string(in.TrainingSituation), trimmed(in.Note), tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"stage": in.Stage, "heldOn": in.HeldOn, "housing": in.HousingSituation,
			"employment": in.EmploymentSituation, "training": in.TrainingSituation}, nil
	})
}

// ReintegrateBeneficiary re-opens the last exit, approved by the calling state
// representative, for 12 months at most.
func (s *Store) ReintegrateBeneficiary(ctx context.Context, p *model.Principal, key string, in model.ReintegrateBeneficiaryInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "reintegrateBeneficiary", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActReintegrate, f, today, params); err != nil {
			return nil, err
		}
		if err := model.CheckReintegration(p.Role, in.ReintegratedOn, in.Until, f.LastExit.On, params); err != nil {
			return nil, err
		}
		if in.ReintegratedOn.After(today) {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "reintegratedOn"), "la date ne peut pas être dans le futur")
		}
		approver := p.Subject
		if p.Email != "" {
			approver = p.Email
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO reintegrations (beneficiary_id, exit_id, reintegrated_on, until_on, reason, approved_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, key, f.LastExit.Key, in.ReintegratedOn, in.Until, strings.TrimSpace(in.Reason), approver, tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"reintegratedOn": in.ReintegratedOn, "until": in.Until, "approvedBy": approver}, nil
	})
}

// UpdateBeneficiaryContact records new contact details (optimistic concurrency on the
// beneficiary's version); an empty string clears a field.
func (s *Store) UpdateBeneficiaryContact(ctx context.Context, p *model.Principal, key string, in model.UpdateBeneficiaryContactInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "updateBeneficiaryContact", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if b.Version != in.Version {
			return nil, model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "la fiche a été modifiée depuis votre lecture : rechargez-la")
		}
		changed := []string{}
		set := func(field string, v *string) *string {
			if v == nil {
				return nil
			}
			changed = append(changed, field)
			return v
		}
		phone, email, address := set("phone", trimmed(in.Phone)), set("email", trimmed(in.Email)), set("address", trimmed(in.Address))
		var languages any
		if in.Languages != nil {
			changed = append(changed, "languages")
			languages = in.Languages
		}
		_, err := tx.ExecContext(ctx, `UPDATE beneficiaries SET
			phone = CASE WHEN $2::text IS NULL THEN phone ELSE NULLIF($2, '') END,
			email = CASE WHEN $3::text IS NULL THEN email ELSE NULLIF($3, '') END,
			address = CASE WHEN $4::text IS NULL THEN address ELSE NULLIF($4, '') END,
			languages = COALESCE($5::text[], languages)
			WHERE id = $1`, key, phone, email, address, languages)
		if err != nil {
			return nil, err
		}
		// contact data: the audit names the fields changed, not their values
		return map[string]any{"fields": changed}, nil
	})
}
