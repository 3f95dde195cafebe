package graph

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// fieldRule is the access rule of one field, read from the schema's directives.
type fieldRule struct {
	group model.FieldGroup // personal-data group, "" for none
	// personal marks personal data (@group or @personal): every read is audited naming
	// the person, and the export and the audit log's changes apply the rule.
	personal bool
	// readers are the roles that may read the field or call the operation: those its
	// @allow (or its type's) names whose confidentiality matrix lets them read its group.
	readers roleSet
}

// roleSet is a set of roles: bit i stands for model.AllRoles[i].
type roleSet uint32

// roleBit returns the bit of role r, 0 for an unknown role (in no set).
func roleBit(r model.Role) roleSet {
	for i, x := range model.AllRoles {
		if x == r {
			return 1 << i
		}
	}
	return 0
}

// Rules is the access policy of the schema: for each "Type.field", who may read it.
// It is built from the @allow and @group directives, so the schema is the one place
// where rules are written; a field without a rule is denied to every role.
type Rules struct {
	fields map[fieldKey]*fieldRule
	// byDef holds the rules of the fields of object types by their definition, the one
	// the executor resolves them with (a pointer: no hashing of names). A field selected
	// on an interface has the interface's definition, and is looked up by name.
	byDef  map[*ast.FieldDefinition]*fieldRule
	types  map[string]map[model.Role]bool
	names  personalNames // the marking by name, for outputs other than fields
	logger *slog.Logger  // denied attempts (nil: slog.Default)
}

// fieldKey names a field: its type and its name (GraphQL), a pair rather than a
// "Type.field" string so that the check of every resolved field allocates nothing.
type fieldKey struct{ typ, field string }

// NewRules reads the access rules of schema.
func NewRules(schema *ast.Schema) *Rules {
	if len(model.AllRoles) > 32 {
		panic("graph: more roles than a roleSet holds")
	}
	r := &Rules{fields: map[fieldKey]*fieldRule{}, byDef: map[*ast.FieldDefinition]*fieldRule{},
		types: map[string]map[model.Role]bool{}}
	for _, def := range schema.Types {
		if def.BuiltIn || (def.Kind != ast.Object && def.Kind != ast.Interface) {
			continue
		}
		typeRoles := allowedRoles(def.Directives)
		if typeRoles != nil {
			r.types[def.Name] = typeRoles
		}
		for _, f := range def.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			roles := allowedRoles(f.Directives)
			if roles == nil {
				roles = typeRoles
			}
			var rule fieldRule
			if d := f.Directives.ForName("group"); d != nil {
				rule.group = model.FieldGroup(d.Arguments.ForName("name").Value.Raw)
			}
			rule.personal = rule.group != "" || f.Directives.ForName("personal") != nil
			if roles != nil {
				for _, role := range model.AllRoles {
					if roles[role] && (rule.group == "" || model.CanReadGroup(role, rule.group)) {
						rule.readers |= roleBit(role)
					}
				}
				r.fields[fieldKey{def.Name, f.Name}] = &rule
				if def.Kind == ast.Object {
					r.byDef[f] = &rule
				}
			}
		}
	}
	r.names = compilePersonalNames(schema, r)
	return r
}

func allowedRoles(dirs ast.DirectiveList) map[model.Role]bool {
	d := dirs.ForName("allow")
	if d == nil {
		return nil
	}
	roles := map[model.Role]bool{}
	for _, c := range d.Arguments.ForName("roles").Value.Children {
		roles[model.Role(c.Value.Raw)] = true
	}
	return roles
}

// CanRead reports whether role may read field of type typ (both GraphQL names).
func (r *Rules) CanRead(role model.Role, typ, field string) bool {
	_, ok := r.readable(role, typ, field)
	return ok
}

// readable returns the rule of field of type typ and whether role may read it.
func (r *Rules) readable(role model.Role, typ, field string) (*fieldRule, bool) {
	rule := r.fields[fieldKey{typ, field}]
	return rule, rule != nil && rule.readers&roleBit(role) != 0
}

