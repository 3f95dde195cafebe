package graph

import (
	"context"
	"errors"
	"sync"

	"github.com/vikstrous/dataloadgen"

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
		"Beneficiary": func(ctx context.Context, key string) (model.Node, error) {
			b, err := loadersFrom(ctx).Social.Beneficiary.Load(ctx, key)
			if err != nil || b.Key == "" {
				return nil, err
			}
			return b, nil
		},
		"CollectiveAction": func(ctx context.Context, key string) (model.Node, error) {
			a, err := loadersFrom(ctx).Social.CollectiveAction.Load(ctx, key)
			if err != nil || a.Key == "" {
				return nil, err
			}
			return a, nil
		},
		"Interview":       scopedNode(r.Store.InterviewByKey),
		"Convocation":     scopedNode(r.Store.ConvocationByKey),
		"PlanAction":      scopedNode(r.Store.PlanActionByKey),
		"HousingProposal": scopedNode(r.Store.HousingProposalByKey),
		"HouseholdMember": scopedNode(r.Store.HouseholdMemberByKey),
		"Objective":       scopedNode(r.Store.ObjectiveByKey),
		"Offer":           scopedNodeFetcher(func(l *Loaders) loaderOf[model.Offer] { return l.Offer }, func(o model.Offer) string { return o.Key }),
		"NetworkEvent":    scopedNodeFetcher(func(l *Loaders) loaderOf[model.NetworkEvent] { return l.NetworkEvent }, func(e model.NetworkEvent) string { return e.Key }),
		"WorkingGroup":    scopedNodeFetcher(func(l *Loaders) loaderOf[model.WorkingGroup] { return l.WorkingGroup }, func(g model.WorkingGroup) string { return g.Key }),
		"GoodPractice":    scopedNodeFetcher(func(l *Loaders) loaderOf[model.GoodPractice] { return l.GoodPractice }, func(g model.GoodPractice) string { return g.Key }),
		"EmergingNeed":    scopedNodeFetcher(func(l *Loaders) loaderOf[model.EmergingNeed] { return l.EmergingNeed }, func(n model.EmergingNeed) string { return n.Key }),
	}
	r.professionalNodeFetchers(m)
	return m
}

// scopedNode adapts a Store method reading one object in the caller's scope (nil when
// outside it) to a node fetcher.
func scopedNode[T model.Node](fetch func(context.Context, *model.Principal, string) (*T, error)) func(context.Context, string) (model.Node, error) {
	return func(ctx context.Context, key string) (model.Node, error) {
		v, err := fetch(ctx, model.PrincipalFrom(ctx), key)
		if err != nil || v == nil {
			return nil, err
		}
		return *v, nil
	}
}

// loaderOf is a loader of one node type.
type loaderOf[T any] = *dataloadgen.Loader[string, T]

// scopedNodeFetcher adapts a scoped loader (it returns a zero value outside the caller's scope)
// to a node fetcher.
func scopedNodeFetcher[T model.Node](loader func(*Loaders) loaderOf[T], key func(T) string) func(context.Context, string) (model.Node, error) {
	return func(ctx context.Context, k string) (model.Node, error) {
		v, err := loader(loadersFrom(ctx)).Load(ctx, k)
		if err != nil || key(v) == "" {
			return nil, err
		}
		return v, nil
	}
}

// node resolves one global id for the caller: nil when malformed, of an unknown type, of
// a type the caller's role may not see, or outside its scope. A guessed id reveals nothing.
func (r *Resolver) node(ctx context.Context, id string) (model.Node, error) {
	typ, key, ok := model.ParseGlobalID(id)
	if !ok {
		logDenied(ctx, r.Logger, "node", "malformed id", string(model.CodeNotFound))
		return nil, nil
	}
	p := model.PrincipalFrom(ctx)
	fetch, known := r.nodeFetchers()[typ]
	if !known || p == nil || !r.rules.CanSee(p.Role, typ) {
		logDenied(ctx, r.Logger, "node", typ, string(model.CodeForbidden), "key", key)
		return nil, nil
	}
	n, err := fetch(ctx, key)
	if err == nil && n == nil {
		// Outside the caller's scope, or no such object: the same null, the attempt logged.
		logDenied(ctx, r.Logger, "node", typ, string(model.CodeNotFound), "key", key)
	}
	return n, err
}

// nodes fetches ids together, so that the loaders batch them (one statement per type
// instead of one batching window per id, one after the other), in the order given.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]model.Node, error) {
	out := make([]model.Node, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = r.node(ctx, id)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
