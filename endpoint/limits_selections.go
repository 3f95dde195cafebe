package endpoint

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// selectionsExtension refuses a document with more than max selections before the
// executor validates it. Validation's overlapping-fields rule compares the fields of a
// selection set pairwise: 4 900 copies of one field, 25 KB within the token limit, cost
// seconds of CPU. Parsing is linear, so the document is parsed once more here and its
// selections counted; a document already in the executor's cache passed this check.
type selectionsExtension struct {
	max       int
	maxTokens int
	cache     graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = selectionsExtension{}

func (selectionsExtension) ExtensionName() string                          { return "AgirSelectionLimit" }
func (selectionsExtension) Validate(schema graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters counts the selections of the raw document. A document that
// does not parse is left to the executor, which reports the syntax error.
func (e selectionsExtension) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if raw.Query == "" {
		return nil
	}
	if e.cache != nil {
		if _, ok := e.cache.Get(ctx, raw.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: raw.Query}, e.maxTokens)
	if err != nil {
		return nil
	}
	if n := countSelections(doc); n > e.max {
		return limitError(model.CodeFieldLimitExceeded, "trop de champs dans le document : %d sélections, %d au plus", n, e.max)
	}
	return nil
}

// countSelections counts the selections written in doc's operations and fragments.
func countSelections(doc *ast.QueryDocument) int {
	n := 0
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			n++
			switch s := sel.(type) {
			case *ast.Field:
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
	return n
}
