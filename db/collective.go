package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Collective actions (workshops): scheduled in a department of the caller's territory;
// registration never exceeds capacity, even under concurrent requests (the action's row
// is locked while its registrations are counted and the new one inserted).

// actionScope restricts collective actions (alias alias) to the caller's territory.
func actionScope(p *model.Principal, alias string, args *[]any) string {
	if p == nil {
		return "FALSE"
	}
	switch p.Role {
	case model.RoleCoordinator, model.RoleSocialWorker, model.RoleInsertionCounsellor:
		*args = append(*args, model.NonNilStrings(p.Departments))
		return fmt.Sprintf("%s.department = ANY($%d::text[])", alias, len(*args))
	}
	return "FALSE"
}

const actionColumns = `ca.id, ca.version, ca.theme, ca.department, ca.starts_at, ca.place, ca.capacity, ca.facilitator_ids,
	(SELECT count(*) FROM collective_action_registrations g WHERE g.action_id = ca.id) AS registered_count`

type actionRow struct {
	model.CollectiveAction
	Facilitators stringArray `db:"facilitator_ids"`
}

func (r actionRow) model() model.CollectiveAction {
	a := r.CollectiveAction
	a.FacilitatorKeys = model.NonNilStrings([]string(r.Facilitators))
	return a
}

func (tx *Tx) getAction(ctx context.Context, p *model.Principal, key string, lock bool) (model.CollectiveAction, error) {
	if len(validUUIDs([]string{key})) == 0 {
		return model.CollectiveAction{}, model.Errorf(model.CodeNotFound, model.Path("input", "collectiveActionId"), "action collective introuvable")
	}
	args := []any{key}
	scope := actionScope(p, "ca", &args)
	if lock {
		// Lock in a statement of its own: in READ COMMITTED the next statement takes a
		// new snapshot, so the count of registrations below sees every registration
		// committed by the transactions this lock waited for.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM collective_actions ca WHERE ca.id = $1 AND `+scope+` FOR UPDATE`, args...); err != nil {
			return model.CollectiveAction{}, err
		}
	}
	q := `SELECT ` + actionColumns + ` FROM collective_actions ca WHERE ca.id = $1 AND ` + scope
	var rows []actionRow
	if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
		return model.CollectiveAction{}, err
	}
	if len(rows) == 0 {
		return model.CollectiveAction{}, model.Errorf(model.CodeNotFound, model.Path("input", "collectiveActionId"), "action collective introuvable")
	}
	return rows[0].model(), nil
}

// ScheduleCollectiveAction schedules a workshop in a department of the caller's territory.
func (s *Store) ScheduleCollectiveAction(ctx context.Context, p *model.Principal, in model.ScheduleCollectiveActionInput, facilitators []string) (*model.CollectiveAction, error) {
	var out model.CollectiveAction
	err := s.WithTx(ctx, func(tx *Tx) error {
		inTerritory := false
		for _, d := range p.Departments {
			inTerritory = inTerritory || d == in.Department
		}
		if !inTerritory {
			return model.Errorf(model.CodeForbidden, model.Path("input", "department"), "ce département n'est pas dans votre territoire")
		}
		if in.Capacity < 1 || in.Capacity > 500 {
			return model.Errorf(model.CodeOutOfRange, model.Path("input", "capacity"), "la capacité doit être comprise entre 1 et 500 places")
		}
		if in.StartsAt.Before(tx.Now.Add(-24 * time.Hour * 365)) {
			return model.Errorf(model.CodeOutOfRange, model.Path("input", "startsAt"), "la date de l'action est trop ancienne")
		}
		if len(facilitators) > 0 {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM staff_members WHERE id = ANY($1::uuid[]) AND active`,
				validUUIDs(facilitators)); err != nil {
				return err
			}
			if n != len(facilitators) {
				return model.Errorf(model.CodeInvalidInput, model.Path("input", "facilitatorIds"), "un animateur est inconnu ou inactif")
			}
		}
		var key string
		err := tx.GetContext(ctx, &key, `INSERT INTO collective_actions (department, structure_id, theme, starts_at, place, capacity,
			facilitator_ids, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			in.Department, nullable(p.StructureID), strings.TrimSpace(in.Theme), in.StartsAt, strings.TrimSpace(in.Place), in.Capacity,
			model.NonNilStrings(facilitators), tx.Now)
		if err != nil {
			return err
		}
		if out, err = tx.getAction(ctx, p, key, false); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "scheduleCollectiveAction", EntityType: "CollectiveAction", EntityID: key,
			Departments: []string{in.Department}, Changes: map[string]any{"after": map[string]any{"theme": out.Theme,
				"startsAt": out.StartsAt, "capacity": out.Capacity}}})
	})
	if err != nil {
		return nil, fmt.Errorf("db: schedule collective action: %w", err)
	}
	return &out, nil
}

