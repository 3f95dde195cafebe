package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/internal/pdftext"
)

// getDocument GETs path from the convocation document handler as p (nil: anonymous).
func getDocument(t *testing.T, env *graphtest.Env, p *model.Principal, path string) *httptest.ResponseRecorder {
	t.Helper()
	h := endpoint.ConvocationDocument(env.Store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if p != nil {
		req = req.WithContext(model.WithPrincipal(req.Context(), p))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The convocation "contenant date, heure, adresse du rendez-vous est remise en main
// propre au BPI" (seed « Modalité et délais d'accès »): a one-page PDF per convocation,
// in French and in the beneficiary's spoken language (English), read with the
// authentication, roles and scope of GraphQL and audited as a read.
func TestConvocationDocument(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	id := refer(t, env, sw, with(referral("OFII-69-2026-0901"), "languages", []string{"dari", "Anglais"}))
	mustAct(t, env, sw, "convokeBeneficiary", map[string]any{"beneficiaryId": id, "appointmentAt": "2026-03-10T09:30:00+01:00",
		"address": "ARSL, 5 place Bellecour, 69002 Lyon"}, "beneficiary { phase }")
	b := get(t, env, sw, id, "convocations { id documentUrl appointmentAt }")
	conv := b["convocations"].([]any)[0].(map[string]any)
	url := conv["documentUrl"].(string)
	if !strings.HasPrefix(url, graph.ConvocationDocumentPath) || !strings.HasSuffix(url, ".pdf") {
		t.Fatalf("documentUrl %q", url)
	}
	t.Run("IsANode", func(t *testing.T) {
		var d struct {
			Node *struct{ ID, DocumentURL string }
		}
		env.MustDo(sw, `query($id: ID!) { node(id: $id) { id ... on Convocation { documentUrl: documentUrl } } }`, map[string]any{"id": conv["id"]}, &d)
		if d.Node == nil || d.Node.ID != conv["id"] {
			t.Fatalf("node %+v", d.Node)
		}
	})

	var structure struct{ Name, Phone string }
	if err := env.Store.DB().QueryRow(`SELECT s.name, coalesce(s.telephone, '') FROM structures s JOIN beneficiaries b ON b.social_operator_id = s.id
		JOIN convocations c ON c.beneficiary_id = b.id`).Scan(&structure.Name, &structure.Phone); err != nil {
		t.Fatal(err)
	}
	reads := func() int {
		return countRows(t, env, `SELECT count(*) FROM audit_log WHERE action = 'read' AND entity_type = 'Convocation'`)
	}
	t.Run("OK_FrenchAndEnglishOnOnePage", func(t *testing.T) {
		before := reads()
		rec := getDocument(t, env, sw, url)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
			t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		if reads() != before+1 {
			t.Fatalf("audit reads %d -> %d", before, reads())
		}
		text := pdftext.Of(t, rec.Body.Bytes())
		if pages := strings.Count(text, "\f"); pages != 1 {
			t.Fatalf("%d pages:\n%s", pages, text)
		}
		flat := strings.Join(strings.Fields(text), " ")
		for _, want := range []string{
			"Convocation — programme AGIR", "Amina Haïdari", "Date : mardi 10 mars 2026", "Heure : 09h30",
			"Adresse : ARSL, 5 place Bellecour, 69002 Lyon", "Contact : " + structure.Name,
			"Appointment letter — AGIR programme", "Date: Tuesday 10 March 2026", "Time: 09:30",
			"Address: ARSL, 5 place Bellecour, 69002 Lyon", "Contact: " + structure.Name,
		} {
			if !strings.Contains(flat, want) {
				t.Errorf("missing %q in:\n%s", want, text)
			}
		}
		if structure.Phone != "" && !strings.Contains(flat, structure.Phone) {
			t.Errorf("structure phone %q missing", structure.Phone)
		}
	})
	t.Run("OK_FrenchOnlyWithoutATranslation", func(t *testing.T) {
		other := refer(t, env, sw, referral("OFII-69-2026-0902")) // dari, pachto
		mustAct(t, env, sw, "convokeBeneficiary", map[string]any{"beneficiaryId": other, "appointmentAt": "2026-03-11T14:00:00+01:00",
			"address": "ARSL, 5 place Bellecour, 69002 Lyon"}, "beneficiary { phase }")
		u := get(t, env, sw, other, "convocations { documentUrl }")["convocations"].([]any)[0].(map[string]any)["documentUrl"].(string)
		rec := getDocument(t, env, sw, u)
		text := pdftext.Of(t, rec.Body.Bytes())
		if rec.Code != http.StatusOK || !strings.Contains(text, "Heure : 14h00") || strings.Contains(text, "Appointment") {
			t.Fatalf("status %d:\n%s", rec.Code, text)
		}
	})

	before := reads()
	_, forumWorker := otherSocialOperator(t, env)
	for _, tc := range []struct {
		name string
		p    *model.Principal
		path string
		code int
	}{
		{"ErrAnonymous", nil, url, http.StatusUnauthorized},
		{"ErrPartner", demoPrincipal(t, env, model.RolePartnerEditor), url, http.StatusForbidden},
		{"ErrAnalyst", demoPrincipal(t, env, model.RoleAnalyst), url, http.StatusForbidden},
		{"ErrOtherStructuresWorker", forumWorker, url, http.StatusNotFound},
		{"ErrNotAConvocationID", sw, graph.ConvocationDocumentPath + id + ".pdf", http.StatusNotFound},
		{"ErrGarbage", sw, graph.ConvocationDocumentPath + "garbage.pdf", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := getDocument(t, env, tc.p, tc.path)
			if rec.Code != tc.code || strings.HasPrefix(rec.Body.String(), "%PDF") {
				t.Fatalf("status %d, want %d", rec.Code, tc.code)
			}
			if tc.code == http.StatusNotFound && strings.TrimSpace(rec.Body.String()) != "convocation introuvable" {
				t.Fatalf("404 body %q, want the French message", rec.Body.String())
			}
		})
	}
	if reads() != before {
		t.Fatal("a refused download was audited as a read")
	}
	t.Run("OK_Coordinator", func(t *testing.T) {
		if rec := getDocument(t, env, demoPrincipal(t, env, model.RoleCoordinator), url); rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	})
}
