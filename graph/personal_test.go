package graph_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// Issue 15: one definition of personal data, the schema's marking (@group, @personal),
// and every output applies it. These tests walk the schema from the beneficiary, so that
// a field added later is covered or fails.

// notPersonal lists, per type hanging from a person, the fields that are not personal
// data (ids, versions, kinds and statuses from closed lists, the journey's dates and
// scores the indicators count, links to structures and staff). Every other field of such
// a type must be marked @group or @personal in the schema: a new field fails
// TestPersonalData_EveryFieldIsClassified until it is marked or listed here.
var notPersonal = map[string]string{
	"Beneficiary": `id version department socialOperator employmentOperator phase journeyStartsOn journeyEndsOn
		welcomeInterviewDueOn welcomeInterviewLate convocationStatus household convocations referents interviews
		lastInterview diagnostic plan engagementContract housingProposals housingRefusalCount rightsSteps evaluations
		evaluationProgress exits followUps reintegrations alerts timeline professionalDiagnostic professionalDiagnostics
		frenchLevel frenchLevels orientations openOrientationCount supportActions outcomes inEmploymentOrTraining consents anonymisedAt`,
	"HouseholdMember":        `id relationship joinedOn`,
	"Alert":                  `kind since dueOn message`,
	"TimelineEvent":          `on recordedAt kind summary`,
	"Convocation":            `id documentUrl appointmentAt address handedOverOn status`,
	"Interview":              `id version kind medium plannedAt status heldOn late authorStructure`,
	"AxisAssessment":         `axis assessedOn`,
	"Diagnostic":             `rights housing employment training french mobility`,
	"Referents":              `socialWorker insertionCounsellor history`,
	"ReferentAssignment":     `kind staffMember assignedAt endedAt active`,
	"Plan":                   `objectives`,
	"Objective":              `id axis actions`,
	"PlanAction":             `id version status dueOn completedOn`,
	"EngagementContract":     `signedOn consentRecorded`,
	"HousingProposal":        `id version proposedOn outcome decidedOn`,
	"RightsStep":             `kind status startedOn completedOn version`,
	"Evaluation":             `stage evaluatedOn housing employment training rights`,
	"AxisProgress":           `axis entry midCourse exit change`,
	"JourneyExit":            `kind exitedOn exitReason exclusionReason housingSituation employmentSituation trainingSituation`,
	"FollowUp":               `stage dueOn heldOn housingSituation employmentSituation trainingSituation`,
	"Reintegration":          `reintegratedOn until`,
	"ProfessionalDiagnostic": `id assessedOn educationLevel yearsOfSchooling diplomas experiences barriers authorStructure recordedAt`,
	"Diploma":                `country year recognition`,
	"WorkExperience":         `sector years country`,
	"Barrier":                `kind severity`,
	"FrenchLevel":            `id level assessedOn source trainingHoursPrescribed trainingHoursDone levelsGained recordedAt`,
	"Orientation":            `id version kind status structure offerId offer orientedOn answerDueOn overdue answeredOn refusalCategory startedOn endedOn orientedByStructure person beneficiary`,
	"OrientedPerson":         ``,
	"SupportAction":          `id kind heldOn author authorStructure recordedAt`,
	"Outcome":                `id kind contractType weeklyHours employerSector certificationLevel startsOn endsOn countsAsEmploymentOrTraining durableEmployment recordedAt`,
	"Consent":                `kind givenOn withdrawnOn active`,
	"Accessibility":          `disabilityRecognised recognisedUntil needs disabilityReferent aidsRequested version`,
	"Referral":               `referredOn ofiiReference admission eligibility stateInstructionOn stateInstructionReference ofiiAgreementOn`,
	"EligibilityCheck":       ``,
}

// notOfAPerson are the types a person's record links to that hold no data of the person.
var notOfAPerson = map[string]bool{"Structure": true, "StaffMember": true, "Offer": true}

// personalHop is one field of a path from the beneficiary.
type personalHop struct{ typ, field string }

