package db

import (
	"context"
	"fmt"
	"slices"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Programme parameters: the delays a department negotiated (DESIGN §3: "departments
// negotiate them"), stored as overrides of the Store's defaults.

func inTerritory(p *model.Principal, department string) bool {
	return p != nil && slices.Contains(p.Departments, department)
}

// ProgrammeParameters returns the delays in force in a department of p's territory; nil
// outside it.
func (s *Store) ProgrammeParameters(ctx context.Context, p *model.Principal, department string) (*model.ProgrammeParameters, error) {
	if !inTerritory(p, department) {
		return nil, nil
	}
	var out model.ProgrammeParameters
	err := s.readTx(ctx, func(tx *Tx) error {
		params, version, err := tx.paramsFor(ctx, department, s.Params)
		out = model.ProgrammeParameters{Department: department, Parameters: params, Negotiated: version > 0, Version: version}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: programme parameters: %w", err)
	}
	return &out, nil
}

// SetProgrammeParameters records the delays negotiated by a department of p's territory
// (optimistic concurrency on the record's version, 0 for none) and re-derives the
// journeys of the department with them, in the same transaction.
func (s *Store) SetProgrammeParameters(ctx context.Context, p *model.Principal, department string, version int, o model.ParameterOverrides) (*model.ProgrammeParameters, error) {
	if !inTerritory(p, department) {
		return nil, model.Errorf(model.CodeForbidden, model.Path("input", "department"), "ce département n'est pas dans votre territoire")
	}
	if err := model.CheckParameterOverrides(o); err != nil {
		return nil, err
	}
	var out model.ProgrammeParameters
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('programme_parameters:' || $1))`, department); err != nil {
			return err
		}
		before, current, err := tx.paramsFor(ctx, department, s.Params)
		if err != nil {
			return err
		}
		if current != version {
			return model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "les paramètres ont été modifiés depuis votre lecture : rechargez-les")
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO programme_parameters (department, welcome_delay_months, contract_delay_months, max_journey_months,
			       near_limit_warning_months, entry_evaluation_delay_days, mid_course_evaluation_months, reintegration_max_months,
			       updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (department) DO UPDATE SET welcome_delay_months = EXCLUDED.welcome_delay_months,
			       contract_delay_months = EXCLUDED.contract_delay_months, max_journey_months = EXCLUDED.max_journey_months,
			       near_limit_warning_months = EXCLUDED.near_limit_warning_months,
			       entry_evaluation_delay_days = EXCLUDED.entry_evaluation_delay_days,
			       mid_course_evaluation_months = EXCLUDED.mid_course_evaluation_months,
			       reintegration_max_months = EXCLUDED.reintegration_max_months, updated_at = EXCLUDED.updated_at,
			       updated_by = EXCLUDED.updated_by, version = programme_parameters.version + 1`,
			department, o.WelcomeDelayMonths, o.ContractDelayMonths, o.MaxJourneyMonths, o.NearLimitWarningMonths,
			o.EntryEvaluationDelayDays, o.MidCourseEvaluationMonths, o.ReintegrationMaxMonths, tx.Now, p.Subject)
		if err != nil {
			return err
		}
		var keys []string
		if err := tx.SelectContext(ctx, &keys, `SELECT id FROM beneficiaries WHERE department = $1 ORDER BY id`, department); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.refreshJourney(ctx, k, s.Params); err != nil {
				return err
			}
		}
		after, v, err := tx.paramsFor(ctx, department, s.Params)
		if err != nil {
			return err
		}
		out = model.ProgrammeParameters{Department: department, Parameters: after, Negotiated: true, Version: v}
		return tx.audit(ctx, p, AuditEntry{Action: "setProgrammeParameters", EntityType: "ProgrammeParameters", EntityID: department,
			Departments: []string{department}, Changes: map[string]any{"before": before, "after": after, "journeysRederived": len(keys)}})
	})
	if err != nil {
		return nil, fmt.Errorf("db: set programme parameters: %w", err)
	}
	return &out, nil
}
