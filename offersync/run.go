package offersync

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// Syncer runs the synchronisations of the configured sources for the covered departments.
type Syncer struct {
	Store         *db.Store
	DataInclusion *DataInclusion // nil: off
	RefugiesInfo  *RefugiesInfo  // nil: off (its content needs the publisher's authorisation)
	// Departments are the covered departments; empty: the covered
	// departments of the programme (db.Store.CoveredDepartments).
	Departments []string
	Logger      *slog.Logger
}

// Enabled reports whether at least one source is configured.
func (s Syncer) Enabled() bool { return s.DataInclusion != nil || s.RefugiesInfo != nil }

// Run synchronises the sources (all configured ones, or only origin when set), one
// transaction per source and department. A source that fails is recorded as a failed run
// for the part it could not read (nothing of it changes) and the others go on; the error
// returned joins the failures.
func (s Syncer) Run(ctx context.Context, origin *model.OfferOrigin, dryRun bool) ([]model.OfferSyncRun, error) {
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	departments := s.Departments
	if len(departments) == 0 {
		var err error
		if departments, err = s.Store.CoveredDepartments(ctx); err != nil {
			return nil, err
		}
	}
	var runs []model.OfferSyncRun
	var failures []error
	apply := func(b db.SyncBatch) {
		run, err := s.Store.SyncOffers(ctx, b, dryRun)
		if err != nil {
			failures = append(failures, err)
			runs = append(runs, s.fail(ctx, logger, b.Origin, b.Department, b.StartedAt, err, dryRun))
			return
		}
		logger.Info("offer sync", "source", b.Origin.Value(), "department", b.Department, "dry_run", dryRun,
			"created", run.Created, "updated", run.Updated, "unchanged", run.Unchanged, "archived", run.Archived,
			"rejected", run.Rejected, "merge_proposed", run.MergeProposed, "kept_claimed", run.KeptClaimed)
		runs = append(runs, run)
	}
	want := func(o model.OfferOrigin) bool { return origin == nil || *origin == o }
	if want(model.OfferOriginDataInclusion) {
		if s.DataInclusion == nil {
			if origin != nil {
				return nil, errors.New("data·inclusion n'est pas configurée (AGIR_DATAINCLUSION_URL)")
			}
		} else {
			for _, d := range departments {
				started := s.Store.Now()
				b, err := s.DataInclusion.Batch(ctx, d)
				if err != nil {
					failures = append(failures, err)
					runs = append(runs, s.fail(ctx, logger, model.OfferOriginDataInclusion, d, started, err, dryRun))
					continue
				}
				b.StartedAt = started
				apply(b)
			}
		}
	}
	if want(model.OfferOriginRefugiesInfo) {
		if s.RefugiesInfo == nil {
			if origin != nil {
				return nil, errors.New("Réfugiés.info n'est pas configurée (AGIR_REFUGIESINFO_URL) : son contenu demande l'autorisation de l'éditeur")
			}
		} else {
			started := s.Store.Now()
			batches, err := s.RefugiesInfo.Batches(ctx, departments)
			if err != nil {
				failures = append(failures, err)
				runs = append(runs, s.fail(ctx, logger, model.OfferOriginRefugiesInfo, NationalScope, started, err, dryRun))
			}
			for _, b := range batches {
				b.StartedAt = started
				apply(b)
			}
		}
	}
	return runs, errors.Join(failures...)
}

// fail records a failed run (unless dry) and returns it.
func (s Syncer) fail(ctx context.Context, logger *slog.Logger, o model.OfferOrigin, department string, started time.Time, cause error, dryRun bool) model.OfferSyncRun {
	logger.Error("offer sync failed", "source", o.Value(), "department", department, "err", cause)
	msg := cause.Error()
	run := model.OfferSyncRun{Origin: o, Department: department, StartedAt: started, FinishedAt: s.Store.Now(), Error: &msg, DryRun: dryRun, Rows: []model.OfferSyncRow{}}
	if dryRun {
		return run
	}
	recorded, err := s.Store.RecordFailedSync(ctx, o, department, started, cause)
	if err != nil {
		logger.Error("record failed offer sync", "err", err)
		return run
	}
	return recorded
}
