package model

import (
	"errors"
	"fmt"
)

// ErrorCode is a stable error code (the GraphQL enum ErrorCode). Clients branch on it.
type ErrorCode string

// The codes of the schema's ErrorCode enum.
const (
	CodeUnauthenticated ErrorCode = "UNAUTHENTICATED"
	CodeForbidden       ErrorCode = "FORBIDDEN"
	CodeNotFound        ErrorCode = "NOT_FOUND"
	CodeInvalidInput    ErrorCode = "INVALID_INPUT"
	CodeOutOfRange      ErrorCode = "OUT_OF_RANGE"
	CodeAlreadyExists   ErrorCode = "ALREADY_EXISTS"
	CodeVersionConflict ErrorCode = "VERSION_CONFLICT"
	CodeRuleViolation   ErrorCode = "RULE_VIOLATION"
	CodeInternal        ErrorCode = "INTERNAL"

	// Codes of the social module.
	CodeNotEligible         ErrorCode = "NOT_ELIGIBLE"
	CodeOutOfOrder          ErrorCode = "OUT_OF_ORDER"
	CodeCapacityReached     ErrorCode = "CAPACITY_REACHED"
	CodeJourneyLimitReached ErrorCode = "JOURNEY_LIMIT_REACHED"
	// Partnership: closed lists, SIRET, opening hours, import files.
	CodeUnknownValue        ErrorCode = "UNKNOWN_VALUE"
	CodeInvalidSIRET        ErrorCode = "INVALID_SIRET"
	CodeInvalidOpeningHours ErrorCode = "INVALID_OPENING_HOURS"
	CodeInvalidFormat       ErrorCode = "INVALID_FORMAT"
)

// Error is the project's one error type: a stable code, the input field at fault (may
// be nil), a French message for the user, and optionally the underlying cause (never
// shown to clients).
type Error struct {
	Code    ErrorCode
	Field   []string
	Message string
	Err     error
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if len(e.Field) > 0 {
		s = fmt.Sprintf("%s (%v)", s, e.Field)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted French message.
func Errorf(code ErrorCode, field []string, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Path builds the path of an input field, e.g. Path("input", "cirSignedOn").
func Path(path ...string) []string { return path }

// ErrorCodeOf returns the code of err when it wraps an *Error, CodeInternal otherwise.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// AsUserError returns the *Error wrapped by err when the user can act on it (any code
// but INTERNAL), or nil.
func AsUserError(err error) *Error {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeInternal {
		return e
	}
	return nil
}

// ErrNotFound is the French not-found error for a kind of object ("bénéficiaire").
func ErrNotFound(what string) *Error {
	return Errorf(CodeNotFound, nil, "%s introuvable", what)
}

// ErrForbidden is the French access-denied error.
func ErrForbidden() *Error {
	return Errorf(CodeForbidden, nil, "accès refusé : votre rôle ou votre périmètre ne le permet pas")
}

// fieldErrors collects the errors of a validation that reports every broken field.
type fieldErrors []error

// add appends err (nothing when nil); the errors of a joined error are added one by one.
func (f *fieldErrors) add(err error) {
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			f.add(e)
		}
		return
	}
	*f = append(*f, err)
}

// err returns nil, the one error, or the errors joined in order (AsUserError finds the
// first, UserErrors each).
func (f fieldErrors) err() error {
	switch len(f) {
	case 0:
		return nil
	case 1:
		return f[0]
	}
	return errors.Join(f...)
}

// UserErrors returns every user error of err, in order: the errors joined by a
// validation that reports every broken field, or the one user error of err. It is nil
// when err holds no user error.
func UserErrors(err error) []*Error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range j.Unwrap() {
			out = append(out, UserErrors(e)...)
		}
		return out
	}
	if e := AsUserError(err); e != nil {
		return []*Error{e}
	}
	return nil
}
