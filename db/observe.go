package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
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

// openObserved opens a pool whose connections report their statements to o.
func openObserved(url string, o StatementObserver) (*sql.DB, error) {
	c, err := pq.NewConnector(url)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(observedConnector{Connector: c, o: o}), nil
}

type observedConnector struct {
	*pq.Connector
	o StatementObserver
}

func (c observedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &observedConn{pqConn: conn.(pqConn), o: c.o}, nil
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

type observedConn struct {
	pqConn
	o StatementObserver
}

func (c *observedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	end := c.o.StatementStart(ctx, query)
	rows, err := c.pqConn.QueryContext(ctx, query, args)
	end(err)
	return rows, err
}

func (c *observedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	end := c.o.StatementStart(ctx, query)
	res, err := c.pqConn.ExecContext(ctx, query, args)
	end(err)
	return res, err
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
