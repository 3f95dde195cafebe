package graph_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

func TestDemoPartnership(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleCoordinator)
	var d struct {
		Offers        struct{ TotalCount int }
		Stale         struct{ TotalCount int } `json:"stale"`
		NetworkEvents struct{ TotalCount int }
		EmergingNeeds struct{ TotalCount int }
		GoodPractices struct{ TotalCount int }
	}
	env.MustDo(p, `{ offers(first: 1) { totalCount } stale: offers(first: 1, filter: {freshness: STALE}) { totalCount }
		networkEvents(first: 1) { totalCount } emergingNeeds(first: 1) { totalCount } goodPractices(first: 1) { totalCount } }`, nil, &d)
	if d.Offers.TotalCount < 200 || d.Stale.TotalCount == 0 || d.Stale.TotalCount >= d.Offers.TotalCount ||
		d.NetworkEvents.TotalCount != 6 || d.EmergingNeeds.TotalCount != 6 || d.GoodPractices.TotalCount != 5 {
		t.Fatalf("demo = %+v", d)
	}
}

// myStructure returns the id of p's structure and the ids and versions of its published offers.
func myStructure(t *testing.T, env *graphtest.Env, p *model.Principal) (string, []offerRef) {
	t.Helper()
	var d struct {
		Me struct {
			Structure struct {
				ID     string
				Offers struct{ Nodes []offerRef }
			}
		}
	}
	env.MustDo(p, `{ me { structure { id offers(first: 50) { nodes { id version name } } } } }`, nil, &d)
	return d.Me.Structure.ID, d.Me.Structure.Offers.Nodes
}

type offerRef struct {
	ID      string
	Version int
	Name    string
}

type userErrorsPayload struct {
	UserErrors []struct {
		Code    string
		Field   []string
		Message string
	}
}

func (p userErrorsPayload) code() string {
	if len(p.UserErrors) == 0 {
		return ""
	}
	return p.UserErrors[0].Code
}

const offerFieldsVar = `{"name": "Atelier emploi et français", "description": "Atelier hebdomadaire qui combine français professionnel et recherche d'emploi.",
	"serviceType": "atelier", "themes": ["lecture-ecriture-calcul--maitriser-le-francais"], "publics": ["personnes-exilees"],
	"cost": "gratuit", "receptionModes": ["en-presentiel"], "address": "5 place Bellecour", "postalCode": "69002", "city": "Lyon",
	"latitude": 45.7578, "longitude": 4.832, "openingHours": "Tu 14:00-16:00", "spokenLanguages": ["fr", "ar"],
	"frenchLevelRequired": "A1", "capacity": 12, "sessions": [{"startsOn": "2026-12-01", "endsOn": "2027-02-28"}]}`

func fieldsVar(t *testing.T, change func(map[string]any)) map[string]any {
	t.Helper()
	var m map[string]any
	if err := jsonUnmarshal(offerFieldsVar, &m); err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(m)
	}
	return m
}

const createOffer = `mutation($s: ID!, $f: OfferFieldsInput!) { createOffer(input: {structureId: $s, fields: $f}) {
	offer { id version status department qualityScore freshness structure { name } history(first: 5) { totalCount nodes { action actorRole } } }
	userErrors { code field message } } }`

