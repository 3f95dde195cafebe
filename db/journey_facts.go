package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/pressly/goose/v3"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Journey facts (issue 19): one narrow row per journey (table journey_facts) that the
// network overview, the indicators, the caseloads and the list's alert filter read
// instead of recomputing every journey from the acts at each request.
//
// The row is written by the acts, in their own transaction: refreshJourney (every social
// act, after model.DeriveJourney has decided the phase, the period and the alerts, which
// it stores in beneficiaries and beneficiary_alerts) and professionalAct (outcomes and
// French levels, which the outcome indicators read) both call writeJourneyFacts, one
// statement that reads the derived state and the acts of that one journey. The bulk fill
// (migration 00101, the seed, `server maintenance rederive`) runs the same statement for
// every journey. No trigger: the rule stays where the acts are.
//
// Time: nothing in the row depends on the day. Alerts are stored by kind with the day
// each starts (since) and its due day, and compared with today when read (activeAlertSQL's
// rule, model.ActiveAlerts): an alert that falls due tomorrow without any act shows
// tomorrow, with no daily job. The indicators' maturity conditions compare the stored
// due days with today in the same way.

// factAlertKinds are the journey alerts (model.DeriveJourney) the row keeps, each in two
// columns <kind>_since and <kind>_due.
var factAlertKinds = []model.AlertKind{
	model.AlertKindWelcomeInterviewOverdue, model.AlertKindContractNotSigned, model.AlertKindEvaluationDue,
	model.AlertKindJourneyLimitNear, model.AlertKindJourneyLimitReached, model.AlertKindHousingRefusals,
	model.AlertKindFollowUpDue,
}

// alertSinceColumn and alertDueColumn name the columns of a journey alert in journey_facts.
func alertSinceColumn(k model.AlertKind) string { return strings.ToLower(string(k)) + "_since" }
func alertDueColumn(k model.AlertKind) string   { return strings.ToLower(string(k)) + "_due" }

// factColumn is one column of journey_facts and the SQL computing it from the acts.
type factColumn struct{ name, expr string }

