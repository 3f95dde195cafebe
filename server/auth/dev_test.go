package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agir-reseau/agir-backend/graph/model"
)

var (
	testSecret = []byte("0123456789abcdef0123456789abcdef")
	testNow    = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
)

// clock returns a clock fixed at t.
func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

func newDevSigner() DevSigner {
	return DevSigner{Secret: testSecret, Issuer: "agir-test", TTL: time.Hour, Now: clock(testNow)}
}

// signHS256 signs arbitrary claims with the test secret.
func signHS256(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	raw, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func validDevClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss": "agir-test", "sub": "u1", "role": "analyst",
		"iat": testNow.Unix(), "exp": testNow.Add(time.Hour).Unix(),
	}
}

func TestDevSigner_RoundTrip(t *testing.T) {
	s := newDevSigner()
	want := DevPrincipal(model.RoleCoordinator)
	want.StructureID = "st-1"
	raw, err := s.Sign(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "dev-coordinator" || got.Email != "coordinator@demo.agir.local" ||
		got.Name != want.Name || got.Role != model.RoleCoordinator || got.StructureID != "st-1" ||
		!slices.Equal(got.Departments, []string{"69", "38"}) {
		t.Fatalf("got %+v, want %+v", *got, want)
	}

	t.Run("OKEveryRole", func(t *testing.T) {
		for _, r := range model.AllRoles {
			raw, err := s.Sign(DevPrincipal(r))
			if err != nil {
				t.Fatalf("%s: %v", r, err)
			}
			p, err := s.Verify(context.Background(), raw)
			if err != nil || p.Role != r || p.Name == "" {
				t.Fatalf("%s: %+v, %v", r, p, err)
			}
		}
	})
	t.Run("OKWithinLeewayAfterExpiry", func(t *testing.T) {
		late := s
		late.Now = clock(testNow.Add(time.Hour + 59*time.Second))
		if _, err := late.Verify(context.Background(), raw); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("OKDefaults", func(t *testing.T) {
		d := DevSigner{Secret: testSecret}
		raw, err := d.Sign(DevPrincipal(model.RoleAdmin))
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
		if err != nil {
			t.Fatal(err)
		}
		c := tok.Claims.(jwt.MapClaims)
		iat, _ := c.GetIssuedAt()
		exp, _ := c.GetExpirationTime()
		if c["iss"] != DefaultDevIssuer || exp.Sub(iat.Time) != DefaultDevTTL {
			t.Fatalf("claims %v", c)
		}
		if _, err := d.Verify(context.Background(), raw); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDevSigner_Refusals(t *testing.T) {
	s := newDevSigner()
	good, err := s.Sign(DevPrincipal(model.RoleSocialWorker))
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	without := func(name string) jwt.MapClaims { c := validDevClaims(); delete(c, name); return c }
	with := func(name string, v any) jwt.MapClaims { c := validDevClaims(); c[name] = v; return c }

	tests := []struct {
		name   string
		signer DevSigner
		raw    string
		want   error
	}{
		{"ErrEmpty", s, "", ErrNoToken},
		{"ErrGarbage", s, "not.a.jwt", ErrInvalidToken},
		{"ErrBadSignature", DevSigner{Secret: []byte("another-secret-another-secret-32"), Issuer: "agir-test", Now: s.Now}, good, ErrInvalidToken},
		{"ErrTamperedPayload", s, tamper(t, good), ErrInvalidToken},
		{"ErrExpired", DevSigner{Secret: testSecret, Issuer: "agir-test", Now: clock(testNow.Add(time.Hour + 61*time.Second))}, good, ErrExpiredToken},
		{"ErrWrongIssuer", DevSigner{Secret: testSecret, Issuer: "someone-else", Now: s.Now}, good, ErrInvalidToken},
		{"ErrAlgNone", s, signNone(t, validDevClaims()), ErrInvalidToken},
		{"ErrAlgRS256", s, signRS256(t, rsaKey, "", validDevClaims()), ErrInvalidToken},
		{"ErrAlgHS384", s, signWith(t, jwt.SigningMethodHS384, testSecret, validDevClaims()), ErrInvalidToken},
		{"ErrMissingExp", s, signHS256(t, without("exp")), ErrInvalidToken},
		{"ErrMissingSub", s, signHS256(t, without("sub")), ErrInvalidToken},
		{"ErrMissingRole", s, signHS256(t, without("role")), ErrInvalidToken},
		{"ErrInvalidRole", s, signHS256(t, with("role", "superuser")), ErrInvalidToken},
		{"ErrRoleNotString", s, signHS256(t, with("role", 3)), ErrInvalidToken},
		{"ErrDepartmentsNotStrings", s, signHS256(t, with("departments", []any{"69", 38})), ErrInvalidToken},
		{"ErrNotYetValid", s, signHS256(t, with("nbf", testNow.Add(2*time.Minute).Unix())), ErrInvalidToken},
		{"ErrIssuedInFuture", s, signHS256(t, with("iat", testNow.Add(2*time.Minute).Unix())), ErrInvalidToken},
		{"ErrExpiredAndWrongIssuer", s, signHS256(t, jwt.MapClaims{"iss": "x", "sub": "u1", "role": "analyst", "exp": testNow.Add(-time.Hour).Unix()}), ErrInvalidToken},
		{"ErrShortSecret", DevSigner{Secret: []byte("short"), Issuer: "agir-test", Now: s.Now}, signWith(t, jwt.SigningMethodHS256, []byte("short"), validDevClaims()), ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.signer.Verify(context.Background(), tt.raw)
			if !errors.Is(err, tt.want) || p != nil {
				t.Fatalf("got %+v, %v; want %v", p, err, tt.want)
			}
			for _, other := range []error{ErrNoToken, ErrInvalidToken, ErrExpiredToken} {
				if other != tt.want && errors.Is(err, other) {
					t.Fatalf("%v also matches %v", err, other)
				}
			}
		})
	}

	t.Run("OKSkewedIssuerClock", func(t *testing.T) {
		c := with("iat", testNow.Add(50*time.Second).Unix())
		c["nbf"] = testNow.Add(50 * time.Second).Unix()
		if _, err := s.Verify(context.Background(), signHS256(t, c)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestDevSigner_SignRefusals(t *testing.T) {
	s := newDevSigner()
	for name, tc := range map[string]struct {
		s DevSigner
		p model.Principal
	}{
		"ErrInvalidRole": {s, model.Principal{Subject: "x", Role: "boss"}},
		"ErrNoSubject":   {s, model.Principal{Role: model.RoleAdmin}},
		"ErrShortSecret": {DevSigner{Secret: []byte("short")}, DevPrincipal(model.RoleAdmin)},
	} {
		t.Run(name, func(t *testing.T) {
			if raw, err := tc.s.Sign(tc.p); err == nil {
				t.Fatalf("signed %q", raw)
			}
		})
	}
}

func TestDevPrincipal(t *testing.T) {
	for _, r := range model.AllRoles {
		p := DevPrincipal(r)
		territorial := r == model.RoleCoordinator || r == model.RoleStateRepresentative || r == model.RoleAnalyst
		if p.Subject != "dev-"+string(r) || p.Email != string(r)+"@demo.agir.local" || p.Name == "" ||
			p.Role != r || p.StructureID != "" || (len(p.Departments) == 2) != territorial {
			t.Errorf("%s: %+v", r, p)
		}
	}
	// Each call returns its own slice.
	a := DevPrincipal(model.RoleCoordinator)
	a.Departments[0] = "75"
	if DevPrincipal(model.RoleCoordinator).Departments[0] != "69" {
		t.Fatal("DevPrincipal shares its departments slice")
	}
}

func signNone(t *testing.T, c jwt.MapClaims) string {
	t.Helper()
	return signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, c)
}

func signWith(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	raw, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// signRS256 signs c with key, naming kid in the header when it is not "".
func signRS256(t *testing.T, key *rsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	raw, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// tamper changes the payload of a signed token, keeping its signature.
func tamper(t *testing.T, raw string) string {
	t.Helper()
	tok, parts, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	c := tok.Claims.(jwt.MapClaims)
	c["role"] = "admin"
	forged, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte("whatever-whatever-whatever-12345"))
	if err != nil {
		t.Fatal(err)
	}
	fp := strings.Split(forged, ".")
	return fp[0] + "." + fp[1] + "." + parts[2]
}
