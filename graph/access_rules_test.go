package graph

import (
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestEveryFieldHasAnAccessRule fails on any object or interface field of the schema
// without an @allow rule (its own or its type's): the middleware would deny it to all.
func TestEveryFieldHasAnAccessRule(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	rules := NewRules(schema)
	for def, f := range ruledFields(schema) {
		if !rules.HasRule(def.Name, f.Name) {
			t.Errorf("%s.%s has no @allow rule", def.Name, f.Name)
		}
	}
}

// ruledFields yields the fields that carry an access rule: those of the schema's own
// object and interface types, introspection aside.
func ruledFields(schema *ast.Schema) iter.Seq2[*ast.Definition, *ast.FieldDefinition] {
	return func(yield func(*ast.Definition, *ast.FieldDefinition) bool) {
		for name, def := range schema.Types {
			if def.BuiltIn || strings.HasPrefix(name, "__") || (def.Kind != ast.Object && def.Kind != ast.Interface) {
				continue
			}
			for _, f := range def.Fields {
				if !strings.HasPrefix(f.Name, "__") && !yield(def, f) {
					return
				}
			}
		}
	}
}

// TestResolvedRuleAsTheSchemaSays: the middleware's lookup (by the field's definition for
// the fields of object types, by name otherwise) gives, for every field and role, the
// verdict of the schema's directives: @allow (the field's, else its type's) and the
// confidentiality matrix of its @group.
func TestResolvedRuleAsTheSchemaSays(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	rules := NewRules(schema)
	roles := append(slices.Clone(model.AllRoles), model.Role("unknown"))
	checked := 0
	for def, f := range ruledFields(schema) {
		allow := f.Directives.ForName("allow")
		if allow == nil {
			allow = def.Directives.ForName("allow")
		}
		for _, role := range roles {
			want := false
			if allow != nil {
				for _, c := range allow.Arguments.ForName("roles").Value.Children {
					want = want || c.Value.Raw == string(role)
				}
			}
			if g := f.Directives.ForName("group"); g != nil && want {
				want = model.CanReadGroup(role, model.FieldGroup(g.Arguments.ForName("name").Value.Raw))
			}
			fc := &graphql.FieldContext{Object: def.Name, Field: graphql.CollectedField{Field: &ast.Field{Name: f.Name, Definition: f}}}
			if _, got := rules.resolvedRule(role, fc); got != want {
				t.Errorf("%s.%s for %s: %v, want %v", def.Name, f.Name, role, got, want)
			}
			if got := rules.CanRead(role, def.Name, f.Name); got != want {
				t.Errorf("CanRead %s.%s for %s: %v, want %v", def.Name, f.Name, role, got, want)
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Fatalf("%d verdicts checked", checked)
	}
}

// BenchmarkRuleLookup: the middleware's lookup of a field's rule, by definition (object
// fields) against by name (the fallback, and what every field did before).
func BenchmarkRuleLookup(b *testing.B) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	rules := NewRules(schema)
	def := schema.Types["Beneficiary"].Fields.ForName("lastName")
	fc := &graphql.FieldContext{Object: "Beneficiary", Field: graphql.CollectedField{Field: &ast.Field{Name: "lastName", Definition: def}}}
	b.Run("ByName", func(b *testing.B) {
		for b.Loop() {
			if _, ok := rules.readable(model.RoleSocialWorker, fc.Object, fc.Field.Name); !ok {
				b.Fatal("denied")
			}
		}
	})
	b.Run("ByDefinition", func(b *testing.B) {
		for b.Loop() {
			if _, ok := rules.resolvedRule(model.RoleSocialWorker, fc); !ok {
				b.Fatal("denied")
			}
		}
	})
}