// journeyFactsSelect is the statement computing the facts rows of the journeys matching
// where (a condition on beneficiaries b), from the acts and the state DeriveJourney
// stored; p gives the programme's delays where the department negotiated none. It
// returns the column names in the order of the SELECT.
func journeyFactsSelect(p model.Parameters, a *sqlArgs, where string) (string, []string) {
	counts := countsAsEmploymentOrTrainingSQL("x", &a.args)
	durable := durableEmploymentSQL("x", a)
	sustained := sustainedSQL("fu", a)
	employed := employedSQL("fu", a)
	cols := []factColumn{
		{"beneficiary_id", "b.id"},
		{"department", "b.department"},
		{"social_operator_id", "b.social_operator_id"},
		{"social_worker_id", `(SELECT ra.staff_member_id FROM referent_assignments ra
			WHERE ra.beneficiary_id = b.id AND ra.kind = 'SOCIAL_WORKER' AND ra.ended_at IS NULL)`},
		{"phase", "b.phase"},
		{"referred_on", "b.referred_on"},
		{"cir_on", "COALESCE(b.cir_signed_on, b.referred_on)"},
		{"entry_on", "b.welcome_held_on"},
		{"welcome_due_on", fmt.Sprintf("COALESCE(b.welcome_due_on, (COALESCE(b.cir_signed_on, b.referred_on) + make_interval(months => COALESCE(pp.welcome_delay_months, %d)))::date)", p.WelcomeDelayMonths)},
		{"journey_ends_on", "b.journey_ends_on"},
		{"contract_on", "ec.signed_on"},
		{"end_on", "e.exited_on"},
		{"end_kind", "e.kind"},
		{"end_reason", "e.reason"},
		{"end_housing", "e.housing_situation"},
		{"emp_at_end", fmt.Sprintf(`(e.id IS NOT NULL AND EXISTS (SELECT 1 FROM outcomes x WHERE x.beneficiary_id = b.id AND %s
			AND x.starts_on <= e.exited_on AND (x.ends_on IS NULL OR x.ends_on >= e.exited_on)))`, counts)},
		{"durable_at_end", fmt.Sprintf(`(e.id IS NOT NULL AND EXISTS (SELECT 1 FROM outcomes x WHERE x.beneficiary_id = b.id AND %s
			AND x.starts_on <= e.exited_on AND (x.ends_on IS NULL OR x.ends_on >= e.exited_on)))`, durable)},
		{"training_by_end", `(e.id IS NOT NULL AND EXISTS (SELECT 1 FROM outcomes x WHERE x.beneficiary_id = b.id AND x.kind = 'QUALIFYING_TRAINING'
			AND x.starts_on <= e.exited_on))`},
		{"rights_by_end", `(e.id IS NOT NULL AND EXISTS (SELECT 1 FROM rights_steps r WHERE r.beneficiary_id = b.id AND r.status = 'DONE'
			AND r.completed_on <= e.exited_on))`},
		{"eval_entry", "COALESCE(ev.entry, false)"},
		{"eval_mid", "COALESCE(ev.mid, false)"},
		{"eval_exit", "COALESCE(ev.exit, false)"},
		{"entry_eval_due", fmt.Sprintf("b.welcome_held_on + COALESCE(pp.entry_evaluation_delay_days, %d)", p.EntryEvaluationDelayDays)},
		{"mid_due", fmt.Sprintf("(b.welcome_held_on + make_interval(months => COALESCE(pp.mid_course_evaluation_months, %d)))::date", p.MidCourseEvaluationMonths)},
		{"fu3_due", fmt.Sprintf("(e.exited_on + make_interval(months => %d))::date", p.FollowUpMonths[model.FollowUpStageThreeMonths])},
		{"fu6_due", fmt.Sprintf("(e.exited_on + make_interval(months => %d))::date", p.FollowUpMonths[model.FollowUpStageSixMonths])},
		{"fu3", "COALESCE(fu.fu3, false)"},
		{"fu3_ok", "COALESCE(fu.fu3_ok, false)"},
		{"fu6", "COALESCE(fu.fu6, false)"},
		{"fu6_ok", "COALESCE(fu.fu6_ok, false)"},
		{"fu3_emp", "COALESCE(fu.fu3_emp, false)"},
		{"fu6_emp", "COALESCE(fu.fu6_emp, false)"},
		{"ret6_due", "(b.welcome_held_on + make_interval(months => 6))::date"},
		{"ret12_due", "(b.welcome_held_on + make_interval(months => 12))::date"},
		{"first_rank", "fr.first_rank"},
		{"last_rank", "fr.last_rank"},
		{"assessments", "COALESCE(fr.assessments, 0)"},
		{"alerts_from", "al.alerts_from"},
	}
	var alertAggs []string
	for _, k := range factAlertKinds {
		cols = append(cols, factColumn{alertSinceColumn(k), "al." + alertSinceColumn(k)}, factColumn{alertDueColumn(k), "al." + alertDueColumn(k)})
		alertAggs = append(alertAggs,
			fmt.Sprintf("min(a.active_from) FILTER (WHERE a.kind = '%s') AS %s", k, alertSinceColumn(k)),
			fmt.Sprintf("min(a.due_on) FILTER (WHERE a.kind = '%s') AS %s", k, alertDueColumn(k)))
	}
	names := make([]string, len(cols))
	exprs := make([]string, len(cols))
	for i, c := range cols {
		names[i], exprs[i] = c.name, c.expr+" AS "+c.name
	}
	q := fmt.Sprintf(`SELECT %s
	FROM beneficiaries b
	LEFT JOIN programme_parameters pp ON pp.department = b.department
	LEFT JOIN engagement_contracts ec ON ec.beneficiary_id = b.id
	LEFT JOIN LATERAL (SELECT le.id, le.kind, le.exited_on, le.reason, le.housing_situation FROM journey_exits le
		WHERE le.beneficiary_id = b.id ORDER BY le.exited_on DESC, le.created_at DESC LIMIT 1) last ON true
	LEFT JOIN LATERAL (SELECT last.id, last.kind, last.exited_on, last.reason, last.housing_situation
		WHERE last.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reintegrations ri WHERE ri.exit_id = last.id)) e ON true
	LEFT JOIN LATERAL (SELECT bool_or(v.stage = 'ENTRY') AS entry, bool_or(v.stage = 'MID_COURSE') AS mid,
		bool_or(v.stage = 'EXIT') AS exit FROM evaluations v WHERE v.beneficiary_id = b.id) ev ON true
	LEFT JOIN LATERAL (SELECT bool_or(fu.stage = 'THREE_MONTHS') AS fu3, bool_or(fu.stage = 'THREE_MONTHS' AND %s) AS fu3_ok,
		bool_or(fu.stage = 'SIX_MONTHS') AS fu6, bool_or(fu.stage = 'SIX_MONTHS' AND %s) AS fu6_ok,
		bool_or(fu.stage = 'THREE_MONTHS' AND %s) AS fu3_emp, bool_or(fu.stage = 'SIX_MONTHS' AND %s) AS fu6_emp
		FROM follow_ups fu WHERE fu.exit_id = e.id) fu ON true
	LEFT JOIN LATERAL (SELECT (array_agg(%s ORDER BY fl.assessed_on, fl.created_at))[1] AS first_rank,
		(array_agg(%s ORDER BY fl.assessed_on DESC, fl.created_at DESC))[1] AS last_rank, count(*) AS assessments
		FROM french_levels fl WHERE fl.beneficiary_id = b.id AND e.id IS NOT NULL AND fl.assessed_on <= e.exited_on) fr ON true
	LEFT JOIN LATERAL (SELECT min(a.active_from) AS alerts_from, %s
		FROM beneficiary_alerts a WHERE a.beneficiary_id = b.id) al ON true
	WHERE %s`, strings.Join(exprs, ",\n\t\t"), sustained, sustained, employed, employed, cefrRank("fl.level"), cefrRank("fl.level"),
		strings.Join(alertAggs, ", "), where)
	return q, names
}

