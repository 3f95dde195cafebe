package db

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Reads of the social module. Batch methods take the keys of beneficiaries (already
// read in scope by the caller) and still join beneficiaries with the caller's scope
// (defense in depth); they answer one statement per call, whatever the number of keys.

// BeneficiariesByKeys returns the beneficiaries of keys in p's scope, in key order (a
// zero Beneficiary, Key "", where none is visible).
func (s *Store) BeneficiariesByKeys(ctx context.Context, p *model.Principal, keys []string) ([]model.Beneficiary, error) {
	out := make([]model.Beneficiary, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		args := []any{validUUIDs(keys)}
		var rows []beneficiaryRow
		err := tx.SelectContext(ctx, &rows, `SELECT `+beneficiaryColumns+` FROM beneficiaries b
			WHERE b.id = ANY($1::uuid[]) AND `+beneficiaryScope(p, "b", &args), args...)
		if err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r beneficiaryRow) (string, model.Beneficiary) { return r.Key, r.model() })
	})
	if err != nil {
		return nil, fmt.Errorf("db: beneficiaries by keys: %w", err)
	}
	return out, nil
}

// ReferralsByKeys returns the OFII referral and the admission of the beneficiaries of
// keys in p's scope, in key order (a zero Referral where none is visible).
func (s *Store) ReferralsByKeys(ctx context.Context, p *model.Principal, keys []string) ([]model.Referral, error) {
	out := make([]model.Referral, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		args := []any{validUUIDs(keys)}
		type row struct {
			Key         string                               `db:"id"`
			ReferredOn  model.Date                           `db:"referred_on"`
			Reference   string                               `db:"ofii_reference"`
			Admission   model.AdmissionKind                  `db:"admission"`
			Eligibility jsonColumn[[]model.EligibilityCheck] `db:"eligibility"`
			InstrOn     *model.Date                          `db:"state_instruction_on"`
			InstrRef    *string                              `db:"state_instruction_ref"`
			AgreementOn *model.Date                          `db:"ofii_agreement_on"`
		}
		var rows []row
		err := tx.SelectContext(ctx, &rows, `SELECT b.id, b.referred_on, b.ofii_reference, b.admission, b.eligibility,
				b.state_instruction_on, b.state_instruction_ref, b.ofii_agreement_on
			FROM beneficiaries b WHERE b.id = ANY($1::uuid[]) AND `+beneficiaryScope(p, "b", &args), args...)
		if err != nil {
			return err
		}
		for i := range rows {
			if rows[i].Eligibility.V == nil {
				rows[i].Eligibility.V = []model.EligibilityCheck{}
			}
		}
		return inKeyOrder(keys, rows, out, func(r row) (string, model.Referral) {
			return r.Key, model.Referral{ReferredOn: r.ReferredOn, OfiiReference: r.Reference, Admission: r.Admission,
				Eligibility: r.Eligibility.V, StateInstructionOn: r.InstrOn, StateInstructionReference: r.InstrRef,
				OfiiAgreementOn: r.AgreementOn}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("db: referrals by keys: %w", err)
	}
	return out, nil
}

// BeneficiaryFilter restricts Beneficiaries (keys decoded).
type BeneficiaryFilter struct {
	Phases         []model.JourneyPhase
	Department     *string
	StructureKey   string
	ReferentKey    string
	Alert          *model.AlertKind
	ProtectionType *model.ProtectionType
	ReferredFrom   *model.Date
	ReferredTo     *model.Date
	Search         string
}

// Beneficiaries returns a page of the beneficiaries in p's scope.
func (s *Store) Beneficiaries(ctx context.Context, p *model.Principal, f BeneficiaryFilter, order *model.BeneficiaryOrder, page model.Page, wantTotal bool) (model.Connection[model.Beneficiary], error) {
	var conn model.Connection[model.Beneficiary]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		q := pageQuery{Select: beneficiaryColumns, From: "beneficiaries b"}
		arg := func(v any) string { q.Args = append(q.Args, v); return fmt.Sprintf("$%d", len(q.Args)) }
		q.Where = append(q.Where, beneficiaryScope(p, "b", &q.Args))
		if len(f.Phases) > 0 {
			phases := make([]string, len(f.Phases))
			for i, ph := range f.Phases {
				phases[i] = string(ph)
			}
			q.Where = append(q.Where, "b.phase = ANY("+arg(phases)+"::text[])")
		}
		if f.Department != nil {
			q.Where = append(q.Where, "b.department = "+arg(*f.Department))
		}
		if f.StructureKey != "" {
			a := arg(validUUIDOrNil(f.StructureKey))
			q.Where = append(q.Where, fmt.Sprintf("(b.social_operator_id = %s::uuid OR b.employment_operator_id = %[1]s::uuid)", a))
		}
		if f.ReferentKey != "" {
			q.Where = append(q.Where, "EXISTS (SELECT 1 FROM referent_assignments r WHERE r.beneficiary_id = b.id AND r.ended_at IS NULL AND r.staff_member_id = "+
				arg(validUUIDOrNil(f.ReferentKey))+"::uuid)")
		}
		switch {
		case f.Alert == nil:
		case *f.Alert == model.AlertKindOrientationUnanswered:
			// Derived from the orientations themselves (professional module), as
			// Beneficiary.alerts does.
			q.Where = append(q.Where, orientationUnansweredCondition("b", arg(tx.today())))
		default:
			// JOURNEY_LIMIT_NEAR gives way to JOURNEY_LIMIT_REACHED once the limit is
			// passed, as in model.ActiveAlerts.
			// Read from the journey facts the acts keep (journey_facts).
			q.Where = append(q.Where, "EXISTS (SELECT 1 FROM journey_facts jf WHERE jf.beneficiary_id = b.id AND "+
				factAlertActive(*f.Alert, arg(tx.today()))+")")
		}
		if f.ProtectionType != nil {
			q.Where = append(q.Where, "b.protection_type = "+arg(string(*f.ProtectionType)))
		}
		if f.ReferredFrom != nil {
			q.Where = append(q.Where, "b.referred_on >= "+arg(*f.ReferredFrom))
		}
		if f.ReferredTo != nil {
			q.Where = append(q.Where, "b.referred_on <= "+arg(*f.ReferredTo))
		}
		if strings.TrimSpace(f.Search) != "" {
			q.Where = append(q.Where, "b.search_name LIKE '%' || lower(immutable_unaccent("+arg(likeEscape(strings.TrimSpace(f.Search)))+")) || '%'")
		}
		field, desc := model.BeneficiaryOrderFieldReferredOn, true
		if order != nil {
			field, desc = order.Field, order.Direction == model.OrderDirectionDesc
		}
		var key func(beneficiaryRow) (string, string)
		switch field {
		case model.BeneficiaryOrderFieldName:
			q.Order = keyset{Expr: "b.sort_name", Type: "text", ID: "b.id", Desc: desc}
			key = func(r beneficiaryRow) (string, string) { return r.SortName, r.Key }
		case model.BeneficiaryOrderFieldJourneyEndsOn:
			q.Order = keyset{Expr: "COALESCE(b.journey_ends_on, DATE '9999-12-31')", Type: "date", ID: "b.id", Desc: desc}
			key = func(r beneficiaryRow) (string, string) {
				if r.JourneyEndsOn == nil {
					return "9999-12-31", r.Key
				}
				return r.JourneyEndsOn.String(), r.Key
			}
		default:
			q.Order = keyset{Expr: "b.referred_on", Type: "date", ID: "b.id", Desc: desc}
			key = func(r beneficiaryRow) (string, string) { return r.ReferredOn.String(), r.Key }
		}
		conn, err = fetchPage(ctx, tx, q, page, wantTotal, key, beneficiaryRow.model)
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: beneficiaries: %w", err)
	}
	return conn, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// grouped runs query for the beneficiaries keys (in p's scope) and groups the rows by
// beneficiary. query has $1 for the keys (uuid[]) and {scope} for the scope condition on
// alias b; extra arguments follow.
func grouped[R any](ctx context.Context, s *Store, p *model.Principal, keys []string, query string, owner func(R) string, extra ...any) (map[string][]R, error) {
	return groupedByBeneficiary(ctx, s, p, keys, beneficiariesScope, query, owner, extra...)
}

// HouseholdByBeneficiaries returns the joining members of each beneficiary.
func (s *Store) HouseholdByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.HouseholdMember, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT x.id, x.beneficiary_id, x.relationship, x.first_name, x.last_name, x.birth_date, x.sex,
			x.nationality, x.has_protection, x.joined_on, b.department
		FROM household_members x JOIN beneficiaries b ON b.id = x.beneficiary_id
		WHERE {scope} ORDER BY x.seq`,
		func(r model.HouseholdMember) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: household: %w", err)
	}
	return m, nil
}

// ConvocationsByBeneficiaries returns the convocations of each beneficiary, latest first,
// with their derived status.
func (s *Store) ConvocationsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Convocation, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT c.id, c.beneficiary_id, c.appointment_at, c.address, c.handed_over_on,
			COALESCE((SELECT i.status FROM interviews i WHERE i.convocation_id = c.id ORDER BY i.seq DESC LIMIT 1), 'PLANNED') AS status
		FROM convocations c JOIN beneficiaries b ON b.id = c.beneficiary_id
		WHERE {scope} ORDER BY c.seq DESC`,
		func(r model.Convocation) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: convocations: %w", err)
	}
	return m, nil
}

