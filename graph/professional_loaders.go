package graph

import (
	"context"
	"sort"

	"github.com/vikstrous/dataloadgen"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// professionalLoaders batch the nested reads of the professional module: each loads, for
// all the beneficiaries asked at one level of the query, in one statement in the
// caller's scope.
//
// MERGE NOTE: the social branch has socialLoaders with the same pattern (its group
// function also registers a prefetch per Beneficiary field for pages of beneficiaries):
// register these five there (fields professionalDiagnostic(s), frenchLevel(s),
// orientations, supportActions, outcomes, inEmploymentOrTraining) and use its Beneficiary
// loader instead of this one. Its alerts and timeline loaders should read
// joinGroupFetches(alertsLess, store.AlertsByBeneficiaries, store.OrientationAlertsByBeneficiaries)
// and joinGroupFetches(timelineLess, store.TimelineByBeneficiaries, store.ProfessionalTimelineByBeneficiaries).
type professionalLoaders struct {
	Beneficiary    *dataloadgen.Loader[string, model.Beneficiary]
	Diagnostics    *dataloadgen.Loader[string, []model.ProfessionalDiagnostic]
	FrenchLevels   *dataloadgen.Loader[string, []model.FrenchLevel]
	Orientations   *dataloadgen.Loader[string, []model.Orientation]
	SupportActions *dataloadgen.Loader[string, []model.SupportAction]
	Outcomes       *dataloadgen.Loader[string, []model.Outcome]
}

func newProfessionalLoaders(store *db.Store) *professionalLoaders {
	return &professionalLoaders{
		Beneficiary: newLoader(func(ctx context.Context, keys []string) ([]model.Beneficiary, error) {
			return store.BeneficiariesByKeys(ctx, model.PrincipalFrom(ctx), keys)
		}),
		Diagnostics:    groupLoader(store.ProfessionalDiagnosticsByBeneficiaries),
		FrenchLevels:   groupLoader(store.FrenchLevelsByBeneficiaries),
		Orientations:   groupLoader(store.OrientationsByBeneficiaries),
		SupportActions: groupLoader(store.SupportActionsByBeneficiaries),
		Outcomes:       groupLoader(store.OutcomesByBeneficiaries),
	}
}

// groupedFetch is a Store method answering, for beneficiary keys, their rows grouped by key.
type groupedFetch[T any] func(context.Context, *model.Principal, []string) (map[string][]T, error)

// groupLoader makes a loader of lists over a grouped Store method, answering in key
// order, an empty list for a beneficiary without rows.
func groupLoader[T any](fetch groupedFetch[T]) *dataloadgen.Loader[string, []T] {
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

// joinGroupFetches makes one grouped fetch of several (each one statement), the rows of
// each key merged and stably sorted by less: how the social module's alerts and timeline
// take in the professional module's.
func joinGroupFetches[T any](less func(a, b T) bool, fetches ...groupedFetch[T]) groupedFetch[T] {
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
