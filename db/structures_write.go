package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// structureFieldColumns are the written columns of a structure's fields, in structureValues order.
var structureFieldColumns = []string{"name", "agir_role", "departments", "sectors", "siret", "description", "adresse",
	"complement_adresse", "commune", "code_postal", "code_insee", "latitude", "longitude", "telephone", "courriel",
	"site_web", "lien_source", "horaires_accueil", "accessibilite_lieu", "reseaux_porteurs"}

func structureValues(f model.StructureFields) []any {
	sectors := make([]string, len(f.Sectors))
	for i, x := range f.Sectors {
		sectors[i] = string(x)
	}
	return []any{f.Name, string(f.AgirRole), model.NonNilStrings(f.Departments), sectors, f.Siret, f.Description,
		f.Address, f.AddressComplement, f.City, f.PostalCode, f.InseeCode, f.Latitude, f.Longitude, f.Phone, f.Email,
		f.Website, f.SourceLink, f.OpeningHours, f.AccessibilityLink, model.NonNilStrings(f.Networks)}
}

func (tx *Tx) insertStructure(ctx context.Context, source string, diID *string, f model.StructureFields, updatedOn model.Date) (string, error) {
	cols := append([]string{"source", "di_id", "date_maj", "created_at", "updated_at"}, structureFieldColumns...)
	args := append([]any{source, diID, updatedOn, tx.Now, tx.Now}, structureValues(f)...)
	ph := make([]string, len(args))
	for i := range args {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	var key string
	err := tx.GetContext(ctx, &key, `INSERT INTO structures (`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`) RETURNING id`, args...)
	return key, err
}

func (tx *Tx) updateStructureFields(ctx context.Context, key string, f model.StructureFields, updatedOn model.Date) error {
	sets := make([]string, len(structureFieldColumns))
	for i, c := range structureFieldColumns {
		sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	n := len(structureFieldColumns)
	args := append(structureValues(f), updatedOn, tx.Now, key)
	_, err := tx.ExecContext(ctx, `UPDATE structures SET `+strings.Join(sets, ", ")+fmt.Sprintf(
		`, date_maj = $%d, updated_at = $%d, version = version + 1 WHERE id = $%d`, n+1, n+2, n+3), args...)
	return err
}

func (tx *Tx) structureByKey(ctx context.Context, key string, lock bool) (model.Structure, error) {
	var rows []structureRow
	q := `SELECT ` + structureColumns + ` FROM structures s WHERE s.id = $1::uuid`
	if lock {
		q += ` FOR UPDATE`
	}
	if err := tx.SelectContext(ctx, &rows, q, uuidOrNil(key)); err != nil {
		return model.Structure{}, err
	}
	if len(rows) == 0 {
		return model.Structure{}, model.Errorf(model.CodeNotFound, model.Path("input", "id"), "structure introuvable")
	}
	return rows[0].model(), nil
}

// CreateStructure creates a structure of the network (admins).
func (s *Store) CreateStructure(ctx context.Context, p *model.Principal, f model.StructureFields) (model.Structure, error) {
	var st model.Structure
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleAdmin {
			return model.ErrForbidden()
		}
		key, err := tx.insertStructure(ctx, model.DIIDPrefix, nil, f, model.DateOf(tx.Now))
		if err != nil {
			return err
		}
		if st, err = tx.structureByKey(ctx, key, false); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "createStructure", EntityType: "Structure", EntityID: key,
			Departments: f.Departments, Changes: fieldChanges(map[string]any{}, jsonObject(st.StructureFields))})
	})
	if err != nil {
		return st, fmt.Errorf("db: create structure: %w", err)
	}
	return st, nil
}

// UpdateStructure replaces the fields of a structure at version version (admins).
func (s *Store) UpdateStructure(ctx context.Context, p *model.Principal, key string, version int, f model.StructureFields) (model.Structure, error) {
	var st model.Structure
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleAdmin {
			return model.ErrForbidden()
		}
		before, err := tx.structureByKey(ctx, key, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "la structure a été modifiée entre-temps (version %d) : rechargez-la", before.Version)
		}
		if err := tx.updateStructureFields(ctx, key, f, model.DateOf(tx.Now)); err != nil {
			return err
		}
		if st, err = tx.structureByKey(ctx, key, false); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "updateStructure", EntityType: "Structure", EntityID: key,
			Departments: f.Departments, Changes: fieldChanges(jsonObject(before.StructureFields), jsonObject(st.StructureFields))})
	})
	if err != nil {
		return st, fmt.Errorf("db: update structure: %w", err)
	}
	return st, nil
}

// NewStaffMember is a staff member to add.
type NewStaffMember struct {
	StructureKey string
	Name, Email  string
	StaffRole    model.StaffRole
	Active       bool
}

const staffColumns = "m.id, m.structure_id, m.name, m.email, m.subject, m.staff_role, m.active"

