package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

func TestAuditLog(t *testing.T) {
	env := demoEnv(t)
	ctx := model.WithRequestMeta(context.Background(), model.RequestMeta{ID: "req-1", Operation: "Op", ClientAddr: "10.0.0.1"})
	coordinator := demoPrincipal(t, env, model.RoleCoordinator) // territory 69 and 38
	admin := demoPrincipal(t, env, model.RoleAdmin)
	worker := demoPrincipal(t, env, model.RoleSocialWorker)
	write := func(dept string, n int) {
		t.Helper()
		entries := make([]db.AuditEntry, n)
		for i := range entries {
			entries[i] = db.AuditEntry{Action: "read", EntityType: "Structure", EntityID: "00000000-0000-0000-0000-00000000000" + string(rune('0'+i)),
				Departments: []string{dept}, Changes: map[string]any{"fields": []string{"name"}, "i": i}}
		}
		if err := env.Store.AuditReads(ctx, worker, entries); err != nil {
			t.Fatal(err)
		}
	}
	write("69", 3)
	write("75", 2) // outside the coordinator's territory

	type page struct {
		AuditLog struct {
			TotalCount int
			Nodes      []struct {
				ActorEmail, RequestId, Operation, ClientAddr, Action, EntityType string
				Departments                                                      []string
				ActorStructure                                                   struct{ Name string }
			}
		}
	}
	query := `{ auditLog(first: 50) { totalCount nodes { actorEmail requestId operation clientAddr action entityType departments actorStructure { name } } } }`
	t.Run("CoordinatorSeesItsTerritory", func(t *testing.T) {
		var d page
		env.MustDo(coordinator, query, nil, &d)
		if d.AuditLog.TotalCount != 3 || len(d.AuditLog.Nodes) != 3 {
			t.Fatalf("coordinator sees %d entries", d.AuditLog.TotalCount)
		}
		n := d.AuditLog.Nodes[0]
		if n.ActorEmail != worker.Email || n.RequestId != "req-1" || n.Operation != "Op" || n.ClientAddr != "10.0.0.1" ||
			n.Departments[0] != "69" || n.ActorStructure.Name == "" {
			t.Fatalf("entry = %+v", n)
		}
	})
	t.Run("AdminSeesAll", func(t *testing.T) {
		var d page
		env.MustDo(admin, query, nil, &d)
		if d.AuditLog.TotalCount != 5 {
			t.Fatalf("admin sees %d entries", d.AuditLog.TotalCount)
		}
	})
	t.Run("ErrWorkerForbidden", func(t *testing.T) {
		r := env.Do(worker, query, nil)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})
	t.Run("ChainVerifies", func(t *testing.T) {
		rep, err := env.Store.VerifyAuditChain(context.Background(), nil)
		if err != nil || rep.BrokenAt != 0 || rep.Checked != 5 {
			t.Fatalf("report %+v, err %v", rep, err)
		}
	})
	t.Run("PurgeKeepsChainVerifiable", func(t *testing.T) {
		_, err := env.Store.DB().Exec(`UPDATE audit_log SET at = at - interval '400 days' WHERE id IN (SELECT id FROM audit_log ORDER BY id LIMIT 2)`)
		if err != nil {
			t.Fatal(err)
		}
		// Moving "at" is itself a modification the chain detects...
		if rep, _ := env.Store.VerifyAuditChain(context.Background(), nil); rep.BrokenAt == 0 {
			t.Fatal("changed timestamps not detected")
		}
		// ...but once those entries are purged, the rest verifies from the purge anchor.
		n, err := env.Store.PurgeAudit(context.Background(), time.Now().AddDate(0, 0, -365))
		if err != nil || n != 2 {
			t.Fatalf("purged %d, err %v", n, err)
		}
		rep, err := env.Store.VerifyAuditChain(context.Background(), nil)
		if err != nil || rep.BrokenAt != 0 || rep.Checked != 3 {
			t.Fatalf("after purge: %+v %v", rep, err)
		}
	})
	t.Run("DetectsModifiedRow", func(t *testing.T) {
		_, err := env.Store.DB().Exec(`UPDATE audit_log SET actor_email = 'someone@else' WHERE id = (SELECT max(id) - 1 FROM audit_log)`)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := env.Store.VerifyAuditChain(context.Background(), nil)
		if err != nil || rep.BrokenAt == 0 || rep.Reason == "" {
			t.Fatalf("tampering not detected: %+v %v", rep, err)
		}
	})
	t.Run("DetectsDeletedRow", func(t *testing.T) {
		env2 := demoEnv(t)
		for i := 0; i < 3; i++ {
			if err := env2.Store.AuditReads(ctx, worker, []db.AuditEntry{{Action: "read", EntityType: "Structure", EntityID: "x"}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := env2.Store.DB().Exec(`DELETE FROM audit_log WHERE id = (SELECT min(id) + 1 FROM audit_log)`); err != nil {
			t.Fatal(err)
		}
		rep, _ := env2.Store.VerifyAuditChain(context.Background(), nil)
		if rep.BrokenAt == 0 {
			t.Fatal("deletion not detected")
		}
	})
}

// TestAuditReads_PersonalFields: reading personal fields writes "read" entries listing
// every object read and its fields, in the auditLog: one entry for the objects of a type
// read with the same fields in one department (a page); reading none writes nothing. A
// partner reading the names of the people oriented to it is audited too, though the
// names are under no @group (partners read no group).
func TestAuditReads_PersonalFields(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	partner := demoPrincipal(t, env, model.RolePartnerEditor)
	// entries returns the number of entries in the audit log (the mark of reads).
	entries := func() int {
		t.Helper()
		var n int
		if err := env.Store.DB().Get(&n, `SELECT count(*) FROM audit_log`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// reads lists, through auditLog (newest first), the entries written since mark: all
	// of them must be reads of objects of type typ, each object in one entry only, and no
	// two entries alike (same fields and departments); it returns the fields read by
	// object id.
	reads := func(mark int, typ string) map[string][]string {
		t.Helper()
		var d struct {
			AuditLog struct {
				Nodes []struct {
					Action, EntityType, EntityId, Changes string
					EntityIds, Departments                []string
				}
			}
		}
		env.MustDo(coord, `{ auditLog(first: 100) { nodes { action entityType entityId entityIds departments changes } } }`, nil, &d)
		written := entries() - mark
		if written > len(d.AuditLog.Nodes) {
			t.Fatalf("%d entries written, more than a page", written)
		}
		out := map[string][]string{}
		groups := map[string]bool{}
		for _, e := range d.AuditLog.Nodes[:written] {
			var c struct{ Fields []string }
			if err := json.Unmarshal([]byte(e.Changes), &c); err != nil {
				t.Fatal(err)
			}
			group := fmt.Sprint(c.Fields, e.Departments)
			if e.Action != "read" || e.EntityType != typ || len(e.EntityIds) == 0 || e.EntityIds[0] != e.EntityId || groups[group] {
				t.Fatalf("unexpected entry %+v (group written twice: %v)", e, groups[group])
			}
			groups[group] = true
			for _, id := range e.EntityIds {
				if _, dup := out[id]; dup {
					t.Fatalf("%s in two entries", id)
				}
				out[id] = c.Fields
			}
		}
		return out
	}

	t.Run("OK", func(t *testing.T) {
		mark := entries()
		var d struct {
			Beneficiaries struct {
				Nodes []struct{ ID, FirstName, Department string }
			}
		}
		env.MustDo(coord, `{ beneficiaries(first: 20) { nodes { id firstName department } } }`, nil, &d)
		got := reads(mark, "Beneficiary")
		if len(d.Beneficiaries.Nodes) < 2 || len(got) != len(d.Beneficiaries.Nodes) {
			t.Fatalf("%d beneficiaries read, %d in the entries: %v", len(d.Beneficiaries.Nodes), len(got), got)
		}
		for _, n := range d.Beneficiaries.Nodes {
			if f := got[n.ID]; len(f) != 1 || f[0] != "firstName" {
				t.Fatalf("entry of %s: %v", n.ID, f)
			}
		}
		// One entry per department of the page (the demo coordinator's territory has two).
		depts := map[string]bool{}
		for _, n := range d.Beneficiaries.Nodes {
			depts[n.Department] = true
		}
		if n := entries() - mark; n != len(depts) || n >= len(d.Beneficiaries.Nodes) {
			t.Fatalf("a page of %d read with the same fields in %d departments: %d entries", len(d.Beneficiaries.Nodes), len(depts), n)
		}
		// Filtered by one of its objects, the log finds the page's entry.
		var f struct {
			AuditLog struct {
				Nodes []struct{ EntityIds []string }
			}
		}
		last := d.Beneficiaries.Nodes[len(d.Beneficiaries.Nodes)-1].ID
		env.MustDo(coord, `query($id: ID) { auditLog(first: 1, filter: {entityId: $id}) { nodes { entityIds } } }`,
			map[string]any{"id": last}, &f)
		if len(f.AuditLog.Nodes) != 1 || !slices.Contains(f.AuditLog.Nodes[0].EntityIds, last) {
			t.Fatalf("entries about %s: %+v", last, f.AuditLog.Nodes)
		}
	})
	t.Run("MixedFieldsAreSeparateEntries", func(t *testing.T) {
		// The first beneficiary read with one more field than the others: its entry says so.
		mark := entries()
		var d struct {
			Beneficiaries struct {
				Nodes []struct{ ID, FirstName string }
			}
			Beneficiary struct{ ID, LastName string }
		}
		var first struct {
			Beneficiaries struct{ Nodes []struct{ ID string } }
		}
		env.MustDo(coord, `{ beneficiaries(first: 1) { nodes { id } } }`, nil, &first)
		one := first.Beneficiaries.Nodes[0].ID
		env.MustDo(coord, `query($id: ID!) { beneficiaries(first: 5) { nodes { id firstName } } beneficiary(id: $id) { id lastName } }`,
			map[string]any{"id": one}, &d)
		got := reads(mark, "Beneficiary")
		if len(got) != len(d.Beneficiaries.Nodes) || !slices.Equal(got[one], []string{"firstName", "lastName"}) {
			t.Fatalf("fields read by object: %v", got)
		}
		for _, n := range d.Beneficiaries.Nodes {
			if n.ID != one && !slices.Equal(got[n.ID], []string{"firstName"}) {
				t.Fatalf("entry of %s: %v", n.ID, got[n.ID])
			}
		}
	})
	t.Run("NonPersonalFieldsNotAudited", func(t *testing.T) {
		mark := entries()
		var d struct {
			Beneficiaries struct{ Nodes []struct{ Phase string } }
		}
		env.MustDo(coord, `{ beneficiaries(first: 20) { nodes { id phase alerts { kind } orientations { status } } } }`, nil, &d)
		if len(d.Beneficiaries.Nodes) == 0 || entries() != mark {
			t.Fatalf("%d entries written for no personal field", entries()-mark)
		}
	})
	t.Run("HouseholdMembers", func(t *testing.T) {
		mark := entries()
		var d struct {
			Beneficiaries struct {
				Nodes []struct {
					Household []struct{ ID, LastName string }
				}
			}
		}
		env.MustDo(coord, `{ beneficiaries(first: 100) { nodes { household { id lastName } } } }`, nil, &d)
		members := 0
		got := reads(mark, "HouseholdMember")
		for _, n := range d.Beneficiaries.Nodes {
			for _, m := range n.Household {
				members++
				if f := got[m.ID]; len(f) != 1 || f[0] != "lastName" {
					t.Fatalf("entry of %s: %v", m.ID, f)
				}
			}
		}
		if members == 0 || len(got) != members {
			t.Fatalf("%d members read, %d entries", members, len(got))
		}
	})
	t.Run("PartnerInbox", func(t *testing.T) {
		mark := entries()
		var d struct {
			Orientations struct {
				Nodes []struct {
					Person struct{ FirstName, LastNameInitial string }
				}
			}
		}
		env.MustDo(partner, `{ orientations(first: 50) { nodes { person { firstName lastNameInitial } } } }`, nil, &d)
		got := reads(mark, "Beneficiary")
		var keys []string
		if err := env.Store.DB().Select(&keys, `SELECT DISTINCT beneficiary_id::text FROM orientations WHERE structure_id = $1`, partner.StructureID); err != nil {
			t.Fatal(err)
		}
		if len(d.Orientations.Nodes) == 0 || d.Orientations.Nodes[0].Person.FirstName == "" || len(got) != len(keys) {
			t.Fatalf("%d orientations read, %d entries for %d people", len(d.Orientations.Nodes), len(got), len(keys))
		}
		for _, k := range keys {
			if f := got[model.GlobalID("Beneficiary", k)]; len(f) != 2 || f[0] != "firstName" || f[1] != "lastNameInitial" {
				t.Fatalf("entry of %s: %v", k, f)
			}
		}
		var role string
		if err := env.Store.DB().Get(&role, `SELECT actor_role FROM audit_log ORDER BY id DESC LIMIT 1`); err != nil || role != "partner_editor" {
			t.Fatalf("actor %q %v", role, err)
		}
		// The languages and French level are the person's too (issue 15, hole 1): read, they
		// are audited as the names are.
		mark = entries()
		env.MustDo(partner, `{ orientations(first: 50) { nodes { status person { languages frenchLevel } } } }`, nil, &d)
		got = reads(mark, "Beneficiary")
		for _, k := range keys {
			if f := got[model.GlobalID("Beneficiary", k)]; !slices.Equal(f, []string{"frenchLevel", "languages"}) {
				t.Fatalf("entry of %s: %v", k, f)
			}
		}
	})
	t.Run("ChainVerifies", func(t *testing.T) {
		// The reads of a page are written in one statement; the chain still holds in id order.
		rep, err := env.Store.VerifyAuditChain(context.Background(), nil)
		if err != nil || rep.BrokenAt != 0 || rep.Checked != entries() {
			t.Fatalf("report %+v, %d entries, err %v", rep, entries(), err)
		}
	})
	t.Run("DetectsObjectRemovedFromPage", func(t *testing.T) {
		// Hiding that one person was read with a page breaks the chain at that entry.
		var id int64
		if err := env.Store.DB().Get(&id, `UPDATE audit_log SET entity_ids = entity_ids[1:cardinality(entity_ids) - 1]
			WHERE id = (SELECT max(id) FROM audit_log WHERE cardinality(entity_ids) > 2) RETURNING id`); err != nil {
			t.Fatal(err)
		}
		rep, err := env.Store.VerifyAuditChain(context.Background(), nil)
		if err != nil || rep.BrokenAt != id {
			t.Fatalf("entry %d changed, report %+v, err %v", id, rep, err)
		}
	})
}

// TestAuditReads_GroupCommit: concurrent requests' read entries, committed together by
// the audit writer, each keep their actor and request, and the hash chain holds.
func TestAuditReads_GroupCommit(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	worker := demoPrincipal(t, env, model.RoleSocialWorker)
	const requests = 16
	errs := make(chan error, requests)
	for i := range requests {
		p := coord
		if i%2 == 1 {
			p = worker
		}
		go func() {
			ctx := model.WithRequestMeta(context.Background(), model.RequestMeta{ID: fmt.Sprintf("group-%02d", i), ClientAddr: "192.0.2.1"})
			entries := []db.AuditEntry{
				{Action: "read", EntityType: "Beneficiary", EntityID: fmt.Sprintf("b-%d-1", i), Departments: []string{"69"}, Changes: map[string]any{"fields": []string{"firstName"}}},
				{Action: "read", EntityType: "Beneficiary", EntityID: fmt.Sprintf("b-%d-2", i), Changes: map[string]any{"fields": []string{"lastName"}}},
			}
			errs <- env.Store.AuditReads(ctx, p, entries)
		}()
	}
	for range requests {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	t.Run("OK", func(t *testing.T) {
		var rows []struct {
			RequestID string  `db:"request_id"`
			Role      string  `db:"actor_role"`
			Structure *string `db:"actor_structure_id"`
			EntityID  string  `db:"entity_id"`
			Depts     string  `db:"depts"`
		}
		if err := env.Store.DB().Select(&rows, `SELECT request_id, actor_role, actor_structure_id::text AS actor_structure_id,
				entity_id, array_to_string(departments, ',') AS depts
			FROM audit_log WHERE request_id LIKE 'group-%' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2*requests {
			t.Fatalf("%d entries, want %d", len(rows), 2*requests)
		}
		for _, r := range rows {
			var i, n int
			if _, err := fmt.Sscanf(r.EntityID, "b-%d-%d", &i, &n); err != nil {
				t.Fatal(err)
			}
			want := coord
			if i%2 == 1 {
				want = worker
			}
			if r.RequestID != fmt.Sprintf("group-%02d", i) || r.Role != string(want.Role) ||
				r.Structure == nil || *r.Structure != want.StructureID || (n == 1) != (r.Depts == "69") {
				t.Fatalf("entry %+v of request %d", r, i)
			}
		}
	})
	t.Run("OKChain", func(t *testing.T) {
		rep, err := env.Store.VerifyAuditChain(context.Background(), nil)
		if err != nil || rep.BrokenAt != 0 {
			t.Fatalf("chain %+v, %v", rep, err)
		}
	})
}

// TestAuditReads_FailureWithholdsTheData: when the read audit cannot be written, the
// answer carries no data, only a masked INTERNAL error with the request id.
func TestAuditReads_FailureWithholdsTheData(t *testing.T) {
	env, logs := loggedDemoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	if _, err := env.Store.DB().Exec(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit refused for the test'; END $$;
		CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()`); err != nil {
		t.Fatal(err)
	}
	r := env.Do(coord, `{ beneficiaries(first: 5) { nodes { id lastName } } }`, nil)
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "INTERNAL" || r.Errors[0].Extensions["requestId"] == nil {
		t.Fatalf("errors %+v, want one masked INTERNAL error", r.Errors)
	}
	if strings.Contains(string(r.Data), "lastName") || strings.Contains(fmt.Sprint(r.Errors), "refused") {
		t.Fatalf("the data or the cause left: data %s, errors %+v", r.Data, r.Errors)
	}
	// the cause is in the log, as an internal error (not a panic of the error path)
	var logged bool
	for _, rec := range logs.records(t) {
		if rec["msg"] == "panic in resolver" {
			t.Fatalf("the audit's failure panicked: %v", rec)
		}
		if rec["msg"] == "internal error" && strings.Contains(fmt.Sprint(rec["err"]), "audit refused for the test") {
			logged = true
		}
	}
	if !logged {
		t.Fatal("the audit's failure was not logged with its cause")
	}
	// without personal fields there is nothing to audit: the answer comes
	env.MustDo(coord, `{ beneficiaries(first: 5) { nodes { id phase } } }`, nil, nil)
}
