package db

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

func init() {
	constraintErrors["network_events_ends_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "endsAt"), "la fin doit suivre le début")
	constraintErrors["network_events_group_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "workingGroupId"), "un groupe de travail est requis pour une séance de groupe de travail, et seulement pour elle")
	constraintErrors["network_event_participants_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "invited"), "participant en double")
	constraintErrors["working_group_members_key"] = model.Errorf(model.CodeAlreadyExists, model.Path("input", "members"), "membre en double")
	constraintErrors["emerging_needs_count_check"] = model.Errorf(model.CodeOutOfRange, model.Path("input", "beneficiariesConcerned"), "le nombre de bénéficiaires concernés ne peut pas être négatif")
}

// Participant is a structure, or one of its staff, taking part in network work.
type Participant struct {
	StructureKey   string
	StaffMemberKey *string
}

// withinTerritory checks that every department is in p's territory (coordinators act there only).
func withinTerritory(p *model.Principal, departments []string, field []string) error {
	if len(departments) == 0 {
		return model.Errorf(model.CodeInvalidInput, field, "au moins un département est requis")
	}
	for _, d := range departments {
		if !slices.Contains(p.Departments, d) {
			return model.Errorf(model.CodeForbidden, field, "le département %s n'est pas dans votre territoire", d)
		}
	}
	return nil
}

// checkParticipants verifies that each structure exists and each staff member belongs to its structure.
func (tx *Tx) checkParticipants(ctx context.Context, ps []Participant, field string) error {
	for i, x := range ps {
		var ok bool
		err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM structures s WHERE s.id = $1::uuid
			AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM staff_members m WHERE m.id = $2::uuid AND m.structure_id = s.id)))`,
			uuidOrNil(x.StructureKey), uuidPtrOrNil(x.StaffMemberKey))
		if err != nil {
			return err
		}
		if !ok {
			return model.Errorf(model.CodeNotFound, model.Path("input", field, strconv.Itoa(i)), "structure introuvable, ou professionnel d'une autre structure")
		}
	}
	return nil
}

// uuidPtrOrNil is uuidOrNil of an optional key.
func uuidPtrOrNil(k *string) *string {
	if k == nil {
		return nil
	}
	return uuidOrNil(*k)
}

// NewNetworkEvent is an event to schedule.
type NewNetworkEvent struct {
	Kind            model.NetworkEventKind
	Title           string
	Theme           model.Sector
	StartsAt        time.Time
	EndsAt          *time.Time
	Location        *string
	Departments     []string
	Agenda          *string
	WorkingGroupKey *string
	Invited         []Participant
}

type networkEventRow struct {
	model.NetworkEvent
	Departments stringArray `db:"departments"`
}

func (r networkEventRow) model() model.NetworkEvent {
	e := r.NetworkEvent
	e.Departments = model.NonNilStrings([]string(r.Departments))
	return e
}

const networkEventColumns = `e.id AS "key", e.kind AS "kind", e.title AS "title", e.theme AS "theme", e.starts_at AS "startsat",
	e.ends_at AS "endsat", e.location AS "location", e.departments, e.agenda AS "agenda", e.minutes AS "minutes",
	e.working_group_id AS "workinggroupkey", e.version AS "version"`

// ScheduleNetworkEvent schedules a network event in p's territory (coordinators).
func (s *Store) ScheduleNetworkEvent(ctx context.Context, p *model.Principal, in NewNetworkEvent) (model.NetworkEvent, error) {
	var e model.NetworkEvent
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleCoordinator {
			return model.ErrForbidden()
		}
		if err := withinTerritory(p, in.Departments, model.Path("input", "departments")); err != nil {
			return err
		}
		if err := tx.checkParticipants(ctx, in.Invited, "invited"); err != nil {
			return err
		}
		var key string
		err := tx.GetContext(ctx, &key, `INSERT INTO network_events (kind, title, theme, starts_at, ends_at, location,
			departments, agenda, working_group_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid, $10) RETURNING id`,
			string(in.Kind), in.Title, string(in.Theme), in.StartsAt, in.EndsAt, in.Location, in.Departments,
			in.Agenda, uuidPtrOrNil(in.WorkingGroupKey), tx.Now)
		if err != nil {
			return err
		}
		for _, x := range in.Invited {
			if _, err := tx.ExecContext(ctx, `INSERT INTO network_event_participants (event_id, structure_id, staff_member_id, invited)
				VALUES ($1, $2, $3, true)`, key, x.StructureKey, x.StaffMemberKey); err != nil {
				return err
			}
		}
		if err := tx.GetContext(ctx, &e, `SELECT `+networkEventColumnsNoDeps+` FROM network_events e WHERE e.id = $1`, key); err != nil {
			return err
		}
		e.Departments = in.Departments
		return tx.audit(ctx, p, AuditEntry{Action: "scheduleNetworkEvent", EntityType: "NetworkEvent", EntityID: key,
			Departments: in.Departments, Changes: map[string]any{"title": in.Title, "kind": in.Kind, "startsAt": in.StartsAt, "invited": len(in.Invited)}})
	})
	if err != nil {
		return e, fmt.Errorf("db: schedule network event: %w", err)
	}
	return e, nil
}

const networkEventColumnsNoDeps = `e.id AS "key", e.kind AS "kind", e.title AS "title", e.theme AS "theme", e.starts_at AS "startsat",
	e.ends_at AS "endsat", e.location AS "location", e.agenda AS "agenda", e.minutes AS "minutes",
	e.working_group_id AS "workinggroupkey", e.version AS "version"`

// RecordNetworkEventMinutes records the minutes and who attended (coordinators of the
// event's territory). Participants not listed as attending are recorded absent.
func (s *Store) RecordNetworkEventMinutes(ctx context.Context, p *model.Principal, key string, version int, minutes string, attended []Participant) (model.NetworkEvent, error) {
	var e model.NetworkEvent
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleCoordinator {
			return model.ErrForbidden()
		}
		var rows []networkEventRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+networkEventColumns+` FROM network_events e WHERE e.id = $1::uuid FOR UPDATE`, uuidOrNil(key)); err != nil {
			return err
		}
		if len(rows) == 0 {
			return model.Errorf(model.CodeNotFound, model.Path("input", "id"), "temps de réseau introuvable")
		}
		before := rows[0].model()
		if !overlaps(before.Departments, p.Departments) {
			return model.Errorf(model.CodeForbidden, model.Path("input", "id"), "ce temps de réseau n'est pas dans votre territoire")
		}
		if before.Version != version {
			return model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "le temps de réseau a été modifié entre-temps : rechargez-le")
		}
		if err := tx.checkParticipants(ctx, attended, "attended"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE network_event_participants SET attended = false WHERE event_id = $1`, key); err != nil {
			return err
		}
		for _, x := range attended {
			if _, err := tx.ExecContext(ctx, `INSERT INTO network_event_participants (event_id, structure_id, staff_member_id, invited, attended)
				VALUES ($1, $2, $3, false, true)
				ON CONFLICT (event_id, structure_id, coalesce(staff_member_id, '00000000-0000-0000-0000-000000000000'))
				DO UPDATE SET attended = true`, key, x.StructureKey, x.StaffMemberKey); err != nil {
				return err
			}
		}
		if err := tx.GetContext(ctx, &e, `UPDATE network_events e SET minutes = $2, version = version + 1 WHERE e.id = $1
			RETURNING `+networkEventColumnsNoDeps, key, minutes); err != nil {
			return err
		}
		e.Departments = before.Departments
		return tx.audit(ctx, p, AuditEntry{Action: "recordNetworkEventMinutes", EntityType: "NetworkEvent", EntityID: key,
			Departments: before.Departments, Changes: map[string]any{"minutes": map[string]any{"before": before.Minutes, "after": minutes}, "attended": len(attended)}})
	})
	if err != nil {
		return e, fmt.Errorf("db: record network event minutes: %w", err)
	}
	return e, nil
}

