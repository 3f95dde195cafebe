// Package pgcluster runs a private PostgreSQL cluster from the binaries installed
// on the machine. The server uses it when DATABASE_URL is unset, and so do the
// tests (through package dbtest).
//
// The cluster listens only on a unix socket inside its data directory, never on
// TCP, so it cannot collide with another server on port 5432. PostgreSQL refuses
// to run as root: when the Go process is root, initdb and postgres run as the
// system user "postgres" (or "nobody" when there is none) and the data directory
// is owned by that user.
//
// The cluster is private to two OS users: the one that runs PostgreSQL and the one
// that runs the Go process. The data and socket directories are theirs only (0700,
// socket 0700), and authentication is peer (the kernel names the connecting OS user)
// through an ident map that admits only those two users. The application connects as
// AppUser, which is not a superuser and owns DefaultDatabase and its schema; SuperUser
// serves the cluster's own set-up (roles, databases, the untrusted extensions the
// schema needs). A directory made by an older version (trust authentication, 0755)
// is brought to this state at its next Start.
//
// postgres runs as a direct child of the Go process. On Linux the kernel sends it
// SIGINT (fast shutdown) if the Go process dies, so a killed test or server does
// not leave an orphaned postmaster behind.
package pgcluster

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// SuperUser is the name of the PostgreSQL superuser created by initdb. Only the
// OS users of the ident map (the Go process's and PostgreSQL's) may connect as it.
const SuperUser = "agir"

// AppUser is the role the application connects as (URL): LOGIN, not a superuser,
// no CREATEDB or CREATEROLE; it owns DefaultDatabase and what the migrations create.
const AppUser = "agir_app"

// identMap names the pg_ident.conf map of the peer authentication.
const identMap = "agir"

// templateExtensions are created by SuperUser in template1, so that every database
// of the cluster has them: the schema needs them and a non-superuser may not create
// them (earthdistance is not a trusted extension; cube is its dependency).
var templateExtensions = []string{"cube", "earthdistance"}

// DefaultDatabase is the database that Start creates when it is absent.
const DefaultDatabase = "agir"

// port names the socket file (.s.PGSQL.<port>); the cluster never listens on TCP.
const port = 5432

// Readiness and shutdown delays.
const (
	readyTimeout    = 30 * time.Second
	fastStopTimeout = 30 * time.Second
	quitStopTimeout = 5 * time.Second
)

// ErrNoBinaries is returned (wrapped) by FindBinDir and Start when initdb and
// postgres cannot be found. The wrapping error's message is one sentence that
// says where they were looked for and what to install.
var ErrNoBinaries = errors.New("install the Debian package `postgresql` (apt-get install postgresql) or set DATABASE_URL to an existing server")

// ErrDataDirInUse is returned (wrapped) by Start when another process, or a
// postmaster left over by one, already uses the data directory.
var ErrDataDirInUse = errors.New("data directory already in use")

// Options configure Start. The zero value is ready to use.
type Options struct {
	// DataDir is where the cluster lives; it is created if missing.
	// "" means DefaultDataDir().
	DataDir string
	// BinDir holds initdb and postgres. "" means FindBinDir().
	BinDir string
	// Logger receives progress messages. nil means slog.Default().
	Logger *slog.Logger
	// Fast trades durability for speed, for tests: fsync, synchronous_commit
	// and full_page_writes are off, and initdb does not sync.
	Fast bool
}

// Cluster is a running private PostgreSQL cluster. Stop it when done.
type Cluster struct {
	dataDir string // Options.DataDir, absolute
	pgdata  string // dataDir/data, PostgreSQL's own data directory
	sockDir string // dataDir/run, the unix socket directory
	log     *slog.Logger

	initialized bool // initdb ran during this Start

	lock    *os.File // flock on dataDir/.lock, held while running
	logFile *os.File
	cmd     *exec.Cmd
	exited  chan struct{} // closed once cmd.Wait returned
	waitErr error         // cmd.Wait's result, valid after exited is closed

	stopOnce sync.Once
	stopErr  error
}

