package db

import (
	"bytes"
	"context"
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
	if got, want := r.hash(prev, nil), h.Sum(nil); !bytes.Equal(got, want) {
		t.Fatalf("hash %x, want %x", got, want)
	}
}

// TestReadFieldsCanonicalIsJsonb: the canonical text of a read's fields built in Go is the
// one PostgreSQL's jsonb prints (the hash covers it, and VerifyAuditChain reads it back
// from the database), and a name needing escapes is left to the database.
func TestReadFieldsCanonicalIsJsonb(t *testing.T) {
	s := newTestStore(t)
	for _, f := range []ReadFields{{"firstName"}, {"address", "birthDate", "firstName", "lastName", "phone"}, {"_x1", "a"}, {}} {
		got, ok := f.canonical()
		if !ok {
			t.Fatalf("%v: no canonical text", f)
		}
		raw, err := f.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var want string
		if err := s.db.GetContext(context.Background(), &want, `SELECT $1::jsonb::text`, string(raw)); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%v: Go %s, PostgreSQL %s", f, got, want)
		}
	}
	for _, name := range []string{`a"b`, "é", "1a", "", `a\b`} {
		if _, ok := (ReadFields{name}).canonical(); ok {
			t.Fatalf("%q taken as a GraphQL name", name)
		}
	}
}

// TestAuditHashCoversEntities: an entry about several objects hashes them after the
// other fields (their number, then each key as a field), so removing, adding or
// reordering one breaks the chain; an entry about one object hashes as before.
func TestAuditHashCoversEntities(t *testing.T) {
	prev := bytes.Repeat([]byte{7}, sha256.Size)
	r := auditRow{At: time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC), ActorSubject: "sub", ActorRole: "COORDINATOR",
		Action: "read", EntityType: "Beneficiary", EntityID: "a", EntityIDs: []string{"a", "b,c"}, Departments: []string{"69"},
		Changes: `{"fields": ["firstName"]}`}
	h := sha256.New()
	h.Write(prev)
	for _, f := range []string{"2026-11-26T09:30:00Z", "sub", "", "COORDINATOR", "", "", "", "", "read", "Beneficiary", "a", "69",
		`{"fields": ["firstName"]}`, "entities:2", "a", "b,c"} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	if got, want := r.hash(prev, nil), h.Sum(nil); !bytes.Equal(got, want) {
		t.Fatalf("hash %x, want %x", got, want)
	}
	seen := map[string]string{string(r.hash(prev, nil)): "a, b,c"}
	for name, ids := range map[string][]string{"one removed": {"a"}, "none": nil, "reordered": {"b,c", "a"},
		"split": {"a", "b", "c"}, "one added": {"a", "b,c", "d"}} {
		v := r
		v.EntityIDs = ids
		h := string(v.hash(prev, nil))
		if other, dup := seen[h]; dup {
			t.Fatalf("%s hashes as %s", name, other)
		}
		seen[h] = name
	}
}
