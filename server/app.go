package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/demo"
	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/graph"
	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/server/auth"
)

// Main is the running server: its database (and private cluster when it started one),
// its HTTP server and its verifier. Build it with Open, serve with Run, end with Close.
type Main struct {
	Config Config
	Logger *slog.Logger

	cluster  *pgcluster.Cluster
	Store    *db.Store
	verifier auth.Verifier
	dev      *auth.DevSigner // nil in production
	handler  http.Handler
	listener net.Listener
	server   *http.Server
}

// Open connects the database (starting the private cluster when DATABASE_URL is unset),
// applies migrations, loads demo data when asked, and binds the HTTP port.
func Open(ctx context.Context, c Config, logger *slog.Logger) (m *Main, err error) {
	m = &Main{Config: c, Logger: logger}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	url := c.DatabaseURL
	if url == "" {
		m.cluster, err = pgcluster.Start(ctx, pgcluster.Options{DataDir: dataDirPG(c), Logger: logger})
		if err != nil {
			return m, fmt.Errorf("private PostgreSQL: %w", err)
		}
		url = m.cluster.URL(pgcluster.DefaultDatabase)
		logger.Info("private PostgreSQL started", "data_dir", m.cluster.DataDir())
	}
	applied, err := db.Migrate(ctx, url)
	if err != nil {
		return m, err
	}
	logger.Info("migrations", "applied", applied)
	m.Store, err = db.Open(ctx, url, db.Options{ReadURL: c.DatabaseReadURL, StatementTimeout: c.StatementTimeout})
	if err != nil {
		return m, err
	}
	if c.Demo == "on" || (c.Demo == "auto" && !c.Production()) {
		loaded, err := demo.Load(ctx, m.Store)
		if err != nil {
			return m, fmt.Errorf("demo data: %w", err)
		}
		if loaded {
			logger.Info("demo data loaded")
		}
	}
	if err := m.setUpAuth(ctx); err != nil {
		return m, err
	}
	endpoint := graph.NewEndpoint(graph.EndpointConfig{Store: m.Store, Logger: logger, Production: c.Production()})
	m.handler = m.routes(endpoint)
	m.listener, err = net.Listen("tcp", fmt.Sprintf(":%d", c.Port))
	if err != nil {
		return m, fmt.Errorf("listen: %w", err)
	}
	return m, nil
}

func (m *Main) setUpAuth(ctx context.Context) error {
	var verifiers multiVerifier
	if m.Config.OIDCIssuer != "" {
		v, err := auth.NewOIDCVerifier(ctx, auth.OIDCConfig{IssuerURL: m.Config.OIDCIssuer, Audience: m.Config.OIDCAudience})
		if err != nil {
			return fmt.Errorf("OIDC: %w", err)
		}
		verifiers = append(verifiers, v)
	}
	if !m.Config.Production() {
		secret, err := devSecret(m.Config)
		if err != nil {
			return err
		}
		m.dev = &auth.DevSigner{Secret: secret}
		verifiers = append(verifiers, m.dev)
	}
	m.verifier = verifiers
	return nil
}

// dataDirPG is the private cluster's directory inside the data directory.
func dataDirPG(c Config) string { return filepath.Join(c.DataDir, "pg") }

// Addr is the address the server listens on (useful with PORT=0).
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Handler is the server's whole HTTP handler (tests call it in process).
func (m *Main) Handler() http.Handler { return m.handler }

// DevToken signs a development token for a role ("" in production).
func (m *Main) DevToken(role model.Role) (string, error) {
	if m.dev == nil {
		return "", errors.New("development tokens are disabled in production")
	}
	return m.dev.Sign(auth.DevPrincipal(role))
}

// Run serves HTTP until ctx is done, then drains requests (ShutdownTimeout).
func (m *Main) Run(ctx context.Context) error {
	m.server = &http.Server{
		Handler:           m.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
	jobs, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	go runPeriodic(jobs, m.Logger, "audit purge", 24*time.Hour, func(ctx context.Context) error {
		n, err := m.Store.PurgeAudit(ctx, auditCutoff(m.Config, time.Now()))
		if n > 0 {
			m.Logger.Info("audit entries purged", "count", n)
		}
		return err
	})
	m.Logger.Info("listening", "addr", m.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down: draining requests")
	sctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	if err := m.server.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// Close releases the database and stops the private cluster, if any. Safe to call twice.
func (m *Main) Close() error {
	var errs []error
	if m.listener != nil && m.server == nil {
		errs = append(errs, m.listener.Close())
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
		m.Store = nil
	}
	if m.cluster != nil {
		errs = append(errs, m.cluster.Stop())
		m.Logger.Info("private PostgreSQL stopped")
		m.cluster = nil
	}
	return errors.Join(errs...)
}

// multiVerifier tries each verifier in turn: OIDC first, then development tokens.
type multiVerifier []auth.Verifier

func (mv multiVerifier) Verify(ctx context.Context, raw string) (*model.Principal, error) {
	var err error
	for _, v := range mv {
		var p *model.Principal
		if p, err = v.Verify(ctx, raw); err == nil {
			return p, nil
		}
		if errors.Is(err, auth.ErrExpiredToken) {
			return nil, err
		}
	}
	if err == nil {
		err = auth.ErrInvalidToken
	}
	return nil, err
}
