package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/server/auth"
)

// oidcIssuer is an in-process OpenID Connect issuer (discovery and JWKS over HTTP) with
// one signing key.
type oidcIssuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newOIDCIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &oidcIssuer{key: key}
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/jwks",
			"authorization_endpoint": is.srv.URL + "/authorize", "token_endpoint": is.srv.URL + "/token",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "use": "sig", "alg": "RS256",
			"kid": "k1", "n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

// token signs a token of the issuer for the audience "agir-api", for e-mail (verified),
// valid for ttl from now (negative: expired). The verifier requires a role claim; it says "admin" so
// that the test shows the staff record's role prevails.
func (is *oidcIssuer) token(t *testing.T, subject, email string, ttl time.Duration) string {
	t.Helper()
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": is.srv.URL, "aud": "agir-api", "sub": subject,
		"email": email, "email_verified": true, "role": "admin", "departments": []string{"13"}, "iat": now.Add(-time.Minute).Unix(), "exp": now.Add(ttl).Unix()})
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(is.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Issue 7: a server configured for production refuses development tokens (even signed
// with the secret it would use in development) and accepts the tokens of its OIDC
// issuer for a known, active staff member, whose record gives the role and scope.
func TestProductionRefusesDevelopmentTokens(t *testing.T) {
	is := newOIDCIssuer(t)
	m := startServerEnv(t, map[string]string{
		"DATABASE_URL": dbtest.NewDatabase(t), "AGIR_ENV": "production", "AGIR_DEMO": "on",
		"OIDC_ISSUER_URL": is.srv.URL, "OIDC_AUDIENCE": "agir-api", "AGIR_PSEUDONYM_SECRET": "production-pseudonym-secret-0123456789",
		"AGIR_AUDIT_KEY": "production-audit-key-0123456789-0123456789",
	})

	const me = `{ me { role email departments } }`
	type meData struct {
		Data struct {
			Me *struct {
				Role, Email string
				Departments []string
			}
		}
	}
	refused := func(t *testing.T, tok string) {
		t.Helper()
		var d meData
		status, body := gqlPost(t, m, tok, me, nil, &d)
		if status != http.StatusUnauthorized || d.Data.Me != nil {
			t.Fatalf("status %d, body %s", status, body)
		}
		var resp struct {
			Errors []struct{ Extensions struct{ Code string } }
		}
		if err := json.Unmarshal(body, &resp); err != nil || len(resp.Errors) == 0 || resp.Errors[0].Extensions.Code != "UNAUTHENTICATED" {
			t.Fatalf("body %s", body)
		}
	}
	t.Run("ErrDevelopmentToken", func(t *testing.T) {
		if _, err := m.DevToken(model.RoleCoordinator); err == nil {
			t.Fatal("the production server signs development tokens")
		}
		for _, r := range model.AllRoles {
			tok, err := auth.DevSigner{Secret: []byte(testSecret)}.Sign(auth.DevPrincipal(r))
			if err != nil {
				t.Fatal(err)
			}
			refused(t, tok)
		}
	})
	t.Run("OIDCTokenOfKnownStaff", func(t *testing.T) {
		var d meData
		status, body := gqlPost(t, m, is.token(t, "proconnect-1", "coordinator@demo.agir.local", 5*time.Minute), me, nil, &d)
		if status != http.StatusOK || d.Data.Me == nil || d.Data.Me.Role != "coordinator" || d.Data.Me.Email != "coordinator@demo.agir.local" || len(d.Data.Me.Departments) != 2 {
			t.Fatalf("status %d, body %s", status, body)
		}
	})
	t.Run("ErrOIDCTokenOfUnknownOrInactiveStaff", func(t *testing.T) {
		refused(t, is.token(t, "proconnect-2", "nobody@example.org", 5*time.Minute))
		refused(t, is.token(t, "proconnect-3", "paul.ancien@arsl.demo.agir.local", 5*time.Minute))
	})
	t.Run("ErrMetricsWithoutToken", func(t *testing.T) {
		// No AGIR_METRICS_TOKEN in production: /metrics is closed, not open.
		if status, body := httpGet(t, "http://"+m.Addr()+"/metrics"); status != http.StatusUnauthorized || strings.Contains(body, "agir_graphql") {
			t.Fatalf("GET /metrics without a token in production: %d %.200s", status, body)
		}
	})
	t.Run("MetricsWithItsToken", func(t *testing.T) {
		m2 := startServerEnv(t, map[string]string{
			"DATABASE_URL": dbtest.NewDatabase(t), "AGIR_ENV": "production", "AGIR_DEMO": "off", "AGIR_METRICS_TOKEN": "scrape-token-0123456789",
			"OIDC_ISSUER_URL": is.srv.URL, "OIDC_AUDIENCE": "agir-api", "AGIR_PSEUDONYM_SECRET": "production-pseudonym-secret-0123456789",
			"AGIR_AUDIT_KEY": "production-audit-key-0123456789-0123456789",
		})
		if status, _ := httpGet(t, "http://"+m2.Addr()+"/metrics"); status != http.StatusUnauthorized {
			t.Fatalf("GET /metrics without the token: %d", status)
		}
		req, _ := http.NewRequest(http.MethodGet, "http://"+m2.Addr()+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer scrape-token-0123456789")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics with the token: %d", res.StatusCode)
		}
	})
	t.Run("ErrExpiredOIDCToken", func(t *testing.T) {
		refused(t, is.token(t, "proconnect-1", "coordinator@demo.agir.local", -10*time.Minute))
	})
}
