package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestPageWaitFree: a page's rows are marshalled one after the other only when no field
// below them waits: fields that read their object, and the resolvers the page made
// ready (primeBeneficiaries), through fragments too; anything else keeps gqlgen's
// goroutine per row, so that loaders batch across the rows.
func TestPageWaitFree(t *testing.T) {
	primed := map[string]bool{"Beneficiary.referents": true, "Beneficiary.socialOperator": true,
		"Beneficiary.employmentOperator": true, "Beneficiary.orientations": true, "Orientation.structure": true,
		"Beneficiary.lastInterview": true, "Beneficiary.alerts": true}
	list := `id firstName lastName phase referents { socialWorker { name } insertionCounsellor { name } } socialOperator { name }`
	for _, c := range []struct {
		name, nodes string
		ready       map[string]bool
		want        bool
	}{
		{"List50", list, primed, true},
		{"PlainFieldsOnly", `id __typename firstName phone journeyEndsOn`, nil, true},
		{"Dashboard", `id phase journeyEndsOn socialOperator { name } employmentOperator { name }
			referents { socialWorker { name } } lastInterview { kind status plannedAt }
			orientations { status answerDueOn structure { name } } alerts { kind dueOn }`, primed, true},
		{"ResolverNotPrimed", list, map[string]bool{"Beneficiary.socialOperator": true}, false},
		{"ConsentsAreNotPrimed", `id consents { kind }`, primed, false},
		{"NestedResolver", `id orientations { structure { name offers(first: 3) { nodes { name } } } }`, primed, false},
		{"NestedStructureNotRead", `id orientations { structure { name } }`, map[string]bool{"Beneficiary.orientations": true}, false},
		{"StaffMemberStructure", `referents { socialWorker { structure { name } } }`, primed, false},
		{"FragmentSpread", `id ...F`, primed, false}, // F (below) asks for household, not primed
		{"InlineFragment", `id ... on Beneficiary { socialOperator { name } }`, primed, true},
		{"InlineFragmentWaits", `id ... on Beneficiary { household { firstName } }`, primed, false},
		{"NodeFragment", `id ... on Node { ... on Beneficiary { household { firstName } } }`, primed, false},
		{"NodeFragmentReady", `id ... on Node { ... on Beneficiary { socialOperator { name } } }`, primed, true},
		{"NodeFragmentNested", `id orientations { ... on Node { ... on Orientation { offer { name } } } }`, primed, false},
		{"NodeFragmentStructure", `socialOperator { ... on Node { ... on Structure { staff(first: 1) { nodes { name } } } } }`, primed, false},
		{"Skipped", `id household @skip(if: true) { firstName }`, primed, true},
		{"Included", `id household @include(if: true) { firstName }`, primed, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The case's selection under nodes, under edges.node, and under both.
			for _, p := range []struct {
				page string
				sets int
			}{{`nodes { ` + c.nodes + ` }`, 1}, {`edges { cursor node { ` + c.nodes + ` } }`, 1},
				{`edges { node { id } } nodes { ` + c.nodes + ` }`, 2}} {
				page := p.page
				query := `query { beneficiaries(first: 50) { ` + page + ` } }`
				if strings.Contains(c.nodes, "...F") {
					query += ` fragment F on Beneficiary { household { firstName } }`
				}
				doc, errs := gqlparser.LoadQuery(parsedSchema, query)
				if errs != nil {
					t.Fatalf("query: %v", errs)
				}
				oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
				conn := doc.Operations[0].SelectionSet[0].(*ast.Field)
				ctx := graphql.WithFieldContext(graphql.WithOperationContext(context.Background(), oc),
					&graphql.FieldContext{Object: "Query", Field: graphql.CollectedField{Field: conn, Selections: conn.SelectionSet}})
				sets := pageSelections(ctx)
				if len(sets) != p.sets {
					t.Fatalf("%s: %d selection sets", page, len(sets))
				}
				if got := pageWaitFree(ctx, sets, c.ready); got != c.want {
					t.Fatalf("%s: wait-free %v, want %v", page, got, c.want)
				}
			}
		})
	}
}

// TestMarshalRows_Cancelled: once the request is cancelled, rows marshalled one after
// the other stop as gqlgen's workers do: no row is marshalled, each is null, one error.
func TestMarshalRows_Cancelled(t *testing.T) {
	for _, serial := range []bool{false, true} {
		ctx, cancel := context.WithCancel(graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover))
		cancel()
		calls := 0
		ret := marshalRows(ctx, serial, 3, 64, false, func(context.Context, int) graphql.Marshaler {
			calls++
			return graphql.MarshalString("row")
		})
		errs := graphql.GetErrors(ctx)
		if calls != 0 || len(ret) != 3 || ret[0] != graphql.Null || ret[2] != graphql.Null || len(errs) != 1 {
			t.Errorf("serial %v: %d calls, rows %v, errors %v", serial, calls, ret, errs)
		}
	}
}

// TestMarshalRows_Panic: a row that panics is null with one error on its own, on either
// path, and the other rows are marshalled.
func TestMarshalRows_Panic(t *testing.T) {
	quiet := func(_ context.Context, v any) error { return fmt.Errorf("panic: %v", v) } // no stack in the test's output
	for _, serial := range []bool{false, true} {
		ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, quiet)
		ret := marshalRows(ctx, serial, 3, 64, false, func(_ context.Context, i int) graphql.Marshaler {
			if i == 1 {
				panic("row 1")
			}
			return graphql.MarshalString("row")
		})
		errs := graphql.GetErrors(ctx)
		if len(ret) != 3 || ret[0] == graphql.Null || ret[1] != graphql.Null || ret[2] == graphql.Null || len(errs) != 1 {
			t.Errorf("serial %v: rows %v, errors %v", serial, ret, errs)
		}
	}
}