// overlaps reports whether a and b share a value.
func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// NetworkEventFilter restricts NetworkEvents.
type NetworkEventFilter struct {
	Kind       *model.NetworkEventKind
	Theme      *model.Sector
	Department *string
	From, To   *time.Time
}

// NetworkEvents returns events, most recent first (public to the network).
func (s *Store) NetworkEvents(ctx context.Context, f NetworkEventFilter, page model.Page, wantTotal bool) (model.Connection[model.NetworkEvent], error) {
	q := pageQuery{Select: networkEventColumns, From: "network_events e", Order: keyset{Expr: "e.starts_at", Type: "timestamptz", ID: "e.id", Desc: true}}
	sc := &partnerScope{}
	if f.Kind != nil {
		q.Where = append(q.Where, "e.kind = "+sc.arg(string(*f.Kind)))
	}
	if f.Theme != nil {
		q.Where = append(q.Where, "e.theme = "+sc.arg(string(*f.Theme)))
	}
	if f.Department != nil {
		q.Where = append(q.Where, "e.departments @> ARRAY["+sc.arg(*f.Department)+"]::text[]") // served by the GIN index
	}
	if f.From != nil {
		q.Where = append(q.Where, "e.starts_at >= "+sc.arg(*f.From))
	}
	if f.To != nil {
		q.Where = append(q.Where, "e.starts_at < "+sc.arg(*f.To))
	}
	q.Args = sc.args
	var conn model.Connection[model.NetworkEvent]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal, func(r networkEventRow) (string, string) {
			return r.StartsAt.Format(time.RFC3339Nano), r.Key
		}, networkEventRow.model)
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: network events: %w", err)
	}
	return conn, nil
}

