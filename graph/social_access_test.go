package graph_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/demo"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// otherSocialOperator adds a second social operator in the Rhône with a social worker,
// and returns its global id and the worker's principal.
func otherSocialOperator(t *testing.T, env *graphtest.Env) (string, *model.Principal) {
	t.Helper()
	var key string
	if err := env.Store.DB().Get(&key, `INSERT INTO structures (name, agir_role, departments)
		VALUES ('Forum Réfugiés — Lyon', 'SOCIAL_OPERATOR', '{69}') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.DB().Exec(`INSERT INTO staff_members (structure_id, name, email, staff_role)
		VALUES ($1, 'Inès Morel', 'ines.morel@forum.demo.agir.local', 'SOCIAL_WORKER')`, key); err != nil {
		t.Fatal(err)
	}
	return model.GlobalID("Structure", key), principal(t, env, "ines.morel@forum.demo.agir.local")
}

// Scope (DESIGN §6): a worker sees the beneficiaries its structure follows, a
// coordinator its territory, partners and analysts none; a write outside the scope is
// NOT_FOUND and changes nothing.
func TestBeneficiaryScope(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	forum, forumWorker := otherSocialOperator(t, env)
	arslID := refer(t, env, sw, referral("OFII-69-2026-0600"))
	forumID := refer(t, env, coord, with(referral("OFII-69-2026-0601"), "socialOperatorId", forum, "lastName", "Tesfaye"))

	visible := func(p *model.Principal) map[string]bool {
		var d struct {
			Beneficiaries struct{ Nodes []struct{ ID string } }
		}
		env.MustDo(p, `{ beneficiaries(first: 100) { nodes { id } } }`, nil, &d)
		out := map[string]bool{}
		for _, n := range d.Beneficiaries.Nodes {
			out[n.ID] = true
		}
		return out
	}
	t.Run("Lists", func(t *testing.T) {
		if v := visible(coord); !v[arslID] || !v[forumID] {
			t.Fatalf("coordinator sees %v", v)
		}
		if v := visible(sw); !v[arslID] || v[forumID] {
			t.Fatalf("ARSL worker sees %v", v)
		}
		if v := visible(forumWorker); v[arslID] || !v[forumID] {
			t.Fatalf("Forum worker sees %v", v)
		}
		if v := visible(ic); !v[arslID] || !v[forumID] {
			t.Fatalf("ASFEL counsellor sees %v", v)
		}
		isere := *coord
		isere.Departments = []string{"38"}
		if v := visible(&isere); len(v) != 0 {
			t.Fatalf("Isère coordinator sees %v", v)
		}
	})
	t.Run("NodeOutsideScopeIsNull", func(t *testing.T) {
		var d struct{ Node *struct{ ID string } }
		env.MustDo(sw, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": forumID}, &d)
		if d.Node != nil {
			t.Fatal("node outside scope visible")
		}
		env.MustDo(forumWorker, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": forumID}, &d)
		if d.Node == nil {
			t.Fatal("node in scope not visible")
		}
	})
	t.Run("ErrWriteOutsideScope", func(t *testing.T) {
		before := countRows(t, env, `SELECT count(*) FROM convocations`)
		actErr(t, env, sw, "convokeBeneficiary", map[string]any{"beneficiaryId": forumID, "appointmentAt": "2026-03-10T09:00:00+01:00",
			"address": "x"}, "NOT_FOUND", "input", "beneficiaryId")
		if countRows(t, env, `SELECT count(*) FROM convocations`) != before {
			t.Fatal("write outside scope changed something")
		}
	})
	t.Run("ErrReferOutsideOwnStructure", func(t *testing.T) {
		actErr(t, env, sw, "referBeneficiary", with(referral("OFII-69-2026-0602"), "socialOperatorId", forum), "FORBIDDEN", "input", "department")
	})
	for _, role := range []model.Role{model.RolePartnerEditor, model.RoleAnalyst, model.RoleAdmin} {
		t.Run("ErrNoBeneficiaryFor_"+string(role), func(t *testing.T) {
			p := demoPrincipal(t, env, role)
			r := env.Do(p, `{ beneficiaries(first: 5) { totalCount } }`, nil)
			if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
				t.Fatalf("%s: %+v", role, r.Errors)
			}
			var d struct{ Node *struct{ ID string } }
			env.MustDo(p, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": arslID}, &d)
			if d.Node != nil {
				t.Fatalf("%s sees a beneficiary through node", role)
			}
			forbidden(t, env, p, "referBeneficiary", referral("OFII-69-2026-0699"))
		})
	}
}

// Notes and health (DESIGN §1, §6): private notes only for the author's structure,
// health data not for the insertion counsellor.
func TestConfidentiality_NotesAndHealth(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	ic := demoPrincipal(t, env, model.RoleInsertionCounsellor)
	id := refer(t, env, sw, referral("OFII-69-2026-0700"))
	welcome(t, env, sw, id, "2026-03-02")
	mustAct(t, env, sw, "recordInterview", map[string]any{"beneficiaryId": id, "kind": "SOCIAL", "medium": "IN_PERSON",
		"plannedAt": "2026-03-02T11:00:00+01:00", "status": "HELD", "sharedNote": "Dossier CAF déposé.",
		"privateNote": "Violences conjugales évoquées."}, "interview { id }")
	mustAct(t, env, sw, "recordDiagnostic", map[string]any{"beneficiaryId": id, "axes": []any{
		map[string]any{"axis": "RIGHTS", "situation": "a"}, map[string]any{"axis": "HOUSING", "situation": "b"},
		map[string]any{"axis": "EMPLOYMENT", "situation": "c"}, map[string]any{"axis": "TRAINING", "situation": "d"},
		map[string]any{"axis": "HEALTH", "situation": "Diabète"}}}, "beneficiary { id }")
	mustAct(t, env, sw, "recordAccessibility", map[string]any{"beneficiaryId": id, "disabilityRecognised": true,
		"recognisedUntil": "2030-01-01", "needs": "Poste adapté", "aidsRequested": []string{"TECHNICAL"}, "version": 0,
		"disabilityReferentId": staffID(t, env, "elodie.marchand@arsl.demo.agir.local")}, "beneficiary { id }")

	t.Run("AuthorStructureReadsPrivateNote", func(t *testing.T) {
		b := get(t, env, sw, id, "interviews { kind privateNote } accessibility { disabilityRecognised disabilityReferent { name } aidsRequested } diagnostic { health { situation } }")
		ivs := b["interviews"].([]any)
		if ivs[0].(map[string]any)["privateNote"] != "Violences conjugales évoquées." {
			t.Fatalf("interviews %+v", ivs)
		}
		acc := b["accessibility"].(map[string]any)
		if acc["disabilityReferent"].(map[string]any)["name"] != "Élodie Marchand" {
			t.Fatalf("accessibility %+v", acc)
		}
	})
	t.Run("CounsellorReadsSharedNotPrivate", func(t *testing.T) {
		b := get(t, env, ic, id, "interviews { kind sharedNote privateNote }")
		iv := b["interviews"].([]any)[0].(map[string]any)
		if iv["sharedNote"] != "Dossier CAF déposé." || iv["privateNote"] != nil {
			t.Fatalf("counsellor reads %+v", iv)
		}
		var node struct{ Node map[string]any }
		env.MustDo(ic, `query($id: ID!) { beneficiary(id: $id) { lastInterview { privateNote } } }`, map[string]any{"id": id}, &node)
	})
	t.Run("ErrCounsellorHealth", func(t *testing.T) {
		r := env.Do(ic, `query($id: ID!) { beneficiary(id: $id) { diagnostic { housing { situation } health { situation } } accessibility { needs } } }`, map[string]any{"id": id})
		if len(r.Errors) != 2 || strings.Contains(string(r.Data), "Diabète") || strings.Contains(string(r.Data), "Poste adapté") ||
			!strings.Contains(string(r.Data), `"situation":"b"`) {
			t.Fatalf("counsellor read health: %s %+v", r.Data, r.Errors)
		}
	})
	t.Run("ErrAccessibilityStale", func(t *testing.T) {
		actErr(t, env, sw, "recordAccessibility", map[string]any{"beneficiaryId": id, "disabilityRecognised": false, "version": 0}, "VERSION_CONFLICT")
	})
}

// Registration never exceeds capacity, even under concurrent requests (DESIGN §5).
func TestCollectiveAction_ConcurrentRegistrationsNeverOverbook(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = refer(t, env, coord, with(referral(fmt.Sprintf("OFII-69-2026-1%03d", i)), "firstName", fmt.Sprintf("Personne%d", i)))
	}
	p := mustAct(t, env, coord, "scheduleCollectiveAction", map[string]any{"theme": "Atelier CV", "department": "69",
		"startsAt": "2026-03-20T14:00:00+01:00", "place": "Maison de l'emploi, Lyon 3e", "capacity": 5,
		"facilitatorIds": []string{staffID(t, env, "insertion_counsellor@demo.agir.local")}}, "collectiveAction { id capacity remainingPlaces facilitators { name } }")
	action := p["collectiveAction"].(map[string]any)
	var ok, full atomic.Int32
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ues := act(t, env, coord, "registerForCollectiveAction", map[string]any{"collectiveActionId": action["id"], "beneficiaryId": id}, "collectiveAction { id }")
			switch {
			case len(ues) == 0:
				ok.Add(1)
			case ues[0].Code == "CAPACITY_REACHED":
				full.Add(1)
			default:
				t.Errorf("unexpected %+v", ues)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 5 || full.Load() != 15 {
		t.Fatalf("%d registered, %d refused", ok.Load(), full.Load())
	}
	if n := countRows(t, env, `SELECT count(*) FROM collective_action_registrations`); n != 5 {
		t.Fatalf("%d registrations in the database", n)
	}
	var d struct {
		CollectiveActions struct {
			TotalCount int
			Nodes      []struct {
				RemainingPlaces int
				RegisteredCount int
				Registrations   []struct{ Beneficiary struct{ ID string } }
			}
		}
	}
	env.MustDo(coord, `{ collectiveActions(first: 10, filter: {department: "69"}) { totalCount nodes { remainingPlaces registeredCount registrations { beneficiary { id } } } } }`, nil, &d)
	if d.CollectiveActions.TotalCount != 1 || d.CollectiveActions.Nodes[0].RemainingPlaces != 0 || len(d.CollectiveActions.Nodes[0].Registrations) != 5 {
		t.Fatalf("actions %+v", d)
	}
	t.Run("ErrAttendanceBeforeStart", func(t *testing.T) {
		reg := d.CollectiveActions.Nodes[0].Registrations[0].Beneficiary.ID
		_, ues := act(t, env, coord, "recordAttendance", map[string]any{"collectiveActionId": action["id"], "beneficiaryId": reg, "attended": true}, "")
		if len(ues) != 1 || ues[0].Code != "OUT_OF_ORDER" {
			t.Fatalf("%+v", ues)
		}
		setToday(env, "2026-03-21")
		mustAct(t, env, coord, "recordAttendance", map[string]any{"collectiveActionId": action["id"], "beneficiaryId": reg, "attended": true}, "collectiveAction { id }")
	})
	t.Run("ErrCapacityOutOfRange", func(t *testing.T) {
		actErr(t, env, coord, "scheduleCollectiveAction", map[string]any{"theme": "x", "department": "69", "startsAt": "2026-03-20T14:00:00+01:00",
			"place": "y", "capacity": 0}, "OUT_OF_RANGE", "input", "capacity")
	})
	t.Run("ErrDepartmentOutsideTerritory", func(t *testing.T) {
		actErr(t, env, coord, "scheduleCollectiveAction", map[string]any{"theme": "x", "department": "75", "startsAt": "2026-03-20T14:00:00+01:00",
			"place": "y", "capacity": 3}, "FORBIDDEN", "input", "department")
	})
}

// Nested reads cost a fixed number of statements whatever the page size (STYLE 7), the
// professional module's fields included.
func TestBeneficiaries_NestedReadsCostFixedStatements(t *testing.T) {
	env, counter := countedDemoEnv(t)
	clearSocialDemo(t, env)
	coverDepartments(t, env)
	setToday(env, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	swID := staffID(t, env, "social_worker@demo.agir.local")
	icID := staffID(t, env, "insertion_counsellor@demo.agir.local")
	mission := model.GlobalID("Structure", structureKeyNamed(t, env, "Mission locale"))
	for i := 0; i < 50; i++ {
		id := refer(t, env, coord, with(referral(fmt.Sprintf("OFII-69-2026-2%03d", i)), "lastName", fmt.Sprintf("Nom%02d", i)))
		mustAct(t, env, coord, "assignReferents", map[string]any{"beneficiaryId": id, "socialWorkerId": swID, "insertionCounsellorId": icID}, "beneficiary { id }")
		mustAct(t, env, coord, "convokeBeneficiary", map[string]any{"beneficiaryId": id, "appointmentAt": "2026-03-10T09:30:00+01:00", "address": "ARSL"}, "beneficiary { id }")
		mustAct(t, env, coord, "recordFrenchLevel", map[string]any{"beneficiaryId": id, "level": "A1", "assessedOn": "2026-03-02", "source": "OFII_CIR_TEST"}, "frenchLevel { id }")
		mustAct(t, env, coord, "recordConsent", map[string]any{"beneficiaryId": id, "kind": "SHARE_WITH_PARTNERS", "scope": "Partenaires de l'orientation"}, "beneficiary { id }")
		if _, ue := orient(t, env, coord, map[string]any{"beneficiaryId": id, "kind": "JOB_SEARCH_SUPPORT", "structureId": mission, "purpose": "Recherche d'emploi"}); ue.code() != "" {
			t.Fatalf("orient: %+v", ue)
		}
		if i%10 == 0 {
			mustAct(t, env, coord, "recordOutcome", map[string]any{"beneficiaryId": id, "kind": "FRANCE_TRAVAIL_REGISTRATION", "startsOn": "2026-03-02"}, "outcome { id }")
		}
	}
	setToday(env, "2026-04-02") // every welcome interview is overdue, every orientation unanswered
	query := `query($n: Int!) { beneficiaries(first: $n, orderBy: {field: NAME, direction: ASC}) { totalCount
		edges { cursor node { id lastName phase referents { socialWorker { name } insertionCounsellor { name } }
		lastInterview { kind status plannedAt } alerts { kind since }
		frenchLevel { level } orientations { status overdue } outcomes { kind } } } } }`
	count := func(n int) int64 {
		var d struct {
			Beneficiaries struct {
				Edges []struct {
					Node struct {
						LastName      string
						Referents     struct{ SocialWorker, InsertionCounsellor struct{ Name string } }
						LastInterview struct{ Kind string }
						Alerts        []struct{ Kind string }
						FrenchLevel   *struct{ Level string }
						Orientations  []struct{ Overdue bool }
						Outcomes      []struct{ Kind string }
					}
				}
			}
		}
		// Objects read and entries written: one entry lists the page (department 69, the
		// same fields on every row).
		var mark int64
		_ = env.Store.DB().Get(&mark, `SELECT coalesce(max(id), 0) FROM audit_log`)
		before := counter.start()
		env.MustDo(coord, query, map[string]any{"n": n}, &d)
		used, statements := counter.since(before)
		var audited struct{ Entries, Objects int }
		_ = env.Store.DB().Get(&audited, `SELECT count(*) AS entries, coalesce(sum(greatest(cardinality(entity_ids), 1)), 0) AS objects
			FROM audit_log WHERE action = 'read' AND id > $1`, mark)
		if audited.Objects != n || audited.Entries != 1 {
			t.Fatalf("page of %d: %d reads audited in %d entries", n, audited.Objects, audited.Entries)
		}
		if len(d.Beneficiaries.Edges) != n {
			t.Fatalf("page of %d: %d edges", n, len(d.Beneficiaries.Edges))
		}
		for _, e := range d.Beneficiaries.Edges {
			var i int
			fmt.Sscanf(e.Node.LastName, "Nom%d", &i)
			alerts := map[string]bool{}
			for _, a := range e.Node.Alerts {
				alerts[a.Kind] = true
			}
			if e.Node.Referents.SocialWorker.Name != "Karim Benali" || e.Node.LastInterview.Kind != "WELCOME" ||
				!alerts["WELCOME_INTERVIEW_OVERDUE"] || !alerts["ORIENTATION_UNANSWERED"] ||
				e.Node.FrenchLevel == nil || e.Node.FrenchLevel.Level != "A1" ||
				len(e.Node.Orientations) != 1 || !e.Node.Orientations[0].Overdue || len(e.Node.Outcomes) != map[bool]int{true: 1}[i%10 == 0] {
				t.Fatalf("node %+v", e.Node)
			}
		}
		t.Logf("page of %d: %d statements:\n%s", n, used, strings.Join(statements, "\n"))
		return used
	}
	// The page and its count, referents and their staff members, the last interview,
	// the alerts (the social ones and the orientations'), the French level, the
	// orientations, the outcomes (10); the audit of the last names read, one entry for the
	// page (at most 4: lock, last hash, canonical changes when not built in Go, COPY).
	const bound = 14
	small, large := count(5), count(50)
	if small != large || small > bound {
		t.Fatalf("statements: %d for 5, %d for 50 (at most %d)", small, large, bound)
	}
	t.Logf("%d statements for a page of 5 or 50", small)
}

// statementLog is a db.StatementObserver that counts the statements of a pool and keeps
// the first line of each, so that a test over the bound says which ones ran.
// countedDemoEnv is the demo territory on a Store whose statements are logged.
func countedDemoEnv(t *testing.T) (*graphtest.Env, *statementLog) {
	counter := &statementLog{}
	env := graphtest.NewWithOptions(t, db.Options{MaxOpenConns: 10, Observer: counter})
	if _, err := demoLoad(env); err != nil {
		t.Fatal(err)
	}
	return env, counter
}

type statementLog struct {
	mu         sync.Mutex
	statements []string
}

func (l *statementLog) StatementStart(_ context.Context, query string) func(error) {
	first := strings.TrimSpace(query)
	if i := strings.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	l.mu.Lock()
	l.statements = append(l.statements, first)
	l.mu.Unlock()
	return func(error) {}
}

// start returns the number of statements so far.
func (l *statementLog) start() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.statements)
}

// since returns the number and first lines of the statements run after start's mark.
func (l *statementLog) since(mark int) (int64, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(len(l.statements) - mark), append([]string(nil), l.statements[mark:]...)
}

func demoLoad(env *graphtest.Env) (bool, error) {
	return demo.Load(context.Background(), env.Store)
}

// node(id:) on every node type of the module applies the caller's scope.
func TestNode_SocialTypesApplyScope(t *testing.T) {
	env := socialEnv(t, "2026-03-02")
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	partner := demoPrincipal(t, env, model.RolePartnerEditor)
	forum, forumWorker := otherSocialOperator(t, env)
	id := refer(t, env, coord, with(referral("OFII-69-2026-0800"), "socialOperatorId", forum))
	welcome(t, env, coord, id, "2026-03-02")
	mustAct(t, env, coord, "addHouseholdMember", map[string]any{"beneficiaryId": id, "relationship": "SPOUSE", "firstName": "Reza",
		"lastName": "Haïdari", "birthDate": "1985-01-01", "sex": "MALE", "nationality": "afghane"}, "householdMember { id }")
	mustAct(t, env, coord, "addPlanAction", map[string]any{"beneficiaryId": id, "axis": "HOUSING", "objectiveTitle": "Logement autonome",
		"title": "Demande de logement social"}, "planAction { id }")
	mustAct(t, env, coord, "recordHousingProposal", map[string]any{"beneficiaryId": id, "proposedOn": "2026-03-02", "offer": "T2 Lyon 7e"}, "housingProposal { id }")
	a := mustAct(t, env, coord, "scheduleCollectiveAction", map[string]any{"theme": "Atelier logement", "department": "69",
		"startsAt": "2026-03-20T14:00:00+01:00", "place": "Lyon", "capacity": 10}, "collectiveAction { id }")
	b := get(t, env, coord, id, "household { id } interviews { id } plan { objectives { id actions { id } } } housingProposals { id }")
	objective := b["plan"].(map[string]any)["objectives"].([]any)[0].(map[string]any)
	ids := map[string]string{
		"Beneficiary":      id,
		"HouseholdMember":  b["household"].([]any)[0].(map[string]any)["id"].(string),
		"Interview":        b["interviews"].([]any)[0].(map[string]any)["id"].(string),
		"Objective":        objective["id"].(string),
		"PlanAction":       objective["actions"].([]any)[0].(map[string]any)["id"].(string),
		"HousingProposal":  b["housingProposals"].([]any)[0].(map[string]any)["id"].(string),
		"CollectiveAction": a["collectiveAction"].(map[string]any)["id"].(string),
	}
	for typ, nid := range ids {
		t.Run(typ, func(t *testing.T) {
			var d struct{ Node *struct{ ID string } }
			env.MustDo(forumWorker, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": nid}, &d)
			if d.Node == nil || d.Node.ID != nid {
				t.Fatalf("%s not visible in scope", typ)
			}
			env.MustDo(partner, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": nid}, &d)
			if d.Node != nil {
				t.Fatalf("%s visible to a partner", typ)
			}
			if typ == "CollectiveAction" {
				return // the workshop belongs to the territory, not to a caseload
			}
			env.MustDo(sw, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": nid}, &d)
			if d.Node != nil {
				t.Fatalf("%s visible outside the caseload", typ)
			}
		})
	}
}
