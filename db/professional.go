package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The professional module: pre-diagnostic, French level, orientations, support actions
// and outcomes. Acts lock the beneficiary in the caller's scope (getBeneficiary), check
// the rules of graph/model, write, bump the beneficiary's version and write the audit
// entry, in one transaction. Partners reach orientations only through their structure
// (orientationScope), never a beneficiary.

func init() {
	constraintErrors["french_levels_level_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "level"),
		"niveau CECRL inconnu : les niveaux sont infra A1 (BELOW_A1), A1, A2, B1, B2, C1 et C2")
	constraintErrors["french_levels_hours_check"] = model.Errorf(model.CodeOutOfRange, model.Path("input", "trainingHoursDone"),
		"le nombre d'heures doit être compris entre 0 et 2000")
	constraintErrors["outcomes_period_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "endsOn"),
		"la date de fin précède la date de début")
	constraintErrors["outcomes_contract_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "contractType"),
		"le type de contrat est requis pour un emploi, et seulement pour lui")
	constraintErrors["outcomes_training_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "trainingTitle"),
		"l'intitulé de la formation est requis pour une formation, et seulement pour elle")
	constraintErrors["orientations_refusal_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "refusalReason"),
		"le motif du refus est requis pour un refus, et seulement pour lui")
	constraintErrors["orientations_offer_fkey"] = model.Errorf(model.CodeNotFound, model.Path("input", "offerId"),
		"offre introuvable : l'orientation doit viser une offre de la cartographie")
	constraintErrors["orientations_abandon_check"] = model.Errorf(model.CodeInvalidInput, model.Path("input", "abandonReason"),
		"le motif de l'abandon est requis pour un abandon, et seulement pour lui")
}

// ---- Scope ----

// orientationScope returns the SQL condition restricting orientations (alias o, joined
// to its beneficiary b) to the caller: a partner editor sees the orientations addressed
// to its own structure (its inbox); coordinators, social workers and insertion
// counsellors those of the beneficiaries in their scope; other roles nothing.
func orientationScope(p *model.Principal, args *[]any) string {
	if p == nil {
		return "FALSE"
	}
	switch p.Role {
	case model.RolePartnerEditor:
		if p.StructureID == "" {
			return "FALSE"
		}
		*args = append(*args, p.StructureID)
		return fmt.Sprintf("o.structure_id = $%d::uuid", len(*args))
	case model.RoleCoordinator, model.RoleSocialWorker, model.RoleInsertionCounsellor:
		return beneficiaryScope(p, "b", args)
	}
	return "FALSE"
}

// beneficiariesScope is beneficiaryScope on alias b, for groupedByBeneficiary.
func beneficiariesScope(p *model.Principal, args *[]any) string {
	return beneficiaryScope(p, "b", args)
}

// recordsScope is the scope of the records of the module other than orientations:
// the beneficiary's scope, for the roles that read the module.
func recordsScope(p *model.Principal, args *[]any) string {
	if p == nil {
		return "FALSE"
	}
	switch p.Role {
	case model.RoleCoordinator, model.RoleSocialWorker, model.RoleInsertionCounsellor:
		return beneficiaryScope(p, "b", args)
	}
	return "FALSE"
}

// ---- Offers (partnership module) ----

// offerStatus returns the structure owning an offer and its status (DRAFT, PUBLISHED,
// ARCHIVED), found false when there is no such offer. It locks the offer's row (FOR
// SHARE), so that the offer is not archived while an orientation to it commits.
func offerStatus(ctx context.Context, tx *Tx, offerKey string) (structureKey, status string, found bool, err error) {
	if len(validUUIDs([]string{offerKey})) == 0 {
		return "", "", false, nil
	}
	var rows []struct {
		StructureKey string `db:"structure_id"`
		Status       string `db:"status"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT structure_id, status FROM offers WHERE id = $1 FOR SHARE`, offerKey); err != nil {
		return "", "", false, fmt.Errorf("offer status: %w", err)
	}
	if len(rows) == 0 {
		return "", "", false, nil
	}
	return rows[0].StructureKey, rows[0].Status, true, nil
}

// ---- Helpers ----

