package db

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Data protection (RGPD, issue 7, DESIGN §6): export of everything held on a person,
// anonymisation on request or after the journey is closed.
//
// What anonymisation keeps: the journey's phases and dates, kinds, statuses, scores and
// outcomes' kinds (the indicators), sex, nationality, languages and the year of birth
// (age bands). What it erases: names, contact details, the exact birth day, the OFII and
// state references, every free text (notes, reasons, titles, housing offers, barriers'
// details). The audit log is not rewritten (its hash chain must verify): its entries hold
// who did what and when, and are purged after the retention period
// (AGIR_AUDIT_RETENTION_DAYS); the erasure's own entry names the fields, never the values.

// anonymised is the text written in place of an erased free text that may not be empty.
const anonymised = "anonymisé"

// anonymisedColumns are the columns erased, per table holding a beneficiary's data, with
// the SQL expression replacing them ($1 is the beneficiary's key). keptColumns are the
// text columns deliberately kept. Every text or jsonb column of a table referencing
// beneficiaries must be in one of the two (TestAnonymisationCoversEveryColumn): a module
// adding a free-text column decides its fate here.
var anonymisedColumns = map[string]map[string]string{
	"beneficiaries": {
		"first_name": `'Personne'`, "last_name": `'anonymisée'`,
		"birth_date": `make_date(extract(year FROM birth_date)::int, 1, 1)`,
		"phone":      `NULL`, "email": `NULL`, "address": `NULL`,
		"ofii_reference":        `'ANONYME-' || id::text`,
		"state_instruction_ref": `NULL`,
	},
	"household_members": {
		"first_name": `'Personne'`, "last_name": `'anonymisée'`,
		"birth_date": `make_date(extract(year FROM birth_date)::int, 1, 1)`,
	},
	"convocations":      {"address": `'` + anonymised + `'`},
	"interviews":        {"shared_note": `NULL`, "private_note": `NULL`},
	"diagnostic_axes":   {"situation": `''`, "needs": `''`},
	"objectives":        {"title": `'` + anonymised + `'`},
	"plan_actions":      {"title": `'` + anonymised + `'`},
	"housing_proposals": {"offer": `'` + anonymised + `'`, "landlord": `NULL`, "refusal_reason": nullOr("refusal_reason")},
	"accessibility":     {"needs": `''`},
	"journey_exits":     {"note": `NULL`},
	"reintegrations":    {"reason": `'` + anonymised + `'`},
	"follow_ups":        {"note": `NULL`},
	"professional_diagnostics": {
		"barriers":    `(SELECT COALESCE(jsonb_agg(e - 'note'), '[]'::jsonb) FROM jsonb_array_elements(barriers) e)`,
		"diplomas":    `(SELECT COALESCE(jsonb_agg(jsonb_set(e, '{title}', '"` + anonymised + `"')), '[]'::jsonb) FROM jsonb_array_elements(diplomas) e)`,
		"skills":      `'{}'`,
		"target_jobs": `'{}'`,
	},
	"support_actions": {"result": `NULL`},
	"orientations":    {"purpose": `'` + anonymised + `'`, "refusal_reason": nullOr("refusal_reason"), "abandon_reason": nullOr("abandon_reason")},
	"outcomes":        {"job_title": nullOr("job_title"), "training_title": nullOr("training_title")},
}

func nullOr(column string) string {
	return `CASE WHEN ` + column + ` IS NULL THEN NULL ELSE '` + anonymised + `' END`
}

