package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// marshalRows marshals the elements of a list, as graphql.MarshalSliceConcurrently does
// (the generated marshallers of the lists named in tools/gqlgen call it instead): one
// goroutine per element, so that loaders batch across the elements, unless serial. A
// serial list (a page whose fields none waits, see pageWaitFree) is marshalled on the
// caller's goroutine, element after element: no goroutine per row, and no growth of a
// fresh stack under the thirty frames of gqlgen and middleware each field resolves under
// (about a tenth of the server's CPU on the list of 50 beneficiaries, issue 9). Each
// element gets its own field context (its index in the path of errors) and, unless
// omitPanicHandler, a panic is the element's error, as gqlgen does.
func marshalRows(ctx context.Context, serial bool, length int, workerLimit int64, omitPanicHandler bool,
	marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	if !serial || length < 2 {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshal)
	}
	ret := make(graphql.Array, length)
	for i := range length {
		if err := ctx.Err(); err != nil {
			// As gqlgen's workers do once the request is cancelled or past its deadline:
			// one error, and the rows left are null (so is the list: its rows are non-null).
			graphql.AddError(ctx, err)
			for j := i; j < length; j++ {
				ret[j] = graphql.Null
			}
			break
		}
		ret[i] = marshalRow(graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i}), i, omitPanicHandler, marshal)
	}
	return ret
}

func marshalRow(ctx context.Context, i int, omitPanicHandler bool, marshal func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				m = graphql.Null
			}
		}()
	}
	return marshal(ctx, i)
}

// rowsWaitFree reports whether the fields of every beneficiary of rows resolve without
// waiting (their page said so: BeneficiaryRelations.WaitFree).
func rowsWaitFree(rows []model.Beneficiary) bool {
	for i := range rows {
		if rows[i].Preloaded == nil || !rows[i].Preloaded.WaitFree {
			return false
		}
	}
	return true
}

// edgesWaitFree is rowsWaitFree for the edges of a page.
func edgesWaitFree(edges []model.Edge[model.Beneficiary]) bool {
	for i := range edges {
		if edges[i].Node.Preloaded == nil || !edges[i].Node.Preloaded.WaitFree {
			return false
		}
	}
	return true
}

// selectionWaitFree reports whether the fields of set, selected on an object of type
// typ, resolve without waiting, and so the fields below them: each either reads its
// object (it is not in resolvedFields) or is ready (a resolver whose data was read
// beforehand, by "Type.field"). The fields of an interface or a union, and deferred
// fragments, are not looked into: they are not wait-free.
func selectionWaitFree(oc *graphql.OperationContext, typ string, set ast.SelectionSet, ready map[string]bool) bool {
	for _, f := range graphql.CollectFields(oc, set, satisfies(typ)) {
		if f.IsDeferred() {
			return false
		}
		if f.Name == "__typename" {
			continue
		}
		if name := typ + "." + f.Name; resolvedFields[name] && !ready[name] {
			return false
		}
		if len(f.Selections) == 0 {
			continue
		}
		def := parsedSchema.Types[f.Definition.Type.Name()]
		if def == nil || def.Kind != ast.Object || !selectionWaitFree(oc, def.Name, f.Selections, ready) {
			return false
		}
	}
	return true
}

// implementors are, per object type, the type conditions under which a fragment applies
// to it: the type, and the interfaces and unions it belongs to. gqlgen's executor collects
// an object's fields with them (beneficiaryImplementors: Beneficiary and Node), so must
// whatever reads a selection ahead of it: a fragment on Node is one on Beneficiary too.
var implementors = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	for name, def := range parsedSchema.Types {
		if def.Kind != ast.Object {
			continue
		}
		list := []string{name}
		for _, d := range parsedSchema.GetImplements(def) {
			list = append(list, d.Name)
		}
		m[name] = list
	}
	return m
})

// satisfies returns the type conditions a fragment may name to apply to objects of type
// typ (graphql.CollectFields' satisfies).
func satisfies(typ string) []string {
	if list, ok := implementors()[typ]; ok {
		return list
	}
	return []string{typ}
}
