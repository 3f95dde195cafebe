// Command load measures AGIR at scale (issue 9), side by side in one run: it seeds a
// database (db/seed) when empty, starts the server on it, runs canned operations that
// stand for the SPA and the analysts with N concurrent clients on loopback for D seconds
// each, times the same data read as raw SQL (the floor), runs PostGraphile v5 on the same
// database for the equivalent list query when Node and npm are available, and prints
// requests per second, p50/p95/p99 latency and the ratios of the targets.
//
//	go run ./bench/load -scale department            # one department, seeded in seconds
//	go run ./bench/load -scale national -duration 10s # 150 000 journeys (seeded once, minutes)
//
// The database is a private PostgreSQL cluster under -data-dir (kept between runs, so
// the seed is paid once), or DATABASE_URL when set.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/db/seed"
)

type options struct {
	scale        string
	duration     time.Duration
	concurrency  int
	dataDir      string
	postgraphile string
	only         string
	rounds       int
	migrate      bool    // apply this build's migrations (off to measure an older build's server on its own database)
	mixBefore    float64 // mix/agir req/s of the build before (issue 19's target), measured in the same run
}

func main() {
	var o options
	flag.StringVar(&o.scale, "scale", "department", "data set: department or national (db/seed)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "duration of each scenario")
	flag.IntVar(&o.concurrency, "concurrency", 8, "concurrent clients")
	flag.StringVar(&o.dataDir, "data-dir", "", "directory of the private PostgreSQL cluster and the server's files (default $TMPDIR/agir-bench-<scale>)")
	flag.StringVar(&o.postgraphile, "postgraphile", "auto", "run PostGraphile v5 for the comparison: auto (when npm is found), on, off")
	flag.StringVar(&o.only, "only", "", "run only the scenarios whose name contains this (or one of these, comma-separated)")
	flag.IntVar(&o.rounds, "rounds", 3, "the list's scenarios (AGIR, PostGraphile, raw SQL) take turns in this many rounds of duration/rounds each, so that a slower or faster moment of a shared machine weighs on each of them alike")
	flag.BoolVar(&o.migrate, "migrate", true, "apply this build's migrations to the database (-migrate=false when the server measured is an older build, run from its clone)")
	flag.Float64Var(&o.mixBefore, "mix-before", 0, "mix/agir throughput (req/s) of the build before, measured in the same run: the mix target of issue 19 is judged against it")
	flag.Parse()
	if o.rounds < 1 {
		o.rounds = 1
	}
	if o.dataDir == "" {
		o.dataDir = filepath.Join(os.TempDir(), "agir-bench-"+o.scale)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	if _, ok := seed.Scales[o.scale]; !ok {
		return fmt.Errorf("unknown scale %q", o.scale)
	}
	if err := os.MkdirAll(o.dataDir, 0o755); err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "AGIR load test — scale %s, %d clients, %s per scenario\n%s\n\n", o.scale, o.concurrency, o.duration, machine())

	// 1. the database, seeded once
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: filepath.Join(o.dataDir, "pg")})
		if err != nil {
			return fmt.Errorf("private PostgreSQL: %w", err)
		}
		defer c.Stop()
		url = c.URL(pgcluster.DefaultDatabase)
	}
	if o.migrate {
		if _, err := db.Migrate(ctx, url); err != nil {
			return err
		}
	}
	conn, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM beneficiaries`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintf(out, "seeding scale %s...\n", o.scale)
		rep, err := seed.Load(ctx, url, o.scale, seed.DefaultSeed)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "seeded %d rows in %s\n", rep.Total(), rep.Duration.Round(time.Second))
		t0 := time.Now()
		facts, err := db.FillJourneyFacts(ctx, url)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "journey facts: %d rows in %s\n\n", facts, time.Since(t0).Round(time.Second))
	} else {
		fmt.Fprintf(out, "database already seeded: %d beneficiaries\n\n", n)
	}
	if _, err := conn.ExecContext(ctx, `ANALYZE`); err != nil {
		return err
	}

	// 2. the server, built from this clone
	srv, err := startServer(ctx, out, root, o.dataDir, url)
	if err != nil {
		return err
	}
	defer srv.stop()

	// 3. PostGraphile, when it can run here
	var pg *process
	var pgNote string
	if o.postgraphile != "off" {
		pg, pgNote = startPostGraphile(ctx, root, o.dataDir, url)
		if pg == nil && o.postgraphile == "on" {
			return errors.New("PostGraphile: " + pgNote)
		}
		if pg != nil {
			defer pg.stop()
		}
	} else {
		pgNote = "turned off (-postgraphile off)"
	}

	b := &bench{o: o, out: out, srv: srv, pg: pg, db: conn}
	return b.runAll(ctx, pgNote)
}

// moduleRoot is the directory of go.mod (the load script runs from a clone).
func moduleRoot() (string, error) {
	outp, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(outp))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from the repository (go.mod not found)")
	}
	return filepath.Dir(mod), nil
}

// process is a child process the script started (the server, PostGraphile).
type process struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	log  string
}

func (p *process) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// rss is the resident memory of the process in bytes (Linux), 0 when unknown.
func (p *process) rss() int64 {
	if p == nil || p.cmd.Process == nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%d", &kb)
			return kb * 1024
		}
	}
	return 0
}

// cpu is the CPU time (user and system) the process has used so far, 0 when unknown.
func (p *process) cpu() time.Duration {
	if p == nil || p.cmd.Process == nil {
		return 0
	}
	return statCPU(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
}

// postgresCPU is the CPU time used so far by the running PostgreSQL processes (all the
// machine's: the benchmark's cluster does the work, the others idle).
func postgresCPU() time.Duration {
	var total time.Duration
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		if b, err := os.ReadFile(filepath.Join(filepath.Dir(path), "comm")); err == nil && strings.TrimSpace(string(b)) == "postgres" {
			total += statCPU(path)
		}
	}
	return total
}

// statCPU reads utime and stime from a /proc/<pid>/stat file.
func statCPU(path string) time.Duration {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	// the command name (field 2) is in parentheses and may hold spaces: fields count
	// from the last ')'
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 13 {
		return 0
	}
	var utime, stime int64
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTicks = 100

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %s", url, timeout)
}

type server struct {
	*process
	bin    string
	env    []string
	tokens map[string]string
}

func startServer(ctx context.Context, out io.Writer, root, dataDir, url string) (*server, error) {
	bin := filepath.Join(dataDir, "agir-server")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./server")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("build server: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "DATABASE_URL="+url, fmt.Sprintf("PORT=%d", port), "AGIR_DEMO=off",
		"AGIR_DATA_DIR="+filepath.Join(dataDir, "server"), "AGIR_RATE_CAPACITY=0", "LOG_LEVEL=warn", "AGIR_ENV=development",
		"AGIR_METRICS_TOKEN=bench")
	logPath := filepath.Join(dataDir, "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	// The nightly anonymisation, run to its end before the server starts: on a freshly
	// seeded data set the server's own run at start would anonymise thousands of closed
	// journeys (minutes of writes) under the measures. Nothing to do on later runs.
	start := time.Now()
	anonymise := exec.CommandContext(ctx, bin, "maintenance", "anonymise")
	anonymise.Env, anonymise.Stderr = env, logf
	done, err := anonymise.Output()
	if err != nil {
		return nil, fmt.Errorf("maintenance anonymise: %w (log: %s)", err, logPath)
	}
	fmt.Fprintf(out, "%s in %s\n", strings.TrimSpace(string(done)), time.Since(start).Round(time.Second))
	cmd := exec.Command(bin)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{process: &process{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), log: logPath}, bin: bin, env: env, tokens: map[string]string{}}
	if err := waitHTTP(ctx, s.base+"/readyz", 60*time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("server: %w (log: %s)", err, logPath)
	}
	for _, role := range []string{"coordinator", "social_worker", "insertion_counsellor", "analyst", "admin"} {
		tok := exec.Command(bin, "token", "-role", role)
		tok.Env = env
		b, err := tok.Output()
		if err != nil {
			s.stop()
			return nil, fmt.Errorf("token %s: %w", role, err)
		}
		s.tokens[role] = strings.TrimSpace(string(b))
	}
	return s, nil
}

// startPostGraphile installs (npm ci) and starts PostGraphile v5 with Node 22 from
// bench/postgraphile, or says why it cannot.
func startPostGraphile(ctx context.Context, root, dataDir, url string) (*process, string) {
	dir := filepath.Join(root, "bench", "postgraphile")
	if _, err := exec.LookPath("npm"); err != nil {
		return nil, "npm not found: install Node.js and npm to compare with PostGraphile"
	}
	node := filepath.Join(dir, "node_modules", "node", "bin", "node")
	cli := filepath.Join(dir, "node_modules", "postgraphile", "dist", "cli-run.js")
	if _, err := os.Stat(node); err != nil {
		ci := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
		ci.Dir = dir
		if b, err := ci.CombinedOutput(); err != nil {
			return nil, fmt.Sprintf("npm ci failed: %v: %s", err, lastLines(string(b), 5))
		}
	}
	if _, err := os.Stat(cli); err != nil {
		return nil, "postgraphile CLI not found after npm ci: " + cli
	}
	port, err := freePort()
	if err != nil {
		return nil, err.Error()
	}
	logPath := filepath.Join(dataDir, "postgraphile.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err.Error()
	}
	cmd := exec.Command(node, cli, "-P", "postgraphile/presets/amber", "-c", nodeURL(url), "-s", "public",
		"--host", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logf, logf
	cmd.Env = append(os.Environ(), "NODE_ENV=production")
	if err := cmd.Start(); err != nil {
		return nil, err.Error()
	}
	p := &process{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), log: logPath}
	if err := waitHTTP(ctx, p.base+"/graphql", 90*time.Second); err != nil {
		p.stop()
		b, _ := os.ReadFile(logPath)
		return nil, fmt.Sprintf("PostGraphile did not start: %v: %s", err, lastLines(string(b), 5))
	}
	return p, "PostGraphile v5 (" + cmdVersion(node) + ")"
}

// nodeURL is url as node-postgres reads it: key=value strings (those of the private
// cluster, on a Unix socket) become postgres://user@%2Fsocket%2Fdir:port/dbname.
func nodeURL(url string) string {
	if strings.Contains(url, "://") {
		return url
	}
	kv := map[string]string{}
	for _, f := range strings.Fields(url) {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = strings.Trim(v, "'")
		}
	}
	host := kv["host"]
	if strings.HasPrefix(host, "/") {
		host = neturl.PathEscape(host)
		host = strings.ReplaceAll(host, "/", "%2F")
	}
	if p := kv["port"]; p != "" {
		host += ":" + p
	}
	return fmt.Sprintf("postgres://%s@%s/%s", kv["user"], host, kv["dbname"])
}

func cmdVersion(node string) string {
	b, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "node ?"
	}
	return "node " + strings.TrimSpace(string(b))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// machine describes where the figures were measured.
func machine() string {
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:")), "%d", &kb)
		mem = fmt.Sprintf("%.1f GiB", float64(kb)/1024/1024)
	}
	nproc := "?"
	if b, err := exec.Command("nproc").Output(); err == nil {
		nproc = strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("machine: %s CPU(s), %s, RAM %s", nproc, cpu, mem)
}
