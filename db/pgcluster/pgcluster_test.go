package pgcluster

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testDir returns a fresh directory under /var/tmp that the unprivileged user
// running PostgreSQL can traverse (t.TempDir is 0700 under /tmp when root).
func testDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "agir-pgcluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func mustStart(t *testing.T, o Options) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Start(ctx, o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { c.Stop() })
	return c
}

func mustOpen(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStart_FirstRunThenReuse(t *testing.T) {
	ctx := context.Background()
	dataDir := filepath.Join(testDir(t), "nested", "pg")
	o := Options{DataDir: dataDir, Logger: testLogger(t), Fast: true}

	c := mustStart(t, o)
	if !c.initialized {
		t.Fatal("first start: initdb did not run")
	}
	if c.DataDir() != dataDir {
		t.Errorf("DataDir() = %q, want %q", c.DataDir(), dataDir)
	}
	if !strings.Contains(c.URL("agir"), "host="+filepath.Join(dataDir, "run")+" ") {
		t.Errorf("URL(agir) = %q, want a host in the data directory", c.URL("agir"))
	}
	db := mustOpen(t, c.URL(DefaultDatabase))
	var one int
	if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("select 1 = %d, %v", one, err)
	}
	var listen, user string
	if err := db.QueryRowContext(ctx, `SHOW listen_addresses`).Scan(&listen); err != nil {
		t.Fatal(err)
	}
	if listen != "" {
		t.Errorf("listen_addresses = %q, want empty (no TCP)", listen)
	}
	if err := db.QueryRowContext(ctx, `SELECT current_user`).Scan(&user); err != nil || user != AppUser {
		t.Errorf("current_user = %q, %v; want %q", user, err, AppUser)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	pid := c.cmd.Process.Pid
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !ProcessGone(pid) {
		t.Fatalf("postmaster pid %d still exists after Stop", pid)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "data", "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid after Stop: %v, want not exist", err)
	}

	c2 := mustStart(t, o)
	if c2.initialized {
		t.Fatal("second start ran initdb again")
	}
	db2 := mustOpen(t, c2.URL(DefaultDatabase))
	var kept int
	if err := db2.QueryRowContext(ctx, `SELECT id FROM kept`).Scan(&kept); err != nil || kept != 42 {
		t.Fatalf("table of the first run: %d, %v; want 42", kept, err)
	}
	db2.Close()
	pid2 := c2.cmd.Process.Pid
	if err := c2.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if !ProcessGone(pid2) {
		t.Fatalf("postmaster pid %d still exists after Stop", pid2)
	}
}

