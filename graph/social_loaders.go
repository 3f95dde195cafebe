package graph

import (
	"context"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// socialLoaders batch the nested reads of beneficiaries: each loads, for all the
// beneficiaries asked at one level of the query, in one statement in the caller's scope.
type socialLoaders struct {
	Beneficiary      *dataloadgen.Loader[string, model.Beneficiary]
	CollectiveAction *dataloadgen.Loader[string, model.CollectiveAction]
	Household        *dataloadgen.Loader[string, []model.HouseholdMember]
	Convocations     *dataloadgen.Loader[string, []model.Convocation]
	Referents        *dataloadgen.Loader[string, []model.ReferentAssignment]
	Interviews       *dataloadgen.Loader[string, []model.Interview]
	LastInterview    *dataloadgen.Loader[string, []model.Interview]
	Diagnostic       *dataloadgen.Loader[string, []model.AxisAssessment]
	Plan             *dataloadgen.Loader[string, []model.Objective]
	Contract         *dataloadgen.Loader[string, []model.EngagementContract]
	Housing          *dataloadgen.Loader[string, []model.HousingProposal]
	RightsSteps      *dataloadgen.Loader[string, []model.RightsStep]
	Accessibility    *dataloadgen.Loader[string, []model.Accessibility]
	Evaluations      *dataloadgen.Loader[string, []model.Evaluation]
	Exits            *dataloadgen.Loader[string, []model.JourneyExit]
	FollowUps        *dataloadgen.Loader[string, []model.FollowUp]
	Reintegrations   *dataloadgen.Loader[string, []model.Reintegration]
	Alerts           *dataloadgen.Loader[string, []model.Alert]
	Timeline         *dataloadgen.Loader[string, []model.TimelineEvent]
	Registrations    *dataloadgen.Loader[string, []model.CollectiveActionRegistration]

	// prefetch names, per field of Beneficiary, how to fill its loader for a whole page
	// at once (see primeBeneficiaries).
	prefetch map[string]func(ctx context.Context, keys []string) error
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

func newSocialLoaders(store *db.Store) *socialLoaders {
	l := &socialLoaders{
		Beneficiary: newLoader(func(ctx context.Context, keys []string) ([]model.Beneficiary, error) {
			return store.BeneficiariesByKeys(ctx, model.PrincipalFrom(ctx), keys)
		}),
		CollectiveAction: newLoader(func(ctx context.Context, keys []string) ([]model.CollectiveAction, error) {
			return store.CollectiveActionsByKeys(ctx, model.PrincipalFrom(ctx), keys)
		}),
	}
	l.prefetch = map[string]func(context.Context, []string) error{}
	group(&l.Household, l, "household", store.HouseholdByBeneficiaries)
	group(&l.Convocations, l, "convocations", store.ConvocationsByBeneficiaries)
	group(&l.Referents, l, "referents", store.ReferentsByBeneficiaries)
	group(&l.Interviews, l, "interviews", store.InterviewsByBeneficiaries)
	group(&l.LastInterview, l, "lastInterview", store.LastInterviewByBeneficiaries)
	group(&l.Diagnostic, l, "diagnostic", store.DiagnosticByBeneficiaries)
	group(&l.Plan, l, "plan", store.PlanByBeneficiaries)
	group(&l.Contract, l, "engagementContract", store.ContractByBeneficiaries)
	group(&l.Housing, l, "housingProposals", store.HousingByBeneficiaries)
	l.prefetch["housingRefusalCount"] = l.prefetch["housingProposals"]
	group(&l.RightsSteps, l, "rightsSteps", store.RightsStepsByBeneficiaries)
	group(&l.Accessibility, l, "accessibility", store.AccessibilityByBeneficiaries)
	group(&l.Evaluations, l, "evaluations", store.EvaluationsByBeneficiaries)
	l.prefetch["evaluationProgress"] = l.prefetch["evaluations"]
	group(&l.Exits, l, "exits", store.ExitsByBeneficiaries)
	group(&l.FollowUps, l, "followUps", store.FollowUpsByBeneficiaries)
	group(&l.Reintegrations, l, "reintegrations", store.ReintegrationsByBeneficiaries)
	// Alerts and timeline take in the professional module's (one statement each more).
	group(&l.Alerts, l, "alerts", joinGroupFetches(alertsLess, store.AlertsByBeneficiaries, store.OrientationAlertsByBeneficiaries))
	group(&l.Timeline, l, "timeline", joinGroupFetches(timelineLess, store.TimelineByBeneficiaries, store.ProfessionalTimelineByBeneficiaries))
	group(&l.Registrations, l, "", store.RegistrationsByActions)
	return l
}

// group makes a loader of lists over a grouped Store method, and registers how to
// prefetch it for a page (field "" registers nothing).
func group[T any](dst **dataloadgen.Loader[string, []T], l *socialLoaders, field string, fetch groupFetch[T]) {
	*dst = newLoader(fetch.lists)
	if field == "" {
		return
	}
	loader := *dst
	l.prefetch[field] = func(ctx context.Context, keys []string) error {
		m, err := fetch(ctx, model.PrincipalFrom(ctx), keys)
		if err != nil {
			return err
		}
		for _, k := range keys {
			v := m[k]
			if v == nil {
				v = []T{}
			}
			loader.Prime(k, v)
		}
		return nil
	}
}

// pageSelections returns the selection sets a connection's resolver is asked for on its
// beneficiaries: under nodes, and under edges.node.
func pageSelections(ctx context.Context) []ast.SelectionSet {
	var sets []ast.SelectionSet
	oc := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "nodes":
			sets = append(sets, f.Selections)
		case "edges":
			for _, e := range graphql.CollectFields(oc, f.Selections, satisfies("BeneficiaryEdge")) {
				if e.Name == "node" {
					sets = append(sets, e.Selections)
				}
			}
		}
	}
	return sets
}

