package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Defaults of a [DevSigner] whose fields are left zero.
const (
	DefaultDevIssuer = "agir-dev"
	DefaultDevTTL    = 12 * time.Hour
)

// MinDevSecretLen is the shortest secret a [DevSigner] accepts: an HS256 key must be at
// least as long as the hash output (RFC 7518 §3.2).
const MinDevSecretLen = 32

// DevSigner signs and verifies the tokens of the development mode: HS256 JWTs signed
// with a local secret, carrying the claims described in the package documentation.
// It is a [Verifier]. It is for the offline demo and for tests; production uses
// [OIDCVerifier].
//
// Secret is required and must be at least [MinDevSecretLen] bytes. Issuer is the "iss"
// the tokens carry and must carry ("" means [DefaultDevIssuer]). TTL is the lifetime of
// a signed token (0 means [DefaultDevTTL]). Now is the clock (nil means time.Now).
type DevSigner struct {
	Secret []byte
	Issuer string
	TTL    time.Duration
	Now    func() time.Time
}

func (s DevSigner) issuer() string {
	if s.Issuer == "" {
		return DefaultDevIssuer
	}
	return s.Issuer
}

func (s DevSigner) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s DevSigner) checkSecret() error {
	if len(s.Secret) < MinDevSecretLen {
		return fmt.Errorf("auth: dev signer secret is %d bytes, want at least %d", len(s.Secret), MinDevSecretLen)
	}
	return nil
}

// Sign returns a token for p, valid from now for the signer's TTL. p must have a
// Subject and a valid Role. Empty Email, Name, StructureID and Departments are left
// out of the token.
func (s DevSigner) Sign(p model.Principal) (string, error) {
	if err := s.checkSecret(); err != nil {
		return "", err
	}
	if p.Subject == "" {
		return "", errors.New("auth: sign: principal has no subject")
	}
	if !p.Role.Valid() {
		return "", fmt.Errorf("auth: sign: %q is not a role", p.Role)
	}
	ttl := s.TTL
	if ttl == 0 {
		ttl = DefaultDevTTL
	}
	now := s.now()
	c := jwt.MapClaims{
		"iss":        s.issuer(),
		claimSubject: p.Subject,
		"iat":        now.Unix(),
		"nbf":        now.Unix(),
		"exp":        now.Add(ttl).Unix(),
		claimRole:    string(p.Role),
	}
	if p.Email != "" {
		c[claimEmail] = p.Email
	}
	if p.Name != "" {
		c[claimName] = p.Name
	}
	if p.StructureID != "" {
		c[claimStructure] = p.StructureID
	}
	if len(p.Departments) > 0 {
		c[claimDepartments] = p.Departments
	}
	raw, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.Secret)
	if err != nil {
		return "", fmt.Errorf("auth: sign: %w", err)
	}
	return raw, nil
}

// Verify checks raw as a token signed by s and returns its principal. It accepts only
// the HS256 algorithm (so neither "none" nor a public-key algorithm can be passed off
// with the secret), then checks the signature, "iss" == the signer's issuer, "exp"
// (required), "nbf" and "iat" with [Leeway], "sub" and "role". Errors are as described
// by [Verifier]; a signer with a too-short secret refuses every token.
func (s DevSigner) Verify(_ context.Context, raw string) (*model.Principal, error) {
	if raw == "" {
		return nil, ErrNoToken
	}
	if err := s.checkSecret(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	tok, err := jwt.Parse(raw,
		func(t *jwt.Token) (any, error) {
			if t.Method != jwt.SigningMethodHS256 {
				return nil, fmt.Errorf("unexpected algorithm %v", t.Header["alg"])
			}
			return s.Secret, nil
		},
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithoutClaimsValidation(), // checkTimes below, with one rule for both modes
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	c, ok := tok.Claims.(jwt.MapClaims)
	if !ok {
		return nil, invalid("unexpected claims type %T", tok.Claims)
	}
	iss, err := stringClaim(c, "iss")
	if err != nil {
		return nil, err
	}
	if iss != s.issuer() {
		return nil, invalid("issuer %q, want %q", iss, s.issuer())
	}
	if err := checkTimes(c, s.now(), Leeway); err != nil {
		return nil, err
	}
	return principalFromClaims(c, defaultClaimNames, true)
}

// devNames are the display names of the demo principals.
var devNames = map[model.Role]string{
	model.RoleCoordinator:         "Claire Dubois",
	model.RoleSocialWorker:        "Karim Benali",
	model.RoleInsertionCounsellor: "Sophie Laurent",
	model.RolePartnerEditor:       "Julien Moreau",
	model.RoleAnalyst:             "Nadia Haddad",
	model.RoleStateRepresentative: "Philippe Garnier",
	model.RoleAdmin:               "Marc Lefèvre",
}

// DevPrincipal returns a demo principal for role: subject "dev-<role>", e-mail
// "<role>@demo.agir.local", a French display name, and departments "69" and "38" for
// the roles that work on a territory (coordinator, analyst, state representative).
// StructureID is left "": the caller fills it from the demo data. For a role outside
// [model.AllRoles] the principal carries that role, and [DevSigner.Sign] refuses it.
func DevPrincipal(role model.Role) model.Principal {
	p := model.Principal{
		Subject: "dev-" + string(role),
		Email:   string(role) + "@demo.agir.local",
		Name:    devNames[role],
		Role:    role,
	}
	switch role {
	case model.RoleCoordinator, model.RoleStateRepresentative, model.RoleAnalyst:
		p.Departments = []string{"69", "38"}
	}
	return p
}
