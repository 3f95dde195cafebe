package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/seed"
)

// seedCmd fills the (empty) database with a synthetic programme for load tests:
// `server seed -scale department|national [-seed N]`.
func seedCmd(ctx context.Context, c Config, args []string, logger *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	scale := fs.String("scale", "department", "size of the programme: department (one department, ~1 500 journeys) or national (100 departments, ~150 000 journeys)")
	n := fs.Uint64("seed", seed.DefaultSeed, "random seed: the same seed gives the same data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sc, ok := seed.Scales[*scale]
	if !ok {
		return fmt.Errorf("unknown scale %q (department, national)", *scale)
	}
	if c.Production() {
		return errors.New("seed refuses to run in production (AGIR_ENV=production)")
	}
	_, closeDB, url, err := openStoreURL(ctx, c, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	fmt.Fprintf(stdout, "seeding scale %s (seed %d)\n", sc.Name, *n)
	rep, err := seed.LoadWith(ctx, url, seed.Options{Scale: sc, Seed: *n, Progress: stdout})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d rows in %s\n", rep.Total(), rep.Duration.Round(time.Second))
	t0 := time.Now()
	facts, err := db.FillJourneyFacts(ctx, url) // the seed writes acts as rows (COPY): the facts follow from them
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "journey facts: %d rows in %s\n", facts, time.Since(t0).Round(time.Second))
	return nil
}
