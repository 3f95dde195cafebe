package graph_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// accessMatrix is the expected access of every field of the schema, written by hand from
// DESIGN §1 and §6, independently of the schema's directives: the test compares the two.
// Keys are "Type.field" or "Type.*" (the type's default); values list the roles that may
// read the field (or call the operation), by initials:
// C coordinator, SW social_worker, IC insertion_counsellor, PE partner_editor,
// AN analyst, SR state_representative, AD admin; "ALL" is every role, "" none.
// A field of the schema without an entry fails the test: a new field arrives with its rule.
var accessMatrix = map[string]string{
	"Query.me":         "ALL",
	"Query.node":       "ALL",
	"Query.nodes":      "ALL",
	"Query.structure":  "ALL",
	"Query.structures": "ALL",
	"Query.auditLog":   "C AD",

	"Viewer.*":              "ALL",
	"UserError.*":           "ALL",
	"PageInfo.*":            "ALL",
	"Node.*":                "ALL",
	"Structure.*":           "ALL",
	"StructureConnection.*": "ALL",
	"StructureEdge.*":       "ALL",
	"StaffMember.*":         "C SW IC PE SR AD",

	"AuditLogEntry.*":           "C AD",
	"AuditLogEntryConnection.*": "C AD",
	"AuditLogEntryEdge.*":       "C AD",
}

var roleInitials = map[string]model.Role{
	"C": model.RoleCoordinator, "SW": model.RoleSocialWorker, "IC": model.RoleInsertionCounsellor,
	"PE": model.RolePartnerEditor, "AN": model.RoleAnalyst, "SR": model.RoleStateRepresentative, "AD": model.RoleAdmin,
}

func expectedRoles(t *testing.T, typ, field string) map[model.Role]bool {
	t.Helper()
	spec, ok := accessMatrix[typ+"."+field]
	if !ok {
		spec, ok = accessMatrix[typ+".*"]
	}
	if !ok {
		t.Errorf("%s.%s has no entry in accessMatrix: add its access rule", typ, field)
		return nil
	}
	roles := map[model.Role]bool{}
	for _, ini := range strings.Fields(spec) {
		if ini == "ALL" {
			for _, r := range model.AllRoles {
				roles[r] = true
			}
			continue
		}
		r, ok := roleInitials[ini]
		if !ok {
			t.Fatalf("accessMatrix %s.%s: unknown role initial %q", typ, field, ini)
		}
		roles[r] = true
	}
	return roles
}

// introType is the part of the introspection answer the matrix needs.
type introType struct {
	Name   string
	Kind   string
	Fields []struct {
		Name string
		Args []struct {
			Name string
			Type typeRef
		}
		Type typeRef
	}
	InputFields []struct {
		Name string
		Type typeRef
	}
	EnumValues []struct{ Name string }
}

type typeRef struct {
	Kind   string
	Name   *string
	OfType *typeRef
}

const introspectionQuery = `{ __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { name kind
    fields(includeDeprecated: true) { name args { name type { ...T } } type { ...T } }
    inputFields { name type { ...T } }
    enumValues(includeDeprecated: true) { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`

func introspect(t *testing.T, run func(q string, out any)) (types map[string]introType, query, mutation, subscription string) {
	var data struct {
		Schema struct {
			QueryType, MutationType, SubscriptionType *struct{ Name string }
			Types                                     []introType
		} `json:"__schema"`
	}
	run(introspectionQuery, &data)
	types = map[string]introType{}
	for _, ty := range data.Schema.Types {
		types[ty.Name] = ty
	}
	name := func(p *struct{ Name string }) string {
		if p == nil {
			return ""
		}
		return p.Name
	}
	return types, name(data.Schema.QueryType), name(data.Schema.MutationType), name(data.Schema.SubscriptionType)
}

