// Package demo loads a deterministic, realistic demo territory into an empty database:
// two covered departments (Rhône, Isère), the three AGIR operators, a state service,
// local partners and their staff. Each module adds its part (see the load* functions).
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/jmoiron/sqlx"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// Seed makes the demo deterministic: the same data on every machine.
const Seed = 20261126

// Departments are the demo territory (INSEE codes).
var Departments = []string{"69", "38"}

// Load fills an empty database with the core of the demo: the hand-picked journeys that
// cover every phase and alert (the API tests build on it). It reports whether it loaded;
// a database that already holds structures is left alone. One transaction.
func Load(ctx context.Context, s *db.Store) (bool, error) { return load(ctx, s, 0) }

// LoadTerritory is Load plus journeys drawn at random, so that the territory the server
// shows has a few hundred beneficiaries (generatedJourneyCount).
func LoadTerritory(ctx context.Context, s *db.Store) (bool, error) {
	return load(ctx, s, generatedJourneyCount)
}

func load(ctx context.Context, s *db.Store, generated int) (bool, error) {
	loaded := false
	err := s.WithTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM structures`); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		g := &gen{tx: tx.Tx, ctx: ctx, rnd: rand.New(rand.NewPCG(Seed, Seed)), ids: map[string]string{},
			dbtx: tx, params: s.Params, generated: generated}
		for _, step := range []func() error{g.loadStructures, g.loadPartnership, g.loadSocial, g.loadProfessional, g.alignExitSituations, g.loadConsents} {
			if err := step(); err != nil {
				return err
			}
		}
		if err := tx.FillJourneyFacts(ctx, s.Params); err != nil { // the acts above are written as rows
			return err
		}
		loaded = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return loaded, nil
}

// gen holds the state of one load: the transaction, the random source and the keys of
// what it created, by a stable name ("structure:ARSL", "staff:coordinator").
type gen struct {
	tx  *sqlx.Tx
	ctx context.Context
	rnd *rand.Rand
	ids map[string]string

	dbtx   *db.Tx           // the same transaction, for the Store's derivations
	params model.Parameters // the Store's delays

	generated int // journeys drawn at random after the hand-picked ones
	refusals  int // refused orientations so far (demoRefusals)
}

func (g *gen) insert(name, query string, args ...any) error {
	var id string
	if err := g.tx.GetContext(g.ctx, &id, query, args...); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	g.ids[name] = id
	return nil
}
