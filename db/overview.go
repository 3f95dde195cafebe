package db

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The network-facilitation view (« animation du réseau »): the coordinator's dashboard of
// a territory, a handful of aggregate statements in one read-only transaction.

// OverviewWindowDays is how far back the partners' activity looks, and how far ahead the
// upcoming collective actions and network events.
const (
	OverviewActivityDays = 90
	OverviewUpcomingDays = 30
	overviewListLimit    = 50
)

// alertKinds maps the journey alerts (beneficiary_alerts, model.DeriveJourney) to the
// kinds of the overview.
var alertKinds = map[model.AlertKind]model.NetworkAlertKind{
	model.AlertKindWelcomeInterviewOverdue: model.NetworkAlertKindWelcomeInterviewOverdue,
	model.AlertKindContractNotSigned:       model.NetworkAlertKindContractNotSigned,
	model.AlertKindEvaluationDue:           model.NetworkAlertKindEvaluationDue,
	model.AlertKindJourneyLimitNear:        model.NetworkAlertKindJourneyLimitNear,
	model.AlertKindJourneyLimitReached:     model.NetworkAlertKindJourneyLimitReached,
	model.AlertKindHousingRefusals:         model.NetworkAlertKindExclusionRisk,
	model.AlertKindFollowUpDue:             model.NetworkAlertKindFollowUpDue,
}

// OverviewTerritory checks the territory asked by a coordinator (nil: its own): every
// department must be in its territory.
func OverviewTerritory(p *model.Principal, asked []string) ([]string, error) {
	if p == nil || p.Role != model.RoleCoordinator {
		return nil, model.Errorf(model.CodeForbidden, nil, "accès refusé")
	}
	if len(asked) == 0 {
		return dedupe(model.NonNilStrings(p.Departments)), nil
	}
	for _, d := range asked {
		if !contains(p.Departments, d) {
			return nil, model.Errorf(model.CodeForbidden, model.Path("territory"), "le département %s n'est pas dans votre territoire", d)
		}
	}
	return dedupe(asked), nil
}

// activeAlertSQL is the condition "the alert (alias a) is active on today": active from
// its day on; JOURNEY_LIMIT_NEAR gives way to JOURNEY_LIMIT_REACHED past the limit
// (model.ActiveAlerts).
func activeAlertSQL(alias, today string) string {
	return fmt.Sprintf("(%[1]s.active_from <= %[2]s AND NOT (%[1]s.kind = '%[3]s' AND %[1]s.due_on < %[2]s))",
		alias, today, model.AlertKindJourneyLimitNear)
}

// anyAlertCondition is the SQL condition "the beneficiary (alias, with its journey facts
// jf) shows at least one alert on the day todayArg", as Beneficiary.alerts lists them: the
// journey's alerts (jf.alerts_from: every journey alert stays active from its first day
// on, JOURNEY_LIMIT_REACHED taking over from JOURNEY_LIMIT_NEAR) and
// ORIENTATION_UNANSWERED, derived from the orientations.
func anyAlertCondition(alias, todayArg string) string {
	return fmt.Sprintf("(jf.alerts_from <= %s::date OR %s)", todayArg, orientationUnansweredCondition(alias, todayArg))
}

