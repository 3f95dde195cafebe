package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

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

// TestClosedListsEnforcedByDatabase writes around the API: the database itself refuses
// values outside data·inclusion's closed lists and the other invariants.
func TestClosedListsEnforcedByDatabase(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	var structure string
	if err := s.db.GetContext(ctx, &structure, `INSERT INTO structures (name, agir_role, departments) VALUES ('Partenaire', 'LOCAL_PARTNER', '{69}') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO offers (structure_id, nom, description, date_maj, %s) VALUES ($1, 'Offre', 'Description', CURRENT_DATE, %s)`
	for _, tc := range []struct{ name, cols, values, constraint string }{
		{"UnknownThematique", "thematiques", "'{cuisine--crepes}'", "offers_thematiques_check"},
		{"TousPublicsMixed", "publics", "'{tous-publics,femmes}'", "offers_publics_check"},
		{"UnknownPublic", "publics", "'{refugies}'", "offers_publics_check"},
		{"UnknownType", "type", "'accueil'", "offers_type_check"},
		{"UnknownFrais", "frais", "'libre'", "offers_frais_check"},
		{"UnknownModeAccueil", "modes_accueil", "'{sur-place}'", "offers_modes_accueil_check"},
		{"UnknownModeMobilisation", "modes_mobilisation", "'{envoyer-un-email}'", "offers_modes_mobilisation_check"},
		{"UnknownMobilisablePar", "mobilisable_par", "'{benevoles}'", "offers_mobilisable_par_check"},
		{"BadZone", "zone_eligibilite", "'{Rhône-Alpes}'", "offers_zone_eligibilite_check"},
		{"OutsideFrance", "latitude, longitude", "51.5, -0.12", "offers_coordinates_check"},
		{"UnknownStatus", "statuts_protection", "'{ASYLUM_SEEKER}'", "offers_statuts_protection_check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.db.ExecContext(ctx, fmt.Sprintf(insert, tc.cols, tc.values), structure)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.ConstraintName != tc.constraint {
				t.Fatalf("got %v, want a violation of %s", err, tc.constraint)
			}
		})
	}
	t.Run("BadSIRET", func(t *testing.T) {
		_, err := s.db.ExecContext(ctx, `UPDATE structures SET siret = '13003013300017' WHERE id = $1`, structure)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.ConstraintName != "structures_siret_check" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("UnknownReseauPorteur", func(t *testing.T) {
		_, err := s.db.ExecContext(ctx, `UPDATE structures SET reseaux_porteurs = '{pole-emploi}' WHERE id = $1`, structure)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.ConstraintName != "structures_reseaux_porteurs_check" {
			t.Fatalf("got %v", err)
		}
	})
}
