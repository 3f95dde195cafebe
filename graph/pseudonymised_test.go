package graph_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

func TestPseudonymisedJourneys(t *testing.T) {
	env, d := indicatorEnv(t)
	key := []byte("a pseudonym key of at least 32 bytes!")
	env.Store.PseudonymKey = key
	analyst := demoPrincipal(t, env, model.RoleAnalyst)
	pseudonym := func(name string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(d.ids[name]))
		return hex.EncodeToString(m.Sum(nil))[:32]
	}
	const query = `query($f: PseudonymisedJourneyFilter, $first: Int, $after: String) {
		pseudonymisedJourneys(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
			nodes { pseudonym department protectionType sex ageBand household cohortMonth phase entryMonth exitMonth exitKind
				exitReason housingAtExit outcomeKinds employmentOrTrainingAtExit durableEmploymentAtExit evaluations followUps } } }`
	type node struct {
		Pseudonym, Department, ProtectionType, Sex, AgeBand, Household, CohortMonth, Phase string
		EntryMonth, ExitMonth, ExitKind, ExitReason, HousingAtExit                         *string
		OutcomeKinds, Evaluations, FollowUps                                               []string
		EmploymentOrTrainingAtExit, DurableEmploymentAtExit                                *bool
	}
	var out struct {
		PseudonymisedJourneys struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Nodes []node
		}
	}

	t.Run("OK", func(t *testing.T) {
		r := env.Do(analyst, query, map[string]any{"first": 100})
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if strings.Contains(string(r.Data), "Test") || strings.Contains(string(r.Data), d.ids["E"]) {
			t.Fatalf("a name or an id reached the analyst: %s", r.Data)
		}
		if err := json.Unmarshal(r.Data, &out); err != nil {
			t.Fatal(err)
		}
		c := out.PseudonymisedJourneys
		if c.TotalCount != len(indicatorJourneys) || len(c.Nodes) != len(indicatorJourneys) {
			t.Fatalf("total %d, nodes %d", c.TotalCount, len(c.Nodes))
		}
		var e *node
		for i, n := range c.Nodes {
			if i > 0 && c.Nodes[i-1].Pseudonym >= n.Pseudonym {
				t.Errorf("not ordered by pseudonym")
			}
			if n.Pseudonym == pseudonym("E") {
				e = &c.Nodes[i]
			}
		}
		if e == nil {
			t.Fatal("E's pseudonym is not HMAC-SHA256(key, id)")
		}
		if e.Department != "69" || e.AgeBand != "FROM_26_TO_35" || e.Household != "ALONE" || e.CohortMonth != "2024-01" ||
			*e.EntryMonth != "2024-01" || *e.ExitMonth != "2026-02" || *e.ExitKind != "EXIT" || *e.ExitReason != "GOALS_REACHED" ||
			*e.HousingAtExit != "PERMANENT_HOUSING" || !*e.EmploymentOrTrainingAtExit || !*e.DurableEmploymentAtExit ||
			strings.Join(e.OutcomeKinds, ",") != "EMPLOYMENT" || strings.Join(e.Evaluations, ",") != "ENTRY,EXIT,MID_COURSE" ||
			strings.Join(e.FollowUps, ",") != "THREE_MONTHS" {
			t.Errorf("E = %+v", *e)
		}
	})

	t.Run("OKPagesAndFilter", func(t *testing.T) {
		env.MustDo(analyst, query, map[string]any{"first": 4}, &out)
		first := out.PseudonymisedJourneys
		out.PseudonymisedJourneys.Nodes = nil // Unmarshal would reuse the array
		if len(first.Nodes) != 4 || !first.PageInfo.HasNextPage {
			t.Fatalf("first page = %+v", first)
		}
		env.MustDo(analyst, query, map[string]any{"first": 100, "after": first.PageInfo.EndCursor}, &out)
		if n := len(out.PseudonymisedJourneys.Nodes); n != len(indicatorJourneys)-4 || out.PseudonymisedJourneys.Nodes[0].Pseudonym <= first.Nodes[3].Pseudonym {
			t.Errorf("second page: %d nodes", n)
		}
		out.PseudonymisedJourneys.Nodes = nil
		env.MustDo(analyst, query, map[string]any{"f": map[string]any{"departments": []string{"38"}, "cohortFrom": "2026-01"}}, &out)
		if n := out.PseudonymisedJourneys.Nodes; len(n) != 1 || n[0].Pseudonym != pseudonym("I") {
			t.Errorf("Isère 2026 = %+v", n)
		}
	})

	t.Run("ErrBadMonth", func(t *testing.T) {
		r := env.Do(analyst, query, map[string]any{"f": map[string]any{"cohortFrom": "2026-13"}})
		if len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID_INPUT" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})

	t.Run("ErrNotAnalyst", func(t *testing.T) {
		r := env.Do(demoPrincipal(t, env, model.RoleCoordinator), query, nil)
		if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Fatalf("errors = %+v", r.Errors)
		}
	})
}
