package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/server/auth"
)

// The databases of TestServer/DatabaseURL start empty (no migration in the template);
// the test brings one to the previous release, and the server applies the rest.
func TestMain(m *testing.M) { dbtest.Main(m, nil) }

// Start-up and shut-down limits of the server process under test. The first start of
// a private cluster runs initdb, the slow part (a few seconds).
const (
	startTimeout = 2 * time.Minute
	stopTimeout  = 30 * time.Second
)

// TestServer builds the server binary once and runs it as a user would: on a private
// cluster (first start, tokens, authentication failures, SIGTERM, restart, Ctrl-C with
// a request in flight), without PostgreSQL binaries, and on an existing server given
// by DATABASE_URL.
func TestServer(t *testing.T) {
	bin := buildServer(t)

	t.Run("PrivateCluster", func(t *testing.T) {
		dir := dataDir(t)
		env := []string{"AGIR_DATA_DIR=" + dir}
		s := startProcess(t, bin, env)
		if applied := s.applied(); len(applied) == 0 {
			t.Errorf("first start applied migrations %v, want all", applied)
		}
		for _, msg := range []string{"private PostgreSQL started", "pgcluster: initdb", "demo data loaded"} {
			if !s.logged(msg) {
				t.Errorf("first start did not log %q", msg)
			}
		}
		pg := s.postgresProcesses(t, dir)

		t.Run("EveryPrintedToken", func(t *testing.T) {
			for _, r := range model.AllRoles {
				var d struct {
					Me struct {
						Role, Email string
						Structure   struct{ Name string }
					}
				}
				s.mustQuery(t, s.tokens[r], `{ me { role email structure { name } } }`, &d)
				if d.Me.Role != string(r) || d.Me.Email != string(r)+"@demo.agir.local" || d.Me.Structure.Name == "" {
					t.Errorf("token of %s: me = %+v", r, d.Me)
				}
			}
		})
		t.Run("TokenCommand", func(t *testing.T) {
			out, err := command(bin, env, "token", "-role", "coordinator").Output()
			if err != nil {
				t.Fatalf("token -role coordinator: %v (%s)", err, exitDetail(err))
			}
			tok := strings.TrimSpace(string(out))
			if strings.ContainsAny(tok, " \n") || tok == "" {
				t.Fatalf("token command printed %q, want one token", out)
			}
			var d struct {
				Me struct {
					Role      string
					Structure struct{ Name string }
				}
			}
			s.mustQuery(t, tok, `{ me { role structure { name } } }`, &d)
			if d.Me.Role != "coordinator" || !strings.HasPrefix(d.Me.Structure.Name, "HESTIA") {
				t.Fatalf("me = %+v", d.Me)
			}
		})
		t.Run("Health", func(t *testing.T) {
			for _, path := range []string{"/healthz", "/readyz"} {
				resp, err := http.Get(s.base + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
				}
			}
		})
		t.Run("ErrAuthentication", func(t *testing.T) {
			secret, err := os.ReadFile(filepath.Join(dir, "dev-secret"))
			if err != nil {
				t.Fatal(err)
			}
			server := auth.DevSigner{Secret: bytes.TrimSpace(secret)}
			other := make([]byte, 32)
			rand.Read(other)
			sign := func(s auth.DevSigner, p model.Principal) string {
				tok, err := s.Sign(p)
				if err != nil {
					t.Fatal(err)
				}
				return "Bearer " + tok
			}
			coordinator := auth.DevPrincipal(model.RoleCoordinator)
			expired := server
			expired.Now = func() time.Time { return time.Now().Add(-auth.DefaultDevTTL - time.Hour) }
			for _, tc := range []struct{ name, header, message string }{
				{"ErrNoToken", "", "absent"},
				{"ErrNotBearer", "Basic " + s.tokens[model.RoleCoordinator], "invalide"},
				{"ErrGarbage", "Bearer not.a.jwt", "invalide"},
				{"ErrOtherSecret", sign(auth.DevSigner{Secret: other}, coordinator), "invalide"},
				{"ErrExpired", sign(expired, coordinator), "expiré"},
				{"ErrInactiveStaff", sign(server, model.Principal{Subject: "dev-paul", Email: "paul.ancien@arsl.demo.agir.local",
					Role: model.RoleSocialWorker}), "invalide"},
				{"ErrUnknownEmail", sign(server, model.Principal{Subject: "dev-nobody", Email: "nobody@demo.agir.local",
					Role: model.RoleCoordinator}), "invalide"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					status, header, body := s.post(t, tc.header, `{ me { role } structures(first: 1) { totalCount } }`)
					var r struct {
						Data   *json.RawMessage
						Errors []struct {
							Message    string
							Extensions struct{ Code, RequestID string }
						}
					}
					if err := json.Unmarshal(body, &r); err != nil {
						t.Fatalf("body %q: %v", body, err)
					}
					if status != http.StatusUnauthorized || r.Data != nil || len(r.Errors) != 1 ||
						r.Errors[0].Extensions.Code != string(model.CodeUnauthenticated) {
						t.Fatalf("got %d %s, want 401 with one UNAUTHENTICATED error and no data", status, body)
					}
					if !strings.Contains(r.Errors[0].Message, tc.message) {
						t.Errorf("message %q does not say %q", r.Errors[0].Message, tc.message)
					}
					if !strings.HasPrefix(header.Get("WWW-Authenticate"), "Bearer") || header.Get("X-Request-Id") == "" ||
						r.Errors[0].Extensions.RequestID != header.Get("X-Request-Id") {
						t.Errorf("headers %v, error %+v", header, r.Errors[0])
					}
				})
			}
		})
		structures := s.structureCount(t)
		oldToken := s.tokens[model.RoleCoordinator]

		s.terminate(t)
		if !s.logged("private PostgreSQL stopped") {
			t.Error("SIGTERM: no log of the cluster's stop")
		}
		pg.assertGone(t)
		if t.Failed() {
			return
		}

		t.Run("Restart", func(t *testing.T) {
			s := startProcess(t, bin, env)
			if applied := s.applied(); len(applied) != 0 {
				t.Errorf("second start applied migrations %v, want none", applied)
			}
			for _, msg := range []string{"pgcluster: initdb", "demo data loaded"} {
				if s.logged(msg) {
					t.Errorf("second start logged %q", msg)
				}
			}
			pg := s.postgresProcesses(t, dir)
			if n := s.structureCount(t); n != structures {
				t.Errorf("%d structures after restart, %d before", n, structures)
			}
			var d struct{ Me struct{ Role string } }
			s.mustQuery(t, oldToken, `{ me { role } }`, &d) // the secret is kept in the data directory
			if d.Me.Role != "coordinator" {
				t.Errorf("token of the first run: me = %+v", d.Me)
			}
			s.terminate(t)
			pg.assertGone(t)
		})

		// Ctrl-C in a terminal sends SIGINT to the whole foreground process group: the
		// cluster must not get it, so that requests in flight drain against a live
		// database before the server stops it.
		t.Run("CtrlCDrainsRequestsFirst", func(t *testing.T) {
			s := startProcess(t, bin, env, func(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} })
			pg := s.postgresProcesses(t, dir)
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			body := `{"query":"{ structures(first: 1) { totalCount } }"}`
			fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"+
				"Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s", oldToken, len(body), body[:10])
			time.Sleep(100 * time.Millisecond) // the request is in flight, its body half sent
			if err := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(10 * time.Second); !s.logged("shutting down: closing WebSockets, draining requests"); {
				if time.Now().After(deadline) {
					t.Fatal("SIGINT: the server did not start draining")
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond) // a postmaster that got SIGINT too is down by now
			if _, err := conn.Write([]byte(body[10:])); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("request in flight during shutdown: %v", err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var answer struct {
				Data   json.RawMessage
				Errors []any
			}
			_ = json.Unmarshal(got, &answer)
			if want := fmt.Sprintf(`{"structures":{"totalCount":%d}}`, structures); resp.StatusCode != http.StatusOK ||
				string(answer.Data) != want || len(answer.Errors) > 0 {
				t.Errorf("request in flight during shutdown: %d %s, want data %s", resp.StatusCode, got, want)
			}
			s.wait(t)
			pg.assertGone(t)
		})
	})

	t.Run("MissingBinaries", func(t *testing.T) {
		empty := dataDir(t)
		dir := dataDir(t)
		cmd := command(bin, []string{"PATH=" + empty, pgcluster.BinDirEnv + "=" + empty, "AGIR_DATA_DIR=" + dir, "PORT=0"})
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		start := time.Now()
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 {
			t.Fatalf("run without PostgreSQL: %v, want a non-zero exit (stderr %q)", err, stderr.String())
		}
		msg := strings.TrimSpace(stderr.String())
		if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "postgresql") || !strings.Contains(msg, "DATABASE_URL") {
			t.Errorf("stderr %q, want one line naming the package postgresql and DATABASE_URL", msg)
		}
		if stdout.Len() != 0 {
			t.Errorf("stdout %q, want nothing", stdout.String())
		}
		if _, err := os.Stat(filepath.Join(dir, "pg")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s/pg: %v, want nothing created", dir, err)
		}
		t.Logf("failed in %s with: %s", time.Since(start).Round(time.Millisecond), msg)
	})

	t.Run("DatabaseURL", func(t *testing.T) {
		url := dbtest.NewDatabase(t) // on DATABASE_URL's server when set, else on this test's cluster
		// The database is at the previous release: all migrations but the last.
		conn, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		migrations, err := db.NewMigrationProvider(conn) // the SQL files and the Go migrations
		if err != nil {
			t.Fatal(err)
		}
		sources := migrations.ListSources()
		if len(sources) < 2 {
			t.Fatalf("%d migrations, this test needs two", len(sources))
		}
		last := sources[len(sources)-1].Version
		if _, err := migrations.UpTo(t.Context(), sources[len(sources)-2].Version); err != nil {
			t.Fatal(err)
		}
		conn.Close()

		dir := dataDir(t)
		s := startProcess(t, bin, []string{"DATABASE_URL=" + url, "AGIR_DATA_DIR=" + dir})
		if applied := s.applied(); len(applied) != 1 || applied[0] != float64(last) {
			t.Errorf("migrations applied: %v, want only the new one, %d", applied, last)
		}
		if s.logged("private PostgreSQL started") {
			t.Error("started a private cluster although DATABASE_URL is set")
		}
		if _, err := os.Stat(filepath.Join(dir, "pg")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s/pg: %v, want nothing created", dir, err)
		}
		if kids := childrenOf(s.cmd.Process.Pid); len(kids) != 0 {
			t.Errorf("the server has child processes %v, want none", kids)
		}
		if pids := postgresMentioning(dir); len(pids) != 0 {
			t.Errorf("postgres processes %v use %s", pids, dir)
		}
		var d struct{ Me struct{ Role string } }
		s.mustQuery(t, s.tokens[model.RoleCoordinator], `{ me { role } }`, &d)
		if d.Me.Role != "coordinator" || s.structureCount(t) < 20 {
			t.Errorf("me = %+v, want the demo loaded into DATABASE_URL", d.Me)
		}
		s.terminate(t)
	})
}

