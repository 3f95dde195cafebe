package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/agir-reseau/agir-backend/db"
)

// devSecret returns the secret that signs development tokens: AGIR_DEV_SECRET when set,
// else the one kept in DataDir/dev-secret (made on first use, readable by its owner
// only), so that `server token` and the running server agree.
func devSecret(c Config) ([]byte, error) {
	if c.DevSecret != "" {
		return []byte(c.DevSecret), nil
	}
	path := filepath.Join(c.DataDir, "dev-secret")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read development secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(c.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write development secret: %w", err)
	}
	return []byte(secret), nil
}

// pseudonymKey is the HMAC key of the analysts' pseudonyms: AGIR_PSEUDONYM_SECRET when
// set (required in production); in development, derived from the development secret
// (HMAC-SHA256 of a fixed label), so pseudonyms are stable for a data directory.
func pseudonymKey(c Config) ([]byte, error) {
	if c.PseudonymSecret != "" {
		return []byte(c.PseudonymSecret), nil
	}
	if c.Production() {
		return nil, errors.New("AGIR_PSEUDONYM_SECRET is required in production")
	}
	dev, err := devSecret(c)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, dev)
	mac.Write([]byte("agir pseudonym key v1"))
	return mac.Sum(nil), nil
}

// auditKey is the HMAC key of the audit chain: AGIR_AUDIT_KEY when set (required in
// production); in development, derived from the development secret, which lives in
// the data directory, outside the database.
func auditKey(c Config) ([]byte, error) {
	if c.AuditSecret != "" {
		return []byte(c.AuditSecret), nil
	}
	if c.Production() {
		return nil, errors.New("AGIR_AUDIT_KEY is required in production")
	}
	dev, err := devSecret(c)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, dev)
	mac.Write([]byte("agir audit key v1"))
	return mac.Sum(nil), nil
}

// auditAnchorPath is where the head of the audit chain is kept: AGIR_AUDIT_ANCHOR, or
// audit-anchor.json in the data directory.
func auditAnchorPath(c Config) string {
	if c.AuditAnchor != "" {
		return c.AuditAnchor
	}
	return filepath.Join(c.DataDir, "audit-anchor.json")
}

// keepAuditChain gives store the audit key and the anchor file of c.
func keepAuditChain(store *db.Store, c Config, logger *slog.Logger) error {
	key, err := auditKey(c)
	if err != nil {
		return err
	}
	store.AuditKey = key
	path := auditAnchorPath(c)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("audit anchor: %w", err)
	}
	return store.SetAuditAnchor(path, logger)
}
