package db

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Indicators (« suivi-évaluation »): each group of indicators is ONE aggregate statement
// over the journeys of the scope (FILTER clauses, GROUPING SETS for the breakdown and the
// total), run on the read replica. Periods are rows of a relation (per), so that a series
// of 24 months costs the same statements as one period. The definitions are in
// graph/model/indicators.go; the SQL here is written from them.

// IndicatorScope is the territory of a caller's indicators: National, or Departments.
type IndicatorScope struct {
	National    bool
	Departments []string
}

// ResolveIndicatorScope decides the departments the indicators of p cover, given the
// departments asked (nil for all): coordinators and state representatives their
// territory; analysts the departments of their token, or the whole country when it
// carries none (a national analyst); other roles nothing. Asking for a department
// outside the territory is FORBIDDEN.
func ResolveIndicatorScope(p *model.Principal, asked []string, path ...string) (IndicatorScope, error) {
	if p == nil {
		return IndicatorScope{}, model.Errorf(model.CodeForbidden, nil, "accès refusé")
	}
	var territory []string
	switch p.Role {
	case model.RoleCoordinator, model.RoleStateRepresentative:
		territory = model.NonNilStrings(p.Departments)
	case model.RoleAnalyst:
		if len(p.Departments) == 0 {
			if len(asked) == 0 {
				return IndicatorScope{National: true}, nil
			}
			return IndicatorScope{Departments: dedupe(asked)}, nil
		}
		territory = p.Departments
	default:
		return IndicatorScope{}, model.Errorf(model.CodeForbidden, nil, "accès refusé")
	}
	if len(asked) == 0 {
		return IndicatorScope{Departments: dedupe(territory)}, nil
	}
	for _, d := range asked {
		if !contains(territory, d) {
			return IndicatorScope{}, model.Errorf(model.CodeForbidden, model.Path(path...),
				"le département %s n'est pas dans votre territoire", d)
		}
	}
	return IndicatorScope{Departments: dedupe(asked)}, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func dedupe(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// sqlArgs collects the arguments of a statement.
type sqlArgs struct{ args []any }

func (a *sqlArgs) arg(v any) string {
	a.args = append(a.args, v)
	return fmt.Sprintf("$%d", len(a.args))
}

// deptCond is the scope as an SQL condition on the department column col.
func (sc IndicatorScope) deptCond(a *sqlArgs, col string) string {
	if sc.National {
		return "TRUE"
	}
	return fmt.Sprintf("%s = ANY(%s::text[])", col, a.arg(model.NonNilStrings(sc.Departments)))
}

// IndicatorPeriod is one period of the computation (one step of a series).
type IndicatorPeriod struct{ From, To model.Date }

// IndicatorFigures are the raw figures of the indicators: by period, by cell key ("" for
// the total), by indicator. Periods may share their first day (a month, its quarter and
// its year), so the whole period is the key.
type IndicatorFigures map[IndicatorPeriod]map[string]map[model.IndicatorName]model.Tally

// IndicatorLabels are the labels of the keys (departments, structures, referents) read
// with the figures.
type IndicatorLabels map[string]string

// IndicatorQuery is what to compute.
type IndicatorQuery struct {
	Names     []model.IndicatorName
	Periods   []IndicatorPeriod
	Breakdown *model.Breakdown
	Scope     IndicatorScope
	// FromActs recomputes the journeys' facts from the acts instead of reading the facts
	// the acts keep (journey_facts): the exactness tests compare both.
	FromActs bool
}

// indicatorGroup is one statement: the indicators it computes and how it is written.
type indicatorGroup struct {
	names []model.IndicatorName
	sql   func(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string
}

var indicatorGroups = []indicatorGroup{
	{names: []model.IndicatorName{model.IndicatorNameReferrals, model.IndicatorNameEntries, model.IndicatorNameActiveJourneys,
		model.IndicatorNameEmploymentOrTrainingAtExit, model.IndicatorNameDurableEmploymentAtExit, model.IndicatorNameQualifyingTraining,
		model.IndicatorNameHousingAtExit, model.IndicatorNameRightsOpened, model.IndicatorNameRetention,
		model.IndicatorNameWelcomeWithinDelay, model.IndicatorNameWelcomeDelayMedian, model.IndicatorNameContractDelayMedian,
		model.IndicatorNameJourneyDurationMedian, model.IndicatorNameJourneysOverLimit,
		model.IndicatorNameEntryEvaluations, model.IndicatorNameMidCourseEvaluations, model.IndicatorNameExitEvaluations,
		model.IndicatorNameFollowUps3Months, model.IndicatorNameFollowUps6Months, model.IndicatorNameDurability3Months,
		model.IndicatorNameDurability6Months, model.IndicatorNameRetention6Months, model.IndicatorNameRetention12Months,
		model.IndicatorNameFrenchLevelsGainedMedian, model.IndicatorNameFrenchA2AtExit, model.IndicatorNameFrenchB1AtExit,
		model.IndicatorNameEmploymentDurability3Months, model.IndicatorNameEmploymentDurability6Months}, sql: journeyIndicatorsSQL},
	{names: []model.IndicatorName{model.IndicatorNameConvocationNoShow}, sql: convocationIndicatorsSQL},
	{names: []model.IndicatorName{model.IndicatorNameExits, model.IndicatorNameExclusions, model.IndicatorNameReintegrations},
		sql: endIndicatorsSQL},
	{names: []model.IndicatorName{model.IndicatorNameOrientationAnswerDelayMedian, model.IndicatorNameOrientationsAnsweredInTime,
		model.IndicatorNameOrientationAcceptance}, sql: orientationIndicatorsSQL},
	{names: []model.IndicatorName{model.IndicatorNameNetworkEventsHeld}, sql: eventIndicatorsSQL},
	{names: []model.IndicatorName{model.IndicatorNameEventParticipations}, sql: participationIndicatorsSQL},
	{names: []model.IndicatorName{model.IndicatorNameEmergingNeedsOpen, model.IndicatorNameEmergingNeedsAddressed}, sql: needIndicatorsSQL},
	{names: []model.IndicatorName{model.IndicatorNameOffersUpToDate}, sql: offerIndicatorsSQL},
}

// Indicators computes the figures of q, one statement per group of indicators asked, on
// the replica. The statements are independent (in read committed each takes its own
// snapshot, in a transaction or not), so they run concurrently on the pool, a few at a
// time, the longest (the journeys') first: the request costs about its longest statement
// instead of the sum. today (the day maturity is judged on, the same for every statement)
// is returned with the figures.
func (s *Store) Indicators(ctx context.Context, q IndicatorQuery) (IndicatorFigures, IndicatorLabels, model.Date, error) {
	today := model.DateOf(s.Now())
	type job struct {
		names []model.IndicatorName
		query string
		args  []any
	}
	var jobs []job
	for _, g := range indicatorGroups {
		var names []model.IndicatorName
		for _, n := range g.names {
			if containsName(q.Names, n) {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		a := &sqlArgs{}
		jobs = append(jobs, job{names: names, query: g.sql(s, q, a, today), args: a.args})
	}
	figures, labels := IndicatorFigures{}, IndicatorLabels{}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan job)
	for w := 0; w < min(indicatorConcurrency, len(jobs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				f, l := IndicatorFigures{}, IndicatorLabels{}
				err := s.replicaTx(ctx, func(tx *Tx) error {
					return scanFigures(ctx, tx, j.query, j.args, j.names, f, l)
				})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", j.names[0], err)
				}
				mergeFigures(figures, labels, f, l)
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, nil, today, fmt.Errorf("db: indicators: %w", firstErr)
	}
	return figures, labels, today, nil
}

// indicatorConcurrency is how many statements of one computation run at once (each on a
// connection of the pool).
const indicatorConcurrency = 3

// mergeFigures adds the figures and labels of one group (f, l) to those of the request
// (the groups compute distinct indicators).
func mergeFigures(figures IndicatorFigures, labels IndicatorLabels, f IndicatorFigures, l IndicatorLabels) {
	for day, cells := range f {
		if figures[day] == nil {
			figures[day] = map[string]map[model.IndicatorName]model.Tally{}
		}
		for key, tallies := range cells {
			if figures[day][key] == nil {
				figures[day][key] = map[model.IndicatorName]model.Tally{}
			}
			for n, t := range tallies {
				figures[day][key][n] = t
			}
		}
	}
	for k, v := range l {
		labels[k] = v
	}
}

func containsName(xs []model.IndicatorName, x model.IndicatorName) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// column is the SQL alias of an indicator's figure (n numerator, d denominator, v value).
func column(n model.IndicatorName, part string) string {
	return strings.ToLower(string(n)) + "_" + part
}

// scanFigures runs a group's statement: its rows carry the period (f, t), whether the row is
// the total (g = 1), the key and label, and for each indicator its n, d and v columns.
func scanFigures(ctx context.Context, tx *Tx, query string, args []any, names []model.IndicatorName,
	figures IndicatorFigures, labels IndicatorLabels) error {
	rows, err := tx.QueryxContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			return err
		}
		f, okf := m["f"].(time.Time)
		t, okt := m["t"].(time.Time)
		if !okf || !okt {
			return fmt.Errorf("period columns: %T, %T", m["f"], m["t"])
		}
		day := IndicatorPeriod{From: model.NewDate(f.Year(), f.Month(), f.Day()), To: model.NewDate(t.Year(), t.Month(), t.Day())}
		key := ""
		if asInt(m["g"]) == 0 {
			key = asString(m["key"])
			if key == "" {
				key = unknownKey
			}
			if l := asString(m["label"]); l != "" {
				labels[key] = l
			}
		}
		if figures[day] == nil {
			figures[day] = map[string]map[model.IndicatorName]model.Tally{}
		}
		if figures[day][key] == nil {
			figures[day][key] = map[model.IndicatorName]model.Tally{}
		}
		for _, n := range names {
			t := model.Tally{Numerator: asInt(m[column(n, "n")]), Denominator: asInt(m[column(n, "d")])}
			if v, ok := asFloat(m[column(n, "v")]); ok {
				t.Value = &v
			}
			figures[day][key][n] = t
		}
	}
	return rows.Err()
}

// UnknownIndicatorKey is the key of the cell of journeys without a value for the
// breakdown (no referent, say).
const UnknownIndicatorKey = "UNKNOWN"

const unknownKey = UnknownIndicatorKey

func asInt(v any) int {
	f, _ := asFloat(v)
	return int(f)
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case []byte:
		var f float64
		_, err := fmt.Sscan(string(x), &f)
		return f, err == nil
	}
	return 0, false
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// periodsSQL is the relation of the periods, per(f, t).
func periodsSQL(q IndicatorQuery, a *sqlArgs) string {
	froms, tos := make([]string, len(q.Periods)), make([]string, len(q.Periods))
	for i, p := range q.Periods {
		froms[i], tos[i] = p.From.String(), p.To.String()
	}
	return fmt.Sprintf("per AS (SELECT f, t FROM unnest(%s::date[], %s::date[]) AS per(f, t))",
		a.arg(froms), a.arg(tos))
}

func lastDay(q IndicatorQuery) model.Date {
	last := q.Periods[0].To
	for _, p := range q.Periods {
		if p.To.After(last) {
			last = p.To
		}
	}
	return last
}

func firstDay(q IndicatorQuery) model.Date {
	first := q.Periods[0].From
	for _, p := range q.Periods {
		if p.From.Before(first) {
			first = p.From
		}
	}
	return first
}

// labelSQL returns the SQL of the label of a cell from the SQL of its key k. A label is
// a function of its key (the name of the department, structure or staff member), so it is
// looked up once per cell, after the aggregation, not once per aggregated row.
type labelSQL func(k string) string

func noLabel(string) string { return "NULL::text" }

func departmentLabel(k string) string {
	return "(SELECT cd.name FROM covered_departments cd WHERE cd.code = " + k + ")"
}

func structureLabel(k string) string {
	return "(SELECT st.name FROM structures st WHERE st.id = " + k + "::uuid)"
}

func staffLabel(k string) string {
	return "(SELECT sm.name FROM staff_members sm WHERE sm.id = " + k + "::uuid)"
}

// beneficiaryKey returns the SQL of the cell key of the beneficiary (alias b) for
// breakdown bd, and its label; NULL when bd does not apply to journeys (REASON) or is nil.
func beneficiaryKey(bd *model.Breakdown) (key string, label labelSQL) {
	if bd == nil {
		return "NULL::text", noLabel
	}
	switch *bd {
	case model.BreakdownDepartment:
		return "b.department", departmentLabel
	case model.BreakdownStructure:
		return "b.social_operator_id::text", structureLabel
	case model.BreakdownReferent:
		return `(SELECT ra.staff_member_id::text FROM referent_assignments ra
				WHERE ra.beneficiary_id = b.id AND ra.kind = 'SOCIAL_WORKER' AND ra.ended_at IS NULL)`, staffLabel
	case model.BreakdownCohortMonth:
		return "to_char(b.referred_on, 'YYYY-MM')", noLabel
	case model.BreakdownCohortQuarter:
		return `to_char(b.referred_on, 'YYYY-"T"Q')`, noLabel
	case model.BreakdownCohortYear:
		return "to_char(b.referred_on, 'YYYY')", noLabel
	case model.BreakdownProtectionType:
		return "b.protection_type", noLabel
	case model.BreakdownSex:
		return "b.sex", noLabel
	case model.BreakdownAgeBand:
		return ageBandSQL("b"), noLabel
	case model.BreakdownHousehold:
		return householdSQL("b"), noLabel
	}
	return "NULL::text", noLabel
}

// factKey is beneficiaryKey over the journey facts (alias jf): the breakdowns the facts
// carry read them; the others read the beneficiary (alias b, needsB).
func factKey(bd *model.Breakdown) (key string, label labelSQL, needsB bool) {
	if bd == nil {
		return "NULL::text", noLabel, false
	}
	switch *bd {
	case model.BreakdownReason:
		return "jf.end_reason", noLabel, false // the reason of the journey's end (none while in progress)
	case model.BreakdownDepartment:
		return "jf.department", departmentLabel, false
	case model.BreakdownStructure:
		return "jf.social_operator_id::text", structureLabel, false
	case model.BreakdownReferent:
		return "jf.social_worker_id::text", staffLabel, false
	case model.BreakdownCohortMonth:
		return "to_char(jf.referred_on, 'YYYY-MM')", noLabel, false
	case model.BreakdownCohortQuarter:
		return `to_char(jf.referred_on, 'YYYY-"T"Q')`, noLabel, false
	case model.BreakdownCohortYear:
		return "to_char(jf.referred_on, 'YYYY')", noLabel, false
	}
	key, label = beneficiaryKey(bd)
	return key, label, true
}

// ageBandSQL is model.AgeBandOn(birth date, referral day) in SQL.
func ageBandSQL(alias string) string {
	var b strings.Builder
	b.WriteString("CASE")
	for i := len(model.AgeBandBounds) - 1; i > 0; i-- {
		fmt.Fprintf(&b, " WHEN date_part('year', age(%[1]s.referred_on, %[1]s.birth_date)) >= %[2]d THEN '%[3]s'",
			alias, model.AgeBandBounds[i].MinAge, model.AgeBandBounds[i].Band)
	}
	fmt.Fprintf(&b, " ELSE '%s' END", model.AgeBandBounds[0].Band)
	return b.String()
}

// householdSQL is model.HouseholdOf in SQL, from the joining family members.
func householdSQL(alias string) string {
	has := func(rel string) string {
		return fmt.Sprintf("EXISTS (SELECT 1 FROM household_members hm WHERE hm.beneficiary_id = %s.id AND hm.relationship %s)", alias, rel)
	}
	return fmt.Sprintf(`CASE WHEN %[1]s AND %[2]s THEN '%[4]s' WHEN %[1]s THEN '%[5]s' WHEN %[2]s THEN '%[6]s'
		WHEN %[3]s THEN '%[7]s' ELSE '%[8]s' END`,
		has("= 'SPOUSE'"), has("= 'MINOR_CHILD'"), has("NOT IN ('SPOUSE', 'MINOR_CHILD')"),
		model.HouseholdCompositionCoupleWithChildren, model.HouseholdCompositionCouple, model.HouseholdCompositionSingleParent,
		model.HouseholdCompositionOther, model.HouseholdCompositionAlone)
}

// durableEmploymentSQL returns the SQL condition "the outcome (alias) is durable
// employment", asking model.IsDurableEmployment of every contract type (one definition).
func durableEmploymentSQL(alias string, a *sqlArgs) string {
	var durable []string
	for _, c := range model.AllContractType {
		o := model.Outcome{Kind: model.OutcomeKindEmployment, ContractType: &c}
		if model.IsDurableEmployment(o) {
			durable = append(durable, string(c))
		}
	}
	return fmt.Sprintf("(%[1]s.kind = '%[2]s' AND %[1]s.contract_type = ANY(%[3]s::text[]))", alias, model.OutcomeKindEmployment,
		a.arg(durable))
}

// sustainedSQL returns the SQL condition "the follow-up (alias) finds the person in
// employment, training or permanent housing", from model.FollowUpSustained.
func sustainedSQL(alias string, a *sqlArgs) string {
	var employment, training []string
	for _, e := range model.AllEmploymentSituation {
		if model.SustainedEmployment(e) {
			employment = append(employment, string(e))
		}
	}
	for _, t := range model.AllTrainingSituation {
		if model.SustainedTraining(t) {
			training = append(training, string(t))
		}
	}
	return fmt.Sprintf("(%[1]s.employment_situation = ANY(%[2]s::text[]) OR %[1]s.training_situation = ANY(%[3]s::text[]) OR %[1]s.housing_situation = '%[4]s')",
		alias, a.arg(employment), a.arg(training), model.HousingSituationPermanentHousing)
}

// employedSQL returns the SQL condition "the follow-up (alias) finds the person in
// employment or in a qualifying or other training", from
// model.SustainedEmploymentOrTraining.
func employedSQL(alias string, a *sqlArgs) string {
	var employment, training []string
	for _, e := range model.AllEmploymentSituation {
		if model.SustainedEmploymentOrTraining(e, model.TrainingSituationNone) {
			employment = append(employment, string(e))
		}
	}
	for _, t := range model.AllTrainingSituation {
		if model.SustainedEmploymentOrTraining(model.EmploymentSituationUnknown, t) {
			training = append(training, string(t))
		}
	}
	return fmt.Sprintf("(%[1]s.employment_situation = ANY(%[2]s::text[]) OR %[1]s.training_situation = ANY(%[3]s::text[]))",
		alias, a.arg(employment), a.arg(training))
}

// cefrRankOf is the rank of a CEFR level: 0 for below A1, 1 for A1, ... 6 for C2.
func cefrRankOf(l model.CefrLevel) int {
	for i, x := range model.AllCefrLevel {
		if x == l {
			return i
		}
	}
	return -1
}

// cefrRank is the SQL of the rank (cefrRankOf) of the level column col.
func cefrRank(col string) string {
	levels := make([]string, len(model.AllCefrLevel))
	for i, l := range model.AllCefrLevel {
		levels[i] = "'" + string(l) + "'"
	}
	return fmt.Sprintf("(array_position(ARRAY[%s]::text[], %s) - 1)", strings.Join(levels, ", "), col)
}

// aggregate is one output column of a group statement.
type aggregate struct {
	name model.IndicatorName
	n, d string // count conditions of the numerator and denominator ("" for none)
	v    string // value expression of a median ("" for none), over the rows of d
}

func (g aggregate) columns(b *strings.Builder) {
	if g.n != "" {
		fmt.Fprintf(b, ",\n\tcount(*) FILTER (WHERE %s) AS %s", g.n, column(g.name, "n"))
	}
	if g.d != "" {
		fmt.Fprintf(b, ",\n\tcount(*) FILTER (WHERE %s) AS %s", g.d, column(g.name, "d"))
	}
	if g.v != "" {
		fmt.Fprintf(b, ",\n\tpercentile_cont(0.5) WITHIN GROUP (ORDER BY %s) FILTER (WHERE %s) AS %s", g.v, g.d, column(g.name, "v"))
	}
}

// groupedSelect writes the aggregate SELECT over the relation rel (with a column key),
// by period and cell, with the total of each period and the label of each cell.
func groupedSelect(q IndicatorQuery, with, rel string, label labelSQL, aggs []aggregate) string {
	var b strings.Builder
	fmt.Fprintf(&b, "WITH %s\nSELECT per.f, per.t, GROUPING(x.key) AS g, x.key, %s AS label", with, label("x.key"))
	for _, g := range aggs {
		if containsName(q.Names, g.name) {
			g.columns(&b)
		}
	}
	fmt.Fprintf(&b, "\nFROM %s x CROSS JOIN per\nGROUP BY GROUPING SETS ((per.f, per.t, x.key), (per.f, per.t))", rel)
	return b.String()
}

const inPeriod = " BETWEEN per.f AND per.t"

// journeyIndicatorsSQL: one row per journey of the scope (its current end: the last exit
// or exclusion not re-opened by a reintegration), read from the journey facts the acts
// keep (journey_facts, db/journey_facts.go), or recomputed from the acts with the same
// statement when q.FromActs; then every journey indicator as a FILTERed aggregate.
func journeyIndicatorsSQL(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string {
	key, label, needsB := factKey(q.Breakdown)
	per := periodsSQL(q, a)
	source := "journey_facts"
	if q.FromActs {
		sel, _ := journeyFactsSelect(s.Params, a, "TRUE")
		source = "(" + sel + ")"
	}
	join := ""
	if needsB {
		join = "JOIN beneficiaries b ON b.id = jf.beneficiary_id"
	}
	scope := q.Scope.deptCond(a, "jf.department")
	maxTo, minFrom := a.arg(lastDay(q)), a.arg(firstDay(q))
	todayCol := a.arg(today) + "::date"
	todayArg := "x.today"
	j := fmt.Sprintf(`%s,
j AS MATERIALIZED (
	SELECT %s AS key, %s AS today, jf.referred_on, jf.entry_on, jf.cir_on, jf.welcome_due_on, jf.journey_ends_on, jf.contract_on,
		jf.end_on, jf.end_kind, jf.end_reason, jf.end_housing, jf.emp_at_end, jf.durable_at_end, jf.training_by_end, jf.rights_by_end,
		jf.eval_entry, jf.eval_mid, jf.eval_exit, jf.entry_eval_due, jf.mid_due, jf.fu3_due, jf.fu6_due,
		jf.fu3, jf.fu3_ok, jf.fu6, jf.fu6_ok, jf.fu3_emp, jf.fu6_emp, jf.ret6_due, jf.ret12_due, jf.first_rank, jf.last_rank, jf.assessments
	FROM %s jf %s
	WHERE %s AND jf.referred_on <= %s::date AND (jf.end_on IS NULL OR jf.end_on >= %s::date)
)`, per, key, todayCol, source, join, scope, maxTo, minFrom)

	active := "(x.referred_on <= per.t AND (x.end_on IS NULL OR x.end_on >= per.f))"
	ended := "(x.end_on" + inPeriod + ")"
	exited := "(" + ended + " AND x.end_kind = 'EXIT')"
	welcomeCohort := "(x.cir_on" + inPeriod + " AND x.welcome_due_on < " + todayArg + ")"
	entered := "(x.entry_on" + inPeriod + ")"
	retained := "(x.entry_on <= per.t AND " + active + ")"
	entryMature := "(" + entered + " AND x.entry_eval_due < " + todayArg + ")"
	midMature := "(" + entered + " AND x.mid_due < " + todayArg + " AND (x.end_on IS NULL OR x.end_on >= x.mid_due))"
	fu3Mature := "(" + exited + " AND x.fu3_due < " + todayArg + ")"
	fu6Mature := "(" + exited + " AND x.fu6_due < " + todayArg + ")"
	// Retention cohorts: entered in the period, the mark passed; moves away before the
	// mark are left out; retained when still accompanied after the mark, or ended before
	// it by a positive exit (goals reached, or in employment or training on the day).
	positive := "(x.end_kind = 'EXIT' AND (x.end_reason = '" + string(model.ExitReasonGoalsReached) + "' OR x.emp_at_end))"
	cohort := func(due string) (d, n string) {
		d = "(" + entered + " AND " + due + " < " + todayArg + " AND NOT COALESCE(x.end_on <= " + due + " AND x.end_reason = '" +
			string(model.ExitReasonMovedAway) + "', false))"
		return d, d + " AND (x.end_on IS NULL OR x.end_on > " + due + " OR " + positive + ")"
	}
	ret6d, ret6n := cohort("x.ret6_due")
	ret12d, ret12n := cohort("x.ret12_due")
	a2, b1 := cefrRankOf(model.CefrLevelA2), cefrRankOf(model.CefrLevelB1)
	assessed := "(" + ended + " AND x.assessments > 0)"
	aggs := []aggregate{
		{name: model.IndicatorNameRetention6Months, d: ret6d, n: ret6n},
		{name: model.IndicatorNameRetention12Months, d: ret12d, n: ret12n},
		{name: model.IndicatorNameFrenchLevelsGainedMedian, d: ended + " AND x.assessments >= 2", v: "x.last_rank - x.first_rank"},
		{name: model.IndicatorNameFrenchA2AtExit, d: assessed, n: assessed + fmt.Sprintf(" AND x.last_rank >= %d", a2)},
		{name: model.IndicatorNameFrenchB1AtExit, d: assessed, n: assessed + fmt.Sprintf(" AND x.last_rank >= %d", b1)},
		{name: model.IndicatorNameEmploymentDurability3Months, d: fu3Mature + " AND x.fu3", n: fu3Mature + " AND x.fu3_emp"},
		{name: model.IndicatorNameEmploymentDurability6Months, d: fu6Mature + " AND x.fu6", n: fu6Mature + " AND x.fu6_emp"},
		{name: model.IndicatorNameReferrals, n: "x.referred_on" + inPeriod},
		{name: model.IndicatorNameEntries, n: entered},
		{name: model.IndicatorNameActiveJourneys, n: active},
		{name: model.IndicatorNameEmploymentOrTrainingAtExit, n: ended + " AND x.emp_at_end", d: ended},
		{name: model.IndicatorNameDurableEmploymentAtExit, n: ended + " AND x.durable_at_end", d: ended},
		{name: model.IndicatorNameQualifyingTraining, n: ended + " AND x.training_by_end", d: ended},
		{name: model.IndicatorNameHousingAtExit, n: ended + " AND x.end_housing = 'PERMANENT_HOUSING'", d: ended},
		{name: model.IndicatorNameRightsOpened, n: ended + " AND x.rights_by_end", d: ended},
		{name: model.IndicatorNameRetention, d: retained,
			n: retained + " AND NOT COALESCE(" + ended + " AND (x.end_kind = 'EXCLUSION' OR x.end_reason = 'WITHDRAWAL'), false)"},
		{name: model.IndicatorNameWelcomeWithinDelay, d: welcomeCohort, n: welcomeCohort + " AND x.entry_on <= x.welcome_due_on"},
		{name: model.IndicatorNameWelcomeDelayMedian, d: entered, v: "x.entry_on - x.cir_on"},
		{name: model.IndicatorNameContractDelayMedian, d: "x.contract_on" + inPeriod + " AND x.entry_on IS NOT NULL", v: "x.contract_on - x.entry_on"},
		{name: model.IndicatorNameJourneyDurationMedian, d: ended, v: "x.end_on - COALESCE(x.entry_on, x.referred_on)"},
		{name: model.IndicatorNameJourneysOverLimit,
			n: active + " AND x.journey_ends_on < LEAST(COALESCE(x.end_on, per.t), per.t, " + todayArg + ")"},
		{name: model.IndicatorNameEntryEvaluations, d: entryMature, n: entryMature + " AND x.eval_entry"},
		{name: model.IndicatorNameMidCourseEvaluations, d: midMature, n: midMature + " AND x.eval_mid"},
		{name: model.IndicatorNameExitEvaluations, d: exited, n: exited + " AND x.eval_exit"},
		{name: model.IndicatorNameFollowUps3Months, d: fu3Mature, n: fu3Mature + " AND x.fu3"},
		{name: model.IndicatorNameFollowUps6Months, d: fu6Mature, n: fu6Mature + " AND x.fu6"},
		{name: model.IndicatorNameDurability3Months, d: fu3Mature + " AND x.fu3", n: fu3Mature + " AND x.fu3_ok"},
		{name: model.IndicatorNameDurability6Months, d: fu6Mature + " AND x.fu6", n: fu6Mature + " AND x.fu6_ok"},
	}
	return groupedSelect(q, j, "j", label, aggs)
}

// endIndicatorsSQL: every exit, exclusion and reintegration of the period (each counts,
// not only the last), with the reason as a possible breakdown.
func endIndicatorsSQL(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string {
	key, label := beneficiaryKey(q.Breakdown)
	if q.Breakdown != nil && *q.Breakdown == model.BreakdownReason {
		key = "ev.reason"
	}
	per := periodsSQL(q, a)
	scope := q.Scope.deptCond(a, "b.department")
	from, to := a.arg(firstDay(q)), a.arg(lastDay(q))
	with := fmt.Sprintf(`%s,
ends AS MATERIALIZED (
	SELECT %s AS key, ev.kind, ev.day
	FROM (SELECT e.beneficiary_id, e.kind, e.reason, e.exited_on AS day FROM journey_exits e
		WHERE e.exited_on BETWEEN %[4]s::date AND %[5]s::date
		UNION ALL
		SELECT r.beneficiary_id, 'REINTEGRATION', NULL, r.reintegrated_on FROM reintegrations r
		WHERE r.reintegrated_on BETWEEN %[4]s::date AND %[5]s::date) ev
	JOIN beneficiaries b ON b.id = ev.beneficiary_id
	WHERE %[3]s
)`, per, key, scope, from, to)
	return groupedSelect(q, with, "ends", label, []aggregate{
		{name: model.IndicatorNameExits, n: "x.kind = 'EXIT' AND x.day" + inPeriod},
		{name: model.IndicatorNameExclusions, n: "x.kind = 'EXCLUSION' AND x.day" + inPeriod},
		{name: model.IndicatorNameReintegrations, n: "x.kind = 'REINTEGRATION' AND x.day" + inPeriod},
	})
}

// orientationIndicatorsSQL: the orientations of the journeys of the scope; the STRUCTURE
// breakdown is the partner's.
func orientationIndicatorsSQL(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string {
	key, label := beneficiaryKey(q.Breakdown)
	if q.Breakdown != nil && *q.Breakdown == model.BreakdownStructure {
		key, label = "o.structure_id::text", structureLabel
	}
	per := periodsSQL(q, a)
	scope := q.Scope.deptCond(a, "b.department")
	to, from := a.arg(lastDay(q)), a.arg(firstDay(q))
	todayCol := a.arg(today) + "::date"
	todayArg := "x.today"
	// Only the orientations made or answered in a period count in a figure (the others
	// would only make cells of zeros, which are not shown).
	with := fmt.Sprintf(`%s,
ori AS MATERIALIZED (
	SELECT %s AS key, %s AS today, o.oriented_on, o.answer_due_on, o.answered_on, o.status
	FROM orientations o JOIN beneficiaries b ON b.id = o.beneficiary_id
	WHERE %s AND o.oriented_on <= %s::date AND (o.oriented_on >= %[6]s::date OR o.answered_on >= %[6]s::date)
)`, per, key, todayCol, scope, to, from)
	mature := "(x.oriented_on" + inPeriod + " AND x.answer_due_on < " + todayArg + ")"
	return groupedSelect(q, with, "ori", label, []aggregate{
		{name: model.IndicatorNameOrientationAnswerDelayMedian, d: "x.answered_on" + inPeriod, v: "x.answered_on - x.oriented_on"},
		{name: model.IndicatorNameOrientationsAnsweredInTime, d: mature, n: mature + " AND x.answered_on <= x.answer_due_on"},
		{name: model.IndicatorNameOrientationAcceptance, d: "x.answered_on" + inPeriod + " AND x.status <> 'PENDING'",
			n: "x.answered_on" + inPeriod + " AND x.status NOT IN ('PENDING', 'REFUSED')"},
	})
}

// convocationIndicatorsSQL: the convocations whose appointment (a Paris day) is in a
// period, with the status of their interview (the latest planned).
func convocationIndicatorsSQL(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string {
	key, label := beneficiaryKey(q.Breakdown)
	per := periodsSQL(q, a)
	scope := q.Scope.deptCond(a, "b.department")
	from, to := a.arg(firstDay(q)), a.arg(lastDay(q))
	with := fmt.Sprintf(`%s,
conv AS MATERIALIZED (
	SELECT %s AS key, c.day, i.status
	FROM (SELECT c.id, c.beneficiary_id, (c.appointment_at AT TIME ZONE 'Europe/Paris')::date AS day FROM convocations c) c
	JOIN beneficiaries b ON b.id = c.beneficiary_id
	LEFT JOIN LATERAL (SELECT i.status FROM interviews i WHERE i.convocation_id = c.id
		ORDER BY i.planned_at DESC, i.created_at DESC LIMIT 1) i ON true
	WHERE %s AND c.day BETWEEN %s::date AND %s::date
)`, per, key, scope, from, to)
	decided := "x.day" + inPeriod + " AND x.status IN ('HELD', 'NO_SHOW')"
	return groupedSelect(q, with, "conv", label, []aggregate{
		{name: model.IndicatorNameConvocationNoShow, d: decided, n: decided + " AND x.status = 'NO_SHOW'"},
	})
}

// networkKey is the key of the network indicators: the department column dept, or the
// structure column st.
func networkKey(bd *model.Breakdown, dept, st string) (key string, label labelSQL) {
	if bd != nil {
		switch *bd {
		case model.BreakdownDepartment:
			return dept, departmentLabel
		case model.BreakdownStructure:
			if st != "" {
				return st + "::text", structureLabel
			}
		}
	}
	return "NULL::text", noLabel
}

// eventIndicatorsSQL: network events held (started by now); an event of two departments
// counts once in the total (count distinct).
func eventIndicatorsSQL(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string {
	key, label := networkKey(q.Breakdown, "d.code", "")
	per := periodsSQL(q, a)
	scope := q.Scope.deptCond(a, "d.code")
	todayArg := a.arg(today) + "::date"
	return fmt.Sprintf(`WITH %s
SELECT per.f, per.t, GROUPING(x.key) AS g, x.key, %s AS label,
	count(DISTINCT x.id) FILTER (WHERE x.day%s) AS %s
FROM (SELECT %s AS key, ne.id, (ne.starts_at AT TIME ZONE 'Europe/Paris')::date AS day
	FROM network_events ne CROSS JOIN LATERAL unnest(ne.departments) AS d(code)
	WHERE %s AND (ne.starts_at AT TIME ZONE 'Europe/Paris')::date <= %s) x CROSS JOIN per
GROUP BY GROUPING SETS ((per.f, per.t, x.key), (per.f, per.t))`, per, label("x.key"), inPeriod, column(model.IndicatorNameNetworkEventsHeld, "n"),
		key, scope, todayArg)
}

// participationIndicatorsSQL: attendances of structures at the events held.
func participationIndicatorsSQL(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string {
	key, label := networkKey(q.Breakdown, "d.code", "pa.structure_id")
	per := periodsSQL(q, a)
	scope := q.Scope.deptCond(a, "d.code")
	todayArg := a.arg(today) + "::date"
	return fmt.Sprintf(`WITH %s
SELECT per.f, per.t, GROUPING(x.key) AS g, x.key, %s AS label,
	count(DISTINCT x.attendance) FILTER (WHERE x.day%s) AS %s
FROM (SELECT %s AS key, pa.event_id::text || '/' || pa.structure_id::text AS attendance,
		(ne.starts_at AT TIME ZONE 'Europe/Paris')::date AS day
	FROM network_event_participants pa JOIN network_events ne ON ne.id = pa.event_id
	CROSS JOIN LATERAL unnest(ne.departments) AS d(code)
	WHERE pa.attended AND %s AND (ne.starts_at AT TIME ZONE 'Europe/Paris')::date <= %s) x CROSS JOIN per
GROUP BY GROUPING SETS ((per.f, per.t, x.key), (per.f, per.t))`, per, label("x.key"), inPeriod, column(model.IndicatorNameEventParticipations, "n"),
		key, scope, todayArg)
}

// needIndicatorsSQL: emerging needs reported in the period, by their status today.
func needIndicatorsSQL(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string {
	key, label := networkKey(q.Breakdown, "n.department", "n.reported_by_structure")
	per := periodsSQL(q, a)
	scope := q.Scope.deptCond(a, "n.department")
	with := fmt.Sprintf(`%s,
needs AS MATERIALIZED (
	SELECT %s AS key, n.status, (n.reported_at AT TIME ZONE 'Europe/Paris')::date AS day
	FROM emerging_needs n WHERE %s
)`, per, key, scope)
	return groupedSelect(q, with, "needs", label, []aggregate{
		{name: model.IndicatorNameEmergingNeedsOpen, n: "x.status IN ('IDENTIFIED', 'IN_PROGRESS') AND x.day" + inPeriod},
		{name: model.IndicatorNameEmergingNeedsAddressed, n: "x.status = 'ADDRESSED' AND x.day" + inPeriod},
	})
}

// offerIndicatorsSQL: published offers of the territory (their department), fresh today.
func offerIndicatorsSQL(s *Store, q IndicatorQuery, a *sqlArgs, today model.Date) string {
	key, label := networkKey(q.Breakdown, "o.department", "o.structure_id")
	per := periodsSQL(q, a)
	scope := q.Scope.deptCond(a, "o.department")
	todayArg := a.arg(today) + "::date"
	with := fmt.Sprintf(`%s,
offs AS MATERIALIZED (
	SELECT %s AS key, %s >= %s AS fresh
	FROM offers o WHERE o.status = 'PUBLISHED' AND %s
)`, per, key, dueExpr, todayArg, scope)
	return groupedSelect(q, with, "offs", label, []aggregate{
		{name: model.IndicatorNameOffersUpToDate, n: "x.fresh", d: "TRUE"},
	})
}

// IndicatorStatements returns the statements Indicators runs for q on day today, with
// their arguments: for the benchmarks that time the same aggregates as raw SQL.
func (s *Store) IndicatorStatements(q IndicatorQuery, today model.Date) (queries []string, args [][]any) {
	for _, g := range indicatorGroups {
		for _, n := range g.names {
			if containsName(q.Names, n) {
				a := &sqlArgs{}
				queries, args = append(queries, g.sql(s, q, a, today)), append(args, a.args)
				break
			}
		}
	}
	return queries, args
}
