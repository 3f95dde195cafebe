package graph_test

import (
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph"
)

// Every type, field, argument, enum value and directive argument of the schema has a
// description: the schema is the contract its clients read in GraphiQL and in their
// generated code. A new element without one fails here.
func TestSchema_EverythingIsDescribed(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	builtIn := func(name string) bool { return strings.HasPrefix(name, "__") }
	for _, def := range schema.Types {
		if def.BuiltIn || builtIn(def.Name) {
			continue
		}
		root := def == schema.Query || def == schema.Mutation || def == schema.Subscription
		if def.Description == "" && !root {
			t.Errorf("type %s has no description", def.Name)
		}
		for _, f := range def.Fields {
			if builtIn(f.Name) {
				continue
			}
			if f.Description == "" {
				t.Errorf("%s.%s has no description", def.Name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					t.Errorf("argument %s.%s(%s) has no description", def.Name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				t.Errorf("enum value %s.%s has no description", def.Name, v.Name)
			}
		}
	}
	for _, d := range schema.Directives {
		if d.Position == nil || d.Position.Src == nil || d.Position.Src.BuiltIn {
			continue
		}
		for _, a := range d.Arguments {
			if a.Description == "" {
				t.Errorf("argument @%s(%s) has no description", d.Name, a.Name)
			}
		}
	}
}
