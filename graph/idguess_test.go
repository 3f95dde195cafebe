package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// territory13 adds a second territory, the Bouches-du-Rhône (13), with its own
// coordination, operators, partner and state service, one account per role, and returns
// their principals. Its structures cover only department 13, so none of its workers
// follows a beneficiary of the demo territory (69, 38) and conversely.
func territory13(t *testing.T, env *graphtest.Env) map[model.Role]*model.Principal {
	t.Helper()
	db := env.Store.DB()
	if _, err := db.Exec(`INSERT INTO covered_departments (code, name, covered_since) VALUES
		('13', 'Bouches-du-Rhône', '2024-01-01'), ('69', 'Rhône', '2024-01-01'), ('38', 'Isère', '2024-01-01')
		ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	structures := map[string]string{}
	for _, s := range []struct{ short, name, role string }{
		{"coord", "Coordination AGIR Bouches-du-Rhône", "COORDINATOR"},
		{"social", "Accueil Provence Réfugiés", "SOCIAL_OPERATOR"},
		{"employment", "Emploi Provence Insertion", "EMPLOYMENT_OPERATOR"},
		{"partner", "Mission locale de Marseille", "LOCAL_PARTNER"},
		{"state", "DDETS des Bouches-du-Rhône", "STATE_SERVICE"},
	} {
		var key string
		if err := db.Get(&key, `INSERT INTO structures (name, agir_role, departments) VALUES ($1, $2, '{13}') RETURNING id`,
			s.name, s.role); err != nil {
			t.Fatal(err)
		}
		structures[s.short] = key
	}
	out := map[model.Role]*model.Principal{}
	for _, m := range []struct {
		role      model.Role
		staffRole string
		structure string
		name      string
	}{
		{model.RoleCoordinator, "COORDINATOR", "coord", "Lucie Arnaud"},
		{model.RoleSocialWorker, "SOCIAL_WORKER", "social", "Samir Bouzid"},
		{model.RoleInsertionCounsellor, "INSERTION_COUNSELLOR", "employment", "Manon Fabre"},
		{model.RolePartnerEditor, "PARTNER_EDITOR", "partner", "Kevin Ollivier"},
		{model.RoleAnalyst, "ANALYST", "coord", "Rachida Amrani"},
		{model.RoleStateRepresentative, "STATE_REPRESENTATIVE", "state", "Bernard Castel"},
		{model.RoleAdmin, "ADMIN", "coord", "Jeanne Roche"},
	} {
		email := string(m.role) + "@13.demo.agir.local"
		if _, err := db.Exec(`INSERT INTO staff_members (structure_id, name, email, staff_role) VALUES ($1, $2, $3, $4)`,
			structures[m.structure], m.name, email, m.staffRole); err != nil {
			t.Fatal(err)
		}
		out[m.role] = principal(t, env, email)
	}
	return out
}

// nodeObject is one object reachable by a global id, with what decides its visibility.
type nodeObject struct {
	typ, key, status string
	owner            string // the owning structure (offers, orientations) or department (needs)
}

func (o nodeObject) id() string { return model.GlobalID(o.typ, o.key) }

// nodeTables lists, per node type, the statement listing its objects (key, status, owner):
// every type implementing Node must be here (the test checks it against introspection).
var nodeTables = map[string]string{
	"Beneficiary":            `SELECT id, '', '' FROM beneficiaries`,
	"HouseholdMember":        `SELECT id, '', '' FROM household_members`,
	"Interview":              `SELECT id, '', '' FROM interviews`,
	"Convocation":            `SELECT id, '', '' FROM convocations`,
	"Objective":              `SELECT id, '', '' FROM objectives`,
	"PlanAction":             `SELECT id, '', '' FROM plan_actions`,
	"HousingProposal":        `SELECT id, '', '' FROM housing_proposals`,
	"CollectiveAction":       `SELECT id, '', department FROM collective_actions`,
	"ProfessionalDiagnostic": `SELECT id, '', '' FROM professional_diagnostics`,
	"FrenchLevel":            `SELECT id, '', '' FROM french_levels`,
	"Orientation":            `SELECT id, '', structure_id::text FROM orientations`,
	"SupportAction":          `SELECT id, '', '' FROM support_actions`,
	"Outcome":                `SELECT id, '', '' FROM outcomes`,
	"Offer":                  `SELECT id, status, structure_id::text FROM offers`,
	"NetworkEvent":           `SELECT id, '', '' FROM network_events`,
	"WorkingGroup":           `SELECT id, '', '' FROM working_groups`,
	"GoodPractice":           `SELECT id, '', '' FROM good_practices`,
	"EmergingNeed":           `SELECT id, '', department FROM emerging_needs`,
	"StaffMember":            `SELECT id, '', '' FROM staff_members`,
	"Structure":              `SELECT id, '', '' FROM structures`,
	"AuditLogEntry":          `SELECT id::text, '', '' FROM audit_log`,
}

// allNodeKeys returns the keys of every object of every node type.
func allNodeKeys(t *testing.T, env *graphtest.Env) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for typ, q := range nodeTables {
		var keys []string
		if err := env.Store.DB().Select(&keys, `SELECT id FROM (`+q+`) x (id, st, ow)`); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		for _, k := range keys {
			out[k] = true
		}
	}
	return out
}

// perType is how many objects of each type (and offer status) are asked: enough to mix
// statuses and parents, few enough for one nodes(ids:) page per principal.
const perType = 6

// nodeObjects lists the objects of every node type, at most perType per (type, status),
// skipping the keys of except.
func nodeObjects(t *testing.T, env *graphtest.Env, except map[string]bool) []nodeObject {
	t.Helper()
	var out []nodeObject
	types := make([]string, 0, len(nodeTables))
	for typ := range nodeTables {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		var rows []struct {
			Key    string `db:"id"`
			Status string `db:"st"`
			Owner  string `db:"ow"`
		}
		if err := env.Store.DB().Select(&rows, `SELECT id, st, ow FROM (`+nodeTables[typ]+`) x (id, st, ow) ORDER BY 2, 1`); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		n := map[string]int{}
		for _, r := range rows {
			if except[r.Key] || n[r.Status] >= perType {
				continue
			}
			n[r.Status]++
			out = append(out, nodeObject{typ: typ, key: r.Key, status: r.Status, owner: r.Owner})
		}
	}
	return out
}

// publicTypes are reachable by any role that may see the type, whatever its territory or
// structure (DESIGN §1): the network's directory (structures, staff) and its animation
// (events, working groups, good practices) are shared by the whole network; an offer is
// public once PUBLISHED (drafts and archives: see reachableAcross).
var publicTypes = map[string]bool{
	"Structure": true, "StaffMember": true, "NetworkEvent": true, "WorkingGroup": true, "GoodPractice": true,
}

// reachableAcross is what a principal of one territory (and its structures) may reach
// among the objects of the other territory: public types its role may see, published
// offers, and every offer for an admin (who reads offers for support, never beneficiary
// data). Everything about a beneficiary, emerging needs (per department) and audit
// entries (not fetchable by id) are out of reach.
func reachableAcross(rules interface {
	CanSee(model.Role, string) bool
}, role model.Role, o nodeObject) bool {
	if !rules.CanSee(role, o.typ) {
		return false
	}
	switch {
	case publicTypes[o.typ]:
		return true
	case o.typ == "Offer":
		return o.status == "PUBLISHED" || role == model.RoleAdmin
	}
	return false
}

// beneficiaryTypes hold data about a beneficiary: the roles without beneficiary data
// (partner editor, analyst, admin) reach none of them, in their own territory too; the
// partner's OrientedPerson is reached only through an orientation of its inbox.
var beneficiaryTypes = map[string]bool{
	"Beneficiary": true, "HouseholdMember": true, "Interview": true, "Objective": true, "PlanAction": true,
	"HousingProposal": true, "CollectiveAction": true, "ProfessionalDiagnostic": true, "FrenchLevel": true,
	"Orientation": true, "SupportAction": true, "Outcome": true,
}

// askNodes asks the ids as p, through nodes(ids:) (in pages) and node(id:) for the first
// object of each type, and returns the ids answered (non-null).
func askNodes(t *testing.T, env *graphtest.Env, p *model.Principal, objs []nodeObject) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for start := 0; start < len(objs); start += model.MaxPageSize {
		end := min(start+model.MaxPageSize, len(objs))
		ids := make([]string, 0, end-start)
		for _, o := range objs[start:end] {
			ids = append(ids, o.id())
		}
		r := env.Do(p, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": ids})
		if len(r.Errors) > 0 {
			t.Fatalf("nodes as %s: %+v", p.Role, r.Errors)
		}
		var d struct {
			Nodes []*struct{ Typename, ID string }
		}
		if err := json.Unmarshal(r.Data, &d); err != nil || len(d.Nodes) != len(ids) {
			t.Fatalf("nodes as %s: %s (%v)", p.Role, r.Data, err)
		}
		for i, n := range d.Nodes {
			if n != nil {
				if n.ID != ids[i] {
					t.Fatalf("nodes as %s: asked %s, got %s", p.Role, ids[i], n.ID)
				}
				got[n.ID] = true
			}
		}
	}
	seen := map[string]bool{}
	for _, o := range objs {
		if seen[o.typ+o.status] {
			continue
		}
		seen[o.typ+o.status] = true
		var d struct{ Node *struct{ ID string } }
		env.MustDo(p, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": o.id()}, &d)
		if (d.Node != nil) != got[o.id()] {
			t.Errorf("%s %s as %s: node(id:) answers %v, nodes(ids:) %v", o.typ, o.status, p.Role, d.Node != nil, got[o.id()])
		}
	}
	return got
}

// TestIDGuessing (issue 7): every role's principal of one territory asks, by global id,
// the objects of every node type of the other territory; it reaches only what is public
// by design, never a beneficiary's data, a draft offer or an emerging need of the other
// territory. Workers of other structures of the same territory reach no beneficiary of
// the structures that follow them, a partner only its own inbox and drafts. The roles
// without beneficiary data reach none in their own territory either.
func TestIDGuessing(t *testing.T) {
	env := demoEnv(t)
	demoObjs := nodeObjects(t, env, nil)
	demoKeys := allNodeKeys(t, env)
	p13 := territory13(t, env)
	setToday(env, "2026-03-02")
	// The territory's own objects, made through the API by its own staff.
	ben := refer(t, env, p13[model.RoleCoordinator], with(referral("OFII-13-2026-0001"), "department", "13",
		"address", "3 rue de la République, 13001 Marseille"))
	mustAct(t, env, p13[model.RoleSocialWorker], "addHouseholdMember", map[string]any{"beneficiaryId": ben, "relationship": "MINOR_CHILD",
		"firstName": "Yasmine", "lastName": "Haïdari", "birthDate": "2015-02-03", "sex": "FEMALE", "nationality": "afghane"}, "householdMember { id }")
	mustAct(t, env, p13[model.RoleSocialWorker], "convokeBeneficiary", map[string]any{"beneficiaryId": ben,
		"appointmentAt": "2026-03-09T09:30:00+01:00", "address": "Accueil Provence Réfugiés, Marseille"}, "beneficiary { id }")
	var partner13 string
	if err := env.Store.DB().Get(&partner13, `SELECT structure_id FROM staff_members WHERE email = $1`, p13[model.RolePartnerEditor].Email); err != nil {
		t.Fatal(err)
	}
	mustAct(t, env, p13[model.RolePartnerEditor], "createOffer", map[string]any{"structureId": model.GlobalID("Structure", partner13),
		"fields": map[string]any{"name": "Atelier CV", "description": "Atelier hebdomadaire de rédaction de CV."}}, "offer { id status }")
	mustAct(t, env, p13[model.RolePartnerEditor], "reportEmergingNeed", map[string]any{"description": "Garde d'enfants pendant les cours de français.",
		"theme": "HEALTH", "department": "13", "beneficiariesConcerned": 4}, "emergingNeed { id }")
	objs13 := nodeObjects(t, env, demoKeys)
	kinds13 := map[string]bool{}
	for _, o := range objs13 {
		kinds13[o.typ+o.status] = true
	}
	for _, k := range []string{"Beneficiary", "HouseholdMember", "Interview", "OfferDRAFT", "EmergingNeed", "StaffMember", "Structure", "AuditLogEntry"} {
		if !kinds13[k] {
			t.Errorf("department 13 has no %s: %v", k, kinds13)
		}
	}

	// Every node type of the schema is covered by nodeTables.
	var d struct {
		Type struct{ PossibleTypes []struct{ Name string } } `json:"__type"`
	}
	env.MustDo(p13[model.RoleCoordinator], `{ __type(name: "Node") { possibleTypes { name } } }`, nil, &d)
	for _, pt := range d.Type.PossibleTypes {
		if _, ok := nodeTables[pt.Name]; !ok {
			t.Errorf("node type %s is not in nodeTables: add it to the id-guessing test", pt.Name)
		}
	}
	have := map[string]bool{}
	for _, o := range append(append([]nodeObject{}, demoObjs...), objs13...) {
		have[o.typ] = true
	}
	for typ := range nodeTables {
		if !have[typ] && typ != "AuditLogEntry" {
			t.Errorf("no %s in the data: the test would prove nothing for it", typ)
		}
	}
	if !have["AuditLogEntry"] {
		t.Error("no audit entry in the data")
	}

	rules := env.Endpoint.Rules
	check := func(t *testing.T, p *model.Principal, objs []nodeObject, want func(nodeObject) bool) {
		got := askNodes(t, env, p, objs)
		for _, o := range objs {
			if got[o.id()] != want(o) {
				t.Errorf("%s %s (%s) as %s of %v: reached=%v, want %v", o.typ, o.key, o.status, p.Role, p.Departments, got[o.id()], want(o))
			}
		}
	}
	for _, r := range model.AllRoles {
		t.Run("Territory13Asks69And38/"+string(r), func(t *testing.T) {
			check(t, p13[r], demoObjs, func(o nodeObject) bool { return reachableAcross(rules, r, o) })
		})
		t.Run("DemoAsks13/"+string(r), func(t *testing.T) {
			check(t, demoPrincipal(t, env, r), objs13, func(o nodeObject) bool { return reachableAcross(rules, r, o) })
		})
	}
	// Within the demo territory, workers of other structures: a social operator and an
	// employment operator that follow none of the demo's beneficiaries, and another
	// partner (GRETA) that reaches only the orientations addressed to it and its drafts.
	t.Run("SameTerritoryOtherStructure", func(t *testing.T) {
		_, forum := otherSocialOperator(t, env)
		var emploi string
		if err := env.Store.DB().Get(&emploi, `INSERT INTO structures (name, agir_role, departments)
			VALUES ('Emploi Solidaire Lyon', 'EMPLOYMENT_OPERATOR', '{69}') RETURNING id`); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.DB().Exec(`INSERT INTO staff_members (structure_id, name, email, staff_role)
			VALUES ($1, 'Hélène Vidal', 'helene.vidal@emploi-solidaire.demo.agir.local', 'INSERTION_COUNSELLOR')`, emploi); err != nil {
			t.Fatal(err)
		}
		counsellor := principal(t, env, "helene.vidal@emploi-solidaire.demo.agir.local")
		greta := principal(t, env, "fatou.ndiaye@greta.demo.agir.local")
		objs := nodeObjects(t, env, nil)
		var gretaInbox []string
		if err := env.Store.DB().Select(&gretaInbox, `SELECT id FROM orientations WHERE structure_id = $1`, greta.StructureID); err != nil {
			t.Fatal(err)
		}
		for _, k := range gretaInbox {
			objs = append(objs, nodeObject{typ: "Orientation", key: k, owner: greta.StructureID})
		}
		for _, p := range []*model.Principal{forum, counsellor, greta} {
			check(t, p, objs, func(o nodeObject) bool {
				switch {
				case !rules.CanSee(p.Role, o.typ):
					return false
				case publicTypes[o.typ]:
					return true
				case o.typ == "Offer":
					return o.status == "PUBLISHED" || o.owner == p.StructureID
				case o.typ == "EmergingNeed" || o.typ == "CollectiveAction":
					// Territory objects: a collective action is open to the workers of its
					// department, who see only the registrations of their own beneficiaries.
					return slices.Contains(p.Departments, o.owner)
				case o.typ == "Orientation":
					return p.Role == model.RolePartnerEditor && o.owner == p.StructureID
				}
				return false
			})
		}
		// The collective actions of the department reached, none of their registrations.
		var actions []string
		for _, o := range objs {
			if o.typ == "CollectiveAction" {
				actions = append(actions, o.id())
			}
		}
		var d struct {
			Nodes []*struct {
				Registrations []struct{ Beneficiary *struct{ ID string } }
			}
		}
		env.MustDo(forum, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on CollectiveAction { registrations { beneficiary { id } } } } }`,
			map[string]any{"ids": actions}, &d)
		seen := 0
		for _, n := range d.Nodes {
			if n != nil {
				seen++
				if len(n.Registrations) > 0 {
					t.Errorf("another structure's worker sees registrations %+v", n.Registrations)
				}
			}
		}
		if seen == 0 || countRows(t, env, `SELECT count(*) FROM collective_action_registrations`) == 0 {
			t.Error("no collective action with registrations reached: the case proves nothing")
		}
		if len(gretaInbox) == 0 {
			t.Error("GRETA has no orientation in the demo: the partner case proves nothing")
		}
	})
	// Within their own territory, the roles without beneficiary data reach none; the
	// partner only the orientations addressed to its structure.
	var inbox []string
	if err := env.Store.DB().Select(&inbox, `SELECT o.id FROM orientations o JOIN staff_members m ON m.structure_id = o.structure_id
		WHERE m.email = $1`, "partner_editor@demo.agir.local"); err != nil {
		t.Fatal(err)
	}
	own := map[string]bool{}
	for _, k := range inbox {
		own[k] = true
	}
	for _, r := range []model.Role{model.RolePartnerEditor, model.RoleAnalyst, model.RoleAdmin} {
		t.Run("OwnTerritoryNoBeneficiaryData/"+string(r), func(t *testing.T) {
			var objs []nodeObject
			for _, o := range demoObjs {
				if beneficiaryTypes[o.typ] {
					objs = append(objs, o)
				}
			}
			for k := range own {
				objs = append(objs, nodeObject{typ: "Orientation", key: k, status: "inbox"})
			}
			check(t, demoPrincipal(t, env, r), objs, func(o nodeObject) bool {
				return r == model.RolePartnerEditor && o.typ == "Orientation" && own[o.key]
			})
		})
	}
	if len(inbox) == 0 {
		t.Error("the demo partner has no orientation in its inbox: the test would prove nothing for it")
	}
	t.Logf("%d demo objects and %d of department 13 asked by %d roles", len(demoObjs), len(objs13), len(model.AllRoles))
}

