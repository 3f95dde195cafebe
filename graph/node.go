package graph

import (
	"context"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// nodeFetchers resolve a global id's key to its object, per GraphQL type. Each must apply
// the caller's scope (return nil for an object outside it); node() first checks that the
// caller's role may see the type at all. Modules add their types here.
func (r *Resolver) nodeFetchers() map[string]func(ctx context.Context, key string) (model.Node, error) {
	m := map[string]func(context.Context, string) (model.Node, error){
		"Structure": func(ctx context.Context, key string) (model.Node, error) {
			s, err := loadersFrom(ctx).Structure.Load(ctx, key)
			if err != nil || s.Key == "" {
				return nil, err
			}
			return s, nil
		},
		"StaffMember": func(ctx context.Context, key string) (model.Node, error) {
			m, err := loadersFrom(ctx).StaffMember.Load(ctx, key)
			if err != nil || m.Key == "" {
				return nil, err
			}
			return m, nil
		},
	}
	r.professionalNodeFetchers(m)
	return m
}

// node resolves one global id for the caller: nil when malformed, of an unknown type, of
// a type the caller's role may not see, or outside its scope. A guessed id reveals nothing.
func (r *Resolver) node(ctx context.Context, id string) (model.Node, error) {
	typ, key, ok := model.ParseGlobalID(id)
	if !ok {
		return nil, nil
	}
	p := model.PrincipalFrom(ctx)
	fetch, known := r.nodeFetchers()[typ]
	if !known || p == nil || !r.rules.CanSee(p.Role, typ) {
		return nil, nil
	}
	return fetch(ctx, key)
}