// upsertJourneyFactsSQL is the statement writing the facts of the journeys matching where
// into table.
func upsertJourneyFactsSQL(table string, p model.Parameters, a *sqlArgs, where string) string {
	sel, names := journeyFactsSelect(p, a, where)
	excluded := make([]string, 0, len(names)-1)
	for _, n := range names[1:] {
		excluded = append(excluded, "EXCLUDED."+n)
	}
	return fmt.Sprintf(`INSERT INTO %s (%s) %s
	ON CONFLICT (beneficiary_id) DO UPDATE SET (%s) = (%s)`, table, strings.Join(names, ", "), sel,
		strings.Join(names[1:], ", "), strings.Join(excluded, ", "))
}

// writeJourneyFacts writes the facts row of journey key, in the act's transaction, after
// the act's rows and the derived state (refreshJourney) are written.
func (tx *Tx) writeJourneyFacts(ctx context.Context, key string, p model.Parameters) error {
	a := &sqlArgs{}
	q := upsertJourneyFactsSQL("journey_facts", p, a, "b.id = "+a.arg(key)+"::uuid")
	if _, err := tx.ExecContext(ctx, q, a.args...); err != nil {
		return fmt.Errorf("journey facts: %w", err)
	}
	return nil
}

// execer is a transaction of either kind (the Store's, or goose's in a migration).
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// fillJourneyFacts writes the facts row of every journey into table (the bulk form of
// writeJourneyFacts: migration 00101, the seed, rederive).
func fillJourneyFacts(ctx context.Context, tx execer, table string, p model.Parameters) (int64, error) {
	a := &sqlArgs{}
	res, err := tx.ExecContext(ctx, upsertJourneyFactsSQL(table, p, a, "TRUE"), a.args...)
	if err != nil {
		return 0, fmt.Errorf("fill journey facts: %w", err)
	}
	return res.RowsAffected()
}

// FillJourneyFacts writes the facts row of every journey of the database at url (the seed
// command, after its bulk load).
func FillJourneyFacts(ctx context.Context, url string) (int64, error) {
	conn, err := sql.Open("pgx", url)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	n, err := fillJourneyFacts(ctx, conn, "journey_facts", model.DefaultParameters())
	if err != nil {
		return 0, fmt.Errorf("db: %w", err)
	}
	_, err = conn.ExecContext(ctx, `ANALYZE journey_facts`)
	return n, err
}

// journeyFactsMigration (00101) fills the facts of the journeys already recorded when
// the table is created (00100), with the statement the acts run: goose runs it as a Go
// migration, since the statement is written in Go.
func journeyFactsMigration() *goose.Migration {
	return goose.NewGoMigration(101,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := fillJourneyFacts(ctx, tx, "journey_facts", model.DefaultParameters())
			return err
		}},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM journey_facts`)
			return err
		}})
}

// RederiveReport is what `server maintenance rederive` found and repaired.
type RederiveReport struct {
	Journeys        int // journeys re-derived
	JourneysChanged int // whose stored phase, period or alerts differed from model.DeriveJourney's
	Facts           int // facts rows rebuilt
	FactsChanged    int // facts rows that differed from the rebuilt ones (missing or extra rows included)
}

// Rederive re-derives every journey from its acts (model.DeriveJourney, repairing the
// journeys whose stored state differs), then rebuilds journey_facts from scratch and
// counts the rows that differed. Zero differences are expected: the acts keep both.
func (s *Store) Rederive(ctx context.Context) (RederiveReport, error) { return s.rederive(ctx, true) }

// CheckJourneyFacts is Rederive without the repairs: it only counts the differences
// (the exactness tests).
func (s *Store) CheckJourneyFacts(ctx context.Context) (RederiveReport, error) {
	return s.rederive(ctx, false)
}

func (s *Store) rederive(ctx context.Context, repair bool) (RederiveReport, error) {
	var rep RederiveReport
	var keys []string
	if err := s.db.SelectContext(ctx, &keys, `SELECT id FROM beneficiaries ORDER BY id`); err != nil {
		return rep, fmt.Errorf("db: rederive: %w", err)
	}
	const batch = 500
	for i := 0; i < len(keys); i += batch {
		part := keys[i:min(i+batch, len(keys))]
		err := s.WithTx(ctx, func(tx *Tx) error {
			for _, k := range part {
				changed, err := tx.rederiveJourney(ctx, k, s.Params, repair)
				if err != nil {
					return err
				}
				if changed {
					rep.JourneysChanged++
				}
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("db: rederive: %w", err)
		}
		rep.Journeys += len(part)
	}
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE fresh_journey_facts (LIKE journey_facts INCLUDING ALL) ON COMMIT DROP`); err != nil {
			return err
		}
		n, err := fillJourneyFacts(ctx, tx, "fresh_journey_facts", s.Params)
		if err != nil {
			return err
		}
		rep.Facts = int(n)
		if err := tx.GetContext(ctx, &rep.FactsChanged, `SELECT count(*) FROM fresh_journey_facts f
			FULL JOIN journey_facts j ON j.beneficiary_id = f.beneficiary_id
			WHERE ROW(f.*) IS DISTINCT FROM ROW(j.*)`); err != nil {
			return fmt.Errorf("compare: %w", err)
		}
		if rep.FactsChanged == 0 || !repair {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM journey_facts`); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO journey_facts SELECT * FROM fresh_journey_facts`)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("db: rederive facts: %w", err)
	}
	return rep, nil
}

