// Command server is the AGIR coordination backend.
//
//	server                  run the server (demo data and a private PostgreSQL by default)
//	server token -role R    print a development token for role R
//	server audit verify     check the audit log's hash chain (exit status 1 when broken)
//	server audit purge      remove audit entries past AGIR_AUDIT_RETENTION_DAYS
//	server maintenance anonymise
//	                        anonymise the people whose journey is CLOSED for more than
//	                        AGIR_ANONYMISE_AFTER_DAYS (default 730); the server also does it daily
//	server maintenance rederive
//	                        re-derive every journey from its acts and rebuild the journey facts,
//	                        reporting the differences found (zero expected)
//	server seed -scale S    fill an empty database with a synthetic programme (department or national)
//	server sync offers [-source data-inclusion|refugies-info] [-dry-run]
//	                        synchronise the offer map with its national sources (docs/offer-sources.md);
//	                        the server also does it daily when a source is configured
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/agir-reseau/agir-backend/graph/model"
	"github.com/agir-reseau/agir-backend/server/auth"
)

func main() {
	tuneGC(os.Getenv)
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "agir:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	c, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(c, stderr)
	switch cmd {
	case "serve":
		return serve(ctx, c, args, logger, stdout)
	case "token":
		return tokenCmd(c, args, stdout)
	case "audit":
		return auditCmd(ctx, c, args, logger, stdout)
	case "maintenance":
		return maintenanceCmd(ctx, c, args, logger, stdout)
	case "seed":
		return seedCmd(ctx, c, args, logger, stdout)
	case "sync":
		return syncCmd(ctx, c, args, logger, stdout)
	}
	return fmt.Errorf("unknown command %q (serve, token, audit, maintenance, seed, sync)", cmd)
}

func newLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, c Config, args []string, logger *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := fs.String("demo", c.Demo, "demo data: auto, on or off (AGIR_DEMO)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.Demo = *demo
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	m, err := Open(ctx, c, logger)
	if err != nil {
		return err
	}
	defer m.Close()
	if !c.Production() {
		fmt.Fprintf(stdout, "AGIR listening on http://localhost:%s/ — development tokens (Authorization: Bearer ...):\n", portOf(m.Addr()))
		for _, r := range model.AllRoles {
			tok, err := m.DevToken(r)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  %-21s %s\n", r, tok)
		}
	}
	return m.Run(ctx)
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return addr
}

// tokenCmd prints a development token for a role, signed with the secret the server uses.
func tokenCmd(c Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	role := fs.String("role", "coordinator", "role of the token: coordinator, social_worker, insertion_counsellor, partner_editor, analyst, state_representative, admin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.Production() {
		return errors.New("development tokens are refused in production (AGIR_ENV=production)")
	}
	if !model.Role(*role).Valid() {
		return fmt.Errorf("unknown role %q", *role)
	}
	secret, err := devSecret(c)
	if err != nil {
		return err
	}
	tok, err := auth.DevSigner{Secret: secret}.Sign(auth.DevPrincipal(model.Role(*role)))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}
