package graph

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

// TestEveryFieldHasAnAccessRule fails on any object or interface field of the schema
// without an @allow rule (its own or its type's): the middleware would deny it to all.
func TestEveryFieldHasAnAccessRule(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	rules := NewRules(schema)
	for name, def := range schema.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if !rules.HasRule(name, f.Name) {
				t.Errorf("%s.%s has no @allow rule", name, f.Name)
			}
		}
	}
}
