package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/offersync"
)

// OfferSyncSettings configure the synchronisation of the offer map with its national
// sources (docs/offer-sources.md). Each source is off unless its URL is set.
type OfferSyncSettings struct {
	DataInclusionURL   string        // AGIR_DATAINCLUSION_URL: data·inclusion's API, e.g. https://api.data.inclusion.gouv.fr
	DataInclusionToken string        // AGIR_DATAINCLUSION_TOKEN: its bearer token
	RefugiesInfoURL    string        // AGIR_REFUGIESINFO_URL: Réfugiés.info's API (content under the publisher's authorisation)
	Departments        string        // AGIR_SYNC_DEPARTMENTS: departments to synchronise, comma-separated; "": the covered departments
	Timeout            time.Duration // AGIR_SYNC_TIMEOUT: deadline of one request to a source; 0 means 30s
}

func (s *OfferSyncSettings) load(getenv func(string) string) []string {
	var errs []string
	s.DataInclusionURL = strings.TrimSpace(getenv("AGIR_DATAINCLUSION_URL"))
	s.DataInclusionToken = strings.TrimSpace(getenv("AGIR_DATAINCLUSION_TOKEN"))
	s.RefugiesInfoURL = strings.TrimSpace(getenv("AGIR_REFUGIESINFO_URL"))
	for name, u := range map[string]string{"AGIR_DATAINCLUSION_URL": s.DataInclusionURL, "AGIR_REFUGIESINFO_URL": s.RefugiesInfoURL} {
		if u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			errs = append(errs, fmt.Sprintf("%s=%q: an http(s) URL is expected", name, u))
		}
	}
	if s.DataInclusionURL != "" && s.DataInclusionToken == "" {
		errs = append(errs, "AGIR_DATAINCLUSION_URL needs AGIR_DATAINCLUSION_TOKEN (data·inclusion's API asks for a bearer token)")
	}
	s.Departments = strings.TrimSpace(getenv("AGIR_SYNC_DEPARTMENTS"))
	for _, d := range s.departments() {
		if !model.ValidDepartment(d) {
			errs = append(errs, fmt.Sprintf("AGIR_SYNC_DEPARTMENTS: %q is not a department code", d))
		}
	}
	if v := getenv("AGIR_SYNC_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("AGIR_SYNC_TIMEOUT=%q: a duration such as 30s is expected", v))
		}
		s.Timeout = d
	}
	return errs
}

func (s OfferSyncSettings) departments() []string {
	var out []string
	for _, d := range strings.Split(s.Departments, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// syncer builds the synchronisation of the configured sources.
func (s OfferSyncSettings) syncer(store *db.Store, logger *slog.Logger) offersync.Syncer {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	client := &http.Client{Timeout: timeout}
	out := offersync.Syncer{Store: store, Departments: s.departments(), Logger: logger}
	if s.DataInclusionURL != "" {
		out.DataInclusion = &offersync.DataInclusion{BaseURL: s.DataInclusionURL, Token: s.DataInclusionToken, HTTP: client}
	}
	if s.RefugiesInfoURL != "" {
		out.RefugiesInfo = &offersync.RefugiesInfo{BaseURL: s.RefugiesInfoURL, HTTP: client}
	}
	return out
}

// syncCmd runs `sync offers [-source data-inclusion|refugies-info] [-dry-run]`: one
// synchronisation of the configured sources, its report printed; the exit status is 1
// when a source failed.
func syncCmd(ctx context.Context, c Config, args []string, logger *slog.Logger, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "offers" {
		return fmt.Errorf("usage: server sync offers [-source data-inclusion|refugies-info] [-dry-run]")
	}
	fs := flag.NewFlagSet("sync offers", flag.ContinueOnError)
	source := fs.String("source", "", "only this source: data-inclusion or refugies-info")
	dryRun := fs.Bool("dry-run", false, "report what would change, change nothing")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var origin *model.OfferOrigin
	if *source != "" {
		o := model.OriginOf(*source)
		if !o.Synced() || o.Value() != *source {
			return fmt.Errorf("-source %q: data-inclusion or refugies-info", *source)
		}
		origin = &o
	}
	syncer := c.OfferSync.syncer(nil, logger)
	if !syncer.Enabled() {
		return fmt.Errorf("no source configured: set AGIR_DATAINCLUSION_URL and AGIR_DATAINCLUSION_TOKEN, or AGIR_REFUGIESINFO_URL (docs/offer-sources.md)")
	}
	store, closeDB, err := openStore(ctx, c, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	syncer.Store = store
	runs, runErr := syncer.Run(ctx, origin, *dryRun)
	printSyncReport(stdout, runs)
	return runErr
}

// printSyncReport writes one line per run and one per record that is not unchanged.
func printSyncReport(w io.Writer, runs []model.OfferSyncRun) {
	for _, r := range runs {
		state := "ok"
		switch {
		case r.Error != nil:
			state = "FAILED: " + *r.Error
		case r.DryRun:
			state = "dry run, nothing changed"
		}
		fmt.Fprintf(w, "%s %s: created %d, updated %d, unchanged %d, archived %d, rejected %d, merge proposed %d, kept (claimed) %d — %s\n",
			r.Origin.Value(), r.Department, r.Created, r.Updated, r.Unchanged, r.Archived, r.Rejected, r.MergeProposed, r.KeptClaimed, state)
		for _, row := range r.Rows {
			reason := ""
			if row.Reason != nil {
				reason = " — " + *row.Reason
			}
			if len(row.Field) > 0 {
				reason += " (" + strings.Join(row.Field, ".") + ")"
			}
			fmt.Fprintf(w, "  %s %s %s%s\n", row.Outcome, row.Kind, row.ExternalID, reason)
		}
	}
}
