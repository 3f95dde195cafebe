package db

import (
	"context"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestAuditLockHeldOnlyAtCommit: a write transaction that has audited and is still
// working does not hold the audit lock, so audited reads of other requests go through
// meanwhile; its entries are written at its commit, and the chain verifies.
func TestAuditLockHeldOnlyAtCommit(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	p := &model.Principal{Subject: "admin", Role: model.RoleAdmin}
	audited, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.WithTx(ctx, func(tx *Tx) error {
			if err := tx.audit(ctx, p, AuditEntry{Action: "update", EntityType: "Structure", EntityID: "long-write"}); err != nil {
				return err
			}
			close(audited)
			<-release // the rest of a long write
			return nil
		})
	}()
	<-audited
	readCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.AuditReads(readCtx, p, []AuditEntry{{Action: "read", EntityType: "Beneficiary", EntityID: "b1", Changes: ReadFields{"lastName"}}}); err != nil {
		t.Fatalf("an audited read waited for a write in progress: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := s.db.Select(&ids, `SELECT entity_id FROM audit_log ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != "b1" || ids[1] != "long-write" {
		t.Fatalf("entries %v, want the read then the write (commit order)", ids)
	}
	if rep, err := s.VerifyAuditChain(ctx, nil); err != nil || rep.BrokenAt != 0 || rep.Checked != 2 {
		t.Fatalf("chain: %+v, %v", rep, err)
	}
}
