package graph

import (
	"context"
	"sort"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// professionalLoaders batch the nested reads of the professional module: each loads, for
// all the beneficiaries asked at one level of the query, in one statement in the
// caller's scope. A page of beneficiaries reads them beforehand for all its rows
// (beneficiaryRelations, graph/page.go).
type professionalLoaders struct {
	Diagnostics    *listLoader[model.ProfessionalDiagnostic]
	FrenchLevels   *listLoader[model.FrenchLevel]
	Orientations   *listLoader[model.Orientation]
	SupportActions *listLoader[model.SupportAction]
	Outcomes       *listLoader[model.Outcome]
	OpenCount      *valueLoader[int]
}

func newProfessionalLoaders(store *db.Store) *professionalLoaders {
	return &professionalLoaders{
		Diagnostics:    newListLoader(store.ProfessionalDiagnosticsByBeneficiaries),
		FrenchLevels:   newListLoader(store.FrenchLevelsByBeneficiaries),
		Orientations:   newListLoader(store.OrientationsByBeneficiaries),
		SupportActions: newListLoader(store.SupportActionsByBeneficiaries),
		Outcomes:       newListLoader(store.OutcomesByBeneficiaries),
		OpenCount: newValueLoader(func(ctx context.Context, keys []string) ([]int, error) {
			return store.OpenOrientationCounts(ctx, model.PrincipalFrom(ctx), keys)
		}),
	}
}

// joinGroupFetches makes one grouped fetch of several (each one statement), the rows of
// each key merged and stably sorted by less: how the social module's alerts and timeline
// take in the professional module's.
func joinGroupFetches[T any](less func(a, b T) bool, fetches ...groupFetch[T]) groupFetch[T] {
	return func(ctx context.Context, p *model.Principal, keys []string) (map[string][]T, error) {
		out := map[string][]T{}
		for _, f := range fetches {
			m, err := f(ctx, p, keys)
			if err != nil {
				return nil, err
			}
			for k, rows := range m {
				out[k] = append(out[k], rows...)
			}
		}
		for k := range out {
			sort.SliceStable(out[k], func(i, j int) bool { return less(out[k][i], out[k][j]) })
		}
		return out, nil
	}
}

// timelineLess orders a timeline by day, then recording instant.
func timelineLess(a, b model.TimelineEvent) bool {
	if a.On != b.On {
		return a.On.Before(b.On)
	}
	return a.RecordedAt.Before(b.RecordedAt)
}

// alertsLess orders alerts by the day they became active.
func alertsLess(a, b model.Alert) bool { return a.Since.Before(b.Since) }
