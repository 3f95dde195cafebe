package db

import (
	"context"
	"errors"

	"github.com/lib/pq"
)

// IsTimeout reports whether err comes from a deadline: the request's (context deadline)
// or PostgreSQL's statement_timeout (SQLSTATE 57014, query_canceled).
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "57014"
}
