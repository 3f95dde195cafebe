package main

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/server/auth"
)

// Config is the server's configuration, read from the environment (every variable is
// documented in the README). The zero value is not usable: build it with LoadConfig.
type Config struct {
	Port            int    // PORT: TCP port of the HTTP server (default 8080; 0 picks a free one)
	DatabaseURL     string // DATABASE_URL: PostgreSQL to use; "" starts the private cluster
	DatabaseReadURL string // DATABASE_READ_URL: read replica for analysts and indicators
	DataDir         string // AGIR_DATA_DIR: private cluster and development secret
	// AllowPrivateCluster (AGIR_ALLOW_PRIVATE_CLUSTER=on) lets production run on the
	// private cluster; without it production needs DATABASE_URL.
	AllowPrivateCluster bool
	Env                 string        // AGIR_ENV: "development" (default) or "production"
	Demo                string        // AGIR_DEMO: "auto" (default: load into an empty database in development), "on", "off"
	DevSecret           string        // AGIR_DEV_SECRET: HS256 secret of development tokens (default: generated in DataDir)
	PseudonymSecret     string        // AGIR_PSEUDONYM_SECRET: HMAC key of the analysts' pseudonyms (development: derived from the development secret)
	AuditSecret         string        // AGIR_AUDIT_KEY: HMAC key of the audit chain, kept outside the database (development: derived from the development secret)
	AuditAnchor         string        // AGIR_AUDIT_ANCHOR: file holding the audit chain's head (default DataDir/audit-anchor.json)
	OIDCIssuer          string        // OIDC_ISSUER_URL: OIDC issuer; set, it enables OIDC tokens
	OIDCAudience        string        // OIDC_AUDIENCE: expected audience (client id) of OIDC tokens
	LogLevel            slog.Level    // LOG_LEVEL: debug, info (default), warn, error
	LogFormat           string        // LOG_FORMAT: "text" or "json"; default json in production (log collectors parse it), text otherwise
	RequestTimeout      time.Duration // AGIR_REQUEST_TIMEOUT: deadline of one request (default 30s)
	StatementTimeout    time.Duration // AGIR_STATEMENT_TIMEOUT: PostgreSQL statement_timeout (default 10s)
	ShutdownTimeout     time.Duration // AGIR_SHUTDOWN_TIMEOUT: time to drain requests on SIGTERM (default 20s)
	StaffCacheTTL       time.Duration // AGIR_STAFF_CACHE_TTL: how long a token's staff record is reused (default 5s; 0: read on every request); a deactivation takes effect within it
	MaxBodyBytes        int64         // AGIR_MAX_BODY_BYTES: request body limit (default 1 MiB)
	AuditRetentionDays  int           // AGIR_AUDIT_RETENTION_DAYS: audit entries older than this are purged (default 365)
	AnonymiseAfterDays  int           // AGIR_ANONYMISE_AFTER_DAYS: journeys CLOSED for longer are anonymised (default 730)
	EventRetention      time.Duration // AGIR_EVENT_RETENTION: real-time events are kept this long for subscribers that resume (default 72h); older ones are purged daily
	DBMaxConns          int           // AGIR_DB_MAX_CONNS: connections to the primary at most (default 20)
	DBReadMaxConns      int           // AGIR_DB_READ_MAX_CONNS: connections to the read replica at most (default AGIR_DB_MAX_CONNS)
	Endpoint            EndpointSettings
	OfferSync           OfferSyncSettings // AGIR_DATAINCLUSION_*, AGIR_REFUGIESINFO_URL, AGIR_SYNC_DEPARTMENTS
}

// Production reports whether the server runs in production mode (no development tokens,
// no demo data, no field suggestions).
func (c Config) Production() bool { return c.Env == "production" }

