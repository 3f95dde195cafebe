package db

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// appendStructs scans the rows into structs of type R appended to out, each column into
// the field of its name as pgx.RowToStructByNameLax maps them: a field's db tag (its
// name before a comma; "-" ignores the field), or, untagged, the field's name, case and
// underscores aside; embedded structs are flattened, an outer field winning over an
// embedded one of the same name; a field without a column stays zero, a column without
// a field is an error. Unlike pgx's function, the mapping is computed once per
// statement (not once per row) and each row is decoded in place in out.
func appendStructs[R any](out []R, rows pgx.Rows) ([]R, error) {
	defer rows.Close()
	paths, err := columnFields(reflect.TypeFor[R](), rows.FieldDescriptions())
	if err != nil {
		return nil, err
	}
	targets := make([]any, len(paths))
	for rows.Next() {
		out = append(out, *new(R))
		v := reflect.ValueOf(&out[len(out)-1]).Elem()
		for i, p := range paths {
			targets[i] = v.FieldByIndex(p).Addr().Interface()
		}
		if err := rows.Scan(targets...); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// namedField is a field of a row type that a column may fill.
type namedField struct {
	name   string // db tag, or the field's name
	tagged bool
	path   []int // index path (reflect.Value.FieldByIndex)
}

// rowFields caches the fields of each row type (reflect.Type → []namedField).
var rowFields sync.Map

// columnFields returns, for each column, the index path of the field of t it fills.
func columnFields(t reflect.Type, cols []pgconn.FieldDescription) ([][]int, error) {
	fields, ok := rowFields.Load(t)
	if !ok {
		fields, _ = rowFields.LoadOrStore(t, structFields(t, nil, nil))
	}
	fs := fields.([]namedField)
	paths := make([][]int, len(cols))
	for i, c := range cols {
		// The last match in the fields' order: an outer field comes after the fields of
		// a struct embedded before it (pgx's rule: the later field wins).
		for j := len(fs) - 1; j >= 0 && paths[i] == nil; j-- {
			if fs[j].tagged && fs[j].name == c.Name {
				paths[i] = fs[j].path
			}
		}
		for j := len(fs) - 1; j >= 0 && paths[i] == nil; j-- {
			f := fs[j]
			if f.tagged && strings.EqualFold(f.name, c.Name) ||
				!f.tagged && strings.EqualFold(f.name, strings.ReplaceAll(c.Name, "_", "")) {
				paths[i] = f.path
			}
		}
		if paths[i] == nil {
			return nil, fmt.Errorf("%s has no field for the column %s", t, c.Name)
		}
	}
	return paths, nil
}

// structFields lists the fields of t a column may fill, in order, the fields of an
// embedded struct at its place.
func structFields(t reflect.Type, prefix []int, out []namedField) []namedField {
	for i := range t.NumField() {
		sf := t.Field(i)
		path := append(append([]int(nil), prefix...), i)
		switch tag, tagged := sf.Tag.Lookup("db"); {
		case sf.Anonymous && sf.Type.Kind() == reflect.Struct:
			out = structFields(sf.Type, path, out)
		case !sf.IsExported():
		case tagged:
			if name, _, _ := strings.Cut(tag, ","); name != "-" {
				out = append(out, namedField{name: name, tagged: true, path: path})
			}
		default:
			out = append(out, namedField{name: sf.Name, path: path})
		}
	}
	return out
}
