package graph_test

import (
	"testing"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// giveSharingConsent records, as the demo social worker would, the consent to share of
// beneficiary key, given on its referral day.
func giveSharingConsent(t *testing.T, env *graphtest.Env, key string) {
	t.Helper()
	if _, err := env.Store.DB().Exec(`INSERT INTO consents (beneficiary_id, kind, scope, given_on, recorded_by, created_at)
		SELECT id, 'SHARE_WITH_PARTNERS', 'Partage avec les partenaires des orientations', referred_on, 'test', now()
		FROM beneficiaries WHERE id = $1`, key); err != nil {
		t.Fatalf("consent: %v", err)
	}
}

const consentSelection = `consent { kind scope givenOn withdrawnOn active } beneficiary { consents { kind givenOn withdrawnOn active } }`

// Consents (issue 7): recorded with day and scope, withdrawn and kept; an orientation to
// a partner requires the consent to share in force; the engagement contract's consent is
// the contract's.
func TestConsents(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	id := refer(t, env, sw, referral("OFII-69-2026-0900"))
	key := mustKey(t, id)
	mission := model.GlobalID("Structure", structureKeyNamed(t, env, "Mission locale"))
	orientation := map[string]any{"beneficiaryId": id, "kind": "JOB_SEARCH_SUPPORT", "structureId": mission,
		"purpose": "Accompagnement vers l'emploi"}

	t.Run("ErrOrientationWithoutConsent", func(t *testing.T) {
		before := tableCount(t, env, "orientations")
		_, ue := orient(t, env, ic, orientation)
		if ue.code() != "CONSENT_REQUIRED" || len(ue[0].Field) != 2 || ue[0].Field[1] != "beneficiaryId" {
			t.Fatalf("user errors %+v", ue)
		}
		if tableCount(t, env, "orientations") != before {
			t.Fatal("an orientation was recorded")
		}
	})
	t.Run("Record", func(t *testing.T) {
		p := mustAct(t, env, ic, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS",
			"scope": "  Partage avec la mission locale et France Travail  ", "givenOn": "2026-03-02"}, consentSelection)
		c := p["consent"].(map[string]any)
		if c["kind"] != "SHARE_WITH_PARTNERS" || c["scope"] != "Partage avec la mission locale et France Travail" ||
			c["givenOn"] != "2026-03-02" || c["withdrawnOn"] != nil || c["active"] != true {
			t.Fatalf("consent %v", c)
		}
		if n := countRows(t, env, `SELECT count(*) FROM audit_log WHERE action = 'recordConsent' AND entity_id = $1
			AND changes->'consent'->'after'->>'kind' = 'SHARE_WITH_PARTNERS'`, key); n != 1 {
			t.Fatalf("%d audit entries", n)
		}
	})
	t.Run("OrientationWithConsent", func(t *testing.T) {
		o, ue := orient(t, env, ic, orientation)
		if ue.code() != "" || o.Status != "PENDING" {
			t.Fatalf("%+v %+v", o, ue)
		}
	})
	t.Run("ErrAlreadyInForce", func(t *testing.T) {
		actErr(t, env, sw, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "scope": "x"}, "ALREADY_EXISTS", "input", "kind")
	})
	t.Run("ErrEngagementContractKind", func(t *testing.T) {
		actErr(t, env, sw, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "ENGAGEMENT_CONTRACT", "scope": "x"}, "RULE_VIOLATION", "input", "kind")
	})
	t.Run("ErrBadInput", func(t *testing.T) {
		actErr(t, env, sw, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "scope": "  "}, "INVALID_INPUT", "input", "scope")
		actErr(t, env, sw, "withdrawConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "withdrawnOn": "2026-03-05"}, "INVALID_INPUT", "input", "withdrawnOn")
		actErr(t, env, sw, "withdrawConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "withdrawnOn": "2026-02-20"}, "OUT_OF_ORDER", "input", "withdrawnOn")
	})
	t.Run("ErrOutOfScope", func(t *testing.T) {
		isere := *coord
		isere.Departments = []string{"38"}
		actErr(t, env, &isere, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "scope": "x"}, "NOT_FOUND", "input", "beneficiaryId")
		forbidden(t, env, demoPrincipal(t, env, model.RolePartnerEditor), "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "scope": "x"})
		forbidden(t, env, demoPrincipal(t, env, model.RoleStateRepresentative), "withdrawConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS"})
	})
	t.Run("Withdraw", func(t *testing.T) {
		p := mustAct(t, env, sw, "withdrawConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS"}, consentSelection)
		c := p["consent"].(map[string]any)
		if c["withdrawnOn"] != "2026-03-02" || c["active"] != false {
			t.Fatalf("consent %v", c)
		}
		_, ue := orient(t, env, ic, orientation)
		if ue.code() != "CONSENT_REQUIRED" {
			t.Fatalf("after withdrawal: %+v", ue)
		}
		actErr(t, env, sw, "withdrawConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS"}, "NOT_FOUND", "input", "kind")
		// Given again: a new consent, the withdrawn one kept.
		p = mustAct(t, env, sw, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "scope": "Partage de nouveau accepté"}, consentSelection)
		list := p["beneficiary"].(map[string]any)["consents"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["active"] != true || list[1].(map[string]any)["active"] != false {
			t.Fatalf("consents %v", list)
		}
	})
	t.Run("EngagementContractConsentShown", func(t *testing.T) {
		welcome(t, env, sw, id, "2026-03-02")
		mustAct(t, env, sw, "addPlanAction", map[string]any{"beneficiaryId": id, "axis": "HOUSING", "objectiveTitle": "Accéder à un logement",
			"title": "Constituer la demande de logement social"}, "beneficiary { id }")
		mustAct(t, env, sw, "signEngagementContract", map[string]any{"beneficiaryId": id, "signedOn": "2026-03-02", "consentRecorded": true}, "beneficiary { id }")
		var d struct {
			Beneficiary struct {
				Consents []struct{ Kind, GivenOn, Scope string }
			}
		}
		env.MustDo(ic, `query($id: ID!) { beneficiary(id: $id) { consents { kind givenOn scope } } }`, map[string]any{"id": id}, &d)
		kinds := map[string]string{}
		for _, c := range d.Beneficiary.Consents {
			kinds[c.Kind] = c.GivenOn
		}
		if kinds["ENGAGEMENT_CONTRACT"] != "2026-03-02" || kinds["SHARE_WITH_PARTNERS"] == "" || len(d.Beneficiary.Consents) != 3 {
			t.Fatalf("consents %+v", d.Beneficiary.Consents)
		}
	})
}
