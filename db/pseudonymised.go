package db

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Pseudonymised records for analysts (DESIGN §1 and §6): one row per journey with no
// name, contact, exact date or free text. The pseudonym is the HMAC-SHA256 of the
// beneficiary's id with the server's key (Store.PseudonymKey), computed in the statement:
// stable across requests, unlinkable to the id without the key. Pages are ordered and
// cursored by pseudonym, so the id never leaves the server.

// PseudonymisedJourneyFilter restricts PseudonymisedJourneys.
type PseudonymisedJourneyFilter struct {
	Scope                IndicatorScope
	CohortFrom, CohortTo *string // YYYY-MM, included
}

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// CheckMonth checks a YYYY-MM month of a filter.
func CheckMonth(m *string, path ...string) error {
	if m != nil && !monthPattern.MatchString(*m) {
		return model.Errorf(model.CodeInvalidInput, model.Path(path...), "mois attendu au format AAAA-MM")
	}
	return nil
}

type pseudonymisedRow struct {
	model.PseudonymisedJourney
	PseudonymCol string      `db:"pseudonym"`
	Outcomes     stringArray `db:"outcome_kinds"`
	Evals        stringArray `db:"evaluations"`
	Follow       stringArray `db:"follow_ups"`
}

func (r pseudonymisedRow) model() model.PseudonymisedJourney {
	j := r.PseudonymisedJourney
	j.Pseudonym = r.PseudonymCol
	j.OutcomeKinds = make([]model.OutcomeKind, len(r.Outcomes))
	for i, k := range r.Outcomes {
		j.OutcomeKinds[i] = model.OutcomeKind(k)
	}
	j.Evaluations = make([]model.EvaluationStage, len(r.Evals))
	for i, k := range r.Evals {
		j.Evaluations[i] = model.EvaluationStage(k)
	}
	j.FollowUps = make([]model.FollowUpStage, len(r.Follow))
	for i, k := range r.Follow {
		j.FollowUps[i] = model.FollowUpStage(k)
	}
	return j
}

// PseudonymisedJourneys returns a page of the journeys of f.Scope (resolved for an
// analyst by ResolveIndicatorScope), on the replica.
func (s *Store) PseudonymisedJourneys(ctx context.Context, p *model.Principal, f PseudonymisedJourneyFilter, page model.Page, wantTotal bool) (model.Connection[model.PseudonymisedJourney], error) {
	var conn model.Connection[model.PseudonymisedJourney]
	if p == nil || p.Role != model.RoleAnalyst {
		return conn, model.Errorf(model.CodeForbidden, nil, "accès refusé")
	}
	if len(s.PseudonymKey) == 0 {
		return conn, errors.New("db: pseudonymised journeys: no pseudonym key configured")
	}
	a := &sqlArgs{}
	key := a.arg(hex.EncodeToString(s.PseudonymKey))
	counts := countsAsEmploymentOrTrainingSQL("x", &a.args)
	durable := durableEmploymentSQL("x", a)
	scope := f.Scope.deptCond(a, "b.department")
	from := fmt.Sprintf(`(SELECT left(encode(hmac(convert_to(b.id::text, 'UTF8'), decode(%s, 'hex'), 'sha256'), 'hex'), 32) AS pseudonym,
		b.department, b.protection_type, b.sex, %s AS age_band, %s AS household,
		to_char(b.referred_on, 'YYYY-MM') AS cohort_month, b.phase, to_char(b.welcome_held_on, 'YYYY-MM') AS entry_month,
		to_char(e.exited_on, 'YYYY-MM') AS exit_month, e.kind AS exit_kind, e.reason AS exit_reason, e.housing_situation AS housing_at_exit,
		ARRAY(SELECT DISTINCT x.kind FROM outcomes x WHERE x.beneficiary_id = b.id ORDER BY 1) AS outcome_kinds,
		CASE WHEN e.id IS NOT NULL THEN EXISTS (SELECT 1 FROM outcomes x WHERE x.beneficiary_id = b.id AND %s
			AND x.starts_on <= e.exited_on AND (x.ends_on IS NULL OR x.ends_on >= e.exited_on)) END AS employment_or_training_at_exit,
		CASE WHEN e.id IS NOT NULL THEN EXISTS (SELECT 1 FROM outcomes x WHERE x.beneficiary_id = b.id AND %s
			AND x.starts_on <= e.exited_on AND (x.ends_on IS NULL OR x.ends_on >= e.exited_on)) END AS durable_employment_at_exit,
		ARRAY(SELECT DISTINCT v.stage FROM evaluations v WHERE v.beneficiary_id = b.id ORDER BY 1) AS evaluations,
		ARRAY(SELECT fu.stage FROM follow_ups fu WHERE fu.exit_id = e.id ORDER BY 1) AS follow_ups
	FROM beneficiaries b
	LEFT JOIN LATERAL (SELECT le.id, le.kind, le.exited_on, le.reason, le.housing_situation FROM journey_exits le
		WHERE le.beneficiary_id = b.id ORDER BY le.exited_on DESC, le.created_at DESC LIMIT 1) last ON true
	LEFT JOIN LATERAL (SELECT last.id, last.kind, last.exited_on, last.reason, last.housing_situation
		WHERE last.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reintegrations ri WHERE ri.exit_id = last.id)) e ON true
	WHERE %s) j`, key, ageBandSQL("b"), householdSQL("b"), counts, durable, scope)
	q := pageQuery{
		Select: `j.pseudonym, j.department, j.protection_type, j.sex, j.age_band, j.household, j.cohort_month, j.phase,
			j.entry_month, j.exit_month, j.exit_kind, j.exit_reason, j.housing_at_exit, j.outcome_kinds,
			j.employment_or_training_at_exit, j.durable_employment_at_exit, j.evaluations, j.follow_ups`,
		From:  from,
		Args:  a.args,
		Order: keyset{Expr: "j.pseudonym", Type: "text", ID: "j.pseudonym", IDType: "text"},
	}
	if f.CohortFrom != nil {
		q.Args = append(q.Args, *f.CohortFrom)
		q.Where = append(q.Where, fmt.Sprintf("j.cohort_month >= $%d", len(q.Args)))
	}
	if f.CohortTo != nil {
		q.Args = append(q.Args, *f.CohortTo)
		q.Where = append(q.Where, fmt.Sprintf("j.cohort_month <= $%d", len(q.Args)))
	}
	err := s.replicaTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal,
			func(r pseudonymisedRow) (string, string) { return r.PseudonymCol, r.PseudonymCol }, pseudonymisedRow.model)
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: pseudonymised journeys: %w", err)
	}
	return conn, nil
}
