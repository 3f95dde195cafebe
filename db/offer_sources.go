package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Sources of the offer map (issue 20): the synchronisation of the national sources, the
// rule that keeps their fields read-only here, the claim of an imported structure.

func init() {
	constraintErrors["offer_merge_proposals_key"] = model.Errorf(model.CodeAlreadyExists, nil, "cette fusion est déjà proposée")
}

// syncPrincipal is the actor of the synchronisation's writes in the history and the audit log.
func syncPrincipal(o model.OfferOrigin) *model.Principal {
	return &model.Principal{Subject: "agir-sync:" + o.Value(), Email: "agir-sync:" + o.Value(), Role: model.RoleAdmin}
}

// SyncStructure is one structure of a source, as the client read it.
type SyncStructure struct {
	ExternalID string
	Raw        json.RawMessage // data·inclusion v1 JSON, checked by model.ParseDIStructure
	Duplicates []string        // data·inclusion ids of its known duplicates (« doublons »)
	Err        error           // set when the client could not read the record
}

// SyncService is one service of a source, as the client read it.
type SyncService struct {
	ExternalID string
	Raw        json.RawMessage // data·inclusion v1 JSON with the AGIR extension, checked by model.ParseDIService
	Err        error
}

// SyncBatch is what a source lists for one department (or `france`): the unit of a
// synchronisation, applied in one transaction.
type SyncBatch struct {
	Origin     model.OfferOrigin
	Department string
	StartedAt  time.Time
	Structures []SyncStructure
	Services   []SyncService
	// Complete says that the lists are the source's whole lists for Department: only then
	// are the offers it no longer lists archived.
	Complete bool
	// Incomplete explains, in French, why the lists are not complete (report).
	Incomplete string
	// Listed are ids the source still lists that the batch could not place (an unreadable
	// record): whatever part they belong to, they are not archived.
	Listed []string
}

// errDryRun rolls back a dry run once its report is written.
var errDryRun = errors.New("dry run")

