// Package db is the PostgreSQL side of AGIR: embedded migrations, and the Store that holds
// all SQL. Each exported Store method is one transaction.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Store is the project's access to PostgreSQL. Its exported methods each run in one
// transaction; SQL lives nowhere else. A Store is safe for concurrent use.
type Store struct {
	db   *sqlx.DB
	read *sqlx.DB // read replica for analysts and indicators; db when none is configured

	// Now returns the current instant; each transaction reads it once. Tests replace it.
	Now func() time.Time

	// Params are the delays of the programme (model.DefaultParameters unless changed);
	// the journey's derived state (phase, alerts) is computed with them.
	Params model.Parameters

	// the group commit of audited reads (AuditReads)
	auditOnce  sync.Once
	auditQueue chan auditRequest
	closed     chan struct{}
	closeOnce  sync.Once

	// faultAfterCommit: see SetFaultAfterCommit.
	faultAfterCommit atomic.Pointer[func(ctx context.Context) error]

	// PseudonymKey is the HMAC key of the analysts' pseudonyms (AGIR_PSEUDONYM_SECRET);
	// without it, PseudonymisedJourneys refuses to answer.
	PseudonymKey []byte

	// AuditKey is the HMAC-SHA256 key of the audit chain (AGIR_AUDIT_KEY, kept outside
	// the database): set, new entries are keyed, so that someone who can write the
	// database cannot recompute the chain. nil writes unkeyed SHA-256 entries, as
	// before the key existed (tests that do not look at the chain).
	AuditKey []byte

	// anchor keeps the head of the audit chain outside the database (SetAuditAnchor).
	anchor auditAnchorState
}

// Options tune a Store's connection pool.
type Options struct {
	MaxOpenConns     int               // connections to the primary at most (AGIR_DB_MAX_CONNS); 0 means 20
	ReadMaxOpenConns int               // connections to the replica at most (AGIR_DB_READ_MAX_CONNS); 0 means MaxOpenConns
	ReadURL          string            // DATABASE_READ_URL: a replica for heavy reads; "" for none
	StatementTimeout time.Duration     // 0 means none; applied to every connection
	Observer         StatementObserver // told of every SQL statement; nil for none
}

// Open connects to the database at url and checks that it answers.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	primary, err := connect(ctx, url, o)
	if err != nil {
		return nil, err
	}
	s := &Store{db: primary, read: primary, Now: time.Now, Params: model.DefaultParameters(), closed: make(chan struct{})}
	if o.ReadURL != "" {
		ro := o
		if o.ReadMaxOpenConns > 0 {
			ro.MaxOpenConns = o.ReadMaxOpenConns
		}
		if s.read, err = connect(ctx, o.ReadURL, ro); err != nil {
			primary.Close()
			return nil, err
		}
	}
	return s, nil
}

func connect(ctx context.Context, url string, o Options) (*sqlx.DB, error) {
	cfg, err := pgx.ParseConfig(url) // a URL or a key=value string, as libpq reads them
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	if o.StatementTimeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = fmt.Sprint(o.StatementTimeout.Milliseconds())
	}
	if _, ok := cfg.RuntimeParams["jit"]; !ok {
		// No JIT compilation (unless the URL asks for it): the planner's cost estimates of
		// the indicators' aggregates (correlated subqueries per journey) cross the JIT
		// thresholds, and compiling them costs 0.3 to 0.9 s per statement, more than it
		// saves on statements of a second; the API's other statements are short.
		cfg.RuntimeParams["jit"] = "off"
	}
	conn := sqlx.NewDb(openPool(cfg, o.Observer), "pgx")
	n := o.MaxOpenConns
	if n == 0 {
		n = 20
	}
	conn.SetMaxOpenConns(n)
	conn.SetMaxIdleConns(n)
	conn.SetConnMaxIdleTime(5 * time.Minute)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	return conn, nil
}

// SetFaultAfterCommit is for fault tests only: f is called after each successful COMMIT
// of a write, with the transaction's context, and its error replaces the commit's: it
// simulates a connection lost between the COMMIT reaching the server and its answer
// reaching the Store. nil removes it.
func (s *Store) SetFaultAfterCommit(f func(ctx context.Context) error) {
	if f == nil {
		s.faultAfterCommit.Store(nil)
		return
	}
	s.faultAfterCommit.Store(&f)
}

// Close closes the connection pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	err := s.db.Close()
	if s.read != s.db {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Ping checks that the primary database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping: %w", err)
	}
	return nil
}

// DB returns the primary pool, for tests and maintenance commands.
func (s *Store) DB() *sqlx.DB { return s.db }