// NetworkEventsByKeys returns events in key order.
func (s *Store) NetworkEventsByKeys(ctx context.Context, keys []string) ([]model.NetworkEvent, error) {
	out := make([]model.NetworkEvent, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []networkEventRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+networkEventColumns+` FROM network_events e WHERE e.id = ANY($1::uuid[])`,
			validUUIDs(keys)); err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r networkEventRow) (string, model.NetworkEvent) { return r.Key, r.model() })
	})
	if err != nil {
		return nil, fmt.Errorf("db: network events by keys: %w", err)
	}
	return out, nil
}

// inKeyOrder fills out in key order from rows.
func inKeyOrder[R, T any](keys []string, rows []R, out []T, kv func(R) (string, T)) error {
	m := make(map[string]T, len(rows))
	for _, r := range rows {
		k, v := kv(r)
		m[k] = v
	}
	for i, k := range keys {
		out[i] = m[k]
	}
	return nil
}

// groupInKeyOrder fills out[i] with the values of keys[i], in row order.
func groupInKeyOrder[R, T any](keys []string, rows []R, kv func(R) (string, T)) [][]T {
	m := map[string][]T{}
	for _, r := range rows {
		k, v := kv(r)
		m[k] = append(m[k], v)
	}
	out := make([][]T, len(keys))
	for i, k := range keys {
		out[i] = m[k]
		if out[i] == nil {
			out[i] = []T{}
		}
	}
	return out
}

// ParticipantsByEvent returns the participants of each event, in key order.
func (s *Store) ParticipantsByEvent(ctx context.Context, keys []string) ([][]model.EventParticipation, error) {
	var out [][]model.EventParticipation
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []model.EventParticipation
		if err := tx.SelectContext(ctx, &rows, `SELECT x.event_id AS "eventkey", x.structure_id AS "structurekey",
			x.staff_member_id AS "staffmemberkey", x.invited AS "invited", x.attended AS "attended"
			FROM network_event_participants x JOIN structures s ON s.id = x.structure_id
			WHERE x.event_id = ANY($1::uuid[]) ORDER BY s.name, x.structure_id, x.staff_member_id NULLS FIRST`, validUUIDs(keys)); err != nil {
			return err
		}
		out = groupInKeyOrder(keys, rows, func(r model.EventParticipation) (string, model.EventParticipation) { return r.EventKey, r })
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: participants by event: %w", err)
	}
	return out, nil
}

// NewWorkingGroup is a working group to create.
type NewWorkingGroup struct {
	Name        string
	Theme       model.Sector
	Description *string
	Departments []string
	Members     []Participant
}

type workingGroupRow struct {
	model.WorkingGroup
	Departments stringArray `db:"departments"`
}

func (r workingGroupRow) model() model.WorkingGroup {
	g := r.WorkingGroup
	g.Departments = model.NonNilStrings([]string(r.Departments))
	return g
}

