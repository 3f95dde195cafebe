package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The social module: beneficiaries and their journeys. Every read and write of a
// beneficiary's data puts the caller's scope in its SQL (beneficiaryScope); every act
// locks the beneficiary's row, checks the programme's rules (graph/model) on the facts
// read in the same transaction, writes, re-derives the journey (refreshJourney) and
// writes the audit entry.

func init() {
	constraintErrors["beneficiaries_ofii_reference_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "ofiiReference"),
		"un bénéficiaire porte déjà cette référence OFII")
	constraintErrors["household_members_one_spouse_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "relationship"),
		"un conjoint est déjà enregistré pour ce foyer")
	constraintErrors["referent_assignments_one_active_key"] = model.Errorf(model.CodeVersionConflict, nil,
		"un autre référent vient d'être désigné : veuillez réessayer")
	constraintErrors["evaluations_stage_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "stage"),
		"cette évaluation est déjà enregistrée")
	constraintErrors["follow_ups_stage_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "stage"),
		"ce suivi post-sortie est déjà enregistré")
	constraintErrors["reintegrations_exit_key"] = model.Errorf(model.CodeOutOfOrder, model.Path("input", "beneficiaryId"),
		"cette sortie a déjà donné lieu à une réintégration")
	constraintErrors["beneficiaries_birth_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "birthDate"),
		"la date de naissance est invalide ou postérieure à l'orientation")
	constraintErrors["housing_proposals_refusal_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "refusalReason"),
		"le motif du refus est requis pour un refus, et seulement pour un refus")
	constraintErrors["rights_steps_done_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "completedOn"),
		"la date d'aboutissement est requise pour une démarche faite, et seulement pour elle")
	constraintErrors["collective_action_registrations_pkey"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "beneficiaryId"),
		"ce bénéficiaire est déjà inscrit à cette action")
}

// beneficiaryScope returns the SQL condition restricting beneficiaries (table alias
// alias) to the caller's scope (DESIGN §6), appending its arguments to args:
// coordinators and state representatives see their territory's departments, a social
// worker the beneficiaries its structure follows as social operator, an insertion
// counsellor those its structure follows as employment operator; other roles nothing.
// Every read and write of beneficiary data uses it.
func beneficiaryScope(p *model.Principal, alias string, args *[]any) string {
	if p == nil {
		return "FALSE"
	}
	arg := func(v any) string { *args = append(*args, v); return fmt.Sprintf("$%d", len(*args)) }
	switch p.Role {
	case model.RoleCoordinator, model.RoleStateRepresentative:
		if len(p.Departments) == 1 {
			// The same condition, as an equality: the planner then reads the page in
			// order from an index on (department, order, id) and stops at the limit,
			// where "= ANY" makes it sort the whole department (issue 9).
			return fmt.Sprintf("%s.department = %s", alias, arg(p.Departments[0]))
		}
		return fmt.Sprintf("%s.department = ANY(%s::text[])", alias, arg(model.NonNilStrings(p.Departments)))
	case model.RoleSocialWorker:
		if p.StructureID == "" {
			return "FALSE"
		}
		return fmt.Sprintf("%s.social_operator_id = %s::uuid", alias, arg(p.StructureID))
	case model.RoleInsertionCounsellor:
		if p.StructureID == "" {
			return "FALSE"
		}
		return fmt.Sprintf("%s.employment_operator_id = %s::uuid", alias, arg(p.StructureID))
	}
	return "FALSE"
}

// today is the transaction's calendar day in Europe/Paris.
func (tx *Tx) today() model.Date { return model.DateOf(tx.Now) }

// beneficiaryColumns are the columns of a beneficiary as read by every read of one,
// a page's included. The referral's eligibility checks and exceptional admission (the
// JSON column among them) are read by key on their own (ReferralsByKeys).
const beneficiaryColumns = `b.id, b.version, b.first_name, b.last_name, b.birth_date, b.sex, b.nationality, b.languages,
	b.phone, b.email, b.address, b.department, b.protection_type, b.protection_granted_on, b.cir_signed_on,
	b.social_operator_id, b.employment_operator_id, b.referred_on, b.ofii_reference, b.admission, b.phase,
	b.journey_starts_on, b.journey_ends_on, b.welcome_due_on, b.welcome_held_on, b.convocation_status, b.sort_name`