// ReferentsByBeneficiaries returns the referent assignments of each beneficiary, latest first.
func (s *Store) ReferentsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.ReferentAssignment, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT r.beneficiary_id, r.kind, r.staff_member_id, r.assigned_at, r.ended_at
		FROM referent_assignments r JOIN beneficiaries b ON b.id = r.beneficiary_id
		WHERE {scope} ORDER BY r.seq DESC`,
		func(r model.ReferentAssignment) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: referents: %w", err)
	}
	return m, nil
}

// ReferentsWithStaffByBeneficiaries is ReferentsByBeneficiaries with the staff members
// of the assignments, read in the same statement (a page's referents and their names:
// one statement instead of two).
func (s *Store) ReferentsWithStaffByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.ReferentAssignment, map[string]model.StaffMember, error) {
	type row struct {
		model.ReferentAssignment
		StaffStructureKey string          `db:"staff_structure_id"`
		StaffName         string          `db:"staff_name"`
		StaffEmail        string          `db:"staff_email"`
		StaffSubject      *string         `db:"staff_subject"`
		StaffRole         model.StaffRole `db:"staff_role"`
		StaffActive       bool            `db:"staff_active"`
	}
	rows, err := grouped(ctx, s, p, keys, `SELECT r.beneficiary_id, r.kind, r.staff_member_id, r.assigned_at, r.ended_at,
			m.structure_id AS staff_structure_id, m.name AS staff_name, m.email AS staff_email,
			m.subject AS staff_subject, m.staff_role, m.active AS staff_active
		FROM referent_assignments r JOIN beneficiaries b ON b.id = r.beneficiary_id
		JOIN staff_members m ON m.id = r.staff_member_id
		WHERE {scope} ORDER BY r.seq DESC`,
		func(r row) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, nil, fmt.Errorf("db: referents with staff: %w", err)
	}
	assignments := make(map[string][]model.ReferentAssignment, len(rows))
	staff := map[string]model.StaffMember{}
	for k, list := range rows {
		out := make([]model.ReferentAssignment, len(list))
		for i, r := range list {
			out[i] = r.ReferentAssignment
			staff[r.StaffMemberKey] = model.StaffMember{Key: r.StaffMemberKey, StructureKey: r.StaffStructureKey,
				Name: r.StaffName, Email: r.StaffEmail, Subject: r.StaffSubject, StaffRole: r.StaffRole, Active: r.StaffActive}
		}
		assignments[k] = out
	}
	return assignments, staff, nil
}

// InterviewsByBeneficiaries returns the interviews of each beneficiary, latest planned
// first; private notes only for the author's structure.
func (s *Store) InterviewsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Interview, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT `+fmt.Sprintf(interviewColumns, "$2")+`
		FROM interviews i JOIN beneficiaries b ON b.id = i.beneficiary_id
		WHERE {scope} ORDER BY i.planned_at DESC, i.id`,
		func(r model.Interview) string { return r.BeneficiaryKey }, nullable(p.StructureID))
	if err != nil {
		return nil, fmt.Errorf("db: interviews: %w", err)
	}
	return m, nil
}

