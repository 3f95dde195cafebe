package endpoint

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Limits bound what one operation may ask for. They are checked on the parsed and
// validated document, before anything executes, so a careless or hostile query is refused
// whole: it never half-runs. The zero value of a field means its default.
type Limits struct {
	MaxCost       int // cost of one operation (see Cost); default 10 000
	MaxDepth      int // nesting of fields, the root field being 1; default 12
	MaxAliases    int // aliased fields in the operation (fragments expanded); default 50
	MaxRootFields int // distinct response keys of the root selection; default 20
	MaxTokens     int // lexical tokens of the document, checked by the parser; default 5 000
	// MaxSelections bounds the selections written in the document (fields, fragment
	// spreads and inline fragments, counted where they are written, fragments not
	// expanded); checked on a parse of its own before validation, whose overlapping-fields
	// rule is quadratic in the number of selections. Default 1 000.
	MaxSelections int
}

func (l Limits) withDefaults() Limits {
	if l.MaxCost == 0 {
		l.MaxCost = 10_000
	}
	if l.MaxDepth == 0 {
		l.MaxDepth = 12
	}
	if l.MaxAliases == 0 {
		l.MaxAliases = 50
	}
	if l.MaxRootFields == 0 {
		l.MaxRootFields = 20
	}
	if l.MaxTokens == 0 {
		l.MaxTokens = 5_000
	}
	if l.MaxSelections == 0 {
		l.MaxSelections = 1_000
	}
	return l
}

// defaultListSize is the number of items assumed for a list of objects whose length the
// document does not tell (a list field without first/last or ids).
const defaultListSize = 20

// Shape is what the static analysis of one operation found.
type Shape struct {
	Cost       int // see Cost
	Depth      int
	Aliases    int
	RootFields int
}

// Analyze measures operation op (validated against its schema) with the coerced
// variables vars.
//
// The cost is computed in the spirit of GitHub's: a field returning an object costs 1 for
// each parent object it is resolved on; a connection (a field taking first/last) costs the
// number of items it can return (first or last, model.DefaultPageSize when absent) for each
// parent, and multiplies the cost of what is selected inside it; fields of connection and
// edge types (edges, nodes, node, pageInfo) are the items already counted; `nodes(ids:)`
// costs one per id; leaves and introspection cost nothing. The minimum cost of an
// operation is 1. It also checks that each first/last lies within 1..model.MaxPageSize.
func Analyze(op *ast.OperationDefinition, vars map[string]any) (Shape, error) {
	a := analyzer{vars: vars}
	var s Shape
	keys := map[string]bool{}
	for _, f := range a.fields(op.SelectionSet) {
		if f.Name != "__typename" {
			keys[f.Alias] = true // identical fields under one key are merged: they run once
		}
	}
	s.RootFields = len(keys)
	cost, err := a.cost(op.SelectionSet, 1, 1)
	if err != nil {
		return s, err
	}
	s.Cost = max(cost, 1)
	s.Depth = a.maxDepth
	if a.introDepth > maxIntrospectionDepth {
		s.Depth = a.introDepth
	}
	s.Aliases = a.aliases
	return s, nil
}

type analyzer struct {
	vars       map[string]any
	maxDepth   int
	aliases    int
	introDepth int // nesting inside __schema and __type
}

// maxIntrospectionDepth bounds introspection documents, which the depth limit does not
// count (GraphiQL's introspection query nests ofType eight times: 13 levels).
const maxIntrospectionDepth = 16

// introspectionDepth measures the nesting of an introspection selection.
func (a *analyzer) introspectionDepth(set ast.SelectionSet, depth int) {
	for _, f := range a.fields(set) {
		if f.Alias != "" && f.Alias != f.Name {
			a.aliases++
		}
		a.introDepth = max(a.introDepth, depth)
		if a.introDepth > maxIntrospectionDepth {
			return
		}
		a.introspectionDepth(f.SelectionSet, depth+1)
	}
}