// keptColumns are the text and jsonb columns kept by anonymisation: closed lists (kinds,
// statuses, phases), departments, staff subjects, and what the indicators count.
var keptColumns = map[string][]string{
	"beneficiaries": {"sex", "nationality", "languages", "search_name", "sort_name", "protection_type", "department",
		"admission", "eligibility", "admission_approved_by", "phase", "convocation_status"},
	"household_members":               {"relationship", "sex", "nationality"},
	"interviews":                      {"kind", "medium", "status", "author_subject"},
	"diagnostic_axes":                 {"axis"},
	"referent_assignments":            {"kind", "assigned_by"},
	"objectives":                      {"axis"},
	"plan_actions":                    {"status"},
	"engagement_contracts":            {"recorded_by"},
	"housing_proposals":               {"outcome"},
	"rights_steps":                    {"kind", "status"},
	"accessibility":                   {"aids_requested"},
	"evaluations":                     {"stage"},
	"journey_exits":                   {"kind", "reason", "housing_situation", "employment_situation", "training_situation", "recorded_by"},
	"reintegrations":                  {"approved_by"},
	"follow_ups":                      {"stage", "housing_situation", "employment_situation", "training_situation"},
	"beneficiary_alerts":              {"kind"},
	"journey_facts":                   {"department", "phase", "end_kind", "end_reason", "end_housing"},
	"collective_action_registrations": {},
	"professional_diagnostics":        {"education_level", "experiences", "author_subject"},
	"french_levels":                   {"level", "source", "author_subject"},
	"orientations":                    {"kind", "status", "answered_by", "oriented_by_subject", "refusal_category"},
	"support_actions":                 {"kind", "author_subject"},
	"outcomes":                        {"kind", "contract_type", "employer_sector", "certification_level", "author_subject"},
	"consents":                        {"kind", "scope", "recorded_by", "withdrawn_by"},
	"erasures":                        {"kind", "reason", "erased_by"},
}

