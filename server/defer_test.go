package main

import (
	"encoding/json"
	"testing"

	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestDefer_Refused: @defer (declared by the GraphQL library) is refused with a code
// wherever it hides, before anything runs; @stream is not declared and is refused by
// validation. Never a response with the deferred fields silently null.
func TestDefer_Refused(t *testing.T) {
	m := startServer(t, dbtest.NewDatabase(t))
	tok := token(t, m, model.RoleCoordinator)
	for name, query := range map[string]string{
		"inline fragment":          `{ me { name ... @defer { email } } }`,
		"labelled, conditional":    `query($d: Boolean!) { me { name ... @defer(label: "mail", if: $d) { email } } }`,
		"fragment spread":          `{ me { name ...Mail @defer } } fragment Mail on Viewer { email }`,
		"inside a spread fragment": `{ me { ...Outer } } fragment Outer on Viewer { name ... @defer { email } }`,
	} {
		var out struct {
			Data   json.RawMessage
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		status, body := gqlPost(t, m, tok, query, map[string]any{"d": true}, &out)
		if len(out.Errors) != 1 || out.Errors[0].Extensions.Code != "INCREMENTAL_DELIVERY_NOT_SUPPORTED" || (len(out.Data) > 0 && string(out.Data) != "null") {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	var out struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	status, body := gqlPost(t, m, tok, `{ me { name } structures(first: 2) @stream { totalCount } }`, nil, &out)
	if len(out.Errors) == 0 || (len(out.Data) > 0 && string(out.Data) != "null") {
		t.Errorf("@stream: %d %s", status, body)
	}
	// Without the directive, the same fields in one response.
	out.Errors = nil
	status, body = gqlPost(t, m, tok, `{ me { name ... { email } } }`, nil, &out)
	if status != 200 || len(out.Errors) > 0 {
		t.Errorf("plain: %d %s", status, body)
	}
}