// LastInterviewByBeneficiaries returns the latest interview (held, or planned) of each
// beneficiary, one statement for all: per beneficiary, the first entry of its
// interviews' index in (planned_at DESC, id) order that is held or planned. (DISTINCT ON
// over the join read and sorted every interview of the page: 6.2 ms against 0.7 ms for
// a page of 50 on the national data set, about 29 interviews each.)
func (s *Store) LastInterviewByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Interview, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT `+fmt.Sprintf(interviewColumns, "$2")+`
		FROM beneficiaries b JOIN LATERAL (SELECT * FROM interviews x WHERE x.beneficiary_id = b.id AND x.status IN ('HELD', 'PLANNED')
		                                   ORDER BY x.planned_at DESC, x.id LIMIT 1) i ON true
		WHERE {scope}`,
		func(r model.Interview) string { return r.BeneficiaryKey }, nullable(p.StructureID))
	if err != nil {
		return nil, fmt.Errorf("db: last interview: %w", err)
	}
	return m, nil
}

// DiagnosticByBeneficiaries returns the diagnostic axes of each beneficiary.
func (s *Store) DiagnosticByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.AxisAssessment, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT d.beneficiary_id, d.axis, d.situation, d.needs, d.assessed_on
		FROM diagnostic_axes d JOIN beneficiaries b ON b.id = d.beneficiary_id
		WHERE {scope} ORDER BY d.axis`,
		func(r model.AxisAssessment) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: diagnostic: %w", err)
	}
	return m, nil
}