// selectedBeneficiaryFields returns the Beneficiary fields of a page's selection sets
// (pageSelections), by name.
func selectedBeneficiaryFields(ctx context.Context, sets []ast.SelectionSet) map[string]bool {
	selected := map[string]bool{}
	oc := graphql.GetOperationContext(ctx)
	for _, set := range sets {
		for _, g := range graphql.CollectFields(oc, set, satisfies("Beneficiary")) {
			selectField(oc, g, selected)
		}
	}
	return selected
}

// pageWaitFree reports whether every field the page's selection sets ask for resolves
// without waiting, once primeBeneficiaries has made ready the resolvers in ready: then
// the page's rows are marshalled one after the other (marshalRows).
func pageWaitFree(ctx context.Context, sets []ast.SelectionSet, ready map[string]bool) bool {
	oc := graphql.GetOperationContext(ctx)
	for _, set := range sets {
		if !selectionWaitFree(oc, "Beneficiary", set, ready) {
			return false
		}
	}
	return true
}

// selectedFields returns the fields selected on the Beneficiary the current resolver
// returns, by name, as selectedBeneficiaryFields does for a page.
func selectedFields(ctx context.Context) map[string]bool {
	selected := map[string]bool{}
	oc := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFieldsCtx(ctx, satisfies("Beneficiary")) {
		selectField(oc, f, selected)
	}
	return selected
}

// selectField notes f, a field of Beneficiary, in selected, and the nested relations
// primeBeneficiaries reads for the page as well: "orientations.structure" when the
// orientations' structures are asked.
func selectField(oc *graphql.OperationContext, f graphql.CollectedField, selected map[string]bool) {
	selected[f.Name] = true
	if f.Name == "orientations" {
		for _, g := range graphql.CollectFields(oc, f.Selections, satisfies("Orientation")) {
			if g.Name == "structure" {
				selected["orientations.structure"] = true
			}
		}
	}
}

// primeRecord reads the selected relations of one beneficiary, the record the current
// resolver returns (beneficiary(id:), node(id:)), before its fields resolve: they resolve
// one after the other (see tools/gqlgen), and would each wait a loader's window.
func (r *Resolver) primeRecord(ctx context.Context, b model.Beneficiary) (*model.Beneficiary, error) {
	if _, err := r.primeBeneficiaries(ctx, []*model.Beneficiary{&b}, selectedFields(ctx)); err != nil {
		return nil, err
	}
	return &b, nil
}