// Tx is one transaction of the Store, with the instant it started (Now): every date a
// transaction writes or compares is computed from that one instant.
//
// A read (readTx, replicaTx) begins its transaction lazily: its first statement runs
// directly on the pool (one round trip instead of BEGIN, statement, COMMIT), and only a
// second statement begins the read-only transaction that it and the following ones run
// in. In read committed every statement takes its own snapshot anyway, so a read of one
// statement sees exactly what it saw inside a transaction; a read of several keeps its
// transaction (one connection, read-only, tx.Now for all).
type Tx struct {
	*sqlx.Tx // nil while a lazy read has not begun its transaction
	Now      time.Time
	conn     *sqlx.Conn // the transaction's connection (COPY and native reads run on it); nil before a lazy read begins

	mu           sync.Mutex
	pendingAudit []auditRequest // entries to append to the audit log just before the commit
	auditHead    *AuditHead     // the chain's head once auditAll wrote, for the anchor after the commit
	auditKey     []byte         // Store.AuditKey
	anchor       *auditAnchorState
	events       []pendingEvent // real-time events to write to the outbox just before the commit
	lazy         *sqlx.DB       // the pool of a lazy read; nil once begun, and for WithTx
	opts         *sql.TxOptions
	first        bool // the lazy read's first statement has run (on the pool)
}

// queryer is what a statement runs on: the pool (a lazy read's first statement) or the
// transaction.
type queryer interface {
	sqlx.ExtContext
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

// on returns where the next statement runs, beginning a lazy read's transaction at its
// second statement.
func (t *Tx) on(ctx context.Context) (queryer, error) {
	q, _, err := t.onConn(ctx)
	return q, err
}

// onConn is on, with the transaction's connection (nil for a lazy read's first
// statement, which runs on the pool), read under the same lock.
func (t *Tx) onConn(ctx context.Context) (queryer, *sqlx.Conn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.Tx != nil {
		return t.Tx, t.conn, nil
	}
	if t.lazy == nil {
		return nil, nil, errors.New("db: statement outside a transaction")
	}
	if !t.first {
		t.first = true
		return t.lazy, nil, nil
	}
	c, err := t.lazy.Connx(ctx) // kept for the statements run by pgx itself (native)
	if err != nil {
		return nil, nil, fmt.Errorf("db: begin: %w", err)
	}
	tx, err := c.BeginTxx(ctx, t.opts)
	if err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("db: begin: %w", err)
	}
	t.Tx, t.conn, t.lazy = tx, c, nil
	return tx, c, nil
}

// native runs fn with the pgx connection the next statement runs on (as on decides):
// the transaction's, or, for a lazy read's first statement, one of the pool's for fn.
// Rows read by pgx itself are decoded straight into their Go types, without
// database/sql's driver values (selectRows).
func (t *Tx) native(ctx context.Context, fn func(*pgx.Conn) error) error {
	q, c, err := t.onConn(ctx)
	if err != nil {
		return err
	}
	if pool, ok := q.(*sqlx.DB); ok {
		if c, err = pool.Connx(ctx); err != nil {
			return err
		}
		defer c.Close()
	}
	return c.Raw(func(dc any) error {
		pc, ok := dc.(interface{ Conn() *pgx.Conn }) // *stdlib.Conn
		if !ok {
			return fmt.Errorf("db: a %T connection", dc)
		}
		return fn(pc.Conn())
	})
}

// SelectContext runs a query and scans every row into dest (sqlx).
func (t *Tx) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	q, err := t.on(ctx)
	if err != nil {
		return err
	}
	return q.SelectContext(ctx, dest, query, args...)
}

// selectRows runs query and scans its rows into a slice made for capHint rows: structs
// are mapped by their columns' names (appendStructs) and decoded by pgx from the wire.
// A row type that is not a struct mapped by column (a string, a sql.Scanner) goes
// through sqlx's Select.
func selectRows[R any](ctx context.Context, tx *Tx, capHint int, query string, args ...any) ([]R, error) {
	if t := reflect.TypeFor[R](); t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(reflect.TypeFor[sql.Scanner]()) {
		var out []R
		return out, tx.SelectContext(ctx, &out, query, args...)
	}
	out := make([]R, 0, capHint)
	err := tx.native(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		out, err = appendStructs(out, rows)
		return err
	})
	return out, err
}

// GetContext runs a query and scans its single row into dest (sqlx).
func (t *Tx) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	q, err := t.on(ctx)
	if err != nil {
		return err
	}
	return q.GetContext(ctx, dest, query, args...)
}

// ExecContext runs a statement without rows.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q, err := t.on(ctx)
	if err != nil {
		return nil, err
	}
	return q.ExecContext(ctx, query, args...)
}

// QueryxContext runs a query and returns its rows (sqlx).
func (t *Tx) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	q, err := t.on(ctx)
	if err != nil {
		return nil, err
	}
	return q.QueryxContext(ctx, query, args...)
}

