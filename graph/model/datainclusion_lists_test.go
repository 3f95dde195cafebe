package model

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/agir-reseau/agir-backend/internal/datainclusion"
)

// Rule: closed lists are those of data·inclusion v1 (DESIGN §5), not a copy that drifts.
func TestClosedListsMatchSharedFiles(t *testing.T) {
	dir := datainclusion.Dir(t)
	for _, l := range []DIList{Thematiques, Publics, TypesDeService, Frais, ModesAccueil, ModesMobilisation,
		PersonnesMobilisatrices, ReseauxPorteurs} {
		t.Run(l.Field, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, "extra", l.File))
			if err != nil {
				t.Fatal(err)
			}
			var items []struct{ Value, Label string }
			if err := json.Unmarshal(b, &items); err != nil {
				t.Fatal(err)
			}
			var values, labels []string
			for _, it := range items {
				values, labels = append(values, it.Value), append(labels, it.Label)
			}
			if !slices.Equal(values, l.Values) || !slices.Equal(labels, l.Labels) {
				t.Fatalf("%s differs from %s:\nshared %v\nours   %v", l.Field, l.File, values, l.Values)
			}
		})
	}
}
