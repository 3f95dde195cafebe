package graph_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// fullyFollowed returns a demo beneficiary with data in every module: household,
// interviews with notes, a professional diagnostic, an orientation, a consent, followed
// by the demo social worker's structure, with its identity and contact details.
func fullyFollowed(t *testing.T, env *graphtest.Env) (key string, secrets []string) {
	t.Helper()
	var r struct {
		Key, First, Last, Ofii string
		Phone, Email, Adr      *string
	}
	err := env.Store.DB().Get(&r, `SELECT b.id AS key, b.first_name AS first, b.last_name AS last, b.ofii_reference AS ofii,
			b.phone, b.email, b.address AS adr
		FROM beneficiaries b JOIN staff_members m ON m.structure_id = b.social_operator_id AND m.email = 'social_worker@demo.agir.local'
		WHERE EXISTS (SELECT 1 FROM household_members x WHERE x.beneficiary_id = b.id)
		  AND EXISTS (SELECT 1 FROM interviews i WHERE i.beneficiary_id = b.id AND i.shared_note IS NOT NULL)
		  AND EXISTS (SELECT 1 FROM professional_diagnostics d WHERE d.beneficiary_id = b.id)
		  AND EXISTS (SELECT 1 FROM orientations o WHERE o.beneficiary_id = b.id)
		  AND EXISTS (SELECT 1 FROM consents c WHERE c.beneficiary_id = b.id)
		  AND b.phone IS NOT NULL
		ORDER BY b.id LIMIT 1`)
	if err != nil {
		t.Fatalf("no demo beneficiary followed in every module: %v", err)
	}
	secrets = []string{r.Last, r.Ofii}
	for _, s := range []*string{r.Phone, r.Email, r.Adr} {
		if s != nil {
			secrets = append(secrets, *s)
		}
	}
	var household, notes []string
	if err := env.Store.DB().Select(&household, `SELECT last_name FROM household_members WHERE beneficiary_id = $1`, r.Key); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.DB().Select(&notes, `SELECT shared_note FROM interviews WHERE beneficiary_id = $1 AND shared_note IS NOT NULL
		UNION SELECT purpose FROM orientations WHERE beneficiary_id = $1`, r.Key); err != nil {
		t.Fatal(err)
	}
	return r.Key, append(append(secrets, household...), notes...)
}

// aggregates is what the indicators count about the demo: phases, journey dates,
// interviews, orientations and outcomes by kind and status (anonymisation must keep them).
func aggregates(t *testing.T, env *graphtest.Env) string {
	t.Helper()
	var s string
	if err := env.Store.DB().Get(&s, `SELECT concat_ws(' | ',
		(SELECT string_agg(phase || ':' || n, ',' ORDER BY phase) FROM (SELECT phase, count(*) n FROM beneficiaries GROUP BY phase) x),
		(SELECT md5(string_agg(id || coalesce(journey_starts_on::text, '') || coalesce(journey_ends_on::text, '') || sex || nationality
			|| extract(year FROM birth_date) || department, ',' ORDER BY id)) FROM beneficiaries),
		(SELECT string_agg(kind || status || ':' || n, ',' ORDER BY kind, status) FROM (SELECT kind, status, count(*) n FROM interviews GROUP BY 1, 2) x),
		(SELECT string_agg(kind || status || ':' || n, ',' ORDER BY kind, status) FROM (SELECT kind, status, count(*) n FROM orientations GROUP BY 1, 2) x),
		(SELECT string_agg(kind || ':' || n, ',' ORDER BY kind) FROM (SELECT kind, count(*) n FROM outcomes GROUP BY 1) x),
		(SELECT count(*) FROM household_members), (SELECT count(*) FROM evaluations), (SELECT count(*) FROM consents))`); err != nil {
		t.Fatal(err)
	}
	return s
}

func exportOf(t *testing.T, env *graphtest.Env, p *model.Principal, id string) *string {
	t.Helper()
	var d struct{ ExportBeneficiaryData *string }
	env.MustDo(p, `query($id: ID!) { exportBeneficiaryData(beneficiaryId: $id) }`, map[string]any{"id": id}, &d)
	return d.ExportBeneficiaryData
}

