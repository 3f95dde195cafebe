package db

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/internal/datainclusion"
)

// TestClosedListsInDatabase checks that the CHECK constraints' lists (functions di_*) and
// the labels table hold exactly the values of the shared data·inclusion v1 files.
func TestClosedListsInDatabase(t *testing.T) {
	dir := filepath.Join(datainclusion.Dir(t), "extra")
	s := newTestStore(t)
	for fn, l := range map[string]model.DIList{
		"di_thematiques": model.Thematiques, "di_publics": model.Publics, "di_types": model.TypesDeService,
		"di_frais": model.Frais, "di_modes_accueil": model.ModesAccueil, "di_modes_mobilisation": model.ModesMobilisation,
		"di_mobilisable_par": model.PersonnesMobilisatrices, "di_reseaux_porteurs": model.ReseauxPorteurs,
	} {
		t.Run(fn, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, l.File))
			if err != nil {
				t.Fatal(err)
			}
			var items []struct{ Value string }
			if err := json.Unmarshal(b, &items); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, it := range items {
				want = append(want, it.Value)
			}
			var got stringArray
			if err := s.db.GetContext(context.Background(), &got, `SELECT `+fn+`()`); err != nil {
				t.Fatal(err)
			}
			var labels []string
			if err := s.db.SelectContext(context.Background(), &labels,
				`SELECT value FROM di_closed_values WHERE list = $1`, l.Field); err != nil {
				t.Fatal(err)
			}
			slices.Sort(want)
			slices.Sort(got)
			slices.Sort(labels)
			if !slices.Equal(want, []string(got)) || !slices.Equal(want, labels) {
				t.Fatalf("%s differs from %s:\nshared %v\ncheck  %v\nlabels %v", fn, l.File, want, got, labels)
			}
		})
	}
}

// TestSIRETInDatabase checks that the database's SIRET rule agrees with model.ValidSIRET.
func TestSIRETInDatabase(t *testing.T) {
	s := newTestStore(t)
	for _, siret := range []string{"13003013300016", "13003013300017", "35600000049837", "35600000049838", "35600000000048", "1300301330001A"} {
		var ok bool
		if err := s.db.GetContext(context.Background(), &ok, `SELECT siret_valid($1)`, siret); err != nil {
			t.Fatal(err)
		}
		if ok != model.ValidSIRET(siret) {
			t.Errorf("siret_valid(%s) = %v, model says %v", siret, ok, !ok)
		}
	}
}