// beneficiaryTables lists the tables referencing beneficiaries and their referencing
// column, from the catalog: a module's new table is exported without being listed.
func (tx *Tx) beneficiaryTables(ctx context.Context) ([]struct{ Table, Column string }, error) {
	var out []struct{ Table, Column string }
	err := tx.SelectContext(ctx, &out, `
		SELECT c.conrelid::regclass::text AS table, a.attname AS column
		FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f' AND c.confrelid = 'beneficiaries'::regclass AND array_length(c.conkey, 1) = 1
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("beneficiary tables: %w", err)
	}
	return out, nil
}

// ExportBeneficiaryData returns everything held on beneficiary key, as a JSON document
// (RGPD right of access), or nil when the person is out of p's scope. The export is
// audited in the same transaction.
//
// The rows are exported whole (to_jsonb of the row): an export must hold everything,
// including columns added later; the generated search columns are left out. The graph
// layer then withholds what the caller may not read through the API (graph.exportAs).
func (s *Store) ExportBeneficiaryData(ctx context.Context, p *model.Principal, key string) (*string, error) {
	var out *string
	err := s.WithTx(ctx, func(tx *Tx) error {
		b, err := tx.getBeneficiary(ctx, p, key, false)
		if model.AsUserError(err) != nil {
			return nil // out of scope: null, nothing audited but the denied attempt (graph)
		}
		if err != nil {
			return err
		}
		doc := map[string]any{"format": "agir-beneficiary-export/1", "exportedAt": tx.Now.UTC().Format(time.RFC3339)}
		var person json.RawMessage
		if err := tx.GetContext(ctx, &person, `SELECT to_jsonb(b) - 'search_name' - 'sort_name' FROM beneficiaries b WHERE b.id = $1`, key); err != nil {
			return fmt.Errorf("export person: %w", err)
		}
		doc["beneficiary"] = person
		tables, err := tx.beneficiaryTables(ctx)
		if err != nil {
			return err
		}
		records := map[string]json.RawMessage{}
		keys := []string{key}
		for _, t := range tables {
			var rows json.RawMessage
			if err := tx.GetContext(ctx, &rows, `SELECT COALESCE(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]'::jsonb)
				FROM `+pgx.Identifier{t.Table}.Sanitize()+` t WHERE t.`+pgx.Identifier{t.Column}.Sanitize()+` = $1`, key); err != nil {
				return fmt.Errorf("export %s: %w", t.Table, err)
			}
			records[t.Table] = rows
			var ids []string
			if err := tx.SelectContext(ctx, &ids, `SELECT e->>'id' FROM jsonb_array_elements($1::jsonb) e WHERE e ? 'id'`, string(rows)); err != nil {
				return fmt.Errorf("export keys: %w", err)
			}
			keys = append(keys, ids...)
		}
		doc["records"] = records
		var actions json.RawMessage
		if err := tx.GetContext(ctx, &actions, `SELECT COALESCE(jsonb_agg(jsonb_build_object('theme', a.theme, 'place', a.place, 'startsAt', a.starts_at,
				'attended', r.attended) ORDER BY a.starts_at), '[]'::jsonb)
			FROM collective_action_registrations r JOIN collective_actions a ON a.id = r.action_id WHERE r.beneficiary_id = $1`, key); err != nil {
			return fmt.Errorf("export collective actions: %w", err)
		}
		doc["collectiveActions"] = actions
		var audit json.RawMessage
		// The entries about the person's records, the page reads that list one of them
		// included: such an entry shows the record of the person it concerns, never the
		// other people read in the same page. One probe of both indexes per record: the
		// planner cannot estimate "any of these keys in entity_ids" for dozens of keys
		// and would read the whole log.
		if err := tx.GetContext(ctx, &audit, `SELECT COALESCE(jsonb_agg(jsonb_build_object('at', a.at, 'actorEmail', a.actor_email,
				'actorRole', a.actor_role, 'actorStructure', a.actor_structure_id, 'operation', a.operation, 'action', a.action, 'entityType', a.entity_type, 'entityId', k.key,
				'changes', a.changes) ORDER BY a.id, k.key), '[]'::jsonb)
			FROM (SELECT DISTINCT key FROM unnest($1::text[]) AS key) k
			JOIN audit_log a ON a.entity_id = k.key OR a.entity_ids @> ARRAY[k.key]`, keys); err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		doc["auditLog"] = audit
		text, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("export encode: %w", err)
		}
		names := make([]string, 0, len(records))
		for n := range records {
			names = append(names, n)
		}
		sort.Strings(names)
		str := string(text)
		out = &str
		return tx.audit(ctx, p, AuditEntry{Action: "exportBeneficiaryData", EntityType: "Beneficiary", EntityID: key,
			Departments: []string{b.Department}, Changes: map[string]any{"tables": names}})
	})
	if err != nil {
		return nil, fmt.Errorf("db: export beneficiary data: %w", err)
	}
	return out, nil
}

// EraseBeneficiaryData anonymises beneficiary key on request (RGPD right to erasure),
// in p's scope; ANONYMISED when already done.
func (s *Store) EraseBeneficiaryData(ctx context.Context, p *model.Principal, key, reason string) (*model.Beneficiary, error) {
	var after model.Beneficiary
	err := s.WithTx(ctx, func(tx *Tx) error {
		b, err := tx.getBeneficiary(ctx, p, key, true)
		if err != nil {
			return err
		}
		if err := tx.requireNotAnonymised(ctx, key); err != nil {
			return err
		}
		if err := tx.anonymise(ctx, p, b, "REQUEST", reason); err != nil {
			return err
		}
		after, err = tx.getBeneficiary(ctx, p, key, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: erase beneficiary data: %w", err)
	}
	return &after, nil
}

// AnonymiseClosedJourneys anonymises the people whose journey is CLOSED since before
// cutoff (the last exit, or the last follow-up), at most limit per call, as actor (the
// maintenance command or the server's periodic job), and returns how many it did.
func (s *Store) AnonymiseClosedJourneys(ctx context.Context, actor *model.Principal, cutoff model.Date, limit int) (int, error) {
	n := 0
	err := s.WithTx(ctx, func(tx *Tx) error {
		var rows []beneficiaryRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+beneficiaryColumns+` FROM beneficiaries b
			WHERE b.phase = 'CLOSED' AND b.anonymised_at IS NULL
			  AND GREATEST((SELECT max(x.exited_on) FROM journey_exits x WHERE x.beneficiary_id = b.id),
			               (SELECT max(f.held_on) FROM follow_ups f WHERE f.beneficiary_id = b.id)) < $1
			ORDER BY b.id LIMIT $2 FOR UPDATE SKIP LOCKED`, cutoff, limit); err != nil {
			return fmt.Errorf("closed journeys: %w", err)
		}
		for _, r := range rows {
			if err := tx.anonymise(ctx, actor, r.model(), "AUTOMATIC",
				"parcours clos avant le "+cutoff.String()+" : anonymisation automatique"); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("db: anonymise closed journeys: %w", err)
	}
	return n, nil
}

// anonymise erases the personal data of b (anonymisedColumns), records the erasure and
// audits it (field names only).
func (tx *Tx) anonymise(ctx context.Context, p *model.Principal, b model.Beneficiary, kind, reason string) error {
	tables := make([]string, 0, len(anonymisedColumns))
	for t := range anonymisedColumns {
		tables = append(tables, t)
	}
	// The person's row last: once anonymised_at is set, the other tables refuse writes.
	sort.Slice(tables, func(i, j int) bool {
		if (tables[i] == "beneficiaries") != (tables[j] == "beneficiaries") {
			return tables[j] == "beneficiaries"
		}
		return tables[i] < tables[j]
	})
	var fields []string
	for _, t := range tables {
		cols := make([]string, 0, len(anonymisedColumns[t]))
		for c := range anonymisedColumns[t] {
			cols = append(cols, c)
		}
		sort.Strings(cols)
		sets := make([]string, len(cols))
		for i, c := range cols {
			sets[i] = pgx.Identifier{c}.Sanitize() + " = " + anonymisedColumns[t][c]
			fields = append(fields, t+"."+c)
		}
		where := "beneficiary_id = $1"
		if t == "beneficiaries" {
			where = "id = $1"
			sets = append(sets, "anonymised_at = $2", "version = version + 1", "updated_at = $2")
		}
		q := `UPDATE ` + pgx.Identifier{t}.Sanitize() + ` SET ` + strings.Join(sets, ", ") + ` WHERE ` + where
		args := []any{b.Key}
		if t == "beneficiaries" {
			args = append(args, tx.Now)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("anonymise %s: %w", t, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO erasures (beneficiary_id, kind, reason, erased_at, erased_by) VALUES ($1, $2, $3, $4, $5)`,
		b.Key, kind, strings.TrimSpace(reason), tx.Now, p.Subject); err != nil {
		return fmt.Errorf("erasure: %w", err)
	}
	return tx.audit(ctx, p, AuditEntry{Action: "eraseBeneficiaryData", EntityType: "Beneficiary", EntityID: b.Key,
		Departments: []string{b.Department}, Changes: map[string]any{
			"anonymised": map[string]any{"before": false, "after": true},
			"kind":       kind, "reason": strings.TrimSpace(reason), "erased": fields}})
}

// AnonymisedAtByKeys returns, in key order, when each beneficiary in p's scope was
// anonymised (nil when not, or out of scope).
func (s *Store) AnonymisedAtByKeys(ctx context.Context, p *model.Principal, keys []string) ([]*time.Time, error) {
	m, err := grouped(ctx, s, p, keys, `SELECT b.id, b.anonymised_at FROM beneficiaries b
		WHERE b.id = ANY($1::uuid[]) AND b.anonymised_at IS NOT NULL AND {scope}`,
		func(r struct {
			Key string     `db:"id"`
			At  *time.Time `db:"anonymised_at"`
		}) string {
			return r.Key
		})
	if err != nil {
		return nil, fmt.Errorf("db: anonymised: %w", err)
	}
	out := make([]*time.Time, len(keys))
	for i, k := range keys {
		if rows := m[k]; len(rows) > 0 {
			out[i] = rows[0].At
		}
	}
	return out, nil
}
