package db

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// AuditHead is the head of the audit chain: how many entries it holds (purged ones
// included) and the hash of the last one.
type AuditHead struct {
	Count int64
	Hash  []byte
}

type auditHeadFile struct {
	Count int64  `json:"count"`
	Hash  string `json:"hash"` // hex
}

// LoadAuditAnchor reads the anchor file at path; ok is false when there is none yet.
func LoadAuditAnchor(path string) (h AuditHead, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return h, false, nil
	}
	if err != nil {
		return h, false, fmt.Errorf("audit anchor: %w", err)
	}
	var f auditHeadFile
	if err := json.Unmarshal(b, &f); err != nil {
		return h, false, fmt.Errorf("audit anchor %s: %w", path, err)
	}
	if h.Hash, err = hex.DecodeString(f.Hash); err != nil || f.Count < 1 {
		return h, false, fmt.Errorf("audit anchor %s: count %d, hash %q: not an anchor", path, f.Count, f.Hash)
	}
	h.Count = f.Count
	return h, true, nil
}

// writeAuditAnchor replaces the anchor file at path with h, atomically (a temporary
// file renamed over it), readable by its owner only.
func writeAuditAnchor(path string, h AuditHead) error {
	b, err := json.Marshal(auditHeadFile{Count: h.Count, Hash: hex.EncodeToString(h.Hash)})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".audit-anchor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// auditAnchorState is the anchor a Store keeps: the highest head it committed, written
// to its file after each commit that appends keyed entries.
type auditAnchorState struct {
	mu     sync.Mutex
	path   string
	logger *slog.Logger
	head   AuditHead
	// tampered is set once the chain's head was found behind the anchor, or at the
	// anchor with another hash: entries were deleted. The anchor then stays where it is,
	// so that `audit verify` reports the truncation instead of a new head covering it.
	tampered bool
}

// SetAuditAnchor makes s keep the head of the audit chain in the file at path, outside
// the database, rewritten after every commit that appends keyed entries (a write, or a
// batch of audited reads): `audit verify` then detects the deletion of the newest
// entries, which the chain alone cannot. The file's current head is read first; the
// anchor only moves forward. Errors writing it later are logged with logger.
//
// Several processes writing one database should each have their own anchor file: each
// attests the head it saw.
func (s *Store) SetAuditAnchor(path string, logger *slog.Logger) error {
	h, _, err := LoadAuditAnchor(path)
	if err != nil {
		return err
	}
	s.anchor.mu.Lock()
	defer s.anchor.mu.Unlock()
	if logger == nil {
		logger = slog.Default()
	}
	s.anchor.path, s.anchor.logger, s.anchor.head = path, logger, h
	return nil
}

// observe compares the head the chain has before an append with the anchor: a shorter
// chain, or one whose entry at the anchor's ordinal has another hash, was truncated.
func (a *auditAnchorState) observe(h AuditHead) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.path == "" || a.tampered || a.head.Count == 0 {
		return
	}
	if h.Count < a.head.Count || h.Count == a.head.Count && !bytes.Equal(h.Hash, a.head.Hash) {
		a.tampered = true
		a.logger.Error("audit log truncated: its head is behind the anchor; the anchor is kept for `audit verify`",
			"anchor_count", a.head.Count, "chain_count", h.Count, "path", a.path)
	}
}

// advance records h as the head if it is further than the one kept.
func (a *auditAnchorState) advance(h AuditHead) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.path == "" || a.tampered || h.Count <= a.head.Count {
		return
	}
	if err := writeAuditAnchor(a.path, h); err != nil {
		a.logger.Error("audit anchor not written", "path", a.path, "err", err)
		return
	}
	a.head = h
}