// copyFrom writes rows into the columns cols of table with COPY (pgx's CopyFrom, binary),
// in the read-write transaction, on its connection.
func (t *Tx) copyFrom(ctx context.Context, table string, cols []string, rows [][]any) error {
	if t.conn == nil || t.Tx == nil {
		return errors.New("db: COPY outside a read-write transaction")
	}
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Conn() *pgx.Conn }) // *stdlib.Conn
		if !ok {
			return fmt.Errorf("db: COPY on a %T connection", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		return err
	})
}

// WithTx runs fn in one read-write transaction, committed when fn returns nil and rolled
// back otherwise (also on panic). Driver errors are turned into coded errors.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.withTx(ctx, s.db, nil, fn)
}

// readTx runs fn as one read (read-committed, so a snapshot per statement; its
// transaction begun at its second statement, see Tx): on the primary for the
// coordination roles, who must read their own writes; on the replica
// (DATABASE_READ_URL, when configured) for analysts, whose heavy reads then never slow
// the coordinators (issue 9), at the cost of the replica's lag.
func (s *Store) readTx(ctx context.Context, fn func(tx *Tx) error) error {
	conn := s.db
	if p := model.PrincipalFrom(ctx); p != nil && p.Role == model.RoleAnalyst {
		conn = s.read
	}
	return s.lazyRead(ctx, conn, fn)
}

// replicaTx runs fn as one read on the replica when one is configured, whoever asks
// (indicators and other aggregates for analysts).
func (s *Store) replicaTx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.lazyRead(ctx, s.read, fn)
}

// lazyRead runs fn as a read whose read-only transaction begins at its second statement.
func (s *Store) lazyRead(ctx context.Context, conn *sqlx.DB, fn func(tx *Tx) error) (err error) {
	tx := &Tx{Now: s.Now(), lazy: conn, opts: &sql.TxOptions{ReadOnly: true}}
	defer func() { // after the rollback below, if any
		if tx.conn != nil {
			tx.conn.Close()
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			if tx.Tx != nil {
				_ = tx.Tx.Rollback()
			}
			panic(p)
		}
		if err != nil && tx.Tx != nil {
			_ = tx.Tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return translate(err)
	}
	if len(tx.pendingAudit) > 0 || len(tx.events) > 0 {
		return errors.New("db: audit entries or events in a read") // writes audit; reads go through AuditReads
	}
	if tx.Tx != nil {
		if err = tx.Tx.Commit(); err != nil {
			return translate(fmt.Errorf("db: commit: %w", err))
		}
	}
	return nil
}

func (s *Store) withTx(ctx context.Context, conn *sqlx.DB, opts *sql.TxOptions, fn func(tx *Tx) error) (err error) {
	c, err := conn.Connx(ctx) // the transaction's connection, kept for COPY (copyFrom)
	if err != nil {
		return translate(fmt.Errorf("db: begin: %w", err))
	}
	defer c.Close()
	t, err := c.BeginTxx(ctx, opts)
	if err != nil {
		return translate(fmt.Errorf("db: begin: %w", err))
	}
	tx := &Tx{Tx: t, Now: s.Now(), conn: c, auditKey: s.AuditKey, anchor: &s.anchor}
	defer func() {
		if p := recover(); p != nil {
			_ = t.Rollback()
			panic(p)
		}
		if err != nil {
			_ = t.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return translate(err)
	}
	// The transaction's audit entries go in last: the audit lock, which orders the
	// chain, is then held from this insert to the commit only, not through the rest of
	// a long write (the nightly anonymisation of a batch of journeys held it for
	// seconds, and every audited read waited).
	if err = tx.auditAll(ctx, tx.pendingAudit); err != nil {
		return translate(err)
	}
	if err = tx.flushEvents(ctx); err != nil { // after the audit: under its lock too
		return translate(err)
	}
	claim, err := tx.claimIdempotencyKey(ctx) // the request's Idempotency-Key, in the act's transaction
	if err != nil {
		return translate(err)
	}
	if err = t.Commit(); err == nil {
		if fault := s.faultAfterCommit.Load(); fault != nil {
			err = (*fault)(ctx)
		}
	}
	if err != nil {
		if !IsUnavailable(err) {
			return translate(fmt.Errorf("db: commit: %w", err))
		}
		// The COMMIT may have reached the server before the connection broke. With a
		// key, its row tells whether it did; without, nobody can tell.
		if claim == nil {
			return errOutcomeUnknown(fmt.Errorf("db: commit: %w", err))
		}
		switch found, checkErr := s.committed(claim); {
		case checkErr != nil:
			return errOutcomeUnknown(errors.Join(fmt.Errorf("db: commit: %w", err), checkErr))
		case !found:
			return errUnavailable(fmt.Errorf("db: commit: %w", err)) // not recorded: retry
		}
	}
	if claim != nil {
		claim.Claimed = true
	}
	if tx.auditHead != nil {
		s.anchor.advance(*tx.auditHead)
	}
	return nil
}