// professionalAct runs one act of the module on beneficiary key as p: locks it in
// scope, checks the journey allows it, runs fn, bumps the beneficiary's version and
// writes the audit entry with fn's fields. It returns the beneficiary after the act.
func (s *Store) professionalAct(ctx context.Context, p *model.Principal, key, name string, isOutcome bool,
	fn func(tx *Tx, b model.Beneficiary, today model.Date) (entityType, entityKey string, fields any, err error)) (*model.Beneficiary, error) {
	var after model.Beneficiary
	err := s.WithTx(ctx, func(tx *Tx) error {
		b, err := tx.getBeneficiary(ctx, p, key, true)
		if err != nil {
			return err
		}
		if e := model.CheckProfessionalAct(b.Phase, isOutcome); e != nil {
			return e
		}
		typ, entity, fields, err := fn(tx, b, model.DateOf(tx.Now))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE beneficiaries SET version = version + 1, updated_at = $2 WHERE id = $1`, key, tx.Now); err != nil {
			return fmt.Errorf("bump version: %w", err)
		}
		if err := tx.writeJourneyFacts(ctx, key, s.Params); err != nil { // outcomes and French levels are facts of the journey
			return err
		}
		if after, err = tx.getBeneficiary(ctx, p, key, false); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: name, EntityType: typ, EntityID: entity,
			Departments: []string{b.Department}, Changes: map[string]any{
				"beneficiary": key, "version": map[string]any{"before": b.Version, "after": after.Version}, "act": fields}})
	})
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", name, err)
	}
	return &after, nil
}

func structureOf(p *model.Principal) *string {
	if p == nil || p.StructureID == "" {
		return nil
	}
	return &p.StructureID
}

func trimAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}

// groupedByBeneficiary runs a batch query (keys as $1, then extra arguments, the scope
// in place of {scope}) and groups its rows by beneficiary, in the query's order. Every
// list hanging from a beneficiary is read through it (see grouped for the social lists):
// the query joins its rows to b (beneficiaries) by their beneficiary_id, and {scope}
// restricts b to the keys and to the caller's scope.
func groupedByBeneficiary[R any](ctx context.Context, s *Store, p *model.Principal, keys []string,
	scope func(*model.Principal, *[]any) string, query string, owner func(R) string, extra ...any) (map[string][]R, error) {
	out := map[string][]R{}
	err := s.readTx(ctx, func(tx *Tx) error {
		args := append([]any{validUUIDs(keys)}, extra...)
		// The keys restrict b, and the rows come by the join (one probe of their
		// beneficiary_id index per key). Restricting the rows by the keys as well costs
		// more than it saves: each probe then rechecks the whole array (a page of 50:
		// 1.2 ms instead of 0.4 ms for its referents); restricting them alone lets the
		// planner join the department's every beneficiary to find the page's 50.
		cond := "(b.id = ANY($1::uuid[]) AND (" + scope(p, &args) + "))"
		rows, err := selectRows[R](ctx, tx, 2*len(keys), strings.ReplaceAll(query, "{scope}", cond), args...)
		if err != nil {
			return err
		}
		out = groupRows(rows, owner)
		return nil
	})
	return out, err
}

// groupRows groups rows by owner, keeping their order within each owner. Each owner's
// rows are one run of a single array, its capacity its length (appending to it copies
// it), instead of a slice per owner grown row by row.
func groupRows[R any](rows []R, owner func(R) string) map[string][]R {
	owners := make([]string, len(rows))
	count := map[string]int{}
	for i := range rows {
		owners[i] = owner(rows[i])
		count[owners[i]]++
	}
	out := make(map[string][]R, len(count))
	grouped := make([]R, len(rows))
	next := 0
	for i, k := range owners {
		run, ok := out[k]
		if !ok {
			run = grouped[next : next : next+count[k]]
			next += count[k]
		}
		out[k] = append(run, rows[i])
	}
	return out
}

// ---- Pre-diagnostic ----

const diagnosticColumns = `d.id, d.beneficiary_id, d.assessed_on, d.education_level, d.years_of_schooling, d.diplomas,
	d.experiences, d.skills, d.target_jobs, d.barriers, d.author_structure_id, d.created_at`

type diagnosticRow struct {
	model.ProfessionalDiagnostic
	Diplomas    jsonColumn[[]model.Diploma]        `db:"diplomas"`
	Experiences jsonColumn[[]model.WorkExperience] `db:"experiences"`
	Skills      stringArray                        `db:"skills"`
	TargetJobs  stringArray                        `db:"target_jobs"`
	Barriers    jsonColumn[[]model.Barrier]        `db:"barriers"`
}

func (r diagnosticRow) model() model.ProfessionalDiagnostic {
	d := r.ProfessionalDiagnostic
	d.Diplomas, d.Experiences, d.Barriers = nonNilSlice(r.Diplomas.V), nonNilSlice(r.Experiences.V), nonNilSlice(r.Barriers.V)
	d.Skills, d.TargetJobs = model.NonNilStrings(r.Skills), model.NonNilStrings(r.TargetJobs)
	return d
}

// ProfessionalDiagnosticInput is a pre-diagnostic to record (keys decoded); a zero
// AssessedOn means today.
type ProfessionalDiagnosticInput = model.ProfessionalDiagnostic

// RecordProfessionalDiagnostic records a pre-diagnostic of beneficiary key; previous ones
// are kept, the latest is the current one.
func (s *Store) RecordProfessionalDiagnostic(ctx context.Context, p *model.Principal, key string, in ProfessionalDiagnosticInput) (*model.Beneficiary, *model.ProfessionalDiagnostic, error) {
	var out model.ProfessionalDiagnostic
	b, err := s.professionalAct(ctx, p, key, "recordProfessionalDiagnostic", false, func(tx *Tx, b model.Beneficiary, today model.Date) (string, string, any, error) {
		if in.AssessedOn.IsZero() {
			in.AssessedOn = today
		}
		if e := model.CheckProfessionalDiagnostic(in, today); e != nil {
			return "", "", nil, e
		}
		for i := range in.Diplomas {
			if in.Diplomas[i].Recognition == "" {
				in.Diplomas[i].Recognition = model.DiplomaRecognitionNotRequested
			}
		}
		diplomas, _ := json.Marshal(nonNilSlice(in.Diplomas))
		experiences, _ := json.Marshal(nonNilSlice(in.Experiences))
		barriers, _ := json.Marshal(nonNilSlice(in.Barriers))
		var rows []diagnosticRow
		err := tx.SelectContext(ctx, &rows, `
			INSERT INTO professional_diagnostics AS d (beneficiary_id, assessed_on, education_level, years_of_schooling,
			       diplomas, experiences, skills, target_jobs, barriers, author_subject, author_structure_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			RETURNING `+diagnosticColumns,
			key, in.AssessedOn, string(in.EducationLevel), in.YearsOfSchooling, string(diplomas), string(experiences),
			trimAll(in.Skills), trimAll(in.TargetJobs), string(barriers), p.Subject, structureOf(p), tx.Now)
		if err != nil {
			return "", "", nil, fmt.Errorf("insert diagnostic: %w", err)
		}
		out = rows[0].model()
		barrierKinds := make([]string, len(out.Barriers))
		for i, x := range out.Barriers {
			barrierKinds[i] = string(x.Kind) + ":" + string(x.Severity)
		}
		return "ProfessionalDiagnostic", out.Key, map[string]any{"assessedOn": out.AssessedOn.String(),
			"educationLevel": out.EducationLevel, "diplomas": len(out.Diplomas), "experiences": len(out.Experiences),
			"skills": len(out.Skills), "targetJobs": len(out.TargetJobs), "barriers": barrierKinds}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &out, nil
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ProfessionalDiagnosticsByBeneficiaries returns the pre-diagnostics of each
// beneficiary, latest first.
func (s *Store) ProfessionalDiagnosticsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.ProfessionalDiagnostic, error) {
	m, err := groupedByBeneficiary(ctx, s, p, keys, recordsScope, `SELECT `+diagnosticColumns+`
		FROM professional_diagnostics d JOIN beneficiaries b ON b.id = d.beneficiary_id
		WHERE {scope}
		ORDER BY d.assessed_on DESC, d.created_at DESC, d.id`,
		func(r diagnosticRow) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: professional diagnostics: %w", err)
	}
	out := make(map[string][]model.ProfessionalDiagnostic, len(m))
	for k, rows := range m {
		for _, r := range rows {
			out[k] = append(out[k], r.model())
		}
	}
	return out, nil
}

// ---- French level ----

const frenchLevelColumns = `f.id, f.beneficiary_id, f.level, f.assessed_on, f.source, f.training_hours_prescribed,
	f.training_hours_done, f.created_at`

// RecordFrenchLevel records a French-level assessment of beneficiary key.
func (s *Store) RecordFrenchLevel(ctx context.Context, p *model.Principal, key string, in model.FrenchLevel) (*model.Beneficiary, *model.FrenchLevel, error) {
	var out model.FrenchLevel
	b, err := s.professionalAct(ctx, p, key, "recordFrenchLevel", false, func(tx *Tx, b model.Beneficiary, today model.Date) (string, string, any, error) {
		if e := model.CheckFrenchLevel(in, today); e != nil {
			return "", "", nil, e
		}
		err := tx.GetContext(ctx, &out, `
			INSERT INTO french_levels AS f (beneficiary_id, level, assessed_on, source, training_hours_prescribed,
			       training_hours_done, author_subject, author_structure_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING `+frenchLevelColumns,
			key, string(in.Level), in.AssessedOn, string(in.Source), in.TrainingHoursPrescribed, in.TrainingHoursDone,
			p.Subject, structureOf(p), tx.Now)
		if err != nil {
			return "", "", nil, fmt.Errorf("insert french level: %w", err)
		}
		// the levels gained are relative to the assessment before this one in date
		// order, which may have been recorded later: the whole history decides it
		var history []model.FrenchLevel
		if err := tx.SelectContext(ctx, &history, `SELECT `+frenchLevelColumns+` FROM french_levels f
			WHERE f.beneficiary_id = $1 ORDER BY f.assessed_on, f.created_at, f.id`, key); err != nil {
			return "", "", nil, fmt.Errorf("french level history: %w", err)
		}
		for _, l := range model.FrenchProgression(history) {
			if l.Key == out.Key {
				out.LevelsGained = l.LevelsGained
			}
		}
		return "FrenchLevel", out.Key, map[string]any{"level": out.Level, "assessedOn": out.AssessedOn.String(), "source": out.Source,
			"trainingHoursPrescribed": out.TrainingHoursPrescribed, "trainingHoursDone": out.TrainingHoursDone}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &out, nil
}

// FrenchLevelsByBeneficiaries returns the French-level assessments of each beneficiary
// in date order, with the levels gained from one to the next (model.FrenchProgression).
func (s *Store) FrenchLevelsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.FrenchLevel, error) {
	m, err := groupedByBeneficiary(ctx, s, p, keys, recordsScope, `SELECT `+frenchLevelColumns+`
		FROM french_levels f JOIN beneficiaries b ON b.id = f.beneficiary_id
		WHERE {scope}
		ORDER BY f.assessed_on, f.created_at, f.id`,
		func(r model.FrenchLevel) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: french levels: %w", err)
	}
	for k, levels := range m {
		m[k] = model.FrenchProgression(levels)
	}
	return m, nil
}

// ---- Orientations ----

const orientationColumns = `o.id, o.version, o.beneficiary_id, o.kind, o.status, o.structure_id, o.offer_id, o.purpose,
	o.oriented_on, o.answer_due_on, o.answered_on, o.refusal_category, o.refusal_reason, o.started_on, o.ended_on, o.abandon_reason,
	o.oriented_by_structure_id, b.department,
	b.first_name AS person_first_name, left(b.last_name, 1) AS person_initial, b.languages AS person_languages,
	(SELECT f.level FROM french_levels f WHERE f.beneficiary_id = o.beneficiary_id
	  ORDER BY f.assessed_on DESC, f.created_at DESC LIMIT 1) AS person_french_level`

// orientationSelect reads orientations (alias o) with their beneficiary (alias b), for
// the scope and the partner's minimal view of the person.
const orientationSelect = `SELECT ` + orientationColumns + ` FROM orientations o JOIN beneficiaries b ON b.id = o.beneficiary_id`

type orientationRow struct {
	model.Orientation
	PersonFirstName   string           `db:"person_first_name"`
	PersonInitial     string           `db:"person_initial"`
	PersonLanguages   stringArray      `db:"person_languages"`
	PersonFrenchLevel *model.CefrLevel `db:"person_french_level"`
}

// model converts the row, deriving Overdue on today.
func (r orientationRow) model(today model.Date) model.Orientation {
	o := r.Orientation
	o.Overdue = model.OrientationOverdue(o.Status, o.AnswerDueOn, today)
	o.Person = model.OrientedPerson{FirstName: r.PersonFirstName, LastNameInitial: strings.ToUpper(r.PersonInitial) + ".",
		Languages: model.NonNilStrings(r.PersonLanguages), FrenchLevel: r.PersonFrenchLevel, BeneficiaryKey: o.BeneficiaryKey, Department: o.Department}
	return o
}

// OrientationInput is an orientation to record (keys decoded): to OfferKey (its
// structure is the addressee) or to StructureKey; a zero OrientedOn means today.
type OrientationInput struct {
	Kind         model.OrientationKind
	OfferKey     string
	StructureKey string
	Purpose      string
	OrientedOn   model.Date
}

// OrientBeneficiary orients beneficiary key to an offer or a structure. The offer must
// exist and be published (OFFER_UNAVAILABLE when archived or a draft); when both an offer
// and a structure are given, the structure must own the offer. The answer is due
// OrientationAnswerDelayDays later.
func (s *Store) OrientBeneficiary(ctx context.Context, p *model.Principal, key string, in OrientationInput) (*model.Orientation, error) {
	var out model.Orientation
	_, err := s.professionalAct(ctx, p, key, "orientBeneficiary", false, func(tx *Tx, b model.Beneficiary, today model.Date) (string, string, any, error) {
		if in.OrientedOn.IsZero() {
			in.OrientedOn = today
		}
		if e := model.CheckDay(in.OrientedOn, b.ReferredOn, today, "orientedOn"); e != nil {
			return "", "", nil, e
		}
		purpose := strings.TrimSpace(in.Purpose)
		if n := len([]rune(purpose)); n < 1 || n > 1000 {
			return "", "", nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "purpose"), "l'objet de l'orientation est requis (1000 caractères au plus)")
		}
		var offer *string
		structure := in.StructureKey
		if in.OfferKey != "" {
			owner, status, found, err := offerStatus(ctx, tx, in.OfferKey)
			if err != nil {
				return "", "", nil, err
			}
			if !found {
				return "", "", nil, model.Errorf(model.CodeNotFound, model.Path("input", "offerId"), "offre introuvable")
			}
			if status != "PUBLISHED" {
				return "", "", nil, model.Errorf(model.CodeOfferUnavailable, model.Path("input", "offerId"),
					"cette offre n'est pas publiée (archivée ou en brouillon) : aucune orientation n'est possible")
			}
			if structure != "" && structure != owner {
				return "", "", nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "structureId"), "cette offre n'appartient pas à la structure indiquée")
			}
			structure, offer = owner, &in.OfferKey
		}
		if structure == "" {
			return "", "", nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "structureId"), "indiquez l'offre ou la structure destinataire")
		}
		var exists bool
		if len(validUUIDs([]string{structure})) == 1 {
			if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM structures WHERE id = $1)`, structure); err != nil {
				return "", "", nil, fmt.Errorf("structure: %w", err)
			}
		}
		if !exists {
			return "", "", nil, model.Errorf(model.CodeNotFound, model.Path("input", "structureId"), "structure introuvable")
		}
		if err := requireSharingConsent(ctx, tx, key); err != nil { // data protection: consent to share (db/consent.go)
			return "", "", nil, err
		}
		due := model.OrientationAnswerDueOn(in.OrientedOn, s.Params)
		var id string
		err := tx.GetContext(ctx, &id, `
			INSERT INTO orientations (beneficiary_id, kind, structure_id, offer_id, purpose, oriented_on, answer_due_on, status,
			       oriented_by_subject, oriented_by_structure_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'PENDING', $8, $9, $10, $10) RETURNING id`,
			key, string(in.Kind), structure, offer, purpose, in.OrientedOn, due, p.Subject, structureOf(p), tx.Now)
		if err != nil {
			return "", "", nil, fmt.Errorf("insert orientation: %w", err)
		}
		if out, err = tx.orientation(ctx, id, today); err != nil {
			return "", "", nil, err
		}
		if err := tx.orientationChanged(ctx, model.OrientationChangeKindOriented, out, ""); err != nil { // real time (db/outbox.go)
			return "", "", nil, err
		}
		return "Orientation", id, map[string]any{"kind": in.Kind, "structure": structure, "offer": offer,
			"orientedOn": in.OrientedOn.String(), "answerDueOn": due.String()}, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// orientation reads one orientation by key, without scope (after a scoped write).
func (tx *Tx) orientation(ctx context.Context, key string, today model.Date) (model.Orientation, error) {
	var r orientationRow
	if err := tx.GetContext(ctx, &r, orientationSelect+` WHERE o.id = $1`, key); err != nil {
		return model.Orientation{}, fmt.Errorf("read orientation: %w", err)
	}
	return r.model(today), nil
}

// lockOrientation reads and locks one orientation in p's scope: the partner that owns it,
// or the workers and coordinators of its beneficiary. NOT_FOUND otherwise.
func (tx *Tx) lockOrientation(ctx context.Context, p *model.Principal, key string, today model.Date) (model.Orientation, error) {
	notFound := model.Errorf(model.CodeNotFound, model.Path("input", "orientationId"), "orientation introuvable")
	if len(validUUIDs([]string{key})) == 0 {
		return model.Orientation{}, notFound
	}
	args := []any{key}
	scope := orientationScope(p, &args)
	var rows []orientationRow
	if err := tx.SelectContext(ctx, &rows, orientationSelect+` WHERE o.id = $1 AND `+scope+` FOR UPDATE OF o`, args...); err != nil {
		return model.Orientation{}, fmt.Errorf("lock orientation: %w", err)
	}
	if len(rows) == 0 {
		return model.Orientation{}, notFound
	}
	return rows[0].model(today), nil
}

// orientationAct runs one change of an orientation as p: lock in scope, version check,
// fn (which checks the rule and updates), re-read and audit.
func (s *Store) orientationAct(ctx context.Context, p *model.Principal, key string, version int, name string,
	fn func(tx *Tx, o model.Orientation, today model.Date) (fields any, err error)) (*model.Orientation, error) {
	var out model.Orientation
	err := s.WithTx(ctx, func(tx *Tx) error {
		today := model.DateOf(tx.Now)
		o, err := tx.lockOrientation(ctx, p, key, today)
		if err != nil {
			return err
		}
		if o.Version != version {
			return model.Errorf(model.CodeVersionConflict, model.Path("input", "version"),
				"l'orientation a changé depuis sa lecture : rechargez-la et recommencez")
		}
		fields, err := fn(tx, o, today)
		if err != nil {
			return err
		}
		if out, err = tx.orientation(ctx, key, today); err != nil {
			return err
		}
		return tx.audit(ctx, p, AuditEntry{Action: name, EntityType: "Orientation", EntityID: key,
			Departments: []string{o.Department}, Changes: map[string]any{
				"status":  map[string]any{"before": o.Status, "after": out.Status},
				"version": map[string]any{"before": o.Version, "after": out.Version}, "act": fields}})
	})
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", name, err)
	}
	return &out, nil
}

// RespondToOrientation records the partner's answer to a pending orientation. Only a
// partner editor of the structure addressed, or a coordinator of the territory, answers:
// for anyone else the orientation is NOT_FOUND (partners) or FORBIDDEN.
func (s *Store) RespondToOrientation(ctx context.Context, p *model.Principal, key string, in model.RespondToOrientationInput) (*model.Orientation, error) {
	if p == nil || (p.Role != model.RolePartnerEditor && p.Role != model.RoleCoordinator) {
		return nil, model.ErrForbidden()
	}
	return s.orientationAct(ctx, p, key, in.Version, "respondToOrientation", func(tx *Tx, o model.Orientation, today model.Date) (any, error) {
		on := model.DateOr(in.AnsweredOn, today)
		reason := model.TrimmedOrNil(in.RefusalReason)
		refusal := model.RefusalCategoryOf(in.Answer, in.RefusalCategory, reason)
		if e := model.CheckOrientationAnswer(o, in.Answer, refusal, reason, on, today); e != nil {
			if len(e.Field) == 2 && e.Field[1] == "on" {
				e.Field = model.Path("input", "answeredOn")
			}
			return nil, e
		}
		var category *string
		if refusal != nil {
			c := string(*refusal)
			category = &c
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE orientations SET status = $2, answered_on = $3, refusal_category = $4, refusal_reason = $5, answered_by = $6,
			       version = version + 1, updated_at = $7, answered_at = $7
			WHERE id = $1`, o.Key, string(in.Answer), on, category, reason, p.Subject, tx.Now)
		if err != nil {
			return nil, fmt.Errorf("answer orientation: %w", err)
		}
		answered := o
		answered.Status = model.OrientationStatus(in.Answer)
		if err := tx.orientationChanged(ctx, model.OrientationChangeKindAnswered, answered, ""); err != nil { // real time (db/outbox.go)
			return nil, err
		}
		return map[string]any{"answer": in.Answer, "answeredOn": on.String(), "refusalCategory": category, "reasonText": reason != nil}, nil
	})
}

// UpdateOrientationStatus records that an accepted orientation started, was completed or
// abandoned; the partner addressed, the insertion counsellors of the caseload and the
// coordinators may record it.
func (s *Store) UpdateOrientationStatus(ctx context.Context, p *model.Principal, key string, in model.UpdateOrientationStatusInput) (*model.Orientation, error) {
	return s.orientationAct(ctx, p, key, in.Version, "updateOrientationStatus", func(tx *Tx, o model.Orientation, today model.Date) (any, error) {
		if p.Role == model.RoleSocialWorker {
			return nil, model.ErrForbidden()
		}
		on := model.DateOr(in.On, today)
		reason := model.TrimmedOrNil(in.AbandonReason)
		if e := model.CheckOrientationStatus(o, in.Status, reason, on, today); e != nil {
			return nil, e
		}
		var err error
		switch in.Status {
		case model.OrientationStepStarted:
			_, err = tx.ExecContext(ctx, `UPDATE orientations SET status = 'STARTED', started_on = $2, version = version + 1, updated_at = $3, started_at = $3 WHERE id = $1`,
				o.Key, on, tx.Now)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE orientations SET status = $2, ended_on = $3, abandon_reason = $4, version = version + 1, updated_at = $5, ended_at = $5 WHERE id = $1`,
				o.Key, string(in.Status), on, reason, tx.Now)
		}
		if err != nil {
			return nil, fmt.Errorf("update orientation: %w", err)
		}
		return map[string]any{"status": in.Status, "on": on.String()}, nil
	})
}

// OrientationFilter restricts Orientations (keys decoded).
type OrientationFilter struct {
	StructureKey   string
	Statuses       []model.OrientationStatus
	Kinds          []model.OrientationKind
	Overdue        *bool
	DeadlineBefore *model.Date
	BeneficiaryKey string
}

// Orientations returns a page of the orientations in p's scope (a partner's inbox for a
// partner editor), by answer deadline.
func (s *Store) Orientations(ctx context.Context, p *model.Principal, f OrientationFilter, page model.Page, wantTotal bool) (model.Connection[model.Orientation], error) {
	var conn model.Connection[model.Orientation]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		today := model.DateOf(tx.Now)
		q := pageQuery{
			Select: orientationColumns,
			From:   "orientations o JOIN beneficiaries b ON b.id = o.beneficiary_id",
			Order:  keyset{Expr: "o.answer_due_on", Type: "date", ID: "o.id"},
		}
		q.Where = append(q.Where, orientationScope(p, &q.Args))
		arg := func(v any) string { q.Args = append(q.Args, v); return fmt.Sprintf("$%d", len(q.Args)) }
		if f.StructureKey != "" {
			q.Where = append(q.Where, "o.structure_id = "+arg(f.StructureKey)+"::uuid")
		}
		if len(f.Statuses) > 0 {
			q.Where = append(q.Where, "o.status = ANY("+arg(enumStrings(f.Statuses))+"::text[])")
		}
		if len(f.Kinds) > 0 {
			q.Where = append(q.Where, "o.kind = ANY("+arg(enumStrings(f.Kinds))+"::text[])")
		}
		if f.Overdue != nil {
			cond := "(o.status = 'PENDING' AND o.answer_due_on < " + arg(today) + "::date)"
			if !*f.Overdue {
				cond = "NOT " + cond
			}
			q.Where = append(q.Where, cond)
		}
		if f.DeadlineBefore != nil {
			q.Where = append(q.Where, "o.answer_due_on <= "+arg(*f.DeadlineBefore)+"::date")
		}
		if f.BeneficiaryKey != "" {
			q.Where = append(q.Where, "o.beneficiary_id = "+arg(f.BeneficiaryKey)+"::uuid")
		}
		conn, err = fetchPage(ctx, tx, q, page, wantTotal,
			func(r orientationRow) (string, string) { return r.AnswerDueOn.String(), r.Key },
			func(r orientationRow) model.Orientation { return r.model(today) })
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: orientations: %w", err)
	}
	return conn, nil
}

