package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
)

// `server sync offers` (issue 20) synchronises the configured sources, prints its report,
// and changes nothing with -dry-run; Réfugiés.info stays off unless configured.
func TestSyncOffersCommand(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewDatabase(t)
	if _, err := db.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	sheet := map[string]any{"_id": "ri1", "titreInformatif": "Cours de français", "abstract": "Des cours de français gratuits.",
		"typeContenu": "dispositif", "status": "Actif", "sponsor": map[string]any{"nom": "Forum Réfugiés"},
		"availableLanguages": []string{"fr", "ar"}, "lastModificationDate": "2026-10-12T09:30:00.000Z",
		"metadatas": map[string]any{"location": []string{"35 - Ille-et-Vilaine"}, "frenchLevel": []string{"A2"}}}
	ri := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data := []any{}
		if r.URL.Path == "/dispositifs" {
			data = append(data, sheet)
		}
		if err := json.NewEncoder(w).Encode(map[string]any{"text": "success", "data": data}); err != nil {
			t.Error(err)
		}
	}))
	defer ri.Close()
	env := map[string]string{"DATABASE_URL": url, "AGIR_DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn", "AGIR_SYNC_DEPARTMENTS": "35"}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	t.Run("ErrNotConfigured", func(t *testing.T) {
		err := run(ctx, []string{"sync", "offers", "-source", "refugies-info"}, getenv, &out, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "AGIR_REFUGIESINFO_URL") {
			t.Fatalf("unconfigured: %v", err)
		}
	})
	env["AGIR_REFUGIESINFO_URL"] = ri.URL
	count := func() int {
		store, err := db.Open(ctx, url, db.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		var n int
		if err := store.DB().Get(&n, `SELECT count(*) FROM offers WHERE origin = 'refugies-info'`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("DryRun", func(t *testing.T) {
		out.Reset()
		if err := run(ctx, []string{"sync", "offers", "-dry-run"}, getenv, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "refugies-info 35: created 2, updated 0") || !strings.Contains(out.String(), "dry run, nothing changed") {
			t.Fatalf("output %q", out.String())
		}
		if n := count(); n != 0 {
			t.Fatalf("dry run wrote %d offers", n)
		}
	})
	t.Run("OK", func(t *testing.T) {
		out.Reset()
		if err := run(ctx, []string{"sync", "offers", "-source", "refugies-info"}, getenv, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "refugies-info 35: created 2, updated 0, unchanged 0") || count() != 1 {
			t.Fatalf("output %q, %d offers", out.String(), count())
		}
		out.Reset()
		if err := run(ctx, []string{"sync", "offers"}, getenv, &out, io.Discard); err != nil ||
			!strings.Contains(out.String(), "refugies-info 35: created 0, updated 0, unchanged 2, archived 0, rejected 0") {
			t.Fatalf("second run %q %v", out.String(), err)
		}
	})
	t.Run("ErrSource", func(t *testing.T) {
		for _, args := range [][]string{{"sync"}, {"sync", "offers", "-source", "agir"}} {
			if err := run(ctx, args, getenv, &out, io.Discard); err == nil {
				t.Fatalf("%v accepted", args)
			}
		}
		env["AGIR_DATAINCLUSION_URL"] = "https://example.invalid"
		defer delete(env, "AGIR_DATAINCLUSION_URL")
		if err := run(ctx, []string{"sync", "offers"}, getenv, &out, io.Discard); err == nil || !strings.Contains(err.Error(), "AGIR_DATAINCLUSION_TOKEN") {
			t.Fatalf("URL without token: %v", err)
		}
	})
}
