package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// `server audit verify` detects every tampering of the audit log that someone with write
// access to the database (but not the audit key nor the anchor file) can do: a modified
// entry, an inserted one, one deleted in the middle, and the newest ones deleted
// (truncation), which the chain alone cannot show.
func TestAuditVerify_DetectsTampering(t *testing.T) {
	ctx := context.Background()
	url := dbtest.NewDatabase(t)
	dataDir := t.TempDir()
	env := map[string]string{"DATABASE_URL": url, "PORT": "0", "AGIR_DATA_DIR": dataDir, "AGIR_DEV_SECRET": testSecret,
		"AGIR_DEMO": "on", "LOG_LEVEL": "warn"}
	getenv := func(k string) string { return env[k] }

	// The real server writes the entries: the demo's acts, then audited reads.
	c, err := LoadConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(ctx, c, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	var list struct {
		Data struct {
			Beneficiaries struct{ Nodes []struct{ ID string } }
		}
	}
	for range 12 {
		if status, body := gqlPost(t, m, token(t, m, model.RoleSocialWorker), `{ beneficiaries(first: 5) { nodes { id lastName birthDate } } }`, nil, &list); status != 200 || len(list.Data.Beneficiaries.Nodes) == 0 {
			t.Fatalf("audited read: %d %s", status, body)
		}
	}
	cancel()
	<-done
	m.Close()

	sqlDB, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	exec := func(t *testing.T, q string, args ...any) {
		if !strings.Contains(q, "$1") {
			args = nil
		}
		t.Helper()
		if _, err := sqlDB.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(t, `CREATE TABLE audit_log_kept AS SELECT * FROM audit_log`)
	restore := func(t *testing.T) {
		exec(t, `DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM audit_log_kept`)
	}
	var n, keyed int
	var middle, last int64
	if err := sqlDB.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE keyed), (array_agg(id ORDER BY id))[count(*) / 2], max(id) FROM audit_log`).
		Scan(&n, &keyed, &middle, &last); err != nil || n < 10 || keyed != n {
		t.Fatalf("%d entries, %d keyed (%v): want a keyed chain of at least 10", n, keyed, err)
	}
	verify := func(t *testing.T) (string, error) {
		t.Helper()
		var out bytes.Buffer
		err := run(ctx, []string{"audit", "verify"}, getenv, &out, io.Discard)
		return out.String(), err
	}

	t.Run("OK", func(t *testing.T) {
		out, err := verify(t)
		if err != nil || !strings.Contains(out, "audit chain verified") || !strings.Contains(out, "anchor reached") {
			t.Fatalf("untouched chain: %q, %v", out, err)
		}
	})
	for _, tc := range []struct {
		name   string
		tamper []string // statements; $1 is the id of an entry in the middle of the chain
		want   string
	}{
		{"ErrModified", []string{`UPDATE audit_log SET changes = '{"fields": ["lastName"]}' WHERE id = $1`}, "modifié"},
		{"ErrModifiedActor", []string{`UPDATE audit_log SET actor_email = 'quelquun@ailleurs.fr' WHERE id = $1`}, "modifié"},
		{"ErrDeletedInTheMiddle", []string{`DELETE FROM audit_log WHERE id = $1`}, "lien"},
		{"ErrInsertedInTheMiddle", []string{
			`UPDATE audit_log SET id = id + 1000000 WHERE id > $1`,
			`INSERT INTO audit_log (id, at, actor_subject, actor_role, action, entity_type, entity_id, prev_hash, hash, keyed, seq)
			 SELECT id + 1, at, actor_subject, actor_role, 'read', entity_type, entity_id, hash, sha256(hash), true, seq + 1
			 FROM audit_log WHERE id = $1`}, "modifié"},
		{"ErrUnkeyedEntryAppended", []string{`INSERT INTO audit_log (at, actor_subject, actor_role, action, entity_type, entity_id, prev_hash, hash)
			SELECT now(), 'x', 'admin', 'read', 'Beneficiary', 'x', hash, sha256(hash) FROM audit_log WHERE id = (SELECT max(id) FROM audit_log) AND $1 > 0`}, "sans clé"},
		{"ErrNewestDeleted", []string{`DELETE FROM audit_log WHERE id > (SELECT max(id) FROM audit_log) - 3 AND $1 > 0`}, "tronqué"},
		{"ErrNewestDeletedAndPurgeForged", []string{`DELETE FROM audit_log WHERE id > (SELECT max(id) FROM audit_log) - 3 AND $1 > 0`,
			`INSERT INTO audit_purges (at, purged_before, last_purged_id, last_purged_hash, entries) SELECT now(), now(), 0, hash, 3 FROM audit_log WHERE id = $1`}, "broken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer restore(t)
			defer exec(t, `DELETE FROM audit_purges`)
			for _, q := range tc.tamper {
				exec(t, q, middle)
			}
			out, err := verify(t)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("tampered chain: %q, %v; want an error saying %q", out, err, tc.want)
			}
		})
	}
	t.Run("ErrTruncatedThenWrittenOn", func(t *testing.T) {
		// The newest entries deleted, then the server writes again: the chain is whole
		// from the truncated head, but the anchor was not moved past the gap.
		defer restore(t)
		exec(t, `DELETE FROM audit_log WHERE id > $1`, last-5)
		m2 := startServerEnv(t, map[string]string{"DATABASE_URL": url, "AGIR_DATA_DIR": dataDir, "AGIR_DEMO": "off"})
		for range 3 {
			gqlPost(t, m2, token(t, m2, model.RoleSocialWorker), `{ beneficiaries(first: 5) { nodes { id lastName } } }`, nil, nil)
		}
		out, err := verify(t)
		if err == nil || !strings.Contains(err.Error(), "ancre") && !strings.Contains(err.Error(), "tronqué") {
			t.Fatalf("truncated then appended: %q, %v; want the anchor to show it", out, err)
		}
	})
	t.Run("WithoutTheAnchorTruncationGoesUnseen", func(t *testing.T) {
		// What the anchor is for: the same truncation with the anchor file removed passes.
		defer restore(t)
		anchor := filepath.Join(dataDir, "audit-anchor.json")
		kept, err := os.ReadFile(anchor)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(anchor, kept, 0o600)
		os.Remove(anchor)
		exec(t, `DELETE FROM audit_log WHERE id > $1`, last-3)
		if _, err := verify(t); err != nil {
			t.Fatalf("without anchor: %v", err)
		}
	})
}