// SyncOffers applies a batch of a source in one transaction and records the run with its
// report: each record is CREATED, UPDATED, UNCHANGED, REJECTED (alone, with its reason:
// its writes are rolled back to a savepoint), MERGE_PROPOSED (a structure that looks like
// one entered here: not created) or KEPT_CLAIMED; offers of the batch's part that the
// source no longer lists are ARCHIVED. Applying the same batch twice changes nothing the
// second time. A dry run computes the report and changes nothing.
func (s *Store) SyncOffers(ctx context.Context, b SyncBatch, dryRun bool) (model.OfferSyncRun, error) {
	var run model.OfferSyncRun
	err := s.WithTx(ctx, func(tx *Tx) error {
		run = model.OfferSyncRun{Origin: b.Origin, Department: b.Department, StartedAt: b.StartedAt, DryRun: dryRun,
			Succeeded: true, Rows: []model.OfferSyncRow{}}
		// one run of a part of a source at a time (the daily job of several replicas, a
		// command run by hand): the second waits, then finds everything unchanged
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('offer-sync:' || $1 || ':' || $2))`,
			b.Origin.Value(), b.Department); err != nil {
			return err
		}
		if err := tx.syncBatch(ctx, b, &run); err != nil {
			return err
		}
		run.FinishedAt = tx.Now
		if dryRun {
			return errDryRun
		}
		return tx.insertSyncRun(ctx, &run)
	})
	if errors.Is(err, errDryRun) {
		return run, nil
	}
	if err != nil {
		return run, fmt.Errorf("db: sync offers: %w", err)
	}
	return run, nil
}

// RecordFailedSync records a run that failed before or while it was applied (nothing of
// it was written): the coordination's alert reads it.
func (s *Store) RecordFailedSync(ctx context.Context, origin model.OfferOrigin, department string, startedAt time.Time, cause error) (model.OfferSyncRun, error) {
	msg := cause.Error()
	run := model.OfferSyncRun{Origin: origin, Department: department, StartedAt: startedAt, Error: &msg, Rows: []model.OfferSyncRow{}}
	err := s.WithTx(ctx, func(tx *Tx) error {
		run.FinishedAt = tx.Now
		return tx.insertSyncRun(ctx, &run)
	})
	if err != nil {
		return run, fmt.Errorf("db: record failed sync: %w", err)
	}
	return run, nil
}

func (tx *Tx) insertSyncRun(ctx context.Context, run *model.OfferSyncRun) error {
	rows, err := json.Marshal(run.Rows)
	if err != nil {
		return err
	}
	return tx.GetContext(ctx, &run.Key, `INSERT INTO offer_sync_runs (origin, department, started_at, finished_at, succeeded,
		error, created, updated, unchanged, archived, rejected, proposed, kept, rows)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb) RETURNING id`,
		run.Origin.Value(), run.Department, run.StartedAt, run.FinishedAt, run.Succeeded, run.Error, run.Created,
		run.Updated, run.Unchanged, run.Archived, run.Rejected, run.MergeProposed, run.KeptClaimed, string(rows))
}

// syncedStructure is what the services of a batch need of their structure.
type syncedStructure struct {
	key         string
	departments []string
	outcome     model.OfferSyncOutcome // of the structure: a proposed or claimed one carries its services
	reason      string
}

func (tx *Tx) syncBatch(ctx context.Context, b SyncBatch, run *model.OfferSyncRun) error {
	p := syncPrincipal(b.Origin)
	add := func(row model.OfferSyncRow) {
		if row.Outcome != model.OfferSyncOutcomeUnchanged {
			run.Add(row)
			return
		}
		run.Unchanged++ // unchanged rows are counted, not listed
	}
	structures := map[string]syncedStructure{}
	rejected := map[string]string{}
	for i, in := range b.Structures {
		st, row, err := tx.syncStructure(ctx, p, b, in, i)
		if err != nil {
			if e := model.AsUserError(err); e == nil && !isRowError(err) {
				return err
			}
			row := model.RowError("structure", in.ExternalID, err)
			rejected[in.ExternalID] = *row.Reason
			add(row)
			continue
		}
		structures[in.ExternalID] = st
		add(row)
	}
	seen := []string{}
	for i, in := range b.Services {
		row, diID, err := tx.syncService(ctx, p, b, in, i, structures, rejected)
		// a record the source still lists is not archived, even when it is rejected
		seen = append(seen, diID, in.ExternalID)
		if err != nil {
			if e := model.AsUserError(err); e == nil && !isRowError(err) {
				return err
			}
			add(model.RowError("service", in.ExternalID, err))
			continue
		}
		add(row)
	}
	if !b.Complete {
		if b.Incomplete != "" {
			msg := "archivage suspendu : " + b.Incomplete
			run.Rows = append(run.Rows, model.OfferSyncRow{Kind: "run", ExternalID: b.Department, Outcome: model.OfferSyncOutcomeUnchanged, Reason: &msg})
		}
		return nil
	}
	return tx.archiveGone(ctx, p, b, append(seen, b.Listed...), add)
}

// rowError marks a database error of one record (a constraint the record breaks): the
// record is rejected, the run goes on.
type rowError struct{ err error }

func (e rowError) Error() string { return e.err.Error() }
func (e rowError) Unwrap() error { return e.err }

func isRowError(err error) bool {
	var r rowError
	return errors.As(err, &r)
}

// rowSavepoint runs fn within a savepoint: when fn fails with a user error or a database
// error of the record, its writes are rolled back and the error is the record's.
func (tx *Tx) rowSavepoint(ctx context.Context, fn func() error) error {
	err := tx.savepoint(ctx, fn)
	if err == nil || model.AsUserError(err) != nil {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (strings.HasPrefix(string(pgErr.Code), "22") || strings.HasPrefix(string(pgErr.Code), "23")) {
		return rowError{fmt.Errorf("refusé par la base (%s)", pgErr.Message)}
	}
	return err
}

func (tx *Tx) syncStructure(ctx context.Context, p *model.Principal, b SyncBatch, in SyncStructure, i int) (syncedStructure, model.OfferSyncRow, error) {
	row := model.OfferSyncRow{Kind: "structure", ExternalID: in.ExternalID}
	var st syncedStructure
	if in.Err != nil {
		return st, row, in.Err
	}
	parsed, err := model.ParseDIStructure(in.Raw, i)
	if err != nil {
		return st, row, err
	}
	f := parsed.Fields
	if len(f.Departments) == 0 && b.Department != "france" {
		f.Departments = []string{b.Department}
	}
	var stored []structureRow
	if err := tx.SelectContext(ctx, &stored, `SELECT `+structureColumns+` FROM structures s WHERE s.source = $1 AND s.di_id = $2 FOR UPDATE`,
		parsed.Source, parsed.ID); err != nil {
		return st, row, err
	}
	if len(stored) > 0 {
		before := stored[0].model()
		st = syncedStructure{key: before.Key, departments: before.Departments}
		if before.ClaimedAt != nil {
			st.outcome, st.reason = model.OfferSyncOutcomeKeptClaimed, "structure revendiquée par le partenaire qui la gère : ses modifications font foi"
			row.Outcome, row.Reason = st.outcome, &st.reason
			return st, row, nil
		}
		f.AgirRole, f.Sectors = before.AgirRole, before.Sectors
		f.Departments = mergeDepartments(before.Departments, f.Departments)
		after := before
		after.StructureFields, after.UpdatedOn = f, parsed.UpdatedOn
		st.departments = f.Departments
		if model.SameDIStructure(before.DI(), after.DI()) && before.Origin == b.Origin {
			row.Outcome = model.OfferSyncOutcomeUnchanged
			return st, row, nil
		}
		err := tx.rowSavepoint(ctx, func() error {
			if err := tx.updateStructureFields(ctx, before.Key, f, parsed.UpdatedOn); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE structures SET origin = $1 WHERE id = $2`, b.Origin.Value(), before.Key); err != nil {
				return err
			}
			return tx.audit(ctx, p, AuditEntry{Action: "syncOffers", EntityType: "Structure", EntityID: before.Key,
				Departments: f.Departments, Changes: fieldChanges(jsonObject(before.StructureFields), jsonObject(f))})
		})
		row.Outcome = model.OfferSyncOutcomeUpdated
		return st, row, err
	}
	// a structure entered here that this one duplicates is proposed as a merge
	dup, reason, err := tx.duplicateOf(ctx, f, in.Duplicates)
	if err != nil {
		return st, row, err
	}
	if dup != "" {
		var dismissed bool
		if err := tx.GetContext(ctx, &dismissed, `SELECT EXISTS (SELECT 1 FROM offer_merge_proposals WHERE origin = $1
			AND external_id = $2 AND structure_id = $3 AND status = 'DISMISSED')`, b.Origin.Value(), in.ExternalID, dup); err != nil {
			return st, row, err
		}
		if !dismissed { // a dismissed proposal: the coordination said it is another structure
			return tx.proposeMerge(ctx, b, in, dup, reason, f.Departments)
		}
	}
	err = tx.rowSavepoint(ctx, func() error {
		key, err := tx.insertStructure(ctx, parsed.Source, &parsed.ID, f, parsed.UpdatedOn)
		if err != nil {
			return err
		}
		st = syncedStructure{key: key, departments: f.Departments}
		if _, err := tx.ExecContext(ctx, `UPDATE structures SET origin = $1 WHERE id = $2`, b.Origin.Value(), key); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "syncOffers", EntityType: "Structure", EntityID: key,
			Departments: f.Departments, Changes: fieldChanges(map[string]any{}, jsonObject(f))})
	})
	row.Outcome = model.OfferSyncOutcomeCreated
	return st, row, err
}

