package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agir-reseau/agir-backend/db/dbtest"
)

// tokenWith signs an ID token for sub with the given claims besides iss, aud, sub, iat, exp.
func (is *oidcIssuer) tokenWith(t *testing.T, sub string, claims map[string]any) string {
	t.Helper()
	now := time.Now()
	c := jwt.MapClaims{"iss": is.srv.URL, "aud": "agir-api", "sub": sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range claims {
		c[k] = v
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = "k1"
	raw, err := tok.SignedString(is.key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// An OIDC token is matched to a staff record by its subject. The e-mail finds the record
// only at the first login, with email_verified, which links the record to the subject;
// another subject presenting the same e-mail is refused (401, the reason in the log).
func TestOIDCLogin_IdentityBySubject(t *testing.T) {
	is := newOIDCIssuer(t)
	env := map[string]string{"DATABASE_URL": dbtest.NewDatabase(t), "PORT": "0", "AGIR_DATA_DIR": t.TempDir(),
		"AGIR_DEV_SECRET": testSecret, "AGIR_DEMO": "on", "AGIR_STAFF_CACHE_TTL": "0",
		"OIDC_ISSUER_URL": is.srv.URL, "OIDC_AUDIENCE": "agir-api"}
	c, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	m, err := Open(context.Background(), c, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; m.Close() })

	const email = "coordinator@demo.agir.local"
	me := func(t *testing.T, tok string) (int, string) {
		t.Helper()
		var out struct {
			Data struct{ Me struct{ Role, Email string } }
		}
		status, body := gqlPost(t, m, tok, `{ me { role email } }`, nil, &out)
		return status, out.Data.Me.Role + string(body[:0])
	}

	t.Run("ErrUnverifiedEmailAtFirstLogin", func(t *testing.T) {
		status, role := me(t, is.tokenWith(t, "attacker-sub", map[string]any{"email": email, "email_verified": false}))
		if status != http.StatusUnauthorized || role != "" {
			t.Fatalf("unverified e-mail of the coordinator: status %d role %q, want 401", status, role)
		}
		if !strings.Contains(logs.String(), "email_verified is not true") {
			t.Errorf("the log does not say why: %s", logs.String())
		}
	})
	t.Run("FirstLoginLinksTheSubject", func(t *testing.T) {
		status, role := me(t, is.tokenWith(t, "proconnect-1", map[string]any{"email": email, "email_verified": true}))
		if status != http.StatusOK || role != "coordinator" {
			t.Fatalf("first verified login: status %d role %q", status, role)
		}
		var sub, iss string
		if err := m.Store.DB().QueryRowContext(ctx, `SELECT subject, subject_issuer FROM staff_members WHERE lower(email) = $1`,
			email).Scan(&sub, &iss); err != nil || sub != "proconnect-1" || iss != is.srv.URL {
			t.Fatalf("staff record linked to %q/%q, %v; want proconnect-1/%s", iss, sub, err, is.srv.URL)
		}
	})
	t.Run("LaterLoginBySubject", func(t *testing.T) {
		// No e-mail at all, and an unverified one: the subject identifies.
		for _, claims := range []map[string]any{nil, {"email": email, "email_verified": false}} {
			if status, role := me(t, is.tokenWith(t, "proconnect-1", claims)); status != http.StatusOK || role != "coordinator" {
				t.Fatalf("login by subject (%v): status %d role %q", claims, status, role)
			}
		}
	})
	t.Run("ErrOtherSubjectSameEmail", func(t *testing.T) {
		status, role := me(t, is.tokenWith(t, "proconnect-2", map[string]any{"email": email, "email_verified": true}))
		if status != http.StatusUnauthorized || role != "" {
			t.Fatalf("another subject with the coordinator's verified e-mail: status %d role %q, want 401", status, role)
		}
		if !strings.Contains(logs.String(), "linked to another OIDC subject") {
			t.Errorf("the log does not say why: %s", logs.String())
		}
	})
}