func TestStart_StalePidFile(t *testing.T) {
	dataDir := filepath.Join(testDir(t), "pg")
	o := Options{DataDir: dataDir, Logger: testLogger(t), Fast: true}
	if err := mustStart(t, o).Stop(); err != nil {
		t.Fatal(err)
	}
	// A live process that is not a postmaster, as after pid reuse.
	stale := strconv.Itoa(os.Getpid()) + "\n" + filepath.Join(dataDir, "data") + "\n"
	if err := os.WriteFile(filepath.Join(dataDir, "data", "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustStart(t, o)
	if err := mustOpen(t, c.URL("postgres")).Ping(); err != nil {
		t.Fatalf("ping after stale pid file: %v", err)
	}
}

// TestStart_ZombiePostmaster: a postmaster killed a moment ago and not yet reaped by its
// parent is a zombie named postgres; it holds nothing and Start must not wait for it.
func TestStart_ZombiePostmaster(t *testing.T) {
	dataDir := filepath.Join(testDir(t), "pg")
	o := Options{DataDir: dataDir, Logger: testLogger(t), Fast: true}
	if err := mustStart(t, o).Stop(); err != nil {
		t.Fatal(err)
	}
	// A process whose name is postgres, that exits at once and is not waited for: a
	// zombie until the cleanup reaps it.
	bin := filepath.Join(t.TempDir(), "postgres")
	if err := os.Symlink("/bin/true", bin); err != nil {
		t.Fatal(err)
	}
	zombie := exec.Command(bin)
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { zombie.Wait() })
	pid := zombie.Process.Pid
	deadline := time.Now().Add(5 * time.Second)
	for !ProcessGone(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err != nil || !strings.HasPrefix(string(comm), "postgres") || !ProcessGone(pid) {
		t.Fatalf("no zombie named postgres: %q %v", comm, err)
	}
	stale := strconv.Itoa(pid) + "\n" + filepath.Join(dataDir, "data") + "\n"
	if err := os.WriteFile(filepath.Join(dataDir, "data", "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Start(context.Background(), o)
	if err != nil {
		t.Fatalf("start after a zombie postmaster: %v", err)
	}
	t.Cleanup(func() { c.Stop() })
	if err := mustOpen(t, c.URL("postgres")).Ping(); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

func TestStart_DataDirInUse(t *testing.T) {
	dataDir := filepath.Join(testDir(t), "pg")
	o := Options{DataDir: dataDir, Logger: testLogger(t), Fast: true}
	mustStart(t, o)
	_, err := Start(context.Background(), o)
	if !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("second Start on the same directory: %v, want ErrDataDirInUse", err)
	}
}

func TestStart_ErrNoBinaries(t *testing.T) {
	empty := t.TempDir()
	_, err := Start(context.Background(), Options{DataDir: filepath.Join(testDir(t), "pg"), BinDir: empty})
	assertNoBinaries(t, err)

	_, err = findBinDir(empty, filepath.Join(empty, "missing"))
	assertNoBinaries(t, err)

	t.Setenv(BinDirEnv, empty)
	_, err = FindBinDir()
	assertNoBinaries(t, err)
	if !strings.Contains(err.Error(), BinDirEnv) {
		t.Errorf("message %q does not name %s", err, BinDirEnv)
	}
}

func TestFindBinDir_Env(t *testing.T) {
	bin := t.TempDir()
	for _, name := range []string{"initdb", "postgres"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(BinDirEnv, bin)
	if got, err := FindBinDir(); err != nil || got != bin {
		t.Fatalf("FindBinDir with %s=%s: %q, %v", BinDirEnv, bin, got, err)
	}
}

func assertNoBinaries(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	for _, want := range []string{"`postgresql`", "DATABASE_URL", "initdb"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %s", err, want)
		}
	}
	if strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("message %q spans several lines", err)
	}
}

func TestFindBinDir_LibDirHighestVersionFirst(t *testing.T) {
	lib := t.TempDir()
	for _, v := range []string{"9.6", "13", "15", "nope"} {
		bin := filepath.Join(lib, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if v == "9.6" || v == "13" || v == "nope" {
			for _, name := range []string{"initdb", "postgres"} {
				if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	got, err := findBinDir("", lib)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(lib, "13", "bin"); got != want {
		t.Errorf("findBinDir = %q, want %q (15 lacks binaries)", got, want)
	}
}

func TestStart_ParentNotTraversable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root switches to an unprivileged user")
	}
	closed := filepath.Join(testDir(t), "closed")
	if err := os.Mkdir(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{DataDir: filepath.Join(closed, "pg"), Logger: testLogger(t)})
	if err == nil || !strings.Contains(err.Error(), "not traversable") {
		t.Fatalf("err = %v, want a not traversable error", err)
	}
}

func TestDefaultDataDir(t *testing.T) {
	d := DefaultDataDir()
	if !filepath.IsAbs(d) {
		t.Fatalf("DefaultDataDir() = %q, want an absolute path", d)
	}
	if os.Geteuid() == 0 && d != "/var/tmp/agir-0/pg" {
		t.Errorf("DefaultDataDir() as root = %q, want /var/tmp/agir-0/pg", d)
	}
}

// TestStart_KilledParentLeavesNoPostmaster runs Start in a child test process,
// kills that process with SIGKILL and checks that its postmaster goes away and
// that the directory can be started again.
func TestStart_KilledParentLeavesNoPostmaster(t *testing.T) {
	if dir := os.Getenv("PGCLUSTER_TEST_CHILD_DIR"); dir != "" {
		c, err := Start(context.Background(), Options{DataDir: dir, Fast: true, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			os.Stdout.WriteString("error " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString(strconv.Itoa(c.cmd.Process.Pid) + "\n")
		select {} // until killed
	}
	dataDir := filepath.Join(testDir(t), "pg")
	child := exec.Command(os.Args[0], "-test.run=^TestStart_KilledParentLeavesNoPostmaster$")
	child.Env = append(os.Environ(), "PGCLUSTER_TEST_CHILD_DIR="+dataDir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		child.Process.Kill()
		t.Fatalf("child: %q, %v", line, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		child.Process.Kill()
		t.Fatalf("child: %q", line)
	}
	child.Process.Kill()
	child.Wait()

	deadline := time.Now().Add(20 * time.Second)
	for !ProcessGone(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !ProcessGone(pid) {
		syscall.Kill(pid, syscall.SIGQUIT)
		t.Fatalf("postmaster %d survived its killed parent", pid)
	}
	c := mustStart(t, Options{DataDir: dataDir, Logger: testLogger(t), Fast: true})
	if c.initialized {
		t.Error("restart after a killed parent ran initdb again")
	}
}

// The cluster is private to its two OS users: another local user cannot reach the
// socket nor authenticate, and the application role cannot act as a superuser.
func TestStart_LockedDown(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as another OS user (runuser)")
	}
	psql := psqlPath(t)
	ctx := context.Background()
	dataDir := filepath.Join(testDir(t), "pg")
	c := mustStart(t, Options{DataDir: dataDir, Logger: testLogger(t), Fast: true})
	assertLockedDown(t, c, psql)

	app := mustOpen(t, c.URL(DefaultDatabase))
	var user string
	var super bool
	if err := app.QueryRowContext(ctx, `SELECT current_user, usesuper FROM pg_user WHERE usename = current_user`).Scan(&user, &super); err != nil {
		t.Fatal(err)
	}
	if user != AppUser || super {
		t.Fatalf("application connects as %q (superuser %v), want %q, not superuser", user, super, AppUser)
	}
	_, err := app.ExecContext(ctx, `COPY (SELECT 1) TO PROGRAM 'true'`)
	if err == nil || !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be superuser") {
		t.Fatalf("COPY TO PROGRAM as the application: %v, want refused", err)
	}
	// The application owns its database: it creates what the migrations need,
	// earthdistance included (created by the superuser in template1).
	if _, err := app.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS earthdistance; CREATE EXTENSION IF NOT EXISTS pg_trgm;
		CREATE TABLE owned (id int); SELECT earth_distance(ll_to_earth(48.8, 2.3), ll_to_earth(45.7, 4.8))`); err != nil {
		t.Fatalf("schema work as the application: %v", err)
	}
}

// A data directory made by an older version (trust authentication, 0755 directories,
// the database owned by the superuser) is locked down at its next start, its objects
// given to the application role.
func TestStart_UpgradesTrustCluster(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to act as another OS user (runuser)")
	}
	psql := psqlPath(t)
	ctx := context.Background()
	dataDir := filepath.Join(testDir(t), "pg")
	c := mustStart(t, Options{DataDir: dataDir, Logger: testLogger(t), Fast: true})
	// Make it what an older version left: the database and a table owned by the
	// superuser, trust on the socket, open permissions.
	admin := mustOpen(t, c.AdminURL("postgres"))
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE agir OWNER TO agir`); err != nil {
		t.Fatal(err)
	}
	old := mustOpen(t, c.AdminURL(DefaultDatabase))
	if _, err := old.ExecContext(ctx, `CREATE TABLE legacy (id serial PRIMARY KEY); INSERT INTO legacy DEFAULT VALUES;
		CREATE FUNCTION legacy_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM legacy'`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	admin.Close()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, "data", "pg_hba.conf"), []byte("local all all trust\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dataDir, filepath.Join(dataDir, "run")} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	c2 := mustStart(t, Options{DataDir: dataDir, Logger: testLogger(t), Fast: true})
	assertLockedDown(t, c2, psql)
	app := mustOpen(t, c2.URL(DefaultDatabase))
	var n int64
	if err := app.QueryRowContext(ctx, `SELECT legacy_count()`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("legacy_count() as the application = %d, %v", n, err)
	}
	if _, err := app.ExecContext(ctx, `INSERT INTO legacy DEFAULT VALUES; ALTER TABLE legacy ADD COLUMN note text`); err != nil {
		t.Fatalf("the application does not own the legacy table: %v", err)
	}
}

func psqlPath(t *testing.T) string {
	t.Helper()
	bin, err := FindBinDir()
	if err != nil {
		t.Skip(err)
	}
	psql := filepath.Join(bin, "psql")
	if _, err := os.Stat(psql); err != nil {
		if psql, err = exec.LookPath("psql"); err != nil {
			t.Skip("psql not installed")
		}
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		t.Skip("runuser not installed")
	}
	return psql
}

// assertLockedDown checks c's directories and authentication from outside: modes,
// no trust line, and psql run as the OS user nobody refused.
func assertLockedDown(t *testing.T, c *Cluster, psql string) {
	t.Helper()
	for _, d := range []string{c.DataDir(), c.SocketDir(), filepath.Join(c.DataDir(), "data")} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("%s: mode %o, want 700", d, perm)
		}
	}
	sock, err := os.Stat(filepath.Join(c.SocketDir(), ".s.PGSQL.5432"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := sock.Mode().Perm(); perm != 0o700 {
		t.Errorf("socket mode %o, want 700", perm)
	}
	hba, err := os.ReadFile(filepath.Join(c.DataDir(), "data", "pg_hba.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(hba), "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(f[0], "#") && f[len(f)-1] == "trust" {
			t.Errorf("pg_hba.conf trusts: %q", line)
		}
	}
	for _, role := range []string{SuperUser, AppUser} {
		out, err := exec.Command("runuser", "-u", "nobody", "--", psql, "-h", c.SocketDir(), "-U", role, "-d", DefaultDatabase,
			"-c", "SELECT 1").CombinedOutput()
		if err == nil {
			t.Errorf("psql as OS user nobody, role %s: accepted (%s)", role, out)
		} else {
			t.Logf("psql as nobody, role %s: refused: %s", role, strings.TrimSpace(string(out)))
		}
	}
	// The same refusal holds on authentication alone: with the socket reachable, the
	// peer map admits nobody as neither role.
	if err := os.Chmod(c.SocketDir(), 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(c.DataDir(), 0o711); err != nil {
		t.Fatal(err)
	}
	sockPath := filepath.Join(c.SocketDir(), ".s.PGSQL.5432")
	if err := os.Chmod(sockPath, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{SuperUser, AppUser} {
		out, err := exec.Command("runuser", "-u", "nobody", "--", psql, "-h", c.SocketDir(), "-U", role, "-d", DefaultDatabase,
			"-c", "SELECT 1").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "authentication failed") {
			t.Errorf("psql as nobody through an open socket, role %s: %v %s; want peer authentication failed", role, err, out)
		}
	}
	for p, m := range map[string]os.FileMode{c.SocketDir(): 0o700, c.DataDir(): 0o700, sockPath: 0o700} {
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
}