// PlanByBeneficiaries returns the objectives of each beneficiary with their actions (one
// statement: actions aggregated per objective).
func (s *Store) PlanByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Objective, error) {
	objectives, err := grouped(ctx, s, p, keys, `SELECT o.id, o.beneficiary_id, o.axis, o.title
		FROM objectives o JOIN beneficiaries b ON b.id = o.beneficiary_id
		WHERE {scope} ORDER BY o.seq`,
		func(r model.Objective) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: plan: %w", err)
	}
	actions, err := grouped(ctx, s, p, keys, `SELECT `+planActionColumns+`
		FROM plan_actions a JOIN beneficiaries b ON b.id = a.beneficiary_id
		WHERE {scope} ORDER BY a.seq`,
		func(r model.PlanAction) string { return r.ObjectiveKey })
	if err != nil {
		return nil, fmt.Errorf("db: plan actions: %w", err)
	}
	for k, os := range objectives {
		for i := range os {
			os[i].Actions = actions[os[i].Key]
			if os[i].Actions == nil {
				os[i].Actions = []model.PlanAction{}
			}
		}
		objectives[k] = os
	}
	return objectives, nil
}

// ContractByBeneficiaries returns the engagement contract of each beneficiary that signed one.
func (s *Store) ContractByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.EngagementContract, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT c.beneficiary_id, c.signed_on, c.consent_recorded
		FROM engagement_contracts c JOIN beneficiaries b ON b.id = c.beneficiary_id
		WHERE {scope}`,
		func(r model.EngagementContract) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: contracts: %w", err)
	}
	return m, nil
}

// HousingByBeneficiaries returns the housing proposals of each beneficiary, in order.
func (s *Store) HousingByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.HousingProposal, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT `+housingColumns+`
		FROM housing_proposals h JOIN beneficiaries b ON b.id = h.beneficiary_id
		WHERE {scope} ORDER BY h.proposed_on, h.seq`,
		func(r model.HousingProposal) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: housing proposals: %w", err)
	}
	return m, nil
}

// RightsStepsByBeneficiaries returns the checklist of each beneficiary: every kind of
// step, TO_DO (version 0) where nothing was recorded.
func (s *Store) RightsStepsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.RightsStep, error) {
	recorded, err := grouped(ctx, s, p, keys, `SELECT r.beneficiary_id, r.kind, r.status, r.started_on, r.completed_on, r.version
		FROM rights_steps r JOIN beneficiaries b ON b.id = r.beneficiary_id
		WHERE {scope}`,
		func(r model.RightsStep) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: rights steps: %w", err)
	}
	out := map[string][]model.RightsStep{}
	for _, k := range keys {
		byKind := map[model.RightsStepKind]model.RightsStep{}
		for _, r := range recorded[k] {
			byKind[r.Kind] = r
		}
		list := make([]model.RightsStep, 0, len(model.AllRightsStepKind))
		for _, kind := range model.AllRightsStepKind {
			r, ok := byKind[kind]
			if !ok {
				r = model.RightsStep{BeneficiaryKey: k, Kind: kind, Status: model.RightsStepStatusToDo}
			}
			list = append(list, r)
		}
		out[k] = list
	}
	return out, nil
}

// AccessibilityByBeneficiaries returns the accessibility record of each beneficiary that has one.
func (s *Store) AccessibilityByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Accessibility, error) {
	type row struct {
		model.Accessibility
		Aids stringArray `db:"aids_requested"`
	}
	m, err := grouped(ctx, s, p, keys, `SELECT a.beneficiary_id, a.version, a.disability_recognised, a.recognised_until, a.needs,
			a.disability_referent_id, a.aids_requested
		FROM accessibility a JOIN beneficiaries b ON b.id = a.beneficiary_id
		WHERE {scope}`,
		func(r row) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: accessibility: %w", err)
	}
	out := map[string][]model.Accessibility{}
	for k, rows := range m {
		for _, r := range rows {
			a := r.Accessibility
			a.AidsRequested = make([]model.AgefiphAid, len(r.Aids))
			for i, x := range r.Aids {
				a.AidsRequested[i] = model.AgefiphAid(x)
			}
			out[k] = append(out[k], a)
		}
	}
	return out, nil
}

