package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The beneficiary list: filters, name search ignoring accents and case, orders and
// keyset pagination with totalCount.
func TestBeneficiaries_FiltersOrderAndPages(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	names := []string{"Haïdari", "Tesfaye", "Ahmadi", "Öztürk", "Berhane", "Nazari", "Sultani"}
	ids := map[string]string{}
	for i, n := range names {
		in := with(referral(fmt.Sprintf("OFII-2026-3%03d", i)), "lastName", n, "referredOn", fmt.Sprintf("2026-02-%02d", 20+i))
		if i%2 == 1 {
			in = with(in, "protectionType", "SUBSIDIARY_PROTECTION", "department", "38")
		}
		ids[n] = refer(t, env, coord, in)
	}
	welcome(t, env, sw, ids["Ahmadi"], "2026-03-02")
	mustAct(t, env, coord, "assignReferents", map[string]any{"beneficiaryId": ids["Nazari"],
		"socialWorkerId": staffID(t, env, "amina.diallo@arsl.demo.agir.local")}, "beneficiary { id }")

	type page struct {
		Beneficiaries struct {
			TotalCount int
			Nodes      []struct{ ID, LastName string }
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	list := func(args string) page {
		var d page
		env.MustDo(coord, `{ beneficiaries(`+args+`) { totalCount nodes { id lastName } pageInfo { hasNextPage endCursor } } }`, nil, &d)
		return d
	}
	for _, tc := range []struct {
		name, args string
		want       []string
	}{
		{"SearchIgnoresAccentsAndCase", `filter: {search: "HAIDA"}`, []string{"Haïdari"}},
		{"SearchUmlaut", `filter: {search: "ozt"}`, []string{"Öztürk"}},
		{"Department", `filter: {department: "38"}, orderBy: {field: NAME, direction: ASC}`, []string{"Nazari", "Öztürk", "Tesfaye"}},
		{"ProtectionType", `filter: {protectionType: SUBSIDIARY_PROTECTION}, orderBy: {field: NAME, direction: DESC}`, []string{"Tesfaye", "Öztürk", "Nazari"}},
		{"Phase", `filter: {phases: [WELCOMED]}`, []string{"Ahmadi"}},
		{"Referent", fmt.Sprintf(`filter: {referentId: %q}`, staffID(t, env, "amina.diallo@arsl.demo.agir.local")), []string{"Nazari"}},
		{"ReferredPeriod", `filter: {referredFrom: "2026-02-21", referredTo: "2026-02-22"}, orderBy: {field: REFERRED_ON, direction: ASC}`, []string{"Tesfaye", "Ahmadi"}},
		{"AlertWelcomeOverdueNone", `filter: {alert: WELCOME_INTERVIEW_OVERDUE}`, nil},
		{"UnknownStructureMatchesNothing", `filter: {structureId: "bm9wZQ"}`, nil},
		{"JourneyEndOrder", `filter: {department: "69"}, orderBy: {field: JOURNEY_ENDS_ON, direction: ASC}`, []string{"Haïdari", "Berhane", "Sultani", "Ahmadi"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := list(tc.args)
			if d.Beneficiaries.TotalCount != len(tc.want) || len(d.Beneficiaries.Nodes) != len(tc.want) {
				t.Fatalf("got %+v, want %v", d.Beneficiaries.Nodes, tc.want)
			}
			for i, n := range d.Beneficiaries.Nodes {
				if n.LastName != tc.want[i] {
					t.Fatalf("got %+v, want %v", d.Beneficiaries.Nodes, tc.want)
				}
			}
		})
	}
	t.Run("Structure", func(t *testing.T) {
		var me struct {
			Structures struct{ Nodes []struct{ ID string } }
		}
		env.MustDo(coord, `{ structures(filter: {agirRole: EMPLOYMENT_OPERATOR}) { nodes { id } } }`, nil, &me)
		d := list(fmt.Sprintf(`filter: {structureId: %q}`, me.Structures.Nodes[0].ID))
		if d.Beneficiaries.TotalCount != len(names) {
			t.Fatalf("followed by ASFEL: %d", d.Beneficiaries.TotalCount)
		}
	})
	t.Run("KeysetPagesCoverAllOnce", func(t *testing.T) {
		seen := map[string]bool{}
		after := ""
		for i := 0; i < 10; i++ {
			args := `first: 3, orderBy: {field: NAME, direction: ASC}`
			if after != "" {
				args += fmt.Sprintf(", after: %q", after)
			}
			d := list(args)
			if d.Beneficiaries.TotalCount != len(names) {
				t.Fatalf("totalCount %d", d.Beneficiaries.TotalCount)
			}
			for _, n := range d.Beneficiaries.Nodes {
				if seen[n.ID] {
					t.Fatalf("%s twice", n.LastName)
				}
				seen[n.ID] = true
			}
			if !d.Beneficiaries.PageInfo.HasNextPage {
				break
			}
			after = d.Beneficiaries.PageInfo.EndCursor
		}
		if len(seen) != len(names) {
			t.Fatalf("seen %d of %d", len(seen), len(names))
		}
	})
	t.Run("AlertFilterAfterDelay", func(t *testing.T) {
		setToday(env, "2026-03-21") // CIR signed 2026-02-20: welcome due 2026-03-20
		d := list(`filter: {alert: WELCOME_INTERVIEW_OVERDUE}`)
		if d.Beneficiaries.TotalCount != len(names)-1 {
			t.Fatalf("overdue %+v", d.Beneficiaries)
		}
		b := get(t, env, coord, ids["Tesfaye"], "welcomeInterviewLate alerts { kind dueOn message }")
		if b["welcomeInterviewLate"] != true || b["alerts"].([]any)[0].(map[string]any)["dueOn"] != "2026-03-20" {
			t.Fatalf("late %+v", b)
		}
	})
	t.Run("ErrPageTooLarge", func(t *testing.T) {
		r := env.Do(coord, `{ beneficiaries(first: 101) { totalCount } }`, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "OUT_OF_RANGE" {
			t.Fatalf("%+v", r.Errors)
		}
	})
}

// A page's answers do not depend on the other fields asked with them (here a resolver
// reading other columns of the row).
func TestBeneficiaries_NarrowPageAnswersAsTheFullRow(t *testing.T) {
	env := demoEnv(t) // 20 journeys in every phase
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	const fields = `id version firstName lastName birthDate sex nationality languages phone email address department
		protectionType protectionGrantedOn cirSignedOn phase journeyStartsOn journeyEndsOn welcomeInterviewDueOn
		convocationStatus socialOperator { name } employmentOperator { name }
		referents { socialWorker { name } insertionCounsellor { name } }
		lastInterview { kind status plannedAt } interviews { kind } alerts { kind dueOn } household { firstName }
		convocations { appointmentAt } diagnostic { housing { situation } } plan { objectives { title } }
		orientations { status structure { name } } supportActions { kind } outcomes { kind } inEmploymentOrTraining
		frenchLevel { level } frenchLevels { level }`
	type page struct {
		Beneficiaries struct{ Nodes []map[string]any }
	}
	for _, order := range []string{"REFERRED_ON", "NAME", "JOURNEY_ENDS_ON"} {
		var narrow, full page
		env.MustDo(coord, `{ beneficiaries(first: 20, orderBy: {field: `+order+`, direction: ASC}) { nodes { `+fields+` } } }`, nil, &narrow)
		// welcomeInterviewLate is a resolver reading other columns: the page reads them all
		env.MustDo(coord, `{ beneficiaries(first: 20, orderBy: {field: `+order+`, direction: ASC}) { nodes { `+fields+` welcomeInterviewLate } } }`, nil, &full)
		if len(narrow.Beneficiaries.Nodes) < 10 || len(narrow.Beneficiaries.Nodes) != len(full.Beneficiaries.Nodes) {
			t.Fatalf("%s: %d and %d nodes", order, len(narrow.Beneficiaries.Nodes), len(full.Beneficiaries.Nodes))
		}
		for i, n := range narrow.Beneficiaries.Nodes {
			f := full.Beneficiaries.Nodes[i]
			delete(f, "welcomeInterviewLate")
			if a, b := fmt.Sprint(n), fmt.Sprint(f); a != b {
				t.Fatalf("%s, node %d:\nnarrow %s\nfull   %s", order, i, a, b)
			}
			if n["firstName"] == "" || n["birthDate"] == nil || n["socialOperator"] == nil {
				t.Fatalf("%s, node %d lacks values: %v", order, i, n)
			}
		}
	}
}

// TestBeneficiaries_FragmentOnNodeAnswersAsTheFields: a page's fields asked through a
// fragment on Node (an interface of Beneficiary) are read as the same fields asked
// directly: what the page reads for all its rows sees them, as the executor does.
func TestBeneficiaries_FragmentOnNodeAnswersAsTheFields(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	const fields = `lastName birthDate socialOperator { name } referents { socialWorker { name } }
		orientations { status structure { name } } consents { kind }`
	type page struct {
		Beneficiaries struct{ Nodes []map[string]any }
	}
	var direct, fragment page
	env.MustDo(coord, `{ beneficiaries(first: 20) { nodes { id `+fields+` } } }`, nil, &direct)
	env.MustDo(coord, `{ beneficiaries(first: 20) { nodes { id ...N } } } fragment N on Node { ... on Beneficiary { `+fields+` } }`, nil, &fragment)
	if len(direct.Beneficiaries.Nodes) < 10 || len(fragment.Beneficiaries.Nodes) != len(direct.Beneficiaries.Nodes) {
		t.Fatalf("%d nodes, %d through Node", len(direct.Beneficiaries.Nodes), len(fragment.Beneficiaries.Nodes))
	}
	for i, n := range fragment.Beneficiaries.Nodes {
		if a, b := fmt.Sprint(n), fmt.Sprint(direct.Beneficiaries.Nodes[i]); a != b {
			t.Fatalf("node %d:\nthrough Node %s\ndirect       %s", i, a, b)
		}
	}
}

// TestNode_BeneficiaryAnswersAsTheRecord: node(id:) on a beneficiary reads its relations
// before its fields resolve, as beneficiary(id:) does (the same statements: left to the
// loaders, the operators and the referents' staff would each cost one more), and
// answers the same.
func TestNode_BeneficiaryAnswersAsTheRecord(t *testing.T) {
	env, counter := countedDemoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	const fields = `id firstName phase socialOperator { name } employmentOperator { name }
		referents { socialWorker { name } insertionCounsellor { name } } lastInterview { kind status } interviews { kind }
		alerts { kind } household { firstName } orientations { status structure { name } } frenchLevel { level }
		outcomes { kind } plan { objectives { title } }`
	var page struct {
		Beneficiaries struct{ Nodes []struct{ ID string } }
	}
	env.MustDo(coord, `{ beneficiaries(first: 5, filter: {phases: [CONTRACTED]}) { nodes { id } } }`, nil, &page)
	if len(page.Beneficiaries.Nodes) == 0 {
		t.Fatal("no contracted beneficiary in the demo")
	}
	for _, n := range page.Beneficiaries.Nodes {
		var record, node struct {
			Beneficiary map[string]any
			Node        map[string]any
		}
		mark := counter.start()
		env.MustDo(coord, `query($id: ID!) { beneficiary(id: $id) { `+fields+` } }`, map[string]any{"id": n.ID}, &record)
		byRecord, _ := counter.since(mark)
		mark = counter.start()
		env.MustDo(coord, `query($id: ID!) { node(id: $id) { ... on Beneficiary { `+fields+` } } }`, map[string]any{"id": n.ID}, &node)
		byNode, statements := counter.since(mark)
		if a, b := fmt.Sprint(record.Beneficiary), fmt.Sprint(node.Node); a != b || record.Beneficiary["socialOperator"] == nil {
			t.Fatalf("%s:\nrecord %s\nnode   %s", n.ID, a, b)
		}
		if byNode != byRecord {
			t.Fatalf("%s: %d statements through node(id:), %d through beneficiary(id:):\n%s", n.ID, byNode, byRecord, strings.Join(statements, "\n"))
		}
	}
}

// TestNodes_FetchedTogether: nodes(ids:) answers in the order asked, null where the
// caller may not see, and fetches its beneficiaries together (the loader's batch), not
// one batching window after the other.
func TestNodes_FetchedTogether(t *testing.T) {
	env, counter := countedDemoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	var page struct {
		Beneficiaries struct{ Nodes []struct{ ID string } }
	}
	env.MustDo(coord, `{ beneficiaries(first: 30) { nodes { id } } }`, nil, &page)
	ids := []string{model.GlobalID("Beneficiary", "00000000-0000-4000-8000-000000000000")} // no such beneficiary
	for _, n := range page.Beneficiaries.Nodes {
		ids = append(ids, n.ID)
	}
	if len(ids) < 21 {
		t.Fatalf("%d beneficiaries in the demo", len(ids)-1)
	}
	var d struct {
		Nodes []*struct{ ID string }
	}
	mark := counter.start()
	env.MustDo(coord, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Beneficiary { id } } }`, map[string]any{"ids": ids}, &d)
	used, statements := counter.since(mark)
	if len(d.Nodes) != len(ids) || d.Nodes[0] != nil {
		t.Fatalf("%d nodes for %d ids, first %+v", len(d.Nodes), len(ids), d.Nodes[0])
	}
	for i, n := range d.Nodes[1:] {
		if n == nil || n.ID != ids[i+1] {
			t.Fatalf("node %d: %+v, want %s", i+1, n, ids[i+1])
		}
	}
	if used > 3 {
		t.Fatalf("%d statements for %d ids:\n%s", used, len(ids), strings.Join(statements, "\n"))
	}
}
