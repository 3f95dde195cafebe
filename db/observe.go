package db

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync/atomic"

	"github.com/lib/pq"
)

// StatementObserver is told of each SQL statement a Store runs (Options.Observer): the
// GraphQL layer counts statements per operation and opens a trace span per statement.
// StatementStart is called before the statement with its context; the function it
// returns is called when the statement has run, with its error.
type StatementObserver interface {
	StatementStart(ctx context.Context, query string) (end func(err error))
}

// openPool opens a pool of connections that keep their statements prepared (see
// stmtCache) and, when o is not nil, report their statements to o.
func openPool(url string, o StatementObserver) (*sql.DB, error) {
	c, err := pq.NewConnector(url)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(poolConnector{Connector: c, o: o}), nil
}

type poolConnector struct {
	*pq.Connector
	o StatementObserver // nil for none
}

func (c poolConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := connectPatiently(ctx, c.Connector.Connect)
	if err != nil {
		return nil, err
	}
	return &poolConn{pqConn: conn.(pqConn), o: c.o, stmts: newStmtCache(stmtCacheSize)}, nil
}

// pqConn is what lib/pq's connection implements and the wrapper passes on.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// poolConn is one connection of the pool. database/sql uses a connection from one
// goroutine at a time, so its statement cache needs no lock.
type poolConn struct {
	pqConn
	o     StatementObserver
	stmts *stmtCache
	// reading is true while a result's rows are open: a statement sent then would
	// interleave with them on the wire. lib/pq guards its unnamed path only, and not
	// against rows of a prepared statement: the wrapper refuses it (errReading).
	reading bool
}

// errReading is the answer to a statement sent on a connection whose rows are still
// being read (the same refusal as lib/pq's errQueryInProgress).
var errReading = errors.New("db: a statement was sent while the rows of another are still open on its connection")

func (c *poolConn) start(ctx context.Context, query string) func(error) {
	if c.o == nil {
		return func(error) {}
	}
	return c.o.StatementStart(ctx, query)
}

func (c *poolConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.reading {
		return nil, errReading
	}
	end := c.start(ctx, query)
	var rows driver.Rows
	st, err := c.prepared(ctx, query, args)
	switch {
	case err != nil:
	case st != nil:
		rows, err = st.QueryContext(ctx, args)
		c.dropStale(query, err)
	default:
		rows, err = c.pqConn.QueryContext(ctx, query, args)
	}
	end(err)
	if err != nil {
		return nil, err
	}
	c.reading = true
	return &poolRows{Rows: rows, c: c}, nil
}

func (c *poolConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.reading {
		return nil, errReading
	}
	end := c.start(ctx, query)
	var res driver.Result
	st, err := c.prepared(ctx, query, args)
	switch {
	case err != nil:
	case st != nil:
		res, err = st.ExecContext(ctx, args)
		c.dropStale(query, err)
	default:
		res, err = c.pqConn.ExecContext(ctx, query, args)
	}
	end(err)
	return res, err
}

// dropStale forgets the prepared statement of query when the server no longer has it
// (26000: a pooler or DISCARD dropped it) or its plan no longer fits the tables
// (0A000, "cached plan must not change result type", after a change of a column's
// type): this execution fails, the next prepares it again.
func (c *poolConn) dropStale(query string, err error) {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && (pqErr.Code == "26000" || pqErr.Code == "0A000") {
		if st := c.stmts.remove(query); st != nil {
			_ = st.Close()
		}
	}
}

// poolRows clears its connection's reading mark when closed.
type poolRows struct {
	driver.Rows
	c *poolConn
}

func (r *poolRows) Close() error {
	r.c.reading = false
	return r.Rows.Close()
}

// ColumnTypeDatabaseTypeName and ColumnTypeScanType pass lib/pq's column types on
// (sql.Rows.ColumnTypes).
func (r *poolRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *poolRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// prepared returns the connection's prepared statement of query, preparing it on first
// use; nil for a statement without arguments, which lib/pq sends in one round trip
// (simple protocol) anyway. A prepared statement costs one round trip per execution
// (Bind, Execute) where an unnamed one costs two (Parse, then Bind and Execute), and
// PostgreSQL parses it once per connection and may keep its plan.
func (c *poolConn) prepared(ctx context.Context, query string, args []driver.NamedValue) (preparedStmt, error) {
	if len(args) == 0 {
		return nil, nil
	}
	if st := c.stmts.get(query); st != nil {
		return st, nil
	}
	s, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := s.(preparedStmt)
	if !ok {
		_ = s.Close()
		return nil, nil
	}
	if old := c.stmts.put(query, st); old != nil {
		_ = old.Close() // one round trip, only when a statement leaves the cache
	}
	return st, nil
}

// ResetSession is called before the pool hands the connection out again: rows left
// open would leave their data on the wire, so such a connection is discarded.
func (c *poolConn) ResetSession(ctx context.Context) error {
	if c.reading {
		return driver.ErrBadConn
	}
	return c.pqConn.ResetSession(ctx)
}

// Close closes the connection (its prepared statements go with it, server side).
func (c *poolConn) Close() error { return c.pqConn.Close() }

// preparedStmt is what lib/pq's prepared statement implements.
type preparedStmt interface {
	driver.Stmt
	driver.StmtQueryContext
	driver.StmtExecContext
}

// stmtCacheSize bounds the statements kept prepared per connection. The Store's SQL is a
// few hundred texts (filters combine into more); the least recently used goes first.
const stmtCacheSize = 256

// stmtCache is a least-recently-used set of prepared statements by query text.
type stmtCache struct {
	max   int
	order *list.List // of *stmtEntry, most recent first
	byKey map[string]*list.Element
}

type stmtEntry struct {
	query string
	st    preparedStmt
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *stmtCache) get(query string) preparedStmt {
	e, ok := c.byKey[query]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*stmtEntry).st
}

// remove takes query's statement out of the cache and returns it (nil when absent).
func (c *stmtCache) remove(query string) preparedStmt {
	e, ok := c.byKey[query]
	if !ok {
		return nil
	}
	c.order.Remove(e)
	delete(c.byKey, query)
	return e.Value.(*stmtEntry).st
}

// put adds st and returns the statement it evicted, if any.
func (c *stmtCache) put(query string, st preparedStmt) preparedStmt {
	c.byKey[query] = c.order.PushFront(&stmtEntry{query: query, st: st})
	if c.order.Len() <= c.max {
		return nil
	}
	last := c.order.Back()
	c.order.Remove(last)
	old := last.Value.(*stmtEntry)
	delete(c.byKey, old.query)
	return old.st
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
