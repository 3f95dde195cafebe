package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/demo"
	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/endpoint"
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

	telemetry      *telemetry
	tracer         trace.TracerProvider
	tracerShutdown func(context.Context) error
	broker         *db.Broker

	subscriptionRecheck time.Duration // 0: the endpoint's default
	staff               *staffCache   // staff records of HTTP requests' tokens (AGIR_STAFF_CACHE_TTL)

	// closing ends the WebSocket connections when the server shuts down (http.Server's
	// Shutdown does not wait for hijacked connections).
	closing     context.Context
	stopSockets context.CancelFunc
}

// Option changes how Open builds a Main (tests use them).
type Option func(*Main)

// withSubscriptionRecheck sets how often subscriptions check their caller's account.
func withSubscriptionRecheck(d time.Duration) Option {
	return func(m *Main) { m.subscriptionRecheck = d }
}

// WithTracerProvider makes the server's spans with tp instead of the provider that the
// OTEL_* environment selects.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(m *Main) { m.tracer = tp }
}

// Open connects the database (starting the private cluster when DATABASE_URL is unset),
// applies migrations, loads demo data when asked, and binds the HTTP port.
func Open(ctx context.Context, c Config, logger *slog.Logger, opts ...Option) (m *Main, err error) {
	m = &Main{Config: c, Logger: logger}
	m.staff = newStaffCache(c.StaffCacheTTL, m.lookUpStaff)
	m.closing, m.stopSockets = context.WithCancel(context.Background())
	for _, o := range opts {
		o(m)
	}
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
	m.telemetry = newTelemetry(logger, c.Endpoint.SlowOperation)
	if m.tracer == nil {
		if m.tracer, m.tracerShutdown, err = newTracerProvider(ctx, os.Getenv); err != nil {
			return m, err
		}
	}
	m.Store, err = db.Open(ctx, url, db.Options{ReadURL: c.DatabaseReadURL, StatementTimeout: c.StatementTimeout,
		MaxOpenConns: c.DBMaxConns, ReadMaxOpenConns: c.DBReadMaxConns,
		Observer: endpoint.NewStatementTracer(m.tracer)})
	if err != nil {
		return m, err
	}
	if err := keepAuditChain(m.Store, c, logger); err != nil {
		return m, err
	}
	m.telemetry.watchPool(m.Store.DB().DB, "primary")
	if m.broker, err = db.NewBroker(ctx, url, m.Store, logger); err != nil {
		return m, fmt.Errorf("real time: %w", err)
	}
	if c.Demo == "on" || (c.Demo == "auto" && !c.Production()) {
		loaded, err := demo.LoadTerritory(ctx, m.Store)
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
	if m.Store.PseudonymKey, err = pseudonymKey(m.Config); err != nil {
		return m, err
	}
	// Cursors are sealed under a key derived from the same secret (another label, see
	// model.SetCursorKey): every replica and restart reads the cursors of the others.
	model.SetCursorKey(m.Store.PseudonymKey)
	persisted, err := c.persistedQueries()
	if err != nil {
		return m, err
	}
	rate := endpoint.RateLimitConfig{Capacity: c.Endpoint.RateCapacity, PerSecond: c.Endpoint.RatePerSecond} // capacity 0: off
	gql := endpoint.NewEndpoint(endpoint.EndpointConfig{
		Store: m.Store, Logger: logger, Production: c.Production(),
		Limits:              endpoint.Limits{MaxCost: c.Endpoint.MaxCost, MaxDepth: c.Endpoint.MaxDepth},
		RateLimit:           rate,
		OperationTimeout:    c.RequestTimeout,
		Persisted:           persisted,
		Observer:            m.telemetry,
		TracerProvider:      m.tracer,
		Broker:              m.broker,
		Authenticate:        m.authenticate,
		Reauthorize:         m.resolvePrincipal,
		SubscriptionRecheck: m.subscriptionRecheck,
	})
	m.handler = m.routes(gql)
	m.listener, err = net.Listen("tcp", fmt.Sprintf(":%d", c.Port))
	if err != nil {
		return m, fmt.Errorf("listen: %w", err)
	}
	return m, nil
}

// persistedQueries reads the manifest of the SPA's documents, when configured.
func (c Config) persistedQueries() (endpoint.PersistedQueries, error) {
	var pq endpoint.PersistedQueries
	if c.Endpoint.PersistedQueries != "" {
		known, err := endpoint.LoadPersistedManifest(c.Endpoint.PersistedQueries)
		if err != nil {
			return pq, err
		}
		pq.Known = known
	}
	pq.Required = c.Endpoint.PersistedOnly == "on" || c.Endpoint.PersistedOnly == "auto" && c.Production() && pq.Known != nil
	return pq, nil
}

// authenticate verifies the Authorization value of a WebSocket's connection_init
// payload as the HTTP middleware verifies the header.
func (m *Main) authenticate(ctx context.Context, authorization string) (*model.Principal, error) {
	scheme, token, _ := strings.Cut(authorization, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, auth.ErrNoToken
	}
	p, err := m.verifier.Verify(ctx, token)
	if err != nil {
		return nil, err
	}
	return m.resolvePrincipal(ctx, p)
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
	jobs := startJobs(ctx, m.Logger)
	defer jobs.stop() // before Run returns: Close may then close the Store
	jobs.run("audit purge", 24*time.Hour, func(ctx context.Context) error {
		n, err := m.Store.PurgeAudit(ctx, auditCutoff(m.Config, time.Now()))
		if n > 0 {
			m.Logger.Info("audit entries purged", "count", n)
		}
		return err
	})
	jobs.run("events purge", 24*time.Hour, func(ctx context.Context) error {
		n, err := m.Store.PurgeEvents(ctx, time.Now().Add(-m.Config.EventRetention))
		if n > 0 {
			m.Logger.Info("real-time events purged", "count", n)
		}
		if err != nil {
			return err
		}
		// Idempotency keys live as long: a client retries within minutes.
		_, err = m.Store.PurgeIdempotencyKeys(ctx, time.Now().Add(-m.Config.EventRetention))
		return err
	})
	jobs.run("events of the clock", time.Hour, func(ctx context.Context) error {
		_, err := m.Store.PublishDueEvents(ctx) // alerts that became active, orientations overdue
		return err
	})
	jobs.run("anonymisation", 24*time.Hour, func(ctx context.Context) error {
		n, err := anonymiseClosedJourneys(ctx, m.Store, m.Config)
		if n > 0 {
			m.Logger.Info("closed journeys anonymised", "count", n)
		}
		return err
	})
	if syncer := m.Config.OfferSync.syncer(m.Store, m.Logger); syncer.Enabled() {
		jobs.run("offer sync", 24*time.Hour, func(ctx context.Context) error {
			_, err := syncer.Run(ctx, nil, false)
			return err
		})
	}
	m.Logger.Info("listening", "addr", m.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down: closing WebSockets, draining requests")
	m.stopSockets()
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
	if m.broker != nil {
		errs = append(errs, m.broker.Close())
		m.broker = nil
	}
	if m.tracerShutdown != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, m.tracerShutdown(ctx))
		cancel()
		m.tracerShutdown = nil
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