// selection builds the selection of every field of typ that role may read, nested down
// to depth levels (fields with required arguments left out), with inline fragments for
// the possible types of interfaces.
func selection(types map[string]introType, possible map[string][]string, rules interface {
	CanRead(model.Role, string, string) bool
}, role model.Role, typ string, depth int) string {
	return selectionAs(types, possible, rules, role, typ, depth, false)
}

// selectionAs is selection; aliased prefixes each field with its type (for the inline
// fragments of an interface, whose types may have fields of one name and other types).
func selectionAs(types map[string]introType, possible map[string][]string, rules interface {
	CanRead(model.Role, string, string) bool
}, role model.Role, typ string, depth int, aliased bool) string {
	if ty := types[typ]; ty.Kind == "INTERFACE" || ty.Kind == "UNION" {
		out := "__typename"
		for _, pt := range possible[typ] {
			if s := selectionAs(types, possible, rules, role, pt, depth, true); s != "" {
				out += " ... on " + pt + " { " + s + " }"
			}
		}
		return out
	}
	var out []string
	for _, f := range types[typ].Fields {
		if !rules.CanRead(role, typ, f.Name) || hasRequiredArg(f.Args) {
			continue
		}
		name := f.Name
		if aliased {
			name = typ + "_" + f.Name + ": " + f.Name
		}
		switch namedKind(types, f.Type) {
		case "OBJECT", "INTERFACE", "UNION":
			if depth <= 1 {
				continue
			}
			if s := selection(types, possible, rules, role, namedType(f.Type), depth-1); s != "" {
				out = append(out, name+" { "+s+" }")
			}
		default:
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return fmt.Sprint(joinFields(out))
}

func joinFields(fs []string) string {
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += " "
		}
		s += f
	}
	return s
}