// mergeDepartments keeps the departments a structure already covers and adds the new ones.
func mergeDepartments(stored, incoming []string) []string {
	out := slices.Clone(stored)
	for _, d := range incoming {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return model.NonNilStrings(out)
}

// duplicateOf finds a structure entered here (or imported from a file) that f duplicates:
// one the source declares as a duplicate, or one with the same SIRET and address.
func (tx *Tx) duplicateOf(ctx context.Context, f model.StructureFields, declared []string) (string, model.OfferMergeReason, error) {
	var keys []string
	if len(declared) > 0 {
		if err := tx.SelectContext(ctx, &keys, `SELECT s.id FROM structures s WHERE s.di_id = ANY($1::text[])
			AND s.origin IN ('agir', 'file') ORDER BY s.created_at, s.id LIMIT 1`, declared); err != nil {
			return "", "", err
		}
		if len(keys) > 0 {
			return keys[0], model.OfferMergeReasonDeclaredDuplicate, nil
		}
	}
	if f.Siret == nil {
		return "", "", nil
	}
	var rows []struct {
		Key        string  `db:"id"`
		Address    *string `db:"adresse"`
		PostalCode *string `db:"code_postal"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT s.id, s.adresse, s.code_postal FROM structures s
		WHERE s.siret = $1 AND s.origin IN ('agir', 'file') ORDER BY s.created_at, s.id`, *f.Siret); err != nil {
		return "", "", err
	}
	for _, r := range rows {
		if model.SameAddress(r.Address, r.PostalCode, f.Address, f.PostalCode) {
			return r.Key, model.OfferMergeReasonSiretAndAddress, nil
		}
	}
	return "", "", nil
}

// proposeMerge records (or refreshes) the proposal to merge an outside structure into the
// structure dup entered here. The services of the structure follow it (not created).
func (tx *Tx) proposeMerge(ctx context.Context, b SyncBatch, in SyncStructure, dup string, reason model.OfferMergeReason, departments []string) (syncedStructure, model.OfferSyncRow, error) {
	row := model.OfferSyncRow{Kind: "structure", ExternalID: in.ExternalID}
	var stored []struct {
		Status string          `db:"status"`
		Record json.RawMessage `db:"record"`
	}
	if err := tx.SelectContext(ctx, &stored, `SELECT status, record FROM offer_merge_proposals
		WHERE origin = $1 AND external_id = $2 AND structure_id = $3 FOR UPDATE`, b.Origin.Value(), in.ExternalID, dup); err != nil {
		return syncedStructure{}, row, err
	}
	st := syncedStructure{key: dup, outcome: model.OfferSyncOutcomeMergeProposed}
	same := false
	if len(stored) > 0 {
		var err error
		if same, err = sameJSON(stored[0].Record, in.Raw); err != nil {
			return st, row, fmt.Errorf("merge proposal %s: %w", in.ExternalID, err)
		}
	}
	switch {
	case len(stored) == 0:
		if _, err := tx.ExecContext(ctx, `INSERT INTO offer_merge_proposals (origin, external_id, structure_id, reason, record,
			departments, created_at, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $7)`,
			b.Origin.Value(), in.ExternalID, dup, string(reason), string(in.Raw), departments, tx.Now); err != nil {
			return st, row, err
		}
		st.reason = "ressemble à une structure saisie dans AGIR : fusion proposée à la coordination, rien n'est créé"
	case !same:
		if _, err := tx.ExecContext(ctx, `UPDATE offer_merge_proposals SET record = $4::jsonb, updated_at = $5
			WHERE origin = $1 AND external_id = $2 AND structure_id = $3`, b.Origin.Value(), in.ExternalID, dup, string(in.Raw), tx.Now); err != nil {
			return st, row, err
		}
		st.reason = "fusion proposée : la fiche de la source a changé depuis la proposition"
	default:
		st.outcome, st.reason = model.OfferSyncOutcomeUnchanged, "fusion proposée en attente de la coordination"
	}
	if len(stored) > 0 && stored[0].Status == string(model.OfferMergeStatusMerged) {
		st.outcome, st.reason = model.OfferSyncOutcomeUnchanged, "fusionnée par la coordination : la structure saisie dans AGIR fait foi"
	}
	row.Outcome, row.Reason = st.outcome, &st.reason
	return st, row, nil
}

// sameJSON compares two JSON documents by content (key order and spacing aside). A
// document that does not decode is an error, not a difference.
func sameJSON(stored, in json.RawMessage) (bool, error) {
	var x, y any
	if err := json.Unmarshal(stored, &x); err != nil {
		return false, fmt.Errorf("stored record: %w", err)
	}
	if err := json.Unmarshal(in, &y); err != nil {
		return false, fmt.Errorf("record: %w", err)
	}
	ja, err := json.Marshal(x)
	if err != nil {
		return false, err
	}
	jb, err := json.Marshal(y)
	if err != nil {
		return false, err
	}
	return string(ja) == string(jb), nil
}

func (tx *Tx) syncService(ctx context.Context, p *model.Principal, b SyncBatch, in SyncService, i int,
	structures map[string]syncedStructure, rejected map[string]string) (model.OfferSyncRow, string, error) {
	row := model.OfferSyncRow{Kind: "service", ExternalID: in.ExternalID}
	if in.Err != nil {
		return row, "", in.Err
	}
	parsed, err := model.ParseDIService(in.Raw, i)
	if err != nil {
		return row, "", err
	}
	st, ok := structures[parsed.StructureID]
	if !ok {
		if why, was := rejected[parsed.StructureID]; was {
			return row, parsed.ID, model.Errorf(model.CodeNotFound, model.Path("services", fmt.Sprint(i), "structure_id"),
				"structure « %s » rejetée : %s", parsed.StructureID, why)
		}
		var found bool
		st.key, st.departments, found, err = tx.structureByDIID(ctx, parsed.Source, parsed.StructureID)
		if err != nil {
			return row, "", err
		}
		if !found {
			return row, parsed.ID, model.Errorf(model.CodeNotFound, model.Path("services", fmt.Sprint(i), "structure_id"),
				"structure « %s » introuvable à la source comme ici", parsed.StructureID)
		}
	}
	if st.outcome == model.OfferSyncOutcomeMergeProposed || st.outcome == model.OfferSyncOutcomeKeptClaimed ||
		(st.outcome == model.OfferSyncOutcomeUnchanged && st.reason != "") {
		row.Outcome, row.Reason = st.outcome, &st.reason
		return row, parsed.ID, nil
	}
	var stored []struct {
		offerRow
		Claimed bool       `db:"claimed"`
		GoneAt  *time.Time `db:"origin_gone_at"`
		Scope   *string    `db:"origin_scope"`
	}
	if err := tx.SelectContext(ctx, &stored, `SELECT `+offerColumns+`, NULL::float8 AS distance_m, s.claimed_at IS NOT NULL AS claimed,
		o.origin_gone_at, o.origin_scope
		FROM offers o JOIN structures s ON s.id = o.structure_id WHERE o.source = $1 AND o.di_id = $2 FOR UPDATE OF o`,
		parsed.Source, parsed.ID); err != nil {
		return row, "", err
	}
	department := offerDepartment(parsed.Fields, st.departments)
	if len(stored) == 0 {
		err := tx.rowSavepoint(ctx, func() error {
			key, err := tx.insertOffer(ctx, st.key, parsed.Source, &parsed.ID, parsed.Fields, parsed.Frequency,
				model.OfferStatusPublished, parsed.UpdatedOn, department)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE offers SET origin = $1, origin_scope = $2 WHERE id = $3`,
				b.Origin.Value(), b.Department, key); err != nil {
				return err
			}
			o, err := tx.offerByKey(ctx, key)
			if err != nil {
				return err
			}
			return tx.recordOfferChange(ctx, p, "syncOffers", o, fieldChanges(map[string]any{}, offerSnapshot(o)), st.departments)
		})
		row.Outcome = model.OfferSyncOutcomeCreated
		return row, parsed.ID, err
	}
	before := stored[0].offerRow.model()
	if stored[0].Claimed {
		reason := "structure revendiquée par le partenaire qui la gère : ses modifications font foi"
		row.Outcome, row.Reason = model.OfferSyncOutcomeKeptClaimed, &reason
		return row, parsed.ID, nil
	}
	fields := model.MergeSourcedFields(before.OfferFields, parsed.Fields)
	after := before
	after.OfferFields, after.UpdateFrequencyMonths, after.UpdatedOn, after.StructureKey = fields, parsed.Frequency, parsed.UpdatedOn, st.key
	back := stored[0].GoneAt != nil // archived because the source had stopped listing it
	sameScope := stored[0].Scope != nil && *stored[0].Scope == b.Department
	if !back && sameScope && before.Origin == b.Origin && before.StructureKey == st.key && model.SameDIService(before.DI(""), after.DI("")) {
		row.Outcome = model.OfferSyncOutcomeUnchanged
		return row, parsed.ID, nil
	}
	err = tx.rowSavepoint(ctx, func() error {
		if err := tx.updateOfferFields(ctx, before, fields, parsed.Frequency, parsed.UpdatedOn, department); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE offers SET structure_id = $1, origin = $2, origin_scope = $3,
			status = CASE WHEN origin_gone_at IS NOT NULL THEN 'PUBLISHED' ELSE status END, origin_gone_at = NULL WHERE id = $4`,
			st.key, b.Origin.Value(), b.Department, before.Key); err != nil {
			return err
		}
		o, err := tx.offerByKey(ctx, before.Key)
		if err != nil {
			return err
		}
		return tx.recordOfferChange(ctx, p, "syncOffers", o, fieldChanges(offerSnapshot(before), offerSnapshot(o)), st.departments)
	})
	row.Outcome = model.OfferSyncOutcomeUpdated
	return row, parsed.ID, err
}

// archiveGone archives the offers of the batch's part of its source that the source no
// longer lists (unless a coordinator had already hidden them, or their structure is claimed).
func (tx *Tx) archiveGone(ctx context.Context, p *model.Principal, b SyncBatch, seen []string, add func(model.OfferSyncRow)) error {
	var gone []struct {
		offerRow
		Departments stringArray `db:"s_departments"`
	}
	if err := tx.SelectContext(ctx, &gone, `SELECT `+offerColumns+`, NULL::float8 AS distance_m, s.departments AS s_departments
		FROM offers o JOIN structures s ON s.id = o.structure_id
		WHERE o.origin = $1 AND o.origin_scope = $2 AND o.status <> 'ARCHIVED' AND s.claimed_at IS NULL
		AND NOT (o.di_id = ANY($3::text[])) ORDER BY o.id FOR UPDATE OF o`,
		b.Origin.Value(), b.Department, seen); err != nil {
		return err
	}
	reason := "n'est plus publiée par la source : archivée ici (elle revient si la source la publie de nouveau)"
	for _, g := range gone {
		before := g.offerRow.model()
		if _, err := tx.ExecContext(ctx, `UPDATE offers SET status = 'ARCHIVED', origin_gone_at = $1, updated_at = $1,
			version = version + 1 WHERE id = $2`, tx.Now, before.Key); err != nil {
			return err
		}
		o, err := tx.offerByKey(ctx, before.Key)
		if err != nil {
			return err
		}
		if err := tx.recordOfferChange(ctx, p, "syncOffers", o, fieldChanges(offerSnapshot(before), offerSnapshot(o)),
			model.NonNilStrings([]string(g.Departments))); err != nil {
			return err
		}
		add(model.OfferSyncRow{Kind: "service", ExternalID: before.DIID, Outcome: model.OfferSyncOutcomeArchived, Reason: &reason})
	}
	return nil
}

// sourcedOfferEdit applies model.CheckSourcedOfferEdit to an edit of offer before
// (locked) into f, the claim of its structure read in the same transaction, and returns
// the day of the last change (date_maj) to write: today, except for an offer kept by its
// source, whose date_maj stays the source's (the origin of its freshness).
func (tx *Tx) sourcedOfferEdit(ctx context.Context, before model.Offer, f model.OfferFields) (model.Date, error) {
	today := model.DateOf(tx.Now)
	if !before.Origin.Synced() {
		return today, nil
	}
	var claimed bool
	if err := tx.GetContext(ctx, &claimed, `SELECT claimed_at IS NOT NULL FROM structures WHERE id = $1`, before.StructureKey); err != nil {
		return today, err
	}
	if err := model.CheckSourcedOfferEdit(before.Origin, claimed, before.OfferFields, f); err != nil {
		return today, err
	}
	if claimed {
		return today, nil
	}
	return before.UpdatedOn, nil
}

// ClaimStructure records that the partner running an imported structure claims it: a
// partner editor its own structure, a coordinator one of its territory. From then on the
// synchronisation leaves the structure and its offers alone and their editors' changes win.
func (s *Store) ClaimStructure(ctx context.Context, p *model.Principal, key string) (model.Structure, error) {
	var out model.Structure
	err := s.WithTx(ctx, func(tx *Tx) error {
		st, err := tx.structureByKey(ctx, key, true)
		if err != nil {
			if e := model.AsUserError(err); e != nil {
				e.Field = model.Path("input", "structureId")
			}
			return err
		}
		switch {
		case p.Role == model.RolePartnerEditor && p.StructureID != key,
			p.Role == model.RoleCoordinator && !overlaps(st.Departments, p.Departments):
			return model.Errorf(model.CodeForbidden, model.Path("input", "structureId"),
				"seule la structure elle-même (ou la coordination de son territoire) peut la revendiquer")
		case p.Role != model.RolePartnerEditor && p.Role != model.RoleCoordinator:
			return model.ErrForbidden()
		case st.Origin == model.OfferOriginAgir:
			return model.Errorf(model.CodeRuleViolation, model.Path("input", "structureId"),
				"cette structure a été saisie dans AGIR : il n'y a rien à revendiquer")
		case st.ClaimedAt != nil:
			return model.Errorf(model.CodeRuleViolation, model.Path("input", "structureId"),
				"cette structure est déjà revendiquée (le %s)", st.ClaimedAt.In(model.Paris).Format("02/01/2006"))
		}
		actor := p.Email
		if actor == "" {
			actor = p.Subject
		}
		if _, err := tx.ExecContext(ctx, `UPDATE structures SET claimed_at = $1, claimed_by = $2, updated_at = $1,
			version = version + 1 WHERE id = $3`, tx.Now, actor, key); err != nil {
			return err
		}
		if out, err = tx.structureByKey(ctx, key, false); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: "claimStructure", EntityType: "Structure", EntityID: key,
			Departments: st.Departments, Changes: map[string]any{"claimedAt": map[string]any{"before": nil, "after": out.ClaimedAt}}})
	})
	if err != nil {
		return out, fmt.Errorf("db: claim structure: %w", err)
	}
	return out, nil
}

