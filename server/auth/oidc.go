package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// OIDCConfig configures an [OIDCVerifier].
type OIDCConfig struct {
	// IssuerURL is the issuer's identifier (e.g. https://auth.agentconnect.gouv.fr/api/v2);
	// discovery reads IssuerURL + "/.well-known/openid-configuration", which must name
	// the same issuer. Required.
	IssuerURL string
	// Audience is the value the token's "aud" must contain (the client id given by the
	// issuer). Required unless SkipClientIDCheck is set.
	Audience string
	// SkipClientIDCheck disables the audience check. Only for issuers that do not
	// set "aud" to this API; any token of the issuer is then accepted.
	SkipClientIDCheck bool
	// Names of the claims that carry the role, the structure id and the departments;
	// "" means "role", "structure_id" and "departments".
	ClaimRole, ClaimStructure, ClaimDepartments string
	// Leeway is the tolerated clock difference; 0 means [Leeway].
	Leeway time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// HTTPClient fetches the discovery document and the keys; nil means a client
	// with a 10-second timeout.
	HTTPClient *http.Client
}

// OIDCVerifier verifies the JWT bearer tokens of an OpenID Connect issuer. It is a
// [Verifier], safe for concurrent use. The issuer's keys (JWKS) are fetched on first
// use and fetched again when a token names a key id that is not cached, which is how
// issuers rotate keys.
type OIDCVerifier struct {
	verifier *oidc.IDTokenVerifier
	names    claimNames
	leeway   time.Duration
	now      func() time.Time
}

// NewOIDCVerifier reads the issuer's discovery document (so a wrong IssuerURL fails
// here, at start-up) and returns a verifier that accepts the asymmetric algorithms the
// issuer announces (RS256 when it announces none; never HS256 or "none").
func NewOIDCVerifier(ctx context.Context, c OIDCConfig) (*OIDCVerifier, error) {
	if c.IssuerURL == "" {
		return nil, errors.New("auth: oidc: no issuer URL")
	}
	if c.Audience == "" && !c.SkipClientIDCheck {
		return nil, errors.New("auth: oidc: no audience (set Audience, or SkipClientIDCheck)")
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	// The provider keeps the client for its later key fetches.
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), c.IssuerURL)
	if err != nil {
		return nil, fmt.Errorf("auth: oidc discovery: %w", err)
	}
	v := &OIDCVerifier{
		verifier: provider.Verifier(&oidc.Config{
			ClientID:          c.Audience,
			SkipClientIDCheck: c.SkipClientIDCheck,
			// Times are checked by checkTimes, with the same leeway as the dev mode
			// (go-oidc allows none on exp and 5 minutes on nbf).
			SkipExpiryCheck: true,
		}),
		names:  defaultClaimNames,
		leeway: c.Leeway,
		now:    c.Now,
	}
	if c.ClaimRole != "" {
		v.names.role = c.ClaimRole
	}
	if c.ClaimStructure != "" {
		v.names.structure = c.ClaimStructure
	}
	if c.ClaimDepartments != "" {
		v.names.departments = c.ClaimDepartments
	}
	if v.leeway == 0 {
		v.leeway = Leeway
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// Verify checks raw against the issuer's keys, issuer and audience, then "exp"
// (required), "nbf" and "iat" with the configured leeway, "sub" and the role claim, and
// returns the principal. Errors are as described by [Verifier]; a failure to fetch the
// issuer's keys is reported as ErrInvalidToken with the cause in the text.
func (v *OIDCVerifier) Verify(ctx context.Context, raw string) (*model.Principal, error) {
	if raw == "" {
		return nil, ErrNoToken
	}
	tok, err := v.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	var c map[string]any
	if err := tok.Claims(&c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err := checkTimes(c, v.now(), v.leeway); err != nil {
		return nil, err
	}
	// An identity federation such as ProConnect carries no AGIR role: the staff record
	// matched by the middleware's Resolve gives it (a principal left without a role is
	// refused there).
	p, err := principalFromClaims(c, v.names, false)
	if err != nil {
		return nil, err
	}
	p.Issuer = tok.Issuer
	// "email_verified" is a boolean (OpenID Connect Core §5.1); some issuers send the
	// string "true". Anything else is unverified.
	switch ev := c["email_verified"].(type) {
	case bool:
		p.EmailVerified = ev
	case string:
		p.EmailVerified = ev == "true"
	}
	return p, nil
}
