package graph

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// readLog collects, during one operation, the personal fields returned per object; the
// operation writes them to the audit log in one transaction when it ends.
type readLog struct {
	mu      sync.Mutex
	objects map[readKey]*readObject
	last    *readObject // the object of the latest add: a row's fields come one after another
}

// readKey names an object read: its type and key.
type readKey struct{ typ, key string }

// readObject is an object read and the fields read on it, each once, in the order read.
type readObject struct {
	ref    model.AuditRef
	fields []string
}

type readLogKey struct{}

func newReadLog() *readLog { return &readLog{objects: map[readKey]*readObject{}} }

func (l *readLog) add(ref model.AuditRef, field string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.last
	if o == nil || o.ref.Key != ref.Key || o.ref.Type != ref.Type {
		k := readKey{ref.Type, ref.Key}
		if o = l.objects[k]; o == nil {
			o = &readObject{ref: ref, fields: make([]string, 0, 4)}
			l.objects[k] = o
		}
		l.last = o
	}
	if o.ref.Department == "" {
		o.ref.Department = ref.Department
	}
	if !slices.Contains(o.fields, field) {
		o.fields = append(o.fields, field)
	}
}

// withoutDepartment returns the keys of the beneficiaries read whose department is not
// known yet (objects read alone, e.g. an interview through node(id)).
func (l *readLog) withoutDepartment() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var keys []string
	for _, o := range l.objects {
		if o.ref.Department == "" && o.ref.Type == "Beneficiary" {
			keys = append(keys, o.ref.Key)
		}
	}
	return keys
}

// setDepartments sets the departments of the beneficiaries by key.
func (l *readLog) setDepartments(departments map[string]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, o := range l.objects {
		if d, ok := departments[o.ref.Key]; ok && o.ref.Department == "" && o.ref.Type == "Beneficiary" {
			o.ref.Department = d
		}
	}
}

// entries returns the operation's read entries: one per type, set of fields and
// department, listing the objects read so in key order. A page of 50 beneficiaries whose
// names were read is one entry; objects read with other fields, or from another
// department (a coordinator sees its territory's entries only), are entries of their own.
func (l *readLog) entries() []db.AuditEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	type group struct {
		ref    model.AuditRef
		fields []string
		keys   []string
	}
	groups := map[string]*group{}
	for _, o := range l.objects {
		fields := slices.Clone(o.fields)
		sort.Strings(fields)
		ref := o.ref
		g := ref.Type + "\x00" + strings.Join(fields, ",") + "\x00" + ref.Department
		if groups[g] == nil {
			groups[g] = &group{ref: ref, fields: fields}
		}
		groups[g].keys = append(groups[g].keys, ref.Key)
	}
	out := make([]db.AuditEntry, 0, len(groups))
	for _, g := range groups {
		sort.Strings(g.keys)
		e := db.AuditEntry{Action: "read", EntityType: g.ref.Type, EntityID: g.keys[0], Departments: []string{g.ref.Department},
			Changes: db.ReadFields(g.fields)}
		if len(g.keys) > 1 {
			e.EntityIDs = g.keys
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].EntityType != out[j].EntityType {
			return out[i].EntityType < out[j].EntityType
		}
		return out[i].EntityID < out[j].EntityID
	})
	return out
}

// auditReadsOperation wraps an operation: it attaches a read log, and once the response is
// produced writes what was read (one transaction). When the audit cannot be written, the
// response is replaced by an error: personal data never leaves unaudited.
func auditReadsOperation(store *db.Store, present graphql.ErrorPresenterFunc) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		log := newReadLog()
		ctx = context.WithValue(ctx, readLogKey{}, log)
		handler := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			resp := handler(ctx)
			if resp == nil {
				return resp
			}
			if keys := log.withoutDepartment(); len(keys) > 0 {
				departments, err := store.BeneficiaryDepartments(ctx, keys)
				if err != nil {
					return &graphql.Response{Errors: gqlerror.List{present(ctx, err)}}
				}
				log.setDepartments(departments)
			}
			entries := log.entries()
			if len(entries) == 0 {
				return resp
			}
			if err := store.AuditReads(ctx, model.PrincipalFrom(ctx), entries); err != nil {
				// The response context (graphql.AddError) is gone at this point: the error
				// is presented here, masked and logged as any internal error.
				return &graphql.Response{Errors: gqlerror.List{present(ctx, err)}}
			}
			return resp
		}
	}
}

// noteRead records, for a field marked personal, whose data was read: the person the
// object it hangs from belongs to (ownerOf). A personal field read on an object that
// belongs to no one known is an error: personal data never leaves unaudited.
func noteRead(ctx context.Context, fc *graphql.FieldContext) error {
	ref, direct, ok := ownerOf(fc)
	if !ok {
		return fmt.Errorf("graph: personal field %s.%s read on an object of no known person", fc.Object, fc.Field.Name)
	}
	field := fc.Field.Name
	if !direct {
		field = fc.Object + "." + field // e.g. Interview.sharedNote, read as the beneficiary's
	}
	if log, _ := ctx.Value(readLogKey{}).(*readLog); log != nil {
		log.add(ref, field)
	}
	return nil
}

// ownerOf returns the person a field read on the object of fc belongs to: the nearest
// object, from fc's parent up, that is Audited (a beneficiary, a household member, an
// oriented person) or that carries the key of its beneficiary (a BeneficiaryKey field:
// every object of a beneficiary's record has one, whether read under the beneficiary or
// alone through node(id)). direct is true when the field hangs from the Audited object
// itself (its name is then written bare). The department of a beneficiary found by key
// is taken from an Audited ancestor with that key, else left "" for the read log to
// look up.
func ownerOf(fc *graphql.FieldContext) (ref model.AuditRef, direct, ok bool) {
	for p := fc.Parent; p != nil; p = p.Parent {
		if p.Result == nil {
			continue
		}
		if a, isAudited := auditedOf(p.Result); isAudited {
			r := a.AuditRef()
			if !ok {
				return r, p == fc.Parent, true
			}
			if r.Type == ref.Type && r.Key == ref.Key {
				ref.Department = r.Department
				return ref, false, true
			}
			continue
		}
		if !ok {
			if key := beneficiaryKeyOf(p.Result); key != "" {
				ref, ok = model.AuditRef{Type: "Beneficiary", Key: key}, true
			}
		}
	}
	return ref, false, ok
}

// beneficiaryKeys caches, per struct type, the index of its BeneficiaryKey string field
// (-1 for none).
var beneficiaryKeys sync.Map

// beneficiaryKeyOf returns the BeneficiaryKey of v (a struct or a pointer to one), or "".
func beneficiaryKeyOf(v any) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return ""
	}
	idx, found := beneficiaryKeys.Load(rv.Type())
	if !found {
		i := -1
		if f, has := rv.Type().FieldByName("BeneficiaryKey"); has && f.Type.Kind() == reflect.String && len(f.Index) == 1 {
			i = f.Index[0]
		}
		beneficiaryKeys.Store(rv.Type(), i)
		idx = i
	}
	if idx.(int) < 0 {
		return ""
	}
	return rv.Field(idx.(int)).String()
}

func auditedOf(v any) (model.Audited, bool) {
	if a, ok := v.(model.Audited); ok {
		return a, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		a, ok := rv.Elem().Interface().(model.Audited)
		return a, ok
	}
	return nil, false
}