// OfferSyncRunFilter restricts OfferSyncRuns.
type OfferSyncRunFilter struct {
	Origin     *model.OfferOrigin
	Department *string
	FailedOnly bool
}

type syncRunRow struct {
	Key        string          `db:"id"`
	Origin     string          `db:"origin"`
	Department string          `db:"department"`
	StartedAt  time.Time       `db:"started_at"`
	FinishedAt time.Time       `db:"finished_at"`
	Succeeded  bool            `db:"succeeded"`
	Error      *string         `db:"error"`
	Created    int             `db:"created"`
	Updated    int             `db:"updated"`
	Unchanged  int             `db:"unchanged"`
	Archived   int             `db:"archived"`
	Rejected   int             `db:"rejected"`
	Proposed   int             `db:"proposed"`
	Kept       int             `db:"kept"`
	Rows       json.RawMessage `db:"rows"`
}

const syncRunColumns = `r.id, r.origin, r.department, r.started_at, r.finished_at, r.succeeded, r.error, r.created, r.updated,
	r.unchanged, r.archived, r.rejected, r.proposed, r.kept, r.rows`

func (r syncRunRow) model() (model.OfferSyncRun, error) {
	run := model.OfferSyncRun{Key: r.Key, Origin: model.OriginOf(r.Origin), Department: r.Department, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, Succeeded: r.Succeeded, Error: r.Error, Created: r.Created, Updated: r.Updated,
		Unchanged: r.Unchanged, Archived: r.Archived, Rejected: r.Rejected, MergeProposed: r.Proposed, KeptClaimed: r.Kept}
	if err := json.Unmarshal(r.Rows, &run.Rows); err != nil {
		return run, fmt.Errorf("sync run %s rows: %w", r.Key, err)
	}
	if run.Rows == nil {
		run.Rows = []model.OfferSyncRow{}
	}
	return run, nil
}