// buildServer builds this package's binary into a test directory.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "agir-server")
	start := time.Now()
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built the server in %s", time.Since(start).Round(time.Millisecond))
	return bin
}

// dataDir returns a fresh directory under /var/tmp that the unprivileged user running
// PostgreSQL can traverse (t.TempDir is 0700 under /tmp when root).
func dataDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "agir-server-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// command runs the binary with env added to the test's environment stripped of every
// variable the server reads.
func command(bin string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "PORT" || name == "DATABASE_URL" || name == "DATABASE_READ_URL" || name == "LOG_LEVEL" ||
			name == "LOG_FORMAT" || strings.HasPrefix(name, "AGIR_") || strings.HasPrefix(name, "OIDC_"):
			continue
		case name == "PATH" && slices.ContainsFunc(env, func(s string) bool { return strings.HasPrefix(s, "PATH=") }):
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func exitDetail(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(exit.Stderr)
	}
	return ""
}

// process is a running server.
type process struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:PORT
	tokens map[model.Role]string
	logs   *syncBuffer // stderr: JSON log lines
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listening = regexp.MustCompile(`^AGIR listening on http://localhost:(\d+)/`)

// startProcess runs the binary with PORT=0 and JSON logs, and returns once it printed
// its address and a token for every role. The process is killed at the end of the test
// if it still runs.
func startProcess(t *testing.T, bin string, env []string, setup ...func(*exec.Cmd)) *process {
	t.Helper()
	cmd := command(bin, append([]string{"PORT=0", "LOG_FORMAT=json", "AGIR_SHUTDOWN_TIMEOUT=5s"}, env...))
	for _, f := range setup {
		f(cmd)
	}
	p := &process{cmd: cmd, tokens: map[model.Role]string{}, logs: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		go func() { // the reader must never block on a test that stopped listening
			for range lines {
			}
		}()
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", p.logs)
		}
	})
	timeout := time.After(startTimeout)
	for p.base == "" || len(p.tokens) < len(model.AllRoles) {
		select {
		case line, ok := <-lines:
			if !ok {
				<-p.exited
				t.Fatalf("server exited before printing its tokens: %v\n%s", p.err, p.logs)
			}
			if m := listening.FindStringSubmatch(line); m != nil {
				p.base = "http://127.0.0.1:" + m[1]
			} else if f := strings.Fields(line); len(f) == 2 && model.Role(f[0]).Valid() {
				p.tokens[model.Role(f[0])] = f[1]
			} else {
				t.Errorf("unexpected output line %q", line)
			}
		case <-timeout:
			t.Fatalf("server not ready after %s\n%s", startTimeout, p.logs)
		}
	}
	go func() { // keep draining stdout so that the server never blocks on it
		for range lines {
		}
	}()
	// stderr is copied apart from stdout: once the log line that follows the tokens is
	// there, every start-up log line is.
	for !p.logged("listening") {
		select {
		case <-timeout:
			t.Fatalf("no listening log after %s\n%s", startTimeout, p.logs)
		case <-p.exited:
			t.Fatalf("server exited: %v\n%s", p.err, p.logs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Logf("server ready in %s on %s", time.Since(start).Round(time.Millisecond), p.base)
	return p
}

// entries returns the log entries whose msg is msg.
func (p *process) entries(msg string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(p.logs.String(), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) == nil && e["msg"] == msg {
			out = append(out, e)
		}
	}
	return out
}

func (p *process) logged(msg string) bool { return len(p.entries(msg)) > 0 }

// applied returns the migrations the start-up logged as applied.
func (p *process) applied() []any {
	e := p.entries("migrations")
	if len(e) != 1 {
		return []any{fmt.Sprintf("%d migration log entries", len(e))}
	}
	applied, _ := e[0]["applied"].([]any)
	return applied
}

// post sends a GraphQL query with the given Authorization header ("" for none).
func (p *process) post(t *testing.T, authorization, query string) (int, http.Header, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, p.base+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// mustQuery runs query with a bearer token and decodes its data into out; any error fails.
func (p *process) mustQuery(t *testing.T, token, query string, out any) {
	t.Helper()
	status, _, body := p.post(t, "Bearer "+token, query)
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(body, &r); err != nil || status != http.StatusOK || len(r.Errors) != 0 {
		t.Fatalf("%s: %d %s", query, status, body)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatal(err)
	}
}

func (p *process) structureCount(t *testing.T) int {
	t.Helper()
	var d struct{ Structures struct{ TotalCount int } }
	p.mustQuery(t, p.tokens[model.RoleAdmin], `{ structures(first: 1) { totalCount } }`, &d)
	return d.Structures.TotalCount
}

// terminate sends SIGTERM and checks that the server exits 0 in time.
func (p *process) terminate(t *testing.T) {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.wait(t)
	t.Logf("server stopped in %s", time.Since(start).Round(time.Millisecond))
}

// wait checks that the server, asked to stop, exits 0 in time.
func (p *process) wait(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		t.Fatalf("server still running %s after its signal", stopTimeout)
	}
	if p.err != nil {
		t.Fatalf("server exit after its signal: %v, want 0", p.err)
	}
}

// Processes.

// cluster is the postmaster of a private cluster and its children, seen while it ran.
type cluster struct {
	dir  string
	pids []int
}

// postgresProcesses returns the private cluster's processes in dir (the server's
// AGIR_DATA_DIR): its postmaster, a child of the server, and the postmaster's children.
func (p *process) postgresProcesses(t *testing.T, dir string) cluster {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "pg", "data", "postmaster.pid"))
	if err != nil {
		t.Fatalf("private cluster: %v", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pm, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		t.Fatalf("postmaster.pid: %q", b)
	}
	if !procAvailable() {
		return cluster{dir: dir, pids: []int{pm}}
	}
	if kids := childrenOf(p.cmd.Process.Pid); !slices.Contains(kids, pm) {
		t.Errorf("postmaster %d is not a child of the server (children %v)", pm, kids)
	}
	if pids := postgresMentioning(dir); !slices.Contains(pids, pm) {
		t.Errorf("postgres processes naming %s: %v, want the postmaster %d", dir, pids, pm)
	}
	return cluster{dir: dir, pids: append([]int{pm}, childrenOf(pm)...)}
}

