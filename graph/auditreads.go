package graph

import (
	"context"
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
	if !slices.Contains(o.fields, field) {
		o.fields = append(o.fields, field)
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
			entries := log.entries()
			if len(entries) == 0 || resp == nil {
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

// noteRead records, for a field of a personal-data group, which object it was read on.
func noteRead(ctx context.Context, fc *graphql.FieldContext) {
	if fc.Parent == nil {
		return
	}
	if a, ok := auditedOf(fc.Parent.Result); ok {
		noteReadOf(ctx, a, fc.Field.Name)
	}
}

// noteReadOf records that field of a was read in the operation of ctx. Fields under a
// @group are noted by the authorization middleware; a resolver calls it for personal
// data it returns outside any group (OrientedPerson's names, which partners read).
func noteReadOf(ctx context.Context, a model.Audited, field string) {
	if log, _ := ctx.Value(readLogKey{}).(*readLog); log != nil {
		log.add(a.AuditRef(), field)
	}
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