// AddStaffMember adds a member to a structure's staff (admins).
func (s *Store) AddStaffMember(ctx context.Context, p *model.Principal, in NewStaffMember) (model.StaffMember, error) {
	var m model.StaffMember
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleAdmin {
			return model.ErrForbidden()
		}
		st, err := tx.structureByKey(ctx, in.StructureKey, false)
		if err != nil {
			err.(*model.Error).Field = model.Path("input", "structureId")
			return err
		}
		if err := tx.GetContext(ctx, &m, `INSERT INTO staff_members AS m (structure_id, name, email, staff_role, active, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+staffColumns, in.StructureKey, in.Name, in.Email, string(in.StaffRole), in.Active, tx.Now); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "addStaffMember", EntityType: "StaffMember", EntityID: m.Key,
			Departments: st.Departments, Changes: map[string]any{"name": in.Name, "email": in.Email, "staffRole": in.StaffRole, "active": in.Active}})
	})
	if err != nil {
		return m, fmt.Errorf("db: add staff member: %w", err)
	}
	return m, nil
}

// SetStaffMemberActive activates or deactivates a staff member (admins).
func (s *Store) SetStaffMemberActive(ctx context.Context, p *model.Principal, key string, active bool) (model.StaffMember, error) {
	var m model.StaffMember
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleAdmin {
			return model.ErrForbidden()
		}
		var rows []model.StaffMember
		if err := tx.SelectContext(ctx, &rows, `UPDATE staff_members m SET active = $2 WHERE m.id = $1::uuid RETURNING `+staffColumns,
			uuidOrNil(key), active); err != nil {
			return err
		}
		if len(rows) == 0 {
			return model.Errorf(model.CodeNotFound, model.Path("input", "id"), "professionnel introuvable")
		}
		m = rows[0]
		return tx.audit(ctx, p, AuditEntry{Action: "setStaffMemberActive", EntityType: "StaffMember", EntityID: key,
			Changes: map[string]any{"active": map[string]any{"after": active}}})
	})
	if err != nil {
		return m, fmt.Errorf("db: set staff member active: %w", err)
	}
	return m, nil
}

// StaffFirstPages answers the first page of several structures' staff (ordered by name) in
// one statement, in key order; Status "active" keeps active members only.
func (s *Store) StaffFirstPages(ctx context.Context, keys []ParentPage) ([]model.Connection[model.StaffMember], error) {
	out := make([]model.Connection[model.StaffMember], len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		parents := make([]string, len(keys))
		limit := 0
		for i, k := range keys {
			parents[i] = k.Parent
			limit = max(limit, k.Limit)
		}
		var rows []struct {
			model.StaffMember
			N           int `db:"n"`
			NActive     int `db:"n_active"`
			Total       int `db:"total"`
			TotalActive int `db:"total_active"`
		}
		err := tx.SelectContext(ctx, &rows, `SELECT x.id, x.structure_id, x.name, x.email, x.subject, x.staff_role, x.active,
			x.n, x.n_active, x.total, x.total_active FROM (
				SELECT `+staffColumns+`,
				       row_number() OVER (PARTITION BY m.structure_id ORDER BY m.name, m.id) AS n,
				       CASE WHEN m.active THEN row_number() OVER (PARTITION BY m.structure_id, m.active ORDER BY m.name, m.id) ELSE 0 END AS n_active,
				       count(*) OVER (PARTITION BY m.structure_id) AS total,
				       count(*) FILTER (WHERE m.active) OVER (PARTITION BY m.structure_id) AS total_active
				FROM staff_members m WHERE m.structure_id = ANY($1::uuid[])) x
			WHERE x.n <= $2 OR (x.n_active BETWEEN 1 AND $2) ORDER BY x.name, x.id`, validUUIDs(parents), limit+1)
		if err != nil {
			return err
		}
		for i, k := range keys {
			c := model.Connection[model.StaffMember]{}
			for _, r := range rows {
				if r.StructureKey != k.Parent {
					continue
				}
				n, total := r.N, r.Total
				if k.Status == "active" {
					if !r.Active {
						continue
					}
					n, total = r.NActive, r.TotalActive
				}
				c.TotalCount = total
				if n > k.Limit {
					c.PageInfo.HasNextPage = true
					continue
				}
				c.Edges = append(c.Edges, model.Edge[model.StaffMember]{Position: model.Cursor{Key: r.Name, ID: r.Key}, Node: r.StaffMember})
			}
			out[i] = withCursors(c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: staff first pages: %w", err)
	}
	return out, nil
}

// Staff returns a page of a structure's staff ordered by name (used past the first page).
func (s *Store) Staff(ctx context.Context, structureKey string, activeOnly bool, page model.Page, wantTotal bool) (model.Connection[model.StaffMember], error) {
	q := pageQuery{Select: staffColumns, From: "staff_members m", Order: keyset{Expr: "m.name", Type: "text", ID: "m.id"},
		Where: []string{"m.structure_id = $1::uuid"}, Args: []any{uuidOrNil(structureKey)}}
	if activeOnly {
		q.Where = append(q.Where, "m.active")
	}
	var conn model.Connection[model.StaffMember]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal, func(m model.StaffMember) (string, string) { return m.Name, m.Key }, identity[model.StaffMember])
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: staff: %w", err)
	}
	return conn, nil
}
