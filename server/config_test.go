package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/server/auth"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig_Defaults(t *testing.T) {
	c, err := LoadConfig(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Port:               8080,
		DataDir:            filepath.Dir(pgcluster.DefaultDataDir()),
		Env:                "development",
		Demo:               "auto",
		LogLevel:           slog.LevelInfo,
		LogFormat:          "text",
		RequestTimeout:     30 * time.Second,
		StatementTimeout:   10 * time.Second,
		ShutdownTimeout:    20 * time.Second,
		StaffCacheTTL:      5 * time.Second,
		MaxBodyBytes:       1 << 20,
		AuditRetentionDays: 365,
		AnonymiseAfterDays: 730,
		EventRetention:     72 * time.Hour,
		DBMaxConns:         20,
		DBReadMaxConns:     20,
		Endpoint:           defaultEndpoint,
	}
	if c != want {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
	if c.Production() {
		t.Error("development by default")
	}
}

func TestLoadConfig_Values(t *testing.T) {
	env := map[string]string{
		"PORT":                      "0",
		"DATABASE_URL":              "postgres://u@db:5432/agir",
		"DATABASE_READ_URL":         "postgres://u@replica:5432/agir",
		"AGIR_DATA_DIR":             "/srv/agir",
		"AGIR_ENV":                  "production",
		"AGIR_DEMO":                 "off",
		"AGIR_DEV_SECRET":           strings.Repeat("s", 32),
		"AGIR_PSEUDONYM_SECRET":     strings.Repeat("p", 32),
		"AGIR_AUDIT_KEY":            strings.Repeat("k", 32),
		"AGIR_AUDIT_ANCHOR":         "/srv/agir-anchor/audit.json",
		"OIDC_ISSUER_URL":           "https://issuer.example",
		"OIDC_AUDIENCE":             "agir",
		"LOG_LEVEL":                 "debug",
		"LOG_FORMAT":                "json",
		"AGIR_REQUEST_TIMEOUT":      "5s",
		"AGIR_STATEMENT_TIMEOUT":    "2s",
		"AGIR_SHUTDOWN_TIMEOUT":     "1m",
		"AGIR_STAFF_CACHE_TTL":      "2s",
		"AGIR_MAX_BODY_BYTES":       "4096",
		"AGIR_AUDIT_RETENTION_DAYS": "30",
		"AGIR_ANONYMISE_AFTER_DAYS": "400",
		"AGIR_EVENT_RETENTION":      "24h",
		"AGIR_DB_MAX_CONNS":         "40",
		"AGIR_DB_READ_MAX_CONNS":    "8",
	}
	c, err := LoadConfig(envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Port: 0, DatabaseURL: env["DATABASE_URL"], DatabaseReadURL: env["DATABASE_READ_URL"],
		DataDir: "/srv/agir", Env: "production", Demo: "off", DevSecret: env["AGIR_DEV_SECRET"], PseudonymSecret: env["AGIR_PSEUDONYM_SECRET"],
		AuditSecret: env["AGIR_AUDIT_KEY"], AuditAnchor: env["AGIR_AUDIT_ANCHOR"],
		OIDCIssuer: "https://issuer.example", OIDCAudience: "agir", LogLevel: slog.LevelDebug, LogFormat: "json",
		RequestTimeout: 5 * time.Second, StatementTimeout: 2 * time.Second, ShutdownTimeout: time.Minute, StaffCacheTTL: 2 * time.Second,
		MaxBodyBytes: 4096, AuditRetentionDays: 30, AnonymiseAfterDays: 400, Endpoint: defaultEndpoint,
		EventRetention: 24 * time.Hour, DBMaxConns: 40, DBReadMaxConns: 8,
	}
	if c != want {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	if !c.Production() {
		t.Error("AGIR_ENV=production is not production")
	}
}

// Logs are JSON by default in production (log collectors parse them), text in
// development (people read them); LOG_FORMAT chooses either way.
func TestLoadConfig_LogFormatDefault(t *testing.T) {
	production := map[string]string{"AGIR_ENV": "production", "OIDC_ISSUER_URL": "https://issuer.example",
		"OIDC_AUDIENCE": "agir", "AGIR_PSEUDONYM_SECRET": strings.Repeat("p", 32),
		"AGIR_AUDIT_KEY": strings.Repeat("k", 32), "DATABASE_URL": "postgres://u@db/agir"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"Development", map[string]string{}, "text"},
		{"Production", production, "json"},
		{"ProductionAsked", merge(production, map[string]string{"LOG_FORMAT": "text"}), "text"},
		{"DevelopmentAsked", map[string]string{"LOG_FORMAT": "json"}, "json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := LoadConfig(envMap(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.LogFormat != tc.want {
				t.Errorf("LogFormat %q, want %q", c.LogFormat, tc.want)
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// Each bad value is refused with an error naming its variable.
func TestLoadConfig_Errors(t *testing.T) {
	oidc := map[string]string{"OIDC_ISSUER_URL": "https://issuer.example", "OIDC_AUDIENCE": "agir"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // in the message
	}{
		{"ErrPortNotNumber", map[string]string{"PORT": "http"}, "PORT"},
		{"ErrPortNegative", map[string]string{"PORT": "-1"}, "PORT"},
		{"ErrPortTooLarge", map[string]string{"PORT": "65536"}, "PORT"},
		{"ErrEnv", map[string]string{"AGIR_ENV": "prod"}, "AGIR_ENV"},
		{"ErrDemo", map[string]string{"AGIR_DEMO": "yes"}, "AGIR_DEMO"},
		{"ErrEventRetentionTooShort", map[string]string{"AGIR_EVENT_RETENTION": "10s"}, "AGIR_EVENT_RETENTION"},
		{"ErrDBMaxConns", map[string]string{"AGIR_DB_MAX_CONNS": "0"}, "AGIR_DB_MAX_CONNS"},
		{"ErrDBReadMaxConns", map[string]string{"AGIR_DB_READ_MAX_CONNS": "beaucoup"}, "AGIR_DB_READ_MAX_CONNS"},
		{"ErrPseudonymSecretShort", map[string]string{"AGIR_PSEUDONYM_SECRET": "short"}, "AGIR_PSEUDONYM_SECRET"},
		{"ErrProductionWithoutPseudonymSecret", map[string]string{"AGIR_ENV": "production", "OIDC_ISSUER_URL": "https://issuer.example",
			"OIDC_AUDIENCE": "agir"}, "AGIR_PSEUDONYM_SECRET"},
		{"ErrLogFormat", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"ErrLogLevel", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"ErrRequestTimeout", map[string]string{"AGIR_REQUEST_TIMEOUT": "30"}, "AGIR_REQUEST_TIMEOUT"},
		{"ErrStatementTimeoutNegative", map[string]string{"AGIR_STATEMENT_TIMEOUT": "-1s"}, "AGIR_STATEMENT_TIMEOUT"},
		{"ErrShutdownTimeout", map[string]string{"AGIR_SHUTDOWN_TIMEOUT": "soon"}, "AGIR_SHUTDOWN_TIMEOUT"},
		{"ErrAuditRetentionNotNumber", map[string]string{"AGIR_AUDIT_RETENTION_DAYS": "1y"}, "AGIR_AUDIT_RETENTION_DAYS"},
		{"ErrAuditRetentionZero", map[string]string{"AGIR_AUDIT_RETENTION_DAYS": "0"}, "AGIR_AUDIT_RETENTION_DAYS"},
		{"ErrAnonymiseAfterNotNumber", map[string]string{"AGIR_ANONYMISE_AFTER_DAYS": "2y"}, "AGIR_ANONYMISE_AFTER_DAYS"},
		{"ErrAnonymiseAfterZero", map[string]string{"AGIR_ANONYMISE_AFTER_DAYS": "0"}, "AGIR_ANONYMISE_AFTER_DAYS"},
		{"ErrMaxBodyBytesNotNumber", map[string]string{"AGIR_MAX_BODY_BYTES": "1MiB"}, "AGIR_MAX_BODY_BYTES"},
		{"ErrMaxBodyBytesTooSmall", map[string]string{"AGIR_MAX_BODY_BYTES": "10"}, "AGIR_MAX_BODY_BYTES"},
		{"ErrDevSecretTooShort", map[string]string{"AGIR_DEV_SECRET": "short"}, "AGIR_DEV_SECRET"},
		{"ErrProductionWithoutOIDC", map[string]string{"AGIR_ENV": "production"}, "OIDC_ISSUER_URL"},
		{"ErrProductionOnPrivateCluster", map[string]string{"AGIR_ENV": "production", "AGIR_PSEUDONYM_SECRET": strings.Repeat("p", 32),
			"OIDC_ISSUER_URL": "https://issuer.example", "OIDC_AUDIENCE": "agir"}, "AGIR_ALLOW_PRIVATE_CLUSTER"},
		{"ErrProductionWithoutAuditKey", map[string]string{"AGIR_ENV": "production", "DATABASE_URL": "postgres://u@db/agir",
			"AGIR_PSEUDONYM_SECRET": strings.Repeat("p", 32), "OIDC_ISSUER_URL": "https://issuer.example", "OIDC_AUDIENCE": "agir"}, "AGIR_AUDIT_KEY"},
		{"ErrAuditKeyShort", map[string]string{"AGIR_AUDIT_KEY": "short"}, "AGIR_AUDIT_KEY"},
		{"ErrAllowPrivateCluster", map[string]string{"AGIR_ALLOW_PRIVATE_CLUSTER": "yes"}, "AGIR_ALLOW_PRIVATE_CLUSTER"},
		{"ErrIssuerWithoutAudience", map[string]string{"OIDC_ISSUER_URL": oidc["OIDC_ISSUER_URL"]}, "OIDC_AUDIENCE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(envMap(tc.env))
			if err == nil {
				t.Fatalf("%v accepted", tc.env)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not name %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines", err)
			}
		})
	}
	t.Run("AllErrorsAtOnce", func(t *testing.T) {
		_, err := LoadConfig(envMap(map[string]string{"PORT": "x", "AGIR_DEMO": "x", "LOG_FORMAT": "x"}))
		for _, name := range []string{"PORT", "AGIR_DEMO", "LOG_FORMAT"} {
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("error %v does not name %s", err, name)
			}
		}
	})
	t.Run("ProductionWithOIDC", func(t *testing.T) {
		env := map[string]string{"AGIR_ENV": "production", "AGIR_PSEUDONYM_SECRET": strings.Repeat("p", 32), "DATABASE_URL": "postgres://u@db/agir",
			"AGIR_AUDIT_KEY": strings.Repeat("k", 32)}
		for k, v := range oidc {
			env[k] = v
		}
		if _, err := LoadConfig(envMap(env)); err != nil {
			t.Fatal(err)
		}
		// The private cluster only when allowed explicitly.
		delete(env, "DATABASE_URL")
		env["AGIR_ALLOW_PRIVATE_CLUSTER"] = "on"
		if c, err := LoadConfig(envMap(env)); err != nil || !c.AllowPrivateCluster {
			t.Fatalf("AGIR_ALLOW_PRIVATE_CLUSTER=on: %+v, %v", c, err)
		}
	})
}

// The token command signs with the secret the server uses and refuses what it must.
func TestTokenCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"AGIR_DATA_DIR": dir}
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"token", "-role", "analyst"}, envMap(env), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	c, _ := LoadConfig(envMap(env))
	secret, err := devSecret(c)
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.DevSigner{Secret: secret}.Verify(t.Context(), strings.TrimSpace(out.String()))
	if err != nil || p.Role != "analyst" || p.Email != "analyst@demo.agir.local" {
		t.Fatalf("token %q: %+v, %v", out.String(), p, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "dev-secret")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("dev-secret: %v, %v; want mode 0600", fi, err)
	}
	if again, err := devSecret(c); err != nil || string(again) != string(secret) {
		t.Errorf("second devSecret = %q, %v; want the kept one", again, err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"ErrUnknownRole", []string{"token", "-role", "boss"}, env, "boss"},
		{"ErrProduction", []string{"token"}, map[string]string{"AGIR_DATA_DIR": dir, "AGIR_ENV": "production",
			"OIDC_ISSUER_URL": "https://issuer.example", "OIDC_AUDIENCE": "agir"}, "production"},
		{"ErrUnknownCommand", []string{"migrate"}, env, "migrate"},
		{"ErrConfig", []string{"token"}, map[string]string{"AGIR_DATA_DIR": dir, "PORT": "x"}, "PORT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := run(t.Context(), tc.args, envMap(tc.env), &out, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}

// defaultEndpoint is the endpoint's settings with no variable set (docs/ENDPOINT.md).
var defaultEndpoint = EndpointSettings{MaxCost: 10_000, MaxDepth: 12, RateCapacity: 60_000, RatePerSecond: 300,
	SlowOperation: time.Second, PersistedOnly: "auto"}