// NetworkOverview computes the dashboard of departments (checked by OverviewTerritory)
// for coordinator p, with at most first items per alert kind.
func (s *Store) NetworkOverview(ctx context.Context, p *model.Principal, departments []string, first int) (model.NetworkOverview, error) {
	out := model.NetworkOverview{Departments: departments}
	if p == nil || p.Role != model.RoleCoordinator {
		return out, model.Errorf(model.CodeForbidden, nil, "accès refusé")
	}
	deps := model.NonNilStrings(departments)
	err := s.readTx(ctx, func(tx *Tx) error {
		today := tx.today()
		out.Today = today
		if err := overviewPhases(ctx, tx, deps, &out); err != nil {
			return fmt.Errorf("phases: %w", err)
		}
		if err := overviewAlerts(ctx, tx, deps, today, first, &out); err != nil {
			return fmt.Errorf("alerts: %w", err)
		}
		if err := tx.SelectContext(ctx, &out.Caseloads, `SELECT ra.staff_member_id, ra.kind, count(*) AS active_journeys,
				count(*) FILTER (WHERE `+anyAlertCondition("b", "$2")+`) AS with_alerts
			FROM referent_assignments ra JOIN journey_facts jf ON jf.beneficiary_id = ra.beneficiary_id
			JOIN beneficiaries b ON b.id = jf.beneficiary_id
			WHERE ra.ended_at IS NULL AND jf.department = ANY($1::text[]) AND jf.phase = ANY($3::text[])
			GROUP BY ra.staff_member_id, ra.kind ORDER BY active_journeys DESC, ra.staff_member_id`, deps, today, model.PhasesInProgress()); err != nil {
			return fmt.Errorf("caseloads: %w", err)
		}
		since := today.AddDate(0, 0, -OverviewActivityDays)
		if err := tx.SelectContext(ctx, &out.PartnerActivity, fmt.Sprintf(`SELECT s.id AS structure_id,
				COALESCE(ori.received, 0) AS orientations_received, COALESCE(ori.answered, 0) AS orientations_answered,
				COALESCE(ori.overdue, 0) AS orientations_overdue,
				COALESCE(off.published, 0) AS offers_published, COALESCE(off.updated, 0) AS offers_updated, COALESCE(off.stale, 0) AS offers_stale
			FROM structures s
			LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE o.oriented_on >= $3::date) AS received,
					count(*) FILTER (WHERE o.oriented_on >= $3::date AND o.answered_on IS NOT NULL) AS answered,
					count(*) FILTER (WHERE o.status = 'PENDING' AND o.answer_due_on < $2::date) AS overdue
				FROM orientations o JOIN beneficiaries b ON b.id = o.beneficiary_id
				WHERE o.structure_id = s.id AND b.department = ANY($1::text[])) ori ON true
			LEFT JOIN LATERAL (SELECT count(*) AS published,
					count(*) FILTER (WHERE GREATEST(o.updated_at, o.verified_at) >= $4) AS updated,
					count(*) FILTER (WHERE %s < $2::date) AS stale
				FROM offers o WHERE o.structure_id = s.id AND o.status = 'PUBLISHED') off ON true
			WHERE s.agir_role = 'LOCAL_PARTNER' AND s.departments && $1::text[]
			ORDER BY orientations_received DESC, orientations_overdue DESC, s.name, s.id`, dueExpr),
			deps, today, since, tx.Now.AddDate(0, 0, -OverviewActivityDays)); err != nil {
			return fmt.Errorf("partners: %w", err)
		}
		horizon := tx.Now.Add(OverviewUpcomingDays * 24 * time.Hour)
		if err := tx.SelectContext(ctx, &out.CollectiveActionKeys, `SELECT ca.id FROM collective_actions ca
			WHERE ca.department = ANY($1::text[]) AND ca.starts_at >= $2 AND ca.starts_at < $3
			ORDER BY ca.starts_at, ca.id LIMIT $4`, deps, tx.Now, horizon, overviewListLimit); err != nil {
			return fmt.Errorf("collective actions: %w", err)
		}
		if err := tx.SelectContext(ctx, &out.NetworkEventKeys, `SELECT ne.id FROM network_events ne
			WHERE ne.departments && $1::text[] AND ne.starts_at >= $2 AND ne.starts_at < $3
			ORDER BY ne.starts_at, ne.id LIMIT $4`, deps, tx.Now, horizon, overviewListLimit); err != nil {
			return fmt.Errorf("network events: %w", err)
		}
		if err := tx.SelectContext(ctx, &out.EmergingNeedKeys, `SELECT n.id FROM emerging_needs n
			WHERE n.department = ANY($1::text[]) AND n.status IN ('IDENTIFIED', 'IN_PROGRESS')
			ORDER BY n.reported_at DESC, n.id LIMIT $2`, deps, overviewListLimit); err != nil {
			return fmt.Errorf("emerging needs: %w", err)
		}
		if err := overviewGap(ctx, tx, deps, &out); err != nil {
			return fmt.Errorf("gap: %w", err)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("db: network overview: %w", err)
	}
	return out, nil
}

func overviewPhases(ctx context.Context, tx *Tx, deps any, out *model.NetworkOverview) error {
	var rows []struct {
		Phase model.JourneyPhase `db:"phase"`
		Count int                `db:"n"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT jf.phase, count(*) AS n FROM journey_facts jf
		WHERE jf.department = ANY($1::text[]) GROUP BY jf.phase`, deps); err != nil {
		return err
	}
	byPhase := map[model.JourneyPhase]int{}
	for _, r := range rows {
		byPhase[r.Phase] = r.Count
	}
	for _, ph := range model.AllJourneyPhase {
		out.JourneysByPhase = append(out.JourneysByPhase, model.PhaseCount{Phase: ph, Count: byPhase[ph]})
	}
	return nil
}

// overviewAlerts counts the alerts of the territory by kind and takes the oldest first
// items of each: journey alerts, orientations unanswered past their deadline (the rule
// of model.OrientationOverdue), published offers past their verification date.
func overviewAlerts(ctx context.Context, tx *Tx, deps any, today model.Date, first int, out *model.NetworkOverview) error {
	var rows []alertRow
	err := tx.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT kind, total, beneficiary_id, structure_id, offer_id, since, due_on FROM (
		SELECT x.*, row_number() OVER (PARTITION BY x.kind ORDER BY x.since, x.due_on NULLS LAST, x.tiebreak) AS rn,
			count(*) OVER (PARTITION BY x.kind) AS total
		FROM (
			SELECT a.kind, jf.beneficiary_id, NULL::uuid AS structure_id, NULL::uuid AS offer_id, a.active_from AS since, a.due_on,
				jf.beneficiary_id::text AS tiebreak
			FROM journey_facts jf CROSS JOIN LATERAL %s a
			WHERE jf.department = ANY($1::text[]) AND jf.alerts_from <= $2::date AND %s
			UNION ALL
			SELECT '%s', o.beneficiary_id, o.structure_id, NULL, o.answer_due_on + 1, o.answer_due_on, o.id::text
			FROM orientations o JOIN beneficiaries b ON b.id = o.beneficiary_id
			WHERE b.department = ANY($1::text[]) AND o.status = 'PENDING' AND o.answer_due_on < $2::date
			UNION ALL
			SELECT '%s', NULL, o.structure_id, o.id, %s + 1, %s, o.id::text
			FROM offers o WHERE o.status = 'PUBLISHED' AND o.department = ANY($1::text[]) AND %s < $2::date
		) x
	) y WHERE rn <= GREATEST($3, 1)`, factAlerts(), activeAlertSQL("a", "$2::date"), model.NetworkAlertKindOrientationUnanswered,
		model.NetworkAlertKindStaleOffer, dueExpr, dueExpr, dueExpr), deps, today, first)
	if err != nil {
		return err
	}
	out.Alerts = groupAlerts(rows, first)
	return nil
}

// alertRow is one row of an alert query: the kind (a model.AlertKind or a
// model.NetworkAlertKind), its count in the territory, and one item.
type alertRow struct {
	Kind  string `db:"kind"`
	Total int    `db:"total"`
	model.NetworkAlertItem
}

// groupAlerts groups alert rows by network alert kind, in model.AllNetworkAlertKind's
// order, with every kind present (count 0 when no row) and at most first items each;
// kinds the overview does not show are left out.
func groupAlerts(rows []alertRow, first int) []model.NetworkAlertGroup {
	groups := map[model.NetworkAlertKind]*model.NetworkAlertGroup{}
	for _, k := range model.AllNetworkAlertKind {
		groups[k] = &model.NetworkAlertGroup{Kind: k, Items: []model.NetworkAlertItem{}}
	}
	for _, r := range rows {
		k := model.NetworkAlertKind(r.Kind)
		if mapped, ok := alertKinds[model.AlertKind(r.Kind)]; ok {
			k = mapped
		}
		g, ok := groups[k]
		if !ok {
			continue
		}
		g.Count = r.Total
		if len(g.Items) < first {
			g.Items = append(g.Items, r.NetworkAlertItem)
		}
	}
	out := make([]model.NetworkAlertGroup, 0, len(model.AllNetworkAlertKind))
	for _, k := range model.AllNetworkAlertKind {
		out = append(out, *groups[k])
	}
	return out
}

// overviewGap sets the needs found in the diagnostics of the journeys in progress (the
// barriers of the latest pre-diagnostic, the axes of the welcome diagnostic with needs)
// against the published offers of the territory answering them (model.NeedThematiques).
func overviewGap(ctx context.Context, tx *Tx, deps any, out *model.NetworkOverview) error {
	var needs, themes, all []string
	for _, k := range model.AllNeedKind {
		all = append(all, string(k))
		for _, t := range model.NeedThematiques[k] {
			needs, themes = append(needs, string(k)), append(themes, t)
		}
	}
	var rows []struct {
		Need            model.NeedKind `db:"need"`
		Beneficiaries   int            `db:"beneficiaries"`
		Offers          int            `db:"offers"`
		Places          int            `db:"places"`
		WithoutCapacity int            `db:"without_capacity"`
	}
	err := tx.SelectContext(ctx, &rows, `WITH`+activeNeedsCTE+`		answers AS (SELECT need, theme FROM unnest($2::text[], $3::text[]) AS t(need, theme)),
		matched AS MATERIALIZED (
			SELECT DISTINCT an.need, o.id, o.capacite
			FROM offers o CROSS JOIN LATERAL unnest(o.thematiques) AS th(theme)
			JOIN answers an ON th.theme = an.theme OR th.theme LIKE an.theme || '--%'
			WHERE o.status = 'PUBLISHED' AND o.department = ANY($1::text[]))
		SELECT k.need,
			(SELECT count(DISTINCT f.beneficiary_id) FROM found f WHERE f.need = k.need) AS beneficiaries,
			(SELECT count(*) FROM matched m WHERE m.need = k.need) AS offers,
			(SELECT COALESCE(sum(m.capacite), 0) FROM matched m WHERE m.need = k.need) AS places,
			(SELECT count(*) FROM matched m WHERE m.need = k.need AND m.capacite IS NULL) AS without_capacity
		FROM unnest($4::text[]) AS k(need)`, deps, needs, themes, all)
	if err != nil {
		return err
	}
	for _, r := range rows {
		out.NeedsGap = append(out.NeedsGap, model.NeedGap{Need: r.Need, Thematiques: model.NeedThematiques[r.Need],
			Beneficiaries: r.Beneficiaries, Offers: r.Offers, Places: r.Places, OffersWithoutCapacity: r.WithoutCapacity,
			Missing:         model.NeedMissing(r.Beneficiaries, r.Offers, r.Places, r.WithoutCapacity),
			CapacityUnknown: model.NeedCapacityUnknown(r.Beneficiaries, r.Offers, r.Places, r.WithoutCapacity)})
	}
	if err := judgeNeedsGap(ctx, tx, deps, out.NeedsGap); err != nil { // by language and French level (db/needs_gap.go)
		return err
	}
	sort.SliceStable(out.NeedsGap, func(i, j int) bool {
		a, b := out.NeedsGap[i], out.NeedsGap[j]
		if a.Missing != b.Missing {
			return a.Missing
		}
		return a.Beneficiaries-a.Places > b.Beneficiaries-b.Places
	})
	return nil
}

// activeNeedsCTE is the start of a WITH list: act, the journeys in progress of the
// departments $1 (with their languages), and found, each of their needs (a barrier of the
// latest professional pre-diagnostic, or a diagnostic axis with needs written), one row
// per need and person. The overview's gap and the gap by language and level count the
// same needs of the same people from it.
const activeNeedsCTE = `
		act AS (SELECT b.id, b.languages FROM beneficiaries b WHERE b.department = ANY($1::text[])
			AND b.phase IN ('REFERRED', 'CONVOKED', 'WELCOMED', 'CONTRACTED', 'REINTEGRATED')),
		found AS MATERIALIZED (
			SELECT bar.kind AS need, act.id AS beneficiary_id
			FROM act CROSS JOIN LATERAL (SELECT pd.barriers FROM professional_diagnostics pd WHERE pd.beneficiary_id = act.id
				ORDER BY pd.assessed_on DESC, pd.created_at DESC LIMIT 1) d
			CROSS JOIN LATERAL jsonb_to_recordset(d.barriers) AS bar(kind text)
			UNION
			SELECT da.axis, da.beneficiary_id FROM diagnostic_axes da JOIN act ON act.id = da.beneficiary_id
			WHERE btrim(da.needs) <> ''),
`
