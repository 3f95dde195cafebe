package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The needs-versus-offer gap with the beneficiaries' languages and French level (issue
// 17): A speaks Dari (prs) at A1, B Dari and Persian (fa) at A1, C Arabic at A2, D has no
// language recorded and is below A1; all four need French (their latest level counts). The offers: O1 in French and Arabic, no level
// required, 10 places; O2 in Dari, A2 required, capacity not given.
//   - prs/A1 (A) and fa,prs/A1 (B): O1 is neither in their languages nor followable in
//     French at A1; O2 requires A2: no offer serves them, the need is missing for them;
//   - ar/A2 (C): O1 (Arabic), 10 places: served;
//   - none/BELOW_A1 (D): no language condition; O1 requires nothing: served.
//
// For the territory 4 beneficiaries, 2 offers, 10 known places, one without capacity:
// not missing by the old count, missing for the Dari speakers. Then O3, in Dari with no
// level required and no capacity, serves them: the gap becomes « capacité inconnue ».
func TestNetworkOverview_NeedsGapByLanguageAndLevel(t *testing.T) {
	env := socialEnv(t, "2026-06-15")
	d := newIndicatorData(t, env)
	d.exec(t, `TRUNCATE offers CASCADE`)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	for _, p := range []struct{ name, languages, level string }{
		{"A", "{prs}", "A1"}, {"B", "{prs,fa}", "A1"}, {"C", "{ar}", "A2"}, {"D", "{}", "BELOW_A1"},
	} {
		d.add(t, journeySpec{name: p.name, referred: "2026-01-10", welcome: "2026-01-20"})
		d.exec(t, `UPDATE beneficiaries SET languages = $2::text[] WHERE id = $1`, d.ids[p.name], p.languages)
		d.exec(t, `INSERT INTO professional_diagnostics (beneficiary_id, assessed_on, education_level, barriers, author_subject, created_at)
			VALUES ($1, '2026-02-01', 'PRIMARY', '[{"kind": "FRENCH", "severity": "HIGH"}]'::jsonb, 'test', now())`, d.ids[p.name])
		d.exec(t, `INSERT INTO french_levels (beneficiary_id, level, assessed_on, source, author_subject, created_at)
			VALUES ($1, 'BELOW_A1', '2025-12-01', 'OFII_CIR_TEST', 'test', now()), ($1, $2, '2026-02-01', 'TRAINING_BODY', 'test', now())`,
			d.ids[p.name], p.level)
	}
	offer := func(name, languages string, level, capacity any) {
		d.exec(t, `INSERT INTO offers (structure_id, nom, description, thematiques, status, department, langues, niveau_francais_requis,
				capacite, date_maj, created_at, updated_at)
			VALUES ($1, $2, 'description de l''offre', ARRAY['lecture-ecriture-calcul--maitriser-le-francais'], 'PUBLISHED', '69',
				$3::text[], $4, $5, '2026-06-01', now(), now())`, d.partner, name, languages, level, capacity)
	}
	offer("Offre O1", "{fr,ar}", nil, 10)
	offer("Offre O2", "{prs}", "A2", nil)

	type group struct {
		Languages                                            []string
		FrenchLevel                                          *string
		Beneficiaries, Offers, Places, OffersWithoutCapacity int
		Missing, CapacityUnknown                             bool
	}
	french := func() (need struct {
		Beneficiaries, Offers, Places, OffersWithoutCapacity int
		Missing, CapacityUnknown                             bool
		Groups                                               []group
	}) {
		var out struct {
			NetworkOverview struct {
				NeedsGap []struct {
					Need                                                 string
					Beneficiaries, Offers, Places, OffersWithoutCapacity int
					Missing, CapacityUnknown                             bool
					Groups                                               []group
				}
			}
		}
		env.MustDo(coordinator, `{ networkOverview(territory: ["69"]) { needsGap { need beneficiaries offers places offersWithoutCapacity
			missing capacityUnknown groups { languages frenchLevel beneficiaries offers places offersWithoutCapacity missing capacityUnknown } } } }`,
			nil, &out)
		for _, g := range out.NetworkOverview.NeedsGap {
			if g.Need == "FRENCH" {
				need.Beneficiaries, need.Offers, need.Places, need.OffersWithoutCapacity = g.Beneficiaries, g.Offers, g.Places, g.OffersWithoutCapacity
				need.Missing, need.CapacityUnknown, need.Groups = g.Missing, g.CapacityUnknown, g.Groups
			}
		}
		return need
	}
	show := func(gs []group) string {
		var s []string
		for _, g := range gs {
			level := "?"
			if g.FrenchLevel != nil {
				level = *g.FrenchLevel
			}
			s = append(s, fmt.Sprintf("%s/%s:%d %d %d %d %v %v", strings.Join(g.Languages, ","), level, g.Beneficiaries, g.Offers, g.Places,
				g.OffersWithoutCapacity, g.Missing, g.CapacityUnknown))
		}
		return strings.Join(s, " | ")
	}

	t.Run("MissingForTheDariSpeakersAtA1", func(t *testing.T) {
		n := french()
		if n.Beneficiaries != 4 || n.Offers != 2 || n.Places != 10 || n.OffersWithoutCapacity != 1 || !n.Missing || n.CapacityUnknown {
			t.Errorf("FRENCH: %+v", n)
		}
		// largest group first, then by languages
		want := "/BELOW_A1:1 1 10 0 false false | ar/A2:1 1 10 0 false false | fa,prs/A1:1 0 0 0 true false | prs/A1:1 0 0 0 true false"
		if got := show(n.Groups); got != want {
			t.Errorf("groups:\n got %s\nwant %s", got, want)
		}
	})
	t.Run("CapacityUnknownWhenADariOfferGivesNoPlaces", func(t *testing.T) {
		offer("Offre O3", "{prs}", nil, nil)
		n := french()
		if n.Missing || !n.CapacityUnknown || n.Offers != 3 {
			t.Errorf("FRENCH: %+v", n)
		}
		want := "/BELOW_A1:1 2 10 1 false false | ar/A2:1 1 10 0 false false | fa,prs/A1:1 1 0 1 false true | prs/A1:1 1 0 1 false true"
		if got := show(n.Groups); got != want {
			t.Errorf("groups:\n got %s\nwant %s", got, want)
		}
	})
}