const workingGroupColumns = `g.id AS "key", g.name AS "name", g.theme AS "theme", g.description AS "description", g.departments`

// CreateWorkingGroup creates a working group in p's territory (coordinators).
func (s *Store) CreateWorkingGroup(ctx context.Context, p *model.Principal, in NewWorkingGroup) (model.WorkingGroup, error) {
	var g model.WorkingGroup
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleCoordinator {
			return model.ErrForbidden()
		}
		if err := withinTerritory(p, in.Departments, model.Path("input", "departments")); err != nil {
			return err
		}
		if err := tx.checkParticipants(ctx, in.Members, "members"); err != nil {
			return err
		}
		var r workingGroupRow
		if err := tx.GetContext(ctx, &r, `INSERT INTO working_groups AS g (name, theme, description, departments, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+workingGroupColumns, in.Name, string(in.Theme), in.Description, in.Departments, tx.Now); err != nil {
			return err
		}
		g = r.model()
		for _, m := range in.Members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO working_group_members (working_group_id, structure_id, staff_member_id) VALUES ($1, $2, $3)`,
				g.Key, m.StructureKey, m.StaffMemberKey); err != nil {
				return err
			}
		}
		return tx.audit(ctx, p, AuditEntry{Action: "createWorkingGroup", EntityType: "WorkingGroup", EntityID: g.Key,
			Departments: in.Departments, Changes: map[string]any{"name": in.Name, "theme": in.Theme, "members": len(in.Members)}})
	})
	if err != nil {
		return g, fmt.Errorf("db: create working group: %w", err)
	}
	return g, nil
}

// WorkingGroups lists working groups by name, optionally of one department.
func (s *Store) WorkingGroups(ctx context.Context, department *string) ([]model.WorkingGroup, error) {
	var out []model.WorkingGroup
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []workingGroupRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+workingGroupColumns+` FROM working_groups g
			WHERE $1::text IS NULL OR $1 = ANY(g.departments) ORDER BY g.name, g.id LIMIT 500`, department); err != nil {
			return err
		}
		out = make([]model.WorkingGroup, len(rows))
		for i, r := range rows {
			out[i] = r.model()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: working groups: %w", err)
	}
	return out, nil
}

// WorkingGroupsByKeys returns working groups in key order.
func (s *Store) WorkingGroupsByKeys(ctx context.Context, keys []string) ([]model.WorkingGroup, error) {
	out := make([]model.WorkingGroup, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []workingGroupRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+workingGroupColumns+` FROM working_groups g WHERE g.id = ANY($1::uuid[])`,
			validUUIDs(keys)); err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r workingGroupRow) (string, model.WorkingGroup) { return r.Key, r.model() })
	})
	if err != nil {
		return nil, fmt.Errorf("db: working groups by keys: %w", err)
	}
	return out, nil
}