// syncScope is the condition under which p reads a run of department column col: a
// coordinator its departments (and the national part, `france`), an admin all.
func syncScope(p *model.Principal, col string, sc *partnerScope) string {
	if p.Role == model.RoleAdmin {
		return "TRUE"
	}
	if p.Role != model.RoleCoordinator {
		return "FALSE"
	}
	return fmt.Sprintf("(%s = ANY(%s::text[]) OR %s = 'france')", col, sc.arg(model.NonNilStrings(p.Departments)), col)
}

// OfferSyncRuns lists the synchronisation runs p may read, latest first.
func (s *Store) OfferSyncRuns(ctx context.Context, p *model.Principal, f OfferSyncRunFilter, page model.Page, wantTotal bool) (model.Connection[model.OfferSyncRun], error) {
	sc := &partnerScope{}
	q := pageQuery{Select: syncRunColumns, From: "offer_sync_runs r",
		Order: keyset{Expr: "r.started_at", Type: "timestamptz", ID: "r.id", Desc: true}}
	q.Where = append(q.Where, syncScope(p, "r.department", sc))
	if f.Origin != nil {
		q.Where = append(q.Where, "r.origin = "+sc.arg(f.Origin.Value()))
	}
	if f.Department != nil {
		q.Where = append(q.Where, "r.department = "+sc.arg(*f.Department))
	}
	if f.FailedOnly {
		q.Where = append(q.Where, "NOT r.succeeded")
	}
	q.Args = sc.args
	var conn model.Connection[model.OfferSyncRun]
	var convErr error
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal,
			func(r syncRunRow) (string, string) { return r.StartedAt.Format(time.RFC3339Nano), r.Key },
			func(r syncRunRow) model.OfferSyncRun {
				run, err := r.model()
				convErr = errors.Join(convErr, err)
				return run
			})
		return errors.Join(err, convErr)
	})
	if err != nil {
		return conn, fmt.Errorf("db: offer sync runs: %w", err)
	}
	return conn, nil
}