// EvaluationsByBeneficiaries returns the evaluations of each beneficiary's current
// period, in stage order.
func (s *Store) EvaluationsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Evaluation, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT e.beneficiary_id, e.round, e.stage, e.evaluated_on, e.housing_score, e.employment_score,
			e.training_score, e.rights_score
		FROM evaluations e JOIN beneficiaries b ON b.id = e.beneficiary_id
		WHERE {scope}
		  AND e.round = (SELECT count(*) FROM reintegrations r WHERE r.beneficiary_id = e.beneficiary_id)
		ORDER BY array_position(ARRAY['ENTRY', 'MID_COURSE', 'EXIT'], e.stage)`,
		func(r model.Evaluation) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: evaluations: %w", err)
	}
	return m, nil
}

// ExitsByBeneficiaries returns the exits and exclusions of each beneficiary, in order.
func (s *Store) ExitsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.JourneyExit, error) {
	type row struct {
		model.JourneyExit
		Reason string `db:"reason"`
	}
	m, err := grouped(ctx, s, p, keys, `SELECT x.id, x.beneficiary_id, x.kind, x.exited_on, x.reason, x.housing_situation,
			x.employment_situation, x.training_situation
		FROM journey_exits x JOIN beneficiaries b ON b.id = x.beneficiary_id
		WHERE {scope} ORDER BY x.seq`,
		func(r row) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: exits: %w", err)
	}
	out := map[string][]model.JourneyExit{}
	for k, rows := range m {
		for _, r := range rows {
			x := r.JourneyExit
			if x.Kind == model.ExitKindExclusion {
				reason := model.ExclusionReason(r.Reason)
				x.ExclusionReason = &reason
			} else {
				reason := model.ExitReason(r.Reason)
				x.ExitReason = &reason
			}
			out[k] = append(out[k], x)
		}
	}
	return out, nil
}

// FollowUpsByBeneficiaries returns, for the last exit of each beneficiary (an ordinary
// exit not re-opened), its two follow-ups: held, or due.
func (s *Store) FollowUpsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.FollowUp, error) {
	type row struct {
		model.FollowUp
		ExitedOn model.Date  `db:"exited_on"`
		Due      *model.Date `db:"recorded_due_on"`
	}
	m, err := grouped(ctx, s, p, keys, `SELECT x.beneficiary_id, x.id AS exit_id, x.exited_on, st.stage, f.due_on AS recorded_due_on,
			f.held_on, f.housing_situation, f.employment_situation, f.training_situation
		FROM (SELECT DISTINCT ON (x.beneficiary_id) x.id, x.beneficiary_id, x.kind, x.exited_on
		        FROM journey_exits x JOIN beneficiaries b ON b.id = x.beneficiary_id
		       WHERE {scope}
		       ORDER BY x.beneficiary_id, x.seq DESC) x
		CROSS JOIN (VALUES ('THREE_MONTHS', 1), ('SIX_MONTHS', 2)) AS st(stage, n)
		LEFT JOIN follow_ups f ON f.exit_id = x.id AND f.stage = st.stage
		WHERE x.kind = 'EXIT' AND NOT EXISTS (SELECT 1 FROM reintegrations r WHERE r.exit_id = x.id)
		ORDER BY x.beneficiary_id, st.n`,
		func(r row) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: follow-ups: %w", err)
	}
	out := map[string][]model.FollowUp{}
	for k, rows := range m {
		for _, r := range rows {
			fu := r.FollowUp
			fu.DueOn = model.FollowUpDueOn(r.ExitedOn, fu.Stage, s.Params)
			if r.Due != nil {
				fu.DueOn = *r.Due
			}
			out[k] = append(out[k], fu)
		}
	}
	return out, nil
}

// ReintegrationsByBeneficiaries returns the reintegrations of each beneficiary, in order.
func (s *Store) ReintegrationsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Reintegration, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT r.beneficiary_id, r.exit_id, r.reintegrated_on, r.until_on, r.reason
		FROM reintegrations r JOIN beneficiaries b ON b.id = r.beneficiary_id
		WHERE {scope} ORDER BY r.seq`,
		func(r model.Reintegration) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: reintegrations: %w", err)
	}
	return m, nil
}