// DefaultDataDir returns the data directory used when Options.DataDir is "".
// As root it is /var/tmp/agir-0/pg, whose parents are traversable by the
// unprivileged user that runs PostgreSQL; otherwise it is
// $XDG_STATE_HOME/agir/pg, or ~/.local/state/agir/pg, or /var/tmp/agir-<uid>/pg
// when there is no home directory.
func DefaultDataDir() string {
	uid := os.Geteuid()
	if uid != 0 {
		if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
			return filepath.Join(d, "agir", "pg")
		}
		if home, err := os.UserHomeDir(); err == nil && filepath.IsAbs(home) {
			return filepath.Join(home, ".local", "state", "agir", "pg")
		}
	}
	return filepath.Join("/var/tmp", "agir-"+strconv.Itoa(uid), "pg")
}

// BinDirEnv names the environment variable that, when set, is the only
// directory FindBinDir considers (to choose one PostgreSQL among several).
const BinDirEnv = "AGIR_PG_BIN_DIR"

// FindBinDir returns the directory holding initdb and postgres: $AGIR_PG_BIN_DIR
// when set; else the one of initdb found in PATH if postgres sits next to it,
// else the highest version of /usr/lib/postgresql/*/bin. The error wraps
// ErrNoBinaries.
func FindBinDir() (string, error) {
	if dir := os.Getenv(BinDirEnv); dir != "" {
		if !hasBinaries(dir) {
			return "", fmt.Errorf("PostgreSQL binaries (initdb, postgres) not found in %s (%s): %w", dir, BinDirEnv, ErrNoBinaries)
		}
		return dir, nil
	}
	return findBinDir(os.Getenv("PATH"), "/usr/lib/postgresql")
}