func TestOfferSelfService(t *testing.T) {
	env := demoEnv(t)
	partner := demoPrincipal(t, env, model.RolePartnerEditor) // Mission locale de Lyon
	other := principal(t, env, "fatou.ndiaye@greta.demo.agir.local")
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	mine, _ := myStructure(t, env, partner)
	theirs, theirOffers := myStructure(t, env, other)
	if len(theirOffers) == 0 {
		t.Fatal("GRETA has no offers")
	}
	var created struct {
		CreateOffer struct {
			userErrorsPayload
			Offer struct {
				ID, Status, Department, Freshness string
				Version                           int
				QualityScore                      float64
				Structure                         struct{ Name string }
				History                           struct {
					TotalCount int
					Nodes      []struct{ Action, ActorRole string }
				}
			}
		}
	}
	t.Run("OK", func(t *testing.T) {
		env.MustDo(partner, createOffer, map[string]any{"s": mine, "f": fieldsVar(t, nil)}, &created)
		o := created.CreateOffer.Offer
		if created.CreateOffer.code() != "" || o.Status != "DRAFT" || o.Department != "69" || o.Freshness != "FRESH" ||
			o.Structure.Name != "Mission locale de Lyon" || o.History.TotalCount != 1 || o.History.Nodes[0].Action != "createOffer" {
			t.Fatalf("created %+v", created.CreateOffer)
		}
		if o.QualityScore != 0.7 { // no mobilisation, no eligibility zone, description under 200 characters
			t.Fatalf("quality %v", o.QualityScore)
		}
	})
	id := created.CreateOffer.Offer.ID
	t.Run("ErrCreateForAnotherStructure", func(t *testing.T) {
		var d struct{ CreateOffer userErrorsPayload }
		env.MustDo(partner, createOffer, map[string]any{"s": theirs, "f": fieldsVar(t, nil)}, &d)
		if d.CreateOffer.code() != "FORBIDDEN" {
			t.Fatalf("got %+v", d)
		}
	})
	update := `mutation($id: ID!, $v: Int!, $f: OfferFieldsInput!) { updateOffer(input: {id: $id, version: $v, fields: $f}) {
		offer { version name history(first: 10) { nodes { action changes } } } userErrors { code field } } }`
	t.Run("UpdateOwn", func(t *testing.T) {
		var d struct {
			UpdateOffer struct {
				userErrorsPayload
				Offer struct {
					Version int
					Name    string
					History struct {
						Nodes []struct{ Action, Changes string }
					}
				}
			}
		}
		env.MustDo(partner, update, map[string]any{"id": id, "v": 1, "f": fieldsVar(t, func(m map[string]any) { m["name"] = "Atelier emploi" })}, &d)
		h := d.UpdateOffer.Offer.History.Nodes
		if d.UpdateOffer.code() != "" || d.UpdateOffer.Offer.Version != 2 || len(h) != 2 || h[0].Action != "updateOffer" ||
			!strings.Contains(h[0].Changes, `"name": {"after": "Atelier emploi", "before": "Atelier emploi et français"}`) {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("ErrVersionConflict", func(t *testing.T) {
		var d struct{ UpdateOffer userErrorsPayload }
		env.MustDo(partner, update, map[string]any{"id": id, "v": 1, "f": fieldsVar(t, nil)}, &d)
		if d.UpdateOffer.code() != "VERSION_CONFLICT" {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("ErrPartnerCannotTouchAnothersOffer", func(t *testing.T) {
		target := theirOffers[0]
		var u struct{ UpdateOffer userErrorsPayload }
		env.MustDo(partner, update, map[string]any{"id": target.ID, "v": target.Version, "f": fieldsVar(t, nil)}, &u)
		var a struct{ ArchiveOffer userErrorsPayload }
		env.MustDo(partner, `mutation($id: ID!, $v: Int!) { archiveOffer(input: {id: $id, version: $v}) { userErrors { code } } }`,
			map[string]any{"id": target.ID, "v": target.Version}, &a)
		var m struct{ MarkOffersUpToDate userErrorsPayload }
		env.MustDo(partner, `mutation($ids: [ID!]!) { markOffersUpToDate(input: {ids: $ids}) { offers { id } userErrors { code field } } }`,
			map[string]any{"ids": []string{id, target.ID}}, &m)
		if u.UpdateOffer.code() != "FORBIDDEN" || a.ArchiveOffer.code() != "FORBIDDEN" || m.MarkOffersUpToDate.code() != "FORBIDDEN" ||
			strings.Join(m.MarkOffersUpToDate.UserErrors[0].Field, ".") != "input.ids.1" {
			t.Fatalf("update %+v archive %+v mark %+v", u, a, m)
		}
		var after struct {
			Offer struct {
				Version int
				Name    string
			}
		}
		env.MustDo(other, `query($id: ID!) { offer(id: $id) { version name } }`, map[string]any{"id": target.ID}, &after)
		if after.Offer.Version != target.Version || after.Offer.Name != target.Name {
			t.Fatalf("offer changed: %+v", after)
		}
		r := env.Do(partner, `mutation($id: ID!) { publishOffer(input: {id: $id, version: 2}) { userErrors { code } } }`, map[string]any{"id": id})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("partner publish: %+v", r.Errors)
		}
	})
	t.Run("DraftsHiddenFromOthers", func(t *testing.T) {
		var d struct{ Offer *struct{ ID string } }
		env.MustDo(other, `query($id: ID!) { offer(id: $id) { id } }`, map[string]any{"id": id}, &d)
		if d.Offer != nil {
			t.Fatal("another partner sees a draft")
		}
		env.MustDo(coordinator, `query($id: ID!) { offer(id: $id) { id } }`, map[string]any{"id": id}, &d)
		if d.Offer == nil {
			t.Fatal("the coordinator does not see the draft of its territory")
		}
	})
	t.Run("CoordinatorPublishesThenPartnerArchives", func(t *testing.T) {
		var pub struct {
			PublishOffer struct {
				userErrorsPayload
				Offer struct {
					Status  string
					Version int
				}
			}
		}
		env.MustDo(coordinator, `mutation($id: ID!) { publishOffer(input: {id: $id, version: 2}) { offer { status version } userErrors { code } } }`,
			map[string]any{"id": id}, &pub)
		var arch struct {
			ArchiveOffer struct {
				userErrorsPayload
				Offer struct {
					Status  string
					History struct{ TotalCount int }
				}
			}
		}
		env.MustDo(partner, `mutation($id: ID!) { archiveOffer(input: {id: $id, version: 3}) { offer { status history { totalCount } } userErrors { code } } }`,
			map[string]any{"id": id}, &arch)
		if pub.PublishOffer.Offer.Status != "PUBLISHED" || arch.ArchiveOffer.Offer.Status != "ARCHIVED" || arch.ArchiveOffer.Offer.History.TotalCount != 4 {
			t.Fatalf("publish %+v archive %+v", pub, arch)
		}
	})
}

func TestOfferBadInput(t *testing.T) {
	env := demoEnv(t)
	partner := demoPrincipal(t, env, model.RolePartnerEditor)
	mine, _ := myStructure(t, env, partner)
	count := func() int {
		var d struct{ Offers struct{ TotalCount int } }
		env.MustDo(partner, `{ offers(first: 1, filter: {status: DRAFT}) { totalCount } }`, nil, &d)
		return d.Offers.TotalCount
	}
	before := count()
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		code   string
		field  string
	}{
		{"ErrUnknownThematique", func(m map[string]any) { m["themes"] = []string{"francais"} }, "UNKNOWN_VALUE", "themes"},
		{"ErrUnknownPublic", func(m map[string]any) { m["publics"] = []string{"refugies"} }, "UNKNOWN_VALUE", "publics"},
		{"ErrTousPublicsMixed", func(m map[string]any) { m["publics"] = []string{"tous-publics", "femmes"} }, "INVALID_INPUT", "publics"},
		{"ErrOutsideFrance", func(m map[string]any) { m["latitude"], m["longitude"] = 52.52, 13.405 }, "OUT_OF_RANGE", "latitude"},
		{"ErrOpeningHours", func(m map[string]any) { m["openingHours"] = "du lundi au vendredi" }, "INVALID_OPENING_HOURS", "openingHours"},
		{"ErrFrequency", func(m map[string]any) { m["updateFrequencyMonths"] = 0 }, "OUT_OF_RANGE", "updateFrequencyMonths"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d struct{ CreateOffer userErrorsPayload }
			env.MustDo(partner, createOffer, map[string]any{"s": mine, "f": fieldsVar(t, tc.change)}, &d)
			ue := d.CreateOffer.UserErrors
			if len(ue) != 1 || ue[0].Code != tc.code || strings.Join(ue[0].Field, ".") != "input.fields."+tc.field || ue[0].Message == "" {
				t.Fatalf("got %+v", ue)
			}
		})
	}
	if after := count(); after != before {
		t.Fatalf("drafts %d -> %d: a rejected offer was written", before, after)
	}
	t.Run("ErrSIRETChecksum", func(t *testing.T) {
		var d struct{ CreateStructure userErrorsPayload }
		env.MustDo(demoPrincipal(t, env, model.RoleAdmin), `mutation { createStructure(input: {fields: {name: "Centre social Le Tournesol",
			agirRole: LOCAL_PARTNER, departments: ["69"], siret: "13003013300017"}}) { structure { id } userErrors { code field } } }`, nil, &d)
		if d.CreateStructure.code() != "INVALID_SIRET" {
			t.Fatalf("got %+v", d)
		}
	})
}

// earthDistance is PostgreSQL earthdistance's great-circle distance in metres (a sphere of
// radius 6378168 m).
func earthDistance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	a := math.Sin(lat1*rad)*math.Sin(lat2*rad) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Cos((lon2-lon1)*rad)
	return 6378168 * math.Acos(math.Min(1, a))
}

func TestOfferSearchByDistance(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleSocialWorker)
	type node struct {
		ID                  string
		Latitude, Longitude float64
		DistanceKm          *float64
	}
	// every published offer, to compute the expected answer
	var all []node
	var after any
	for {
		var d struct {
			Offers struct {
				Nodes    []node
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		env.MustDo(p, `query($a: String) { offers(first: 100, after: $a) { nodes { id latitude longitude } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"a": after}, &d)
		all = append(all, d.Offers.Nodes...)
		if !d.Offers.PageInfo.HasNextPage {
			break
		}
		after = d.Offers.PageInfo.EndCursor
	}
	centre := [2]float64{45.7640, 4.8357} // Lyon, Hôtel de Ville
	const radius = 5.0
	type want struct {
		id string
		d  float64
	}
	var expected []want
	for _, o := range all {
		if d := earthDistance(centre[0], centre[1], o.Latitude, o.Longitude); d <= radius*1000 {
			expected = append(expected, want{o.ID, d})
		}
	}
	slices.SortFunc(expected, func(a, b want) int {
		if a.d < b.d {
			return -1
		}
		return 1
	})
	if len(expected) < 20 || len(expected) > len(all)-20 {
		t.Fatalf("bad fixture: %d of %d offers within %v km", len(expected), len(all), radius)
	}
	// pages of 7, following cursors, ordered by distance
	var got []node
	after = nil
	total := 0
	for {
		var d struct {
			Offers struct {
				TotalCount int
				Nodes      []node
				PageInfo   struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		env.MustDo(p, `query($a: String, $near: NearInput!) { offers(first: 7, after: $a, filter: {near: $near}) {
			totalCount nodes { id latitude longitude distanceKm } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"a": after, "near": map[string]any{"latitude": centre[0], "longitude": centre[1], "radiusKm": radius}}, &d)
		got = append(got, d.Offers.Nodes...)
		// The first page counts in its own statement (count(*) OVER ()), the next ones
		// with the count statement: the same total on every page.
		if after != nil && d.Offers.TotalCount != total {
			t.Fatalf("total %d after %d offers, %d on the first page", d.Offers.TotalCount, len(got), total)
		}
		total = d.Offers.TotalCount
		if !d.Offers.PageInfo.HasNextPage {
			break
		}
		after = d.Offers.PageInfo.EndCursor
	}
	if len(got) != len(expected) || total != len(expected) {
		t.Fatalf("got %d offers (total %d), want %d", len(got), total, len(expected))
	}
	for i, o := range got {
		if o.ID != expected[i].id && math.Abs(expected[i].d-*o.DistanceKm*1000) > 0.01 {
			t.Fatalf("offer %d: %s at %.1f m, want %s at %.1f m", i, o.ID, *o.DistanceKm*1000, expected[i].id, expected[i].d)
		}
		if math.Abs(*o.DistanceKm*1000-expected[i].d) > 1 {
			t.Fatalf("offer %d: distance %.1f m, want %.1f m", i, *o.DistanceKm*1000, expected[i].d)
		}
	}
	t.Run("ErrOutsideFrance", func(t *testing.T) {
		r := env.Do(p, `{ offers(filter: {near: {latitude: 40.4, longitude: -3.7, radiusKm: 5}}) { totalCount } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "OUT_OF_RANGE" {
			t.Fatalf("got %+v", r.Errors)
		}
	})
}

func TestOfferSearchFilters(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	count := func(filter string) int {
		var d struct{ Offers struct{ TotalCount int } }
		env.MustDo(p, `{ offers(first: 1, filter: `+filter+`) { totalCount } }`, nil, &d)
		return d.Offers.TotalCount
	}
	all := count(`{}`)
	for _, tc := range []struct{ name, filter string }{
		{"Department", `{department: "38"}`},
		{"Theme", `{themes: ["lecture-ecriture-calcul--maitriser-le-francais"]}`},
		{"ThemeCategory", `{themeCategory: "logement-hebergement"}`},
		{"Public", `{public: "femmes"}`},
		{"Language", `{language: "ar"}`},
		{"Cost", `{cost: "payant"}`},
		{"ReceptionMode", `{receptionMode: "a-distance"}`},
		{"FrenchLevel", `{frenchLevel: A1}`},
		{"MinQuality", `{minQuality: 0.9}`},
		{"Stale", `{freshness: STALE}`},
		{"Fresh", `{freshness: FRESH}`},
		{"TextAccentInsensitive", `{text: "francais"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n := count(tc.filter); n == 0 || n >= all {
				t.Fatalf("%s: %d of %d", tc.filter, n, all)
			}
		})
	}
	t.Run("TextMatchesWithAndWithoutAccents", func(t *testing.T) {
		if a, b := count(`{text: "français"}`), count(`{text: "FRANCAIS"}`); a != b || a == 0 {
			t.Fatalf("%d vs %d", a, b)
		}
	})
	t.Run("PublicIncludesTousPublics", func(t *testing.T) {
		if count(`{public: "seniors"}`) == 0 {
			t.Fatal("tous-publics offers are open to seniors")
		}
	})
	for _, tc := range []struct{ name, filter, code string }{
		{"ErrUnknownTheme", `{themes: ["nope"]}`, "UNKNOWN_VALUE"},
		{"ErrUnknownPublic", `{public: "refugies"}`, "UNKNOWN_VALUE"},
		{"ErrMinQuality", `{minQuality: 2}`, "OUT_OF_RANGE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Do(p, `{ offers(filter: `+tc.filter+`) { totalCount } }`, nil)
			if len(r.Errors) != 1 || r.Errors[0].Code() != tc.code {
				t.Fatalf("got %+v", r.Errors)
			}
		})
	}
	t.Run("ErrTextTooLong", func(t *testing.T) {
		// 20 000 words answered INTERNAL (the text-search parser's stack).
		r := env.Do(p, `query($t: String) { offers(first: 5, filter: {text: $t}) { totalCount } }`,
			map[string]any{"t": strings.Repeat("emploi ", 20000)})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID_INPUT" || fmt.Sprint(r.Errors[0].Extensions["field"]) != "[filter text]" ||
			!strings.Contains(r.Errors[0].Message, "200 au plus") {
			t.Fatalf("20 000 words: %+v", r.Errors)
		}
		count(`{text: "` + strings.TrimSpace(strings.Repeat("emploi ", 28)) + `"}`) // 195 characters: accepted (MustDo)
	})
}

func TestOfferFreshnessAndVerification(t *testing.T) {
	env := demoEnv(t)
	partner := demoPrincipal(t, env, model.RolePartnerEditor)
	type counts struct{ Total, Fresh, DueSoon, Stale int }
	var before struct {
		Me struct {
			Structure struct {
				OfferFreshness counts
				QualityScore   *float64
				Stale          struct{ Nodes []struct{ ID string } } `json:"stale"`
			}
		}
	}
	q := `{ me { structure { offerFreshness { total fresh dueSoon stale } qualityScore stale: offers(first: 50) { nodes { id freshness } } } } }`
	env.MustDo(partner, q, nil, &before)
	c := before.Me.Structure.OfferFreshness
	if c.Total == 0 || c.Fresh+c.DueSoon+c.Stale != c.Total || before.Me.Structure.QualityScore == nil {
		t.Fatalf("counts %+v", before.Me.Structure)
	}
	var ids []string
	for _, n := range before.Me.Structure.Stale.Nodes {
		ids = append(ids, n.ID)
	}
	var m struct {
		MarkOffersUpToDate struct {
			userErrorsPayload
			Offers []struct {
				Freshness  string
				VerifiedBy struct{ Name string }
			}
		}
	}
	env.MustDo(partner, `mutation($ids: [ID!]!) { markOffersUpToDate(input: {ids: $ids}) { offers { freshness verifiedBy { name } } userErrors { code } } }`,
		map[string]any{"ids": ids}, &m)
	if m.MarkOffersUpToDate.code() != "" || len(m.MarkOffersUpToDate.Offers) != len(ids) {
		t.Fatalf("mark %+v", m)
	}
	for _, o := range m.MarkOffersUpToDate.Offers {
		if o.Freshness != "FRESH" || o.VerifiedBy.Name != "Julien Moreau" {
			t.Fatalf("after verification %+v", o)
		}
	}
	var after struct {
		Me struct {
			Structure struct{ OfferFreshness counts }
		}
	}
	env.MustDo(partner, `{ me { structure { offerFreshness { total fresh dueSoon stale } } } }`, nil, &after)
	if a := after.Me.Structure.OfferFreshness; a.Total != c.Total || a.Fresh != c.Total || a.Stale != 0 {
		t.Fatalf("after %+v, before %+v", a, c)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// offers(filter: {frenchLevel: L}) returns exactly the offers open at L
// (model.OfferOpenAt): at BELOW_A1, only those that require no level (issue 17, defect 4).
func TestOfferSearch_FrenchLevelIsAnUpperBound(t *testing.T) {
	env := demoEnv(t)
	p := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	type node struct{ FrenchLevelRequired *model.CefrLevel }
	all := func(filter string) []node {
		var out []node
		after := ""
		for {
			var d struct {
				Offers struct {
					Nodes    []node
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			env.MustDo(p, `query($after: String) { offers(first: 100, after: $after, filter: `+filter+`) {
				nodes { frenchLevelRequired } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": nilIfEmpty(after)}, &d)
			out = append(out, d.Offers.Nodes...)
			if !d.Offers.PageInfo.HasNextPage {
				return out
			}
			after = d.Offers.PageInfo.EndCursor
		}
	}
	every := all(`{}`)
	for _, level := range model.AllCefrLevel {
		t.Run(string(level), func(t *testing.T) {
			want := 0
			for _, o := range every {
				if model.OfferOpenAt(o.FrenchLevelRequired, level) {
					want++
				}
			}
			got := all(`{frenchLevel: ` + string(level) + `}`)
			for _, o := range got {
				if !model.OfferOpenAt(o.FrenchLevelRequired, level) {
					t.Fatalf("an offer requiring %s is returned at %s", *o.FrenchLevelRequired, level)
				}
			}
			if len(got) != want || want == 0 {
				t.Fatalf("%d offers at %s, want %d", len(got), level, want)
			}
		})
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
