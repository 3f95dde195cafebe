package db

import (
	"context"
	"fmt"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// needGapGroups computes the needs-versus-offer gap by the beneficiaries' languages and
// French level (issue 17): for each need of the journeys in progress (found as
// overviewGap finds them), the beneficiaries grouped by the languages they speak and
// their latest French level, and the published offers of the territory answering the
// need that serve each group (model.OfferServes, in SQL: the offer search's level rank,
// the languages spoken at the offer, French from model.FrenchFollowedFrom).
func needGapGroups(ctx context.Context, tx *Tx, deps any) (map[model.NeedKind][]model.NeedGapGroup, error) {
	var needs, themes []string
	for _, k := range model.AllNeedKind {
		for _, t := range model.NeedThematiques[k] {
			needs, themes = append(needs, string(k)), append(themes, t)
		}
	}
	var rows []struct {
		Need            model.NeedKind   `db:"need"`
		Languages       stringArray      `db:"languages"`
		Level           *model.CefrLevel `db:"level"`
		Beneficiaries   int              `db:"beneficiaries"`
		Offers          int              `db:"offers"`
		Places          int              `db:"places"`
		WithoutCapacity int              `db:"without_capacity"`
	}
	err := tx.SelectContext(ctx, &rows, fmt.Sprintf(`WITH`+activeNeedsCTE+`		person AS (
			SELECT f.need, ARRAY(SELECT DISTINCT l FROM unnest(b.languages) l ORDER BY l) AS languages, fl.level
			FROM found f JOIN act b ON b.id = f.beneficiary_id
			LEFT JOIN LATERAL (SELECT x.level FROM french_levels x WHERE x.beneficiary_id = b.id
				ORDER BY x.assessed_on DESC, x.created_at DESC LIMIT 1) fl ON true),
		grp AS MATERIALIZED (
			SELECT need, languages, level, %[1]s AS rank, count(*) AS beneficiaries FROM person GROUP BY need, languages, level),
		answers AS (SELECT need, theme FROM unnest($2::text[], $3::text[]) AS t(need, theme)),
		matched AS MATERIALIZED (
			SELECT DISTINCT an.need, o.id, o.capacite, o.niveau_francais_rang AS required_rank,
				CASE WHEN cardinality(o.langues) = 0 THEN ARRAY['fr'] ELSE o.langues END AS langues
			FROM offers o CROSS JOIN LATERAL unnest(o.thematiques) AS th(theme)
			JOIN answers an ON th.theme = an.theme OR th.theme LIKE an.theme || '--%%'
			WHERE o.status = 'PUBLISHED' AND o.department = ANY($1::text[]))
		SELECT g.need, g.languages, g.level, g.beneficiaries,
			count(m.id) AS offers, COALESCE(sum(m.capacite), 0) AS places,
			count(m.id) FILTER (WHERE m.capacite IS NULL) AS without_capacity
		FROM grp g LEFT JOIN matched m ON m.need = g.need
			AND (g.rank IS NULL OR m.required_rank <= g.rank)
			AND (cardinality(g.languages) = 0 OR m.langues && g.languages OR ('fr' = ANY(m.langues) AND g.rank >= $4))
		GROUP BY g.need, g.languages, g.level, g.beneficiaries
		ORDER BY g.need, g.beneficiaries DESC, g.languages, g.level`, cefrRank("level")),
		deps, needs, themes, model.FrenchFollowedFrom.Rank())
	if err != nil {
		return nil, fmt.Errorf("needs gap by language and level: %w", err)
	}
	out := map[model.NeedKind][]model.NeedGapGroup{}
	for _, r := range rows {
		out[r.Need] = append(out[r.Need], model.NeedGapGroup{Languages: model.NonNilStrings(r.Languages), FrenchLevel: r.Level,
			Beneficiaries: r.Beneficiaries, Offers: r.Offers, Places: r.Places, OffersWithoutCapacity: r.WithoutCapacity})
	}
	return out, nil
}

// judgeNeedsGap sets the groups of each need of gaps and judges it from them
// (model.JudgeNeedGap).
func judgeNeedsGap(ctx context.Context, tx *Tx, deps any, gaps []model.NeedGap) error {
	groups, err := needGapGroups(ctx, tx, deps)
	if err != nil {
		return err
	}
	for i := range gaps {
		model.JudgeNeedGap(&gaps[i], groups[gaps[i].Need])
	}
	return nil
}