// WorkingGroupMembers returns, per group in key order, its members (structure and
// optional staff member).
func (s *Store) WorkingGroupMembers(ctx context.Context, keys []string) ([][]Participant, error) {
	var out [][]Participant
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []struct {
			Group     string  `db:"working_group_id"`
			Structure string  `db:"structure_id"`
			Staff     *string `db:"staff_member_id"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT w.working_group_id, w.structure_id, w.staff_member_id
			FROM working_group_members w JOIN structures s ON s.id = w.structure_id
			WHERE w.working_group_id = ANY($1::uuid[]) ORDER BY s.name, w.structure_id`, validUUIDs(keys)); err != nil {
			return err
		}
		out = groupInKeyOrder(keys, rows, func(r struct {
			Group     string  `db:"working_group_id"`
			Structure string  `db:"structure_id"`
			Staff     *string `db:"staff_member_id"`
		}) (string, Participant) {
			return r.Group, Participant{StructureKey: r.Structure, StaffMemberKey: r.Staff}
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: working group members: %w", err)
	}
	return out, nil
}

// NewGoodPractice is a good practice to record.
type NewGoodPractice struct {
	Title, Description string
	EventKey           *string
	Tags, Departments  []string
}

type goodPracticeRow struct {
	model.GoodPractice
	Tags        stringArray `db:"tags"`
	Departments stringArray `db:"departments"`
}

func (r goodPracticeRow) model() model.GoodPractice {
	g := r.GoodPractice
	g.Tags, g.Departments = model.NonNilStrings([]string(r.Tags)), model.NonNilStrings([]string(r.Departments))
	return g
}

const goodPracticeColumns = `g.id AS "key", g.title AS "title", g.description AS "description", g.event_id AS "eventkey",
	g.tags, g.departments, g.recorded_at AS "recordedat"`

// RecordGoodPractice records a good practice in p's territory (coordinators).
func (s *Store) RecordGoodPractice(ctx context.Context, p *model.Principal, in NewGoodPractice) (model.GoodPractice, error) {
	var g model.GoodPractice
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleCoordinator {
			return model.ErrForbidden()
		}
		if err := withinTerritory(p, in.Departments, model.Path("input", "departments")); err != nil {
			return err
		}
		if in.EventKey != nil {
			var ok bool
			if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM network_events WHERE id = $1::uuid)`, uuidOrNil(*in.EventKey)); err != nil {
				return err
			}
			if !ok {
				return model.Errorf(model.CodeNotFound, model.Path("input", "eventId"), "temps de réseau introuvable")
			}
		}
		var r goodPracticeRow
		if err := tx.GetContext(ctx, &r, `INSERT INTO good_practices AS g (title, description, event_id, tags, departments, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+goodPracticeColumns, in.Title, in.Description, in.EventKey,
			model.NonNilStrings(in.Tags), in.Departments, tx.Now); err != nil {
			return err
		}
		g = r.model()
		return tx.audit(ctx, p, AuditEntry{Action: "recordGoodPractice", EntityType: "GoodPractice", EntityID: g.Key,
			Departments: in.Departments, Changes: map[string]any{"title": in.Title, "tags": in.Tags}})
	})
	if err != nil {
		return g, fmt.Errorf("db: record good practice: %w", err)
	}
	return g, nil
}

// GoodPracticeFilter restricts GoodPractices.
type GoodPracticeFilter struct{ Tag, Department *string }

// GoodPractices returns good practices, most recent first.
func (s *Store) GoodPractices(ctx context.Context, f GoodPracticeFilter, page model.Page, wantTotal bool) (model.Connection[model.GoodPractice], error) {
	q := pageQuery{Select: goodPracticeColumns, From: "good_practices g", Order: keyset{Expr: "g.recorded_at", Type: "timestamptz", ID: "g.id", Desc: true}}
	sc := &partnerScope{}
	if f.Tag != nil {
		q.Where = append(q.Where, "g.tags @> ARRAY["+sc.arg(*f.Tag)+"]::text[]") // served by the GIN index
	}
	if f.Department != nil {
		q.Where = append(q.Where, sc.arg(*f.Department)+" = ANY(g.departments)")
	}
	q.Args = sc.args
	var conn model.Connection[model.GoodPractice]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal, func(r goodPracticeRow) (string, string) {
			return r.RecordedAt.Format(time.RFC3339Nano), r.Key
		}, goodPracticeRow.model)
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: good practices: %w", err)
	}
	return conn, nil
}

// GoodPracticesByKeys returns good practices in key order.
func (s *Store) GoodPracticesByKeys(ctx context.Context, keys []string) ([]model.GoodPractice, error) {
	out := make([]model.GoodPractice, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []goodPracticeRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+goodPracticeColumns+` FROM good_practices g WHERE g.id = ANY($1::uuid[])`,
			validUUIDs(keys)); err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r goodPracticeRow) (string, model.GoodPractice) { return r.Key, r.model() })
	})
	if err != nil {
		return nil, fmt.Errorf("db: good practices by keys: %w", err)
	}
	return out, nil
}

// GoodPracticesByEvent returns the practices born in each event, in key order.
func (s *Store) GoodPracticesByEvent(ctx context.Context, keys []string) ([][]model.GoodPractice, error) {
	var out [][]model.GoodPractice
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []goodPracticeRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+goodPracticeColumns+` FROM good_practices g
			WHERE g.event_id = ANY($1::uuid[]) ORDER BY g.recorded_at, g.id`, validUUIDs(keys)); err != nil {
			return err
		}
		out = groupInKeyOrder(keys, rows, func(r goodPracticeRow) (string, model.GoodPractice) { return *r.EventKey, r.model() })
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: good practices by event: %w", err)
	}
	return out, nil
}

