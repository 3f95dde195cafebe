package db

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// AuditEntry is one line of the audit log: who did what to which object.
type AuditEntry struct {
	Action      string   // "read", "create", "update", or the act's name ("excludeBeneficiary")
	EntityType  string   // GraphQL type name ("Beneficiary")
	EntityID    string   // database key
	Departments []string // departments of the entity, so coordinators see their territory's entries
	Changes     any      // JSON-encodable: changed fields with before/after, or the fields read
}

// auditLockKey serialises audit inserts so that the hash chain has one order: the lock
// is held until the transaction ends, so entries chain in commit order.
const auditLockKey = 0x41474952 // "AGIR"

// audit appends entries to the audit log within tx, chained by hash: each entry's hash
// covers its content and the previous entry's hash, so a modified or deleted row breaks
// the chain (VerifyAuditChain finds it). Actor and request come from p and ctx.
func (tx *Tx) audit(ctx context.Context, p *model.Principal, entries ...AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if p == nil {
		return fmt.Errorf("audit: no principal")
	}
	meta := model.RequestMetaFrom(ctx)
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return fmt.Errorf("audit lock: %w", err)
	}
	var prev []byte
	err := tx.GetContext(ctx, &prev, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`)
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("audit last hash: %w", err)
	}
	if prev == nil {
		prev = make([]byte, sha256.Size)
	}
	at := tx.Now.UTC().Truncate(time.Microsecond)
	var structureID *string
	if p.StructureID != "" {
		structureID = &p.StructureID
	}
	for _, e := range entries {
		changes, err := json.Marshal(e.Changes)
		if err != nil {
			return fmt.Errorf("audit changes: %w", err)
		}
		if e.Changes == nil {
			changes = []byte("{}")
		}
		// Store the canonical (jsonb-normalised) text so the hash can be recomputed.
		var canonical string
		if err := tx.GetContext(ctx, &canonical, `SELECT $1::jsonb::text`, string(changes)); err != nil {
			return fmt.Errorf("audit canonical changes: %w", err)
		}
		row := auditRow{At: at, ActorSubject: p.Subject, ActorEmail: p.Email, ActorRole: string(p.Role),
			ActorStructure: p.StructureID, RequestID: meta.ID, Operation: meta.Operation, ClientAddr: meta.ClientAddr,
			Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID, Departments: e.Departments, Changes: canonical}
		hash := row.hash(prev)
		_, err = tx.ExecContext(ctx, `
			INSERT INTO audit_log (at, actor_subject, actor_email, actor_role, actor_structure_id, request_id, operation,
			                       client_addr, action, entity_type, entity_id, departments, changes, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15)`,
			at, p.Subject, p.Email, string(p.Role), structureID, meta.ID, meta.Operation, meta.ClientAddr,
			e.Action, e.EntityType, e.EntityID, pq.Array(nonNil(e.Departments)), canonical, prev, hash)
		if err != nil {
			return fmt.Errorf("audit insert: %w", err)
		}
		prev = hash
	}
	return nil
}

// auditRow is the hashed content of an entry.
type auditRow struct {
	ID             int64          `db:"id"`
	At             time.Time      `db:"at"`
	ActorSubject   string         `db:"actor_subject"`
	ActorEmail     string         `db:"actor_email"`
	ActorRole      string         `db:"actor_role"`
	ActorStructure string         `db:"actor_structure"`
	RequestID      string         `db:"request_id"`
	Operation      string         `db:"operation"`
	ClientAddr     string         `db:"client_addr"`
	Action         string         `db:"action"`
	EntityType     string         `db:"entity_type"`
	EntityID       string         `db:"entity_id"`
	Departments    pq.StringArray `db:"departments"`
	Changes        string         `db:"changes"`
	PrevHash       []byte         `db:"prev_hash"`
	Hash           []byte         `db:"hash"`
}

// hash returns SHA-256 over the previous hash and the entry's fields, each
// length-prefixed so that no two different entries encode alike.
func (r auditRow) hash(prev []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	for _, f := range []string{r.At.UTC().Format(time.RFC3339Nano), r.ActorSubject, r.ActorEmail, r.ActorRole,
		r.ActorStructure, r.RequestID, r.Operation, r.ClientAddr, r.Action, r.EntityType, r.EntityID,
		strings.Join(r.Departments, ","), r.Changes} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return h.Sum(nil)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// AuditReads records reads of personal data (one transaction): the graph layer calls it
// once per request with every beneficiary whose personal fields it returned.
func (s *Store) AuditReads(ctx context.Context, p *model.Principal, entries []AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	err := s.WithTx(ctx, func(tx *Tx) error { return tx.audit(ctx, p, entries...) })
	if err != nil {
		return fmt.Errorf("db: audit reads: %w", err)
	}
	return nil
}