// TestAuthorizationMatrix walks every field of every object type of the schema (from
// introspection) and checks, for every role, that the rule the server enforces is the
// one the matrix expects. Then it calls every query and mutation as every role and checks
// that exactly the roles the matrix denies get FORBIDDEN.
func TestAuthorizationMatrix(t *testing.T) {
	env := demoEnv(t)
	coordinator := demoPrincipal(t, env, model.RoleCoordinator)
	types, queryType, mutationType, subscriptionType := introspect(t, func(q string, out any) { env.MustDo(coordinator, q, nil, out) })

	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	checked := 0
	for _, typName := range names {
		ty := types[typName]
		if strings.HasPrefix(typName, "__") || (ty.Kind != "OBJECT" && ty.Kind != "INTERFACE") {
			continue
		}
		for _, f := range ty.Fields {
			want := expectedRoles(t, typName, f.Name)
			if want == nil {
				continue
			}
			for _, r := range model.AllRoles {
				if got := env.Endpoint.Rules.CanRead(r, typName, f.Name); got != want[r] {
					t.Errorf("%s.%s for %s: server allows=%v, matrix expects %v", typName, f.Name, r, got, want[r])
				}
				checked++
			}
		}
	}
	for key := range accessMatrix {
		typ, field, _ := strings.Cut(key, ".")
		ty, ok := types[typ]
		if !ok {
			t.Errorf("accessMatrix entry %s: no such type in the schema", key)
			continue
		}
		if field == "*" {
			continue
		}
		found := false
		for _, f := range ty.Fields {
			found = found || f.Name == field
		}
		if !found {
			t.Errorf("accessMatrix entry %s: no such field", key)
		}
	}
	t.Logf("%d (field, role) pairs checked statically", checked)

	principals := map[model.Role]*model.Principal{}
	for _, r := range model.AllRoles {
		principals[r] = demoPrincipal(t, env, r)
	}
	for _, root := range []struct{ typ, keyword string }{{queryType, "query"}, {mutationType, "mutation"}} {
		if root.typ == "" {
			continue
		}
		for _, f := range types[root.typ].Fields {
			op, vars := rootCall(types, root.keyword, f.Name, f.Args, f.Type)
			want := expectedRoles(t, root.typ, f.Name)
			for _, r := range model.AllRoles {
				t.Run(fmt.Sprintf("%s/%s/%s", root.typ, f.Name, r), func(t *testing.T) {
					resp := env.Do(principals[r], op, vars)
					forbidden := false
					for _, e := range resp.Errors {
						if len(e.Path) > 0 && e.Path[0] == f.Name && e.Code() == "FORBIDDEN" {
							forbidden = true
						}
					}
					if forbidden == want[r] {
						t.Errorf("%s as %s: forbidden=%v, matrix allows=%v; errors %+v", f.Name, r, forbidden, want[r], resp.Errors)
					}
				})
			}
		}
	}
	_ = subscriptionType // subscriptions are checked statically above (transport: WebSocket)
}

// rootCall builds an operation calling one root field with well-typed dummy arguments,
// selecting only __typename (or the scalar itself).
func rootCall(types map[string]introType, keyword, field string, args []struct {
	Name string
	Type typeRef
}, ret typeRef) (string, map[string]any) {
	vars := map[string]any{}
	var decls, uses []string
	for _, a := range args {
		if a.Type.Kind != "NON_NULL" {
			continue
		}
		decls = append(decls, fmt.Sprintf("$%s: %s", a.Name, typeString(a.Type)))
		uses = append(uses, fmt.Sprintf("%s: $%s", a.Name, a.Name))
		vars[a.Name] = dummyValue(types, a.Type, 0)
	}
	sel := ""
	if k := namedKind(types, ret); k == "OBJECT" || k == "INTERFACE" || k == "UNION" {
		sel = " { __typename }"
	}
	call := field
	if len(uses) > 0 {
		call += "(" + strings.Join(uses, ", ") + ")"
	}
	op := keyword
	if len(decls) > 0 {
		op += "(" + strings.Join(decls, ", ") + ")"
	}
	return op + " { " + call + sel + " }", vars
}

func typeString(r typeRef) string {
	switch r.Kind {
	case "NON_NULL":
		return typeString(*r.OfType) + "!"
	case "LIST":
		return "[" + typeString(*r.OfType) + "]"
	}
	return *r.Name
}

func namedKind(types map[string]introType, r typeRef) string {
	for r.OfType != nil {
		r = *r.OfType
	}
	return types[*r.Name].Kind
}

func dummyValue(types map[string]introType, r typeRef, depth int) any {
	switch r.Kind {
	case "NON_NULL":
		return dummyValue(types, *r.OfType, depth)
	case "LIST":
		return []any{dummyValue(types, *r.OfType, depth)}
	}
	ty := types[*r.Name]
	switch ty.Kind {
	case "ENUM":
		return ty.EnumValues[0].Name
	case "INPUT_OBJECT":
		obj := map[string]any{}
		if depth > 5 {
			return obj
		}
		for _, f := range ty.InputFields {
			if f.Type.Kind == "NON_NULL" {
				obj[f.Name] = dummyValue(types, f.Type, depth+1)
			}
		}
		return obj
	}
	switch *r.Name {
	case "ID":
		return model.GlobalID("Structure", "00000000-0000-0000-0000-000000000000")
	case "Int":
		return 1
	case "Float":
		return 1.5
	case "Boolean":
		return false
	case "Date":
		return "2026-01-15"
	case "DateTime":
		return "2026-01-15T10:00:00+01:00"
	}
	return "x"
}
