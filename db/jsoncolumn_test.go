package db

import (
	"context"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestJSONColumns_UndecodableIsAnError: a stored JSON value that does not decode as its
// type fails the read instead of reading as empty (an offer's sessions here), and a
// well-formed one reads as written.
func TestJSONColumns_UndecodableIsAnError(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var structure, offer string
	if err := s.db.GetContext(ctx, &structure, `INSERT INTO structures (name, agir_role, departments) VALUES ('Partenaire', 'LOCAL_PARTNER', '{69}') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if err := s.db.GetContext(ctx, &offer, `INSERT INTO offers (structure_id, nom, description, status, date_maj, sessions)
		VALUES ($1, 'Atelier', 'Atelier de conversation', 'PUBLISHED', CURRENT_DATE, '[{"startsOn": "2026-12-10"}]') RETURNING id`, structure); err != nil {
		t.Fatal(err)
	}
	p := &model.Principal{Role: model.RoleCoordinator, Departments: []string{"69"}}

	t.Run("OK", func(t *testing.T) {
		offers, err := s.OffersByKeys(ctx, p, []string{offer})
		if err != nil || len(offers) != 1 || len(offers[0].Sessions) != 1 || offers[0].Sessions[0].StartsOn != model.NewDate(2026, 12, 10) {
			t.Fatalf("%+v %v", offers, err)
		}
	})
	t.Run("ErrUndecodable", func(t *testing.T) {
		if _, err := s.db.ExecContext(ctx, `UPDATE offers SET sessions = '["not a session"]' WHERE id = $1`, offer); err != nil {
			t.Fatal(err)
		}
		offers, err := s.OffersByKeys(ctx, p, []string{offer})
		if err == nil {
			t.Fatalf("an undecodable sessions column read as %+v", offers)
		}
	})
}
