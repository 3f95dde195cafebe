package db

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// errDiscard rolls back an import whose report says a row was rejected.
var errDiscard = errors.New("import discarded")

// ImportOffers upserts data·inclusion v1 structures and services by (source, id), in one
// transaction: a row identical to what is stored is UNCHANGED, so importing a file twice
// changes nothing the second time. When a row is rejected, nothing is written unless
// keepValid. Coordinators import within their territory only; admins anywhere.
func (s *Store) ImportOffers(ctx context.Context, p *model.Principal, file model.DIFile, keepValid bool, status model.OfferStatus) (model.ImportReport, error) {
	report := model.ImportReport{Rows: []model.ImportRow{}}
	err := s.WithTx(ctx, func(tx *Tx) error {
		report = model.ImportReport{Rows: []model.ImportRow{}}
		if p.Role != model.RoleAdmin && p.Role != model.RoleCoordinator {
			return model.ErrForbidden()
		}
		add := func(kind string, i int, id string, outcome model.ImportOutcome, err error) {
			row := model.ImportRow{Kind: kind, Index: i, Outcome: outcome, Errors: []model.UserError{}}
			if id != "" {
				row.DataInclusionID = &id
			}
			if err != nil {
				errs := model.UserErrors(err) // every broken field of the row
				if len(errs) == 0 {
					errs = append(errs, model.Errorf(model.CodeInvalidInput, model.Path(kind+"s", strconv.Itoa(i)), "ligne refusée par la base : %v", err))
				}
				for _, e := range errs {
					row.Errors = append(row.Errors, model.UserError{Code: e.Code, Field: e.Field, Message: e.Message})
				}
			}
			report.Rows = append(report.Rows, row)
			switch outcome {
			case model.ImportOutcomeCreated:
				report.Created++
			case model.ImportOutcomeUpdated:
				report.Updated++
			case model.ImportOutcomeUnchanged:
				report.Unchanged++
			case model.ImportOutcomeRejected:
				report.Rejected++
			}
		}
		// structure data·inclusion id -> key and departments, for the services
		type known struct {
			key         string
			departments []string
		}
		structures := map[string]known{}
		seen := map[string]bool{}
		for i, raw := range file.Structures {
			in, err := model.ParseDIStructure(raw, i)
			id := in.ID
			if err == nil && seen["s:"+in.Source+"\x00"+in.ID] {
				err = model.Errorf(model.CodeAlreadyExists, model.Path("structures", strconv.Itoa(i), "id"), "structure « %s » en double dans le fichier", in.ID)
			}
			seen["s:"+in.Source+"\x00"+in.ID] = true
			var outcome model.ImportOutcome
			var k known
			if err == nil {
				err = tx.savepoint(ctx, func() (err error) {
					outcome, k.key, k.departments, err = tx.importStructure(ctx, p, in, i)
					return err
				})
			}
			if err != nil {
				add("structure", i, id, model.ImportOutcomeRejected, err)
				continue
			}
			structures[in.ID] = k
			add("structure", i, id, outcome, nil)
		}
		for i, raw := range file.Services {
			in, err := model.ParseDIService(raw, i)
			id := in.ID
			if err == nil && seen["v:"+in.Source+"\x00"+in.ID] {
				err = model.Errorf(model.CodeAlreadyExists, model.Path("services", strconv.Itoa(i), "id"), "service « %s » en double dans le fichier", in.ID)
			}
			seen["v:"+in.Source+"\x00"+in.ID] = true
			var outcome model.ImportOutcome
			if err == nil {
				st, ok := structures[in.StructureID]
				if !ok {
					st.key, st.departments, ok, err = tx.structureByDIID(ctx, in.Source, in.StructureID)
				}
				switch {
				case err != nil:
				case !ok:
					err = model.Errorf(model.CodeNotFound, model.Path("services", strconv.Itoa(i), "structure_id"),
						"structure « %s » introuvable (ni dans le fichier, ni dans AGIR), ou refusée", in.StructureID)
				case p.Role == model.RoleCoordinator && !overlaps(st.departments, p.Departments):
					err = model.Errorf(model.CodeForbidden, model.Path("services", strconv.Itoa(i), "structure_id"),
						"la structure « %s » n'est pas dans votre territoire", in.StructureID)
				default:
					err = tx.savepoint(ctx, func() (err error) {
						outcome, err = tx.importService(ctx, p, in, st.key, st.departments, status)
						return err
					})
				}
			}
			if err != nil {
				add("service", i, id, model.ImportOutcomeRejected, err)
				continue
			}
			add("service", i, id, outcome, nil)
		}
		report.Applied = report.Rejected == 0 || keepValid
		if !report.Applied {
			model.RefuseImport(&report)
			return errDiscard
		}
		return tx.audit(ctx, p, AuditEntry{Action: "importOffers", EntityType: "ImportReport", EntityID: "",
			Departments: p.Departments, Changes: map[string]any{"created": report.Created, "updated": report.Updated,
				"unchanged": report.Unchanged, "rejected": report.Rejected}})
	})
	if errors.Is(err, errDiscard) {
		return report, nil
	}
	if err != nil {
		return report, fmt.Errorf("db: import offers: %w", err)
	}
	return report, nil
}

