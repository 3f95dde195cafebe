package endpoint

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// writeResponse writes data as the executor made it, with or without extensions (the
// cost report of every operation); the document decodes as the one json.Marshal writes,
// and answers with errors go through json.Marshal.
func TestWriteResponse(t *testing.T) {
	for _, resp := range []*graphql.Response{
		{Data: json.RawMessage(`{"beneficiaries":{"nodes":[{"lastName":"Öztürk <&> \"x\""}]}}`)},
		{Data: json.RawMessage(`null`), Errors: gqlerror.List{{Message: "refusé"}}},
		{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": 3}},
		{Data: json.RawMessage(`{"nodes":[{"name":"Öztürk <&> \"x\" \u2028"}]}`),
			Extensions: map[string]any{"cost": &CostReport{Requested: 250, Maximum: 10000}, "other": []any{"<&>", 1.5}}},
	} {
		var got bytes.Buffer
		writeResponse(&got, resp)
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got.Bytes(), &g); err != nil {
			t.Fatalf("%s: %v", got.String(), err)
		}
		_ = json.Unmarshal(want, &w)
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("wrote %s, want %s", got.String(), want)
		}
		// Without errors the data is written as the executor made it: json.Marshal would
		// have escaped <&> (and re-encoded the rest).
		if len(resp.Errors) == 0 && !bytes.Contains(got.Bytes(), resp.Data) {
			t.Fatalf("wrote %s, not the data as made: %s", got.String(), resp.Data)
		}
	}
}