// RGPD (issue 7): the export holds everything on the person from every module and is
// audited; erasure anonymises the person (reads and export show anonymised values, the
// aggregates are unchanged, nothing can be recorded afterwards) and is audited; both are
// refused outside their roles and scope.
func TestExportAndErasure(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	key, secrets := fullyFollowed(t, env)
	id := model.GlobalID("Beneficiary", key)
	// An act, for the audit part of the export.
	mustAct(t, env, sw, "withdrawConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS"}, "consent { active }")

	// A page read listing the person after another one (so not as the entry's first
	// object). The other is any other beneficiary: picking one whose key sorts before the
	// person's failed whenever the person's random key was the smallest.
	var other string
	if err := env.Store.DB().Get(&other, `SELECT id::text FROM beneficiaries WHERE id <> $1::uuid ORDER BY id LIMIT 1`, key); err != nil {
		t.Fatalf("no other beneficiary than %s: %v", key, err)
	}
	page := []string{other, key}
	if err := env.Store.AuditReads(context.Background(), coord, []db.AuditEntry{{Action: "read", EntityType: "Beneficiary",
		EntityID: page[0], EntityIDs: page, Departments: []string{"69"}, Changes: db.ReadFields{"firstName"}}}); err != nil {
		t.Fatal(err)
	}

	t.Run("Export", func(t *testing.T) {
		text := exportOf(t, env, sw, id)
		if text == nil {
			t.Fatal("no export")
		}
		var doc struct {
			Format      string
			Beneficiary map[string]any
			Records     map[string][]map[string]any
			AuditLog    []map[string]any `json:"auditLog"`
		}
		if err := json.Unmarshal([]byte(*text), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Beneficiary["id"] != key || doc.Format == "" {
			t.Fatalf("beneficiary %v", doc.Beneficiary)
		}
		// Social, professional and data-protection modules.
		for _, table := range []string{"household_members", "interviews", "convocations", "professional_diagnostics", "orientations", "consents"} {
			if len(doc.Records[table]) == 0 {
				t.Errorf("export has no %s: %v", table, keysOf(doc.Records))
			}
		}
		for _, s := range secrets {
			if !strings.Contains(*text, jsonText(s)) {
				t.Errorf("export lacks %q", s)
			}
		}
		audited := false
		for _, e := range doc.AuditLog {
			audited = audited || e["action"] == "withdrawConsent" && e["actorEmail"] == sw.Email
		}
		if !audited {
			t.Errorf("export has no audit entry of the act: %v", doc.AuditLog)
		}
		// The page read is there, as a read of this person only: the other one read in the
		// same page is not this person's data.
		pageRead := false
		for _, e := range doc.AuditLog {
			pageRead = pageRead || e["action"] == "read" && e["actorEmail"] == coord.Email && e["entityId"] == key
		}
		if !pageRead || strings.Contains(*text, other) {
			t.Errorf("page read in the export: %v, other person's key in it: %v", pageRead, strings.Contains(*text, other))
		}
		if n := countRows(t, env, `SELECT count(*) FROM audit_log WHERE action = 'exportBeneficiaryData' AND entity_id = $1 AND actor_email = $2`, key, sw.Email); n != 1 {
			t.Fatalf("%d audit entries of the export", n)
		}
	})
	t.Run("ErrExportDenied", func(t *testing.T) {
		for _, r := range []model.Role{model.RoleInsertionCounsellor, model.RolePartnerEditor, model.RoleAnalyst, model.RoleStateRepresentative, model.RoleAdmin} {
			resp := env.Do(demoPrincipal(t, env, r), `query($id: ID!) { exportBeneficiaryData(beneficiaryId: $id) }`, map[string]any{"id": id})
			if len(resp.Errors) == 0 || resp.Errors[0].Code() != "FORBIDDEN" || strings.Contains(string(resp.Data), key) {
				t.Fatalf("%s: %s %+v", r, resp.Data, resp.Errors)
			}
		}
		_, other := otherSocialOperator(t, env)
		isere := *coord
		isere.Departments = []string{"13"}
		for _, p := range []*model.Principal{other, &isere} {
			if got := exportOf(t, env, p, id); got != nil {
				t.Fatalf("export out of scope for %s", p.Email)
			}
		}
		if got := exportOf(t, env, coord, "not-an-id"); got != nil {
			t.Fatal("export of a malformed id")
		}
	})
	t.Run("ErrEraseDenied", func(t *testing.T) {
		forbidden(t, env, sw, "eraseBeneficiaryData", map[string]any{"beneficiaryId": id, "reason": "x"})
		forbidden(t, env, demoPrincipal(t, env, model.RoleAdmin), "eraseBeneficiaryData", map[string]any{"beneficiaryId": id, "reason": "x"})
		isere := *coord
		isere.Departments = []string{"13"}
		actErr(t, env, &isere, "eraseBeneficiaryData", map[string]any{"beneficiaryId": id, "reason": "Demande écrite"}, "NOT_FOUND", "input", "beneficiaryId")
		actErr(t, env, coord, "eraseBeneficiaryData", map[string]any{"beneficiaryId": id, "reason": " "}, "INVALID_INPUT", "input", "reason")
		if n := countRows(t, env, `SELECT count(*) FROM beneficiaries WHERE id = $1 AND anonymised_at IS NULL`, key); n != 1 {
			t.Fatal("a refused erasure changed the person")
		}
	})

	before := aggregates(t, env)
	t.Run("Erase", func(t *testing.T) {
		p := mustAct(t, env, coord, "eraseBeneficiaryData", map[string]any{"beneficiaryId": id,
			"reason": "Demande d'effacement reçue par courrier le 2 mars 2026"}, "beneficiary { firstName lastName phone anonymisedAt }")
		b := p["beneficiary"].(map[string]any)
		if b["firstName"] != "Personne" || b["lastName"] != "anonymisée" || b["phone"] != nil || b["anonymisedAt"] == nil {
			t.Fatalf("after erasure %v", b)
		}
		if after := aggregates(t, env); after != before {
			t.Fatalf("aggregates changed:\n%s\n%s", before, after)
		}
		var d struct {
			Beneficiary struct {
				BirthDate, Phase string
				Email, Address   *string
				Referral         struct{ OfiiReference string }
				Household        []struct{ FirstName, LastName, BirthDate string }
				Interviews       []struct{ SharedNote, PrivateNote *string }
				Orientations     []struct{ Purpose string }
			}
		}
		env.MustDo(coord, `query($id: ID!) { beneficiary(id: $id) { birthDate phase email address referral { ofiiReference }
			household { firstName lastName birthDate } interviews { sharedNote privateNote } orientations { purpose } } }`, map[string]any{"id": id}, &d)
		got := d.Beneficiary
		if !strings.HasSuffix(got.BirthDate, "-01-01") || got.Email != nil || got.Address != nil || !strings.HasPrefix(got.Referral.OfiiReference, "ANONYME-") {
			t.Fatalf("person %+v", got)
		}
		for _, h := range got.Household {
			if h.LastName != "anonymisée" || !strings.HasSuffix(h.BirthDate, "-01-01") {
				t.Fatalf("household %+v", got.Household)
			}
		}
		for _, i := range got.Interviews {
			if i.SharedNote != nil || i.PrivateNote != nil {
				t.Fatalf("interview notes kept: %+v", got.Interviews)
			}
		}
		for _, o := range got.Orientations {
			if o.Purpose != "anonymisé" {
				t.Fatalf("orientation purpose kept: %+v", got.Orientations)
			}
		}
		text := exportOf(t, env, coord, id)
		if text == nil {
			t.Fatal("no export after erasure")
		}
		for _, s := range secrets {
			if strings.Contains(*text, jsonText(s)) {
				t.Errorf("the export after erasure still holds %q", s)
			}
		}
		if n := countRows(t, env, `SELECT count(*) FROM audit_log WHERE action = 'eraseBeneficiaryData' AND entity_id = $1
			AND changes->>'kind' = 'REQUEST' AND changes->'erased' ? 'beneficiaries.phone'`, key); n != 1 {
			t.Fatalf("%d audit entries of the erasure", n)
		}
		// The audit chain still verifies: nothing was rewritten.
		rep, err := env.Store.VerifyAuditChain(t.Context(), nil)
		if err != nil || rep.BrokenAt != 0 {
			t.Fatalf("audit chain: %+v %v", rep, err)
		}
	})
	t.Run("ErrNothingAfterErasure", func(t *testing.T) {
		actErr(t, env, coord, "eraseBeneficiaryData", map[string]any{"beneficiaryId": id, "reason": "Deuxième demande"}, "ANONYMISED", "input", "beneficiaryId")
		actErr(t, env, sw, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "scope": "x"}, "ANONYMISED", "input", "beneficiaryId")
		var version int
		if err := env.Store.DB().Get(&version, `SELECT version FROM beneficiaries WHERE id = $1`, key); err != nil {
			t.Fatal(err)
		}
		actErr(t, env, sw, "updateBeneficiaryContact", map[string]any{"beneficiaryId": id, "version": version, "phone": "0611223344"}, "ANONYMISED")
		actErr(t, env, sw, "addHouseholdMember", map[string]any{"beneficiaryId": id, "relationship": "SPOUSE", "firstName": "Ali",
			"lastName": "Nouveau", "birthDate": "1985-01-01", "sex": "MALE", "nationality": "afghane"}, "ANONYMISED")
		if n := countRows(t, env, `SELECT count(*) FROM household_members WHERE beneficiary_id = $1 AND last_name = 'Nouveau'`, key); n != 0 {
			t.Fatal("a household member was added to an anonymised person")
		}
	})
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// Automatic anonymisation (issue 7): journeys CLOSED for more than the delay are
// anonymised; closed more recently, or not closed, are kept; a second run finds nothing.
func TestAnonymiseClosedJourneys(t *testing.T) {
	env := demoEnv(t)
	var closed []struct {
		Key      string     `db:"id"`
		ClosedOn model.Date `db:"closed_on"`
	}
	if err := env.Store.DB().Select(&closed, `SELECT b.id, GREATEST((SELECT max(x.exited_on) FROM journey_exits x WHERE x.beneficiary_id = b.id),
			(SELECT max(f.held_on) FROM follow_ups f WHERE f.beneficiary_id = b.id)) AS closed_on
		FROM beneficiaries b WHERE b.phase = 'CLOSED' ORDER BY closed_on, b.id`); err != nil {
		t.Fatal(err)
	}
	if len(closed) < 2 || closed[0].ClosedOn == closed[len(closed)-1].ClosedOn {
		t.Fatalf("the demo needs closed journeys closed on different days: %+v", closed)
	}
	open := countRows(t, env, `SELECT count(*) FROM beneficiaries WHERE phase <> 'CLOSED'`)
	before := aggregates(t, env)
	actor := &model.Principal{Subject: "system:anonymisation", Role: model.RoleAdmin}
	// The cutoff just after the earliest closing day: only those closed on that day.
	cutoff := closed[0].ClosedOn.AddDate(0, 0, 1)
	want := 0
	for _, c := range closed {
		if c.ClosedOn.Before(cutoff) {
			want++
		}
	}
	n, err := env.Store.AnonymiseClosedJourneys(t.Context(), actor, cutoff, 500)
	if err != nil || n != want {
		t.Fatalf("anonymised %d (%v), want %d", n, err, want)
	}
	for _, c := range closed {
		anonymised := countRows(t, env, `SELECT count(*) FROM beneficiaries b JOIN erasures e ON e.beneficiary_id = b.id
			WHERE b.id = $1 AND b.last_name = 'anonymisée' AND b.phone IS NULL AND e.kind = 'AUTOMATIC'`, c.Key) == 1
		if anonymised != c.ClosedOn.Before(cutoff) {
			t.Errorf("closed on %s, cutoff %s: anonymised=%v", c.ClosedOn, cutoff, anonymised)
		}
	}
	if n := countRows(t, env, `SELECT count(*) FROM beneficiaries WHERE phase <> 'CLOSED' AND anonymised_at IS NULL`); n != open {
		t.Fatalf("open journeys anonymised: %d left of %d", n, open)
	}
	if after := aggregates(t, env); after != before {
		t.Fatalf("aggregates changed:\n%s\n%s", before, after)
	}
	if n := countRows(t, env, `SELECT count(*) FROM audit_log WHERE action = 'eraseBeneficiaryData' AND actor_subject = 'system:anonymisation'`); n != want {
		t.Fatalf("%d audit entries, want %d", n, want)
	}
	if n, err := env.Store.AnonymiseClosedJourneys(t.Context(), actor, cutoff, 500); err != nil || n != 0 {
		t.Fatalf("second run: %d %v", n, err)
	}
}
