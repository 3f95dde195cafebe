package db

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsTimeout reports whether err comes from a deadline: the request's (context deadline)
// or PostgreSQL's statement_timeout (SQLSTATE 57014, query_canceled).
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "57014"
}