func findBinDir(pathList, libDir string) (string, error) {
	var candidates []string
	for _, dir := range filepath.SplitList(pathList) {
		if dir != "" {
			candidates = append(candidates, dir)
		}
	}
	entries, _ := os.ReadDir(libDir)
	var versions []string
	for _, e := range entries {
		if _, err := strconv.ParseFloat(e.Name(), 64); err == nil {
			versions = append(versions, e.Name())
		}
	}
	slices.SortFunc(versions, func(a, b string) int { // highest first
		fa, _ := strconv.ParseFloat(a, 64)
		fb, _ := strconv.ParseFloat(b, 64)
		return int(fb*1000) - int(fa*1000)
	})
	for _, v := range versions {
		candidates = append(candidates, filepath.Join(libDir, v, "bin"))
	}
	for _, dir := range candidates {
		if hasBinaries(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("PostgreSQL binaries (initdb, postgres) not found in PATH or %s/*/bin: %w", libDir, ErrNoBinaries)
}

func hasBinaries(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// runAs is the OS user that runs initdb and postgres.
type runAs struct {
	name     string
	uid, gid int
	switched bool // differs from the current user: processes get a Credential
}

func pgUser() (runAs, error) {
	if os.Geteuid() != 0 {
		return runAs{name: "current user", uid: os.Geteuid(), gid: os.Getegid()}, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return runAs{name: name, uid: uid, gid: gid, switched: true}, nil
	}
	return runAs{}, errors.New("pgcluster: running as root and no unprivileged user (postgres or nobody) to run PostgreSQL")
}

// Start starts the cluster in o.DataDir, running initdb first if the directory
// holds no cluster yet, and returns once it accepts connections and the
// database DefaultDatabase exists. A cluster left by a killed process is reused.
// Start fails with an error wrapping ErrNoBinaries when PostgreSQL is not
// installed, and ErrDataDirInUse when another process uses the directory. The
// context bounds the whole start-up, not the life of the cluster.
func Start(ctx context.Context, o Options) (_ *Cluster, err error) {
	logger := o.Logger
	if logger == nil {
		logger = slog.Default()
	}
	binDir := o.BinDir
	if binDir == "" {
		if binDir, err = FindBinDir(); err != nil {
			return nil, err
		}
	} else if !hasBinaries(binDir) {
		return nil, fmt.Errorf("PostgreSQL binaries (initdb, postgres) not found in %s: %w", binDir, ErrNoBinaries)
	}
	dataDir := o.DataDir
	if dataDir == "" {
		dataDir = DefaultDataDir()
	}
	if dataDir, err = filepath.Abs(dataDir); err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c := &Cluster{
		dataDir: dataDir,
		pgdata:  filepath.Join(dataDir, "data"),
		sockDir: filepath.Join(dataDir, "run"),
		log:     logger.With("dataDir", dataDir),
		exited:  make(chan struct{}),
	}
	// The socket path must fit in sockaddr_un.sun_path (108 bytes with its NUL).
	if n := len(filepath.Join(c.sockDir, ".s.PGSQL."+strconv.Itoa(port))); n > 107 {
		return nil, fmt.Errorf("pgcluster: data directory path %s is too long for a unix socket (%d bytes, at most 107)", dataDir, n)
	}
	as, err := pgUser()
	if err != nil {
		return nil, err
	}
	if err := prepareDataDir(dataDir, as); err != nil {
		return nil, err
	}
	if err := c.acquireLock(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.kill()
			c.releaseLock()
		}
	}()

	if _, statErr := os.Stat(filepath.Join(c.pgdata, "PG_VERSION")); statErr != nil {
		if err := c.initdb(ctx, binDir, as, o.Fast); err != nil {
			return nil, err
		}
	} else if err := chownTree(dataDir, as); err != nil {
		return nil, err
	}
	if err := c.clearStaleLock(); err != nil {
		return nil, err
	}
	if err := mkdirOwned(c.sockDir, as); err != nil {
		return nil, err
	}
	if err := c.writeAuthConfig(as); err != nil {
		return nil, err
	}
	if err := c.startPostgres(binDir, as, o.Fast); err != nil {
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}
	if err := c.setUpRoles(ctx); err != nil {
		return nil, err
	}
	if err := c.createDefaultDatabase(ctx); err != nil {
		return nil, err
	}
	c.log.Info("pgcluster: PostgreSQL ready", "socketDir", c.sockDir, "pid", c.cmd.Process.Pid)
	return c, nil
}

// prepareDataDir creates dataDir (0700, with any missing parents 0755) and,
// when PostgreSQL runs as another user, checks that this user can traverse
// every parent and gives it dataDir. An existing dataDir is brought to 0700.
func prepareDataDir(dataDir string, as runAs) error {
	var missing []string
	for d := dataDir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("pgcluster: %w", err)
		}
		missing = append(missing, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("pgcluster: create data directory: %w", err)
	}
	for _, d := range missing { // MkdirAll applied the umask
		if err := os.Chmod(d, 0o755); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	if err := os.Chmod(dataDir, 0o700); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if !as.switched {
		return nil
	}
	for d := filepath.Dir(dataDir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		perm := fi.Mode().Perm()
		if ok && !(perm&0o001 != 0 || int(st.Uid) == as.uid && perm&0o100 != 0 || int(st.Gid) == as.gid && perm&0o010 != 0) {
			return fmt.Errorf("pgcluster: %s is not traversable by user %s, which runs PostgreSQL because PostgreSQL refuses root: choose a data directory under /var/tmp or allow it (chmod o+x %s)", d, as.name, d)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if err := os.Chown(dataDir, as.uid, as.gid); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return nil
}

// chownTree gives the whole data directory to the user that runs PostgreSQL if
// its data subdirectory belongs to someone else (e.g. it was copied by root).
func chownTree(dataDir string, as runAs) error {
	if !as.switched {
		return nil
	}
	fi, err := os.Stat(filepath.Join(dataDir, "data"))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == as.uid {
		return nil
	}
	err = filepath.WalkDir(dataDir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, as.uid, as.gid)
	})
	if err != nil {
		return fmt.Errorf("pgcluster: chown data directory: %w", err)
	}
	return nil
}

// mkdirOwned creates dir (0700) for the user that runs PostgreSQL.
func mkdirOwned(dir string, as runAs) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if as.switched {
		if err := os.Chown(dir, as.uid, as.gid); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	return nil
}

// acquireLock takes an exclusive flock on dataDir/.lock for the life of the
// cluster; the kernel releases it if the process dies.
func (c *Cluster) acquireLock() error {
	f, err := os.OpenFile(filepath.Join(c.dataDir, ".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("pgcluster: %s is used by another process: %w", c.dataDir, ErrDataDirInUse)
		}
		return fmt.Errorf("pgcluster: lock %s: %w", c.dataDir, err)
	}
	c.lock = f
	return nil
}

func (c *Cluster) releaseLock() {
	if c.lock != nil {
		c.lock.Close() // closing the only descriptor releases the flock
		c.lock = nil
	}
}

// clearStaleLock removes postmaster.pid (and the socket lock) left by a killed
// run. A postmaster that is still alive is reported, not killed.
func (c *Cluster) clearStaleLock() error {
	pidFile := filepath.Join(c.pgdata, "postmaster.pid")
	b, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if pid, err := strconv.Atoi(strings.TrimSpace(first)); err == nil && pid > 0 {
		// A postmaster killed a moment ago may still be a zombie that its parent has not
		// reaped: it holds nothing, so it counts as gone (ProcessGone reads its state).
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err == nil && strings.HasPrefix(string(comm), "postgres") && !ProcessGone(pid) {
			return fmt.Errorf("pgcluster: a postmaster (pid %d) left by an earlier run still uses %s; stop it (kill -INT %d): %w", pid, c.pgdata, pid, ErrDataDirInUse)
		}
	}
	c.log.Info("pgcluster: removing stale postmaster.pid")
	for _, f := range []string{pidFile, filepath.Join(c.sockDir, ".s.PGSQL."+strconv.Itoa(port)+".lock")} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	return nil
}

func (c *Cluster) command(binDir, name string, as runAs, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Dir = c.dataDir // the unprivileged user may not reach the current directory
	cmd.SysProcAttr = sysProcAttr(as)
	return cmd
}

func (c *Cluster) initdb(ctx context.Context, binDir string, as runAs, fast bool) error {
	// A data directory without PG_VERSION is a failed initdb: start over.
	if err := os.RemoveAll(c.pgdata); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	c.log.Info("pgcluster: initdb", "binDir", binDir, "user", as.name)
	var out []byte
	for _, locale := range []string{"C.UTF-8", "C"} {
		args := []string{"-D", c.pgdata, "-U", SuperUser, "--auth-local=peer", "--auth-host=reject", "-E", "UTF8", "--locale=" + locale}
		if fast {
			args = append(args, "--no-sync")
		}
		cmd := c.command(binDir, "initdb", as, args...)
		var err error
		out, err = cmd.CombinedOutput()
		if err == nil {
			c.initialized = true
			return nil
		}
		if err := os.RemoveAll(c.pgdata); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("pgcluster: initdb: %w", ctx.Err())
		}
		if !bytes.Contains(bytes.ToLower(out), []byte("locale")) {
			break
		}
	}
	return fmt.Errorf("pgcluster: initdb failed: %s", bytes.TrimSpace(out))
}

func (c *Cluster) startPostgres(binDir string, as runAs, fast bool) error {
	logFile, err := os.OpenFile(filepath.Join(c.dataDir, "postgres.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := logFile.Chmod(0o600); err != nil { // a log left by an older version
		logFile.Close()
		return fmt.Errorf("pgcluster: %w", err)
	}
	c.logFile = logFile
	args := []string{
		"-D", c.pgdata,
		"-k", c.sockDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=",
		"-c", "unix_socket_permissions=0700",
		"-c", "max_connections=200",
		"-c", "shared_buffers=128MB",
	}
	if fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := c.command(binDir, "postgres", as, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgcluster: start postgres: %w", err)
	}
	c.cmd = cmd
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	return nil
}

// waitReady polls a connection over the socket until it succeeds, postgres
// exits, or readyTimeout passes.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	db, err := sql.Open("pgx", c.AdminURL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer db.Close()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		pingCtx, pingCancel := context.WithTimeout(ctx, 2*time.Second)
		err := db.PingContext(pingCtx)
		pingCancel()
		if err == nil {
			return nil
		}
		select {
		case <-c.exited:
			logTail := c.logTail()
			if strings.Contains(logTail, "lock file") && strings.Contains(logTail, "already exists") {
				return fmt.Errorf("pgcluster: postgres refused to start, another postmaster uses %s: %s: %w", c.pgdata, logTail, ErrDataDirInUse)
			}
			return fmt.Errorf("pgcluster: postgres exited during start-up (%v): %s", c.waitErr, logTail)
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: postgres not ready after %s: %w (log: %s)", readyTimeout, err, c.logTail())
		case <-tick.C:
		}
	}
}

