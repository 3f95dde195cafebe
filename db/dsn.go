package db

import (
	"net/url"
	"strings"
)

// withOption adds a run-time parameter (e.g. statement_timeout) to a lib/pq connection
// string, in either of its forms (URL or key=value).
func withOption(dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}
