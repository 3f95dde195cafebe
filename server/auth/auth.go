// Package auth authenticates the callers of the API with bearer tokens.
//
// A [Verifier] turns the raw token of an "Authorization: Bearer" header into a
// [model.Principal]. Two verifiers exist: [DevSigner], which signs and checks HS256
// tokens with a local secret so that the demo runs offline, and [OIDCVerifier], which
// checks tokens of an OpenID Connect issuer (ProConnect in production) against the
// issuer's published keys. [Middleware] puts the principal in the request context; it
// never rejects a request itself, so that the GraphQL layer can answer a GraphQL-shaped
// authentication error built from [FailureFrom].
//
// Both verifiers read the same claims: "sub" (required), "role" (required, one of
// [model.AllRoles]), "email", "name", "structure_id" and "departments" (an array of
// strings). They check "exp" (required), "nbf" and "iat" with a tolerance of [Leeway]
// for clocks that disagree.
package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Verifier turns a raw bearer token into the claims of a principal.
//
// Verify returns a principal with a non-empty Subject and a valid Role, or an error
// that matches (with [errors.Is]) exactly one of [ErrNoToken], [ErrInvalidToken] and
// [ErrExpiredToken]. The error's text adds the detail, for logs only.
type Verifier interface {
	Verify(ctx context.Context, raw string) (*model.Principal, error)
}

// The reasons an authentication fails. Verifiers and [FailureFrom] return these or
// errors that wrap them; match them with [errors.Is]. Their messages are for logs.
var (
	// ErrNoToken: the request carries no bearer token.
	ErrNoToken = errors.New("auth: no bearer token")
	// ErrInvalidToken: the token is malformed, badly signed, for another issuer or
	// audience, not yet valid, or lacks a required claim (sub, exp, a valid role).
	ErrInvalidToken = errors.New("auth: invalid bearer token")
	// ErrExpiredToken: the token is otherwise valid but its "exp" has passed, beyond
	// [Leeway]. A client may refresh it and retry.
	ErrExpiredToken = errors.New("auth: expired bearer token")
)

// Leeway is how far the clocks of the issuer and of this server may disagree: a token
// is accepted up to Leeway after its "exp", and from Leeway before its "nbf" and "iat".
const Leeway = 60 * time.Second

// Claim names shared by both modes. The OIDC mode can rename the AGIR-specific ones
// (see [OIDCConfig]).
const (
	claimSubject     = "sub"
	claimEmail       = "email"
	claimName        = "name"
	claimRole        = "role"
	claimStructure   = "structure_id"
	claimDepartments = "departments"
)

// claimNames are the names of the claims that carry the AGIR-specific fields.
type claimNames struct {
	role, structure, departments string
}

var defaultClaimNames = claimNames{role: claimRole, structure: claimStructure, departments: claimDepartments}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidToken}, args...)...)
}

// checkTimes checks the registered time claims of a token whose signature, issuer and
// audience were already checked: "nbf" and "iat" must not be later than now+leeway
// (ErrInvalidToken), "exp" must be present (ErrInvalidToken) and later than now-leeway
// (ErrExpiredToken). Expiry is checked last so that ErrExpiredToken means "valid but
// expired".
func checkTimes(c jwt.MapClaims, now time.Time, leeway time.Duration) error {
	exp, err := c.GetExpirationTime()
	if err != nil {
		return invalid("exp: %v", err)
	}
	nbf, err := c.GetNotBefore()
	if err != nil {
		return invalid("nbf: %v", err)
	}
	iat, err := c.GetIssuedAt()
	if err != nil {
		return invalid("iat: %v", err)
	}
	if nbf != nil && now.Add(leeway).Before(nbf.Time) {
		return invalid("not valid before %s", nbf.Time.UTC().Format(time.RFC3339))
	}
	if iat != nil && now.Add(leeway).Before(iat.Time) {
		return invalid("issued in the future (%s)", iat.Time.UTC().Format(time.RFC3339))
	}
	if exp == nil {
		return invalid("no exp claim")
	}
	if !now.Add(-leeway).Before(exp.Time) {
		return fmt.Errorf("%w: expired at %s", ErrExpiredToken, exp.Time.UTC().Format(time.RFC3339))
	}
	return nil
}

// principalFromClaims builds the principal carried by verified claims. "sub" is required,
// and a valid role when requireRole; the other claims are optional but must have the
// right type. A role claim, when present, must name a role.
func principalFromClaims(c map[string]any, names claimNames, requireRole bool) (*model.Principal, error) {
	var p model.Principal
	var err error
	if p.Subject, err = stringClaim(c, claimSubject); err != nil {
		return nil, err
	}
	if p.Subject == "" {
		return nil, invalid("no sub claim")
	}
	role, err := stringClaim(c, names.role)
	if err != nil {
		return nil, err
	}
	p.Role = model.Role(role)
	if !p.Role.Valid() && (requireRole || role != "") {
		return nil, invalid("claim %q: %q is not a role", names.role, role)
	}
	if p.Email, err = stringClaim(c, claimEmail); err != nil {
		return nil, err
	}
	if p.Name, err = stringClaim(c, claimName); err != nil {
		return nil, err
	}
	if p.StructureID, err = stringClaim(c, names.structure); err != nil {
		return nil, err
	}
	if p.Departments, err = stringsClaim(c, names.departments); err != nil {
		return nil, err
	}
	return &p, nil
}

// stringClaim returns claim name of c, "" when absent or null.
func stringClaim(c map[string]any, name string) (string, error) {
	v, ok := c[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", invalid("claim %q is not a string", name)
	}
	return s, nil
}

// stringsClaim returns claim name of c, an array of strings; nil when absent or null.
func stringsClaim(c map[string]any, name string) ([]string, error) {
	v, ok := c[name]
	if !ok || v == nil {
		return nil, nil
	}
	a, ok := v.([]any)
	if !ok {
		return nil, invalid("claim %q is not an array", name)
	}
	out := make([]string, 0, len(a))
	for _, x := range a {
		s, ok := x.(string)
		if !ok {
			return nil, invalid("claim %q holds a value that is not a string", name)
		}
		out = append(out, s)
	}
	return out, nil
}