// personalWalk visits the object types reachable from Beneficiary (not through the types
// of notOfAPerson, nor back to Beneficiary), breadth first: for each, the path of fields
// from the beneficiary. through says whether to go through a field.
func personalWalk(schema *ast.Schema, through func(typ, field string) bool) map[string][]personalHop {
	paths := map[string][]personalHop{"Beneficiary": nil}
	queue := []string{"Beneficiary"}
	for len(queue) > 0 {
		typ := queue[0]
		queue = queue[1:]
		for _, f := range schema.Types[typ].Fields {
			next := schema.Types[f.Type.Name()]
			if strings.HasPrefix(f.Name, "__") || next == nil || next.Kind != ast.Object || notOfAPerson[next.Name] ||
				!through(typ, f.Name) || requiredArgs(f) {
				continue
			}
			if _, seen := paths[next.Name]; !seen {
				paths[next.Name] = append(append([]personalHop{}, paths[typ]...), personalHop{typ, f.Name})
				queue = append(queue, next.Name)
			}
		}
	}
	return paths
}

func requiredArgs(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

// Every field of a type hanging from a person is either marked personal in the schema or
// listed in notPersonal: a new field, or a marking removed, fails here.
func TestPersonalData_EveryFieldIsClassified(t *testing.T) {
	env := graphtest.New(t)
	rules, schema := env.Endpoint.Rules, env.Endpoint.Schema
	// Under a marked field, the whole value is the marked datum (Beneficiary.referral):
	// its type's fields need no marking of their own.
	types := personalWalk(schema, func(typ, field string) bool { return !rules.Personal(typ, field) })
	var unclassified, stale []string
	for typ := range types {
		listed := map[string]bool{}
		for _, f := range strings.Fields(notPersonal[typ]) {
			listed[f] = true
		}
		if _, ok := notPersonal[typ]; !ok {
			unclassified = append(unclassified, typ+" (the whole type)")
			continue
		}
		for _, f := range schema.Types[typ].Fields {
			switch personal := rules.Personal(typ, f.Name); {
			case strings.HasPrefix(f.Name, "__"):
			case personal && listed[f.Name]:
				stale = append(stale, typ+"."+f.Name)
			case !personal && !listed[f.Name]:
				unclassified = append(unclassified, typ+"."+f.Name)
			}
		}
	}
	sort.Strings(unclassified)
	sort.Strings(stale)
	if len(unclassified) > 0 {
		t.Errorf("fields of a person neither marked personal (@group, @personal) nor listed in notPersonal:\n  %s", strings.Join(unclassified, "\n  "))
	}
	if len(stale) > 0 {
		t.Errorf("fields marked personal and listed in notPersonal: %v", stale)
	}
	marked := 0
	for typ := range types {
		for _, f := range schema.Types[typ].Fields {
			if rules.Personal(typ, f.Name) {
				marked++
			}
		}
	}
	if marked < 40 {
		t.Errorf("only %d fields marked personal", marked)
	}
}

// personalSelection returns the selection set reaching field through path, with the id of every
// object on the way that has one.
func personalSelection(schema *ast.Schema, path []personalHop, field string) string {
	sel := field
	for i := len(path) - 1; i >= 0; i-- {
		typ := schema.Types[path[i].typ]
		next := schema.Types[typ.Fields.ForName(path[i].field).Type.Name()]
		id := ""
		if next.Fields.ForName("id") != nil {
			id = "id "
		}
		sel = path[i].field + " { " + id + sel + " }"
	}
	return sel
}

// readings walks v (decoded JSON) along path and calls found, for every object at the
// end of it, with the ids of the objects met on the way (by type).
func readings(schema *ast.Schema, v any, path []personalHop, ids map[string]string, found func(ids map[string]string)) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			readings(schema, e, path, ids, found)
		}
		return
	case map[string]any:
		ids = copyIDs(ids)
		if id, ok := x["id"].(string); ok {
			ids[idType(id)] = id
		}
		if len(path) == 0 {
			found(ids)
			return
		}
		readings(schema, x[path[0].field], path[1:], ids, found)
	}
}

