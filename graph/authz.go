package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// fieldRule is the access rule of one field, read from the schema's directives.
type fieldRule struct {
	roles map[model.Role]bool // roles that may read the field or call the operation
	group model.FieldGroup    // personal-data group, "" for none
}

// Rules is the access policy of the schema: for each "Type.field", who may read it.
// It is built from the @allow and @group directives, so the schema is the one place
// where rules are written; a field without a rule is denied to every role.
type Rules struct {
	fields map[string]fieldRule
	types  map[string]map[model.Role]bool
}

// NewRules reads the access rules of schema.
func NewRules(schema *ast.Schema) *Rules {
	r := &Rules{fields: map[string]fieldRule{}, types: map[string]map[model.Role]bool{}}
	for _, def := range schema.Types {
		if def.BuiltIn || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		typeRoles := allowedRoles(def.Directives)
		if typeRoles != nil {
			r.types[def.Name] = typeRoles
		}
		for _, f := range def.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			rule := fieldRule{roles: allowedRoles(f.Directives)}
			if rule.roles == nil {
				rule.roles = typeRoles
			}
			if d := f.Directives.ForName("group"); d != nil {
				rule.group = model.FieldGroup(d.Arguments.ForName("name").Value.Raw)
			}
			if rule.roles != nil {
				r.fields[def.Name+"."+f.Name] = rule
			}
		}
	}
	return r
}

func allowedRoles(dirs ast.DirectiveList) map[model.Role]bool {
	d := dirs.ForName("allow")
	if d == nil {
		return nil
	}
	roles := map[model.Role]bool{}
	for _, c := range d.Arguments.ForName("roles").Value.Children {
		roles[model.Role(c.Value.Raw)] = true
	}
	return roles
}

// CanRead reports whether role may read field of type typ (both GraphQL names).
func (r *Rules) CanRead(role model.Role, typ, field string) bool {
	rule, ok := r.fields[typ+"."+field]
	if !ok || !rule.roles[role] {
		return false
	}
	return rule.group == "" || model.CanReadGroup(role, rule.group)
}

// CanSee reports whether role may see objects of type typ at all (used by node(id:)).
func (r *Rules) CanSee(role model.Role, typ string) bool { return r.types[typ][role] }

// HasRule reports whether "Type.field" has an access rule (the matrix test uses it).
func (r *Rules) HasRule(typ, field string) bool { _, ok := r.fields[typ+"."+field]; return ok }

// middleware denies, before it resolves, every field the caller may not read: the field
// is null and an error names it (never the data).
func (r *Rules) middleware(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if len(fc.Object) > 1 && fc.Object[:2] == "__" || len(fc.Field.Name) > 1 && fc.Field.Name[:2] == "__" {
		return next(ctx) // introspection: allowed once authenticated (checked per operation)
	}
	p := model.PrincipalFrom(ctx)
	if p == nil {
		return nil, model.Errorf(model.CodeUnauthenticated, nil, "authentification requise")
	}
	if !r.CanRead(p.Role, fc.Object, fc.Field.Name) {
		return nil, &model.Error{Code: model.CodeForbidden, Field: []string{fc.Field.Alias},
			Message: fmt.Sprintf("accès refusé au champ « %s » pour le rôle %s", fc.Field.Name, p.Role)}
	}
	if r.fields[fc.Object+"."+fc.Field.Name].group != "" {
		noteRead(ctx, fc)
	}
	return next(ctx)
}
