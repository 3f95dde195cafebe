package endpoint

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// introspectionExtension opens introspection (__schema, __type) to every caller in
// development, and in production to the roles that may run documents of their own (the
// persisted-only rule's FreeRoles: the analysts) whether or not a manifest of persisted
// documents is configured. Anyone else gets FORBIDDEN before anything runs. __typename
// is not introspection here: clients add it everywhere.
type introspectionExtension struct {
	production bool
	free       map[model.Role]bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionExtension{}

func (introspectionExtension) ExtensionName() string                          { return "AgirIntrospection" }
func (introspectionExtension) Validate(schema graphql.ExecutableSchema) error { return nil }

func newIntrospectionExtension(production bool, freeRoles []model.Role) introspectionExtension {
	e := introspectionExtension{production: production, free: map[model.Role]bool{}}
	if freeRoles == nil {
		freeRoles = []model.Role{model.RoleAnalyst}
	}
	for _, r := range freeRoles {
		e.free[r] = true
	}
	return e
}

// MutateOperationContext enables introspection for the callers allowed it and refuses
// an introspection document from anyone else.
func (e introspectionExtension) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	p := model.PrincipalFrom(ctx)
	if !e.production || p != nil && e.free[p.Role] {
		oc.DisableIntrospection = false
		return nil
	}
	oc.DisableIntrospection = true
	if oc.Operation != nil && introspects(oc.Operation.SelectionSet, map[string]bool{}) {
		return limitError(model.CodeForbidden, "l'introspection du schéma est réservée aux analystes en production")
	}
	return nil
}

// introspects reports whether set selects __schema or __type, fragments included.
func introspects(set ast.SelectionSet, seen map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" || introspects(s.SelectionSet, seen) {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && !seen[s.Name] {
				seen[s.Name] = true
				if introspects(s.Definition.SelectionSet, seen) {
					return true
				}
			}
		}
	}
	return false
}
