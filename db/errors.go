package db

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// constraintErrors maps a constraint (or unique index) name to the user error it means.
// Each module registers its own in an init of its file, keeping the mapping next to the
// SQL that defines the constraint.
var constraintErrors = map[string]*model.Error{
	"staff_members_email_key":   model.Errorf(model.CodeAlreadyExists, model.Path("input", "email"), "un professionnel utilise déjà cette adresse électronique"),
	"staff_members_subject_key": model.Errorf(model.CodeAlreadyExists, model.Path("input", "subject"), "ce compte est déjà rattaché à un professionnel"),
}

// translate turns a driver error into the project's coded error by SQLSTATE and
// constraint name. Errors that are already coded, and unknown errors, pass through
// (unknown ones become INTERNAL at the API edge, masked).
func translate(err error) error {
	if err == nil || model.AsUserError(err) != nil {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &model.Error{Code: model.CodeInternal, Message: "délai de traitement dépassé", Err: err}
	}
	if IsUnavailable(err) {
		return errUnavailable(err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	if known, ok := constraintErrors[pgErr.ConstraintName]; ok {
		e := *known
		e.Err = err
		return &e
	}
	switch pgErr.Code {
	case "23505": // unique_violation
		return &model.Error{Code: model.CodeAlreadyExists, Message: "cet élément existe déjà", Err: err}
	case "23503": // foreign_key_violation
		return &model.Error{Code: model.CodeNotFound, Message: "un élément référencé est introuvable", Err: err}
	case "23514", "23502", "22P02", "22007", "22008", "22003", "22001": // check, not null, bad text repr, bad datetime, out of range, too long
		return &model.Error{Code: model.CodeInvalidInput, Message: "une valeur saisie est invalide", Err: err}
	case "23P01": // exclusion_violation
		return &model.Error{Code: model.CodeRuleViolation, Message: "cette action contredit une règle du programme", Err: err}
	case "40001", "40P01": // serialization failure, deadlock
		return &model.Error{Code: model.CodeVersionConflict, Message: "modification concurrente : veuillez réessayer", Err: err}
	case "57014": // query_canceled (statement_timeout)
		return &model.Error{Code: model.CodeInternal, Message: "délai de traitement dépassé", Err: err}
	}
	return err
}
