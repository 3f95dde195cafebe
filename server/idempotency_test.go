package main

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestIdempotency_CommitAnswerLost: the answer of a COMMIT is lost (simulated: the
// connection breaks after the COMMIT reached PostgreSQL). With an Idempotency-Key the
// server finds the act recorded and answers it; a retry with the key gets the same answer
// and writes nothing. Without a key the client is told OUTCOME_UNKNOWN (the act was in
// fact recorded: a blind retry would write it twice).
func TestIdempotency_CommitAnswerLost(t *testing.T) {
	m := startServer(t, dbtest.NewDatabase(t))
	ctx := context.Background()
	partner := token(t, m, model.RolePartnerEditor)
	var me struct {
		Data struct {
			Me struct{ Structure struct{ ID string } }
		}
	}
	gqlPost(t, m, partner, `{ me { structure { id } } }`, nil, &me)
	var lose atomic.Bool // the next commit of the partner loses its answer
	m.Store.SetFaultAfterCommit(func(ctx context.Context) error {
		if p := model.PrincipalFrom(ctx); p != nil && p.Role == model.RolePartnerEditor && lose.CompareAndSwap(true, false) {
			return driver.ErrBadConn
		}
		return nil
	})
	t.Cleanup(func() { m.Store.SetFaultAfterCommit(nil) })
	count := func(name string) int {
		var n int
		if err := m.Store.DB().GetContext(ctx, &n, `SELECT count(*) FROM offers WHERE nom = $1`, name); err != nil {
			t.Fatal(err)
		}
		return n
	}
	create := func(key, name string) (int, http.Header, string) {
		t.Helper()
		fields := map[string]any{"name": name, "description": "Atelier.", "serviceType": "atelier", "themes": []string{"lecture-ecriture-calcul--maitriser-le-francais"},
			"publics": []string{"personnes-exilees"}, "cost": "gratuit", "receptionModes": []string{"en-presentiel"}, "postalCode": "69002", "city": "Lyon"}
		b, _ := json.Marshal(map[string]any{"query": `mutation($in: CreateOfferInput!) { createOffer(input: $in) { offer { id name } userErrors { code } } }`,
			"variables": map[string]any{"in": map[string]any{"structureId": me.Data.Me.Structure.ID, "fields": fields}}})
		req, _ := http.NewRequest(http.MethodPost, "http://"+m.Addr()+"/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+partner)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, res.Header, readAll(res)
	}

	t.Run("OKKeyWritesOnce", func(t *testing.T) {
		lose.Store(true)
		status, _, first := create("3f8a2c1e-key-one", "Atelier A")
		if status != 200 || !strings.Contains(first, `"name":"Atelier A"`) || lose.Load() {
			t.Fatalf("first: %d %s (fault used: %v)", status, first, !lose.Load())
		}
		status, h, again := create("3f8a2c1e-key-one", "Atelier A")
		if status != 200 || again != first || h.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %q %s, want the first answer %s", status, h.Get("Idempotent-Replayed"), again, first)
		}
		if n := count("Atelier A"); n != 1 {
			t.Fatalf("%d offers written, want 1", n)
		}
	})

	t.Run("ErrNoKeyOutcomeUnknown", func(t *testing.T) {
		lose.Store(true)
		status, h, body := create("", "Atelier B")
		if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(body, `"code":"OUTCOME_UNKNOWN"`) {
			t.Fatalf("%d %q %s", status, h.Get("Retry-After"), body)
		}
		if n := count("Atelier B"); n != 1 { // recorded, though the client could not know
			t.Fatalf("%d offers written", n)
		}
	})

	t.Run("ErrKeyReusedForAnotherAct", func(t *testing.T) {
		status, _, body := create("3f8a2c1e-key-one", "Atelier C")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"code":"IDEMPOTENCY_KEY_REUSED"`) || count("Atelier C") != 0 {
			t.Fatalf("%d %s", status, body)
		}
	})

	t.Run("ErrBadKey", func(t *testing.T) {
		status, _, body := create("short", "Atelier D")
		if status != http.StatusBadRequest || !strings.Contains(body, `"code":"BAD_REQUEST"`) || count("Atelier D") != 0 {
			t.Fatalf("%d %s", status, body)
		}
	})
}
