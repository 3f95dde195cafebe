package graph_test

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
)

// Every field of every object type has an access rule (@allow on the field or its type):
// a field without one would be denied to everyone.
func TestSchema_EveryFieldHasAnAccessRule(t *testing.T) {
	env := graphtest.New(t)
	for _, def := range env.Endpoint.Schema.Types {
		if def.BuiltIn || def.Kind != ast.Object || len(def.Name) > 1 && def.Name[:2] == "__" {
			continue
		}
		for _, f := range def.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			if !env.Endpoint.Rules.HasRule(def.Name, f.Name) {
				t.Errorf("%s.%s has no access rule", def.Name, f.Name)
			}
		}
	}
}
