package graph_test

import (
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph"
	"github.com/agir-reseau/agir-backend/graph/graphtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

func indicatorsCSV(t *testing.T, env *graphtest.Env, p *model.Principal, query string) (int, [][]string) {
	t.Helper()
	h := graph.IndicatorsCSV(env.Store, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