func enumStrings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// OrientationsByBeneficiaries returns the orientations of each beneficiary, latest first.
func (s *Store) OrientationsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Orientation, error) {
	today := model.DateOf(s.Now())
	m, err := groupedByBeneficiary(ctx, s, p, keys, recordsScope, orientationSelect+`
		WHERE {scope}
		ORDER BY o.oriented_on DESC, o.created_at DESC, o.id`,
		func(r orientationRow) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: orientations by beneficiaries: %w", err)
	}
	out := make(map[string][]model.Orientation, len(m))
	for k, rows := range m {
		for _, r := range rows {
			out[k] = append(out[k], r.model(today))
		}
	}
	return out, nil
}

// OpenOrientationCounts returns, for the beneficiaries of keys, in key order, how many
// of their orientations are in progress (model.OpenOrientationStatuses), in the scope
// of their orientations; 0 for a beneficiary without or out of the scope.
func (s *Store) OpenOrientationCounts(ctx context.Context, p *model.Principal, keys []string) ([]int, error) {
	out := make([]int, len(keys))
	err := s.readTx(ctx, func(tx *Tx) error {
		statuses := make([]string, len(model.OpenOrientationStatuses))
		for i, st := range model.OpenOrientationStatuses {
			statuses[i] = string(st)
		}
		args := []any{validUUIDs(keys), statuses}
		type row struct {
			Key   string `db:"beneficiary_id"`
			Count int    `db:"n"`
		}
		var rows []row
		err := tx.SelectContext(ctx, &rows, `SELECT o.beneficiary_id, count(*) AS n
			FROM orientations o JOIN beneficiaries b ON b.id = o.beneficiary_id
			WHERE b.id = ANY($1::uuid[]) AND o.status = ANY($2::text[]) AND (`+recordsScope(p, &args)+`)
			GROUP BY o.beneficiary_id`, args...)
		if err != nil {
			return err
		}
		return inKeyOrder(keys, rows, out, func(r row) (string, int) { return r.Key, r.Count })
	})
	if err != nil {
		return nil, fmt.Errorf("db: open orientation counts: %w", err)
	}
	return out, nil
}