// AlertsByBeneficiaries returns the alerts active today for each beneficiary.
func (s *Store) AlertsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Alert, error) {
	type row struct {
		BeneficiaryKey string      `db:"beneficiary_id"`
		Kind           string      `db:"kind"`
		From           model.Date  `db:"active_from"`
		DueOn          *model.Date `db:"due_on"`
	}
	today := model.DateOf(s.Now())
	m, err := grouped(ctx, s, p, keys, `SELECT a.beneficiary_id, a.kind, a.active_from, a.due_on
		FROM beneficiary_alerts a JOIN beneficiaries b ON b.id = a.beneficiary_id
		WHERE {scope} AND a.active_from <= $2
		ORDER BY a.active_from, a.kind`,
		func(r row) string { return r.BeneficiaryKey }, today)
	if err != nil {
		return nil, fmt.Errorf("db: alerts: %w", err)
	}
	out := map[string][]model.Alert{}
	for k, rows := range m {
		sched := make([]model.AlertSchedule, len(rows))
		for i, r := range rows {
			sched[i] = model.AlertSchedule{Kind: model.AlertKind(r.Kind), From: r.From, DueOn: r.DueOn}
		}
		out[k] = model.ActiveAlerts(sched, today)
	}
	return out, nil
}

// TimelineByBeneficiaries returns every act of each beneficiary's journey, in order
// (one statement); summaries never carry free-text notes.
func (s *Store) TimelineByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.TimelineEvent, error) {
	m, err := grouped(ctx, s, p, keys, `
		WITH sb AS (SELECT b.id, b.referred_on, b.created_at, b.ofii_reference, b.admission FROM beneficiaries b
		            WHERE b.id = ANY($1::uuid[]) AND {scope})
		SELECT * FROM (
		  SELECT sb.id AS beneficiary_id, sb.referred_on AS on_day, sb.created_at AS recorded_at, 'REFERRED' AS kind,
		         'Orientation OFII, référence ' || sb.ofii_reference ||
		         CASE WHEN sb.admission = 'EXCEPTIONAL' THEN ' (admission exceptionnelle)' ELSE '' END AS summary FROM sb
		  UNION ALL
		  SELECT x.beneficiary_id, x.joined_on, x.created_at, 'HOUSEHOLD_MEMBER_ADDED',
		         'Rejoignant : ' || CASE x.relationship WHEN 'SPOUSE' THEN 'conjoint' WHEN 'MINOR_CHILD' THEN 'enfant mineur' ELSE 'parent' END
		    FROM household_members x JOIN sb ON sb.id = x.beneficiary_id
		  UNION ALL
		  SELECT c.beneficiary_id, c.handed_over_on, c.created_at, 'CONVOKED',
		         'Convocation remise pour le ' || to_char(c.appointment_at AT TIME ZONE 'Europe/Paris', 'DD/MM/YYYY à HH24:MI')
		    FROM convocations c JOIN sb ON sb.id = c.beneficiary_id
		  UNION ALL
		  SELECT i.beneficiary_id, COALESCE(i.held_on, (i.planned_at AT TIME ZONE 'Europe/Paris')::date), i.updated_at, 'INTERVIEW',
		         'Entretien ' || CASE i.kind WHEN 'WELCOME' THEN 'd''accueil' WHEN 'SOCIAL' THEN 'social' WHEN 'PROFESSIONAL' THEN 'professionnel'
		                                     WHEN 'EVALUATION' THEN 'd''évaluation' ELSE 'de suivi' END || ' : ' ||
		         CASE i.status WHEN 'PLANNED' THEN 'planifié' WHEN 'HELD' THEN 'réalisé' WHEN 'NO_SHOW' THEN 'absence'
		                       WHEN 'EXCUSED' THEN 'excusé' ELSE 'annulé' END
		    FROM interviews i JOIN sb ON sb.id = i.beneficiary_id
		  UNION ALL
		  SELECT d.beneficiary_id, max(d.assessed_on), max(d.updated_at), 'DIAGNOSTIC', 'Diagnostic : ' || count(*) || ' volet(s)'
		    FROM diagnostic_axes d JOIN sb ON sb.id = d.beneficiary_id GROUP BY d.beneficiary_id
		  UNION ALL
		  SELECT r.beneficiary_id, (r.assigned_at AT TIME ZONE 'Europe/Paris')::date, r.assigned_at, 'REFERENT_ASSIGNED',
		         CASE r.kind WHEN 'SOCIAL_WORKER' THEN 'Travailleur social référent : ' ELSE 'Conseiller en insertion référent : ' END || m.name
		    FROM referent_assignments r JOIN sb ON sb.id = r.beneficiary_id JOIN staff_members m ON m.id = r.staff_member_id
		  UNION ALL
		  SELECT a.beneficiary_id, (a.created_at AT TIME ZONE 'Europe/Paris')::date, a.created_at, 'PLAN_ACTION', 'Action du plan : ' || a.title
		    FROM plan_actions a JOIN sb ON sb.id = a.beneficiary_id
		  UNION ALL
		  SELECT c.beneficiary_id, c.signed_on, c.created_at, 'CONTRACT_SIGNED', 'Contrat d''engagement signé'
		    FROM engagement_contracts c JOIN sb ON sb.id = c.beneficiary_id
		  UNION ALL
		  SELECT h.beneficiary_id, COALESCE(h.decided_on, h.proposed_on), h.updated_at, 'HOUSING_PROPOSAL',
		         'Proposition de logement : ' || h.offer || ' (' ||
		         CASE h.outcome WHEN 'PENDING' THEN 'en attente' WHEN 'ACCEPTED' THEN 'acceptée' ELSE 'refusée' END || ')'
		    FROM housing_proposals h JOIN sb ON sb.id = h.beneficiary_id
		  UNION ALL
		  SELECT r.beneficiary_id, COALESCE(r.completed_on, r.started_on, (r.updated_at AT TIME ZONE 'Europe/Paris')::date), r.updated_at, 'RIGHTS_STEP',
		         'Démarche ' || CASE r.kind WHEN 'HEALTH_INSURANCE' THEN 'assurance maladie' WHEN 'COMPLEMENTARY_HEALTH_INSURANCE' THEN 'complémentaire santé'
		                                    WHEN 'FAMILY_BENEFITS' THEN 'CAF' WHEN 'BANK_ACCOUNT' THEN 'compte bancaire'
		                                    WHEN 'FRANCE_TRAVAIL_REGISTRATION' THEN 'inscription France Travail'
		                                    WHEN 'DRIVING_LICENCE_EXCHANGE' THEN 'échange du permis' WHEN 'CIVIL_STATUS_DOCUMENTS' THEN 'état civil'
		                                    WHEN 'RESIDENCE_PERMIT' THEN 'titre de séjour' ELSE 'déclaration de revenus' END || ' : ' ||
		         CASE r.status WHEN 'TO_DO' THEN 'à faire' WHEN 'IN_PROGRESS' THEN 'en cours' WHEN 'DONE' THEN 'faite'
		                       WHEN 'BLOCKED' THEN 'bloquée' ELSE 'sans objet' END
		    FROM rights_steps r JOIN sb ON sb.id = r.beneficiary_id
		  UNION ALL
		  SELECT e.beneficiary_id, e.evaluated_on, e.created_at, 'EVALUATION',
		         'Évaluation ' || CASE e.stage WHEN 'ENTRY' THEN 'd''entrée' WHEN 'MID_COURSE' THEN 'de mi-parcours' ELSE 'de sortie' END
		    FROM evaluations e JOIN sb ON sb.id = e.beneficiary_id
		  UNION ALL
		  SELECT g.beneficiary_id, (ca.starts_at AT TIME ZONE 'Europe/Paris')::date, g.registered_at, 'COLLECTIVE_ACTION',
		         'Action collective : ' || ca.theme || CASE g.attended WHEN true THEN ' (présent)' WHEN false THEN ' (absent)' ELSE ' (inscrit)' END
		    FROM collective_action_registrations g JOIN sb ON sb.id = g.beneficiary_id JOIN collective_actions ca ON ca.id = g.action_id
		  UNION ALL
		  SELECT x.beneficiary_id, x.exited_on, x.created_at, CASE x.kind WHEN 'EXIT' THEN 'EXITED' ELSE 'EXCLUDED' END,
		         CASE x.kind WHEN 'EXIT' THEN 'Sortie du parcours' ELSE 'Exclusion' END
		    FROM journey_exits x JOIN sb ON sb.id = x.beneficiary_id
		  UNION ALL
		  SELECT f.beneficiary_id, f.held_on, f.created_at, 'FOLLOW_UP',
		         'Suivi post-sortie ' || CASE f.stage WHEN 'THREE_MONTHS' THEN 'à 3 mois' ELSE 'à 6 mois' END
		    FROM follow_ups f JOIN sb ON sb.id = f.beneficiary_id
		  UNION ALL
		  SELECT r.beneficiary_id, r.reintegrated_on, r.created_at, 'REINTEGRATED',
		         'Réintégration jusqu''au ' || to_char(r.until_on, 'DD/MM/YYYY')
		    FROM reintegrations r JOIN sb ON sb.id = r.beneficiary_id
		) t ORDER BY on_day, recorded_at, array_position(ARRAY['REFERRED', 'HOUSEHOLD_MEMBER_ADDED', 'CONVOKED', 'INTERVIEW',
		  'DIAGNOSTIC', 'REFERENT_ASSIGNED', 'PLAN_ACTION', 'CONTRACT_SIGNED', 'HOUSING_PROPOSAL', 'RIGHTS_STEP', 'EVALUATION',
		  'COLLECTIVE_ACTION', 'EXITED', 'EXCLUDED', 'FOLLOW_UP', 'REINTEGRATED'], kind), summary`,
		func(r model.TimelineEvent) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: timeline: %w", err)
	}
	for _, events := range m {
		sort.SliceStable(events, func(i, j int) bool { return events[i].On.Before(events[j].On) })
	}
	return m, nil
}

