package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/db/demo"
)

// `server maintenance anonymise` (issue 7) anonymises the journeys CLOSED for more than
// AGIR_ANONYMISE_AFTER_DAYS, and nothing more on a second run.
func TestMaintenanceAnonymise(t *testing.T) {
	ctx := context.Background()
	url, store := demoDatabase(t)
	var closed int
	if err := store.DB().Get(&closed, `SELECT count(*) FROM beneficiaries b WHERE phase = 'CLOSED'
		AND GREATEST((SELECT max(x.exited_on) FROM journey_exits x WHERE x.beneficiary_id = b.id),
		             (SELECT max(f.held_on) FROM follow_ups f WHERE f.beneficiary_id = b.id)) < (now() AT TIME ZONE 'Europe/Paris')::date - 1`); err != nil {
		t.Fatal(err)
	}
	if closed == 0 {
		t.Fatal("no closed journey in the demo")
	}
	env := map[string]string{"DATABASE_URL": url, "AGIR_DATA_DIR": t.TempDir(), "AGIR_ANONYMISE_AFTER_DAYS": "1", "LOG_LEVEL": "warn"}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := run(ctx, []string{"maintenance", "anonymise"}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), fmt.Sprintf("closed journeys anonymised: %d ", closed)) {
		t.Fatalf("output %q, want %d anonymised", out.String(), closed)
	}
	var n int
	if err := store.DB().Get(&n, `SELECT count(*) FROM erasures WHERE kind = 'AUTOMATIC'`); err != nil || n != closed {
		t.Fatalf("%d erasures (%v), want %d", n, err, closed)
	}
	out.Reset()
	if err := run(ctx, []string{"maintenance", "anonymise"}, getenv, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "closed journeys anonymised: 0 ") {
		t.Fatalf("second run: %q %v", out.String(), err)
	}
	if err := run(ctx, []string{"maintenance"}, getenv, &out, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("no subcommand: %v", err)
	}
	env["AGIR_ANONYMISE_AFTER_DAYS"] = "0"
	if err := run(ctx, []string{"maintenance", "anonymise"}, getenv, &out, io.Discard); err == nil || !strings.Contains(err.Error(), "AGIR_ANONYMISE_AFTER_DAYS") {
		t.Fatalf("invalid delay: %v", err)
	}
}

// `server maintenance rederive` (issue 19) re-derives every journey and rebuilds the
// journey facts: zero differences on data the acts wrote; a stored phase or a facts row
// that drifted is counted and repaired, and the next run finds nothing.
func TestMaintenanceRederive(t *testing.T) {
	ctx := context.Background()
	url, store := demoDatabase(t)
	var journeys int
	if err := store.DB().Get(&journeys, `SELECT count(*) FROM beneficiaries`); err != nil || journeys == 0 {
		t.Fatalf("%d journeys (%v)", journeys, err)
	}
	env := map[string]string{"DATABASE_URL": url, "AGIR_DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn"}
	getenv := func(k string) string { return env[k] }
	rederive := func(want string) {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, []string{"maintenance", "rederive"}, getenv, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("output %q, want %q", out.String(), want)
		}
	}
	clean := fmt.Sprintf("journeys re-derived: %d, differences: 0\njourney facts rebuilt: %d, differences: 0\n", journeys, journeys)
	rederive(clean)
	if _, err := store.DB().Exec(`UPDATE beneficiaries SET phase = 'CLOSED' WHERE id = (SELECT min(id::text)::uuid FROM beneficiaries WHERE phase <> 'CLOSED')`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().Exec(`UPDATE journey_facts SET emp_at_end = NOT emp_at_end WHERE beneficiary_id = (SELECT max(id::text)::uuid FROM beneficiaries)`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB().Exec(`DELETE FROM journey_facts WHERE beneficiary_id = (SELECT max(id::text)::uuid FROM beneficiaries WHERE id <> (SELECT max(id::text)::uuid FROM beneficiaries))`); err != nil {
		t.Fatal(err)
	}
	// The phase repaired by the re-derivation also rewrites that journey's facts row
	// (refreshJourney): the two rows tampered with remain for the rebuild.
	rederive(fmt.Sprintf("journeys re-derived: %d, differences: 1\njourney facts rebuilt: %d, differences: 2\n", journeys, journeys))
	rederive(clean)
}

// demoDatabase is a fresh migrated database holding the demo territory: its URL, for the
// command under test, and a Store on it (closed with the test), to look at the result.
func demoDatabase(t *testing.T) (string, *db.Store) {
	t.Helper()
	ctx := context.Background()
	url := dbtest.NewDatabase(t)
	if _, err := db.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := demo.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	return url, store
}

// TestPeriodicJobs_StopWaitsForTheJobs: stop returns once every job has returned, so that
// Run does not return (and Close does not close the Store) while a job still uses it: a
// job that was purging when the server stopped read a Store that Close had set to nil.
func TestPeriodicJobs_StopWaitsForTheJobs(t *testing.T) {
	var logs strings.Builder
	jobs := startJobs(context.Background(), slog.New(slog.NewTextHandler(&logs, nil)))
	started := make(chan struct{})
	var finished atomic.Int32
	jobs.run("slow", time.Hour, func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // still working after the cancellation
		finished.Add(1)
		return ctx.Err()
	})
	<-started
	jobs.stop()
	if finished.Load() != 1 {
		t.Fatal("stop returned while a job was still running")
	}
	if logs.Len() > 0 {
		t.Errorf("a job's error while stopping was logged: %s", logs.String())
	}
}