// fields flattens a selection set: fragment spreads and inline fragments are expanded
// (validation has already refused fragment cycles).
func (a *analyzer) fields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, a.fields(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, a.fields(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

// costCap stops the multiplication early: past it the operation is refused anyway.
const costCap = 1 << 40

func (a *analyzer) cost(set ast.SelectionSet, multiplier, depth int) (int, error) {
	total := 0
	for _, f := range a.fields(set) {
		if f.Alias != "" && f.Alias != f.Name {
			a.aliases++
		}
		if strings.HasPrefix(f.Name, "__") {
			// Introspection: answered from memory, not counted in depth or cost.
			a.introspectionDepth(f.SelectionSet, depth+1)
			continue
		}
		a.maxDepth = max(a.maxDepth, depth)
		if f.Definition == nil || len(f.SelectionSet) == 0 {
			continue // a leaf
		}
		parent := f.ObjectDefinition
		items := 1
		own := multiplier
		switch {
		case parent != nil && (strings.HasSuffix(parent.Name, "Connection") || strings.HasSuffix(parent.Name, "Edge")):
			own = 0 // the items of a connection, already counted by the connection
		case f.Definition.Arguments.ForName("first") != nil || f.Definition.Arguments.ForName("last") != nil:
			n, err := a.pageSize(f)
			if err != nil {
				return 0, err
			}
			items = n
			own = multiplier * n
		case f.Definition.Type.Elem != nil:
			items = a.listSize(f)
			own = multiplier * items
		}
		inner, err := a.cost(f.SelectionSet, min(multiplier*items, costCap), depth+1)
		if err != nil {
			return 0, err
		}
		total = min(total+own+inner, costCap)
	}
	return total, nil
}

// pageSize is the number of items a connection field can return, after checking that
// first and last lie within 1..MaxPageSize.
func (a *analyzer) pageSize(f *ast.Field) (int, error) {
	n := model.DefaultPageSize
	for _, name := range []string{"first", "last"} {
		arg := f.Arguments.ForName(name)
		if arg == nil {
			continue
		}
		v, err := arg.Value.Value(a.vars)
		if err != nil || v == nil {
			continue
		}
		size, ok := asInt(v)
		if !ok || size < 1 || size > model.MaxPageSize {
			return 0, &model.Error{Code: model.CodeOutOfRange, Field: []string{f.Alias, name},
				Message: fmt.Sprintf("« %s » de « %s » doit être compris entre 1 et %d", name, f.Alias, model.MaxPageSize)}
		}
		n = size
	}
	return n, nil
}

// listSize is the length of a list field's answer when a list argument (such as ids)
// tells it, defaultListSize otherwise.
func (a *analyzer) listSize(f *ast.Field) int {
	for _, arg := range f.Arguments {
		v, err := arg.Value.Value(a.vars)
		if err != nil {
			continue
		}
		if list, ok := v.([]any); ok {
			return max(len(list), 1)
		}
	}
	return defaultListSize
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case int32:
		return int(n), true
	case float64:
		return int(n), float64(int(n)) == n
	}
	return 0, false
}

// costKey is the name under which the cost report rides in the operation's stats.
const costKey = "agir.cost"

// CostReport is the `extensions.cost` entry of a response: what the operation cost and
// what is left of the caller's budget.
type CostReport struct {
	Requested int `json:"requested"` // cost of this operation
	Maximum   int `json:"maximum"`   // maximum cost of one operation
	// Budget is the caller's rate-limit budget after this operation (absent when the
	// operation was refused before it was charged).
	Remaining       *int    `json:"remaining,omitempty"`
	Capacity        int     `json:"capacity,omitempty"`
	RefillPerSecond float64 `json:"refillPerSecond,omitempty"`
	RetryAfter      float64 `json:"retryAfterSeconds,omitempty"`
}

// costReportOf returns the cost report of the operation of ctx, or nil.
func costReportOf(oc *graphql.OperationContext) *CostReport {
	if oc == nil {
		return nil
	}
	r, _ := oc.Stats.GetExtension(costKey).(*CostReport)
	return r
}

// limitsExtension checks the Limits of each operation and charges its cost to the
// caller's budget before it executes.
type limitsExtension struct {
	limits  Limits
	limiter *RateLimiter
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = limitsExtension{}

func (limitsExtension) ExtensionName() string                          { return "AgirLimits" }
func (limitsExtension) Validate(schema graphql.ExecutableSchema) error { return nil }

func limitError(code model.ErrorCode, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": string(code)}}
}

// MutateOperationContext refuses an operation that breaks a limit, with a stable code.
func (e limitsExtension) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if m := httpMethodFrom(ctx); m != "" {
		switch {
		case m == "GET" && oc.Operation.Operation != ast.Query:
			return limitError(model.CodeMethodNotAllowed, "une %s ne peut pas être envoyée en GET : utilisez POST", opKindFR(oc.Operation.Operation))
		case oc.Operation.Operation == ast.Subscription:
			return limitError(model.CodeBadRequest, "les abonnements passent par WebSocket (protocole graphql-transport-ws)")
		}
	}
	if usesIncrementalDelivery(oc.Operation.SelectionSet, oc.Doc, map[string]bool{}) {
		return limitError(model.CodeIncrementalDeliveryNotSupported,
			"@defer et @stream ne sont pas pris en charge : retirez la directive, la réponse arrive en une fois")
	}
	shape, err := Analyze(oc.Operation, oc.Variables)
	if err != nil {
		coded := err.(*model.Error)
		return &gqlerror.Error{Message: coded.Message, Extensions: map[string]any{"code": string(coded.Code), "field": coded.Field}}
	}
	report := &CostReport{Requested: shape.Cost, Maximum: e.limits.MaxCost}
	oc.Stats.SetExtension(costKey, report)
	switch {
	case shape.Depth > e.limits.MaxDepth:
		return limitError(model.CodeDepthLimitExceeded, "requête trop profonde : %d niveaux, %d au plus", shape.Depth, e.limits.MaxDepth)
	case shape.Aliases > e.limits.MaxAliases:
		return limitError(model.CodeAliasLimitExceeded, "trop d'alias : %d, %d au plus", shape.Aliases, e.limits.MaxAliases)
	case shape.RootFields > e.limits.MaxRootFields:
		return limitError(model.CodeRootFieldLimitExceeded, "trop de champs racine : %d, %d au plus", shape.RootFields, e.limits.MaxRootFields)
	case shape.Cost > e.limits.MaxCost:
		return limitError(model.CodeCostLimitExceeded, "requête trop coûteuse : coût %d, %d au plus (réduisez first/last ou l'imbrication)", shape.Cost, e.limits.MaxCost)
	}
	if e.limiter != nil && oc.Operation.Operation != ast.Subscription {
		if p := model.PrincipalFrom(ctx); p != nil {
			ok, remaining, retry := e.limiter.Take(p.Subject, shape.Cost)
			report.Remaining = &remaining
			report.Capacity = e.limiter.Capacity
			report.RefillPerSecond = e.limiter.LeakPerSecond
			if !ok {
				report.RetryAfter = retry.Seconds()
				return limitError(model.CodeRateLimited, "budget de requêtes épuisé : réessayez dans %.0f s", max(retry.Seconds(), 1))
			}
		}
	}
	return nil
}

// usesIncrementalDelivery reports whether a selection set, or a fragment it spreads,
// carries @defer or @stream. The GraphQL library declares @defer in its prelude and would
// execute it, but the HTTP transport sends one response: the deferred fields would be
// null without an error. So they are refused, with a code, before anything runs.
func usesIncrementalDelivery(set ast.SelectionSet, doc *ast.QueryDocument, seen map[string]bool) bool {
	incremental := func(ds ast.DirectiveList) bool { return ds.ForName("defer") != nil || ds.ForName("stream") != nil }
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if incremental(s.Directives) || usesIncrementalDelivery(s.SelectionSet, doc, seen) {
				return true
			}
		case *ast.InlineFragment:
			if incremental(s.Directives) || usesIncrementalDelivery(s.SelectionSet, doc, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if incremental(s.Directives) {
				return true
			}
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if f := doc.Fragments.ForName(s.Name); f != nil && usesIncrementalDelivery(f.SelectionSet, doc, seen) {
				return true
			}
		}
	}
	return false
}

func opKindFR(op ast.Operation) string {
	switch op {
	case ast.Mutation:
		return "mutation"
	case ast.Subscription:
		return "souscription"
	}
	return "requête"
}

type httpMethodKey struct{}

// withHTTPMethod records the HTTP method of a request for the limits extension (GET
// carries queries only).
func withHTTPMethod(ctx context.Context, method string) context.Context {
	return context.WithValue(ctx, httpMethodKey{}, method)
}

func httpMethodFrom(ctx context.Context) string {
	m, _ := ctx.Value(httpMethodKey{}).(string)
	return m
}