// OfferSourceStatuses returns, for each synchronised source, its last run in p's scope,
// its last success and the alert (model.SourceSyncAlert) at instant now.
func (s *Store) OfferSourceStatuses(ctx context.Context, p *model.Principal, now time.Time) ([]model.OfferSourceStatus, error) {
	out := []model.OfferSourceStatus{}
	err := s.readTx(ctx, func(tx *Tx) error {
		for _, o := range []model.OfferOrigin{model.OfferOriginDataInclusion, model.OfferOriginRefugiesInfo} {
			sc := &partnerScope{}
			originArg := sc.arg(o.Value())
			scope := syncScope(p, "r.department", sc)
			var last []syncRunRow
			if err := tx.SelectContext(ctx, &last, `SELECT `+syncRunColumns+` FROM offer_sync_runs r
				WHERE r.origin = `+originArg+` AND `+scope+` ORDER BY r.started_at DESC, r.id DESC LIMIT 1`, sc.args...); err != nil {
				return err
			}
			var success *time.Time
			if err := tx.GetContext(ctx, &success, `SELECT max(r.started_at) FROM offer_sync_runs r
				WHERE r.succeeded AND r.origin = `+originArg+` AND `+scope, sc.args...); err != nil {
				return err
			}
			st := model.OfferSourceStatus{Origin: o, LastSucceededAt: success}
			if len(last) == 0 {
				out = append(out, st) // never synchronised here: not configured, no alert
				continue
			}
			run, err := last[0].model()
			if err != nil {
				return err
			}
			st.LastRun = &run
			st.Alert = model.SourceSyncAlert(&run.StartedAt, success, run.Succeeded, now)
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: offer source statuses: %w", err)
	}
	return out, nil
}

// OfferMergeProposals lists the merge proposals of status in p's territory, oldest first.
func (s *Store) OfferMergeProposals(ctx context.Context, p *model.Principal, status model.OfferMergeStatus, page model.Page, wantTotal bool) (model.Connection[model.OfferMergeProposal], error) {
	sc := &partnerScope{}
	q := pageQuery{Select: proposalColumns,
		From: "offer_merge_proposals m", Order: keyset{Expr: "m.created_at", Type: "timestamptz", ID: "m.id"}}
	q.Where = append(q.Where, "m.status = "+sc.arg(string(status)))
	switch p.Role {
	case model.RoleAdmin:
	case model.RoleCoordinator:
		q.Where = append(q.Where, "m.departments && "+sc.arg(model.NonNilStrings(p.Departments))+"::text[]")
	default:
		q.Where = append(q.Where, "FALSE")
	}
	q.Args = sc.args
	var conn model.Connection[model.OfferMergeProposal]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal,
			func(r proposalRow) (string, string) { return r.CreatedAt.Format(time.RFC3339Nano), r.Key },
			proposalRow.model)
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: offer merge proposals: %w", err)
	}
	return conn, nil
}