// assertGone checks that no process of the cluster remains, nor any postgres process
// whose command line names its directory.
func (c cluster) assertGone(t *testing.T) {
	t.Helper()
	for _, pid := range c.pids {
		if !pgcluster.ProcessGone(pid) {
			t.Errorf("postgres process %d still runs", pid)
		}
	}
	if pids := postgresMentioning(c.dir); len(pids) != 0 {
		t.Errorf("postgres processes %v still use %s", pids, c.dir)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "pg", "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid left behind: %v", err)
	}
}

func procAvailable() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// postgresMentioning returns the live processes whose command line runs postgres and
// names dir.
func postgresMentioning(dir string) []int {
	var pids []int
	for _, pid := range allPids() {
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err != nil || pgcluster.ProcessGone(pid) {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if strings.Contains(filepath.Base(args[0]), "postgres") && strings.Contains(string(cmdline), dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// childrenOf returns the live children of pid.
func childrenOf(parent int) []int {
	var kids []int
	for _, pid := range allPids() {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		_, afterComm, _ := strings.Cut(string(stat), ") ")
		f := strings.Fields(afterComm) // state ppid ...
		if len(f) > 1 && f[1] == strconv.Itoa(parent) && f[0] != "Z" {
			kids = append(kids, pid)
		}
	}
	return kids
}

func allPids() []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}
