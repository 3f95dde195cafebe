package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The page-read path (docs/architecture.md). A page of beneficiaries is one statement
// reading a fixed column list (db.Store.Beneficiaries); the relations its query asks
// for on the rows are then read for the whole page, one statement each, and put in the
// request's loaders (Prime): each field resolver is a loader's Load, which answers a
// primed key at once. beneficiary(id:) and node(id:) do the same for their one record.

// relation reads one relation of Beneficiary for the beneficiaries of a page and primes
// the request's loaders with it. f is the field as the query asks for it (its
// selections tell what the relation's own rows are asked for).
type relation func(ctx context.Context, pr *pageRead, f graphql.CollectedField) error

// beneficiaryRelations are the relations of Beneficiary read for a whole page, by field:
// the table a new relation is added to (with its Store batch fetch, its loader, and a
// one-line resolver). A field not in the table is loaded by its resolver as it resolves
// (its loader batches the rows' loads: one statement per batching window).
var beneficiaryRelations = map[string]relation{
	"socialOperator":          structureOf(func(b model.Beneficiary) string { return b.SocialOperatorKey }),
	"employmentOperator":      structureOf(func(b model.Beneficiary) string { return b.EmploymentOperatorKey }),
	"referents":               referentsWithStaff,
	"referral":                byLoader(func(l *Loaders) primer { return l.Social.Referral }),
	"household":               byLoader(func(l *Loaders) primer { return l.Social.Household }),
	"convocations":            byLoader(func(l *Loaders) primer { return l.Social.Convocations }),
	"interviews":              byLoader(func(l *Loaders) primer { return l.Social.Interviews }),
	"lastInterview":           byLoader(func(l *Loaders) primer { return l.Social.LastInterview }),
	"diagnostic":              byLoader(func(l *Loaders) primer { return l.Social.Diagnostic }),
	"plan":                    byLoader(func(l *Loaders) primer { return l.Social.Plan }),
	"engagementContract":      byLoader(func(l *Loaders) primer { return l.Social.Contract }),
	"housingProposals":        byLoader(func(l *Loaders) primer { return l.Social.Housing }),
	"housingRefusalCount":     byLoader(func(l *Loaders) primer { return l.Social.Housing }),
	"rightsSteps":             byLoader(func(l *Loaders) primer { return l.Social.RightsSteps }),
	"accessibility":           byLoader(func(l *Loaders) primer { return l.Social.Accessibility }),
	"evaluations":             byLoader(func(l *Loaders) primer { return l.Social.Evaluations }),
	"evaluationProgress":      byLoader(func(l *Loaders) primer { return l.Social.Evaluations }),
	"exits":                   byLoader(func(l *Loaders) primer { return l.Social.Exits }),
	"followUps":               byLoader(func(l *Loaders) primer { return l.Social.FollowUps }),
	"reintegrations":          byLoader(func(l *Loaders) primer { return l.Social.Reintegrations }),
	"alerts":                  byLoader(func(l *Loaders) primer { return l.Social.Alerts }),
	"timeline":                byLoader(func(l *Loaders) primer { return l.Social.Timeline }),
	"professionalDiagnostic":  byLoader(func(l *Loaders) primer { return l.Professional.Diagnostics }),
	"professionalDiagnostics": byLoader(func(l *Loaders) primer { return l.Professional.Diagnostics }),
	"frenchLevel":             byLoader(func(l *Loaders) primer { return l.Professional.FrenchLevels }),
	"frenchLevels":            byLoader(func(l *Loaders) primer { return l.Professional.FrenchLevels }),
	"orientations":            orientationsWithStructures,
	"openOrientationCount":    byLoader(func(l *Loaders) primer { return l.Professional.OpenCount }),
	"supportActions":          byLoader(func(l *Loaders) primer { return l.Professional.SupportActions }),
	"outcomes":                byLoader(func(l *Loaders) primer { return l.Professional.Outcomes }),
	"inEmploymentOrTraining":  byLoader(func(l *Loaders) primer { return l.Professional.Outcomes }),
}

// primer is a loader that reads its values for keys in one statement and primes itself
// with them (listLoader).
type primer interface {
	prime(ctx context.Context, keys []string) error
}

// byLoader is the relation read by a loader (of lists, listLoader, or of one value per
// key, valueLoader); several fields may share one: it is read once.
func byLoader(loader func(*Loaders) primer) relation {
	return func(ctx context.Context, pr *pageRead, _ graphql.CollectedField) error {
		l := loader(pr.loaders)
		if pr.read[l] {
			return nil
		}
		pr.read[l] = true
		return l.prime(ctx, pr.keys)
	}
}

// structureOf is a structure a beneficiary refers to by key: gathered with the page's
// other structures, read in one statement once every relation is (pageRead.structures).
func structureOf(key func(model.Beneficiary) string) relation {
	return func(_ context.Context, pr *pageRead, _ graphql.CollectedField) error {
		for _, b := range pr.page {
			pr.structure(key(b))
		}
		return nil
	}
}