func copyIDs(m map[string]string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func idType(id string) string {
	typ, _, ok := model.ParseGlobalID(id)
	if !ok {
		return ""
	}
	return typ
}

// auditReads returns the read entries of the audit log as the coordinator sees them
// through the API: per operation name, the entries (entity ids and fields).
func auditReads(t *testing.T, env *graphtest.Env, coord *model.Principal) map[string][]auditRead {
	t.Helper()
	out := map[string][]auditRead{}
	after := ""
	for {
		var d struct {
			AuditLog struct {
				Nodes []struct {
					Action, Operation, EntityType, Changes string
					EntityIDs                              []string
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		env.MustDo(coord, `query($after: String) { auditLog(first: 100, after: $after) { nodes { action operation entityType entityIds changes }
			pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": nullIfEmpty(after)}, &d)
		for _, n := range d.AuditLog.Nodes {
			if n.Action != "read" {
				continue
			}
			var c struct{ Fields []string }
			if err := json.Unmarshal([]byte(n.Changes), &c); err != nil {
				t.Fatalf("changes %q: %v", n.Changes, err)
			}
			out[n.Operation] = append(out[n.Operation], auditRead{n.EntityType, n.EntityIDs, c.Fields})
		}
		if !d.AuditLog.PageInfo.HasNextPage {
			return out
		}
		after = d.AuditLog.PageInfo.EndCursor
	}
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type auditRead struct {
	entityType string
	ids        []string
	fields     []string
}

// logged reports whether reads hold an entry naming person (a global id) with field.
func logged(reads []auditRead, person, field string) bool {
	for _, r := range reads {
		if contains(r.ids, person) && contains(r.fields, field) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Hole 1 as found: a social worker reads the health axis of a diagnostic, notes of an
// interview through node(id), a reintegration's reason, a barrier's note, a support
// action's result and an oriented person's languages; the coordinator finds each read in
// the audit log, under the beneficiary's id.
func TestPersonalData_ReadsOfNotesAndHealthAreAudited(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	sw := demoPrincipal(t, env, model.RoleSocialWorker)
	var key, interview string
	if err := env.Store.DB().QueryRow(`SELECT d.beneficiary_id::text, i.id::text FROM diagnostic_axes d
		JOIN beneficiaries b ON b.id = d.beneficiary_id JOIN staff_members m ON m.structure_id = b.social_operator_id AND m.email = $1
		JOIN interviews i ON i.beneficiary_id = b.id AND i.shared_note IS NOT NULL
		WHERE b.phase IN ('WELCOMED', 'CONTRACTED') AND b.journey_ends_on > CURRENT_DATE + 1 -- a diagnostic can still be recorded
		ORDER BY 1, 2 LIMIT 1`, sw.Email).Scan(&key, &interview); err != nil {
		t.Fatalf("no demo diagnostic and noted interview: %v", err)
	}
	id := model.GlobalID("Beneficiary", key)
	mustAct(t, env, sw, "recordDiagnostic", map[string]any{"beneficiaryId": id, "axes": []any{
		map[string]any{"axis": "HEALTH", "situation": "Suivi psychologique en cours", "needs": "Interprète en consultation"}}}, "beneficiary { id }")
	var d struct {
		Beneficiary struct {
			Diagnostic struct{ Health struct{ Situation string } }
		}
		Node struct{ SharedNote string }
	}
	env.MustDo(sw, `query HealthAndNote($id: ID!, $i: ID!) { beneficiary(id: $id) { diagnostic { health { situation } } }
		node(id: $i) { ... on Interview { sharedNote privateNote } } }`, map[string]any{"id": id, "i": model.GlobalID("Interview", interview)}, &d)
	if d.Beneficiary.Diagnostic.Health.Situation == "" || d.Node.SharedNote == "" {
		t.Fatalf("nothing read: %+v", d)
	}
	var log struct {
		AuditLog struct {
			Nodes []struct{ Action, Operation, Changes string }
		}
	}
	env.MustDo(coord, `query($id: ID) { auditLog(first: 20, filter: {entityId: $id}) { nodes { action operation changes } } }`, map[string]any{"id": id}, &log)
	var fields []string
	for _, n := range log.AuditLog.Nodes {
		if n.Action == "read" && n.Operation == "HealthAndNote" {
			var c struct{ Fields []string }
			if err := json.Unmarshal([]byte(n.Changes), &c); err != nil {
				t.Fatal(err)
			}
			fields = append(fields, c.Fields...)
		}
	}
	sort.Strings(fields)
	for _, want := range []string{"Diagnostic.health", "AxisAssessment.situation", "Interview.sharedNote", "Interview.privateNote"} {
		if !contains(fields, want) {
			t.Errorf("the coordinator's audit log of %s has no read of %s: %v", id, want, fields)
		}
	}
}

// For every field marked personal, reached from the beneficiary (and alone, through
// node(id), when its object is a Node), a read through the API writes an audit entry
// that names the person: the beneficiary (or the household member, for a member's own
// fields) and the field.
func TestPersonalData_EveryMarkedFieldReadIsAudited(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	rules, schema := env.Endpoint.Rules, env.Endpoint.Schema
	paths := personalWalk(schema, func(string, string) bool { return true })
	type check struct{ op, person, field, what string }
	var checks []check
	n := 0
	for typ, path := range paths {
		for _, f := range schema.Types[typ].Fields {
			if !rules.Personal(typ, f.Name) {
				continue
			}
			n++
			if !rules.CanRead(model.RoleCoordinator, typ, f.Name) {
				t.Errorf("%s.%s: the coordinator cannot read it; the walk reads as the coordinator", typ, f.Name)
				continue
			}
			sub := f.Name
			if next := schema.Types[f.Type.Name()]; next != nil && next.Kind == ast.Object {
				sub += " { __typename }"
			}
			op := fmt.Sprintf("Walk_%s_%s", typ, f.Name)
			resp := env.Do(coord, `query `+op+` { beneficiaries(first: 20) { nodes { id `+personalSelection(schema, path, sub)+` } } }`, nil)
			if len(resp.Errors) > 0 {
				t.Errorf("%s: %+v", op, resp.Errors)
				continue
			}
			var data any
			if err := json.Unmarshal(resp.Data, &data); err != nil {
				t.Fatal(err)
			}
			// The entry names the person: the household member for its own fields,
			// otherwise the beneficiary; the field bare on them, else as Type.field.
			name := typ + "." + f.Name
			switch typ {
			case "Beneficiary", "HouseholdMember", "OrientedPerson":
				name = f.Name
			}
			var objects []map[string]string
			readings(schema, data.(map[string]any)["beneficiaries"].(map[string]any)["nodes"], path, nil, func(ids map[string]string) {
				objects = append(objects, ids)
			})
			if len(objects) == 0 {
				t.Errorf("%s.%s: no demo beneficiary has a %s (path %v): the walk cannot check it", typ, f.Name, typ, path)
				continue
			}
			person := objects[0]["Beneficiary"]
			if typ == "HouseholdMember" {
				person = objects[0]["HouseholdMember"]
			}
			checks = append(checks, check{op, person, name, "through the beneficiary"})
			if nodeID := objects[0][typ]; nodeID != "" && typ != "Beneficiary" && typ != "HouseholdMember" {
				op := fmt.Sprintf("Node_%s_%s", typ, f.Name)
				env.MustDo(coord, `query `+op+`($id: ID!) { node(id: $id) { ... on `+typ+` { `+sub+` } } }`, map[string]any{"id": nodeID}, nil)
				checks = append(checks, check{op, objects[0]["Beneficiary"], name, "alone, through node(id)"})
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d marked fields reached from the beneficiary", n)
	}
	t.Logf("%d marked fields read, %d reads checked", n, len(checks))
	reads := auditReads(t, env, coord)
	for _, c := range checks {
		if !logged(reads[c.op], c.person, c.field) {
			t.Errorf("%s: read %s, no audit entry names %s with %s: %+v", c.op, c.what, c.person, c.field, reads[c.op])
		}
	}
}