// ---- single objects for node(id:) ----

// scopedOne reads one row of table by key, joined to its beneficiary in p's scope.
func scopedOne[R any](ctx context.Context, s *Store, p *model.Principal, key, query string, extra ...any) (*R, error) {
	if len(validUUIDs([]string{key})) == 0 {
		return nil, nil
	}
	var out *R
	err := s.readTx(ctx, func(tx *Tx) error {
		args := append([]any{key}, extra...)
		scope := beneficiaryScope(p, "b", &args)
		var rows []R
		if err := tx.SelectContext(ctx, &rows, strings.ReplaceAll(query, "{scope}", scope), args...); err != nil {
			return err
		}
		if len(rows) > 0 {
			out = &rows[0]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: node: %w", err)
	}
	return out, nil
}

// InterviewByKey returns an interview in p's scope, or nil.
func (s *Store) InterviewByKey(ctx context.Context, p *model.Principal, key string) (*model.Interview, error) {
	return scopedOne[model.Interview](ctx, s, p, key, `SELECT `+fmt.Sprintf(interviewColumns, "$2")+`
		FROM interviews i JOIN beneficiaries b ON b.id = i.beneficiary_id WHERE i.id = $1 AND {scope}`, nullable(p.StructureID))
}

// PlanActionByKey returns a plan action in p's scope, or nil.
func (s *Store) PlanActionByKey(ctx context.Context, p *model.Principal, key string) (*model.PlanAction, error) {
	return scopedOne[model.PlanAction](ctx, s, p, key, `SELECT `+planActionColumns+`
		FROM plan_actions a JOIN beneficiaries b ON b.id = a.beneficiary_id WHERE a.id = $1 AND {scope}`)
}

// HousingProposalByKey returns a housing proposal in p's scope, or nil.
func (s *Store) HousingProposalByKey(ctx context.Context, p *model.Principal, key string) (*model.HousingProposal, error) {
	return scopedOne[model.HousingProposal](ctx, s, p, key, `SELECT `+housingColumns+`
		FROM housing_proposals h JOIN beneficiaries b ON b.id = h.beneficiary_id WHERE h.id = $1 AND {scope}`)
}

// HouseholdMemberByKey returns a household member in p's scope, or nil.
func (s *Store) HouseholdMemberByKey(ctx context.Context, p *model.Principal, key string) (*model.HouseholdMember, error) {
	return scopedOne[model.HouseholdMember](ctx, s, p, key, `SELECT x.id, x.beneficiary_id, x.relationship, x.first_name, x.last_name,
		x.birth_date, x.sex, x.nationality, x.has_protection, x.joined_on, b.department
		FROM household_members x JOIN beneficiaries b ON b.id = x.beneficiary_id WHERE x.id = $1 AND {scope}`)
}

// ObjectiveByKey returns an objective with its actions in p's scope, or nil.
func (s *Store) ObjectiveByKey(ctx context.Context, p *model.Principal, key string) (*model.Objective, error) {
	o, err := scopedOne[model.Objective](ctx, s, p, key, `SELECT o.id, o.beneficiary_id, o.axis, o.title
		FROM objectives o JOIN beneficiaries b ON b.id = o.beneficiary_id WHERE o.id = $1 AND {scope}`)
	if err != nil || o == nil {
		return o, err
	}
	plan, err := s.PlanByBeneficiaries(ctx, p, []string{o.BeneficiaryKey})
	if err != nil {
		return nil, err
	}
	for _, x := range plan[o.BeneficiaryKey] {
		if x.Key == o.Key {
			return &x, nil
		}
	}
	return o, nil
}
