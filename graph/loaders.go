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

	// Beneficiary loads beneficiaries in the caller's scope (zero value outside it).
	Beneficiary *dataloadgen.Loader[string, model.Beneficiary]

	// Professional module: the records of each beneficiary (by beneficiary key).
	ProfessionalDiagnostics *dataloadgen.Loader[string, []model.ProfessionalDiagnostic]
	FrenchLevels            *dataloadgen.Loader[string, []model.FrenchLevel]
	Orientations            *dataloadgen.Loader[string, []model.Orientation]
	SupportActions          *dataloadgen.Loader[string, []model.SupportAction]
	Outcomes                *dataloadgen.Loader[string, []model.Outcome]
}

// loaderWait is how long a loader gathers keys before it fetches: long enough for the
// sibling resolvers of a list (run by the executor's worker pool) to ask theirs.
const loaderWait = 500 * time.Microsecond

// newLoaders makes the loaders of one request.
func newLoaders(store *db.Store) *Loaders {
	return &Loaders{
		Structure:   newLoader(store.StructuresByKeys),
		StaffMember: newLoader(store.StaffMembersByKeys),
		Beneficiary: newLoader(scoped(store.BeneficiariesByKeys)),

		ProfessionalDiagnostics: newGroupLoader(store.ProfessionalDiagnosticsByBeneficiaries),
		FrenchLevels:            newGroupLoader(store.FrenchLevelsByBeneficiaries),
		Orientations:            newGroupLoader(store.OrientationsByBeneficiaries),
		SupportActions:          newGroupLoader(store.SupportActionsByBeneficiaries),
		Outcomes:                newGroupLoader(store.OutcomesByBeneficiaries),
	}
}

// scoped adapts a Store batch method taking the caller to a loader's fetch: the caller
// is the request's principal, carried by the context of the loads.
func scoped[T any](fetch func(context.Context, *model.Principal, []string) ([]T, error)) func(context.Context, []string) ([]T, error) {
	return func(ctx context.Context, keys []string) ([]T, error) {
		return fetch(ctx, model.PrincipalFrom(ctx), keys)
	}
}

// newGroupLoader adapts a Store batch method answering the records of each owner key (a
// map) to a loader of lists answering in key order, an empty list for an owner without.
func newGroupLoader[T any](fetch func(context.Context, *model.Principal, []string) (map[string][]T, error)) *dataloadgen.Loader[string, []T] {
	return newLoader(func(ctx context.Context, keys []string) ([][]T, error) {
		m, err := fetch(ctx, model.PrincipalFrom(ctx), keys)
		if err != nil {
			return nil, err
		}
		out := make([][]T, len(keys))
		for i, k := range keys {
			out[i] = m[k]
			if out[i] == nil {
				out[i] = []T{}
			}
		}
		return out, nil
	})
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
