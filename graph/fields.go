package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// wantsTotal reports whether the connection being resolved has totalCount selected, so
// that the Store counts only when asked.
func wantsTotal(ctx context.Context) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == "totalCount" {
			return true
		}
	}
	return false
}