const emergingNeedColumns = `n.id AS "key", n.description AS "description", n.theme AS "theme", n.department AS "department",
	n.reported_by_structure AS "reportedbykey", n.reported_at AS "reportedat", n.beneficiaries_concerned AS "beneficiariesconcerned",
	n.status AS "status", n.version AS "version"`

// needVisible is the condition under which p reads need n: its department is in p's territory.
func (s *partnerScope) needVisible(p *model.Principal) string {
	return "n.department = ANY(" + s.arg(model.NonNilStrings(p.Departments)) + "::text[])"
}

// ReportEmergingNeed records a need of p's territory, reported by p's structure.
func (s *Store) ReportEmergingNeed(ctx context.Context, p *model.Principal, description string, theme model.Sector, department string, count int) (model.EmergingNeed, error) {
	var n model.EmergingNeed
	err := s.WithTx(ctx, func(tx *Tx) error {
		if err := withinTerritory(p, []string{department}, model.Path("input", "department")); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &n, `INSERT INTO emerging_needs AS n (description, theme, department, reported_by_structure,
			reported_at, beneficiaries_concerned) VALUES ($1, $2, $3, $4::uuid, $5, $6) RETURNING `+emergingNeedColumns,
			description, string(theme), department, uuidOrNil(p.StructureID), tx.Now, count); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "reportEmergingNeed", EntityType: "EmergingNeed", EntityID: n.Key,
			Departments: []string{department}, Changes: map[string]any{"theme": theme, "beneficiariesConcerned": count}})
	})
	if err != nil {
		return n, fmt.Errorf("db: report emerging need: %w", err)
	}
	return n, nil
}

// EmergingNeedUpdate is a change of an emerging need; nil fields are kept.
type EmergingNeedUpdate struct {
	Status                 *model.EmergingNeedStatus
	BeneficiariesConcerned *int
	AnsweringOfferKeys     []string
	SetOffers              bool
}