// savepoint runs fn within a savepoint, rolled back when fn fails, so that one row's
// database error does not abort the import's transaction.
func (tx *Tx) savepoint(ctx context.Context, fn func() error) error {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_row`); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		return translate(err)
	}
	_, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT import_row`)
	return err
}

// structureByDIID finds a stored structure by data·inclusion id, preferring source.
func (tx *Tx) structureByDIID(ctx context.Context, source, diID string) (string, []string, bool, error) {
	var rows []struct {
		Key         string      `db:"id"`
		Departments stringArray `db:"departments"`
	}
	err := tx.SelectContext(ctx, &rows, `SELECT s.id, s.departments FROM structures s WHERE s.di_id = $2
		ORDER BY (s.source = $1) DESC, s.created_at LIMIT 1`, source, diID)
	if err != nil || len(rows) == 0 {
		return "", nil, false, err
	}
	return rows[0].Key, model.NonNilStrings([]string(rows[0].Departments)), true, nil
}

func (tx *Tx) importStructure(ctx context.Context, p *model.Principal, in model.DIImportStructure, i int) (model.ImportOutcome, string, []string, error) {
	var rows []structureRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+structureColumns+` FROM structures s WHERE s.source = $1 AND s.di_id = $2 FOR UPDATE`,
		in.Source, in.ID); err != nil {
		return "", "", nil, err
	}
	f := in.Fields
	if len(rows) > 0 {
		before := rows[0].model()
		if f.AgirRole == model.StructureRoleLocalPartner && before.AgirRole != model.StructureRoleLocalPartner {
			f.AgirRole = before.AgirRole // a file without the AGIR block keeps the structure's place in AGIR
		}
		if len(f.Sectors) == 0 {
			f.Sectors = before.Sectors
		}
		if len(f.Departments) == 0 {
			f.Departments = before.Departments
		}
		if p.Role == model.RoleCoordinator && !overlaps(before.Departments, p.Departments) {
			return "", "", nil, model.Errorf(model.CodeForbidden, model.Path("structures", strconv.Itoa(i)), "structure hors de votre territoire")
		}
		after := before
		after.StructureFields, after.UpdatedOn = f, in.UpdatedOn
		if model.SameDIStructure(before.DI(), after.DI()) {
			return model.ImportOutcomeUnchanged, before.Key, before.Departments, nil
		}
		if err := tx.updateStructureFields(ctx, before.Key, f, in.UpdatedOn); err != nil {
			return "", "", nil, err
		}
		return model.ImportOutcomeUpdated, before.Key, f.Departments, tx.audit(ctx, p, AuditEntry{Action: "importOffers",
			EntityType: "Structure", EntityID: before.Key, Departments: f.Departments,
			Changes: fieldChanges(jsonObject(before.StructureFields), jsonObject(f))})
	}
	if p.Role == model.RoleCoordinator && !overlaps(f.Departments, p.Departments) {
		return "", "", nil, model.Errorf(model.CodeForbidden, model.Path("structures", strconv.Itoa(i)), "structure hors de votre territoire (départements %v)", f.Departments)
	}
	key, err := tx.insertStructure(ctx, in.Source, &in.ID, f, in.UpdatedOn)
	if err != nil {
		return "", "", nil, err
	}
	return model.ImportOutcomeCreated, key, f.Departments, tx.audit(ctx, p, AuditEntry{Action: "importOffers",
		EntityType: "Structure", EntityID: key, Departments: f.Departments, Changes: fieldChanges(map[string]any{}, jsonObject(f))})
}

