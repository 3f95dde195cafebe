package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agir-reseau/agir-backend/graph/model"
)

const testAudience = "agir-api"

// testIssuer is an OpenID Connect issuer served over real HTTP: a discovery document
// and a JWKS holding the keys it currently publishes.
type testIssuer struct {
	srv         *httptest.Server
	jwksFetches atomic.Int32

	mu   sync.Mutex
	keys map[string]*rsa.PrivateKey // published keys by kid
}

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	is := &testIssuer{keys: map[string]*rsa.PrivateKey{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":                                is.srv.URL,
			"authorization_endpoint":                is.srv.URL + "/authorize",
			"token_endpoint":                        is.srv.URL + "/token",
			"jwks_uri":                              is.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		is.jwksFetches.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		keys := []map[string]string{}
		for kid, k := range is.keys {
			keys = append(keys, map[string]string{
				"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
				"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes()),
			})
		}
		writeJSON(w, map[string]any{"keys": keys})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	return is
}

// publish replaces the published keys by keys.
func (is *testIssuer) publish(keys map[string]*rsa.PrivateKey) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = keys
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// claims returns the claims of a valid token of is, issued at testNow.
func (is *testIssuer) claims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": is.srv.URL, "aud": testAudience, "sub": "proconnect-4711",
		"email": "camille.roux@ddets-rhone.gouv.fr", "name": "Camille Roux",
		"role": "state_representative", "structure_id": "st-ddets69", "departments": []string{"69"},
		"iat": testNow.Unix(), "exp": testNow.Add(5 * time.Minute).Unix(),
	}
}

func newTestVerifier(t *testing.T, is *testIssuer, c OIDCConfig) *OIDCVerifier {
	t.Helper()
	c.IssuerURL = is.srv.URL
	if c.Audience == "" {
		c.Audience = testAudience
	}
	if c.Now == nil {
		c.Now = clock(testNow)
	}
	v, err := NewOIDCVerifier(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOIDCVerifier(t *testing.T) {
	is := newTestIssuer(t)
	key := newRSAKey(t)
	is.publish(map[string]*rsa.PrivateKey{"k1": key})
	v := newTestVerifier(t, is, OIDCConfig{})
	with := func(name string, val any) jwt.MapClaims { c := is.claims(); c[name] = val; return c }
	without := func(name string) jwt.MapClaims { c := is.claims(); delete(c, name); return c }

	t.Run("OK", func(t *testing.T) {
		p, err := v.Verify(context.Background(), signRS256(t, key, "k1", is.claims()))
		if err != nil {
			t.Fatal(err)
		}
		want := model.Principal{
			Subject: "proconnect-4711", Email: "camille.roux@ddets-rhone.gouv.fr", Name: "Camille Roux",
			Role: model.RoleStateRepresentative, StructureID: "st-ddets69", Departments: []string{"69"},
		}
		if p.Subject != want.Subject || p.Email != want.Email || p.Name != want.Name || p.Role != want.Role ||
			p.StructureID != want.StructureID || !slices.Equal(p.Departments, want.Departments) {
			t.Fatalf("got %+v, want %+v", *p, want)
		}
	})
	t.Run("OKAudienceList", func(t *testing.T) {
		c := with("aud", []string{"other", testAudience})
		if _, err := v.Verify(context.Background(), signRS256(t, key, "k1", c)); err != nil {
			t.Fatal(err)
		}
	})
	// An identity federation (ProConnect) carries no AGIR role: the token verifies with
	// an empty role, which only a staff record matched by the middleware can fill.
	t.Run("OKNoRoleClaim", func(t *testing.T) {
		raw := signRS256(t, key, "k1", without("role"))
		p, err := v.Verify(context.Background(), raw)
		if err != nil || p.Role != "" {
			t.Fatalf("got %+v, %v", p, err)
		}
		var seen *model.Principal
		next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = model.PrincipalFrom(r.Context()) })
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Authorization", "Bearer "+raw)
		Middleware(v, next).ServeHTTP(httptest.NewRecorder(), req)
		if seen != nil {
			t.Fatalf("a principal without a role passed the middleware: %+v", seen)
		}
		withStaffRole := MiddlewareOptions{Resolve: func(_ context.Context, p *model.Principal) (*model.Principal, error) {
			q := *p
			q.Role = model.RoleSocialWorker
			return &q, nil
		}}
		MiddlewareWith(v, withStaffRole, next).ServeHTTP(httptest.NewRecorder(), req)
		if seen == nil || seen.Role != model.RoleSocialWorker {
			t.Fatalf("staff role not applied: %+v", seen)
		}
	})
	t.Run("OKClockSkewWithinLeeway", func(t *testing.T) {
		for name, c := range map[string]jwt.MapClaims{
			"ExpiredBy59s":   with("exp", testNow.Add(-59*time.Second).Unix()),
			"IssuedIn59s":    with("iat", testNow.Add(59*time.Second).Unix()),
			"NotBeforeIn59s": with("nbf", testNow.Add(59*time.Second).Unix()),
			"ExpiredBy2s":    with("exp", testNow.Add(-2*time.Second).Unix()),
		} {
			if _, err := v.Verify(context.Background(), signRS256(t, key, "k1", c)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"ErrWrongAudience", signRS256(t, key, "k1", with("aud", "another-api")), ErrInvalidToken},
		{"ErrNoAudience", signRS256(t, key, "k1", without("aud")), ErrInvalidToken},
		{"ErrWrongIssuer", signRS256(t, key, "k1", with("iss", "https://evil.example")), ErrInvalidToken},
		{"ErrExpired", signRS256(t, key, "k1", with("exp", testNow.Add(-61*time.Second).Unix())), ErrExpiredToken},
		{"ErrMissingExp", signRS256(t, key, "k1", without("exp")), ErrInvalidToken},
		{"ErrNotYetValid", signRS256(t, key, "k1", with("nbf", testNow.Add(2*time.Minute).Unix())), ErrInvalidToken},
		{"ErrInvalidRole", signRS256(t, key, "k1", with("role", "root")), ErrInvalidToken},
		{"ErrUnknownKid", signRS256(t, newRSAKey(t), "rogue", is.claims()), ErrInvalidToken},
		{"ErrKnownKidOtherKey", signRS256(t, newRSAKey(t), "k1", is.claims()), ErrInvalidToken},
		{"ErrAlgHS256", signHS256(t, is.claims()), ErrInvalidToken},
		{"ErrAlgNone", signNone(t, is.claims()), ErrInvalidToken},
		{"ErrEmpty", "", ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := v.Verify(context.Background(), tt.raw)
			if !errors.Is(err, tt.want) || p != nil {
				t.Fatalf("got %+v, %v; want %v", p, err, tt.want)
			}
			if tt.want == ErrInvalidToken && errors.Is(err, ErrExpiredToken) {
				t.Fatalf("%v matches ErrExpiredToken too", err)
			}
		})
	}
}

func TestOIDCVerifier_KeyRotation(t *testing.T) {
	is := newTestIssuer(t)
	oldKey, newKey := newRSAKey(t), newRSAKey(t)
	is.publish(map[string]*rsa.PrivateKey{"2026-01": oldKey})
	v := newTestVerifier(t, is, OIDCConfig{})
	ctx := context.Background()

	if _, err := v.Verify(ctx, signRS256(t, oldKey, "2026-01", is.claims())); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ctx, signRS256(t, oldKey, "2026-01", is.claims())); err != nil {
		t.Fatal(err)
	}
	if n := is.jwksFetches.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times before rotation, want 1 (cached)", n)
	}

	is.publish(map[string]*rsa.PrivateKey{"2026-02": newKey})
	if _, err := v.Verify(ctx, signRS256(t, newKey, "2026-02", is.claims())); err != nil {
		t.Fatalf("token of the new key: %v", err)
	}
	if n := is.jwksFetches.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after rotation, want 2", n)
	}
	if _, err := v.Verify(ctx, signRS256(t, oldKey, "2026-01", is.claims())); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token of the retired key: %v, want ErrInvalidToken", err)
	}
}