// CoveredDepartments returns the departments the programme covers (covered_departments),
// sorted.
func (s *Store) CoveredDepartments(ctx context.Context) ([]string, error) {
	var out []string
	err := s.readTx(ctx, func(tx *Tx) error {
		return tx.SelectContext(ctx, &out, `SELECT code FROM covered_departments ORDER BY code`)
	})
	if err != nil {
		return nil, fmt.Errorf("db: covered departments: %w", err)
	}
	return model.NonNilStrings(out), nil
}

const proposalColumns = `m.id, m.origin, m.external_id, m.structure_id, m.reason, m.record::text AS record, m.status, m.created_at`

type proposalRow struct {
	Key          string    `db:"id"`
	Origin       string    `db:"origin"`
	ExternalID   string    `db:"external_id"`
	StructureKey string    `db:"structure_id"`
	Reason       string    `db:"reason"`
	Record       string    `db:"record"`
	Status       string    `db:"status"`
	CreatedAt    time.Time `db:"created_at"`
}

func (r proposalRow) model() model.OfferMergeProposal {
	return model.OfferMergeProposal{Key: r.Key, Origin: model.OriginOf(r.Origin), ExternalID: r.ExternalID,
		StructureKey: r.StructureKey, Reason: model.OfferMergeReason(r.Reason), Record: r.Record,
		Status: model.OfferMergeStatus(r.Status), CreatedAt: r.CreatedAt}
}