// rederiveJourney re-derives journey key with model.DeriveJourney and compares the result
// with the stored phase, period and alerts; when they differ it reports it and, with
// repair, writes the derivation (refreshJourney).
func (tx *Tx) rederiveJourney(ctx context.Context, key string, base model.Parameters, repair bool) (bool, error) {
	f, err := tx.journeyFacts(ctx, key)
	if err != nil {
		return false, err
	}
	params, _, err := tx.paramsFor(ctx, f.Department, base)
	if err != nil {
		return false, err
	}
	st := model.DeriveJourney(f, params)
	var stored struct {
		Phase    string      `db:"phase"`
		StartsOn *model.Date `db:"journey_starts_on"`
		EndsOn   *model.Date `db:"journey_ends_on"`
	}
	if err := tx.GetContext(ctx, &stored, `SELECT phase, journey_starts_on, journey_ends_on FROM beneficiaries WHERE id = $1`, key); err != nil {
		return false, err
	}
	alerts, err := tx.alertSchedules(ctx, key)
	if err != nil {
		return false, err
	}
	same := stored.Phase == string(st.Phase) && stored.StartsOn != nil && *stored.StartsOn == st.StartsOn &&
		stored.EndsOn != nil && *stored.EndsOn == st.EndsOn && sameSchedules(alerts, st.Alerts)
	if same || !repair {
		return !same, nil
	}
	return true, tx.refreshJourney(ctx, key, base)
}

// sameSchedules compares two sets of alert schedules, whatever their order.
func sameSchedules(a, b []model.AlertSchedule) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(s model.AlertSchedule) string {
		d := ""
		if s.DueOn != nil {
			d = s.DueOn.String()
		}
		return string(s.Kind) + "/" + s.From.String() + "/" + d
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[key(s)]++
	}
	for _, s := range b {
		if seen[key(s)] == 0 {
			return false
		}
		seen[key(s)]--
	}
	return true
}

// FillJourneyFacts writes the facts row of every journey, in tx (the demo's load, which
// writes acts as rows).
func (tx *Tx) FillJourneyFacts(ctx context.Context, p model.Parameters) error {
	_, err := fillJourneyFacts(ctx, tx, "journey_facts", p)
	return err
}

// factAlerts is the relation of the journey alerts of the facts rows jf (one row per
// alert: kind, active_from, due_on), as beneficiary_alerts stores them; to put in a
// CROSS JOIN LATERAL after journey_facts jf.
func factAlerts() string {
	values := make([]string, len(factAlertKinds))
	for i, k := range factAlertKinds {
		values[i] = fmt.Sprintf("('%s', jf.%s, jf.%s)", k, alertSinceColumn(k), alertDueColumn(k))
	}
	return "(SELECT * FROM (VALUES " + strings.Join(values, ", ") + ") AS v(kind, active_from, due_on) WHERE v.active_from IS NOT NULL)"
}

// factAlertActive is the condition "the facts row jf shows the journey alert kind on
// today" (model.ActiveAlerts: from its day on; JOURNEY_LIMIT_NEAR gives way to
// JOURNEY_LIMIT_REACHED past the limit); FALSE for a kind that is not a journey alert.
func factAlertActive(kind model.AlertKind, todayArg string) string {
	for _, k := range factAlertKinds {
		if k != kind {
			continue
		}
		cond := fmt.Sprintf("jf.%s <= %s::date", alertSinceColumn(k), todayArg)
		if k == model.AlertKindJourneyLimitNear {
			cond += fmt.Sprintf(" AND jf.%s >= %s::date", alertDueColumn(k), todayArg)
		}
		return "(" + cond + ")"
	}
	return "FALSE"
}