// OrientationAlertsByBeneficiaries returns, for each beneficiary, the alert
// ORIENTATION_UNANSWERED when one of its orientations is unanswered past its deadline
// today (model.OrientationAlerts). Beneficiary.alerts joins them to the alerts of
// beneficiary_alerts; its list filter is orientationUnansweredCondition. The scope is
// the beneficiary's, as for the other alerts and the filter (a state representative
// reads alerts, not orientations).
func (s *Store) OrientationAlertsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Alert, error) {
	today := model.DateOf(s.Now())
	m, err := groupedByBeneficiary(ctx, s, p, keys, beneficiariesScope, orientationSelect+`
		WHERE {scope} AND o.status = 'PENDING'
		ORDER BY o.answer_due_on, o.id`,
		func(r orientationRow) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: orientation alerts: %w", err)
	}
	out := make(map[string][]model.Alert, len(m))
	for k, rows := range m {
		os := make([]model.Orientation, len(rows))
		for i, r := range rows {
			os[i] = r.model(today)
		}
		if alerts := model.OrientationAlerts(os, today); len(alerts) > 0 {
			out[k] = alerts
		}
	}
	return out, nil
}

// orientationUnansweredCondition returns the SQL condition "the beneficiary (table alias
// alias) has an orientation unanswered past its deadline on the day todayArg": the
// ORIENTATION_UNANSWERED alert as a list filter (Beneficiaries, `alert:
// ORIENTATION_UNANSWERED`), the rule of model.OrientationOverdue.
func orientationUnansweredCondition(alias, todayArg string) string {
	return fmt.Sprintf("EXISTS (SELECT 1 FROM orientations ou WHERE ou.beneficiary_id = %s.id AND ou.status = 'PENDING' AND ou.answer_due_on < %s::date)",
		alias, todayArg)
}