// resolvedRule returns the rule of the field fc resolves, and whether role may read it.
func (r *Rules) resolvedRule(role model.Role, fc *graphql.FieldContext) (*fieldRule, bool) {
	if rule := r.byDef[fc.Field.Definition]; rule != nil {
		return rule, rule.readers&roleBit(role) != 0
	}
	return r.readable(role, fc.Object, fc.Field.Name)
}

// Personal reports whether field of type typ is marked personal data (@group or
// @personal) in the schema.
func (r *Rules) Personal(typ, field string) bool {
	rule := r.fields[fieldKey{typ, field}]
	return rule != nil && rule.personal
}

// CanSee reports whether role may see objects of type typ at all (used by node(id:)).
func (r *Rules) CanSee(role model.Role, typ string) bool { return r.types[typ][role] }

// HasRule reports whether "Type.field" has an access rule (the matrix test uses it).
func (r *Rules) HasRule(typ, field string) bool { return r.fields[fieldKey{typ, field}] != nil }

// middleware denies, before it resolves, every field the caller may not read: the field
// is null and an error names it (never the data).
func (r *Rules) middleware(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if len(fc.Object) > 1 && fc.Object[:2] == "__" || len(fc.Field.Name) > 1 && fc.Field.Name[:2] == "__" {
		return next(ctx) // introspection: allowed once authenticated (checked per operation)
	}
	p := model.PrincipalFrom(ctx)
	if p == nil {
		return nil, model.Errorf(model.CodeUnauthenticated, nil, "authentification requise")
	}
	rule, ok := r.resolvedRule(p.Role, fc)
	if !ok {
		logDenied(ctx, r.logger, "field", fc.Object+"."+fc.Field.Name, string(model.CodeForbidden))
		return nil, &model.Error{Code: model.CodeForbidden, Field: []string{fc.Field.Alias},
			Message: fmt.Sprintf("accès refusé au champ « %s » pour le rôle %s", fc.Field.Name, p.Role)}
	}
	if rule.personal {
		if err := noteRead(ctx, fc); err != nil {
			return nil, err // no person to audit the read on: the value is not given
		}
	}
	res, err := next(ctx)
	if fc.Object == "Mutation" {
		// An act on an object outside the caller's scope answers NOT_FOUND (or FORBIDDEN) as a
		// user error: the attempt is logged like a denied field.
		for _, ue := range payloadUserErrors(res) {
			if ue.Code == model.CodeNotFound || ue.Code == model.CodeForbidden {
				logDenied(ctx, r.logger, "mutation", "Mutation."+fc.Field.Name, string(ue.Code), "input_field", ue.Field)
			}
		}
	}
	return res, err
}

// payloadUserErrors returns the userErrors of a mutation payload (a pointer to a struct
// with a UserErrors []model.UserError field), or nil.
func payloadUserErrors(res any) []model.UserError {
	v := reflect.ValueOf(res)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	f := v.FieldByName("UserErrors")
	if !f.IsValid() {
		return nil
	}
	ues, _ := f.Interface().([]model.UserError)
	return ues
}

// logDenied writes a refused attempt (a denied field, an id or an act outside the caller's
// scope) as a warning with who, what and the request (DESIGN §6: attempts are logged;
// the data asked is never written).
func logDenied(ctx context.Context, logger *slog.Logger, kind, target, code string, extra ...any) {
	if logger == nil {
		logger = slog.Default()
	}
	m := model.RequestMetaFrom(ctx)
	args := []any{"request_id", m.ID, "kind", kind, "target", target, "code", code,
		"operation", m.Operation, "client", m.ClientAddr}
	if p := model.PrincipalFrom(ctx); p != nil {
		args = append(args, "subject", p.Subject, "email", p.Email, "role", string(p.Role), "structure", p.StructureID)
	}
	logger.WarnContext(ctx, "access denied", append(args, extra...)...)
}
