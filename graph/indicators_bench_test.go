package graph_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/demo"
	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// The benchmarks of the indicators and of the network-facilitation view run on the
// database of AGIR_BENCH_DATABASE_URL when set (e.g. the national-scale data set of
// `server seed -scale national`), else on a fresh database with the demo. Each has a
// GraphQL sub-benchmark (the whole operation, as a client sees it) next to the same
// aggregates without the API: the indicators' statements run as raw SQL, and the
// overview's Store method (its aggregate statements in one transaction, without the
// GraphQL resolution and the nested loads).
//
//	go test ./graph/ -run '^$' -bench 'Indicators|NetworkOverview' -benchtime 20x
//	AGIR_BENCH_DATABASE_URL=postgres://... go test ./graph/ -run '^$' -bench ...

// benchEnv returns the API on the benchmark database, the national analyst and the
// coordinator of the busiest department (of the demo's territory on the demo).
func benchEnv(b *testing.B) (*graphtest.Env, *model.Principal, *model.Principal) {
	b.Helper()
	url := os.Getenv("AGIR_BENCH_DATABASE_URL")
	if url == "" {
		env := graphtest.New(b)
		if _, err := demo.Load(context.Background(), env.Store); err != nil {
			b.Fatalf("demo: %v", err)
		}
		m, st, ok, err := env.Store.StaffMemberByLogin(context.Background(), "", "coordinator@demo.agir.local")
		if err != nil || !ok {
			b.Fatalf("coordinator: %v", err)
		}
		coordinator := &model.Principal{Subject: "bench-coordinator", Email: m.Email, Role: model.RoleCoordinator,
			StructureID: m.StructureKey, Departments: st.Departments}
		return env, &model.Principal{Subject: "bench-analyst", Role: model.RoleAnalyst}, coordinator
	}
	store, err := db.Open(context.Background(), url, db.Options{MaxOpenConns: 10})
	if err != nil {
		b.Fatalf("open %s: %v", url, err)
	}
	b.Cleanup(func() { store.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := &graphtest.Env{T: b, Store: store, Endpoint: endpoint.NewEndpoint(endpoint.EndpointConfig{Store: store, Logger: logger})}
	var dept string
	if err := store.DB().Get(&dept, `SELECT department FROM beneficiaries GROUP BY department ORDER BY count(*) DESC LIMIT 1`); err != nil {
		b.Fatalf("busiest department: %v", err)
	}
	return env, &model.Principal{Subject: "bench-analyst", Role: model.RoleAnalyst},
		&model.Principal{Subject: "bench-coordinator", Role: model.RoleCoordinator, Departments: []string{dept}}
}

func BenchmarkIndicators(b *testing.B) {
	env, analyst, _ := benchEnv(b)
	today := model.DateOf(env.Store.Now())
	from := today.AddDate(-1, 0, 1)
	in := map[string]any{"period": map[string]any{"from": from.String(), "to": today.String()}, "breakdown": "DEPARTMENT"}
	b.Run("GraphQL", func(b *testing.B) {
		env.MustDo(analyst, indicatorsQuery, map[string]any{"in": in}, nil) // warm-up, untimed: see warmNote
		for b.Loop() {
			env.MustDo(analyst, indicatorsQuery, map[string]any{"in": in}, nil)
		}
	})
	b.Run("RawSQL", func(b *testing.B) {
		bd := model.BreakdownDepartment
		q := db.IndicatorQuery{Names: model.AllIndicatorName, Periods: []db.IndicatorPeriod{{From: from, To: today}},
			Breakdown: &bd, Scope: db.IndicatorScope{National: true}}
		queries, args := env.Store.IndicatorStatements(q, today)
		ctx := context.Background()
		run := func() {
			for i, query := range queries {
				rows, err := env.Store.DB().QueryContext(ctx, query, args[i]...)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				if err := rows.Err(); err != nil {
					b.Fatal(err)
				}
				rows.Close()
			}
		}
		run() // warm-up, untimed
		for b.Loop() {
			run()
		}
	})
}

// warmNote: each sub-benchmark runs its operation once before timing. A fresh pool's
// connections load the catalog entries of every table and index a statement touches,
// and prepare its statements: on the national data set that first run of the overview
// took 280 ms where the following ones take 160 ms, enough to double a ratio measured
// over 3 runs.

func BenchmarkNetworkOverview(b *testing.B) {
	env, _, coordinator := benchEnv(b)
	b.Run("GraphQL", func(b *testing.B) {
		env.MustDo(coordinator, overviewQuery, map[string]any{"first": 5}, nil) // warm-up, untimed: see warmNote
		for b.Loop() {
			env.MustDo(coordinator, overviewQuery, map[string]any{"first": 5}, nil)
		}
	})
	b.Run("SQL", func(b *testing.B) {
		ctx := context.Background()
		if _, err := env.Store.NetworkOverview(ctx, coordinator, coordinator.Departments, 5); err != nil { // warm-up
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := env.Store.NetworkOverview(ctx, coordinator, coordinator.Departments, 5); err != nil {
				b.Fatal(err)
			}
		}
	})
}
