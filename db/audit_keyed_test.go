package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// An unkeyed chain (written before the audit key existed) is continued by keyed entries
// from its last hash; the ordinals count the older entries, purged ones included; the
// anchor follows the head from the first keyed commit. Without the key, keyed entries
// cannot be verified; an unkeyed entry after a keyed one breaks the chain.
func TestAuditChain_UnkeyedChainUpgraded(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	p := &model.Principal{Subject: "admin", Role: model.RoleAdmin}
	write := func(id string) {
		t.Helper()
		if err := s.WithTx(ctx, func(tx *Tx) error {
			return tx.audit(ctx, p, AuditEntry{Action: "update", EntityType: "Structure", EntityID: id})
		}); err != nil {
			t.Fatal(err)
		}
	}
	write("old-1")
	write("old-2")
	write("old-3")
	if n, err := s.PurgeAudit(ctx, s.Now().Add(1e9)); err != nil || n != 3 {
		t.Fatalf("purge: %d, %v", n, err)
	}
	write("old-4")

	anchorPath := filepath.Join(t.TempDir(), "anchor.json")
	s.AuditKey = []byte(strings.Repeat("k", 32))
	if err := s.SetAuditAnchor(anchorPath, nil); err != nil {
		t.Fatal(err)
	}
	write("new-1")
	write("new-2")
	var seqs []int64
	if err := s.db.Select(&seqs, `SELECT coalesce(seq, 0) FROM audit_log ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 3 || seqs[0] != 0 || seqs[1] != 5 || seqs[2] != 6 {
		t.Fatalf("ordinals %v, want [0 5 6] (3 purged + 1 unkeyed before the keyed ones)", seqs)
	}
	anchor, ok, err := LoadAuditAnchor(anchorPath)
	if err != nil || !ok || anchor.Count != 6 {
		t.Fatalf("anchor %+v %v %v, want count 6", anchor, ok, err)
	}
	rep, err := s.VerifyAuditChain(ctx, &anchor)
	if err != nil || rep.BrokenAt != 0 || !rep.Anchored || rep.Keyed != 2 || rep.Count != 6 {
		t.Fatalf("upgraded chain: %+v, %v", rep, err)
	}

	t.Run("ErrWithoutTheKey", func(t *testing.T) {
		key := s.AuditKey
		defer func() { s.AuditKey = key }()
		s.AuditKey = nil
		if _, err := s.VerifyAuditChain(ctx, &anchor); err == nil || !strings.Contains(err.Error(), "AGIR_AUDIT_KEY") {
			t.Fatalf("verify without the key: %v", err)
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		key := s.AuditKey
		defer func() { s.AuditKey = key }()
		s.AuditKey = []byte(strings.Repeat("x", 32))
		if rep, err := s.VerifyAuditChain(ctx, &anchor); err != nil || rep.BrokenAt == 0 {
			t.Fatalf("verify with another key: %+v, %v", rep, err)
		}
	})
	t.Run("ErrUnkeyedAfterKeyed", func(t *testing.T) {
		key := s.AuditKey
		s.AuditKey = nil // a writer without the key continues the chain
		write("forged")
		s.AuditKey = key
		rep, err := s.VerifyAuditChain(ctx, &anchor)
		if err != nil || rep.BrokenAt == 0 || !strings.Contains(rep.Reason, "sans clé") {
			t.Fatalf("unkeyed entry after keyed ones: %+v, %v", rep, err)
		}
	})
}
