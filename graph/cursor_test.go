package graph_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Issue 15, hole 5: a cursor of a page ordered by name carried the names in clear
// (base64 of {"k":"abakar adam"}). Cursors are opaque: decoded, they hold no name of the
// page; pages still chain forwards and backwards in both directions.
func TestCursors_CarryNoPersonalValue(t *testing.T) {
	env := demoEnv(t)
	coord := demoPrincipal(t, env, model.RoleCoordinator)
	type page struct {
		Beneficiaries struct {
			TotalCount int
			Edges      []struct {
				Cursor string
				Node   struct{ ID, FirstName, LastName string }
			}
			PageInfo struct {
				HasNextPage, HasPreviousPage bool
				StartCursor, EndCursor       string
			}
		}
	}
	const nodes = `totalCount edges { cursor node { id firstName lastName } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`
	clear := func(t *testing.T, d page) {
		t.Helper()
		cursors := []string{d.Beneficiaries.PageInfo.StartCursor, d.Beneficiaries.PageInfo.EndCursor}
		for _, e := range d.Beneficiaries.Edges {
			cursors = append(cursors, e.Cursor)
		}
		for _, c := range cursors {
			raw, err := base64.RawURLEncoding.DecodeString(c)
			if err != nil {
				raw, _ = base64.StdEncoding.DecodeString(c)
			}
			text := strings.ToLower(string(raw) + c)
			for _, e := range d.Beneficiaries.Edges {
				for _, name := range []string{e.Node.FirstName, e.Node.LastName} {
					if len(name) > 2 && strings.Contains(text, strings.ToLower(name)) {
						t.Fatalf("cursor %q decodes to %q: it holds the name %q", c, raw, name)
					}
				}
			}
		}
	}
	for _, dir := range []string{"ASC", "DESC"} {
		t.Run(dir, func(t *testing.T) {
			order := `orderBy: {field: NAME, direction: ` + dir + `}`
			var forward []string
			after := ""
			for i := 0; i < 50; i++ {
				args := order + `, first: 7`
				if after != "" {
					args += fmt.Sprintf(", after: %q", after)
				}
				var d page
				env.MustDo(coord, `{ beneficiaries(`+args+`) { `+nodes+` } }`, nil, &d)
				clear(t, d)
				for _, e := range d.Beneficiaries.Edges {
					forward = append(forward, e.Node.ID)
				}
				if !d.Beneficiaries.PageInfo.HasNextPage {
					if len(forward) != d.Beneficiaries.TotalCount || len(forward) < 8 {
						t.Fatalf("forward pages gave %d of %d", len(forward), d.Beneficiaries.TotalCount)
					}
					break
				}
				after = d.Beneficiaries.PageInfo.EndCursor
			}
			var backward []string
			before := ""
			for i := 0; i < 50; i++ {
				args := order + `, last: 7`
				if before != "" {
					args += fmt.Sprintf(", before: %q", before)
				}
				var d page
				env.MustDo(coord, `{ beneficiaries(`+args+`) { `+nodes+` } }`, nil, &d)
				clear(t, d)
				ids := make([]string, 0, len(d.Beneficiaries.Edges))
				for _, e := range d.Beneficiaries.Edges {
					ids = append(ids, e.Node.ID)
				}
				backward = append(ids, backward...)
				if !d.Beneficiaries.PageInfo.HasPreviousPage {
					break
				}
				before = d.Beneficiaries.PageInfo.StartCursor
			}
			if strings.Join(backward, ",") != strings.Join(forward, ",") {
				t.Fatalf("backward pages differ from forward pages:\n%v\n%v", backward, forward)
			}
		})
	}
	t.Run("ErrForgedCursor", func(t *testing.T) {
		forged := base64.RawURLEncoding.EncodeToString([]byte(`{"k":"a","i":"00000000-0000-0000-0000-000000000000"}`))
		r := env.Do(coord, fmt.Sprintf(`{ beneficiaries(first: 2, orderBy: {field: NAME, direction: ASC}, after: %q) { totalCount } }`, forged), nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID_INPUT" {
			t.Fatalf("forged cursor: %s %+v", r.Data, r.Errors)
		}
	})
}
