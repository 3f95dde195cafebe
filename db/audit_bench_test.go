package db

import (
	"context"
	"fmt"
	"testing"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// BenchmarkAuditReads measures the read audit of pages of 50 beneficiaries, the cost
// every coordinator's page pays before its answer leaves (group commit of 4 requests per
// transaction, as under load): Page as it is written (one entry listing the 50), PerRow
// as it was until migration 00080 (50 entries). Run with -benchtime and compare within
// one run:
//
//	go test ./db/ -run '^$' -bench AuditReads
func BenchmarkAuditReads(b *testing.B) {
	s := newTestStore(b)
	ctx := context.Background()
	p := &model.Principal{Subject: "coord", Email: "coord@example.org", Role: model.RoleCoordinator, Departments: []string{"69"}}
	keys := make([]string, 50)
	perRow := make([]AuditEntry, len(keys))
	for i := range keys {
		keys[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		perRow[i] = AuditEntry{Action: "read", EntityType: "Beneficiary", EntityID: keys[i],
			Departments: []string{"69"}, Changes: ReadFields{"firstName", "lastName", "phase"}}
	}
	page := []AuditEntry{{Action: "read", EntityType: "Beneficiary", EntityID: keys[0], EntityIDs: keys,
		Departments: []string{"69"}, Changes: ReadFields{"firstName", "lastName", "phase"}}}
	for _, c := range []struct {
		name    string
		entries []AuditEntry
	}{{"Page", page}, {"PerRow", perRow}} {
		b.Run(c.name, func(b *testing.B) {
			reqs := make([]auditRequest, 4)
			for i := range reqs {
				reqs[i] = auditRequest{ctx: ctx, p: p, entries: c.entries}
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := s.WithTx(ctx, func(tx *Tx) error { return tx.auditAll(ctx, reqs) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/4, "µs/request")
		})
	}
}