// RegisterForCollectiveAction registers a beneficiary of the caller's scope; refused
// with CAPACITY_REACHED when the action is full. The action's row lock serialises
// concurrent registrations, so the count and the insert see the same registrations.
func (s *Store) RegisterForCollectiveAction(ctx context.Context, p *model.Principal, actionKey, beneficiaryKey string) (*model.CollectiveAction, error) {
	var out model.CollectiveAction
	err := s.WithTx(ctx, func(tx *Tx) error {
		b, err := tx.getBeneficiary(ctx, p, beneficiaryKey, false)
		if err != nil {
			return err
		}
		f, err := tx.journeyFacts(ctx, beneficiaryKey)
		if err != nil {
			return err
		}
		params, _, err := tx.paramsFor(ctx, b.Department, s.Params)
		if err != nil {
			return err
		}
		if err := model.CheckAct(model.ActRegister, f, tx.today(), params); err != nil {
			return err
		}
		a, err := tx.getAction(ctx, p, actionKey, true)
		if err != nil {
			return err
		}
		if a.RegisteredCount >= a.Capacity {
			return model.Errorf(model.CodeCapacityReached, model.Path("input", "collectiveActionId"),
				"l'action collective est complète (%d places)", a.Capacity)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO collective_action_registrations (action_id, beneficiary_id, registered_at)
			VALUES ($1, $2, $3)`, actionKey, beneficiaryKey, tx.Now); err != nil {
			return err
		}
		if out, err = tx.getAction(ctx, p, actionKey, false); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "registerForCollectiveAction", EntityType: "Beneficiary", EntityID: beneficiaryKey,
			Departments: []string{b.Department}, Changes: map[string]any{"collectiveAction": actionKey,
				"registeredCount": map[string]any{"before": a.RegisteredCount, "after": out.RegisteredCount}}})
	})
	if err != nil {
		return nil, fmt.Errorf("db: register for collective action: %w", err)
	}
	return &out, nil
}

// RecordAttendance records whether a registered beneficiary attended.
func (s *Store) RecordAttendance(ctx context.Context, p *model.Principal, actionKey, beneficiaryKey string, attended bool) (*model.CollectiveAction, error) {
	var out model.CollectiveAction
	err := s.WithTx(ctx, func(tx *Tx) error {
		b, err := tx.getBeneficiary(ctx, p, beneficiaryKey, false)
		if err != nil {
			return err
		}
		a, err := tx.getAction(ctx, p, actionKey, true)
		if err != nil {
			return err
		}
		if tx.Now.Before(a.StartsAt) {
			return model.Errorf(model.CodeOutOfOrder, model.Path("input", "attended"), "la présence se note une fois l'action commencée")
		}
		var before []sql.NullBool
		if err := tx.SelectContext(ctx, &before, `UPDATE collective_action_registrations g SET attended = $3
			FROM collective_action_registrations old WHERE g.action_id = $1 AND g.beneficiary_id = $2
			AND old.action_id = g.action_id AND old.beneficiary_id = g.beneficiary_id RETURNING old.attended`,
			actionKey, beneficiaryKey, attended); err != nil {
			return err
		}
		if len(before) == 0 {
			return model.Errorf(model.CodeNotFound, model.Path("input", "beneficiaryId"), "ce bénéficiaire n'est pas inscrit à cette action")
		}
		out = a
		return tx.audit(ctx, p, AuditEntry{Action: "recordAttendance", EntityType: "Beneficiary", EntityID: beneficiaryKey,
			Departments: []string{b.Department}, Changes: map[string]any{"collectiveAction": actionKey,
				"attended": map[string]any{"before": nullBool(before[0]), "after": attended}}})
	})
	if err != nil {
		return nil, fmt.Errorf("db: record attendance: %w", err)
	}
	return &out, nil
}

// CollectiveActionsByKeys returns actions of the caller's territory in key order.
func (s *Store) CollectiveActionsByKeys(ctx context.Context, p *model.Principal, keys []string) ([]model.CollectiveAction, error) {
	out := make([]model.CollectiveAction, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		args := []any{validUUIDs(keys)}
		var rows []actionRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+actionColumns+` FROM collective_actions ca
			WHERE ca.id = ANY($1::uuid[]) AND `+actionScope(p, "ca", &args), args...); err != nil {
			return err
		}
		byKey := map[string]model.CollectiveAction{}
		for _, r := range rows {
			byKey[r.Key] = r.model()
		}
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: collective actions by keys: %w", err)
	}
	return out, nil
}

// CollectiveActionFilter restricts CollectiveActions.
type CollectiveActionFilter struct {
	Department *string
	From, To   *model.Date
}

// CollectiveActions returns a page of the actions of the caller's territory, by start.
func (s *Store) CollectiveActions(ctx context.Context, p *model.Principal, f CollectiveActionFilter, page model.Page, wantTotal bool) (model.Connection[model.CollectiveAction], error) {
	var conn model.Connection[model.CollectiveAction]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		q := pageQuery{Select: actionColumns, From: "collective_actions ca",
			Order: keyset{Expr: "ca.starts_at", Type: "timestamptz", ID: "ca.id"}}
		q.Where = append(q.Where, actionScope(p, "ca", &q.Args))
		arg := func(v any) string { q.Args = append(q.Args, v); return fmt.Sprintf("$%d", len(q.Args)) }
		if f.Department != nil {
			q.Where = append(q.Where, "ca.department = "+arg(*f.Department))
		}
		if f.From != nil {
			q.Where = append(q.Where, "(ca.starts_at AT TIME ZONE 'Europe/Paris')::date >= "+arg(*f.From))
		}
		if f.To != nil {
			q.Where = append(q.Where, "(ca.starts_at AT TIME ZONE 'Europe/Paris')::date <= "+arg(*f.To))
		}
		conn, err = fetchPage(ctx, tx, q, page, wantTotal,
			func(r actionRow) (string, string) { return r.StartsAt.Format(time.RFC3339Nano), r.Key }, actionRow.model)
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: collective actions: %w", err)
	}
	return conn, nil
}

// RegistrationsByActions returns the registrations of each action, limited to the
// beneficiaries of the caller's scope.
func (s *Store) RegistrationsByActions(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.CollectiveActionRegistration, error) {
	out := map[string][]model.CollectiveActionRegistration{}
	err := s.readTx(ctx, func(tx *Tx) error {
		args := []any{validUUIDs(keys)}
		scope := beneficiaryScope(p, "b", &args)
		var rows []model.CollectiveActionRegistration
		if err := tx.SelectContext(ctx, &rows, `SELECT g.action_id, g.beneficiary_id, g.registered_at, g.attended
			FROM collective_action_registrations g JOIN beneficiaries b ON b.id = g.beneficiary_id
			WHERE g.action_id = ANY($1::uuid[]) AND `+scope+` ORDER BY g.registered_at, g.beneficiary_id`, args...); err != nil {
			return err
		}
		for _, r := range rows {
			out[r.ActionKey] = append(out[r.ActionKey], r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: registrations: %w", err)
	}
	return out, nil
}

func nullBool(b sql.NullBool) *bool {
	if !b.Valid {
		return nil
	}
	return &b.Bool
}
