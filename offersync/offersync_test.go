package offersync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/db/demo"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/offersync"
)

func TestMain(m *testing.M) {
	dbtest.Main(m, func(ctx context.Context, url string) error {
		_, err := db.Migrate(ctx, url)
		return err
	})
}

// ---------------------------------------------------------------------------------------
// Fixtures: data·inclusion v1 records built from the project's v1 types, checked against
// the shared JSON Schemas, then given the API's extra fields (score_qualite, doublons).
// ---------------------------------------------------------------------------------------

// diRecord marshals a v1 record, checks it against schema (unless broken, a record meant
// to be refused) and adds the API's fields.
func diRecord(t *testing.T, schema *jsonschema.Schema, v any, broken bool, extra map[string]any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); (err == nil) == broken {
		t.Fatalf("fixture valid=%v against v1, want %v: %v\n%s", err == nil, !broken, err, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "extension_agir") // the API speaks plain v1
	m["score_qualite"] = 0.8
	for k, x := range extra {
		m[k] = x
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// fakeDI is data·inclusion's API: /api/v1/structures and /api/v1/services by department,
// paginated by page and size, behind a bearer token.
type fakeDI struct {
	mu         sync.Mutex
	token      string
	structures map[string][]json.RawMessage // by department
	services   map[string][]json.RawMessage
	// shiftOnce inserts this record at the head of the services list the first time page
	// 2 is read, as a record created at the source during the read would
	shiftOnce json.RawMessage
	// shiftEvery, when set, makes a new record at the head of the list every time page 2
	// is read: the reader never sees a stable list
	shiftEvery func(n int) json.RawMessage
	shifts     int
	delay      time.Duration
	requests   int
}

func (f *fakeDI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if f.delay > 0 {
		f.mu.Unlock()
		time.Sleep(f.delay)
		f.mu.Lock()
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		http.Error(w, `{"detail":"Not authenticated"}`, http.StatusUnauthorized)
		return
	}
	dep := r.URL.Query().Get("code_departement")
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	size, _ := strconv.Atoi(r.URL.Query().Get("size"))
	if page < 1 || size < 1 {
		http.Error(w, "bad page", http.StatusUnprocessableEntity)
		return
	}
	var list []json.RawMessage
	switch r.URL.Path {
	case "/api/v1/structures":
		list = f.structures[dep]
	case "/api/v1/services":
		if page == 2 && f.shiftOnce != nil {
			f.services[dep] = append([]json.RawMessage{f.shiftOnce}, f.services[dep]...)
			f.shiftOnce = nil
		}
		if page == 2 && f.shiftEvery != nil {
			f.shifts++
			f.services[dep] = append([]json.RawMessage{f.shiftEvery(f.shifts)}, f.services[dep]...)
		}
		list = f.services[dep]
	default:
		http.NotFound(w, r)
		return
	}
	from, to := min((page-1)*size, len(list)), min(page*size, len(list))
	items := list[from:to]
	if items == nil {
		items = []json.RawMessage{}
	}
	pages := (len(list) + size - 1) / size
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(map[string]any{"items": items, "total": len(list), "page": page, "size": len(items), "pages": pages}); err != nil {
		panic(err)
	}
}

// ---------------------------------------------------------------------------------------
// The API as a coordinator reads it
// ---------------------------------------------------------------------------------------

type syncRun struct {
	Origin, Department                    string
	Succeeded                             bool
	Error                                 *string
	Created, Updated, Unchanged, Archived int
	Rejected, MergeProposed, KeptClaimed  int
	Rows                                  []struct {
		Kind, ExternalID, Outcome string
		Reason                    *string
		Field                     []string
		Code                      *string
	}
}

const runsQuery = `query($f: OfferSyncRunFilter) { offerSyncRuns(filter: $f, first: 20) { totalCount nodes: edges { node {
	origin department succeeded error created updated unchanged archived rejected mergeProposed keptClaimed
	rows { kind externalId outcome reason field code } } } } }`

// lastRun is the latest run of origin for department, as the coordinator reads it.
func lastRun(t *testing.T, env *graphtest.Env, p *model.Principal, origin, department string) syncRun {
	t.Helper()
	var d struct {
		OfferSyncRuns struct {
			TotalCount int
			Nodes      []struct{ Node syncRun }
		}
	}
	env.MustDo(p, runsQuery, map[string]any{"f": map[string]any{"origin": origin, "department": department}}, &d)
	if len(d.OfferSyncRuns.Nodes) == 0 {
		t.Fatalf("no run of %s for %s", origin, department)
	}
	return d.OfferSyncRuns.Nodes[0].Node
}

type foundOffer struct {
	ID, Name, Origin, Source, DataInclusionID, Status string
	Structure                                         struct{ Name, Origin string }
}

const searchQuery = `query($f: OfferFilter) { offers(filter: $f, first: 50) { totalCount nodes: edges { node {
	id name origin source dataInclusionId status structure { name origin } } } } }`

func search(t *testing.T, env *graphtest.Env, p *model.Principal, filter map[string]any) []foundOffer {
	t.Helper()
	var d struct {
		Offers struct {
			Nodes []struct{ Node foundOffer }
		}
	}
	env.MustDo(p, searchQuery, map[string]any{"f": filter}, &d)
	out := []foundOffer{}
	for _, n := range d.Offers.Nodes {
		out = append(out, n.Node)
	}
	return out
}

func byDIID(offers []foundOffer, id string) *foundOffer {
	for i := range offers {
		if offers[i].DataInclusionID == id {
			return &offers[i]
		}
	}
	return nil
}

// offerFieldsQuery reads an offer's fields under their input names, to send them back.
const offerFieldsQuery = `query($id: ID!) { offer(id: $id) { version name description serviceType themes publics publicsDetails
	accessConditions cost costDetails receptionModes mobilisationModes mobilisableBy mobilisationDetails mobilisationLink
	sourceLink phone email contactName address addressComplement city postalCode inseeCode latitude longitude openingHours
	eligibilityZone durationWeeks weeklyHours spokenLanguages protectionStatuses frenchLevelRequired documentsRequired capacity } }`

const updateOffer = `mutation($id: ID!, $v: Int!, $f: OfferFieldsInput!) { updateOffer(input: {id: $id, version: $v, fields: $f}) {
	offer { name spokenLanguages frenchLevelRequired } userErrors { code field message } } }`

type userError struct {
	Code, Message string
	Field         []string
}

// editOffer reads an offer's fields, changes them with change and sends them back as p.
func editOffer(t *testing.T, env *graphtest.Env, p *model.Principal, id string, change func(map[string]any)) []userError {
	t.Helper()
	var d struct{ Offer map[string]any }
	env.MustDo(p, offerFieldsQuery, map[string]any{"id": id}, &d)
	version := int(d.Offer["version"].(float64))
	delete(d.Offer, "version")
	change(d.Offer)
	var r struct {
		UpdateOffer struct{ UserErrors []userError }
	}
	env.MustDo(p, updateOffer, map[string]any{"id": id, "v": version, "f": d.Offer}, &r)
	return r.UpdateOffer.UserErrors
}

func demoEnv(t *testing.T) (*graphtest.Env, *model.Principal) {
	t.Helper()
	env := graphtest.New(t)
	if _, err := demo.Load(context.Background(), env.Store); err != nil {
		t.Fatalf("demo: %v", err)
	}
	m, s, ok, err := env.Store.StaffMemberByLogin(context.Background(), "", "coordinator@demo.agir.local")
	if err != nil || !ok {
		t.Fatalf("coordinator: %v %v", ok, err)
	}
	return env, &model.Principal{Subject: "coordinator-test", Email: m.Email, Role: model.RoleCoordinator,
		StructureID: s.Key, Departments: s.Departments}
}

// ---------------------------------------------------------------------------------------
// data·inclusion
// ---------------------------------------------------------------------------------------

func TestDataInclusionSync(t *testing.T) {
	env, coordinator := demoEnv(t)
	ctx := context.Background()
	structureSchema, serviceSchema := graphtest.SharedDISchema(t, "structure.json"), graphtest.SharedDISchema(t, "service.json")

	// a demo partner of the Rhône, entered in AGIR: the source's copy of it must not be created
	var d struct {
		Structures struct {
			Nodes []struct {
				ID, Name, Origin                 string
				Siret, Address, PostalCode, City *string
			}
		}
	}
	env.MustDo(coordinator, `{ structures(filter: {department: "69", agirRole: LOCAL_PARTNER}, first: 1) { nodes { id name origin siret address postalCode city } } }`, nil, &d)
	partner := d.Structures.Nodes[0]
	if partner.Siret == nil || partner.Address == nil || partner.Origin != "AGIR" {
		t.Fatalf("demo partner %+v", partner)
	}

	newStructure := model.DIStructure{Source: "dora", ID: "dora--s1", Nom: "Association Accueil Lyon", DateMaj: "2026-11-02",
		Siret: ptr("44306184100047"), Adresse: ptr("3 rue Garibaldi"), Commune: ptr("Lyon"), CodePostal: ptr("69003"),
		CodeInsee: ptr("69383"), Latitude: ptr(45.7580), Longitude: ptr(4.8520)}
	copyOfPartner := model.DIStructure{Source: "soliguide", ID: "soliguide--p1", Nom: strings.ToUpper(partner.Name), DateMaj: "2026-10-01",
		Siret: partner.Siret, Adresse: ptr(strings.ToUpper(*partner.Address) + ","), CodePostal: partner.PostalCode, Commune: partner.City}
	course := model.DIService{Source: "dora", StructureID: "dora--s1", ID: "dora--v1", Nom: "Cours de français pour adultes",
		Description: "Cours collectifs de français langue étrangère, trois matinées par semaine.", DateMaj: "2026-11-02",
		Thematiques: []string{"lecture-ecriture-calcul--maitriser-le-francais"}, Publics: []string{"personnes-exilees"},
		Frais: ptr("gratuit"), ModesAccueil: []string{"en-presentiel"}, Adresse: ptr("3 rue Garibaldi"), Commune: ptr("Lyon"),
		CodePostal: ptr("69003"), CodeInsee: ptr("69383"), Latitude: ptr(45.7581), Longitude: ptr(4.8522)}
	help := course
	help.ID, help.Nom, help.Thematiques = "dora--v2", "Aide aux démarches administratives",
		[]string{"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives"}
	help.Description = "Permanence d'aide aux démarches, sans rendez-vous."
	job := course
	job.ID, job.Nom, job.Thematiques = "dora--v3", "Atelier CV et lettre de motivation",
		[]string{"preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"}
	job.Description = "Atelier collectif pour rédiger son CV."
	partnerService := course
	partnerService.Source, partnerService.StructureID, partnerService.ID, partnerService.Nom = "soliguide", "soliguide--p1", "soliguide--v9", "Permanence du partenaire"

	rec := func(v any) json.RawMessage {
		switch v.(type) {
		case model.DIStructure:
			return diRecord(t, structureSchema, v, false, map[string]any{"doublons": []any{}})
		}
		return diRecord(t, serviceSchema, v, false, nil)
	}
	fake := &fakeDI{token: "secret-token",
		structures: map[string][]json.RawMessage{"69": {rec(newStructure), rec(copyOfPartner)}},
		services:   map[string][]json.RawMessage{"69": {rec(course), rec(help), rec(partnerService)}},
		shiftOnce:  rec(job), // pagination shifts under the reader
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	syncer := offersync.Syncer{Store: env.Store, Departments: []string{"38", "69"},
		DataInclusion: &offersync.DataInclusion{BaseURL: srv.URL, Token: "secret-token", PageSize: 2}}
	origin := model.OfferOriginDataInclusion
	run := func(t *testing.T) {
		t.Helper()
		if _, err := syncer.Run(ctx, &origin, false); err != nil {
			t.Fatalf("sync: %v", err)
		}
	}

	t.Run("RoundTripWithPaginationShift", func(t *testing.T) {
		run(t)
		r := lastRun(t, env, coordinator, "DATA_INCLUSION", "69")
		// s1 and its three services (v3 arrived mid-read: read once, not twice); the copy of
		// the demo partner and its service proposed, not created
		if !r.Succeeded || r.Created != 4 || r.MergeProposed != 2 || r.Rejected+r.Updated+r.Archived+r.Unchanged != 0 {
			t.Fatalf("run %+v", r)
		}
		if e := lastRun(t, env, coordinator, "DATA_INCLUSION", "38"); !e.Succeeded || e.Created != 0 {
			t.Fatalf("run of 38 %+v", e)
		}
		near := search(t, env, coordinator, map[string]any{"near": map[string]any{"latitude": 45.758, "longitude": 4.852, "radiusKm": 2}})
		for _, id := range []string{"dora--v1", "dora--v2", "dora--v3"} {
			o := byDIID(near, id)
			if o == nil || o.Origin != "DATA_INCLUSION" || o.Source != "dora" || o.Status != "PUBLISHED" ||
				o.Structure.Name != "Association Accueil Lyon" || o.Structure.Origin != "DATA_INCLUSION" {
				t.Fatalf("%s near Lyon: %+v in %+v", id, o, near)
			}
		}
		if byDIID(near, "soliguide--v9") != nil {
			t.Fatal("the duplicate's service was created")
		}
	})

	var proposalID string
	t.Run("DuplicateProposedToCoordinator", func(t *testing.T) {
		var p struct {
			OfferMergeProposals struct {
				TotalCount int
				Nodes      []struct {
					Node struct {
						ID, Origin, ExternalID, Reason, Status, Record string
						Structure                                      struct{ ID string }
					}
				} `json:"edges"`
			}
		}
		env.MustDo(coordinator, `{ offerMergeProposals(first: 10) { totalCount edges { node { id origin externalId reason status record structure { id } } } } }`, nil, &p)
		if p.OfferMergeProposals.TotalCount != 1 {
			t.Fatalf("proposals %+v", p)
		}
		n := p.OfferMergeProposals.Nodes[0].Node
		if n.ExternalID != "soliguide--p1" || n.Reason != "SIRET_AND_ADDRESS" || n.Status != "PROPOSED" ||
			n.Structure.ID != partner.ID || !strings.Contains(n.Record, `"soliguide--p1"`) {
			t.Fatalf("proposal %+v", n)
		}
		proposalID = n.ID
	})

	t.Run("IdempotentRerun", func(t *testing.T) {
		run(t)
		r := lastRun(t, env, coordinator, "DATA_INCLUSION", "69")
		if !r.Succeeded || r.Unchanged != 6 || r.Created+r.Updated+r.Archived+r.Rejected+r.MergeProposed+r.KeptClaimed != 0 || len(r.Rows) != 0 {
			t.Fatalf("second run %+v", r)
		}
	})

	var courseID string
	lyon := map[string]any{"latitude": 45.758, "longitude": 4.852, "radiusKm": 2}
	t.Run("SourceFieldsReadOnly", func(t *testing.T) {
		courseID = byDIID(search(t, env, coordinator, map[string]any{"near": lyon}), "dora--v1").ID
		errs := editOffer(t, env, coordinator, courseID, func(f map[string]any) { f["name"] = "Cours renommé ici" })
		if len(errs) != 1 || errs[0].Code != "READ_ONLY_SOURCE" || !slices.Equal(errs[0].Field, []string{"input", "fields", "name"}) ||
			!strings.Contains(errs[0].Message, "data·inclusion") {
			t.Fatalf("rename of a synced offer: %+v", errs)
		}
		errs = editOffer(t, env, coordinator, courseID, func(f map[string]any) {
			f["spokenLanguages"], f["frenchLevelRequired"], f["protectionStatuses"] = []string{"ar", "fa"}, "A1", []string{"REFUGEE"}
		})
		if len(errs) != 0 {
			t.Fatalf("extension of a synced offer refused: %+v", errs)
		}
	})

	t.Run("SearchFindsImportedOffersByLanguageAndLevel", func(t *testing.T) {
		got := search(t, env, coordinator, map[string]any{"language": "fa", "frenchLevel": "A2",
			"themes": []string{"lecture-ecriture-calcul--maitriser-le-francais"},
			"near":   map[string]any{"latitude": 45.76, "longitude": 4.85, "radiusKm": 5}})
		if len(got) != 1 || got[0].DataInclusionID != "dora--v1" || got[0].Origin != "DATA_INCLUSION" {
			t.Fatalf("search %+v", got)
		}
		// the extension survives the next sync (AGIR's extension wins)
		run(t)
		if r := lastRun(t, env, coordinator, "DATA_INCLUSION", "69"); r.Unchanged != 6 || r.Updated != 0 {
			t.Fatalf("run after the extension %+v", r)
		}
		if got := search(t, env, coordinator, map[string]any{"language": "fa"}); byDIID(got, "dora--v1") == nil {
			t.Fatal("the extension was overwritten by the sync")
		}
	})

	t.Run("DeletedArchivedChangedUpdatedBadRejected", func(t *testing.T) {
		changed := help
		changed.Nom, changed.DateMaj = "Aide aux démarches en ligne", "2026-11-20"
		badTheme := course
		badTheme.ID, badTheme.Thematiques = "dora--bad", []string{"cuisine--recettes-du-monde"}
		noName := course
		noName.ID, noName.Nom = "dora--noname", "X"
		fake.mu.Lock()
		fake.services["69"] = []json.RawMessage{rec(course), rec(changed), rec(partnerService),
			diRecord(t, serviceSchema, badTheme, true, nil), diRecord(t, serviceSchema, noName, true, nil),
			json.RawMessage(`{"id": "dora--garbled", "nom": 12}`)} // job (v3) is gone
		fake.mu.Unlock()
		var lastEvent int64
		if err := env.Store.DB().GetContext(ctx, &lastEvent, `SELECT COALESCE(max(id), 0) FROM event_outbox`); err != nil {
			t.Fatal(err)
		}
		run(t)
		// The run's changes reach offerMapChanged's subscribers like a partner's acts.
		var events []struct {
			Kind       string `db:"kind"`
			Department string `db:"department"`
		}
		if err := env.Store.DB().SelectContext(ctx, &events, `SELECT payload->>'kind' AS kind, department
			FROM event_outbox WHERE channel = $1 AND id > $2 ORDER BY id`, db.ChannelOfferMap, lastEvent); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, e := range events {
			if e.Department == "69" {
				kinds[e.Kind]++
			}
		}
		if kinds["UPDATED"] != 1 || kinds["ARCHIVED"] != 1 {
			t.Fatalf("offer map events of the run in 69: %v (%+v)", kinds, events)
		}
		r := lastRun(t, env, coordinator, "DATA_INCLUSION", "69")
		if !r.Succeeded || r.Updated != 1 || r.Archived != 1 || r.Rejected != 3 || r.Created != 0 {
			t.Fatalf("run %+v", r)
		}
		reasons := map[string]string{}
		for _, row := range r.Rows {
			if row.Outcome == "REJECTED" {
				if row.Reason == nil || row.Code == nil || *row.Reason == "" {
					t.Fatalf("rejected row without reason %+v", row)
				}
				reasons[row.ExternalID] = *row.Code + " " + strings.Join(row.Field, ".") + " " + *row.Reason
			}
			if row.Outcome == "ARCHIVED" && row.ExternalID != "dora--v3" {
				t.Fatalf("archived %+v", row)
			}
		}
		if !strings.HasPrefix(reasons["dora--bad"], "UNKNOWN_VALUE") || !strings.Contains(reasons["dora--bad"], "thematiques") ||
			!strings.Contains(reasons["dora--noname"], "nom") || reasons["dora--garbled"] == "" {
			t.Fatalf("reasons %v", reasons)
		}
		// nothing of the rejected rows was written; the archived offer is archived
		all := search(t, env, coordinator, map[string]any{"near": map[string]any{"latitude": 45.758, "longitude": 4.852, "radiusKm": 2}})
		if byDIID(all, "dora--bad") != nil || byDIID(all, "dora--noname") != nil || byDIID(all, "dora--v3") != nil {
			t.Fatalf("published after the run: %+v", all)
		}
		archived := search(t, env, coordinator, map[string]any{"status": "ARCHIVED", "near": lyon})
		if o := byDIID(archived, "dora--v3"); o == nil || o.Status != "ARCHIVED" {
			t.Fatalf("v3 not archived: %+v", archived)
		}
		if o := byDIID(search(t, env, coordinator, map[string]any{"near": lyon}), "dora--v2"); o == nil || o.Name != "Aide aux démarches en ligne" {
			t.Fatalf("v2 not updated: %+v", o)
		}
	})

	t.Run("DryRunChangesNothing", func(t *testing.T) {
		fake.mu.Lock()
		listed := fake.services["69"]
		fake.services["69"] = listed[:1] // only the course: the others would go
		fake.mu.Unlock()
		defer func() { fake.mu.Lock(); fake.services["69"] = listed; fake.mu.Unlock() }()
		runs, err := syncer.Run(ctx, &origin, true)
		if err != nil || len(runs) != 2 || runs[1].Archived != 1 || runs[1].Rejected != 0 {
			t.Fatalf("dry run %+v %v", runs, err)
		}
		if o := byDIID(search(t, env, coordinator, map[string]any{"near": lyon}), "dora--v2"); o == nil {
			t.Fatal("the dry run archived an offer")
		}
	})

	t.Run("UnstableListingArchivesNothing", func(t *testing.T) {
		fake.mu.Lock()
		listed := fake.services["69"]
		elsewhere := func(id string) json.RawMessage { // a service of an unknown structure: rejected, never written
			v := course
			v.ID, v.StructureID = id, "dora--elsewhere"
			return rec(v)
		}
		// v2 would go, were the listing complete
		fake.services["69"] = []json.RawMessage{listed[0], elsewhere("dora--other-a"), elsewhere("dora--other-b")}
		fake.shiftEvery = func(n int) json.RawMessage { return elsewhere(fmt.Sprintf("dora--new-%d", n)) }
		fake.mu.Unlock()
		defer func() { fake.mu.Lock(); fake.services["69"], fake.shiftEvery = listed, nil; fake.mu.Unlock() }()
		run(t)
		r := lastRun(t, env, coordinator, "DATA_INCLUSION", "69")
		suspended := false
		for _, row := range r.Rows {
			suspended = suspended || (row.Kind == "run" && row.Reason != nil && strings.Contains(*row.Reason, "archivage suspendu"))
		}
		if !r.Succeeded || r.Archived != 0 || !suspended {
			t.Fatalf("run over an unstable listing %+v", r)
		}
		if byDIID(search(t, env, coordinator, map[string]any{"near": lyon}), "dora--v2") == nil {
			t.Fatal("an offer was archived on an incomplete listing")
		}
	})

	t.Run("ClaimedStructureEditsWin", func(t *testing.T) {
		var s struct {
			Offer struct{ Structure struct{ ID string } }
		}
		env.MustDo(coordinator, `query($id: ID!) { offer(id: $id) { structure { id } } }`, map[string]any{"id": courseID}, &s)
		var c struct {
			ClaimStructure struct {
				Structure  *struct{ ClaimedAt *string }
				UserErrors []userError
			}
		}
		claim := `mutation($id: ID!) { claimStructure(input: {structureId: $id}) { structure { claimedAt } userErrors { code field message } } }`
		otherPartner := &model.Principal{Subject: "pe", Role: model.RolePartnerEditor, StructureID: partner.ID}
		env.MustDo(otherPartner, claim, map[string]any{"id": s.Offer.Structure.ID}, &c)
		if len(c.ClaimStructure.UserErrors) != 1 || c.ClaimStructure.UserErrors[0].Code != "FORBIDDEN" {
			t.Fatalf("claim by another structure's editor %+v", c)
		}
		env.MustDo(coordinator, claim, map[string]any{"id": s.Offer.Structure.ID}, &c)
		if len(c.ClaimStructure.UserErrors) != 0 || c.ClaimStructure.Structure == nil || c.ClaimStructure.Structure.ClaimedAt == nil {
			t.Fatalf("claim %+v", c)
		}
		env.MustDo(coordinator, claim, map[string]any{"id": s.Offer.Structure.ID}, &c)
		if len(c.ClaimStructure.UserErrors) != 1 || c.ClaimStructure.UserErrors[0].Code != "RULE_VIOLATION" {
			t.Fatalf("second claim %+v", c)
		}
		env.MustDo(coordinator, claim, map[string]any{"id": partner.ID}, &c)
		if len(c.ClaimStructure.UserErrors) != 1 || c.ClaimStructure.UserErrors[0].Code != "RULE_VIOLATION" {
			t.Fatalf("claim of a structure entered here %+v", c)
		}
		if errs := editOffer(t, env, coordinator, courseID, func(f map[string]any) { f["name"] = "Cours de français du soir" }); len(errs) != 0 {
			t.Fatalf("edit after the claim refused: %+v", errs)
		}
		run(t)
		r := lastRun(t, env, coordinator, "DATA_INCLUSION", "69")
		if r.KeptClaimed != 3 || r.Updated != 0 { // the structure and its two listed services
			t.Fatalf("run after the claim %+v", r)
		}
		if o := byDIID(search(t, env, coordinator, map[string]any{"near": lyon}), "dora--v1"); o == nil || o.Name != "Cours de français du soir" {
			t.Fatalf("the sync overwrote the claimed offer: %+v", o)
		}
	})

	t.Run("ErrUnauthorizedChangesNothing", func(t *testing.T) {
		before := search(t, env, coordinator, map[string]any{"near": map[string]any{"latitude": 45.758, "longitude": 4.852, "radiusKm": 2}})
		bad := syncer
		bad.DataInclusion = &offersync.DataInclusion{BaseURL: srv.URL, Token: "wrong", PageSize: 2}
		if _, err := bad.Run(ctx, &origin, false); err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("sync with a bad token: %v", err)
		}
		r := lastRun(t, env, coordinator, "DATA_INCLUSION", "69")
		if r.Succeeded || r.Error == nil || !strings.Contains(*r.Error, "jeton") || len(r.Rows) != 0 {
			t.Fatalf("failed run %+v", r)
		}
		after := search(t, env, coordinator, map[string]any{"near": map[string]any{"latitude": 45.758, "longitude": 4.852, "radiusKm": 2}})
		if len(after) != len(before) {
			t.Fatalf("a failed run changed the map: %d offers, then %d", len(before), len(after))
		}
		var st struct {
			OfferSources []struct {
				Origin string
				Alert  *string
			}
		}
		env.MustDo(coordinator, `{ offerSources { origin alert } }`, nil, &st)
		if len(st.OfferSources) != 2 || st.OfferSources[0].Origin != "DATA_INCLUSION" || st.OfferSources[0].Alert == nil ||
			*st.OfferSources[0].Alert != "FAILED" || st.OfferSources[1].Alert != nil {
			t.Fatalf("source statuses %+v", st)
		}
	})

	t.Run("ErrTimeout", func(t *testing.T) {
		fake.mu.Lock()
		fake.delay = 300 * time.Millisecond
		fake.mu.Unlock()
		defer func() { fake.mu.Lock(); fake.delay = 0; fake.mu.Unlock() }()
		slow := syncer
		slow.DataInclusion = &offersync.DataInclusion{BaseURL: srv.URL, Token: "secret-token", PageSize: 2,
			HTTP: &http.Client{Timeout: 50 * time.Millisecond}}
		if _, err := slow.Run(ctx, &origin, false); err == nil || !strings.Contains(err.Error(), "injoignable ou trop lente") {
			t.Fatalf("sync of a slow source: %v", err)
		}
		if r := lastRun(t, env, coordinator, "DATA_INCLUSION", "69"); r.Succeeded {
			t.Fatalf("timeout recorded as %+v", r)
		}
	})

	t.Run("ErrOtherRolesReadNoRuns", func(t *testing.T) {
		partnerEditor := &model.Principal{Subject: "pe", Role: model.RolePartnerEditor, StructureID: partner.ID}
		r := env.Do(partnerEditor, `{ offerSyncRuns(first: 1) { totalCount } }`, nil)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("partner reads runs: %+v", r)
		}
		other := &model.Principal{Subject: "c2", Role: model.RoleCoordinator, Departments: []string{"13"}}
		var d struct{ OfferSyncRuns struct{ TotalCount int } }
		env.MustDo(other, `{ offerSyncRuns(first: 1) { totalCount } }`, nil, &d)
		if d.OfferSyncRuns.TotalCount != 0 {
			t.Fatalf("a coordinator of another territory reads %d runs", d.OfferSyncRuns.TotalCount)
		}
	})

	t.Run("DismissedProposalCreatedByNextRun", func(t *testing.T) {
		resolve := `mutation($id: ID!, $d: OfferMergeDecision!) { resolveOfferMergeProposal(input: {id: $id, decision: $d}) {
			proposal { status } userErrors { code field message } } }`
		var r struct {
			ResolveOfferMergeProposal struct {
				Proposal   *struct{ Status string }
				UserErrors []userError
			}
		}
		other := &model.Principal{Subject: "c2", Role: model.RoleCoordinator, Departments: []string{"13"}}
		env.MustDo(other, resolve, map[string]any{"id": proposalID, "d": "DISMISS"}, &r)
		if len(r.ResolveOfferMergeProposal.UserErrors) != 1 || r.ResolveOfferMergeProposal.UserErrors[0].Code != "NOT_FOUND" {
			t.Fatalf("resolved from another territory: %+v", r)
		}
		env.MustDo(coordinator, resolve, map[string]any{"id": proposalID, "d": "DISMISS"}, &r)
		if len(r.ResolveOfferMergeProposal.UserErrors) != 0 || r.ResolveOfferMergeProposal.Proposal.Status != "DISMISSED" {
			t.Fatalf("dismiss %+v", r)
		}
		env.MustDo(coordinator, resolve, map[string]any{"id": proposalID, "d": "MERGE"}, &r)
		if len(r.ResolveOfferMergeProposal.UserErrors) != 1 || r.ResolveOfferMergeProposal.UserErrors[0].Code != "RULE_VIOLATION" {
			t.Fatalf("second decision %+v", r)
		}
		run(t)
		got := lastRun(t, env, coordinator, "DATA_INCLUSION", "69")
		if got.Created != 2 || got.MergeProposed != 0 { // the structure and its service
			t.Fatalf("run after the dismissal %+v", got)
		}
		if o := byDIID(search(t, env, coordinator, map[string]any{"near": lyon}), "soliguide--v9"); o == nil || o.Structure.Origin != "DATA_INCLUSION" {
			t.Fatalf("the dismissed duplicate was not created: %+v", o)
		}
	})
}

// ---------------------------------------------------------------------------------------
// Réfugiés.info
// ---------------------------------------------------------------------------------------

// riSheet is a sheet of Réfugiés.info's list as its API types describe it
// (@refugies-info/api-types: SimpleDispositif, Metadatas).
type riSheet struct {
	ID                   string         `json:"_id"`
	TitreInformatif      string         `json:"titreInformatif"`
	TitreMarque          *string        `json:"titreMarque,omitempty"`
	Abstract             string         `json:"abstract"`
	TypeContenu          string         `json:"typeContenu"`
	Status               string         `json:"status"`
	Theme                string         `json:"theme,omitempty"`
	SecondaryThemes      []string       `json:"secondaryThemes,omitempty"`
	Needs                []string       `json:"needs"`
	Sponsor              map[string]any `json:"sponsor,omitempty"`
	AvailableLanguages   []string       `json:"availableLanguages"`
	LastModificationDate string         `json:"lastModificationDate"`
	Metadatas            map[string]any `json:"metadatas"`
	NbMots               int            `json:"nbMots"`
	NbVues               int            `json:"nbVues"`
}

type fakeRI struct {
	mu     sync.Mutex
	sheets []any
	themes []any
}

func (f *fakeRI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var data []any
	switch {
	case r.URL.Path == "/themes":
		data = f.themes
	case r.URL.Path == "/dispositifs" && r.URL.Query().Get("type") == "dispositif" && r.URL.Query().Get("locale") == "fr":
		data = f.sheets
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(map[string]any{"text": "success", "data": data}); err != nil {
		panic(err)
	}
}

func TestRefugiesInfoSync(t *testing.T) {
	env, coordinator := demoEnv(t)
	ctx := context.Background()
	sponsor := map[string]any{"_id": "sp1", "nom": "Forum Réfugiés"}
	french := riSheet{ID: "ri1", TitreInformatif: "Apprendre le français à Lyon", TitreMarque: ptr("Parlons ensemble"),
		Abstract: "Des cours de français gratuits pour les personnes réfugiées.", TypeContenu: "dispositif", Status: "Actif",
		Theme: "t-fr", Sponsor: sponsor, AvailableLanguages: []string{"fr", "ar", "ps"}, LastModificationDate: "2026-10-12T09:30:00.000Z",
		Metadatas: map[string]any{"location": []string{"69 - Rhône"}, "frenchLevel": []string{"A1", "A2", "B1"},
			"publicStatus": []string{"refugie", "subsidiaire", "asile"}, "public": []string{"women"},
			"age": map[string]any{"type": "moreThan", "ages": []int{18}}, "price": map[string]any{"values": []int{0}},
			"conditions": []string{"titre sejour"}, "commitment": nil, "frequency": nil}}
	work := riSheet{ID: "ri2", TitreInformatif: "Accompagnement vers l'emploi", Abstract: "Un parcours vers l'emploi pour les réfugiés.",
		TypeContenu: "dispositif", Status: "Actif", Theme: "t-job", Sponsor: sponsor, AvailableLanguages: []string{"fr", "uk"},
		LastModificationDate: "2026-09-01T10:00:00.000Z",
		Metadatas:            map[string]any{"location": []string{"38 - Isère", "5 - Hautes-Alpes", "69 - Rhône"}, "frenchLevel": nil}}
	national := riSheet{ID: "ri3", TitreInformatif: "Programme national de mentorat", Abstract: "Un mentor pour chaque personne réfugiée.",
		TypeContenu: "dispositif", Status: "Actif", Sponsor: map[string]any{"nom": "Singa"}, AvailableLanguages: []string{"fr"},
		LastModificationDate: "2026-08-01T10:00:00.000Z", Metadatas: map[string]any{"location": "online"}}
	procedure := riSheet{ID: "ri4", TitreInformatif: "Demander la CSS", Abstract: "La démarche pour la complémentaire santé.",
		TypeContenu: "demarche", Status: "Actif", LastModificationDate: "2026-08-01T10:00:00.000Z", Metadatas: map[string]any{"location": "france"}}
	paris := riSheet{ID: "ri5", TitreInformatif: "Cours à Paris", Abstract: "Des cours de français à Paris.", TypeContenu: "dispositif",
		Status: "Actif", Sponsor: sponsor, LastModificationDate: "2026-08-01T10:00:00.000Z", Metadatas: map[string]any{"location": []string{"75 - Paris"}}}
	fake := &fakeRI{themes: []any{
		map[string]any{"_id": "t-fr", "name": map[string]string{"fr": "Apprendre le français"}, "short": map[string]string{"fr": "Français"}},
		map[string]any{"_id": "t-job", "name": map[string]string{"fr": "Trouver un travail"}, "short": map[string]string{"fr": "Travail"}},
	}, sheets: []any{french, work, national, procedure, paris}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	origin := model.OfferOriginRefugiesInfo

	t.Run("OffUnlessConfigured", func(t *testing.T) {
		off := offersync.Syncer{Store: env.Store, Departments: []string{"38", "69"}}
		if _, err := off.Run(ctx, &origin, false); err == nil || !strings.Contains(err.Error(), "AGIR_REFUGIESINFO_URL") {
			t.Fatalf("unconfigured source ran: %v", err)
		}
	})

	syncer := offersync.Syncer{Store: env.Store, Departments: []string{"38", "69"}, RefugiesInfo: &offersync.RefugiesInfo{BaseURL: srv.URL}}
	run := func(t *testing.T) {
		t.Helper()
		if _, err := syncer.Run(ctx, &origin, false); err != nil {
			t.Fatalf("sync: %v", err)
		}
	}

	t.Run("RoundTrip", func(t *testing.T) {
		run(t)
		r69, r38, rFR := lastRun(t, env, coordinator, "REFUGIES_INFO", "69"), lastRun(t, env, coordinator, "REFUGIES_INFO", "38"),
			lastRun(t, env, coordinator, "REFUGIES_INFO", "france")
		// 38 (first): the sponsor and the job scheme (the first covered department it names);
		// 69: the sponsor (unchanged) and the French course; france: Singa and its online
		// sheet. The démarche and the Paris sheet are left out.
		if r38.Created != 2 || r69.Created != 1 || r69.Unchanged != 1 || rFR.Created != 2 ||
			r69.Rejected+r38.Rejected+rFR.Rejected != 0 {
			t.Fatalf("runs 69 %+v, 38 %+v, france %+v", r69, r38, rFR)
		}
		got := search(t, env, coordinator, map[string]any{"language": "ps", "frenchLevel": "A1",
			"themes": []string{"lecture-ecriture-calcul--maitriser-le-francais"}, "department": "69"})
		if len(got) != 1 || got[0].DataInclusionID != "refugies-info--ri1" || got[0].Origin != "REFUGIES_INFO" ||
			got[0].Source != "refugies-info" || got[0].Structure.Name != "Forum Réfugiés" {
			t.Fatalf("search %+v", got)
		}
		var o struct {
			Offer struct {
				Name, Description, Cost, PublicsDetails                                          string
				Publics, ProtectionStatuses, EligibilityZone, DocumentsRequired, SpokenLanguages []string
				FrenchLevelRequired, SourceLink                                                  string
			}
		}
		env.MustDo(coordinator, `query($id: ID!) { offer(id: $id) { name description cost publicsDetails publics protectionStatuses
			eligibilityZone documentsRequired spokenLanguages frenchLevelRequired sourceLink } }`, map[string]any{"id": got[0].ID}, &o)
		want := o.Offer
		if want.Cost != "gratuit" || want.FrenchLevelRequired != "A1" || !slices.Equal(want.ProtectionStatuses, []string{"REFUGEE", "SUBSIDIARY_PROTECTION"}) ||
			!slices.Equal(want.Publics, []string{"personnes-exilees", "femmes"}) || !slices.Equal(want.EligibilityZone, []string{"69"}) ||
			!slices.Equal(want.SpokenLanguages, []string{"fr", "ar", "ps"}) || !slices.Equal(want.DocumentsRequired, []string{"titre de séjour"}) ||
			!strings.Contains(want.PublicsDetails, "demandeurs d'asile") || !strings.Contains(want.PublicsDetails, "plus de 18 ans") ||
			!strings.HasPrefix(want.Description, "Parlons ensemble : ") || want.SourceLink != "https://refugies.info/fr/dispositif/ri1" {
			t.Fatalf("mapped offer %+v", want)
		}
		jobs := search(t, env, coordinator, map[string]any{"eligibilityZone": "05"})
		if byDIID(jobs, "refugies-info--ri2") == nil {
			t.Fatalf("the job scheme's zone misses the Hautes-Alpes: %+v", jobs)
		}
		if o := byDIID(search(t, env, coordinator, map[string]any{"receptionMode": "a-distance", "eligibilityZone": "france"}), "refugies-info--ri3"); o == nil {
			t.Fatal("the online sheet is not a distance offer")
		}
		for _, id := range []string{"refugies-info--ri4", "refugies-info--ri5"} {
			if byDIID(search(t, env, coordinator, map[string]any{"text": "CSS"}), id) != nil || byDIID(search(t, env, coordinator, map[string]any{"text": "Paris"}), id) != nil {
				t.Fatalf("%s was imported", id)
			}
		}
	})

	t.Run("IdempotentRerun", func(t *testing.T) {
		run(t)
		for _, dep := range []string{"38", "69", "france"} {
			r := lastRun(t, env, coordinator, "REFUGIES_INFO", dep)
			if !r.Succeeded || r.Created+r.Updated+r.Archived+r.Rejected+r.MergeProposed != 0 || r.Unchanged == 0 {
				t.Fatalf("second run of %s %+v", dep, r)
			}
		}
	})

	t.Run("SheetGoneArchivedMalformedRejected", func(t *testing.T) {
		fake.mu.Lock()
		fake.sheets = []any{national, procedure,
			map[string]any{"_id": "ri9", "titreInformatif": "Fiche abîmée", "typeContenu": "dispositif", "metadatas": "oops"},
			// the job scheme, now unreadable: rejected, but still listed, so not archived
			map[string]any{"_id": "ri2", "titreInformatif": "Accompagnement vers l'emploi", "typeContenu": "dispositif", "metadatas": "oops"},
			riSheet{ID: "ri8", TitreInformatif: "Sans porteur", Abstract: "Une fiche sans structure.", TypeContenu: "dispositif",
				LastModificationDate: "2026-08-01T10:00:00.000Z", Metadatas: map[string]any{"location": []string{"69 - Rhône"}}}}
		fake.mu.Unlock()
		run(t)
		r69, rFR := lastRun(t, env, coordinator, "REFUGIES_INFO", "69"), lastRun(t, env, coordinator, "REFUGIES_INFO", "france")
		r38 := lastRun(t, env, coordinator, "REFUGIES_INFO", "38")
		if r69.Archived != 1 || r69.Rejected != 1 || rFR.Rejected != 2 || r69.Created+rFR.Created != 0 || r38.Archived != 0 {
			t.Fatalf("runs 69 %+v, france %+v, 38 %+v", r69, rFR, r38)
		}
		if byDIID(search(t, env, coordinator, map[string]any{"eligibilityZone": "05"}), "refugies-info--ri2") == nil {
			t.Fatal("a sheet still listed but unreadable was archived")
		}
		for _, row := range append(r69.Rows, rFR.Rows...) {
			if row.Outcome == "REJECTED" && (row.Reason == nil || !(strings.Contains(*row.Reason, "illisible") || strings.Contains(*row.Reason, "sponsor"))) {
				t.Fatalf("rejected row %+v", row)
			}
		}
		if byDIID(search(t, env, coordinator, map[string]any{"language": "ps"}), "refugies-info--ri1") != nil {
			t.Fatal("the sheet gone from the list is still published")
		}
		if o := byDIID(search(t, env, coordinator, map[string]any{"status": "ARCHIVED", "language": "ps"}), "refugies-info--ri1"); o == nil {
			t.Fatal("the sheet gone from the list is not archived")
		}
		t.Run("BackWhenRepublished", func(t *testing.T) {
			fake.mu.Lock()
			fake.sheets = []any{french, work, national}
			fake.mu.Unlock()
			run(t)
			if r := lastRun(t, env, coordinator, "REFUGIES_INFO", "69"); r.Updated != 1 {
				t.Fatalf("run %+v", r)
			}
			if byDIID(search(t, env, coordinator, map[string]any{"language": "ps"}), "refugies-info--ri1") == nil {
				t.Fatal("the republished sheet is not published again")
			}
		})
	})

	t.Run("PartnerClaimsItsStructure", func(t *testing.T) {
		ri1 := byDIID(search(t, env, coordinator, map[string]any{"language": "ps"}), "refugies-info--ri1")
		var o struct {
			Offer struct{ Structure struct{ ID string } }
		}
		env.MustDo(coordinator, `query($id: ID!) { offer(id: $id) { structure { id } } }`, map[string]any{"id": ri1.ID}, &o)
		_, key, _ := model.ParseGlobalID(o.Offer.Structure.ID)
		forum := &model.Principal{Subject: "forum", Email: "editeur@forum.example", Role: model.RolePartnerEditor, StructureID: key}
		if errs := editOffer(t, env, forum, ri1.ID, func(f map[string]any) { f["name"] = "Cours de français du Forum" }); len(errs) != 1 || errs[0].Code != "READ_ONLY_SOURCE" {
			t.Fatalf("edit before the claim: %+v", errs)
		}
		var c struct {
			ClaimStructure struct{ UserErrors []userError }
		}
		env.MustDo(forum, `mutation($id: ID!) { claimStructure(input: {structureId: $id}) { userErrors { code message } } }`,
			map[string]any{"id": o.Offer.Structure.ID}, &c)
		if len(c.ClaimStructure.UserErrors) != 0 {
			t.Fatalf("claim %+v", c)
		}
		if errs := editOffer(t, env, forum, ri1.ID, func(f map[string]any) { f["name"] = "Cours de français du Forum" }); len(errs) != 0 {
			t.Fatalf("edit after the claim: %+v", errs)
		}
		run(t)
		r := lastRun(t, env, coordinator, "REFUGIES_INFO", "69")
		if r.KeptClaimed != 2 || r.Updated != 0 {
			t.Fatalf("run after the claim %+v", r)
		}
	})

	t.Run("ErrSourceDownRecorded", func(t *testing.T) {
		down := syncer
		down.RefugiesInfo = &offersync.RefugiesInfo{BaseURL: srv.URL + "/nowhere"}
		if _, err := down.Run(ctx, &origin, false); err == nil || !strings.Contains(err.Error(), "404") {
			t.Fatalf("sync of a missing source: %v", err)
		}
		r := lastRun(t, env, coordinator, "REFUGIES_INFO", "france")
		if r.Succeeded || r.Error == nil {
			t.Fatalf("failed run %+v", r)
		}
	})
}
