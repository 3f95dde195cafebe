package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// auditChanges returns every entry's changes as p reads them through auditLog.
func auditChangesAs(t *testing.T, env *graphtest.Env, p *model.Principal) []string {
	t.Helper()
	var out []string
	after := ""
	for {
		var d struct {
			AuditLog struct {
				Nodes    []struct{ Action, Changes string }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		env.MustDo(p, `query($after: String) { auditLog(first: 100, after: $after) { nodes { action changes } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"after": nullIfEmpty(after)}, &d)
		for _, n := range d.AuditLog.Nodes {
			out = append(out, n.Changes)
		}
		if !d.AuditLog.PageInfo.HasNextPage {
			return out
		}
		after = d.AuditLog.PageInfo.EndCursor
	}
}

// Issue 15, hole 6: the admin (who reads no personal data) read beneficiaries' OFII
// references, protection types, plan titles and consent scopes in auditLog.changes. The
// changes are filtered by the reader's rules: no value the reader cannot read through
// GraphQL; "withheld" says where something was removed. The coordinator, who reads them
// through GraphQL, still finds them.
func TestAuditLogChanges_FollowTheReadersRules(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	admin := demoPrincipal(t, env, model.RoleAdmin)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	setToday(env, "2026-03-01") // after the referral's CIR (2026-02-20)
	id := refer(t, env, coord, with(referral("OFII-2026-HOLE6"), "protectionType", "SUBSIDIARY_PROTECTION"))
	welcome(t, env, sw, id, "2026-03-02")
	mustAct(t, env, sw, "addPlanAction", map[string]any{"beneficiaryId": id, "axis": "HOUSING", "objectiveTitle": "Logement autonome",
		"title": "Déposer la demande de logement social au guichet"}, "beneficiary { id }")
	mustAct(t, env, sw, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS",
		"scope": "Partage avec le centre de formation linguistique"}, "consent { active }")
	secrets := []string{"OFII-2026-HOLE6", "SUBSIDIARY_PROTECTION", "Déposer la demande de logement social", "Partage avec le centre de formation"}

	t.Run("AdminSeesNone", func(t *testing.T) {
		all := strings.Join(auditChangesAs(t, env, admin), "\n")
		for _, s := range secrets {
			if strings.Contains(all, s) {
				t.Errorf("admin reads %q in auditLog.changes", s)
			}
		}
		var d struct {
			AuditLog struct{ Nodes []struct{ Changes string } }
		}
		env.MustDo(admin, `query($id: ID) { auditLog(first: 50, filter: {entityId: $id}) { nodes { changes } } }`, map[string]any{"id": id}, &d)
		var referral map[string]any
		for _, n := range d.AuditLog.Nodes {
			if strings.Contains(n.Changes, `"after.ofiiReference"`) {
				if err := json.Unmarshal([]byte(n.Changes), &referral); err != nil {
					t.Fatal(err)
				}
			}
		}
		withheld, _ := json.Marshal(referral["withheld"])
		if string(withheld) != `["after.admission","after.ofiiReference","after.protectionType"]` {
			t.Errorf("referral's changes for the admin: %v", referral)
		}
	})
	t.Run("CoordinatorSeesWhatItReads", func(t *testing.T) {
		all := strings.Join(auditChangesAs(t, env, coord), "\n")
		for _, s := range secrets {
			if !strings.Contains(all, s) {
				t.Errorf("coordinator does not read %q in auditLog.changes", s)
			}
		}
	})
	// The walk: whatever the act, a value of a field marked personal that the reader cannot
	// read through GraphQL is not in the changes it reads. The values are those of the
	// demo and of the acts above, as stored.
	t.Run("NoUnreadableValue", func(t *testing.T) {
		var values []string
		if err := env.Store.DB().Select(&values, `
			SELECT v FROM (
				SELECT first_name AS v FROM beneficiaries UNION SELECT last_name FROM beneficiaries
				UNION SELECT ofii_reference FROM beneficiaries UNION SELECT phone FROM beneficiaries
				UNION SELECT first_name FROM household_members UNION SELECT last_name FROM household_members
				UNION SELECT title FROM objectives UNION SELECT title FROM plan_actions UNION SELECT scope FROM consents
				UNION SELECT shared_note FROM interviews UNION SELECT private_note FROM interviews
				UNION SELECT situation FROM diagnostic_axes UNION SELECT reason FROM reintegrations
				UNION SELECT result FROM support_actions UNION SELECT purpose FROM orientations) x
			WHERE length(v) >= 6`); err != nil {
			t.Fatal(err)
		}
		var changes []string
		for _, c := range auditChangesAs(t, env, admin) {
			var doc any
			if err := json.Unmarshal([]byte(c), &doc); err != nil {
				t.Fatalf("changes %q: %v", c, err)
			}
			changes = append(changes, c)
		}
		all := strings.Join(changes, "\n")
		for _, v := range values {
			if strings.Contains(all, jsonText(v)) {
				t.Errorf("admin reads %q in auditLog.changes", v)
			}
		}
	})
}
