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
	db, err := sql.Open("postgres", url)
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
	if err := db.QueryRowContext(ctx, `SELECT current_user`).Scan(&user); err != nil || user != SuperUser {
		t.Errorf("current_user = %q, %v; want %q", user, err, SuperUser)
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