// ---- Support actions ----

const supportActionColumns = `a.id, a.beneficiary_id, a.kind, a.held_on, a.author_staff_id, a.author_structure_id, a.result, a.created_at`

// RecordSupportAction records a support action of beneficiary key, authored by p (its
// staff record found by subject or e-mail).
func (s *Store) RecordSupportAction(ctx context.Context, p *model.Principal, key string, kind model.SupportActionKind, heldOn *model.Date, result *string) (*model.Beneficiary, *model.SupportAction, error) {
	var out model.SupportAction
	b, err := s.professionalAct(ctx, p, key, "recordSupportAction", false, func(tx *Tx, b model.Beneficiary, today model.Date) (string, string, any, error) {
		on := model.DateOr(heldOn, today)
		if e := model.CheckDay(on, b.ReferredOn, today, "heldOn"); e != nil {
			return "", "", nil, e
		}
		res := model.TrimmedOrNil(result)
		if res != nil && len([]rune(*res)) > 2000 {
			return "", "", nil, model.Errorf(model.CodeInvalidInput, model.Path("input", "result"), "2000 caractères au plus")
		}
		err := tx.GetContext(ctx, &out, `
			INSERT INTO support_actions AS a (beneficiary_id, kind, held_on, result, author_subject, author_staff_id, author_structure_id, created_at)
			VALUES ($1, $2, $3, $4, $5,
			        (SELECT m.id FROM staff_members m WHERE (m.subject = $5 AND $5 <> '') OR (lower(m.email) = lower($6) AND $6 <> '')
			         ORDER BY (m.subject = $5) DESC LIMIT 1),
			        $7, $8)
			RETURNING `+supportActionColumns,
			key, string(kind), on, res, p.Subject, p.Email, structureOf(p), tx.Now)
		if err != nil {
			return "", "", nil, fmt.Errorf("insert support action: %w", err)
		}
		return "SupportAction", out.Key, map[string]any{"kind": kind, "heldOn": on.String(), "result": res != nil}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &out, nil
}

// SupportActionsByBeneficiaries returns the support actions of each beneficiary, latest first.
func (s *Store) SupportActionsByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.SupportAction, error) {
	m, err := groupedByBeneficiary(ctx, s, p, keys, recordsScope, `SELECT `+supportActionColumns+`
		FROM support_actions a JOIN beneficiaries b ON b.id = a.beneficiary_id
		WHERE {scope}
		ORDER BY a.held_on DESC, a.created_at DESC, a.id`,
		func(r model.SupportAction) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: support actions: %w", err)
	}
	return m, nil
}

// ---- Outcomes ----

const outcomeColumns = `x.id, x.beneficiary_id, x.kind, x.contract_type, x.weekly_hours, x.job_title, x.employer_sector,
	x.training_title, x.certification_level, x.starts_on, x.ends_on, x.created_at`

// RecordOutcome records an outcome of beneficiary key (model.CheckOutcome); outcomes may
// be recorded after the exit, when a follow-up finds them.
func (s *Store) RecordOutcome(ctx context.Context, p *model.Principal, key string, in model.Outcome) (*model.Beneficiary, *model.Outcome, error) {
	var out model.Outcome
	b, err := s.professionalAct(ctx, p, key, "recordOutcome", true, func(tx *Tx, b model.Beneficiary, today model.Date) (string, string, any, error) {
		in.JobTitle, in.EmployerSector, in.TrainingTitle = model.TrimmedOrNil(in.JobTitle), model.TrimmedOrNil(in.EmployerSector), model.TrimmedOrNil(in.TrainingTitle)
		if e := model.CheckOutcome(in); e != nil {
			return "", "", nil, e
		}
		if in.StartsOn.Before(b.ReferredOn) {
			return "", "", nil, model.Errorf(model.CodeOutOfOrder, model.Path("input", "startsOn"), "la date de début précède l'orientation dans le programme")
		}
		err := tx.GetContext(ctx, &out, `
			INSERT INTO outcomes AS x (beneficiary_id, kind, contract_type, weekly_hours, job_title, employer_sector, training_title,
			       certification_level, starts_on, ends_on, author_subject, author_structure_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			RETURNING `+outcomeColumns,
			key, string(in.Kind), in.ContractType, in.WeeklyHours, in.JobTitle, in.EmployerSector, in.TrainingTitle,
			in.CertificationLevel, in.StartsOn, in.EndsOn, p.Subject, structureOf(p), tx.Now)
		if err != nil {
			return "", "", nil, fmt.Errorf("insert outcome: %w", err)
		}
		return "Outcome", out.Key, map[string]any{"kind": out.Kind, "contractType": out.ContractType,
			"startsOn": out.StartsOn.String(), "endsOn": out.EndsOn, "countsAsEmploymentOrTraining": out.CountsAsEmploymentOrTraining()}, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, &out, nil
}

// OutcomesByBeneficiaries returns the outcomes of each beneficiary, latest start first.
func (s *Store) OutcomesByBeneficiaries(ctx context.Context, p *model.Principal, keys []string) (map[string][]model.Outcome, error) {
	m, err := groupedByBeneficiary(ctx, s, p, keys, recordsScope, `SELECT `+outcomeColumns+`
		FROM outcomes x JOIN beneficiaries b ON b.id = x.beneficiary_id
		WHERE {scope}
		ORDER BY x.starts_on DESC, x.created_at DESC, x.id`,
		func(r model.Outcome) string { return r.BeneficiaryKey })
	if err != nil {
		return nil, fmt.Errorf("db: outcomes: %w", err)
	}
	return m, nil
}

// OutcomeFilter restricts Outcomes (keys decoded).
type OutcomeFilter struct {
	Kinds                        []model.OutcomeKind
	ContractTypes                []model.ContractType
	CountsAsEmploymentOrTraining *bool
	StartsFrom, StartsTo         *model.Date
	BeneficiaryKey               string
}

// Outcomes returns a page of the outcomes in p's scope, latest start first. The
// "employment or training" filter asks model.CountsAsEmploymentOrTraining of every kind
// and contract type, so that SQL and Go share the one definition.
func (s *Store) Outcomes(ctx context.Context, p *model.Principal, f OutcomeFilter, page model.Page, wantTotal bool) (model.Connection[model.Outcome], error) {
	q := pageQuery{
		Select: outcomeColumns,
		From:   "outcomes x JOIN beneficiaries b ON b.id = x.beneficiary_id",
		Order:  keyset{Expr: "x.starts_on", Type: "date", ID: "x.id", Desc: true},
	}
	q.Where = append(q.Where, recordsScope(p, &q.Args))
	arg := func(v any) string { q.Args = append(q.Args, v); return fmt.Sprintf("$%d", len(q.Args)) }
	if len(f.Kinds) > 0 {
		q.Where = append(q.Where, "x.kind = ANY("+arg(enumStrings(f.Kinds))+"::text[])")
	}
	if len(f.ContractTypes) > 0 {
		q.Where = append(q.Where, "x.contract_type = ANY("+arg(enumStrings(f.ContractTypes))+"::text[])")
	}
	if f.CountsAsEmploymentOrTraining != nil {
		cond := countsAsEmploymentOrTrainingSQL("x", &q.Args)
		if !*f.CountsAsEmploymentOrTraining {
			cond = "NOT " + cond
		}
		q.Where = append(q.Where, cond)
	}
	if f.StartsFrom != nil {
		q.Where = append(q.Where, "x.starts_on >= "+arg(*f.StartsFrom)+"::date")
	}
	if f.StartsTo != nil {
		q.Where = append(q.Where, "x.starts_on <= "+arg(*f.StartsTo)+"::date")
	}
	if f.BeneficiaryKey != "" {
		q.Where = append(q.Where, "x.beneficiary_id = "+arg(f.BeneficiaryKey)+"::uuid")
	}
	var conn model.Connection[model.Outcome]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal,
			func(r model.Outcome) (string, string) { return r.StartsOn.String(), r.Key }, identity[model.Outcome])
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: outcomes page: %w", err)
	}
	return conn, nil
}

// countsAsEmploymentOrTrainingSQL returns the SQL condition "the outcome (table alias
// alias) counts as employment or training", appending its argument to args. It asks
// model.CountsAsEmploymentOrTraining of every kind and contract type, so that SQL (this
// list, the indicators) and Go share the one definition.
func countsAsEmploymentOrTrainingSQL(alias string, args *[]any) string {
	var counting []string
	for _, k := range model.AllOutcomeKind {
		for _, c := range append([]model.ContractType{""}, model.AllContractType...) {
			o := model.Outcome{Kind: k}
			if c != "" {
				o.ContractType = &c
			}
			if model.CountsAsEmploymentOrTraining(o) {
				counting = append(counting, string(k)+"/"+string(c))
			}
		}
	}
	*args = append(*args, counting)
	return fmt.Sprintf("(%[1]s.kind || '/' || COALESCE(%[1]s.contract_type, '')) = ANY($%[2]d::text[])", alias, len(*args))
}

// ---- Single records, for node(id:) ----

// ProfessionalNode reads one record of the module by GraphQL type and key in p's scope;
// nil when it does not exist or is outside the scope.
func (s *Store) ProfessionalNode(ctx context.Context, p *model.Principal, typ, key string) (model.Node, error) {
	if len(validUUIDs([]string{key})) == 0 {
		return nil, nil
	}
	var node model.Node
	err := s.readTx(ctx, func(tx *Tx) error {
		today := model.DateOf(tx.Now)
		args := []any{key}
		switch typ {
		case "Orientation":
			var rows []orientationRow
			if err := tx.SelectContext(ctx, &rows, orientationSelect+` WHERE o.id = $1 AND `+orientationScope(p, &args), args...); err != nil || len(rows) == 0 {
				return err
			}
			node = rows[0].model(today)
		case "ProfessionalDiagnostic":
			var rows []diagnosticRow
			if err := tx.SelectContext(ctx, &rows, `SELECT `+diagnosticColumns+` FROM professional_diagnostics d
				JOIN beneficiaries b ON b.id = d.beneficiary_id WHERE d.id = $1 AND `+recordsScope(p, &args), args...); err != nil || len(rows) == 0 {
				return err
			}
			node = rows[0].model()
		case "FrenchLevel":
			var rows []model.FrenchLevel
			if err := tx.SelectContext(ctx, &rows, `SELECT `+frenchLevelColumns+` FROM french_levels f
				JOIN beneficiaries b ON b.id = f.beneficiary_id WHERE f.id = $1 AND `+recordsScope(p, &args), args...); err != nil || len(rows) == 0 {
				return err
			}
			node = rows[0]
		case "SupportAction":
			var rows []model.SupportAction
			if err := tx.SelectContext(ctx, &rows, `SELECT `+supportActionColumns+` FROM support_actions a
				JOIN beneficiaries b ON b.id = a.beneficiary_id WHERE a.id = $1 AND `+recordsScope(p, &args), args...); err != nil || len(rows) == 0 {
				return err
			}
			node = rows[0]
		case "Outcome":
			var rows []model.Outcome
			if err := tx.SelectContext(ctx, &rows, `SELECT `+outcomeColumns+` FROM outcomes x
				JOIN beneficiaries b ON b.id = x.beneficiary_id WHERE x.id = $1 AND `+recordsScope(p, &args), args...); err != nil || len(rows) == 0 {
				return err
			}
			node = rows[0]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: professional node: %w", err)
	}
	return node, nil
}