// UpdateEmergingNeed changes a need of p's territory (coordinators).
func (s *Store) UpdateEmergingNeed(ctx context.Context, p *model.Principal, key string, version int, u EmergingNeedUpdate) (model.EmergingNeed, error) {
	var n model.EmergingNeed
	err := s.WithTx(ctx, func(tx *Tx) error {
		if p.Role != model.RoleCoordinator {
			return model.ErrForbidden()
		}
		sc := &partnerScope{}
		k := sc.arg(uuidOrNil(key))
		var rows []model.EmergingNeed
		if err := tx.SelectContext(ctx, &rows, `SELECT `+emergingNeedColumns+` FROM emerging_needs n WHERE n.id = `+k+`::uuid AND `+
			sc.needVisible(p)+` FOR UPDATE`, sc.args...); err != nil {
			return err
		}
		if len(rows) == 0 {
			return model.Errorf(model.CodeNotFound, model.Path("input", "id"), "besoin introuvable dans votre territoire")
		}
		before := rows[0]
		if before.Version != version {
			return model.Errorf(model.CodeVersionConflict, model.Path("input", "version"), "le besoin a été modifié entre-temps : rechargez-le")
		}
		changes := map[string]any{}
		if u.SetOffers {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM offers WHERE id = ANY($1::uuid[]) AND status = 'PUBLISHED'`,
				validUUIDs(u.AnsweringOfferKeys)); err != nil {
				return err
			}
			if n != len(u.AnsweringOfferKeys) {
				return model.Errorf(model.CodeNotFound, model.Path("input", "answeringOfferIds"), "une des offres est introuvable ou non publiée")
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM emerging_need_offers WHERE need_id = $1`, key); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO emerging_need_offers (need_id, offer_id) SELECT $1, unnest($2::uuid[])`,
				key, u.AnsweringOfferKeys); err != nil {
				return err
			}
			changes["answeringOffers"] = map[string]any{"after": u.AnsweringOfferKeys}
		}
		status, count := before.Status, before.BeneficiariesConcerned
		if u.Status != nil {
			status = *u.Status
			changes["status"] = map[string]any{"before": before.Status, "after": status}
		}
		if u.BeneficiariesConcerned != nil {
			count = *u.BeneficiariesConcerned
			changes["beneficiariesConcerned"] = map[string]any{"before": before.BeneficiariesConcerned, "after": count}
		}
		if err := tx.GetContext(ctx, &n, `UPDATE emerging_needs n SET status = $2, beneficiaries_concerned = $3, version = version + 1
			WHERE n.id = $1 RETURNING `+emergingNeedColumns, key, string(status), count); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "updateEmergingNeed", EntityType: "EmergingNeed", EntityID: key,
			Departments: []string{before.Department}, Changes: changes})
	})
	if err != nil {
		return n, fmt.Errorf("db: update emerging need: %w", err)
	}
	return n, nil
}

// EmergingNeedFilter restricts EmergingNeeds.
type EmergingNeedFilter struct {
	Department *string
	Theme      *model.Sector
	Status     *model.EmergingNeedStatus
}

// EmergingNeeds returns the needs of p's territory, most recent first.
func (s *Store) EmergingNeeds(ctx context.Context, p *model.Principal, f EmergingNeedFilter, page model.Page, wantTotal bool) (model.Connection[model.EmergingNeed], error) {
	sc := &partnerScope{}
	q := pageQuery{Select: emergingNeedColumns, From: "emerging_needs n", Order: keyset{Expr: "n.reported_at", Type: "timestamptz", ID: "n.id", Desc: true}}
	q.Where = append(q.Where, sc.needVisible(p))
	if f.Department != nil {
		q.Where = append(q.Where, "n.department = "+sc.arg(*f.Department))
	}
	if f.Theme != nil {
		q.Where = append(q.Where, "n.theme = "+sc.arg(string(*f.Theme)))
	}
	if f.Status != nil {
		q.Where = append(q.Where, "n.status = "+sc.arg(string(*f.Status)))
	}
	q.Args = sc.args
	var conn model.Connection[model.EmergingNeed]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal, func(r model.EmergingNeed) (string, string) {
			return r.ReportedAt.Format(time.RFC3339Nano), r.Key
		}, identity[model.EmergingNeed])
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: emerging needs: %w", err)
	}
	return conn, nil
}

// EmergingNeedsByKeys returns the needs of keys within p's territory, in key order.
func (s *Store) EmergingNeedsByKeys(ctx context.Context, p *model.Principal, keys []string) ([]model.EmergingNeed, error) {
	out := make([]model.EmergingNeed, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		sc := &partnerScope{}
		k := sc.arg(validUUIDs(keys))
		var rows []model.EmergingNeed
		if err := tx.SelectContext(ctx, &rows, `SELECT `+emergingNeedColumns+` FROM emerging_needs n WHERE n.id = ANY(`+k+`::uuid[]) AND `+
			sc.needVisible(p), sc.args...); err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r model.EmergingNeed) (string, model.EmergingNeed) { return r.Key, r })
	})
	if err != nil {
		return nil, fmt.Errorf("db: emerging needs by keys: %w", err)
	}
	return out, nil
}

// AnsweringOffers returns, per need in key order, the offers answering it visible to p.
func (s *Store) AnsweringOffers(ctx context.Context, p *model.Principal, keys []string) ([][]model.Offer, error) {
	var out [][]model.Offer
	err := s.readTx(ctx, func(tx *Tx) error {
		sc := &partnerScope{}
		k := sc.arg(validUUIDs(keys))
		var rows []struct {
			offerRow
			Need string `db:"need_id"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT `+offerColumns+`, NULL::float8 AS distance_m, x.need_id
			FROM emerging_need_offers x JOIN offers o ON o.id = x.offer_id JOIN structures s ON s.id = o.structure_id
			WHERE x.need_id = ANY(`+k+`::uuid[]) AND `+sc.offerVisible(p)+` ORDER BY o.nom, o.id`, sc.args...); err != nil {
			return err
		}
		out = groupInKeyOrder(keys, rows, func(r struct {
			offerRow
			Need string `db:"need_id"`
		}) (string, model.Offer) {
			return r.Need, r.offerRow.model()
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: answering offers: %w", err)
	}
	return out, nil
}
