package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// socialLoaders batch the nested reads of beneficiaries: each loads, for all the
// beneficiaries asked at one level of the query, in one statement in the caller's scope.
// A page of beneficiaries reads the relations it is asked for beforehand, for all its
// rows at once (beneficiaryRelations, graph/page.go).
type socialLoaders struct {
	Beneficiary      *dataloadgen.Loader[string, model.Beneficiary]
	CollectiveAction *dataloadgen.Loader[string, model.CollectiveAction]
	Referral         *valueLoader[model.Referral]
	Household        *listLoader[model.HouseholdMember]
	Convocations     *listLoader[model.Convocation]
	Referents        *listLoader[model.ReferentAssignment]
	Interviews       *listLoader[model.Interview]
	LastInterview    *listLoader[model.Interview]
	Diagnostic       *listLoader[model.AxisAssessment]
	Plan             *listLoader[model.Objective]
	Contract         *listLoader[model.EngagementContract]
	Housing          *listLoader[model.HousingProposal]
	RightsSteps      *listLoader[model.RightsStep]
	Accessibility    *listLoader[model.Accessibility]
	Evaluations      *listLoader[model.Evaluation]
	Exits            *listLoader[model.JourneyExit]
	FollowUps        *listLoader[model.FollowUp]
	Reintegrations   *listLoader[model.Reintegration]
	Alerts           *listLoader[model.Alert]
	Timeline         *listLoader[model.TimelineEvent]
	Registrations    *listLoader[model.CollectiveActionRegistration]
}

// groupFetch is a Store method answering, for beneficiary keys, their rows grouped by key.
type groupFetch[T any] func(context.Context, *model.Principal, []string) (map[string][]T, error)

// lists runs the grouped fetch for the caller of ctx and answers in key order, an empty
// list for a key without rows: the shape a loader of lists needs.
func (fetch groupFetch[T]) lists(ctx context.Context, keys []string) ([][]T, error) {
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
}

// listLoader is a loader of lists by beneficiary key with the grouped fetch it loads
// with, so that a page may read it for all its rows at once (read).
type listLoader[T any] struct {
	*dataloadgen.Loader[string, []T]
	fetch groupFetch[T]
}

func newListLoader[T any](fetch groupFetch[T]) *listLoader[T] {
	return &listLoader[T]{Loader: newLoader(fetch.lists), fetch: fetch}
}

// read fetches the lists of keys in one statement and primes the loader with them (an
// empty list for a key without rows): their loads then answer without waiting.
func (l *listLoader[T]) read(ctx context.Context, keys []string) (map[string][]T, error) {
	m, err := l.fetch(ctx, model.PrincipalFrom(ctx), keys)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		v := m[k]
		if v == nil {
			v = []T{}
		}
		l.Prime(k, v)
	}
	return m, nil
}

func (l *listLoader[T]) prime(ctx context.Context, keys []string) error {
	_, err := l.read(ctx, keys)
	return err
}

// valueLoader is a loader of one value per key with the fetch it loads with (answering in
// key order), so that a page may read it for all its rows at once (prime).
type valueLoader[T any] struct {
	*dataloadgen.Loader[string, T]
	fetch func(context.Context, []string) ([]T, error)
}

func newValueLoader[T any](fetch func(context.Context, []string) ([]T, error)) *valueLoader[T] {
	return &valueLoader[T]{Loader: newLoader(fetch), fetch: fetch}
}

// prime fetches the values of keys in one statement and primes the loader with them.
func (l *valueLoader[T]) prime(ctx context.Context, keys []string) error {
	values, err := l.fetch(ctx, keys)
	if err != nil {
		return err
	}
	for i, k := range keys {
		l.Prime(k, values[i])
	}
	return nil
}

func newSocialLoaders(store *db.Store) *socialLoaders {
	return &socialLoaders{
		Beneficiary: newLoader(func(ctx context.Context, keys []string) ([]model.Beneficiary, error) {
			return store.BeneficiariesByKeys(ctx, model.PrincipalFrom(ctx), keys)
		}),
		CollectiveAction: newLoader(func(ctx context.Context, keys []string) ([]model.CollectiveAction, error) {
			return store.CollectiveActionsByKeys(ctx, model.PrincipalFrom(ctx), keys)
		}),
		Referral: newValueLoader(func(ctx context.Context, keys []string) ([]model.Referral, error) {
			return store.ReferralsByKeys(ctx, model.PrincipalFrom(ctx), keys)
		}),
		Household:      newListLoader(store.HouseholdByBeneficiaries),
		Convocations:   newListLoader(store.ConvocationsByBeneficiaries),
		Referents:      newListLoader(store.ReferentsByBeneficiaries),
		Interviews:     newListLoader(store.InterviewsByBeneficiaries),
		LastInterview:  newListLoader(store.LastInterviewByBeneficiaries),
		Diagnostic:     newListLoader(store.DiagnosticByBeneficiaries),
		Plan:           newListLoader(store.PlanByBeneficiaries),
		Contract:       newListLoader(store.ContractByBeneficiaries),
		Housing:        newListLoader(store.HousingByBeneficiaries),
		RightsSteps:    newListLoader(store.RightsStepsByBeneficiaries),
		Accessibility:  newListLoader(store.AccessibilityByBeneficiaries),
		Evaluations:    newListLoader(store.EvaluationsByBeneficiaries),
		Exits:          newListLoader(store.ExitsByBeneficiaries),
		FollowUps:      newListLoader(store.FollowUpsByBeneficiaries),
		Reintegrations: newListLoader(store.ReintegrationsByBeneficiaries),
		// Alerts and timeline take in the professional module's (one statement each more).
		Alerts:        newListLoader(joinGroupFetches(alertsLess, store.AlertsByBeneficiaries, store.OrientationAlertsByBeneficiaries)),
		Timeline:      newListLoader(joinGroupFetches(timelineLess, store.TimelineByBeneficiaries, store.ProfessionalTimelineByBeneficiaries)),
		Registrations: newListLoader(store.RegistrationsByActions),
	}
}

// activeReferents is the binôme of the assignments list (latest first) with the staff
// members of the active ones, when the selection asks for them (from the StaffMember
// loader, which a page primes with its referents).
func activeReferents(ctx context.Context, list []model.ReferentAssignment) (*model.Referents, error) {
	out := &model.Referents{History: list}
	if !selectsReferent(graphql.GetFieldContext(ctx).Field.Selections) {
		return out, nil
	}
	var socialWorker, counsellor string // one active assignment per kind (unique index)
	for _, a := range list {
		switch {
		case !a.Active():
		case a.Kind == model.ReferentKindSocialWorker:
			socialWorker = a.StaffMemberKey
		case a.Kind == model.ReferentKindInsertionCounsellor:
			counsellor = a.StaffMemberKey
		}
	}
	load := func(key string) (*model.StaffMember, error) {
		if key == "" {
			return nil, nil
		}
		m, err := loadersFrom(ctx).StaffMember.Load(ctx, key)
		return found(m, m.Key), err
	}
	var err error
	if out.SocialWorker, err = load(socialWorker); err != nil {
		return nil, err
	}
	if out.InsertionCounsellor, err = load(counsellor); err != nil {
		return nil, err
	}
	return out, nil
}

// selectsReferent reports whether a selection of Referents may ask for a staff member
// (a fragment may: it is not looked into).
func selectsReferent(set ast.SelectionSet) bool {
	for _, sel := range set {
		f, ok := sel.(*ast.Field)
		if !ok || f.Name == "socialWorker" || f.Name == "insertionCounsellor" {
			return true
		}
	}
	return false
}