func (tx *Tx) importService(ctx context.Context, p *model.Principal, in model.DIImportService, structureKey string, departments []string, status model.OfferStatus) (model.ImportOutcome, error) {
	var rows []offerRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+offerColumns+`, NULL::float8 AS distance_m FROM offers o
		WHERE o.source = $1 AND o.di_id = $2 FOR UPDATE`, in.Source, in.ID); err != nil {
		return "", err
	}
	department := offerDepartment(in.Fields, departments)
	if len(rows) == 0 {
		key, err := tx.insertOffer(ctx, structureKey, in.Source, &in.ID, in.Fields, in.Frequency, status, in.UpdatedOn, department)
		if err != nil {
			return "", err
		}
		o, err := tx.offerByKey(ctx, key)
		if err != nil {
			return "", err
		}
		return model.ImportOutcomeCreated, tx.recordOfferChange(ctx, p, "importOffers", o, fieldChanges(map[string]any{}, offerSnapshot(o)), departments)
	}
	before := rows[0].model()
	after := before
	after.OfferFields, after.UpdateFrequencyMonths, after.UpdatedOn, after.StructureKey = in.Fields, in.Frequency, in.UpdatedOn, structureKey
	if before.StructureKey == structureKey && model.SameDIService(before.DI(""), after.DI("")) {
		return model.ImportOutcomeUnchanged, nil
	}
	if err := tx.updateOfferFields(ctx, before, in.Fields, in.Frequency, in.UpdatedOn, department); err != nil {
		return "", err
	}
	if before.StructureKey != structureKey {
		if _, err := tx.ExecContext(ctx, `UPDATE offers SET structure_id = $1 WHERE id = $2`, structureKey, before.Key); err != nil {
			return "", err
		}
	}
	o, err := tx.offerByKey(ctx, before.Key)
	if err != nil {
		return "", err
	}
	return model.ImportOutcomeUpdated, tx.recordOfferChange(ctx, p, "importOffers", o, fieldChanges(offerSnapshot(before), offerSnapshot(o)), departments)
}

// ExportStructures returns every structure, by name, for the data·inclusion export.
func (s *Store) ExportStructures(ctx context.Context) ([]model.Structure, error) {
	var out []model.Structure
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []structureRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+structureColumns+` FROM structures s ORDER BY s.name, s.id`); err != nil {
			return err
		}
		out = make([]model.Structure, len(rows))
		for i, r := range rows {
			out[i] = r.model()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: export structures: %w", err)
	}
	return out, nil
}

// ExportedOffer is a published offer with its structure's data·inclusion id.
type ExportedOffer struct {
	Offer         model.Offer
	StructureDIID string
}

// ExportOffers returns the published offers, by name, with their structures' ids.
func (s *Store) ExportOffers(ctx context.Context) ([]ExportedOffer, error) {
	var out []ExportedOffer
	err := s.readTx(ctx, func(tx *Tx) error {
		var rows []struct {
			offerRow
			StructureDIID string `db:"structure_di_id"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT `+offerColumns+`, NULL::float8 AS distance_m, s.di_id AS structure_di_id
			FROM offers o JOIN structures s ON s.id = o.structure_id WHERE o.status = 'PUBLISHED' ORDER BY o.nom, o.id`); err != nil {
			return err
		}
		out = make([]ExportedOffer, len(rows))
		for i, r := range rows {
			out[i] = ExportedOffer{Offer: r.offerRow.model(), StructureDIID: r.StructureDIID}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: export offers: %w", err)
	}
	return out, nil
}
