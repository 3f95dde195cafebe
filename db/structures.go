package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// structureRow is a row of structures as scanned; departments is a text[].
type structureRow struct {
	model.Structure
	Departments pq.StringArray `db:"departments"`
	CreatedAt   time.Time      `db:"created_at"`
}

func (r structureRow) model() model.Structure {
	s := r.Structure
	s.Departments = []string(r.Departments)
	return s
}

const structureColumns = "s.id, s.name, s.agir_role, s.departments, s.created_at"

// StructuresByKeys returns the structures of the given keys, in key order; a key without
// a structure gives a zero Structure at its place (Key ""). Structures are public to every
// role (the offer map), so no scope applies.
func (s *Store) StructuresByKeys(ctx context.Context, keys []string) ([]model.Structure, error) {
	out := make([]model.Structure, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []structureRow
		err := tx.SelectContext(ctx, &rows,
			`SELECT `+structureColumns+` FROM structures s WHERE s.id = ANY($1::uuid[])`, pq.Array(validUUIDs(keys)))
		if err != nil {
			return err
		}
		byKey := make(map[string]model.Structure, len(rows))
		for _, r := range rows {
			byKey[r.Key] = r.model()
		}
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: structures by keys: %w", err)
	}
	return out, nil
}

// StructureFilter restricts Structures.
type StructureFilter struct {
	AgirRole   *model.StructureRole
	Department *string
}

// Structures returns a page of structures ordered by name.
func (s *Store) Structures(ctx context.Context, f StructureFilter, p model.Page, wantTotal bool) (model.Connection[model.Structure], error) {
	q := pageQuery{
		Select: structureColumns,
		From:   "structures s",
		Order:  keyset{Expr: "s.name", Type: "text", ID: "s.id"},
	}
	if f.AgirRole != nil {
		q.Args = append(q.Args, string(*f.AgirRole))
		q.Where = append(q.Where, fmt.Sprintf("s.agir_role = $%d", len(q.Args)))
	}
	if f.Department != nil {
		q.Args = append(q.Args, *f.Department)
		q.Where = append(q.Where, fmt.Sprintf("$%d = ANY(s.departments)", len(q.Args)))
	}
	var conn model.Connection[model.Structure]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, p, wantTotal,
			func(r structureRow) (string, string) { return r.Name, r.Key }, structureRow.model)
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: structures: %w", err)
	}
	return conn, nil
}

// StaffMemberByLogin returns the staff member whose account matches a token: by OIDC
// subject first, then by e-mail (case-insensitive). ok is false when none matches.
func (s *Store) StaffMemberByLogin(ctx context.Context, subject, email string) (m model.StaffMember, structure model.Structure, ok bool, err error) {
	err = s.readTx(ctx, func(tx *Tx) error {
		var rows []struct {
			model.StaffMember
			S structureRow `db:"s"`
		}
		err := tx.SelectContext(ctx, &rows, `
			SELECT m.id, m.structure_id, m.name, m.email, m.subject, m.staff_role, m.active,
			       s.id AS "s.id", s.name AS "s.name", s.agir_role AS "s.agir_role",
			       s.departments AS "s.departments", s.created_at AS "s.created_at"
			FROM staff_members m JOIN structures s ON s.id = m.structure_id
			WHERE (m.subject = $1 AND $1 <> '') OR (lower(m.email) = lower($2) AND $2 <> '')
			ORDER BY (m.subject = $1) DESC
			LIMIT 1`, subject, email)
		if err != nil || len(rows) == 0 {
			return err
		}
		m, structure, ok = rows[0].StaffMember, rows[0].S.model(), true
		return nil
	})
	if err != nil {
		return m, structure, false, fmt.Errorf("db: staff member by login: %w", err)
	}
	return m, structure, ok, nil
}

// StaffMembersByKeys returns staff members in key order (zero value where none).
func (s *Store) StaffMembersByKeys(ctx context.Context, keys []string) ([]model.StaffMember, error) {
	out := make([]model.StaffMember, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []model.StaffMember
		err := tx.SelectContext(ctx, &rows, `
			SELECT m.id, m.structure_id, m.name, m.email, m.subject, m.staff_role, m.active
			FROM staff_members m WHERE m.id = ANY($1::uuid[])`, pq.Array(validUUIDs(keys)))
		if err != nil {
			return err
		}
		byKey := make(map[string]model.StaffMember, len(rows))
		for _, r := range rows {
			byKey[r.Key] = r
		}
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: staff members by keys: %w", err)
	}
	return out, nil
}
