package db

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"
)

// TestAuditHashIsStable pins the hash of an audit entry to its definition (SHA-256 of
// the previous hash, then each field as "<length>:<field>;"), so that chains written
// by earlier versions still verify.
func TestAuditHashIsStable(t *testing.T) {
	prev := bytes.Repeat([]byte{7}, sha256.Size)
	r := auditRow{At: time.Date(2026, 11, 26, 9, 30, 0, 123456000, time.UTC), ActorSubject: "sub", ActorEmail: "élise@example.org",
		ActorRole: "COORDINATOR", ActorStructure: "", RequestID: "req-1", Operation: "List", ClientAddr: "127.0.0.1",
		Action: "read", EntityType: "Beneficiary", EntityID: "0000", Departments: []string{"69", "01"}, Changes: `{"fields": ["firstName"]}`}
	h := sha256.New()
	h.Write(prev)
	for _, f := range []string{"2026-11-26T09:30:00.123456Z", "sub", "élise@example.org", "COORDINATOR", "", "req-1", "List",
		"127.0.0.1", "read", "Beneficiary", "0000", "69,01", `{"fields": ["firstName"]}`} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	if got, want := r.hash(prev), h.Sum(nil); !bytes.Equal(got, want) {
		t.Fatalf("hash %x, want %x", got, want)
	}
}
