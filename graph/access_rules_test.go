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
	verdict := func(def *ast.Definition, f *ast.FieldDefinition, role model.Role) bool {
		allow := f.Directives.ForName("allow")
		if allow == nil {
			allow = def.Directives.ForName("allow")
		}
		want := false
		if allow != nil {
			for _, c := range allow.Arguments.ForName("roles").Value.Children {
				want = want || c.Value.Raw == string(role)
			}
		}
		if g := f.Directives.ForName("group"); g != nil && want {
			want = model.CanReadGroup(role, model.FieldGroup(g.Arguments.ForName("name").Value.Raw))
		}
		return want
	}
	verdicts := map[bool]int{}
	viaInterface := 0
	for def, f := range ruledFields(schema) {
		// the field as the executor resolves it: on its type, with its own definition or,
		// asked through an interface of the type, with the interface's
		defs := []*ast.FieldDefinition{f}
		for _, i := range def.Interfaces {
			if g := schema.Types[i].Fields.ForName(f.Name); g != nil {
				defs = append(defs, g)
				viaInterface++
			}
		}
		for _, role := range roles {
			want := verdict(def, f, role)
			for _, d := range defs {
				fc := &graphql.FieldContext{Object: def.Name, Field: graphql.CollectedField{Field: &ast.Field{Name: f.Name, Definition: d}}}
				if _, got := rules.resolvedRule(role, fc); got != want {
					t.Errorf("%s.%s (definition of %s) for %s: %v, want %v", def.Name, f.Name, d.Name, role, got, want)
				}
			}
			if got := rules.CanRead(role, def.Name, f.Name); got != want {
				t.Errorf("CanRead %s.%s for %s: %v, want %v", def.Name, f.Name, role, got, want)
			}
			verdicts[want]++
		}
	}
	if verdicts[true] < 500 || verdicts[false] < 500 || viaInterface < 10 {
		t.Fatalf("%d verdicts allowing, %d denying, %d fields through an interface", verdicts[true], verdicts[false], viaInterface)
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