// ResolveOfferMergeProposal records the coordination's decision on a pending proposal of
// its territory: MERGE keeps the structure entered here as the reference (the source's
// copy is never created), DISMISS lets the next synchronisation create it.
func (s *Store) ResolveOfferMergeProposal(ctx context.Context, p *model.Principal, key string, decision model.OfferMergeDecision) (model.OfferMergeProposal, error) {
	var out model.OfferMergeProposal
	err := s.WithTx(ctx, func(tx *Tx) error {
		var rows []struct {
			proposalRow
			Departments stringArray `db:"departments"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT `+proposalColumns+`, m.departments FROM offer_merge_proposals m
			WHERE m.id = $1::uuid FOR UPDATE`, uuidOrNil(key)); err != nil {
			return err
		}
		if len(rows) == 0 || (p.Role == model.RoleCoordinator && !overlaps(rows[0].Departments, p.Departments)) {
			return model.Errorf(model.CodeNotFound, model.Path("input", "id"), "proposition de fusion introuvable")
		}
		if p.Role != model.RoleCoordinator {
			return model.ErrForbidden()
		}
		before := rows[0].model()
		if before.Status != model.OfferMergeStatusProposed {
			return model.Errorf(model.CodeRuleViolation, model.Path("input", "id"), "cette proposition est déjà tranchée (%s)", before.Status)
		}
		status := map[model.OfferMergeDecision]model.OfferMergeStatus{model.OfferMergeDecisionMerge: model.OfferMergeStatusMerged,
			model.OfferMergeDecisionDismiss: model.OfferMergeStatusDismissed}[decision]
		if _, err := tx.ExecContext(ctx, `UPDATE offer_merge_proposals SET status = $1, updated_at = $2 WHERE id = $3`,
			string(status), tx.Now, key); err != nil {
			return err
		}
		out = before
		out.Status = status
		return tx.audit(ctx, p, AuditEntry{Action: "resolveOfferMergeProposal", EntityType: "OfferMergeProposal", EntityID: key,
			Departments: model.NonNilStrings([]string(rows[0].Departments)),
			Changes:     map[string]any{"status": map[string]any{"before": before.Status, "after": status}}})
	})
	if err != nil {
		return out, fmt.Errorf("db: resolve offer merge proposal: %w", err)
	}
	return out, nil
}
