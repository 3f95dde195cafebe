package db

import (
	"sync"

	"github.com/jackc/pgx/v5/pgtype"
)

// stringArray scans a PostgreSQL array of text (text[], or an array of a type that reads
// as text, such as uuid[]) into a []string; NULL scans as nil. database/sql hands the
// driver's text form of an array to the scanner; pgtype decodes it. As an argument, a
// stringArray (like any Go slice) is encoded by pgx itself.
type stringArray []string

// Scan implements sql.Scanner.
func (a *stringArray) Scan(src any) error {
	m := typeMaps.Get().(*pgtype.Map)
	defer typeMaps.Put(m)
	return m.SQLScanner((*[]string)(a)).Scan(src)
}

// typeMaps holds pgtype maps for scanning: a map caches its plans and is not safe for
// concurrent use.
var typeMaps = sync.Pool{New: func() any { return pgtype.NewMap() }}

// SetDimensions, ScanIndex and ScanIndexType make a stringArray a pgtype.ArraySetter:
// pgx then decodes an array it reads itself (selectRows) element by element, as it does
// a []string, instead of handing the sql.Scanner its binary form.
func (a *stringArray) SetDimensions(d []pgtype.ArrayDimension) error {
	return (*pgtype.FlatArray[string])(a).SetDimensions(d)
}

// ScanIndex returns the element i, to decode into (pgtype.ArraySetter).
func (a stringArray) ScanIndex(i int) any { return &a[i] }

// ScanIndexType is the type of an element (pgtype.ArraySetter).
func (a stringArray) ScanIndexType() any { return new(string) }