type beneficiaryRow struct {
	model.Beneficiary
	Languages stringArray `db:"languages"`
	SortName  string      `db:"sort_name"`
}

func (r beneficiaryRow) model() model.Beneficiary {
	b := r.Beneficiary
	b.Languages = model.NonNilStrings([]string(r.Languages))
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

// journeyFacts reads the facts the journey rules are decided on, in one statement.
func (tx *Tx) journeyFacts(ctx context.Context, key string) (model.JourneyFacts, error) {
	var row struct {
		Department        string                 `db:"department"`
		ReferredOn        model.Date             `db:"referred_on"`
		CirSignedOn       *model.Date            `db:"cir_signed_on"`
		Convoked          bool                   `db:"convoked"`
		ConvocationStatus *model.InterviewStatus `db:"convocation_status"`
		WelcomeHeldOn     *model.Date            `db:"welcome_held_on"`
		ObjectiveCount    int                    `db:"objective_count"`
		ContractSignedOn  *model.Date            `db:"contract_signed_on"`
		Refusals          stringArray            `db:"refusals"`
		Reintegrations    int                    `db:"reintegrations"`
		Stages            stringArray            `db:"stages"`
		ExitKey           *string                `db:"exit_id"`
		ExitKind          *model.ExitKind        `db:"exit_kind"`
		ExitedOn          *model.Date            `db:"exited_on"`
		ReintExitKey      *string                `db:"reint_exit_id"`
		ReintOn           *model.Date            `db:"reint_on"`
		ReintUntil        *model.Date            `db:"reint_until"`
		FollowUps         stringArray            `db:"follow_ups"`
	}
	err := tx.GetContext(ctx, &row, `
		SELECT b.department, b.referred_on, b.cir_signed_on,
		       EXISTS (SELECT 1 FROM convocations c WHERE c.beneficiary_id = b.id) AS convoked,
		       (SELECT COALESCE(i.status, 'PLANNED') FROM convocations c
		          LEFT JOIN LATERAL (SELECT i.status FROM interviews i WHERE i.convocation_id = c.id
		                             ORDER BY i.seq DESC LIMIT 1) i ON TRUE
		         WHERE c.beneficiary_id = b.id ORDER BY c.seq DESC LIMIT 1) AS convocation_status,
		       (SELECT min(i.held_on) FROM interviews i WHERE i.beneficiary_id = b.id AND i.kind = 'WELCOME' AND i.status = 'HELD') AS welcome_held_on,
		       (SELECT count(*) FROM objectives o WHERE o.beneficiary_id = b.id) AS objective_count,
		       (SELECT c.signed_on FROM engagement_contracts c WHERE c.beneficiary_id = b.id) AS contract_signed_on,
		       ARRAY(SELECT h.decided_on::text FROM housing_proposals h WHERE h.beneficiary_id = b.id AND h.outcome = 'REFUSED'
		             ORDER BY h.decided_on, h.seq) AS refusals,
		       (SELECT count(*) FROM reintegrations r WHERE r.beneficiary_id = b.id) AS reintegrations,
		       ARRAY(SELECT e.stage FROM evaluations e WHERE e.beneficiary_id = b.id
		             AND e.round = (SELECT count(*) FROM reintegrations r WHERE r.beneficiary_id = b.id)) AS stages,
		       x.id AS exit_id, x.kind AS exit_kind, x.exited_on,
		       r.exit_id AS reint_exit_id, r.reintegrated_on AS reint_on, r.until_on AS reint_until,
		       ARRAY(SELECT f.stage FROM follow_ups f WHERE f.exit_id = x.id) AS follow_ups
		FROM beneficiaries b
		LEFT JOIN LATERAL (SELECT x.id, x.kind, x.exited_on FROM journey_exits x WHERE x.beneficiary_id = b.id
		                   ORDER BY x.seq DESC LIMIT 1) x ON TRUE
		LEFT JOIN LATERAL (SELECT r.exit_id, r.reintegrated_on, r.until_on FROM reintegrations r WHERE r.beneficiary_id = b.id
		                   ORDER BY r.seq DESC LIMIT 1) r ON TRUE
		WHERE b.id = $1`, key)
	if err != nil {
		return model.JourneyFacts{}, fmt.Errorf("journey facts: %w", err)
	}
	f := model.JourneyFacts{Department: row.Department, ReferredOn: row.ReferredOn, CirSignedOn: row.CirSignedOn, Convoked: row.Convoked,
		ConvocationStatus: row.ConvocationStatus, WelcomeHeldOn: row.WelcomeHeldOn, ObjectiveCount: row.ObjectiveCount,
		ContractSignedOn: row.ContractSignedOn, Reintegrations: row.Reintegrations}
	for _, s := range row.Refusals {
		d, err := model.ParseDate(s)
		if err != nil {
			return f, fmt.Errorf("journey facts: refusal day: %w", err)
		}
		f.HousingRefusals = append(f.HousingRefusals, d)
	}
	for _, s := range row.Stages {
		f.EvaluationStages = append(f.EvaluationStages, model.EvaluationStage(s))
	}
	if row.ExitKey != nil {
		f.LastExit = &model.ExitFact{Key: *row.ExitKey, Kind: *row.ExitKind, On: *row.ExitedOn}
		for _, s := range row.FollowUps {
			f.FollowUps = append(f.FollowUps, model.FollowUpStage(s))
		}
	}
	if row.ReintExitKey != nil {
		f.LastReintegration = &model.ReintegrationFact{ExitKey: *row.ReintExitKey, On: *row.ReintOn, Until: *row.ReintUntil}
	}
	return f, nil
}

// refreshJourney re-derives the journey of a beneficiary from its facts
// (model.DeriveJourney, the one function deciding phase and alerts), writes the derived
// columns and alerts, and bumps the version. Every act calls it before committing.
func (tx *Tx) refreshJourney(ctx context.Context, key string, base model.Parameters) error {
	f, err := tx.journeyFacts(ctx, key)
	if err != nil {
		return err
	}
	params, _, err := tx.paramsFor(ctx, f.Department, base)
	if err != nil {
		return err
	}
	st := model.DeriveJourney(f, params)
	_, err = tx.ExecContext(ctx, `
		UPDATE beneficiaries SET phase = $2, journey_starts_on = $3, journey_ends_on = $4, welcome_due_on = $5,
		       welcome_held_on = $6, convocation_status = $7, version = version + 1, updated_at = $8
		WHERE id = $1`, key, string(st.Phase), st.StartsOn, st.EndsOn, st.WelcomeDueOn, f.WelcomeHeldOn,
		st.ConvocationStatus, tx.Now)
	if err != nil {
		return fmt.Errorf("refresh journey: %w", err)
	}
	kinds := make([]string, len(st.Alerts))
	froms := make([]string, len(st.Alerts))
	dues := make([]*string, len(st.Alerts))
	for i, a := range st.Alerts {
		kinds[i], froms[i] = string(a.Kind), a.From.String()
		if a.DueOn != nil {
			s := a.DueOn.String()
			dues[i] = &s
		}
	}
	before, err := tx.alertSchedules(ctx, key) // to publish the alerts raised and cleared (db/outbox.go)
	if err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `DELETE FROM beneficiary_alerts WHERE beneficiary_id = $1`, key); err != nil {
		return fmt.Errorf("refresh alerts: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO beneficiary_alerts (beneficiary_id, kind, active_from, due_on)
		SELECT $1, k, f::date, d::date FROM unnest($2::text[], $3::text[], $4::text[]) AS a(k, f, d)`,
		key, kinds, froms, dues)
	if err != nil {
		return fmt.Errorf("refresh alerts: %w", err)
	}
	if err := tx.writeJourneyFacts(ctx, key, base); err != nil {
		return err
	}
	return tx.alertsChanged(ctx, key, f.Department, before, st.Alerts)
}

// RefreshAllJourneys re-derives every journey (after a change of Params, or a bulk
// load such as the demo's).
func (tx *Tx) RefreshAllJourneys(ctx context.Context, params model.Parameters) error {
	var keys []string
	if err := tx.SelectContext(ctx, &keys, `SELECT id FROM beneficiaries ORDER BY id`); err != nil {
		return fmt.Errorf("refresh all: %w", err)
	}
	for _, k := range keys {
		if err := tx.refreshJourney(ctx, k, params); err != nil {
			return err
		}
	}
	return nil
}

// actFunc records one act on a locked beneficiary b, whose journey facts are f, under
// the delays params of its department; it returns the act's fields for the audit log.
type actFunc func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error)

// paramsFor returns the delays in force in department: base with the department's
// negotiated overrides, the version of its record (0 when none).
func (tx *Tx) paramsFor(ctx context.Context, department string, base model.Parameters) (model.Parameters, int, error) {
	var rows []struct {
		model.ParameterOverrides
		Version int `db:"version"`
	}
	err := tx.SelectContext(ctx, &rows, `SELECT version, welcome_delay_months, contract_delay_months, max_journey_months,
		near_limit_warning_months, entry_evaluation_delay_days, mid_course_evaluation_months, reintegration_max_months
		FROM programme_parameters WHERE department = $1`, department)
	if err != nil {
		return base, 0, fmt.Errorf("programme parameters: %w", err)
	}
	if len(rows) == 0 {
		return base, 0, nil
	}
	return base.With(rows[0].ParameterOverrides), rows[0].Version, nil
}

// act runs one business act on beneficiary key as p, in one transaction: lock in scope,
// facts, fn, re-derivation, audit (before/after of the derived state and the act's
// fields). It returns the beneficiary after the act.
func (s *Store) act(ctx context.Context, p *model.Principal, key, name string, fn actFunc) (*model.Beneficiary, error) {
	var after model.Beneficiary
	err := s.WithTx(ctx, func(tx *Tx) error {
		before, err := tx.getBeneficiary(ctx, p, key, true)
		if err != nil {
			return err
		}
		f, err := tx.journeyFacts(ctx, key)
		if err != nil {
			return err
		}
		params, _, err := tx.paramsFor(ctx, before.Department, s.Params)
		if err != nil {
			return err
		}
		fields, err := fn(tx, before, f, tx.today(), params)
		if err != nil {
			return err
		}
		if err := tx.refreshJourney(ctx, key, s.Params); err != nil {
			return err
		}
		if after, err = tx.getBeneficiary(ctx, p, key, false); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: name, EntityType: "Beneficiary", EntityID: key,
			Departments: []string{before.Department}, Changes: journeyChanges(before, after, fields)})
	})
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", name, err)
	}
	return &after, nil
}

// journeyChanges is the audit record of an act: the derived state before and after, and
// the act's own fields.
func journeyChanges(before, after model.Beneficiary, fields any) map[string]any {
	return map[string]any{
		"phase":   map[string]any{"before": before.Phase, "after": after.Phase},
		"version": map[string]any{"before": before.Version, "after": after.Version},
		"act":     fields,
	}
}

// ---- Referral ----

// ReferralInput is a referral as the Store records it (keys already decoded).
type ReferralInput struct {
	model.ReferBeneficiaryInput
	SocialOperatorKey     string // "" for the default
	EmploymentOperatorKey string // "" for the default
}

// ExceptionalAdmission is the state representative's instruction and OFII's agreement.
type ExceptionalAdmission struct {
	StateInstructionOn        model.Date
	StateInstructionReference string
	OfiiAgreementOn           model.Date
}

// ReferBeneficiary records an OFII referral. The person must be eligible (model.Eligibility,
// decided on the covered departments in the database) unless exc is given: then the
// caller must be the state representative of the department and the person must not be
// eligible (else the ordinary referral applies).
func (s *Store) ReferBeneficiary(ctx context.Context, p *model.Principal, in ReferralInput, exc *ExceptionalAdmission) (*model.Beneficiary, error) {
	var out model.Beneficiary
	err := s.WithTx(ctx, func(tx *Tx) error {
		today := tx.today()
		referredOn := model.DateOr(in.ReferredOn, today)
		if referredOn.After(today) {
			return model.Errorf(model.CodeInvalidInput, model.Path("input", "referredOn"), "la date d'orientation ne peut pas être dans le futur")
		}
		if in.BirthDate.After(referredOn) {
			return model.Errorf(model.CodeInvalidInput, model.Path("input", "birthDate"), "la date de naissance est postérieure à l'orientation")
		}
		var covered bool
		if err := tx.GetContext(ctx, &covered, `SELECT EXISTS (SELECT 1 FROM covered_departments WHERE code = $1 AND covered_since <= $2)`,
			in.Department, referredOn); err != nil {
			return fmt.Errorf("covered department: %w", err)
		}
		checks := model.Eligibility(model.EligibilityInput{ProtectionType: in.ProtectionType, ProtectionGrantedOn: in.ProtectionGrantedOn,
			CirSignedOn: in.CirSignedOn, DepartmentCovered: covered, ReferredOn: referredOn})
		ineligible := model.EligibilityError(checks, "input")
		admission := model.AdmissionKindEligible
		var instructionOn, agreementOn *model.Date
		var instructionRef, approvedBy *string
		if exc == nil {
			if ineligible != nil {
				return ineligible
			}
		} else {
			if p.Role != model.RoleStateRepresentative {
				return model.ErrForbidden()
			}
			if ineligible == nil {
				return model.Errorf(model.CodeRuleViolation, model.Path("input", "referral"),
					"la personne remplit les conditions d'accès : l'orientation ordinaire s'applique, pas l'admission exceptionnelle")
			}
			for field, d := range map[string]model.Date{"stateInstructionOn": exc.StateInstructionOn, "ofiiAgreementOn": exc.OfiiAgreementOn} {
				if d.After(today) {
					return model.Errorf(model.CodeInvalidInput, model.Path("input", field), "la date ne peut pas être dans le futur")
				}
			}
			admission = model.AdmissionKindExceptional
			instructionOn, agreementOn = &exc.StateInstructionOn, &exc.OfiiAgreementOn
			ref := strings.TrimSpace(exc.StateInstructionReference)
			instructionRef, approvedBy = &ref, &p.Subject
			if p.Email != "" {
				approvedBy = &p.Email
			}
		}
		social, err := tx.operatorFor(ctx, p, model.StructureRoleSocialOperator, in.Department, in.SocialOperatorKey, "socialOperatorId")
		if err != nil {
			return err
		}
		employment, err := tx.operatorFor(ctx, p, model.StructureRoleEmploymentOperator, in.Department, in.EmploymentOperatorKey, "employmentOperatorId")
		if err != nil {
			return err
		}
		eligibility, _ := json.Marshal(checks)
		var key string
		err = tx.GetContext(ctx, &key, `
			INSERT INTO beneficiaries (created_at, updated_at, first_name, last_name, birth_date, sex, nationality, languages,
			       phone, email, address, protection_type, protection_granted_on, cir_signed_on, department,
			       social_operator_id, employment_operator_id, referred_on, ofii_reference, admission, eligibility,
			       state_instruction_on, state_instruction_ref, ofii_agreement_on, admission_approved_by)
			VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
			RETURNING id`,
			tx.Now, strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName), in.BirthDate, string(in.Sex),
			strings.TrimSpace(in.Nationality), model.NonNilStrings(in.Languages), in.Phone, in.Email, in.Address,
			string(in.ProtectionType), in.ProtectionGrantedOn, in.CirSignedOn, in.Department, social, employment,
			referredOn, strings.TrimSpace(in.OfiiReference), string(admission), string(eligibility),
			instructionOn, instructionRef, agreementOn, approvedBy)
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		if err := tx.refreshJourney(ctx, key, s.Params); err != nil {
			return err
		}
		if out, err = tx.getBeneficiary(ctx, p, key, false); err != nil {
			if model.ErrorCodeOf(err) == model.CodeNotFound {
				return model.Errorf(model.CodeForbidden, model.Path("input", "department"),
					"ce bénéficiaire serait hors de votre périmètre : vérifiez le département et les opérateurs")
			}
			return err
		}
		action := "referBeneficiary"
		if exc != nil {
			action = "admitExceptionally"
		}
		return tx.audit(ctx, p, AuditEntry{Action: action, EntityType: "Beneficiary", EntityID: key, Departments: []string{in.Department},
			Changes: map[string]any{"after": map[string]any{"ofiiReference": out.OfiiReference, "admission": admission,
				"department": out.Department, "protectionType": out.ProtectionType, "phase": out.Phase}}})
	})
	if err != nil {
		return nil, fmt.Errorf("db: refer beneficiary: %w", err)
	}
	return &out, nil
}

// operatorFor returns the structure of role following a beneficiary of department: the
// one given (which must have that role and cover the department), else the caller's own
// structure when it has that role, else the first one covering the department.
func (tx *Tx) operatorFor(ctx context.Context, p *model.Principal, role model.StructureRole, department, given, field string) (string, error) {
	if given == "" && p.StructureID != "" {
		var own bool
		if err := tx.GetContext(ctx, &own, `SELECT EXISTS (SELECT 1 FROM structures WHERE id = $1 AND agir_role = $2 AND $3 = ANY(departments))`,
			p.StructureID, string(role), department); err != nil {
			return "", fmt.Errorf("operator: %w", err)
		}
		if own {
			return p.StructureID, nil
		}
	}
	var ids []string
	if given != "" {
		if len(validUUIDs([]string{given})) == 0 {
			return "", model.Errorf(model.CodeNotFound, model.Path("input", field), "structure introuvable")
		}
		if err := tx.SelectContext(ctx, &ids, `SELECT id FROM structures WHERE id = $1 AND agir_role = $2 AND $3 = ANY(departments)`,
			given, string(role), department); err != nil {
			return "", fmt.Errorf("operator: %w", err)
		}
	} else if err := tx.SelectContext(ctx, &ids, `SELECT id FROM structures WHERE agir_role = $1 AND $2 = ANY(departments)
			ORDER BY created_at, id LIMIT 1`, string(role), department); err != nil {
		return "", fmt.Errorf("operator: %w", err)
	}
	if len(ids) == 0 {
		what := "opérateur social"
		if role == model.StructureRoleEmploymentOperator {
			what = "opérateur emploi"
		}
		return "", model.Errorf(model.CodeInvalidInput, model.Path("input", field), "aucun %s ne couvre le département %s", what, department)
	}
	return ids[0], nil
}

// AddHouseholdMember records a joining family member of an eligible BPI.
func (s *Store) AddHouseholdMember(ctx context.Context, p *model.Principal, key string, in model.AddHouseholdMemberInput) (*model.Beneficiary, *model.HouseholdMember, error) {
	var m model.HouseholdMember
	b, err := s.act(ctx, p, key, "addHouseholdMember", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActHousehold, f, today, params); err != nil {
			return nil, err
		}
		joined := model.DateOr(in.JoinedOn, today)
		if err := model.CheckHouseholdMember(b.Admission, in.Relationship, in.BirthDate, joined, today); err != nil {
			return nil, err
		}
		hasProtection := in.HasProtection != nil && *in.HasProtection
		err := tx.GetContext(ctx, &m, `
			INSERT INTO household_members (beneficiary_id, relationship, first_name, last_name, birth_date, sex, nationality,
			       has_protection, joined_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING id, beneficiary_id, relationship, first_name, last_name, birth_date, sex, nationality, has_protection, joined_on`,
			key, string(in.Relationship), strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName), in.BirthDate,
			string(in.Sex), strings.TrimSpace(in.Nationality), hasProtection, joined, tx.Now)
		if err != nil {
			return nil, err
		}
		m.Department = b.Department
		return map[string]any{"householdMember": m.Key, "relationship": m.Relationship}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &m, nil
}

// ConvokeBeneficiary records a convocation handed over and plans its welcome interview.
func (s *Store) ConvokeBeneficiary(ctx context.Context, p *model.Principal, key string, in model.ConvokeBeneficiaryInput) (*model.Beneficiary, error) {
	return s.act(ctx, p, key, "convokeBeneficiary", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		if err := model.CheckAct(model.ActConvoke, f, today, params); err != nil {
			return nil, err
		}
		handed := model.DateOr(in.HandedOverOn, today)
		if err := model.CheckDay(handed, b.ReferredOn, today, "handedOverOn"); err != nil {
			return nil, err
		}
		if model.DateOf(in.AppointmentAt).Before(handed) {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "appointmentAt"), "le rendez-vous ne peut précéder la remise de la convocation")
		}
		medium := model.InterviewMediumInPerson
		if in.Medium != nil {
			medium = *in.Medium
		}
		// A new convocation replaces the appointment of the previous one, if still planned.
		if _, err := tx.ExecContext(ctx, `UPDATE interviews SET status = 'CANCELLED', version = version + 1, updated_at = $2
			WHERE beneficiary_id = $1 AND kind = 'WELCOME' AND status = 'PLANNED'`, key, tx.Now); err != nil {
			return nil, err
		}
		var convocation string
		err := tx.GetContext(ctx, &convocation, `
			INSERT INTO convocations (beneficiary_id, appointment_at, address, handed_over_on, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, key, in.AppointmentAt, strings.TrimSpace(in.Address), handed, tx.Now)
		if err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO interviews (beneficiary_id, convocation_id, kind, medium, planned_at, status, author_subject,
			       author_structure_id, created_at, updated_at)
			VALUES ($1, $2, 'WELCOME', $3, $4, 'PLANNED', $5, $6, $7, $7)`,
			key, convocation, string(medium), in.AppointmentAt, p.Subject, nullable(p.StructureID), tx.Now)
		if err != nil {
			return nil, err
		}
		return map[string]any{"appointmentAt": in.AppointmentAt, "handedOverOn": handed}, nil
	})
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// InterviewInput is an interview to record: new (BeneficiaryKey) or existing (InterviewKey).
type InterviewInput struct {
	model.RecordInterviewInput
	BeneficiaryKey string
	InterviewKey   string
}

const interviewColumns = `i.id, i.version, i.beneficiary_id, i.convocation_id, i.kind, i.medium, i.planned_at, i.status, i.held_on,
	(i.kind = 'WELCOME' AND i.held_on IS NOT NULL AND i.held_on > b.welcome_due_on) AS late, i.shared_note,
	CASE WHEN i.author_structure_id = %s::uuid THEN i.private_note END AS private_note, i.author_structure_id`

// interviewSelect returns the SELECT of interviews for p: private notes only for the
// author's structure (DESIGN §6), beneficiaries in scope.
func interviewSelect(p *model.Principal, args *[]any) (cols, scope string) {
	*args = append(*args, nullable(p.StructureID))
	cols = fmt.Sprintf(interviewColumns, fmt.Sprintf("$%d", len(*args)))
	return cols, beneficiaryScope(p, "b", args)
}

// RecordInterview records a new interview or the status of an existing one. A welcome
// interview held requires the convocation and makes the beneficiary WELCOMED.
func (s *Store) RecordInterview(ctx context.Context, p *model.Principal, in InterviewInput) (*model.Beneficiary, *model.Interview, error) {
	var interview model.Interview
	key := in.BeneficiaryKey
	if in.InterviewKey != "" {
		// Find the interview's beneficiary in scope first; the act then locks it.
		err := s.readTx(ctx, func(tx *Tx) error {
			args := []any{in.InterviewKey}
			var keys []string
			err := tx.SelectContext(ctx, &keys, `SELECT i.beneficiary_id FROM interviews i JOIN beneficiaries b ON b.id = i.beneficiary_id
				WHERE i.id = $1 AND `+beneficiaryScope(p, "b", &args), args...)
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				return model.Errorf(model.CodeNotFound, model.Path("input", "interviewId"), "entretien introuvable")
			}
			key = keys[0]
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("db: record interview: %w", err)
		}
	}
	b, err := s.act(ctx, p, key, "recordInterview", func(tx *Tx, b model.Beneficiary, f model.JourneyFacts, today model.Date, params model.Parameters) (any, error) {
		var before *model.Interview
		kind, medium, plannedAt := in.Kind, in.Medium, in.PlannedAt
		if in.InterviewKey != "" {
			var cur model.Interview
			args := []any{in.InterviewKey}
			cols, scope := interviewSelect(p, &args)
			err := tx.GetContext(ctx, &cur, `SELECT `+cols+` FROM interviews i JOIN beneficiaries b ON b.id = i.beneficiary_id
				WHERE i.id = $1 AND `+scope+` FOR UPDATE OF i`, args...)
			if err != nil {
				return nil, err
			}
			if in.Version == nil || *in.Version != cur.Version {
				return nil, model.Errorf(model.CodeVersionConflict, model.Path("input", "version"),
					"l'entretien a été modifié depuis votre lecture : rechargez-le")
			}
			if in.PrivateNote != nil && (cur.AuthorStructureKey == nil || *cur.AuthorStructureKey != p.StructureID) {
				return nil, model.Errorf(model.CodeForbidden, model.Path("input", "privateNote"),
					"seule la structure qui a rédigé l'entretien peut en modifier la note privée")
			}
			if cur.Status != model.InterviewStatusPlanned && cur.Status != in.Status {
				return nil, model.Errorf(model.CodeOutOfOrder, model.Path("input", "status"), "seul un entretien planifié change de statut")
			}
			before = &cur
			k, m, pa := cur.Kind, cur.Medium, cur.PlannedAt
			kind, medium, plannedAt = &k, &m, &pa
		}
		if kind == nil || medium == nil || plannedAt == nil {
			return nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "kind"), "le type, la modalité et la date prévue sont requis pour un nouvel entretien")
		}
		if *kind == model.InterviewKindWelcome && p.Role == model.RoleInsertionCounsellor {
			return nil, model.Errorf(model.CodeForbidden, model.Path("input", "kind"), "l'entretien d'accueil relève de l'opérateur social")
		}
		act := model.ActInterview
		switch {
		case *kind == model.InterviewKindWelcome && in.Status == model.InterviewStatusHeld &&
			(before == nil || before.Status != model.InterviewStatusHeld):
			act = model.ActWelcomeHeld
		case *kind == model.InterviewKindFollowUp:
			act = model.ActFollowUp // the follow-up after exit
		}
		if err := model.CheckAct(act, f, today, params); err != nil {
			return nil, err
		}
		var heldOn *model.Date
		if in.Status == model.InterviewStatusHeld || in.Status == model.InterviewStatusNoShow {
			d := model.DateOf(*plannedAt)
			if err := model.CheckDay(d, b.ReferredOn, today, "plannedAt"); err != nil {
				return nil, model.Errorf(err.Code, model.Path("input", "status"), "un entretien ne peut être réalisé ou manqué avant sa date prévue ni avant l'orientation")
			}
			if in.Status == model.InterviewStatusHeld {
				heldOn = &d
			}
		}
		var convocation *string
		if *kind == model.InterviewKindWelcome && before == nil {
			// A new welcome interview answers the latest convocation.
			var ids []string
			if err := tx.SelectContext(ctx, &ids, `SELECT id FROM convocations WHERE beneficiary_id = $1 ORDER BY seq DESC LIMIT 1`, key); err != nil {
				return nil, err
			}
			if len(ids) == 0 {
				return nil, model.Errorf(model.CodeOutOfOrder, model.Path("input", "kind"), "aucune convocation n'a été remise pour l'entretien d'accueil")
			}
			convocation = &ids[0]
		}
		var id string
		if before == nil {
			err := tx.GetContext(ctx, &id, `
				INSERT INTO interviews (beneficiary_id, convocation_id, kind, medium, planned_at, status, held_on, shared_note,
				       private_note, author_subject, author_structure_id, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
				key, convocation, string(*kind), string(*medium), *plannedAt, string(in.Status), heldOn, in.SharedNote,
				in.PrivateNote, p.Subject, nullable(p.StructureID), tx.Now)
			if err != nil {
				return nil, err
			}
		} else {
			id = before.Key
			_, err := tx.ExecContext(ctx, `
				UPDATE interviews SET status = $2, held_on = $3, shared_note = COALESCE($4, shared_note),
				       private_note = COALESCE($5, private_note), version = version + 1, updated_at = $6
				WHERE id = $1`, id, string(in.Status), heldOn, in.SharedNote, in.PrivateNote, tx.Now)
			if err != nil {
				return nil, err
			}
		}
		args := []any{id}
		cols, scope := interviewSelect(p, &args)
		if err := tx.GetContext(ctx, &interview, `SELECT `+cols+` FROM interviews i JOIN beneficiaries b ON b.id = i.beneficiary_id
			WHERE i.id = $1 AND `+scope, args...); err != nil {
			return nil, err
		}
		changes := map[string]any{"interview": id, "kind": *kind, "status": map[string]any{"after": in.Status}}
		if before != nil {
			changes["status"] = map[string]any{"before": before.Status, "after": in.Status}
		}
		return changes, nil
	})
	if err != nil {
		return nil, nil, err
	}
	// the late flag depends on the welcome due day derived after the act
	if interview.Kind == model.InterviewKindWelcome && interview.HeldOn != nil && b.WelcomeInterviewDueOn != nil {
		interview.Late = interview.HeldOn.After(*b.WelcomeInterviewDueOn)
	}
	return b, &interview, nil
}