// LoadConfig reads the configuration from getenv (os.Getenv in main, a map in tests).
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Port:               8080,
		DatabaseURL:        getenv("DATABASE_URL"),
		DatabaseReadURL:    getenv("DATABASE_READ_URL"),
		DataDir:            getenv("AGIR_DATA_DIR"),
		Env:                orDefault(getenv("AGIR_ENV"), "development"),
		Demo:               orDefault(getenv("AGIR_DEMO"), "auto"),
		DevSecret:          getenv("AGIR_DEV_SECRET"),
		PseudonymSecret:    getenv("AGIR_PSEUDONYM_SECRET"),
		AuditSecret:        getenv("AGIR_AUDIT_KEY"),
		AuditAnchor:        getenv("AGIR_AUDIT_ANCHOR"),
		OIDCIssuer:         getenv("OIDC_ISSUER_URL"),
		OIDCAudience:       getenv("OIDC_AUDIENCE"),
		LogFormat:          getenv("LOG_FORMAT"),
		RequestTimeout:     30 * time.Second,
		StatementTimeout:   10 * time.Second,
		ShutdownTimeout:    20 * time.Second,
		StaffCacheTTL:      5 * time.Second,
		MaxBodyBytes:       1 << 20,
		AuditRetentionDays: 365,
		AnonymiseAfterDays: model.AnonymiseAfterDays,
		EventRetention:     72 * time.Hour,
		DBMaxConns:         20,
	}
	if c.DataDir == "" {
		c.DataDir = filepath.Dir(pgcluster.DefaultDataDir())
	}
	var errs []string
	if v := getenv("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			errs = append(errs, fmt.Sprintf("PORT=%q: a port number is expected", v))
		}
		c.Port = p
	}
	if c.Env != "development" && c.Env != "production" {
		errs = append(errs, fmt.Sprintf("AGIR_ENV=%q: development or production", c.Env))
	}
	if c.Demo != "auto" && c.Demo != "on" && c.Demo != "off" {
		errs = append(errs, fmt.Sprintf("AGIR_DEMO=%q: auto, on or off", c.Demo))
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
		if c.Production() {
			c.LogFormat = "json"
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Sprintf("LOG_FORMAT=%q: text or json", c.LogFormat))
	}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Sprintf("LOG_LEVEL=%q: debug, info, warn or error", v))
		}
	}
	for name, d := range map[string]*time.Duration{
		"AGIR_REQUEST_TIMEOUT": &c.RequestTimeout, "AGIR_STATEMENT_TIMEOUT": &c.StatementTimeout,
		"AGIR_SHUTDOWN_TIMEOUT": &c.ShutdownTimeout, "AGIR_STAFF_CACHE_TTL": &c.StaffCacheTTL,
		"AGIR_EVENT_RETENTION": &c.EventRetention,
	} {
		if v := getenv(name); v != "" {
			parsed, err := time.ParseDuration(v)
			if err != nil || parsed < 0 {
				errs = append(errs, fmt.Sprintf("%s=%q: a duration such as 30s is expected", name, v))
			}
			*d = parsed
		}
	}
	if v := getenv("AGIR_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			errs = append(errs, fmt.Sprintf("AGIR_MAX_BODY_BYTES=%q: a number of bytes, at least 1024", v))
		}
		c.MaxBodyBytes = n
	}
	if v := getenv("AGIR_AUDIT_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("AGIR_AUDIT_RETENTION_DAYS=%q: a number of days, at least 1", v))
		}
		c.AuditRetentionDays = n
	}
	if v := getenv("AGIR_ANONYMISE_AFTER_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("AGIR_ANONYMISE_AFTER_DAYS=%q: a number of days, at least 1", v))
		}
		c.AnonymiseAfterDays = n
	}
	if c.EventRetention < time.Minute {
		errs = append(errs, fmt.Sprintf("AGIR_EVENT_RETENTION=%s: at least 1m", c.EventRetention))
	}
	for name, n := range map[string]*int{"AGIR_DB_MAX_CONNS": &c.DBMaxConns, "AGIR_DB_READ_MAX_CONNS": &c.DBReadMaxConns} {
		if v := getenv(name); v != "" {
			parsed, err := strconv.Atoi(v)
			if err != nil || parsed < 1 {
				errs = append(errs, fmt.Sprintf("%s=%q: a number of connections, at least 1", name, v))
			}
			*n = parsed
		}
	}
	if c.DBReadMaxConns == 0 {
		c.DBReadMaxConns = c.DBMaxConns
	}
	if c.DevSecret != "" && len(c.DevSecret) < auth.MinDevSecretLen {
		errs = append(errs, fmt.Sprintf("AGIR_DEV_SECRET: %d bytes, at least %d are needed", len(c.DevSecret), auth.MinDevSecretLen))
	}
	if c.PseudonymSecret != "" && len(c.PseudonymSecret) < auth.MinDevSecretLen {
		errs = append(errs, fmt.Sprintf("AGIR_PSEUDONYM_SECRET: %d bytes, at least %d are needed", len(c.PseudonymSecret), auth.MinDevSecretLen))
	}
	if c.AuditSecret != "" && len(c.AuditSecret) < auth.MinDevSecretLen {
		errs = append(errs, fmt.Sprintf("AGIR_AUDIT_KEY: %d bytes, at least %d are needed", len(c.AuditSecret), auth.MinDevSecretLen))
	}
	if c.Production() && c.AuditSecret == "" {
		errs = append(errs, "AGIR_ENV=production needs AGIR_AUDIT_KEY (the audit chain's key, kept outside the database)")
	}
	if c.Production() && c.PseudonymSecret == "" {
		errs = append(errs, "AGIR_ENV=production needs AGIR_PSEUDONYM_SECRET (the analysts' pseudonyms)")
	}
	errs = append(errs, c.Endpoint.load(getenv)...)
	switch v := getenv("AGIR_ALLOW_PRIVATE_CLUSTER"); v {
	case "", "off":
	case "on":
		c.AllowPrivateCluster = true
	default:
		errs = append(errs, fmt.Sprintf("AGIR_ALLOW_PRIVATE_CLUSTER=%q: on or off", v))
	}
	if c.Production() && c.DatabaseURL == "" && !c.AllowPrivateCluster {
		errs = append(errs, "AGIR_ENV=production needs DATABASE_URL (the private cluster is for development and tests; AGIR_ALLOW_PRIVATE_CLUSTER=on to use it anyway)")
	}
	errs = append(errs, c.OfferSync.load(getenv)...)
	if c.Production() && c.OIDCIssuer == "" {
		errs = append(errs, "AGIR_ENV=production needs OIDC_ISSUER_URL (development tokens are refused in production)")
	}
	if c.OIDCIssuer != "" && c.OIDCAudience == "" {
		errs = append(errs, "OIDC_ISSUER_URL needs OIDC_AUDIENCE")
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
