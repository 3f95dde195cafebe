package db

import (
	"context"
	"fmt"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The coordinator's Monday view (NetworkOverview.week): what falls due this week, the
// partners' refusals and saturation, and 12-week trends, in one read-only transaction.

// CoordinatorWeek computes the week of departments (checked by OverviewTerritory) for
// coordinator p, with at most first items per kind of act due.
func (s *Store) CoordinatorWeek(ctx context.Context, p *model.Principal, departments []string, first int) (model.CoordinatorWeek, error) {
	var out model.CoordinatorWeek
	if p == nil || p.Role != model.RoleCoordinator {
		return out, model.Errorf(model.CodeForbidden, nil, "accès refusé")
	}
	deps := model.NonNilStrings(departments)
	err := s.readTx(ctx, func(tx *Tx) error {
		today := tx.today()
		out.From, out.To = model.WeekOf(today)
		if err := weekDue(ctx, tx, deps, today, out.To, first, &out); err != nil {
			return fmt.Errorf("due: %w", err)
		}
		since := out.From.AddDate(0, 0, -7*(model.TrendWeeks-1))
		if err := tx.SelectContext(ctx, &out.Partners, `SELECT s.id AS structure_id,
				count(o.id) FILTER (WHERE o.oriented_on >= $2::date) AS received,
				count(o.id) FILTER (WHERE o.answered_on >= $2::date AND o.status <> 'PENDING') AS answered,
				count(o.id) FILTER (WHERE o.answered_on >= $2::date AND o.status = 'REFUSED') AS refused,
				count(o.id) FILTER (WHERE o.status = 'PENDING') AS pending,
				count(o.id) FILTER (WHERE o.status IN ('ACCEPTED', 'STARTED')) AS in_progress,
				off.places, off.capacity_unknown
			FROM structures s
			LEFT JOIN LATERAL (SELECT o.id, o.oriented_on, o.answered_on, o.status FROM orientations o
				JOIN beneficiaries b ON b.id = o.beneficiary_id WHERE o.structure_id = s.id AND b.department = ANY($1::text[])) o ON true
			LEFT JOIN LATERAL (SELECT sum(of.capacite)::int AS places, (count(*) = 0 OR bool_or(of.capacite IS NULL)) AS capacity_unknown
				FROM offers of WHERE of.structure_id = s.id AND of.status = 'PUBLISHED') off ON true
			WHERE s.agir_role = 'LOCAL_PARTNER' AND s.departments && $1::text[]
			GROUP BY s.id, s.name, off.places, off.capacity_unknown
			ORDER BY received DESC, refused DESC, s.name, s.id`, deps, since); err != nil {
			return fmt.Errorf("partners: %w", err)
		}
		if err := partnersRefusalsByReason(ctx, tx, deps, since, out.Partners); err != nil {
			return fmt.Errorf("refusals by reason: %w", err)
		}
		for i := range out.Partners {
			out.Partners[i].Judge()
		}
		// The territory's exits and orientations of the whole period are read once, then
		// counted per week: a join per week re-read every beneficiary of the territory.
		if err := tx.SelectContext(ctx, &out.Trends, `WITH w AS (SELECT d::date AS week FROM generate_series($2::date, $3::date, interval '7 days') d),
			dep AS MATERIALIZED (SELECT b.id FROM beneficiaries b WHERE b.department = ANY($1::text[])),
			ex AS MATERIALIZED (SELECT e.exited_on FROM journey_exits e JOIN dep ON dep.id = e.beneficiary_id
				WHERE e.exited_on BETWEEN $2::date AND $3::date + 6),
			ori AS MATERIALIZED (SELECT o.oriented_on, o.answered_on, o.status FROM orientations o JOIN dep ON dep.id = o.beneficiary_id
				WHERE o.oriented_on BETWEEN $2::date AND $3::date + 6
					OR (o.status = 'REFUSED' AND o.answered_on BETWEEN $2::date AND $3::date + 6))
			SELECT w.week,
				(SELECT count(*) FROM journey_facts jf WHERE jf.department = ANY($1::text[]) AND jf.referred_on BETWEEN w.week AND w.week + 6) AS referrals,
				(SELECT count(*) FROM journey_facts jf WHERE jf.department = ANY($1::text[]) AND jf.entry_on BETWEEN w.week AND w.week + 6) AS entries,
				(SELECT count(*) FROM ex WHERE ex.exited_on BETWEEN w.week AND w.week + 6) AS ends,
				(SELECT count(*) FROM ori WHERE ori.oriented_on BETWEEN w.week AND w.week + 6) AS orientations,
				(SELECT count(*) FROM ori WHERE ori.status = 'REFUSED' AND ori.answered_on BETWEEN w.week AND w.week + 6) AS refused
			FROM w ORDER BY w.week`, deps, since, out.From); err != nil {
			return fmt.Errorf("trends: %w", err)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("db: coordinator week: %w", err)
	}
	return out, nil
}

// partnersRefusalsByReason sets each partner's refusals since since by reason (the
// closed list of model.OrientationRefusalCategory), counted like its orientationsRefused.
func partnersRefusalsByReason(ctx context.Context, tx *Tx, deps any, since model.Date, partners []model.PartnerWeek) error {
	var rows []struct {
		StructureKey string                           `db:"structure_id"`
		Category     model.OrientationRefusalCategory `db:"refusal_category"`
		Count        int                              `db:"n"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT o.structure_id, o.refusal_category, count(*) AS n
		FROM orientations o JOIN beneficiaries b ON b.id = o.beneficiary_id
		WHERE b.department = ANY($1::text[]) AND o.status = 'REFUSED' AND o.answered_on >= $2::date
		GROUP BY o.structure_id, o.refusal_category`, deps, since); err != nil {
		return err
	}
	counts := map[string]map[model.OrientationRefusalCategory]int{}
	for _, r := range rows {
		if counts[r.StructureKey] == nil {
			counts[r.StructureKey] = map[model.OrientationRefusalCategory]int{}
		}
		counts[r.StructureKey][r.Category] = r.Count
	}
	for i := range partners {
		partners[i].RefusalsByReason = model.RefusalsByReason(counts[partners[i].StructureKey])
	}
	return nil
}

// weekDue counts the acts falling due from today to sunday by kind, active yet or not,
// the soonest first: journey alerts by their due day, orientations by their answer
// deadline, published offers by their verification day.
func weekDue(ctx context.Context, tx *Tx, deps any, today, sunday model.Date, first int, out *model.CoordinatorWeek) error {
	var rows []alertRow
	err := tx.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT kind, total, beneficiary_id, structure_id, offer_id, since, due_on FROM (
		SELECT x.*, row_number() OVER (PARTITION BY x.kind ORDER BY x.due_on, x.tiebreak) AS rn,
			count(*) OVER (PARTITION BY x.kind) AS total
		FROM (
			SELECT a.kind, jf.beneficiary_id, NULL::uuid AS structure_id, NULL::uuid AS offer_id, a.active_from AS since, a.due_on,
				jf.beneficiary_id::text AS tiebreak
			FROM journey_facts jf CROSS JOIN LATERAL %s a
			WHERE jf.department = ANY($1::text[]) AND a.due_on BETWEEN $2::date AND $3::date
			UNION ALL
			SELECT '%s', o.beneficiary_id, o.structure_id, NULL, o.oriented_on, o.answer_due_on, o.id::text
			FROM orientations o JOIN beneficiaries b ON b.id = o.beneficiary_id
			WHERE b.department = ANY($1::text[]) AND o.status = 'PENDING' AND o.answer_due_on BETWEEN $2::date AND $3::date
			UNION ALL
			SELECT '%s', NULL, o.structure_id, o.id, (coalesce(o.verified_at, o.created_at) AT TIME ZONE 'Europe/Paris')::date, %s, o.id::text
			FROM offers o WHERE o.status = 'PUBLISHED' AND o.department = ANY($1::text[]) AND %s BETWEEN $2::date AND $3::date
		) x
	) y WHERE rn <= GREATEST($4, 1)`, factAlerts(), model.NetworkAlertKindOrientationUnanswered, model.NetworkAlertKindStaleOffer,
		dueExpr, dueExpr), deps, today, sunday, first)
	if err != nil {
		return err
	}
	out.DueThisWeek = groupAlerts(rows, first)
	return nil
}
