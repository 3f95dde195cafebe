package graph_test

import (
	"context"
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
		rep, err := env.Store.VerifyAuditChain(context.Background())
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
		if rep, _ := env.Store.VerifyAuditChain(context.Background()); rep.BrokenAt == 0 {
			t.Fatal("changed timestamps not detected")
		}
		// ...but once those entries are purged, the rest verifies from the purge anchor.
		n, err := env.Store.PurgeAudit(context.Background(), time.Now().AddDate(0, 0, -365))
		if err != nil || n != 2 {
			t.Fatalf("purged %d, err %v", n, err)
		}
		rep, err := env.Store.VerifyAuditChain(context.Background())
		if err != nil || rep.BrokenAt != 0 || rep.Checked != 3 {
			t.Fatalf("after purge: %+v %v", rep, err)
		}
	})
	t.Run("DetectsModifiedRow", func(t *testing.T) {
		_, err := env.Store.DB().Exec(`UPDATE audit_log SET actor_email = 'someone@else' WHERE id = (SELECT max(id) - 1 FROM audit_log)`)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := env.Store.VerifyAuditChain(context.Background())
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
		rep, _ := env2.Store.VerifyAuditChain(context.Background())
		if rep.BrokenAt == 0 {
			t.Fatal("deletion not detected")
		}
	})
}
