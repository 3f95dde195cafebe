package db

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// keyset is the order of a connection: an SQL expression of a given SQL type, ties broken
// by a unique id column, so that cursors are stable (STYLE habit 5).
type keyset struct {
	Expr   string // order expression, never NULL, e.g. "s.name"
	Type   string // its SQL type, for the cursor's cast: "text", "timestamptz", "date", "int"
	ID     string // unique tie-breaker, e.g. "s.id"
	IDType string // SQL type of ID; "" means uuid
	Desc   bool
}

// pageQuery is a list query: what to select, from where, with which filters.
type pageQuery struct {
	Select string   // column list, explicit
	From   string   // FROM clause with its joins
	Where  []string // conditions, ANDed; their arguments are Args
	Args   []any
	Order  keyset
	// CountInPage: the order needs every matching row before the first (a distance), so
	// a first page also counts them (count(*) OVER (), in the page's statement, read
	// through the rows' pageTotal) instead of a second scan by the count statement.
	CountInPage bool
}

// pageTotaler is a row of a CountInPage query: it carries the count of every match.
type pageTotaler interface{ pageTotal() int }

// fetchPage reads one page of a keyset-paginated connection into rows of type R (scanned
// by sqlx), converts them with conv, and counts the matches when wantTotal (one count
// statement, in the same transaction). key gives the order value and id of a row, as text
// that PostgreSQL casts back to Order.Type.
func fetchPage[R, T any](ctx context.Context, tx *Tx, q pageQuery, p model.Page, wantTotal bool,
	key func(R) (string, string), conv func(R) T) (model.Connection[T], error) {
	var conn model.Connection[T]
	countInPage := wantTotal && q.CountInPage && p.After == nil && p.Before == nil
	if countInPage {
		q.Select += ", count(*) OVER () AS page_total"
	}
	query, args := pageSQL(q, p)
	rows, err := selectRows[R](ctx, tx, p.Limit+1, query, args...)
	if err != nil {
		return conn, fmt.Errorf("page: %w", err)
	}
	if countInPage {
		if len(rows) > 0 {
			t, ok := any(rows[0]).(pageTotaler)
			if !ok {
				return conn, fmt.Errorf("page: %T carries no page total", rows[0])
			}
			conn.TotalCount = t.pageTotal()
		}
		wantTotal = false
	}
	more := len(rows) > p.Limit
	if more {
		rows = rows[:p.Limit]
	}
	if p.Backward {
		slices.Reverse(rows)
		conn.PageInfo.HasPreviousPage = more
		conn.PageInfo.HasNextPage = p.Before != nil
	} else {
		conn.PageInfo.HasNextPage = more
		conn.PageInfo.HasPreviousPage = p.After != nil
	}
	conn.Edges = make([]model.Edge[T], len(rows))
	for i, r := range rows {
		k, id := key(r)
		conn.Edges[i] = model.Edge[T]{Position: model.Cursor{Key: k, ID: id}, Node: conv(r)}
	}
	conn.SetEnds()
	if wantTotal {
		countCond := "TRUE"
		if len(q.Where) > 0 {
			countCond = strings.Join(q.Where, " AND ")
		}
		err := tx.GetContext(ctx, &conn.TotalCount,
			fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", q.From, countCond), q.Args...)
		if err != nil {
			return conn, fmt.Errorf("page count: %w", err)
		}
	}
	return conn, nil
}

// pageSQL is the statement of one page of q: the keyset condition of the cursors, the
// order (reversed for a backward page) and one row more than the page to detect a next one.
func pageSQL(q pageQuery, p model.Page) (string, []any) {
	args := slices.Clone(q.Args)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := slices.Clone(q.Where)

	forwardCmp, backwardCmp := ">", "<"
	if q.Order.Desc {
		forwardCmp, backwardCmp = "<", ">"
	}
	idType := q.Order.IDType
	if idType == "" {
		idType = "uuid"
	}
	cursorCond := func(c *model.Cursor, cmp string) string {
		return fmt.Sprintf("(%s, %s) %s (%s::%s, %s::%s)", q.Order.Expr, q.Order.ID, cmp, arg(c.Key), q.Order.Type, arg(c.ID), idType)
	}
	if p.After != nil {
		where = append(where, cursorCond(p.After, forwardCmp))
	}
	if p.Before != nil {
		where = append(where, cursorCond(p.Before, backwardCmp))
	}
	dir := "ASC"
	if q.Order.Desc != p.Backward {
		dir = "DESC"
	}
	cond := "TRUE"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	query := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s %s, %s %s LIMIT %d",
		q.Select, q.From, cond, q.Order.Expr, dir, q.Order.ID, dir, p.Limit+1)
	return query, args
}

// identity is the conversion of fetchPage when rows are already model values.
func identity[T any](t T) T { return t }
