package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// Loaders batch the reads of one request: every key asked while a level of the query
// resolves is fetched in one statement (`= ANY($1)`), answered in key order (STYLE 7).
// They are made per request, after authentication, so the caller's scope is fixed.
type Loaders struct {
	Structure   *dataloadgen.Loader[string, model.Structure]
	StaffMember *dataloadgen.Loader[string, model.StaffMember]
	Caseload    *dataloadgen.Loader[string, int]
	Social      *socialLoaders
	partnershipLoaders
	Professional   *professionalLoaders
	DataProtection *dataProtectionLoaders
}

// loaderWait is how long a loader gathers keys before it fetches: long enough for the
// sibling resolvers of a list (run by the executor's worker pool) to ask theirs.
const loaderWait = 500 * time.Microsecond

// newLoaders makes the loaders of one request.
func newLoaders(store *db.Store) *Loaders {
	return &Loaders{
		Structure:          newLoader(store.StructuresByKeys),
		StaffMember:        newLoader(store.StaffMembersByKeys),
		Caseload:           newLoader(store.CaseloadsByStaffKeys),
		Social:             newSocialLoaders(store),
		partnershipLoaders: newPartnershipLoaders(store),
		Professional:       newProfessionalLoaders(store),
		DataProtection:     newDataProtectionLoaders(store),
	}
}

// newLoader adapts a Store method answering in key order to a loader.
func newLoader[T any](fetch func(context.Context, []string) ([]T, error)) *dataloadgen.Loader[string, T] {
	return dataloadgen.NewLoader(func(ctx context.Context, keys []string) ([]T, []error) {
		values, err := fetch(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return values, nil
	}, dataloadgen.WithWait(loaderWait), dataloadgen.WithBatchCapacity(500))
}

type loadersKey struct{}

// loadersFrom returns the loaders of the request carried by ctx.
func loadersFrom(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// withLoaders attaches fresh loaders to each request.
func withLoaders(store *db.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, newLoaders(store))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// found returns a pointer to v, or nil when v is the zero value a Store gives for a
// missing key (its Key is empty).
func found[T any](v T, key string) *T {
	if key == "" {
		return nil
	}
	return &v
}
