package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// structureRow is a row of structures as scanned (arrays as stringArray).
type structureRow struct {
	Key               string      `db:"id"`
	Name              string      `db:"name"`
	AgirRole          string      `db:"agir_role"`
	Departments       stringArray `db:"departments"`
	CreatedAt         time.Time   `db:"created_at"`
	Source            string      `db:"source"`
	DIID              string      `db:"di_id"`
	Sectors           stringArray `db:"sectors"`
	Siret             *string     `db:"siret"`
	Description       *string     `db:"description"`
	Address           *string     `db:"adresse"`
	AddressComplement *string     `db:"complement_adresse"`
	City              *string     `db:"commune"`
	PostalCode        *string     `db:"code_postal"`
	InseeCode         *string     `db:"code_insee"`
	Latitude          *float64    `db:"latitude"`
	Longitude         *float64    `db:"longitude"`
	Phone             *string     `db:"telephone"`
	Email             *string     `db:"courriel"`
	Website           *string     `db:"site_web"`
	SourceLink        *string     `db:"lien_source"`
	OpeningHours      *string     `db:"horaires_accueil"`
	AccessibilityLink *string     `db:"accessibilite_lieu"`
	Networks          stringArray `db:"reseaux_porteurs"`
	UpdatedOn         model.Date  `db:"date_maj"`
	Version           int         `db:"version"`
	Origin            string      `db:"origin"`
	ClaimedAt         *time.Time  `db:"claimed_at"`
}

func (r structureRow) model() model.Structure {
	sectors := make([]model.Sector, len(r.Sectors))
	for i, x := range r.Sectors {
		sectors[i] = model.Sector(x)
	}
	return model.Structure{Key: r.Key, Source: r.Source, DIID: r.DIID, UpdatedOn: r.UpdatedOn, Version: r.Version,
		Origin: model.OriginOf(r.Origin), ClaimedAt: r.ClaimedAt,
		StructureFields: model.StructureFields{
			Name: r.Name, AgirRole: model.StructureRole(r.AgirRole), Departments: model.NonNilStrings([]string(r.Departments)),
			Sectors: sectors, Siret: r.Siret, Description: r.Description, Address: r.Address,
			AddressComplement: r.AddressComplement, City: r.City, PostalCode: r.PostalCode, InseeCode: r.InseeCode,
			Latitude: r.Latitude, Longitude: r.Longitude, Phone: r.Phone, Email: r.Email, Website: r.Website,
			SourceLink: r.SourceLink, OpeningHours: r.OpeningHours, AccessibilityLink: r.AccessibilityLink,
			Networks: model.NonNilStrings([]string(r.Networks)),
		}}
}

// structureColumnList are the columns of a structure, each prefixed by "s.".
var structureColumnList = []string{"id", "name", "agir_role", "departments", "created_at", "source", "di_id", "sectors",
	"siret", "description", "adresse", "complement_adresse", "commune", "code_postal", "code_insee", "latitude",
	"longitude", "telephone", "courriel", "site_web", "lien_source", "horaires_accueil", "accessibilite_lieu",
	"reseaux_porteurs", "date_maj", "version", "origin", "claimed_at"}

var structureColumns = columnList("s.", "", structureColumnList)

// columnList lists columns as "p.col" (or "p.col AS \"alias.col\"" when alias is set).
func columnList(p, alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = p + c
		if alias != "" {
			out[i] += ` AS "` + alias + "." + c + `"`
		}
	}
	return strings.Join(out, ", ")
}

// StructuresByKeys returns the structures of the given keys, in key order; a key without
// a structure gives a zero Structure at its place (Key ""). Structures are public to every
// role (the offer map), so no scope applies.
func (s *Store) StructuresByKeys(ctx context.Context, keys []string) ([]model.Structure, error) {
	out := make([]model.Structure, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		rows, err := selectRows[structureRow](ctx, tx, len(keys),
			`SELECT `+structureColumns+` FROM structures s WHERE s.id = ANY($1::uuid[])`, validUUIDs(keys))
		if err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r structureRow) (string, model.Structure) { return r.Key, r.model() })
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
	Sector     *model.Sector
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
		q.Where = append(q.Where, fmt.Sprintf("s.departments @> ARRAY[$%d]::text[]", len(q.Args))) // served by the GIN index
	}
	if f.Sector != nil {
		q.Args = append(q.Args, string(*f.Sector))
		q.Where = append(q.Where, fmt.Sprintf("$%d = ANY(s.sectors)", len(q.Args)))
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
			SELECT m.id, m.structure_id, m.name, m.email, m.subject, m.staff_role, m.active, `+columnList("s.", "s", structureColumnList)+`
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
			FROM staff_members m WHERE m.id = ANY($1::uuid[])`, validUUIDs(keys))
		if err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(m model.StaffMember) (string, model.StaffMember) { return m.Key, m })
	})
	if err != nil {
		return nil, fmt.Errorf("db: staff members by keys: %w", err)
	}
	return out, nil
}

type caseloadRow struct {
	Key   string `db:"staff_member_id"`
	Count int    `db:"n"`
}

// CaseloadsByStaffKeys returns, in key order, how many journeys in progress
// (model.JourneyPhase.InProgress)
// each staff member follows as an active referent (its « file active »).
func (s *Store) CaseloadsByStaffKeys(ctx context.Context, keys []string) ([]int, error) {
	out := make([]int, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []caseloadRow
		err := tx.SelectContext(ctx, &rows, `
			SELECT ra.staff_member_id, count(*) AS n
			FROM referent_assignments ra JOIN beneficiaries b ON b.id = ra.beneficiary_id
			WHERE ra.staff_member_id = ANY($1::uuid[]) AND ra.ended_at IS NULL
			  AND b.phase = ANY($2::text[])
			GROUP BY ra.staff_member_id`, validUUIDs(keys), model.PhasesInProgress())
		if err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r caseloadRow) (string, int) { return r.Key, r.Count })
	})
	if err != nil {
		return nil, fmt.Errorf("db: caseloads: %w", err)
	}
	return out, nil
}