func hasRequiredArg(args []struct {
	Name string
	Type typeRef
}) bool {
	for _, a := range args {
		if a.Type.Kind == "NON_NULL" {
			return true
		}
	}
	return false
}

func namedType(r typeRef) string {
	for r.OfType != nil {
		r = *r.OfType
	}
	return *r.Name
}

// TestPartnerReadsNoBeneficiaryData (issue 7): a partner editor's token reads no
// beneficiary data anywhere in the schema. Statically, the types it can reach from the
// roots hold no beneficiary data but the orientations of its inbox and their
// OrientedPerson (issue 4: the minimum the orientation needs: first name, initial,
// languages, French level); dynamically, every query it may call, with every field it
// may read nested three levels deep (node and nodes asked every demo object), answers
// no beneficiary's full name, OFII reference, phone, e-mail or address.
func TestPartnerReadsNoBeneficiaryData(t *testing.T) {
	env := demoEnv(t)
	pe := demoPrincipal(t, env, model.RolePartnerEditor)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	rules := env.Endpoint.Rules
	types, queryType, mutationType, subscriptionType := introspect(t, func(q string, out any) { env.MustDo(coord, q, nil, out) })
	var pd struct {
		Schema struct {
			Types []struct {
				Name          string
				PossibleTypes []struct{ Name string }
			}
		} `json:"__schema"`
	}
	env.MustDo(coord, `{ __schema { types { name possibleTypes { name } } } }`, nil, &pd)
	possible := map[string][]string{}
	for _, ty := range pd.Schema.Types {
		for _, p := range ty.PossibleTypes {
			possible[ty.Name] = append(possible[ty.Name], p.Name)
		}
	}

	// reach returns the types whose fields role may read, reachable from the roots.
	reach := func(role model.Role, roots ...string) map[string]bool {
		seen := map[string]bool{}
		var walk func(typ string)
		walk = func(typ string) {
			if seen[typ] {
				return
			}
			if k := types[typ].Kind; k == "INTERFACE" || k == "UNION" {
				seen[typ] = true
				for _, pt := range possible[typ] {
					walk(pt)
				}
				return
			}
			readable := false
			for _, f := range types[typ].Fields {
				readable = readable || rules.CanRead(role, typ, f.Name)
			}
			if !readable {
				return
			}
			seen[typ] = true
			for _, f := range types[typ].Fields {
				if rules.CanRead(role, typ, f.Name) {
					if k := namedKind(types, f.Type); k == "OBJECT" || k == "INTERFACE" || k == "UNION" {
						walk(namedType(f.Type))
					}
				}
			}
		}
		for _, r := range roots {
			if r != "" {
				walk(r)
			}
		}
		return seen
	}
	t.Run("Static", func(t *testing.T) {
		// Beneficiary data: what a coordinator reaches from a beneficiary, except what the
		// network shares (what an analyst or an admin, who read no beneficiary data, reach
		// from the roots).
		beneficiaryData := reach(model.RoleCoordinator, "Beneficiary")
		shared := reach(model.RoleAnalyst, queryType, mutationType, subscriptionType)
		for typ := range reach(model.RoleAdmin, queryType, mutationType, subscriptionType) {
			shared[typ] = true
		}
		allowed := map[string]bool{"Orientation": true, "OrientedPerson": true}
		n := 0
		for typ := range reach(model.RolePartnerEditor, queryType, mutationType, subscriptionType) {
			if beneficiaryData[typ] && !shared[typ] {
				n++
				if !allowed[typ] {
					t.Errorf("a partner editor reaches %s, beneficiary data", typ)
				}
			}
		}
		if !beneficiaryData["Interview"] || !beneficiaryData["HouseholdMember"] || !beneficiaryData["Orientation"] {
			t.Fatalf("beneficiary data types not found: %v", beneficiaryData)
		}
		if n != len(allowed) {
			t.Errorf("the partner reaches %d beneficiary data types, want exactly %v", n, allowed)
		}
	})
	t.Run("Dynamic", func(t *testing.T) {
		var secrets []string
		var rows []struct {
			First, Last, Ofii string
			Phone, Email, Adr *string
		}
		if err := env.Store.DB().Select(&rows, `SELECT first_name AS first, last_name AS last, ofii_reference AS ofii,
			phone, email, address AS adr FROM beneficiaries`); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			secrets = append(secrets, r.First+" "+r.Last, r.Last+" "+r.First, r.Ofii)
			for _, s := range []*string{r.Phone, r.Email, r.Adr} {
				if s != nil && len(*s) > 5 {
					secrets = append(secrets, *s)
				}
			}
		}
		var hm []string
		if err := env.Store.DB().Select(&hm, `SELECT first_name || ' ' || last_name FROM household_members`); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, hm...)
		if len(rows) == 0 || len(hm) == 0 {
			t.Fatal("no beneficiary in the demo")
		}
		called := 0
		byType := map[string][]string{}
		for _, o := range nodeObjects(t, env, nil) {
			byType[o.typ] = append(byType[o.typ], o.id())
		}
		for _, f := range types[queryType].Fields {
			if !rules.CanRead(model.RolePartnerEditor, queryType, f.Name) {
				continue
			}
			var answers []string
			switch {
			case f.Name == "nodes" || f.Name == "node":
				// One operation per node type (its fields only), every object of the type.
				for typ, ids := range byType {
					sel := selection(types, possible, rules, model.RolePartnerEditor, typ, 3)
					if sel == "" {
						sel = "__typename"
					}
					if f.Name == "nodes" {
						answers = append(answers, partnerAnswer(t, env, pe, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on `+typ+` { `+sel+` } } }`, map[string]any{"ids": ids}))
						continue
					}
					for _, id := range ids {
						answers = append(answers, partnerAnswer(t, env, pe, `query($id: ID!) { node(id: $id) { __typename ... on `+typ+` { `+sel+` } } }`, map[string]any{"id": id}))
					}
				}
			case hasRequiredArg(f.Args):
				continue // structure(id:), offer(id:): public objects, reached through the lists
			default:
				// Three levels deep, fewer when the operation would cost too much.
				for depth := 3; depth > 0; depth-- {
					op := `{ ` + f.Name
					if sel := selection(types, possible, rules, model.RolePartnerEditor, namedType(f.Type), depth); sel != "" {
						op += ` { ` + sel + ` }`
					}
					r := env.Do(pe, op+` }`, nil)
					if len(r.Errors) > 0 && r.Errors[0].Code() == "COST_LIMIT_EXCEEDED" && depth > 1 {
						continue
					}
					answers = append(answers, partnerAnswer(t, env, pe, op+` }`, nil))
					break
				}
			}
			called++
			for _, a := range answers {
				for _, s := range secrets {
					if containsFold(a, s) {
						t.Errorf("%s answers the partner %q", f.Name, s)
					}
				}
			}
		}
		// The scan is not vacuous: a coordinator's answer holds such values.
		coordAnswer := partnerAnswer(t, env, coord, `{ beneficiaries(first: 100) { nodes { firstName lastName phone email address referral { ofiiReference } } } }`, nil)
		found := 0
		for _, s := range secrets {
			if containsFold(coordAnswer, s) {
				found++
			}
		}
		if found < len(secrets)/4 {
			t.Fatalf("the coordinator's answer holds %d of %d secrets: the scan would prove nothing", found, len(secrets))
		}
		// The partner does see its inbox, with the minimal person.
		var inbox struct {
			Orientations struct {
				Nodes []struct {
					Person struct{ FirstName, LastNameInitial string }
				}
			}
		}
		env.MustDo(pe, `{ orientations(first: 5) { nodes { person { firstName lastNameInitial } } } }`, nil, &inbox)
		if len(inbox.Orientations.Nodes) == 0 || len([]rune(inbox.Orientations.Nodes[0].Person.LastNameInitial)) > 2 {
			t.Fatalf("inbox %+v", inbox)
		}
		t.Logf("%d queries walked, %d secrets looked for", called, len(secrets))
	})
}

// partnerAnswer runs an operation as the partner and returns its data; errors must all
// be FORBIDDEN (a field it may not read), never anything else.
func partnerAnswer(t *testing.T, env *graphtest.Env, p *model.Principal, op string, vars map[string]any) string {
	t.Helper()
	r := env.Do(p, op, vars)
	for _, e := range r.Errors {
		if e.Code() != "FORBIDDEN" {
			t.Fatalf("%s: %+v", op[:min(len(op), 200)], e)
		}
	}
	return string(r.Data)
}

func containsFold(s, sub string) bool {
	return len(sub) > 0 && strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
