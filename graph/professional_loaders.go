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
// caller's scope. For a page of beneficiaries, primeBeneficiaries (graph/social_loaders.go)
// fills them for the whole page at once through prefetch, one statement per field
// selected, rather than relying on the loaders' batching window (which splits under a
// page of 50). A beneficiary itself is loaded by l.Social.Beneficiary.
type professionalLoaders struct {
	Diagnostics    *dataloadgen.Loader[string, []model.ProfessionalDiagnostic]
	FrenchLevels   *dataloadgen.Loader[string, []model.FrenchLevel]
	Orientations   *dataloadgen.Loader[string, []model.Orientation]
	SupportActions *dataloadgen.Loader[string, []model.SupportAction]
	Outcomes       *dataloadgen.Loader[string, []model.Outcome]

	// prefetch names, per field of Beneficiary, how to fill its loader for a page of
	// beneficiaries at once.
	prefetch map[string]func(ctx context.Context, keys []string) error
}

func newProfessionalLoaders(store *db.Store) *professionalLoaders {
	l := &professionalLoaders{prefetch: map[string]func(context.Context, []string) error{}}
	l.Diagnostics = groupLoader(l, store.ProfessionalDiagnosticsByBeneficiaries, "professionalDiagnostic", "professionalDiagnostics")
	l.FrenchLevels = groupLoader(l, store.FrenchLevelsByBeneficiaries, "frenchLevel", "frenchLevels")
	l.Orientations = groupLoader(l, store.OrientationsByBeneficiaries, "orientations")
	l.SupportActions = groupLoader(l, store.SupportActionsByBeneficiaries, "supportActions")
	l.Outcomes = groupLoader(l, store.OutcomesByBeneficiaries, "outcomes", "inEmploymentOrTraining")
	return l
}

// groupLoader makes a loader of lists over a grouped Store method, answering in key
// order (an empty list for a beneficiary without rows), and registers, for the
// Beneficiary fields it serves, how to prefetch it for a page.
func groupLoader[T any](l *professionalLoaders, fetch groupFetch[T], fields ...string) *dataloadgen.Loader[string, []T] {
	lists := fetch.lists
	loader := newLoader(lists)
	prefetch := func(ctx context.Context, keys []string) error {
		values, err := lists(ctx, keys)
		if err != nil {
			return err
		}
		for i, k := range keys {
			loader.Prime(k, values[i])
		}
		return nil
	}
	for _, f := range fields {
		l.prefetch[f] = prefetch
	}
	return loader
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