// referentsWithStaff reads the referent assignments with their staff members (one
// statement) and primes the Referents and StaffMember loaders.
func referentsWithStaff(ctx context.Context, pr *pageRead, _ graphql.CollectedField) error {
	l := pr.loaders
	assignments, staff, err := pr.r.Store.ReferentsWithStaffByBeneficiaries(ctx, pr.principal, pr.keys)
	if err != nil {
		return err
	}
	for k, m := range staff {
		l.StaffMember.Prime(k, m)
	}
	for _, k := range pr.keys {
		v := assignments[k]
		if v == nil {
			v = []model.ReferentAssignment{}
		}
		l.Social.Referents.Prime(k, v)
	}
	return nil
}

// orientationsWithStructures reads the orientations, and gathers their structures with
// the page's others when the query asks for them (Orientation.structure).
func orientationsWithStructures(ctx context.Context, pr *pageRead, f graphql.CollectedField) error {
	m, err := pr.loaders.Professional.Orientations.read(ctx, pr.keys)
	if err != nil || !selects(ctx, f, orientationImplementors, "structure") {
		return err
	}
	for _, k := range pr.keys {
		for _, o := range m[k] {
			pr.structure(o.StructureKey)
		}
	}
	return nil
}

// selects reports whether the selections of f, on an object whose type conditions are
// satisfies, ask for the field name, as the executor collects them.
func selects(ctx context.Context, f graphql.CollectedField, satisfies []string, name string) bool {
	for _, g := range graphql.CollectFields(graphql.GetOperationContext(ctx), f.Selections, satisfies) {
		if g.Name == name {
			return true
		}
	}
	return false
}

// pageRead is the reading of one page's relations.
type pageRead struct {
	r          *Resolver
	loaders    *Loaders
	principal  *model.Principal
	page       []model.Beneficiary
	keys       []string
	read       map[primer]bool // the loaders already read
	structures []string        // the structures to read, in one statement, at the end
	seen       map[string]bool
}

// structure notes that the page refers to the structure key ("" for none).
func (pr *pageRead) structure(key string) {
	if key != "" && !pr.seen[key] {
		pr.seen[key] = true
		pr.structures = append(pr.structures, key)
	}
}

// primePage reads, for the beneficiaries of page, the relations fields ask for
// (beneficiaryRelations, those the caller's role may read), one statement each whatever
// the page's size, and primes the request's loaders with them and with the rows.
func (r *Resolver) primePage(ctx context.Context, page []model.Beneficiary, fields []graphql.CollectedField) error {
	if len(page) == 0 {
		return nil
	}
	pr := &pageRead{r: r, loaders: loadersFrom(ctx), principal: model.PrincipalFrom(ctx), page: page,
		keys: make([]string, len(page)), read: map[primer]bool{}, seen: map[string]bool{}}
	for i, b := range page {
		pr.keys[i] = b.Key
		pr.loaders.Social.Beneficiary.Prime(b.Key, b)
	}
	done := map[string]bool{}
	for _, f := range fields {
		rel, ok := beneficiaryRelations[f.Name]
		if !ok || done[f.Name] || !r.rules.CanRead(pr.principal.Role, "Beneficiary", f.Name) {
			continue
		}
		done[f.Name] = true
		if err := rel(ctx, pr, f); err != nil {
			return err
		}
	}
	if len(pr.structures) == 0 {
		return nil
	}
	list, err := r.Store.StructuresByKeys(ctx, pr.structures)
	if err != nil {
		return err
	}
	for _, st := range list {
		if st.Key != "" {
			pr.loaders.Structure.Prime(st.Key, st)
		}
	}
	return nil
}

// pageFields returns the fields the query asks for on the beneficiaries of the
// connection the current resolver returns (under nodes and edges.node, through
// fragments on Beneficiary or Node), collected as gqlgen's executor collects them.
func pageFields(ctx context.Context) []graphql.CollectedField {
	oc := graphql.GetOperationContext(ctx)
	var fields []graphql.CollectedField
	for _, f := range graphql.CollectFieldsCtx(ctx, beneficiaryConnectionImplementors) {
		switch f.Name {
		case "nodes":
			fields = append(fields, graphql.CollectFields(oc, f.Selections, beneficiaryImplementors)...)
		case "edges":
			for _, e := range graphql.CollectFields(oc, f.Selections, beneficiaryEdgeImplementors) {
				if e.Name == "node" {
					fields = append(fields, graphql.CollectFields(oc, e.Selections, beneficiaryImplementors)...)
				}
			}
		}
	}
	return fields
}

// primeRecord reads the relations asked for on the one beneficiary the current resolver
// returns (beneficiary(id:), node(id:)) as a page does: its fields resolve one after
// the other (Beneficiary's fields are not concurrent, tools/gqlgen) and would each wait
// a loader's batching window.
func (r *Resolver) primeRecord(ctx context.Context, b model.Beneficiary) (*model.Beneficiary, error) {
	if err := r.primePage(ctx, []model.Beneficiary{b}, graphql.CollectFieldsCtx(ctx, beneficiaryImplementors)); err != nil {
		return nil, err
	}
	return &b, nil
}

// structure loads the structure of key, nil for none ("") or one the Store does not
// return.
func structure(ctx context.Context, key string) (*model.Structure, error) {
	if key == "" {
		return nil, nil
	}
	st, err := loadersFrom(ctx).Structure.Load(ctx, key)
	return found(st, st.Key), err
}
