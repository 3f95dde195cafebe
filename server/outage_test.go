package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestOutage_ConnectionsFull: with every PostgreSQL connection slot taken (SQLSTATE
// 53300), requests wait for one within their deadline and succeed when slots free up;
// past the deadline they are answered 503 + Retry-After with the code UNAVAILABLE, by
// the GraphQL executor as by the authentication's staff lookup.
func TestOutage_ConnectionsFull(t *testing.T) {
	startPG, _ := privateCluster(t)
	cluster := startPG()
	t.Cleanup(func() { cluster.Stop() })
	url := cluster.URL(pgcluster.DefaultDatabase)
	m := startServerEnv(t, map[string]string{"DATABASE_URL": url, "AGIR_REQUEST_TIMEOUT": "3s", "AGIR_STAFF_CACHE_TTL": "1h"})
	ctx := context.Background()
	coordinator := token(t, m, model.RoleCoordinator)
	const query = `{ structures(first: 1) { totalCount } }`
	if status, body := gqlPost(t, m, coordinator, query, nil, nil); status != 200 || strings.Contains(string(body), "errors") {
		t.Fatalf("before: %d %s", status, body) // the coordinator's staff record is cached from here
	}

	// The filler takes every slot; closing one of its connections frees a slot.
	filler, err := sql.Open("pgx", url+" application_name=filler")
	if err != nil {
		t.Fatal(err)
	}
	filler.SetMaxIdleConns(0)
	t.Cleanup(func() { filler.Close() })
	var held []*sql.Conn
	fill := func() {
		t.Helper()
		for {
			c, err := filler.Conn(ctx)
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "53300" {
				return
			}
			if err != nil {
				t.Fatalf("filler: %v", err)
			}
			held = append(held, c)
		}
	}
	// Full, and the server's pool connections gone (as when another instance took the
	// slots). The real-time listener keeps its one connection: terminated, it reconnects
	// within 100 ms and would race the filler for the freed slot.
	takeAll := func() {
		t.Helper()
		for range 50 {
			fill()
			var others int
			if err := held[0].QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE backend_type = 'client backend' AND application_name <> 'filler' AND query NOT ILIKE 'LISTEN %'`).Scan(&others); err != nil {
				t.Fatal(err)
			}
			if others == 0 {
				return
			}
			time.Sleep(100 * time.Millisecond) // the terminated backends leave, their slots are taken next turn
		}
		t.Fatal("the server's connections keep coming back")
	}
	release := func(n int) {
		for range n {
			held[len(held)-1].Close()
			held = held[:len(held)-1]
		}
	}
	takeAll()
	t.Logf("connection slots taken by the filler: %d", len(held))

	t.Run("OKWaitsThenSucceeds", func(t *testing.T) {
		var wg sync.WaitGroup
		type result struct {
			status  int
			body    string
			elapsed time.Duration
		}
		results := make([]result, 5)
		begin := time.Now()
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var out map[string]any
				status, _ := gqlPostQuiet(m, coordinator, query, nil, &out)
				results[i] = result{status, strings.TrimSpace(toJSON(out)), time.Since(begin)}
			}()
		}
		time.Sleep(time.Second)
		release(10)
		wg.Wait()
		for i, r := range results {
			if r.status != 200 || strings.Contains(r.body, "errors") || r.elapsed < 900*time.Millisecond {
				t.Errorf("request %d: %d after %v: %s", i, r.status, r.elapsed, r.body)
			}
		}
		t.Logf("5 requests waited for a slot and succeeded, the last after %v", maxElapsed(results, func(r result) time.Duration { return r.elapsed }))
	})

	t.Run("ErrUnavailablePastTheDeadline", func(t *testing.T) {
		takeAll()
		for _, tc := range []struct{ name, tok string }{
			{"GraphQL (staff record cached)", coordinator},
			{"authentication (staff lookup)", token(t, m, model.RoleSocialWorker)},
		} {
			begin := time.Now()
			b, _ := jsonBody(query)
			req, _ := http.NewRequest(http.MethodPost, "http://"+m.Addr()+"/graphql", b)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tc.tok)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := readAll(res)
			waited := time.Since(begin)
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(body, `"code":"UNAVAILABLE"`) ||
				waited < 2*time.Second { // it waited for a slot, up to near the deadline (3s)
				t.Errorf("%s: %d Retry-After %q after %v: %s", tc.name, res.StatusCode, res.Header.Get("Retry-After"), waited, body)
			}
			t.Logf("%s: %d Retry-After %s after %v", tc.name, res.StatusCode, res.Header.Get("Retry-After"), waited.Round(time.Millisecond))
		}
		release(len(held))
		if status, body := gqlPost(t, m, coordinator, query, nil, nil); status != 200 || strings.Contains(string(body), "errors") {
			t.Fatalf("after: %d %s", status, body)
		}
	})
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func maxElapsed[T any](xs []T, f func(T) time.Duration) time.Duration {
	var m time.Duration
	for _, x := range xs {
		m = max(m, f(x))
	}
	return m.Round(time.Millisecond)
}

func jsonBody(query string) (io.Reader, error) {
	b, err := json.Marshal(map[string]any{"query": query})
	return bytes.NewReader(b), err
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
