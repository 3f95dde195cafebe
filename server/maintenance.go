package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// auditCmd runs the audit log's maintenance: `audit verify` checks the hash chain (exit
// status 1 when broken), `audit purge` removes entries past the retention period.
func auditCmd(ctx context.Context, c Config, args []string, logger *slog.Logger, stdout io.Writer) error {
	store, closeDB, err := openForSubcommand(ctx, c, logger, "audit", args, "verify", "purge")
	if err != nil {
		return err
	}
	defer closeDB()
	switch args[0] {
	case "verify":
		anchor, anchored, err := db.LoadAuditAnchor(auditAnchorPath(c))
		if err != nil {
			return err
		}
		var head *db.AuditHead
		if anchored {
			head = &anchor
		}
		rep, err := store.VerifyAuditChain(ctx, head)
		if err != nil {
			return err
		}
		switch {
		case rep.BrokenAt == -1:
			return fmt.Errorf("audit chain truncated after %d entries: %s", rep.Count, rep.Reason)
		case rep.BrokenAt != 0:
			return fmt.Errorf("audit chain broken at entry %d after %d entries: %s", rep.BrokenAt, rep.Checked, rep.Reason)
		case anchored && !rep.Anchored:
			return fmt.Errorf("audit chain does not reach its anchor (%d entries, hash %x)", anchor.Count, anchor.Hash)
		}
		fmt.Fprintf(stdout, "audit chain verified: %d entries (%d keyed), anchor %s\n", rep.Checked, rep.Keyed, anchorState(anchored, anchor))
	case "purge":
		n, err := store.PurgeAudit(ctx, auditCutoff(c, time.Now()))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "audit entries purged: %d\n", n)
	}
	return nil
}

func anchorState(anchored bool, h db.AuditHead) string {
	if !anchored {
		return "absent (no keyed entry yet)"
	}
	return fmt.Sprintf("reached (%d entries)", h.Count)
}

func auditCutoff(c Config, now time.Time) time.Time { return now.AddDate(0, 0, -c.AuditRetentionDays) }

// maintenanceCmd runs data maintenance: `maintenance anonymise` anonymises the people
// whose journey is CLOSED for more than AGIR_ANONYMISE_AFTER_DAYS (RGPD, DESIGN §6);
// `maintenance rederive` re-derives every journey from its acts and rebuilds the journey
// facts from scratch (issue 19), reporting the differences found (zero expected).
func maintenanceCmd(ctx context.Context, c Config, args []string, logger *slog.Logger, stdout io.Writer) error {
	store, closeDB, err := openForSubcommand(ctx, c, logger, "maintenance", args, "anonymise", "rederive")
	if err != nil {
		return err
	}
	defer closeDB()
	if args[0] == "rederive" {
		rep, err := store.Rederive(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "journeys re-derived: %d, differences: %d\njourney facts rebuilt: %d, differences: %d\n",
			rep.Journeys, rep.JourneysChanged, rep.Facts, rep.FactsChanged)
		return nil
	}
	n, err := anonymiseClosedJourneys(ctx, store, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "closed journeys anonymised: %d (closed before %s)\n", n,
		model.AnonymiseClosedBefore(model.DateOf(store.Now()), c.AnonymiseAfterDays))
	return nil
}

// anonymisationActor is who the audit log names for automatic anonymisation.
var anonymisationActor = &model.Principal{Subject: "system:anonymisation", Name: "Anonymisation automatique", Role: model.RoleAdmin}

// anonymiseClosedJourneys anonymises, in batches, every journey closed for more than
// c.AnonymiseAfterDays, and returns how many.
func anonymiseClosedJourneys(ctx context.Context, store *db.Store, c Config) (int, error) {
	cutoff := model.AnonymiseClosedBefore(model.DateOf(store.Now()), c.AnonymiseAfterDays)
	total := 0
	for {
		n, err := store.AnonymiseClosedJourneys(ctx, anonymisationActor, cutoff, 200)
		total += n
		if err != nil || n < 200 {
			return total, err
		}
	}
}

// openForSubcommand checks that args name one of subs (and no flag follows), then opens
// the store for command's subcommand args[0].
func openForSubcommand(ctx context.Context, c Config, logger *slog.Logger, command string, args []string, subs ...string) (*db.Store, func(), error) {
	if len(args) == 0 || !slices.Contains(subs, args[0]) {
		return nil, nil, fmt.Errorf("usage: server %s %s", command, strings.Join(subs, "|"))
	}
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	if err := fs.Parse(args[1:]); err != nil {
		return nil, nil, err
	}
	return openStore(ctx, c, logger)
}

// openStore opens the configured database for a maintenance command (starting the
// private cluster when DATABASE_URL is unset) and applies migrations.
func openStore(ctx context.Context, c Config, logger *slog.Logger) (*db.Store, func(), error) {
	store, closeDB, _, err := openStoreURL(ctx, c, logger)
	return store, closeDB, err
}

// openStoreURL is openStore that also returns the database's URL.
func openStoreURL(ctx context.Context, c Config, logger *slog.Logger) (*db.Store, func(), string, error) {
	url := c.DatabaseURL
	var cluster *pgcluster.Cluster
	if url == "" {
		var err error
		cluster, err = pgcluster.Start(ctx, pgcluster.Options{DataDir: dataDirPG(c), Logger: logger})
		if err != nil {
			return nil, nil, "", fmt.Errorf("private PostgreSQL: %w", err)
		}
		url = cluster.URL(pgcluster.DefaultDatabase)
	}
	stop := func() {
		if cluster != nil {
			_ = cluster.Stop()
		}
	}
	if _, err := db.Migrate(ctx, url); err != nil {
		stop()
		return nil, nil, "", err
	}
	store, err := db.Open(ctx, url, db.Options{})
	if err == nil {
		if err = keepAuditChain(store, c, logger); err != nil {
			store.Close()
		}
	}
	if err != nil {
		stop()
		return nil, nil, "", err
	}
	return store, func() { store.Close(); stop() }, url, nil
}

// periodicJobs runs the server's periodic jobs, each on a goroutine of its own, until
// stop: stop cancels them and returns once every job has returned, so that nothing runs
// on the Store once Run has returned and Close may close it.
type periodicJobs struct {
	ctx    context.Context
	cancel context.CancelFunc
	logger *slog.Logger
	wg     sync.WaitGroup
}

func startJobs(ctx context.Context, logger *slog.Logger) *periodicJobs {
	ctx, cancel := context.WithCancel(ctx)
	return &periodicJobs{ctx: ctx, cancel: cancel, logger: logger}
}

// run calls job now and then every interval until stop, logging failures.
func (p *periodicJobs) run(name string, interval time.Duration, job func(context.Context) error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if err := job(p.ctx); err != nil && p.ctx.Err() == nil {
				p.logger.Error("periodic job failed", "job", name, "err", err)
			}
			select {
			case <-p.ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// stop cancels the jobs and waits for them to return.
func (p *periodicJobs) stop() {
	p.cancel()
	p.wg.Wait()
}
