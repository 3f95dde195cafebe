package db

import (
	"context"
	"fmt"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// BenchmarkAuditReads measures the read audit of a list of 50 beneficiaries, the cost
// every coordinator's page pays before its answer leaves (group commit of 4 requests per
// transaction, as under load). Run with -benchtime and compare within one run:
//
//	go test ./db/ -run '^$' -bench AuditReads
func BenchmarkAuditReads(b *testing.B) {
	s := newTestStore(b)
	ctx := context.Background()
	p := &model.Principal{Subject: "coord", Email: "coord@example.org", Role: model.RoleCoordinator, Departments: []string{"69"}}
	entries := make([]AuditEntry, 50)
	for i := range entries {
		entries[i] = AuditEntry{Action: "read", EntityType: "Beneficiary", EntityID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			Departments: []string{"69"}, Changes: ReadFields{"firstName", "lastName", "phase"}}
	}
	reqs := make([]auditRequest, 4)
	for i := range reqs {
		reqs[i] = auditRequest{ctx: ctx, p: p, entries: entries}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.WithTx(ctx, func(tx *Tx) error { return tx.auditAll(ctx, reqs) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/200, "µs/entry")
}
