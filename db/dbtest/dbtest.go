// Package dbtest gives each test a fresh PostgreSQL database cloned from a
// migrated template.
//
// A test package calls Main from its TestMain:
//
//	func TestMain(m *testing.M) { dbtest.Main(m, db.Migrate) }
//
// and each test calls NewDatabase. The server is the one of DATABASE_URL when it
// is set; otherwise each test process runs a private cluster (package pgcluster)
// in a directory of its own, copied from a pristine cluster that is initialised
// once per machine and PostgreSQL version. Database names are random, so test
// processes running in parallel (go test ./...) may share one server.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agir-reseau/agir-backend/db/pgcluster"
)

// Migrator brings the database at url to the current schema. It must close its
// connections before returning: PostgreSQL only clones a template nobody uses.
type Migrator func(ctx context.Context, url string) error

// Name prefixes; the random suffix makes names unique across test processes.
const (
	templatePrefix = "agir_tpl_"
	databasePrefix = "agir_t_"
)

const setupTimeout = 5 * time.Minute

// server is the PostgreSQL server of this test process, set up by Main.
type server struct {
	adminURL string                     // maintenance database
	urlFor   func(dbname string) string // URL of another database of the server
	owner    string                     // role that owns the databases created ("": the admin's)
	admin    *sql.DB
	template string

	mu      sync.Mutex
	created map[string]bool // databases to drop if a test left them
}

var current *server

// Main sets up the server, creates the template database and runs migrate on
// it, runs the tests, drops the databases it created, stops the private
// cluster if it started one, and exits with the tests' code. migrate may be
// nil for an empty template. Call it from TestMain.
func Main(m *testing.M, migrate Migrator) {
	os.Exit(run(m, migrate))
}

func run(m *testing.M, migrate Migrator) int {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	s, stop, err := setUp(ctx, migrate)
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "dbtest: %v\n", err)
		if stop != nil {
			stop()
		}
		return 1
	}
	current = s
	code := m.Run()
	current = nil
	if err := s.dropAll(); err != nil {
		fmt.Fprintf(os.Stderr, "dbtest: %v\n", err)
	}
	stop()
	return code
}

// setUp returns the server with its template, and the function that releases
// it (never nil when a server was reached).
func setUp(ctx context.Context, migrate Migrator) (*server, func(), error) {
	s := &server{created: map[string]bool{}}
	var stopServer func()
	if dsn := os.Getenv("DATABASE_URL"); dsn != "" {
		s.adminURL = dsn
		s.urlFor = func(name string) string { return withDatabase(dsn, name) }
		stopServer = func() {}
	} else {
		c, dir, err := startPrivateCluster(ctx)
		if err != nil {
			return nil, nil, err
		}
		// Databases are created by the superuser and owned by the application role,
		// which the tests connect as, as the server does.
		s.adminURL = c.AdminURL("postgres")
		s.urlFor = c.URL
		s.owner = pgcluster.AppUser
		stopServer = func() {
			if err := c.Stop(); err != nil {
				fmt.Fprintf(os.Stderr, "dbtest: %v\n", err)
			}
			os.RemoveAll(dir)
		}
	}
	admin, err := sql.Open("pgx", s.adminURL)
	if err != nil {
		stopServer()
		return nil, nil, err
	}
	s.admin = admin
	stop := func() {
		admin.Close()
		stopServer()
	}
	s.template = templatePrefix + randomSuffix()
	if err := s.createDatabase(ctx, s.template, ""); err != nil {
		return nil, stop, fmt.Errorf("create template: %w", err)
	}
	if migrate != nil {
		if err := migrate(ctx, s.urlFor(s.template)); err != nil {
			s.dropAll()
			return nil, stop, fmt.Errorf("migrate template %s: %w", s.template, err)
		}
	}
	// Nobody may connect to the template any more, so clones never find it busy.
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+pgx.Identifier{s.template}.Sanitize()+` WITH ALLOW_CONNECTIONS false`); err != nil {
		s.dropAll()
		return nil, stop, fmt.Errorf("lock template: %w", err)
	}
	return s, stop, nil
}

// NewDatabase creates a database cloned from the migrated template, drops it
// when the test ends, and returns its URL. It needs Main in TestMain.
func NewDatabase(t testing.TB) string {
	t.Helper()
	s := current
	if s == nil {
		t.Fatal("dbtest: NewDatabase needs dbtest.Main in the package's TestMain")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := databasePrefix + randomSuffix()
	if err := s.createDatabase(ctx, name, s.template); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.dropDatabase(ctx, name); err != nil {
			t.Errorf("dbtest: %v", err)
		}
	})
	return s.urlFor(name)
}

// AdminURL returns the URL of the maintenance database of the server in use:
// DATABASE_URL itself, or the private cluster's "postgres" database. It is ""
// outside Main.
func AdminURL() string {
	if current == nil {
		return ""
	}
	return current.adminURL
}

