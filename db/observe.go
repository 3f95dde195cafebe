package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// StatementObserver is told of each SQL statement a Store runs (Options.Observer): the
// GraphQL layer counts statements per operation and opens a trace span per statement.
// StatementStart is called before the statement with its context; the function it
// returns is called when the statement has run, with its error. The transaction control
// statements (BEGIN, COMMIT, ROLLBACK) are not reported.
type StatementObserver interface {
	StatementStart(ctx context.Context, query string) (end func(err error))
}

// openPool opens a database/sql pool of pgx connections (pgx/v5/stdlib) for cfg. pgx keeps
// each connection's statements prepared (its statement cache, QueryExecModeCacheStatement:
// a statement with arguments is parsed once per connection, then costs one round trip);
// when o is not nil, every statement is reported to o (a pgx QueryTracer).
func openPool(cfg *pgx.ConnConfig, o StatementObserver) *sql.DB {
	if o != nil {
		cfg.Tracer = observerTracer{o: o}
	}
	return sql.OpenDB(patientConnector{stdlib.GetConnector(*cfg, stdlib.OptionResetSession(checkAlive), stdlib.OptionAfterConnect(registerTypes))})
}

// checkAlive is called before the pool hands out a connection it used before: a
// connection whose server process has ended (pg_terminate_backend, a restart: the server
// sent its FATAL error and closed) is then discarded (driver.ErrBadConn) and database/sql
// takes or opens another, instead of failing the statement sent on it. lib/pq had the same
// effect by answering ErrBadConn to a FATAL error. The check is one non-blocking peek at
// the socket; a connection that cannot be peeked at (TLS) is not checked.
func checkAlive(_ context.Context, c *pgx.Conn) error {
	sc, ok := c.PgConn().Conn().(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	alive := true
	var buf [1]byte
	// Control, not Read: pgx's background reader may hold the socket's read lock with a
	// read that waits for the server (it stays parked after a query until data comes),
	// and Read would wait for that lock forever. The peek never blocks (MSG_DONTWAIT).
	err = raw.Control(func(fd uintptr) {
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Nothing to read (EAGAIN) is the idle connection's normal state; end of stream
		// (0) or a message the server sent unasked (its FATAL error) means it is gone.
		alive = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK || err == syscall.EINTR
	})
	if err != nil || !alive {
		return driver.ErrBadConn
	}
	return nil
}

// patientConnector opens its connections with connectPatiently.
type patientConnector struct{ driver.Connector }

func (c patientConnector) Connect(ctx context.Context) (driver.Conn, error) {
	return connectPatiently(ctx, c.Connector.Connect)
}

// observerTracer passes pgx's query trace on to a StatementObserver.
type observerTracer struct{ o StatementObserver }

type statementEndKey struct{}

func (t observerTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if isTxControl(data.SQL) {
		return ctx
	}
	return context.WithValue(ctx, statementEndKey{}, t.o.StatementStart(ctx, data.SQL))
}

func (t observerTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if end, ok := ctx.Value(statementEndKey{}).(func(error)); ok {
		end(data.Err)
	}
}

// isTxControl reports whether query is one of the statements pgx sends to begin and end a
// transaction (database/sql's BeginTx, Commit, Rollback).
func isTxControl(query string) bool {
	return query == "commit" || query == "rollback" || strings.HasPrefix(query, "begin")
}

// StatementCounter is a StatementObserver that counts the statements of a pool: tests use
// it to check that nested reads cost a fixed number of statements.
type StatementCounter struct{ n atomic.Int64 }

// StatementStart counts one statement.
func (c *StatementCounter) StatementStart(context.Context, string) func(error) {
	c.n.Add(1)
	return func(error) {}
}

// Load returns the number of statements counted so far.
func (c *StatementCounter) Load() int64 { return c.n.Load() }
