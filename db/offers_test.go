package db

import (
	"context"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestOfferDistanceSearchUsesIndex proves that a search by place is served by the GiST
// index on ll_to_earth(latitude, longitude), on a realistic number of offers spread over
// metropolitan France, with fresh statistics (no planner switches).
func TestOfferDistanceSearchUsesIndex(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var structure string
	if err := s.db.GetContext(ctx, &structure, `INSERT INTO structures (name, agir_role, departments) VALUES ('Partenaire', 'LOCAL_PARTNER', '{69}') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	// 20 000 published offers: a deterministic pseudo-random scatter over metropolitan France.
	_, err := s.db.ExecContext(ctx, `INSERT INTO offers (structure_id, nom, description, status, latitude, longitude, date_maj)
		SELECT $1, 'Offre ' || i, 'Description de l''offre ' || i, 'PUBLISHED',
		       43.0 + ((i * 7919) % 10000) / 10000.0 * 7.5, -1.5 + ((i * 104729) % 10000) / 10000.0 * 8.5, CURRENT_DATE
		FROM generate_series(1, 20000) AS i`, structure)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `ANALYZE offers`); err != nil {
		t.Fatal(err)
	}
	p := &model.Principal{Role: model.RoleSocialWorker}
	q := offerSearchQuery(p, OfferFilter{Near: &model.NearInput{Latitude: 45.764, Longitude: 4.8357, RadiusKm: 10}, Today: model.NewDate(2026, 11, 26)})
	query, args := pageSQL(q, model.Page{Limit: 20})
	var plan []string
	if err := s.db.SelectContext(ctx, &plan, `EXPLAIN `+query, args...); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "offers_location_idx") || strings.Contains(text, "Seq Scan on offers") {
		t.Fatalf("the distance search does not use the GiST index:\n%s", text)
	}
	// and the answer is right: within 10 km, nearest first
	conn, err := s.Offers(ctx, p, OfferFilter{Near: &model.NearInput{Latitude: 45.764, Longitude: 4.8357, RadiusKm: 10}}, model.Page{Limit: 100}, true)
	if err != nil {
		t.Fatal(err)
	}
	if conn.TotalCount == 0 || conn.TotalCount != len(conn.Edges) {
		t.Fatalf("total %d, edges %d", conn.TotalCount, len(conn.Edges))
	}
	prev := 0.0
	for _, e := range conn.Edges {
		if d := *e.Node.DistanceKm; d < prev || d > 10 {
			t.Fatalf("distance %v after %v", d, prev)
		} else {
			prev = d
		}
	}
}
