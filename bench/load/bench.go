package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type bench struct {
	o      options
	out    io.Writer
	srv    *server
	pg     *process
	db     *sql.DB
	client *http.Client

	maxRSS, maxPGRSS atomic.Int64
	maxGoroutines    atomic.Int64
}

// result is one scenario's measure.
type result struct {
	name          string
	n, errs       int
	rps           float64
	p50, p95, p99 time.Duration
	firstErr      string
	// CPU time per request (ms) of the server answering (AGIR or PostGraphile) and of
	// PostgreSQL, from /proc: less sensitive than throughput to the other tenants of a
	// shared machine, and it tells where a request's cost goes.
	serverCPU, pgCPU float64
}

// sample is what one period of measure collected.
type sample struct {
	lat              []time.Duration
	errs             int
	firstErr         string
	elapsed          time.Duration
	serverCPU, pgCPU time.Duration
}

// measure runs op with o.concurrency workers for d and collects latencies.
func (b *bench) measure(ctx context.Context, name string, d time.Duration, op func(ctx context.Context, worker, i int) error) sample {
	return b.measureWith(ctx, name, d, 0, op)
}

// measureWith is measure with clients workers (0: o.concurrency).
func (b *bench) measureWith(ctx context.Context, name string, d time.Duration, clients int, op func(ctx context.Context, worker, i int) error) sample {
	if clients <= 0 {
		clients = b.o.concurrency
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var out sample
	var wg sync.WaitGroup
	server := b.srv.process
	if strings.HasSuffix(name, "/postgraphile") {
		server = b.pg
	}
	serverCPU0, pgCPU0 := server.cpu(), postgresCPU()
	start := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var lat []time.Duration
			e, fe := 0, ""
			for i := 0; ctx.Err() == nil; i++ {
				t0 := time.Now()
				err := op(ctx, w, i)
				if ctx.Err() != nil {
					break // cut by the end of the run: not counted
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					e++
					if fe == "" {
						fe = err.Error()
					}
				}
			}
			mu.Lock()
			out.lat = append(out.lat, lat...)
			out.errs += e
			if out.firstErr == "" {
				out.firstErr = fe
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	out.serverCPU, out.pgCPU = server.cpu()-serverCPU0, postgresCPU()-pgCPU0
	return out
}

// summarize makes the result of a scenario from its samples (one per round).
func summarize(name string, samples []sample) result {
	var all []time.Duration
	var elapsed, serverCPU, pgCPU time.Duration
	r := result{name: name}
	for _, s := range samples {
		all = append(all, s.lat...)
		elapsed += s.elapsed
		serverCPU += s.serverCPU
		pgCPU += s.pgCPU
		r.errs += s.errs
		if r.firstErr == "" {
			r.firstErr = s.firstErr
		}
	}
	slices.Sort(all)
	r.n = len(all)
	if len(all) > 0 {
		if !strings.Contains(name, "/sql") {
			r.serverCPU = serverCPU.Seconds() * 1000 / float64(len(all))
		}
		r.pgCPU = pgCPU.Seconds() * 1000 / float64(len(all))
		r.rps = float64(len(all)) / elapsed.Seconds()
		q := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
		r.p50, r.p95, r.p99 = q(0.50), q(0.95), q(0.99)
	}
	return r
}

// ---- GraphQL over HTTP ----

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

func (b *bench) graphql(ctx context.Context, base, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, r.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

func (b *bench) agir(role, query string, vars map[string]any) func(ctx context.Context, w, i int) error {
	return func(ctx context.Context, w, i int) error {
		return b.graphql(ctx, b.srv.base, b.srv.tokens[role], query, vars, nil)
	}
}

// rawSQL reads every row of query (the floor: the same data, one statement, no HTTP).
func (b *bench) rawSQL(query string, args ...any) func(ctx context.Context, w, i int) error {
	return func(ctx context.Context, w, i int) error {
		return readAll(b.db.QueryContext(ctx, query, args...))
	}
}

// rawSQLPrepared is rawSQL through a statement prepared once (as the server prepares
// its statements): the database alone answering the operation, the ceiling of any server
// that reads it for each request.
func (b *bench) rawSQLPrepared(query string) func(ctx context.Context, w, i int) error {
	var once sync.Once
	var stmt *sql.Stmt
	var prepErr error
	return func(ctx context.Context, w, i int) error {
		once.Do(func() { stmt, prepErr = b.db.PrepareContext(ctx, query) })
		if prepErr != nil {
			return prepErr
		}
		return readAll(stmt.QueryContext(ctx))
	}
}

// readAll scans every row of a query's result into throwaway values, as a client reading
// the answer would.
func readAll(rows *sql.Rows, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for k := range vals {
		ptrs[k] = &vals[k]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ---- canned operations ----

// The SPA's list: a page of 50 beneficiaries with their referents and structure, as a
// coordinator of department 69 sees it (default order: latest referral first).
const listQuery = `query List { beneficiaries(first: 50) { nodes { id firstName lastName phase
  referents { socialWorker { name } insertionCounsellor { name } } socialOperator { name } } } }`

// The same page without personal fields (staff names, operator, phase): nothing is
// written to the read audit, so the difference with listQuery is the audit's share.
const listQueryUnaudited = `query List { beneficiaries(first: 50) { nodes { id phase
  referents { socialWorker { name } insertionCounsellor { name } } socialOperator { name } } } }`

// The same data from PostGraphile (one SQL statement per query), restricted to the same
// department (PostGraphile has no notion of the coordinator's territory). Its default
// preset offers conditions on indexed columns only, so the referents come with their
// end (none has ended in the seeded data: the same rows).
const listQueryPostGraphile = `query List { allBeneficiaries(first: 50, orderBy: [REFERRED_ON_DESC, PRIMARY_KEY_DESC], condition: {department: "69"}) {
  nodes { id firstName lastName phase
    referentAssignmentsByBeneficiaryId { nodes { kind endedAt staffMemberByStaffMemberId { name } } }
    structureBySocialOperatorId { name } } } }`

// The floor of the list: one statement.
const listSQL = `SELECT b.id, b.first_name, b.last_name, b.phase, so.name,
  (SELECT m.name FROM referent_assignments r JOIN staff_members m ON m.id = r.staff_member_id
    WHERE r.beneficiary_id = b.id AND r.kind = 'SOCIAL_WORKER' AND r.ended_at IS NULL),
  (SELECT m.name FROM referent_assignments r JOIN staff_members m ON m.id = r.staff_member_id
    WHERE r.beneficiary_id = b.id AND r.kind = 'INSERTION_COUNSELLOR' AND r.ended_at IS NULL)
FROM beneficiaries b JOIN structures so ON so.id = b.social_operator_id
WHERE b.department = ANY('{69}'::text[]) ORDER BY b.referred_on DESC, b.id DESC LIMIT 50`

// The dashboard: a page of 50 with nested data.
const dashboardQuery = `query Dashboard { beneficiaries(first: 50, filter: {phases: [CONTRACTED, WELCOMED]}, orderBy: {field: JOURNEY_ENDS_ON, direction: ASC}) {
  totalCount nodes { id firstName lastName phase journeyEndsOn socialOperator { name } employmentOperator { name }
    referents { socialWorker { name } insertionCounsellor { name } } lastInterview { kind status plannedAt }
    orientations { status answerDueOn structure { name } } alerts { kind dueOn } } } }`

// Offers near a point (Lyon), as a social worker searching the offer map.
const offersQuery = `query Near { offers(first: 20, filter: {near: {latitude: 45.76, longitude: 4.84, radiusKm: 20}}) {
  totalCount nodes { id name structure { name } } } }`

const offersSQL = `SELECT o.id, o.nom, s.name, earth_distance(ll_to_earth(45.76, 4.84), ll_to_earth(o.latitude, o.longitude)) AS d,
  count(*) OVER () FROM offers o JOIN structures s ON s.id = o.structure_id
WHERE o.status = 'PUBLISHED' AND o.latitude IS NOT NULL
  AND earth_box(ll_to_earth(45.76, 4.84), 20000) @> ll_to_earth(o.latitude, o.longitude)
  AND earth_distance(ll_to_earth(45.76, 4.84), ll_to_earth(o.latitude, o.longitude)) <= 20000
ORDER BY d, o.id LIMIT 21`

// The floor of a department's network overview: the aggregates it shows, one statement.
const overviewSQL = `SELECT
  (SELECT json_object_agg(phase, n) FROM (SELECT phase, count(*) n FROM beneficiaries WHERE department = '69' GROUP BY phase) x),
  (SELECT json_object_agg(kind, n) FROM (SELECT a.kind, count(*) n FROM beneficiary_alerts a JOIN beneficiaries b ON b.id = a.beneficiary_id
     WHERE b.department = '69' AND a.active_from <= current_date GROUP BY a.kind) x),
  (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) n FROM offers WHERE department = '69' GROUP BY status) x),
  (SELECT count(*) FROM structures WHERE departments @> '{69}'),
  (SELECT count(*) FROM network_events WHERE departments @> '{69}' AND starts_at > now() - interval '1 year')`

// The floor of national indicators: journeys by phase and department, outcomes by kind.
const indicatorsSQL = `SELECT
  (SELECT json_agg(x) FROM (SELECT department, phase, count(*) n FROM beneficiaries GROUP BY department, phase) x),
  (SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*) n FROM outcomes GROUP BY kind) x),
  (SELECT json_object_agg(kind, n) FROM (SELECT kind, count(*) n FROM journey_exits GROUP BY kind) x)`

const supportActionMutation = `mutation($id: ID!) { recordSupportAction(input: {beneficiaryId: $id, kind: JOB_SEARCH, result: "Charge de test"}) {
  supportAction { id } userErrors { code message } } }`

// aggregateQuery builds, from the schema, a query of root field name selecting its
// scalar fields (and those of its objects, one level down), with department "69" when
// the field takes a department; "" when the field does not exist in this build.
func (b *bench) aggregateQuery(ctx context.Context, role, name string) (string, error) {
	var schema struct {
		Schema struct {
			QueryType struct {
				Fields []struct {
					Name string
					Args []struct {
						Name string
						Type typeRef
					}
					Type typeRef
				}
			}
			Types []struct {
				Name   string
				Kind   string
				Fields []struct {
					Name string
					Args []struct{ Type typeRef }
					Type typeRef
				}
			}
		} `json:"__schema"`
	}
	err := b.graphql(ctx, b.srv.base, b.srv.tokens[role], `{ __schema { queryType { fields { name args { name type { ...T } } type { ...T } } }
	  types { name kind fields { name args { type { ...T } } type { ...T } } } } }
	  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`, nil, &schema)
	if err != nil {
		return "", err
	}
	kinds := map[string]string{}
	for _, t := range schema.Schema.Types {
		kinds[t.Name] = t.Kind
	}
	var walk func(typ string, depth int) string
	walk = func(typ string, depth int) string {
		var p []string
		for _, t := range schema.Schema.Types {
			if t.Name != typ {
				continue
			}
			for _, f := range t.Fields {
				skip := false
				for _, a := range f.Args {
					if a.Type.Kind == "NON_NULL" {
						skip = true
					}
				}
				if skip {
					continue
				}
				named := f.Type.named()
				switch kinds[named] {
				case "SCALAR", "ENUM":
					p = append(p, f.Name)
				case "OBJECT":
					if depth > 0 && named != "Structure" && named != "Beneficiary" {
						if s := walk(named, depth-1); s != "" {
							p = append(p, f.Name+" { "+s+" }")
						}
					}
				}
			}
		}
		return strings.Join(p, " ")
	}
	for _, f := range schema.Schema.QueryType.Fields {
		if f.Name != name {
			continue
		}
		var args []string
		for _, a := range f.Args {
			if a.Name == "department" {
				args = append(args, `department: "69"`)
			} else if a.Type.Kind == "NON_NULL" {
				return "", fmt.Errorf("%s needs argument %s", name, a.Name)
			}
		}
		q := "{ " + name
		if len(args) > 0 {
			q += "(" + strings.Join(args, ", ") + ")"
		}
		named := f.Type.named()
		if k := kinds[named]; k == "OBJECT" {
			q += " { " + walk(named, 2) + " }"
		}
		return q + " }", nil
	}
	return "", nil
}

type typeRef struct {
	Kind   string
	Name   string
	OfType *typeRef
}

func (t typeRef) named() string {
	for x := &t; x != nil; x = x.OfType {
		if x.Name != "" {
			return x.Name
		}
	}
	return ""
}

// ---- the run ----

func (b *bench) sample(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if r := b.srv.rss(); r > b.maxRSS.Load() {
			b.maxRSS.Store(r)
		}
		if r := b.pg.rss(); r > b.maxPGRSS.Load() {
			b.maxPGRSS.Store(r)
		}
		if n++; n%5 == 0 {
			if g := b.goroutines(ctx); g > b.maxGoroutines.Load() {
				b.maxGoroutines.Store(g)
			}
		}
	}
}

// goroutines reads go_goroutines from the server's metrics.
func (b *bench) goroutines(ctx context.Context) int64 {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.srv.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer bench")
	resp, err := b.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "go_goroutines ") {
			var g float64
			fmt.Sscanf(strings.TrimPrefix(line, "go_goroutines "), "%g", &g)
			return int64(g)
		}
	}
	return 0
}

func (b *bench) runAll(ctx context.Context, pgNote string) error {
	b.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: b.o.concurrency * 2, MaxConnsPerHost: b.o.concurrency * 2}}
	b.db.SetMaxOpenConns(b.o.concurrency)
	b.db.SetMaxIdleConns(b.o.concurrency)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go b.sample(sctx)

	// contracted beneficiaries of 69, for the mutations of the mix
	var page struct {
		Beneficiaries struct{ Nodes []struct{ ID string } }
	}
	if err := b.graphql(ctx, b.srv.base, b.srv.tokens["coordinator"], `{ beneficiaries(first: 50, filter: {phases: [CONTRACTED]}) { nodes { id } } }`, nil, &page); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	ids := page.Beneficiaries.Nodes
	if len(ids) == 0 {
		return fmt.Errorf("no contracted beneficiary in department 69")
	}
	overview, err := b.aggregateQuery(ctx, "coordinator", "networkOverview")
	if err != nil {
		return err
	}
	indicators, err := b.aggregateQuery(ctx, "analyst", "indicators")
	if err != nil {
		return err
	}

	type scenario struct {
		name    string
		op      func(ctx context.Context, w, i int) error
		skip    string
		clients int // 0: o.concurrency
	}
	named := func(name string) func(scenario) bool { return func(s scenario) bool { return s.name == name } }
	scenarios := []scenario{
		{name: "list50/agir", op: b.agir("coordinator", listQuery, nil)},
		{name: "list50/postgraphile", skip: pgNote},
		{name: "list50/sql", op: b.rawSQL(listSQL)},
		{name: "list50/sql-prepared", op: b.rawSQLPrepared(listSQL)},
		{name: "list50-unaudited/agir", op: b.agir("coordinator", listQueryUnaudited, nil)},
		{name: "dashboard50/agir", op: b.agir("coordinator", dashboardQuery, nil)},
		{name: "offersNear/agir", op: b.agir("social_worker", offersQuery, nil)},
		{name: "offersNear/sql", op: b.rawSQL(offersSQL)},
		{name: "networkOverview/agir", skip: "networkOverview is not in this build's schema"},
		{name: "networkOverview/sql", op: b.rawSQL(overviewSQL)},
		{name: "indicators/agir", skip: "indicators is not in this build's schema"},
		{name: "indicators/sql", op: b.rawSQL(indicatorsSQL)},
		// Issue 19: the national indicators of one year by department, alone and with
		// o.concurrency analysts at once.
		{name: "indicatorsYear-1/agir", op: b.agir("analyst", indicatorsYearQuery, nil), clients: 1},
		{name: "indicatorsYear/agir", op: b.agir("analyst", indicatorsYearQuery, nil)},
		{name: "mix/agir", op: func(ctx context.Context, w, i int) error {
			switch (w + i) % 10 {
			case 0, 1, 2, 3, 4:
				return b.graphql(ctx, b.srv.base, b.srv.tokens["coordinator"], listQuery, nil, nil)
			case 5, 6:
				return b.graphql(ctx, b.srv.base, b.srv.tokens["social_worker"], offersQuery, nil, nil)
			case 7:
				return b.graphql(ctx, b.srv.base, b.srv.tokens["coordinator"], dashboardQuery, nil, nil)
			default:
				var r struct {
					RecordSupportAction struct {
						UserErrors []struct{ Code, Message string }
					}
				}
				err := b.graphql(ctx, b.srv.base, b.srv.tokens["coordinator"], supportActionMutation, map[string]any{"id": ids[(w*7+i)%len(ids)].ID}, &r)
				if err == nil && len(r.RecordSupportAction.UserErrors) > 0 {
					err = fmt.Errorf("user error %s: %s", r.RecordSupportAction.UserErrors[0].Code, r.RecordSupportAction.UserErrors[0].Message)
				}
				return err
			}
		}},
	}
	if b.pg != nil {
		scenarios[slices.IndexFunc(scenarios, named("list50/postgraphile"))] = scenario{name: "list50/postgraphile", op: func(ctx context.Context, w, i int) error {
			return b.graphql(ctx, b.pg.base, "", listQueryPostGraphile, nil, nil)
		}}
	}
	if overview != "" {
		scenarios[slices.IndexFunc(scenarios, named("networkOverview/agir"))] = scenario{name: "networkOverview/agir", op: b.agir("coordinator", overview, nil)}
	}
	if indicators != "" {
		scenarios[slices.IndexFunc(scenarios, named("indicators/agir"))] = scenario{name: "indicators/agir", op: b.agir("analyst", indicators, nil)}
	}

	results := map[string]result{}
	fmt.Fprintf(b.out, "%-22s %9s %9s %9s %9s %7s %11s %11s  %s\n", "scenario", "req/s", "p50", "p95", "p99", "errors", "server CPU", "pg CPU", "")
	show := func(r result) {
		note := ""
		if r.errs > 0 {
			note = "first error: " + r.firstErr
		}
		fmt.Fprintf(b.out, "%-22s %9.1f %9s %9s %9s %7d %11s %11s  %s\n", r.name, r.rps, ms(r.p50), ms(r.p95), ms(r.p99), r.errs,
			cpuPerRequest(r.serverCPU), cpuPerRequest(r.pgCPU), note)
	}
	// The list's scenarios, whose ratios are the targets, take turns: o.rounds rounds of
	// duration/rounds each; the others run one after another for the whole duration.
	var turns []scenario
	turnsRun := false
	runTurns := func() {
		if turnsRun || len(turns) == 0 {
			return
		}
		turnsRun = true
		samples := map[string][]sample{}
		for round := 0; round < b.o.rounds && ctx.Err() == nil; round++ {
			for _, t := range turns {
				samples[t.name] = append(samples[t.name], b.measure(ctx, t.name, b.o.duration/time.Duration(b.o.rounds), t.op))
			}
		}
		for _, t := range turns {
			results[t.name] = summarize(t.name, samples[t.name])
			show(results[t.name])
		}
	}
	for _, s := range scenarios {
		if !b.selected(s.name) {
			continue
		}
		if s.op == nil {
			fmt.Fprintf(b.out, "%-22s skipped: %s\n", s.name, s.skip)
			continue
		}
		// a short warm-up so that caches and pools are filled as in steady state
		if err := s.op(ctx, 0, 0); err != nil {
			fmt.Fprintf(b.out, "%-22s FAILED: %v\n", s.name, err)
			continue
		}
		if strings.HasPrefix(s.name, "list50/") {
			turns = append(turns, s)
			continue
		}
		runTurns()
		results[s.name] = summarize(s.name, []sample{b.measureWith(ctx, s.name, b.o.duration, s.clients, s.op)})
		show(results[s.name])
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	runTurns()
	stop()

	fmt.Fprintf(b.out, "\nratios (targets of issue 9)\n")
	ag, pg := results["list50/agir"], results["list50/postgraphile"]
	if pg.n > 0 && ag.n > 0 {
		fmt.Fprintf(b.out, "  list50 throughput AGIR / PostGraphile     %6.2f×  (target ≥ 2×: %s)\n", ag.rps/pg.rps, verdict(ag.rps/pg.rps >= 2))
		fmt.Fprintf(b.out, "  list50 p99 AGIR / PostGraphile            %6.2f   (target ≤ 1: %s)\n", ag.p99.Seconds()/pg.p99.Seconds(), verdict(ag.p99 <= pg.p99))
	} else if b.pg != nil {
		fmt.Fprintf(b.out, "  list50 vs PostGraphile                    not measured: its query failed (above; log %s)\n", b.pg.log)
	} else {
		fmt.Fprintf(b.out, "  list50 vs PostGraphile                    not measured: %s\n", pgNote)
	}
	if s := results["list50/sql-prepared"]; s.n > 0 && pg.n > 0 {
		fmt.Fprintf(b.out, "  list50 throughput raw SQL, prepared / PostGraphile %5.2f×  (the database alone: the ceiling of a server reading it per request)\n", s.rps/pg.rps)
	}
	if s := results["list50/sql"]; s.n > 0 && ag.n > 0 {
		fmt.Fprintf(b.out, "  list50 p50 AGIR / raw SQL                 %6.2f   (the floor, for information)\n", ag.p50.Seconds()/s.p50.Seconds())
	}
	if a, s := results["offersNear/agir"], results["offersNear/sql"]; a.n > 0 && s.n > 0 {
		fmt.Fprintf(b.out, "  offersNear p50 AGIR / raw SQL             %6.2f   (for information)\n", a.p50.Seconds()/s.p50.Seconds())
	}
	for _, k := range []string{"networkOverview", "indicators"} {
		a, s := results[k+"/agir"], results[k+"/sql"]
		if a.n > 0 && s.n > 0 {
			// The floor reads a few of the aggregates the query computes (the overview's
			// phases, alerts, offers and events; three of the 31 indicators): the ≤ 1.5
			// target is measured against the same aggregates by go test -bench
			// 'Indicators|NetworkOverview' ./graph/ (see the README).
			r := a.p50.Seconds() / s.p50.Seconds()
			fmt.Fprintf(b.out, "  %-16s p50 AGIR / raw SQL        %6.2f   (for information: the SQL floor is a subset of the aggregates)\n", k, r)
		} else if b.o.only != "" {
			fmt.Fprintf(b.out, "  %-16s AGIR / raw SQL            not measured: not selected by -only %q\n", k, b.o.only)
		} else {
			fmt.Fprintf(b.out, "  %-16s AGIR / raw SQL            not measured: no %s query in this build\n", k, k)
		}
	}
	b.issue19(results)
	rss := float64(b.maxRSS.Load()) / (1 << 20)
	fmt.Fprintf(b.out, "  server RSS, maximum under load            %6.0f MB (target < 250 MB: %s)\n", rss, verdict(rss > 0 && rss < 250))
	fmt.Fprintf(b.out, "  server goroutines, maximum under load     %6d\n", b.maxGoroutines.Load())
	if b.pg != nil {
		fmt.Fprintf(b.out, "  PostGraphile RSS, maximum under load      %6.0f MB\n", float64(b.maxPGRSS.Load())/(1<<20))
	}
	return nil
}

// cpuPerRequest formats CPU milliseconds per request ("-" when not measured).
func cpuPerRequest(v float64) string {
	if v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fms/req", v)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// indicatorsYearQuery: the 31 indicators of one year by department, as a national
// analyst (issue 19).
const indicatorsYearQuery = `{ indicators(input: {period: {from: "2025-01-01", to: "2025-12-31"}, breakdown: DEPARTMENT}) {
  from to rows { indicator total { value numerator denominator suppressed } cells { key value numerator denominator suppressed } } } }`

// issue19 prints the targets of issue 19 with their verdicts; a missed target says by
// how much.
func (b *bench) issue19(results map[string]result) {
	fmt.Fprintf(b.out, "\ntargets of issue 19 (journey facts)\n")
	judge := func(label string, r result, got time.Duration, limit time.Duration) {
		if r.n == 0 {
			fmt.Fprintf(b.out, "  %-44s not measured (-only %q)\n", label, b.o.only)
			return
		}
		v := verdict(got <= limit)
		if got > limit {
			v += fmt.Sprintf(" by %s (%.1f×)", ms(got-limit), got.Seconds()/limit.Seconds())
		}
		fmt.Fprintf(b.out, "  %-44s %9s (target ≤ %s: %s)\n", label, ms(got), ms(limit), v)
	}
	ov := results["networkOverview/agir"]
	judge(fmt.Sprintf("networkOverview one department p95, %d clients", b.o.concurrency), ov, ov.p95, 100*time.Millisecond)
	one := results["indicatorsYear-1/agir"]
	judge("national indicators, one year by dept, 1 client p50", one, one.p50, 300*time.Millisecond)
	many := results["indicatorsYear/agir"]
	judge(fmt.Sprintf("national indicators p50, %d concurrent analysts", b.o.concurrency), many, many.p50, time.Second)
	mix := results["mix/agir"]
	switch {
	case mix.n == 0:
		fmt.Fprintf(b.out, "  %-44s not measured (-only %q)\n", "mix throughput vs the build before", b.o.only)
	case b.o.mixBefore <= 0:
		fmt.Fprintf(b.out, "  %-44s %7.1f req/s (not judged: give -mix-before, the older build's req/s in the same run)\n", "mix throughput", mix.rps)
	default:
		r := mix.rps / b.o.mixBefore
		fmt.Fprintf(b.out, "  %-44s %6.2f×  (%.1f / %.1f req/s; target ≥ 0.90×: %s)\n", "mix throughput / before", r, mix.rps, b.o.mixBefore, verdict(r >= 0.9))
	}
}

// selected reports whether scenario name is selected by -only (comma-separated parts,
// any of which the name contains).
func (b *bench) selected(name string) bool {
	if b.o.only == "" {
		return true
	}
	for _, part := range strings.Split(b.o.only, ",") {
		if part != "" && strings.Contains(name, part) {
			return true
		}
	}
	return false
}
