package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// exportDI fetches an export file as p.
func exportDI(t *testing.T, env *graphtest.Env, p *model.Principal, file string) []byte {
	t.Helper()
	h := endpoint.DataInclusionExport(env.Store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := httptest.NewRequest(http.MethodGet, "/export/data-inclusion/"+file, nil)
	if p != nil {
		req = req.WithContext(model.WithPrincipal(req.Context(), p))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("export %s: %d %s", file, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// byID indexes a list of data·inclusion records by id, as canonical JSON.
func byID(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		j, _ := json.Marshal(r)
		out[r["id"].(string)] = string(j)
	}
	return out
}

type importReport struct {
	ImportOffers struct {
		Report *struct {
			Applied                               bool
			Created, Updated, Unchanged, Rejected int
			Rows                                  []struct {
				Kind            string
				Index           int
				DataInclusionID *string
				Outcome         string
				Errors          []struct {
					Code    string
					Field   []string
					Message string
				}
			}
		}
		UserErrors []struct{ Code, Message string }
	}
}

const importOffers = `mutation($data: String!, $keep: Boolean) { importOffers(input: {data: $data, keepValidRows: $keep}) {
	report { applied created updated unchanged rejected rows { kind index dataInclusionId outcome errors { code field message } } }
	userErrors { code message } } }`

func importFile(t *testing.T, env *graphtest.Env, p *model.Principal, data string, keep bool) importReport {
	t.Helper()
	var r importReport
	env.MustDo(p, importOffers, map[string]any{"data": data, "keep": keep}, &r)
	return r
}

func TestDataInclusionExportImport(t *testing.T) {
	env := demoEnv(t)
	analyst := demoPrincipal(t, env, model.RoleAnalyst)
	structures := exportDI(t, env, analyst, "structures.json")
	services := exportDI(t, env, analyst, "services.json")

	t.Run("ExportValidAgainstSharedSchemas", func(t *testing.T) {
		for file, data := range map[string][]byte{"structure.json": structures, "service.json": services} {
			schema := graphtest.SharedDISchema(t, file)
			var rows []any
			if err := json.Unmarshal(data, &rows); err != nil {
				t.Fatal(err)
			}
			if len(rows) < 20 {
				t.Fatalf("%s: %d rows", file, len(rows))
			}
			for i, row := range rows {
				b, _ := json.Marshal(row)
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if err := schema.Validate(inst); err != nil {
					t.Fatalf("%s row %d invalid: %v\n%s", file, i, err, b)
				}
			}
		}
		// the validator is live: a row breaking v1 is refused
		broken, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"source": "x", "structure_id": "x--1", "id": "x--2", "nom": "Atelier",
			"description": "Atelier.", "date_maj": "2026-13-45", "publics": ["refugies"]}`))
		if graphtest.SharedDISchema(t, "service.json").Validate(broken) == nil {
			t.Fatal("the schema accepts a bad service")
		}
		if !strings.Contains(string(services), `"extension_agir":{"langues":[`) {
			t.Fatal("the AGIR extension block is missing")
		}
	})
	t.Run("ErrAnonymous", func(t *testing.T) {
		h := endpoint.DataInclusionExport(env.Store, slog.New(slog.NewTextHandler(io.Discard, nil)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/export/data-inclusion/services.json", nil))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d", rec.Code)
		}
	})

	file := `{"structures": ` + string(structures) + `, "services": ` + string(services) + `}`
	nStructures, nServices := len(byID(t, structures)), len(byID(t, services))
	admin := &model.Principal{Subject: "admin-test", Role: model.RoleAdmin}

	t.Run("RoundTripIntoEmptyDatabase", func(t *testing.T) {
		fresh := graphtest.New(t)
		r := importFile(t, fresh, admin, file, false)
		rep := r.ImportOffers.Report
		if rep == nil || !rep.Applied || rep.Created != nStructures+nServices || rep.Rejected != 0 {
			t.Fatalf("report %+v %+v", rep, r.ImportOffers.UserErrors)
		}
		gotStructures, gotServices := byID(t, exportDI(t, fresh, admin, "structures.json")), byID(t, exportDI(t, fresh, admin, "services.json"))
		wantStructures, wantServices := byID(t, structures), byID(t, services)
		for id, want := range wantServices {
			if gotServices[id] != want {
				t.Fatalf("service %s:\ngot  %s\nwant %s", id, gotServices[id], want)
			}
		}
		for id, want := range wantStructures {
			if gotStructures[id] != want {
				t.Fatalf("structure %s:\ngot  %s\nwant %s", id, gotStructures[id], want)
			}
		}
		if len(gotServices) != len(wantServices) || len(gotStructures) != len(wantStructures) {
			t.Fatalf("%d/%d services, %d/%d structures", len(gotServices), len(wantServices), len(gotStructures), len(wantStructures))
		}
		t.Run("Idempotent", func(t *testing.T) {
			rep := importFile(t, fresh, admin, file, false).ImportOffers.Report
			if rep.Unchanged != nStructures+nServices || rep.Created+rep.Updated+rep.Rejected != 0 {
				t.Fatalf("second import %+v", rep)
			}
		})
	})
	t.Run("ReimportIntoSourceIsUnchanged", func(t *testing.T) {
		rep := importFile(t, env, admin, file, false).ImportOffers.Report
		if rep.Unchanged != nStructures+nServices || rep.Created+rep.Updated+rep.Rejected != 0 {
			t.Fatalf("report %+v", rep)
		}
	})
}

// goTypeNames matches what encoding/json's errors say about Go types.
var goTypeNames = regexp.MustCompile(`Go (struct|value)|json: |unmarshal|float64|int64|\bstring\b|DIService|DIStructure|\[\]`)

func TestImportOffersRows(t *testing.T) {
	env := demoEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	count := func() int {
		var d struct{ Offers struct{ TotalCount int } }
		env.MustDo(coordinator, `{ offers(first: 1) { totalCount } }`, nil, &d)
		return d.Offers.TotalCount
	}
	before := count()
	structure := `{"source": "dora", "id": "dora--cs-tournesol", "nom": "Centre social Le Tournesol", "date_maj": "2026-10-01",
		"siret": "13003013300016", "code_postal": "69100", "commune": "Villeurbanne", "latitude": 45.77, "longitude": 4.88,
		"horaires_accueil": "Mo-Fr 09:00-17:00", "reseaux_porteurs": ["fcsf"]}`
	service := func(id, extra string) string {
		return `{"source": "dora", "structure_id": "dora--cs-tournesol", "id": "` + id + `", "nom": "Atelier couture solidaire",
			"description": "Atelier hebdomadaire ouvert à toutes et tous.", "date_maj": "2026-10-01", "publics": ["tous-publics"],
			"thematiques": ["famille--soutien-a-la-parentalite-et-a-leducation"], "zone_eligibilite": ["69266"]` + extra + `}`
	}
	bad := []struct{ name, row, code, field string }{
		{"UnknownThematique", service("dora--s2", `, "thematiques": ["couture"]`), "UNKNOWN_VALUE", "thematiques"},
		{"TousPublicsMixed", service("dora--s3", `, "publics": ["tous-publics", "femmes"]`), "INVALID_INPUT", "publics"},
		{"OutsideFrance", service("dora--s4", `, "latitude": 48.2, "longitude": 16.37`), "OUT_OF_RANGE", "latitude"},
		{"OpeningHours", service("dora--s5", `, "horaires_accueil": "le matin"`), "INVALID_OPENING_HOURS", "horaires_accueil"},
		{"UnknownStructure", strings.Replace(service("dora--s6", ""), "dora--cs-tournesol", "dora--nope", 1), "NOT_FOUND", "structure_id"},
		{"NotAnObjectField", service("dora--s7", `, "latitude": "nord"`), "INVALID_INPUT", "latitude"},
		{"TextForAList", service("dora--s8", `, "publics": "femmes"`), "INVALID_INPUT", "publics"},
	}
	var rows []string
	for _, b := range bad {
		rows = append(rows, b.row)
	}
	data := `{"structures": [` + structure + `], "services": [` + service("dora--s1", "") + `, ` + strings.Join(rows, ", ") + `]}`
	t.Run("ErrRowsRejectedNothingWritten", func(t *testing.T) {
		rep := importFile(t, env, coordinator, data, false).ImportOffers.Report
		// a refused file reports no row as created (issue 17, defect 8): its valid rows are VALID
		if rep == nil || rep.Applied || rep.Rejected != len(bad) || rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != 0 ||
			rep.Rows[0].Outcome != "VALID" || rep.Rows[1].Outcome != "VALID" {
			t.Fatalf("report %+v", rep)
		}
		for i, b := range bad {
			row := rep.Rows[2+i]
			if row.Outcome != "REJECTED" || len(row.Errors) != 1 || row.Errors[0].Code != b.code ||
				(b.field != "" && row.Errors[0].Field[len(row.Errors[0].Field)-1] != b.field) {
				t.Fatalf("%s: %+v", b.name, row)
			}
			// Messages are French and name the field, never the Go types rows decode into.
			if m := row.Errors[0].Message; goTypeNames.MatchString(m) {
				t.Errorf("%s: message %q shows Go internals", b.name, m)
			}
		}
		if count() != before {
			t.Fatal("a rejected file wrote offers")
		}
	})
	t.Run("KeepValidRows", func(t *testing.T) {
		rep := importFile(t, env, coordinator, data, true).ImportOffers.Report
		if !rep.Applied || rep.Created != 2 || rep.Rejected != len(bad) || count() != before+1 {
			t.Fatalf("report %+v, offers %d -> %d", rep, before, count())
		}
		var d struct {
			Offers struct {
				Nodes []struct {
					Source, DataInclusionID, Status, Department string
					Structure                                   struct{ Siret, Name string }
				}
			}
		}
		env.MustDo(coordinator, `{ offers(first: 5, filter: {text: "couture"}) { nodes { source dataInclusionId status department structure { siret name } } } }`, nil, &d)
		if len(d.Offers.Nodes) != 1 || d.Offers.Nodes[0].DataInclusionID != "dora--s1" || d.Offers.Nodes[0].Department != "69" ||
			d.Offers.Nodes[0].Structure.Siret != "13003013300016" {
			t.Fatalf("imported %+v", d.Offers.Nodes)
		}
	})
	t.Run("UpdateByID", func(t *testing.T) {
		changed := strings.Replace(data, "Atelier hebdomadaire ouvert", "Atelier bimensuel ouvert", 1)
		rep := importFile(t, env, coordinator, changed, true).ImportOffers.Report
		if rep.Updated != 1 || rep.Unchanged != 1 || rep.Created != 0 {
			t.Fatalf("report %+v", rep)
		}
	})
	t.Run("ErrOutsideTerritory", func(t *testing.T) {
		other := strings.NewReplacer("69100", "13001", "Villeurbanne", "Marseille", "45.77", "43.3", "4.88", "5.37", "cs-tournesol", "cs-marseille").Replace(
			`{"structures": [` + structure + `], "services": []}`)
		rep := importFile(t, env, coordinator, other, false).ImportOffers.Report
		if rep.Rejected != 1 || rep.Rows[0].Errors[0].Code != "FORBIDDEN" {
			t.Fatalf("report %+v", rep)
		}
	})
	for _, tc := range []struct{ name, data string }{
		{"ErrNotJSON", "source;id;nom\ndora;1;Atelier"},
		{"ErrNotV1", `{"services": [{"source": "dora", "id": "x", "profils": ["femmes"], "types": ["atelier"]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := importFile(t, env, coordinator, tc.data, true)
			if r.ImportOffers.Report != nil || len(r.ImportOffers.UserErrors) != 1 || r.ImportOffers.UserErrors[0].Code != "INVALID_FORMAT" {
				t.Fatalf("got %+v", r.ImportOffers)
			}
		})
	}
	t.Run("ErrPartnerCannotImport", func(t *testing.T) {
		r := env.Do(demoPrincipal(t, env, model.RolePartnerEditor), importOffers, map[string]any{"data": data})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("got %+v", r.Errors)
		}
	})
}

// An imported offer is as fresh as its source says (date_maj), not as the day of the
// import (issue 17, defect 5).
func TestImportOffers_FreshnessCountsFromTheSourceDate(t *testing.T) {
	env := demoEnv(t)
	setToday(env, "2026-12-04")
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	data := `{"structures": [{"source": "dora", "id": "dora--cs-olivier", "nom": "Centre social L'Olivier", "date_maj": "2025-02-14",
		"code_postal": "69100", "commune": "Villeurbanne"}],
		"services": [{"source": "dora", "structure_id": "dora--cs-olivier", "id": "dora--olivier-fle", "nom": "Cours de français du soir",
		"description": "Cours de français pour adultes, deux soirs par semaine.", "date_maj": "2025-02-14", "publics": ["tous-publics"],
		"thematiques": ["lecture-ecriture-calcul--maitriser-le-francais"], "zone_eligibilite": ["69266"]}]}`
	if rep := importFile(t, env, coordinator, data, false).ImportOffers.Report; rep == nil || !rep.Applied || rep.Created != 2 {
		t.Fatalf("report %+v", rep)
	}
	var d struct {
		Offers struct {
			Nodes []struct{ DataInclusionID, Freshness, VerificationDueOn string }
		}
		Stale struct {
			Nodes []struct{ DataInclusionID string }
		} `json:"stale"`
	}
	env.MustDo(coordinator, `{ offers(first: 5, filter: {text: "soir"}) { nodes { dataInclusionId freshness verificationDueOn } }
		stale: offers(first: 100, filter: {text: "soir", freshness: STALE}) { nodes { dataInclusionId } } }`, nil, &d)
	if len(d.Offers.Nodes) != 1 || d.Offers.Nodes[0].Freshness != "STALE" || d.Offers.Nodes[0].VerificationDueOn != "2025-08-14" {
		t.Fatalf("imported offer %+v", d.Offers.Nodes)
	}
	if len(d.Stale.Nodes) != 1 || d.Stale.Nodes[0].DataInclusionID != "dora--olivier-fle" {
		t.Fatalf("stale filter %+v", d.Stale.Nodes)
	}
}

// Each rejected row reports all its errors, not only the first (issue 17, defect 8).
func TestImportOffers_EachRowReportsAllItsErrors(t *testing.T) {
	env := demoEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	data := `{"structures": [{"source": "dora", "id": "dora--cs-erreurs", "nom": "Ce", "date_maj": "2026-02-30",
		"siret": "12345678901234", "code_postal": "691", "commune": "Villeurbanne"}],
		"services": [{"source": "dora", "structure_id": "dora--cs-erreurs", "id": "dora--s-erreurs", "nom": "Atelier",
		"description": "Atelier.", "date_maj": "2026-13-45", "publics": ["refugies"], "thematiques": ["couture"],
		"telephone": "pas un numéro", "zone_eligibilite": ["69266"],
		"extension_agir": {"niveau_francais_requis": "Z9", "statuts_protection": ["TOURIST"]}}]}`
	rep := importFile(t, env, coordinator, data, false).ImportOffers.Report
	if rep == nil || rep.Applied || rep.Rejected != 2 || rep.Created != 0 {
		t.Fatalf("report %+v", rep)
	}
	fields := func(row int) map[string]string {
		out := map[string]string{}
		for _, e := range rep.Rows[row].Errors {
			out[e.Field[len(e.Field)-1]] = e.Code
			if e.Message == "" || e.Field[0] != rep.Rows[row].Kind+"s" {
				t.Errorf("row %d: error %+v", row, e)
			}
		}
		return out
	}
	for row, want := range []map[string]string{
		{"date_maj": "INVALID_INPUT", "name": "INVALID_INPUT", "siret": "INVALID_SIRET", "postalCode": "INVALID_INPUT"},
		{"date_maj": "INVALID_INPUT", "publics": "UNKNOWN_VALUE", "thematiques": "UNKNOWN_VALUE", "telephone": "INVALID_INPUT",
			"niveau_francais_requis": "UNKNOWN_VALUE", "statuts_protection": "UNKNOWN_VALUE"},
	} {
		got := fields(row)
		for f, code := range want {
			if got[f] != code {
				t.Errorf("row %d (%s): %s = %q, want %q; all: %v", row, rep.Rows[row].Kind, f, got[f], code, got)
			}
		}
	}
}