func TestOIDCVerifier_Config(t *testing.T) {
	is := newTestIssuer(t)
	key := newRSAKey(t)
	is.publish(map[string]*rsa.PrivateKey{"k1": key})

	t.Run("OKCustomClaimNames", func(t *testing.T) {
		v := newTestVerifier(t, is, OIDCConfig{ClaimRole: "agir_role", ClaimStructure: "agir_structure", ClaimDepartments: "agir_departments"})
		c := is.claims()
		delete(c, "role")
		c["agir_role"], c["agir_structure"], c["agir_departments"] = "coordinator", "st-9", []string{"38"}
		p, err := v.Verify(context.Background(), signRS256(t, key, "k1", c))
		if err != nil {
			t.Fatal(err)
		}
		if p.Role != model.RoleCoordinator || p.StructureID != "st-9" || !slices.Equal(p.Departments, []string{"38"}) {
			t.Fatalf("got %+v", *p)
		}
	})
	t.Run("OKSkipClientIDCheck", func(t *testing.T) {
		v, err := NewOIDCVerifier(context.Background(), OIDCConfig{IssuerURL: is.srv.URL, SkipClientIDCheck: true, Now: clock(testNow)})
		if err != nil {
			t.Fatal(err)
		}
		c := is.claims()
		c["aud"] = "someone-else"
		if _, err := v.Verify(context.Background(), signRS256(t, key, "k1", c)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrNoAudience", func(t *testing.T) {
		if _, err := NewOIDCVerifier(context.Background(), OIDCConfig{IssuerURL: is.srv.URL}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("ErrDiscovery", func(t *testing.T) {
		if _, err := NewOIDCVerifier(context.Background(), OIDCConfig{IssuerURL: is.srv.URL + "/nowhere", Audience: testAudience}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("ErrIssuerMismatch", func(t *testing.T) {
		if _, err := NewOIDCVerifier(context.Background(), OIDCConfig{IssuerURL: is.srv.URL + "/", Audience: testAudience}); err == nil {
			t.Fatal("no error")
		}
	})
}
