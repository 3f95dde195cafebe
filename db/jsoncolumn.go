package db

import (
	"encoding/json"
	"fmt"
)

// jsonColumn is a json or jsonb column decoded into T when its row is scanned. A value
// that does not decode as T fails the scan, so the read returns an error instead of an
// empty value; SQL NULL leaves V at its zero value.
type jsonColumn[T any] struct{ V T }

// Scan implements sql.Scanner.
func (c *jsonColumn[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("json column: %T is not JSON text", src)
	}
	if err := json.Unmarshal(b, &c.V); err != nil {
		return fmt.Errorf("json column: decode as %T: %w", c.V, err)
	}
	return nil
}

// jsonObject is the JSON object v marshals to, as generic values: the form in which
// changes are compared and written to history and the audit log. v is one of our own
// types; one that does not marshal to an object is a programming error and panics
// rather than recording an empty change.
func jsonObject(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("db: json object of %T: %v", v, err))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("db: json object of %T: %v", v, err))
	}
	return m
}
