package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// testSecret signs the development tokens of every test server, so that a token of one
// instance is valid on another (as behind a load balancer).
const testSecret = "test-secret-test-secret-test-secret-0123"

// startServer opens and runs a server on database url (a free port, demo data when the
// database is empty) until the test ends.
func startServer(t *testing.T, url string, opts ...Option) *Main {
	t.Helper()
	return startServerEnv(t, map[string]string{"DATABASE_URL": url}, opts...)
}

// startServerEnv opens and runs a server configured by env (over a free port, a
// temporary data directory, the test secret and warnings only) until the test ends.
func startServerEnv(t *testing.T, env map[string]string, opts ...Option) *Main {
	t.Helper()
	defaults := map[string]string{"PORT": "0", "AGIR_DATA_DIR": t.TempDir(), "AGIR_DEV_SECRET": testSecret, "LOG_LEVEL": "warn"}
	for k, v := range defaults {
		if _, set := env[k]; !set {
			env[k] = v
		}
	}
	c, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	m, err := Open(context.Background(), c, logger, opts...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		m.Close()
	})
	return m
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func token(t *testing.T, m *Main, role model.Role) string {
	t.Helper()
	tok, err := m.DevToken(role)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// gqlPost runs one operation over real HTTP and decodes the response.
func gqlPost(t *testing.T, m *Main, tok, query string, vars map[string]any, out any) (status int, body []byte) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, "http://"+m.Addr()+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ = io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
	}
	return res.StatusCode, body
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
