package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// IsUnavailable reports whether err means that the database cannot be reached for a
// moment, so that the same request may succeed later: no free connection slot
// (SQLSTATE 53300, too_many_connections), a server shutting down or starting
// (57P01-57P03), a connection lost or refused (class 08, network errors, a connection
// the driver found bad).
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if c := model.ErrorCodeOf(err); c == model.CodeUnavailable || c == model.CodeOutcomeUnknown {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "53300", "57P01", "57P02", "57P03":
			return true
		}
		return strings.HasPrefix(string(pgErr.Code), "08")
	}
	var netErr *net.OpError
	return errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// errUnavailable is the coded error of an unreachable database: the client retries.
func errUnavailable(err error) error {
	return &model.Error{Code: model.CodeUnavailable, Err: err,
		Message: "service momentanément indisponible (base de données injoignable ou saturée) : réessayez dans quelques secondes"}
}

// errOutcomeUnknown is the coded error of a commit whose answer was lost with the
// connection: the act may or may not be recorded. The client retries with the same
// idempotency key, which returns the act's result if it was recorded.
func errOutcomeUnknown(err error) error {
	return &model.Error{Code: model.CodeOutcomeUnknown, Err: err,
		Message: "la connexion à la base a été perdue pendant l'enregistrement : l'acte a peut-être été enregistré ; réessayez avec la même clé d'idempotence"}
}

// connectPatiently opens a connection with connect, waiting while PostgreSQL has no free
// connection slot (53300) or is starting up (57P03), within ctx (the request's deadline):
// a pool larger than the server's max_connections, or several instances sharing it,
// make requests wait for a slot instead of failing at once. When ctx ends first, the
// last refusal is returned (UNAVAILABLE for the client), not the context's error.
func connectPatiently(ctx context.Context, connect func(context.Context) (driver.Conn, error)) (driver.Conn, error) {
	wait := 20 * time.Millisecond
	for {
		conn, err := connect(ctx)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || (pgErr.Code != "53300" && pgErr.Code != "57P03") {
			return conn, err
		}
		// Give up a little before the deadline, so that the request still answers
		// UNAVAILABLE (retry later) rather than nothing at its deadline.
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait+50*time.Millisecond {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}