// logTail returns the end of postgres.log, for error messages.
func (c *Cluster) logTail() string {
	f, err := os.Open(filepath.Join(c.dataDir, "postgres.log"))
	if err != nil {
		return ""
	}
	defer f.Close()
	const n = 2000
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		f.Seek(-n, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return strings.TrimSpace(string(b))
}

// createDefaultDatabase creates DefaultDatabase owned by AppUser, or gives an
// existing one (made by an older version, owned by SuperUser) to AppUser.
func (c *Cluster) createDefaultDatabase(ctx context.Context) error {
	db, err := sql.Open("pgx", c.AdminURL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer db.Close()
	var owner sql.NullString
	err = db.QueryRowContext(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1`, DefaultDatabase).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pgx.Identifier{DefaultDatabase}.Sanitize()+` OWNER `+pgx.Identifier{AppUser}.Sanitize()); err != nil {
			return fmt.Errorf("pgcluster: create database %s: %w", DefaultDatabase, err)
		}
		return nil
	} else if err != nil {
		return fmt.Errorf("pgcluster: look for database %s: %w", DefaultDatabase, err)
	}
	if owner.String == AppUser {
		return nil
	}
	return c.GiveDatabase(ctx, DefaultDatabase)
}

// GiveDatabase makes AppUser the owner of database dbname and of the schema
// objects SuperUser created in it (tables, sequences, views, functions, types,
// the public schema), leaving extensions' members alone. It upgrades a database
// migrated as SuperUser by an older version.
func (c *Cluster) GiveDatabase(ctx context.Context, dbname string) error {
	c.log.Info("pgcluster: giving database to the application role", "database", dbname, "role", AppUser)
	admin, err := sql.Open("pgx", c.AdminURL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `ALTER DATABASE `+pgx.Identifier{dbname}.Sanitize()+` OWNER TO `+pgx.Identifier{AppUser}.Sanitize()); err != nil {
		return fmt.Errorf("pgcluster: give database %s: %w", dbname, err)
	}
	db, err := sql.Open("pgx", c.AdminURL(dbname))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, giveObjectsSQL); err != nil {
		return fmt.Errorf("pgcluster: give the objects of database %s: %w", dbname, err)
	}
	return nil
}

// giveObjectsSQL hands SuperUser's objects outside the system schemas to AppUser.
// Sequences owned by a column follow their table.
const giveObjectsSQL = `DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT n.nspname FROM pg_namespace n
		WHERE n.nspowner = '` + SuperUser + `'::regrole AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
	LOOP
		EXECUTE format('ALTER SCHEMA %I OWNER TO ` + AppUser + `', r.nspname);
	END LOOP;
	FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relowner = '` + SuperUser + `'::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
		  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
	LOOP
		EXECUTE format('ALTER TABLE %s OWNER TO ` + AppUser + `', r.name);
	END LOOP;
	FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE p.proowner = '` + SuperUser + `'::regrole AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
	LOOP
		EXECUTE format('ALTER ROUTINE %s OWNER TO ` + AppUser + `', r.name);
	END LOOP;
	FOR r IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE t.typowner = '` + SuperUser + `'::regrole AND t.typtype IN ('e', 'd', 'c', 'r')
		  AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
		  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
	LOOP
		EXECUTE format('ALTER TYPE %s OWNER TO ` + AppUser + `', r.name);
	END LOOP;
END
$$`

// writeAuthConfig writes pg_hba.conf (peer on the socket through identMap, nothing
// else) and pg_ident.conf (the Go process's OS user may be SuperUser or AppUser;
// PostgreSQL's OS user may be SuperUser). It runs at every Start, which upgrades a
// data directory initialised with trust by an older version.
func (c *Cluster) writeAuthConfig(as runAs) error {
	me, err := user.Current()
	if err != nil || me.Username == "" {
		return fmt.Errorf("pgcluster: the current OS user (uid %d) has no name, which peer authentication needs: %v", os.Geteuid(), err)
	}
	pgName := me.Username
	if as.switched {
		pgName = as.name
	}
	hba := "# Written by pgcluster at each start: edits are lost.\n" +
		"# TYPE  DATABASE  USER  METHOD\n" +
		"local   all       all   peer map=" + identMap + "\n"
	ident := "# Written by pgcluster at each start: edits are lost.\n" +
		"# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\n" +
		identLine(me.Username, SuperUser) + identLine(me.Username, AppUser)
	if pgName != me.Username {
		ident += identLine(pgName, SuperUser)
	}
	for name, content := range map[string]string{"pg_hba.conf": hba, "pg_ident.conf": ident} {
		path := filepath.Join(c.pgdata, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return fmt.Errorf("pgcluster: write %s: %w", name, err)
		}
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if as.switched {
			if err := os.Chown(path, as.uid, as.gid); err != nil {
				return fmt.Errorf("pgcluster: %w", err)
			}
		}
	}
	return nil
}

func identLine(osUser, role string) string {
	return fmt.Sprintf("%s  %s  %s\n", identMap, osUser, role)
}

// setUpRoles creates AppUser when missing (and takes from it any privilege it
// should not hold), and the templateExtensions in template1.
func (c *Cluster) setUpRoles(ctx context.Context) error {
	db, err := sql.Open("pgx", c.AdminURL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, AppUser).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: look for role %s: %w", AppUser, err)
	}
	verb := "ALTER"
	if !exists {
		verb = "CREATE"
	}
	if _, err := db.ExecContext(ctx, verb+` ROLE `+pgx.Identifier{AppUser}.Sanitize()+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`); err != nil {
		return fmt.Errorf("pgcluster: role %s: %w", AppUser, err)
	}
	tpl, err := sql.Open("pgx", c.AdminURL("template1"))
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	defer tpl.Close()
	for _, ext := range templateExtensions {
		if _, err := tpl.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS `+pgx.Identifier{ext}.Sanitize()); err != nil {
			return fmt.Errorf("pgcluster: extension %s in template1: %w", ext, err)
		}
	}
	return nil
}

// URL returns a key=value connection string (libpq's syntax, which pgx reads) for
// database dbname of the cluster, as AppUser over the unix socket (port only names the
// socket file). It is what the application uses, migrations included.
func (c *Cluster) URL(dbname string) string {
	return c.urlAs(AppUser, dbname)
}

// AdminURL is URL as SuperUser, for administration (creating and dropping
// databases); the application does not need it.
func (c *Cluster) AdminURL(dbname string) string {
	return c.urlAs(SuperUser, dbname)
}

func (c *Cluster) urlAs(role, dbname string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		dsnValue(c.sockDir), port, role, dsnValue(dbname))
}

// SocketDir returns the directory of the cluster's unix socket.
func (c *Cluster) SocketDir() string { return c.sockDir }

// dsnValue quotes v for a key=value connection string when it needs it.
func dsnValue(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n\r\\'") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// DataDir returns the cluster's directory (Options.DataDir made absolute).
func (c *Cluster) DataDir() string { return c.dataDir }

// Stop shuts the cluster down (fast shutdown: SIGINT, then SIGQUIT and SIGKILL
// if it lingers) and waits until postgres and all its backends have exited.
// It is safe to call more than once; later calls return the first result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = c.stop()
		c.releaseLock()
	})
	return c.stopErr
}

func (c *Cluster) stop() error {
	if c.cmd == nil {
		return nil
	}
	defer c.logFile.Close()
	select {
	case <-c.exited:
		return fmt.Errorf("pgcluster: postgres had exited on its own: %v", c.waitErr)
	default:
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
		if c.waitErr != nil {
			return fmt.Errorf("pgcluster: postgres: %w", c.waitErr)
		}
		return nil
	case <-time.After(fastStopTimeout):
	}
	c.log.Warn("pgcluster: fast shutdown timed out, sending SIGQUIT")
	c.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-c.exited:
	case <-time.After(quitStopTimeout):
		c.cmd.Process.Kill()
		<-c.exited
	}
	return errors.New("pgcluster: postgres did not stop on fast shutdown and was forced to")
}

// kill stops a postgres started by a Start that then failed.
func (c *Cluster) kill() {
	if c.cmd == nil {
		if c.logFile != nil {
			c.logFile.Close()
		}
		return
	}
	c.stopOnce.Do(func() { c.stopErr = c.stop() })
}
