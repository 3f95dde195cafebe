package graph_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// DATABASE_READ_URL serves the analysts' reads: a structure present only in the
// "replica" database is seen by an analyst and not by a coordinator, who reads the
// primary (issue 9).
func TestReadReplica_ServesAnalysts(t *testing.T) {
	replica := dbtest.NewDatabase(t)
	env := graphtest.NewWithOptions(t, db.Options{MaxOpenConns: 5, ReadURL: replica})
	conn, err := sql.Open("pgx", replica)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `INSERT INTO structures (name, agir_role, departments) VALUES ('Marqueur de la réplique', 'LOCAL_PARTNER', '{69}')`); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.DB().ExecContext(context.Background(), `INSERT INTO structures (name, agir_role, departments) VALUES ('Marqueur du primaire', 'LOCAL_PARTNER', '{69}')`); err != nil {
		t.Fatal(err)
	}
	names := func(p *model.Principal) []string {
		var d struct {
			Structures struct{ Nodes []struct{ Name string } }
		}
		env.MustDo(p, `{ structures(first: 10) { nodes { name } } }`, nil, &d)
		var out []string
		for _, n := range d.Structures.Nodes {
			out = append(out, n.Name)
		}
		return out
	}
	t.Run("OKAnalystReadsReplica", func(t *testing.T) {
		got := names(&model.Principal{Subject: "analyst", Role: model.RoleAnalyst, Departments: []string{"69"}})
		if len(got) != 1 || got[0] != "Marqueur de la réplique" {
			t.Fatalf("analyst read %v", got)
		}
	})
	t.Run("OKCoordinatorReadsPrimary", func(t *testing.T) {
		got := names(&model.Principal{Subject: "coordinator", Role: model.RoleCoordinator, Departments: []string{"69"}})
		if len(got) != 1 || got[0] != "Marqueur du primaire" {
			t.Fatalf("coordinator read %v", got)
		}
	})
}