// primeBeneficiaries fills, for a page of beneficiaries, the loaders of the fields the
// query selects on them (under nodes or edges.node), the social module's and the
// professional module's: one statement per field, whatever the page size, instead of
// relying on loader batching windows. The referents' staff members and the operators
// (structures) are primed too. selected is selectedBeneficiaryFields of the page's field
// (selectedFields of a record's). It returns the resolvers that will answer without
// waiting, by "Type.field" (for pageWaitFree).
func (r *Resolver) primeBeneficiaries(ctx context.Context, page []*model.Beneficiary, selected map[string]bool) (ready map[string]bool, err error) {
	if len(page) == 0 {
		return nil, nil
	}
	l := loadersFrom(ctx)
	keys := make([]string, len(page))
	for i, b := range page {
		keys[i] = b.Key
		b.Preloaded = &model.BeneficiaryRelations{}
		if !b.Partial { // a narrow row must not answer another field's load of this beneficiary
			l.Social.Beneficiary.Prime(b.Key, *b)
		}
	}
	p := model.PrincipalFrom(ctx)
	done := map[string]bool{}
	if selected["referents"] && r.rules.CanRead(p.Role, "Beneficiary", "referents") {
		// The referents and their staff members: one statement.
		assignments, staff, err := r.Store.ReferentsWithStaffByBeneficiaries(ctx, p, keys)
		if err != nil {
			return nil, err
		}
		members := make(map[string]*model.StaffMember, len(staff))
		for k, m := range staff {
			l.StaffMember.Prime(k, m)
			members[k] = &m
		}
		for _, b := range page {
			v := assignments[b.Key]
			if v == nil {
				v = []model.ReferentAssignment{}
			}
			l.Social.Referents.Prime(b.Key, v)
			b.Preloaded.Referents, b.Preloaded.Staff = v, members
		}
		done["referents"] = true
	}
	for name := range selected {
		if done[name] {
			continue
		}
		prefetch, ok := l.Social.prefetch[name]
		if !ok {
			prefetch, ok = l.Professional.prefetch[name]
		}
		if !ok || !r.rules.CanRead(p.Role, "Beneficiary", name) {
			continue
		}
		if err := prefetch(ctx, keys); err != nil {
			return nil, err
		}
		done[name] = true
	}
	// The page's operators (to-one relations), and its orientations' structures when
	// asked: one statement for the page instead of the Structure loader's batching
	// window (one statement per window: about five for a dashboard page).
	var structures []string
	seen := map[string]bool{}
	if selected["orientations.structure"] && done["orientations"] {
		for _, b := range page {
			list, err := l.Professional.Orientations.Load(ctx, b.Key) // primed above: no wait
			if err != nil {
				return nil, err
			}
			for _, o := range list {
				if !seen[o.StructureKey] {
					seen[o.StructureKey] = true
					structures = append(structures, o.StructureKey)
				}
			}
		}
	}
	orientationStructures := structures // the first keys: the orientations'
	operators := false
	for _, f := range []struct {
		field string
		key   func(model.Beneficiary) string
	}{
		{"socialOperator", func(b model.Beneficiary) string { return b.SocialOperatorKey }},
		{"employmentOperator", func(b model.Beneficiary) string { return b.EmploymentOperatorKey }},
	} {
		if !selected[f.field] || !r.rules.CanRead(p.Role, "Beneficiary", f.field) {
			continue
		}
		operators = true
		for _, b := range page {
			if k := f.key(*b); k != "" && !seen[k] {
				seen[k] = true
				structures = append(structures, k)
			}
		}
	}
	byKey := make(map[string]*model.Structure, len(structures))
	if len(structures) > 0 {
		list, err := r.Store.StructuresByKeys(ctx, structures)
		if err != nil {
			return nil, err
		}
		for _, st := range list {
			if st.Key != "" {
				l.Structure.Prime(st.Key, st)
				byKey[st.Key] = &st
			}
		}
	}
	ready = map[string]bool{}
	if operators {
		for _, b := range page {
			b.Preloaded.Operators = true
			b.Preloaded.SocialOperator, b.Preloaded.EmploymentOperator = byKey[b.SocialOperatorKey], byKey[b.EmploymentOperatorKey]
		}
		ready["Beneficiary.socialOperator"], ready["Beneficiary.employmentOperator"] = true, true
	}
	for name := range done {
		ready["Beneficiary."+name] = true
	}
	// The orientations' structures answer from the Structure loader: ready when it holds
	// every one of them (one not read would be loaded, and waited for).
	ready["Orientation.structure"] = selected["orientations.structure"] && done["orientations"]
	for _, k := range orientationStructures {
		if byKey[k] == nil {
			ready["Orientation.structure"] = false
		}
	}
	return ready, nil
}

// activeReferents is the binôme of the assignments list (latest first) with the staff
// members of the active ones, when the selection asks for them: from staff when the
// page read them (Preloaded), from the loader otherwise.
func activeReferents(ctx context.Context, list []model.ReferentAssignment, staff map[string]*model.StaffMember) (*model.Referents, error) {
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
		if staff != nil {
			return staff[key], nil
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