func (s *server) createDatabase(ctx context.Context, name, template string) error {
	q := `CREATE DATABASE ` + pgx.Identifier{name}.Sanitize()
	if template != "" {
		q += ` TEMPLATE ` + pgx.Identifier{template}.Sanitize()
	}
	if s.owner != "" {
		q += ` OWNER ` + pgx.Identifier{s.owner}.Sanitize()
	}
	s.mu.Lock()
	s.created[name] = true
	s.mu.Unlock()
	if _, err := s.admin.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func (s *server) dropDatabase(ctx context.Context, name string) error {
	if _, err := s.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	s.mu.Lock()
	delete(s.created, name)
	s.mu.Unlock()
	return nil
}

// dropAll drops the databases left by tests, then the template.
func (s *server) dropAll() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s.mu.Lock()
	var names []string
	for name := range s.created {
		if name != s.template {
			names = append(names, name)
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, name := range append(names, s.template) {
		errs = append(errs, s.dropDatabase(ctx, name))
	}
	return errors.Join(errs...)
}

func randomSuffix() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withDatabase returns dsn, a URL or key=value connection string, naming database
// name instead of its own.
func withDatabase(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path, u.RawPath = "/"+name, ""
			q := u.Query()
			if q.Has("dbname") {
				q.Del("dbname")
				u.RawQuery = q.Encode()
			}
			return u.String()
		}
	}
	// In a key=value string the last occurrence of a key wins (libpq and pgx).
	return dsn + " dbname='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name) + "'"
}

// Private cluster.

// staleAfter is the age after which the directory of a test process that no
// longer holds its cluster lock is removed.
const staleAfter = time.Hour

// startPrivateCluster starts a cluster with Options.Fast in a new directory
// under /var/tmp (traversable by the user that runs PostgreSQL when root),
// copied from the pristine cluster. It returns the directory to remove.
func startPrivateCluster(ctx context.Context) (*pgcluster.Cluster, string, error) {
	binDir, err := pgcluster.FindBinDir()
	if err != nil {
		return nil, "", err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	base := tempBase()
	removeStaleDirs(base)
	pristine, err := pristineCluster(ctx, base, binDir, logger)
	if err != nil {
		return nil, "", err
	}
	dir, err := os.MkdirTemp(base, "agir-test-")
	if err != nil {
		return nil, "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	dataDir := filepath.Join(dir, "pg")
	if out, err := exec.CommandContext(ctx, "cp", "-a", pristine, dataDir).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, "", fmt.Errorf("copy pristine cluster: %v: %s", err, out)
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dataDir, BinDir: binDir, Logger: logger, Fast: true})
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", err
	}
	return c, dir, nil
}

func tempBase() string {
	if fi, err := os.Stat("/var/tmp"); err == nil && fi.IsDir() {
		return "/var/tmp"
	}
	return os.TempDir()
}

// pristineCluster returns the directory of a stopped, initialised cluster for
// binDir, creating it once per machine, PostgreSQL build and user; a flock
// serialises the test processes that need it at the same time. Once its
// marker file exists the directory is never written again.
func pristineCluster(ctx context.Context, base, binDir string, logger *slog.Logger) (string, error) {
	version, err := exec.CommandContext(ctx, filepath.Join(binDir, "postgres"), "-V").Output()
	if err != nil {
		return "", fmt.Errorf("postgres -V: %w", err)
	}
	h := fnv.New32a()
	h.Write([]byte(binDir + "\x00" + string(version)))
	number := regexp.MustCompile(`\d+(\.\d+)*`).FindString(string(version))
	// The layout number changes when pgcluster's set-up does (2: peer authentication,
	// application role), so that copies need no upgrade at each start.
	dir := filepath.Join(base, fmt.Sprintf("agir-pgcache-%s-%08x-%d-l2", number, h.Sum32(), os.Geteuid()))
	marker := filepath.Join(dir, ".pristine")

	lock, err := os.OpenFile(dir+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", err
	}
	defer lock.Close() // releases the flock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock %s: %w", lock.Name(), err)
	}
	if _, err := os.Stat(marker); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil { // an earlier attempt that failed
		return "", err
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dir, BinDir: binDir, Logger: logger, Fast: true})
	if err != nil {
		return "", err
	}
	if err := c.Stop(); err != nil {
		return "", err
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		return "", err
	}
	return dir, nil
}

// removeStaleDirs removes the directories of test processes that died without
// cleaning up: older than staleAfter and with their cluster lock free.
func removeStaleDirs(base string) {
	dirs, _ := filepath.Glob(filepath.Join(base, "agir-test-*"))
	for _, dir := range dirs {
		fi, err := os.Lstat(dir)
		if err != nil || !fi.IsDir() || time.Since(fi.ModTime()) < staleAfter {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Geteuid() {
			continue
		}
		lock, err := os.Open(filepath.Join(dir, "pg", ".lock"))
		if err != nil {
			continue
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(dir)
		}
		lock.Close()
	}
}
