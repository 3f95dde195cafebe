package db

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// AuditEntry is one line of the audit log: who did what to which object.
type AuditEntry struct {
	Action      string   // "read", "create", "update", or the act's name ("excludeBeneficiary")
	EntityType  string   // GraphQL type name ("Beneficiary")
	EntityID    string   // database key; for an entry about several objects, the first of EntityIDs
	EntityIDs   []string // for an entry about several objects (the rows of a page read with the same fields): all their keys
	Departments []string // departments of the entities, so coordinators see their territory's entries
	Changes     any      // JSON-encodable: changed fields with before/after, or the fields read (ReadFields)
}

// ReadFields are the Changes of a read entry: the names of the fields read, sorted.
// Stored as {"fields": [...]}, whose canonical (jsonb) text is built without asking
// PostgreSQL when every name is a GraphQL name, as they are.
type ReadFields []string

// MarshalJSON encodes f as the object it is stored as: {"fields": [...]}.
func (f ReadFields) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string][]string{"fields": model.NonNilStrings(f)})
}

// canonical returns the text PostgreSQL's jsonb gives {"fields": f}, and false when a
// name would need escaping (then the database canonicalises it).
func (f ReadFields) canonical() (string, bool) {
	var b strings.Builder
	b.WriteString(`{"fields": [`)
	for i, name := range f {
		if !isGraphQLName(name) {
			return "", false
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + name + `"`)
	}
	b.WriteString("]}")
	return b.String(), true
}

// isGraphQLName reports whether s is a GraphQL name (/[_A-Za-z][_0-9A-Za-z]*/): JSON
// strings of such names need no escaping.
func isGraphQLName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// auditLockKey serialises audit inserts so that the hash chain has one order: the lock
// is held until the transaction ends, so entries chain in commit order.
const auditLockKey = 0x41474952 // "AGIR"

// audit appends entries to the audit log within tx, chained by hash: each entry's hash
// covers its content and the previous entry's hash, so a modified or deleted row breaks
// the chain (VerifyAuditChain finds it). Actor and request come from p and ctx. The
// entries are written when the transaction commits (withTx), in the order given.
func (tx *Tx) audit(ctx context.Context, p *model.Principal, entries ...AuditEntry) error {
	if p == nil && len(entries) > 0 {
		return fmt.Errorf("audit: no principal")
	}
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.pendingAudit = append(tx.pendingAudit, auditRequest{ctx: ctx, p: p, entries: entries})
	return nil
}

// auditAll appends the entries of several requests (each with its actor, p, and its
// request, ctx), chained in order, in four statements whatever their number: the
// canonical text of the changes, the audit lock, the last hash, one insert.
func (tx *Tx) auditAll(ctx context.Context, reqs []auditRequest) error {
	n := 0
	for _, r := range reqs {
		if len(r.entries) > 0 && r.p == nil {
			return fmt.Errorf("audit: no principal")
		}
		for _, e := range r.entries {
			if len(e.EntityIDs) > 0 && e.EntityIDs[0] != e.EntityID {
				return fmt.Errorf("audit: entry about %d objects whose first is not its EntityID", len(e.EntityIDs))
			}
		}
		n += len(r.entries)
	}
	if n == 0 {
		return nil
	}
	// The canonical (jsonb-normalised) text of every entry's changes, stored so that the
	// hash can be recomputed: built here for reads (ReadFields), and by one statement for
	// the others, before taking the lock.
	canonical := make([]string, n)
	var raw []string
	var rawAt []int
	i := 0
	for _, r := range reqs {
		for _, e := range r.entries {
			if f, ok := e.Changes.(ReadFields); ok {
				if c, ok := f.canonical(); ok {
					canonical[i] = c
					i++
					continue
				}
			}
			changes, err := json.Marshal(e.Changes)
			if err != nil {
				return fmt.Errorf("audit changes: %w", err)
			}
			if e.Changes == nil {
				changes = []byte("{}")
			}
			raw, rawAt = append(raw, string(changes)), append(rawAt, i)
			i++
		}
	}
	if len(raw) > 0 {
		var texts []string
		if err := tx.SelectContext(ctx, &texts, `SELECT c::jsonb::text FROM unnest($1::text[]) WITH ORDINALITY AS t(c, n) ORDER BY n`,
			raw); err != nil {
			return fmt.Errorf("audit canonical changes: %w", err)
		}
		if len(texts) != len(raw) {
			return fmt.Errorf("audit canonical changes: %d for %d entries", len(texts), len(raw))
		}
		for j, t := range texts {
			canonical[rawAt[j]] = t
		}
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return fmt.Errorf("audit lock: %w", err)
	}
	// The head: its hash, and its ordinal in the chain (purged entries counted). An
	// entry written before the chain was keyed has no ordinal: it is counted, once.
	var head struct {
		Hash  []byte        `db:"hash"`
		Seq   sql.NullInt64 `db:"seq"`
		Count int64         `db:"count"`
	}
	// An empty log continues from the last purge's anchor, if any (before, it restarted
	// from the zero hash, which VerifyAuditChain refused). One statement, one row.
	err := tx.GetContext(ctx, &head, `
		SELECT coalesce(l.hash, p.hash) AS hash, l.seq,
		       CASE WHEN l.seq IS NOT NULL THEN l.seq
		            WHEN l.hash IS NULL THEN p.entries
		            ELSE (SELECT count(*) FROM audit_log) + p.entries END AS count
		FROM (SELECT (SELECT last_purged_hash FROM audit_purges ORDER BY id DESC LIMIT 1) AS hash,
		             (SELECT coalesce(sum(entries), 0) FROM audit_purges) AS entries) p
		LEFT JOIN LATERAL (SELECT hash, seq FROM audit_log ORDER BY id DESC LIMIT 1) l ON true`)
	if err != nil {
		return fmt.Errorf("audit last hash: %w", err)
	}
	prev := head.Hash
	if prev == nil {
		prev = make([]byte, sha256.Size)
	}
	if tx.anchor != nil {
		tx.anchor.observe(AuditHead{Count: head.Count, Hash: prev})
	}
	key := tx.auditKey
	seq := head.Count
	at := tx.Now.UTC().Truncate(time.Microsecond)
	// The entries chain in order (each hash covers the previous one) and are copied in
	// that order (COPY: ids follow the rows' order); a list of 50 beneficiaries is 50
	// rows, which COPY writes for a fraction of an INSERT ... SELECT FROM unnest(...).
	rows := make([][]any, 0, len(canonical))
	i = 0
	for _, r := range reqs {
		p, meta := r.p, model.RequestMetaFrom(r.ctx)
		var structure any
		if p.StructureID != "" {
			structure = p.StructureID
		}
		for _, e := range r.entries {
			row := auditRow{At: at, ActorSubject: p.Subject, ActorEmail: p.Email, ActorRole: string(p.Role),
				ActorStructure: p.StructureID, RequestID: meta.ID, Operation: meta.Operation, ClientAddr: meta.ClientAddr,
				Action: e.Action, EntityType: e.EntityType, EntityID: e.EntityID, EntityIDs: e.EntityIDs, Departments: e.Departments,
				Changes: canonical[i]}
			seq++
			var seqValue any
			if key != nil {
				row.Keyed, row.Seq = true, sql.NullInt64{Int64: seq, Valid: true}
				seqValue = seq
			}
			hash := row.hash(prev, key)
			rows = append(rows, []any{at, p.Subject, p.Email, string(p.Role), structure, meta.ID, meta.Operation,
				meta.ClientAddr, e.Action, e.EntityType, e.EntityID, model.NonNilStrings(e.EntityIDs),
				model.NonNilStrings(e.Departments),
				canonical[i], prev, hash, key != nil, seqValue})
			prev = hash
			i++
		}
	}
	if err := tx.copyFrom(ctx, "audit_log", []string{"at", "actor_subject", "actor_email", "actor_role",
		"actor_structure_id", "request_id", "operation", "client_addr", "action", "entity_type", "entity_id",
		"entity_ids", "departments", "changes", "prev_hash", "hash", "keyed", "seq"}, rows); err != nil {
		return fmt.Errorf("audit copy: %w", err)
	}
	if key != nil {
		tx.auditHead = &AuditHead{Count: seq, Hash: prev}
	}
	return nil
}

// auditRow is the hashed content of an entry.
type auditRow struct {
	ID             int64         `db:"id"`
	At             time.Time     `db:"at"`
	ActorSubject   string        `db:"actor_subject"`
	ActorEmail     string        `db:"actor_email"`
	ActorRole      string        `db:"actor_role"`
	ActorStructure string        `db:"actor_structure"`
	RequestID      string        `db:"request_id"`
	Operation      string        `db:"operation"`
	ClientAddr     string        `db:"client_addr"`
	Action         string        `db:"action"`
	EntityType     string        `db:"entity_type"`
	EntityID       string        `db:"entity_id"`
	EntityIDs      stringArray   `db:"entity_ids"`
	Departments    stringArray   `db:"departments"`
	Changes        string        `db:"changes"`
	PrevHash       []byte        `db:"prev_hash"`
	Hash           []byte        `db:"hash"`
	Keyed          bool          `db:"keyed"`
	Seq            sql.NullInt64 `db:"seq"`
}

// hash returns the entry's hash over the previous hash and the entry's fields, each
// length-prefixed so that no two different entries encode alike. The objects of an
// entry about several (EntityIDs) follow, after their number; an entry about one object
// hashes as entries did before EntityIDs existed, so that older chains still verify.
// A keyed entry (r.Keyed) also covers its ordinal (r.Seq) and is HMAC-SHA256 with key;
// an unkeyed one is plain SHA-256 (entries written before the key existed).
func (r auditRow) hash(prev, key []byte) []byte {
	buf := make([]byte, 0, 512+40*len(r.EntityIDs))
	buf = append(buf, prev...)
	field := func(f string) {
		buf = strconv.AppendInt(buf, int64(len(f)), 10) // "<length>:<field>;"
		buf = append(buf, ':')
		buf = append(buf, f...)
		buf = append(buf, ';')
	}
	for _, f := range [...]string{r.At.UTC().Format(time.RFC3339Nano), r.ActorSubject, r.ActorEmail, r.ActorRole,
		r.ActorStructure, r.RequestID, r.Operation, r.ClientAddr, r.Action, r.EntityType, r.EntityID,
		strings.Join(r.Departments, ","), r.Changes} {
		field(f)
	}
	if len(r.EntityIDs) > 0 {
		field("entities:" + strconv.Itoa(len(r.EntityIDs)))
		for _, id := range r.EntityIDs {
			field(id)
		}
	}
	if r.Keyed {
		field("seq:" + strconv.FormatInt(r.Seq.Int64, 10))
		mac := hmac.New(sha256.New, key)
		mac.Write(buf)
		return mac.Sum(nil)
	}
	sum := sha256.Sum256(buf)
	return sum[:]
}

// AuditReads records reads of personal data: the graph layer calls it once per request
// with every beneficiary whose personal fields it returned, and answers only once the
// entries are committed. Concurrent requests' entries are committed together (group
// commit: one transaction, one hold of the audit lock, one WAL flush for all of them),
// which keeps audited reads from queueing one flush each behind the audit lock.
func (s *Store) AuditReads(ctx context.Context, p *model.Principal, entries []AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	s.auditOnce.Do(func() {
		s.auditQueue = make(chan auditRequest, 256)
		go s.auditWriter()
	})
	r := auditRequest{ctx: context.WithoutCancel(ctx), p: p, entries: entries, done: make(chan error, 1)}
	select {
	case s.auditQueue <- r:
	case <-s.closed:
		return fmt.Errorf("db: audit reads: store closed")
	case <-ctx.Done():
		return fmt.Errorf("db: audit reads: %w", ctx.Err())
	}
	select {
	case err := <-r.done:
		if err != nil {
			return fmt.Errorf("db: audit reads: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("db: audit reads: %w", ctx.Err())
	}
}

// auditRequest is one request's read entries, waiting for their commit.
type auditRequest struct {
	ctx     context.Context // the request's values (request id, operation), without its cancellation
	p       *model.Principal
	entries []AuditEntry
	done    chan error
}

// auditBatch bounds the requests committed together.
const auditBatch = 64

// auditWriter commits the queued read entries: whatever has queued while the previous
// transaction ran goes into the next one.
func (s *Store) auditWriter() {
	for {
		var first auditRequest
		select {
		case first = <-s.auditQueue:
		case <-s.closed:
			return
		}
		batch := []auditRequest{first}
	drain:
		for len(batch) < auditBatch {
			select {
			case r := <-s.auditQueue:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		err := s.WithTx(context.Background(), func(tx *Tx) error {
			return tx.auditAll(batch[0].ctx, batch) // statements traced with the first request
		})
		for _, r := range batch {
			r.done <- err
		}
	}
}

// AuditChainReport is the outcome of VerifyAuditChain.
type AuditChainReport struct {
	Checked  int   // entries whose hash was recomputed
	Keyed    int   // of which keyed (HMAC)
	Count    int64 // entries in the chain, purged ones included
	BrokenAt int64 // id of the first entry that does not verify; 0 when the chain holds
	Reason   string
	Anchored bool // an anchor was given and the chain reaches it with its hash
}

// VerifyAuditChain recomputes the hash chain of the audit log in id order, starting from
// the anchor left by the last purge (or the zero hash), and reports the first entry whose
// stored hash or link does not match: a modified, inserted or deleted row breaks it.
// Keyed entries are checked with s.AuditKey, and must follow the unkeyed ones (written
// before the key existed), never precede them; their ordinals must count on.
//
// anchor, when not nil, is the head recorded outside the database (AuditAnchorFile): the
// entry of ordinal anchor.Count must be there with anchor.Hash. Without it, deleting the
// newest entries leaves a shorter chain that still verifies; with it, the truncation is
// reported (BrokenAt is then -1: the missing entries have no id).
func (s *Store) VerifyAuditChain(ctx context.Context, anchor *AuditHead) (AuditChainReport, error) {
	var rep AuditChainReport
	err := s.readTx(ctx, func(tx *Tx) error {
		prev := make([]byte, sha256.Size)
		var purge struct {
			Hash    []byte `db:"last_purged_hash"`
			Entries int64  `db:"entries"`
		}
		err := tx.GetContext(ctx, &purge, `
			SELECT last_purged_hash, (SELECT coalesce(sum(entries), 0) FROM audit_purges) AS entries
			FROM audit_purges ORDER BY id DESC LIMIT 1`)
		switch {
		case err == nil:
			prev = purge.Hash
			rep.Count = purge.Entries
		case !isNoRows(err):
			return err
		}
		if anchor != nil && anchor.Count == rep.Count && anchor.Count > 0 {
			// The anchored head was purged last: the purge's anchor must be it.
			rep.Anchored = hmac.Equal(anchor.Hash, prev)
		}
		rows, err := tx.QueryxContext(ctx, `
			SELECT id, at, actor_subject, actor_email, actor_role, coalesce(actor_structure_id::text, '') AS actor_structure,
			       request_id, operation, client_addr, action, entity_type, entity_id, entity_ids, departments,
			       changes::text AS changes, prev_hash, hash, keyed, seq
			FROM audit_log ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r auditRow
			if err := rows.StructScan(&r); err != nil {
				return err
			}
			rep.Checked++
			rep.Count++
			switch {
			case !bytes.Equal(r.PrevHash, prev):
				rep.BrokenAt, rep.Reason = r.ID, "le lien vers l'entrée précédente est rompu (entrée supprimée ou insérée)"
				return nil
			case !r.Keyed && rep.Keyed > 0:
				rep.BrokenAt, rep.Reason = r.ID, "entrée sans clé après le début de la chaîne à clé (entrée insérée ou réécrite)"
				return nil
			case r.Keyed && s.AuditKey == nil:
				return fmt.Errorf("entry %d is keyed: the audit key (AGIR_AUDIT_KEY) is needed to verify it", r.ID)
			case r.Keyed && (!r.Seq.Valid || r.Seq.Int64 != rep.Count):
				rep.BrokenAt, rep.Reason = r.ID, fmt.Sprintf("rang %d dans la chaîne, %d attendu (entrée supprimée ou insérée)", r.Seq.Int64, rep.Count)
				return nil
			case !hmac.Equal(r.hash(prev, s.AuditKey), r.Hash):
				rep.BrokenAt, rep.Reason = r.ID, "le contenu de l'entrée a été modifié"
				return nil
			}
			if r.Keyed {
				rep.Keyed++
			}
			if anchor != nil && rep.Count == anchor.Count {
				if !hmac.Equal(r.Hash, anchor.Hash) {
					rep.BrokenAt, rep.Reason = r.ID, "l'entrée attestée par l'ancre a été remplacée (journal tronqué puis réécrit)"
					return nil
				}
				rep.Anchored = true
			}
			prev = r.Hash
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if anchor != nil && rep.Count < anchor.Count {
			rep.BrokenAt = -1
			rep.Reason = fmt.Sprintf("journal tronqué : l'ancre atteste %d entrées, la chaîne en compte %d (les plus récentes ont été supprimées)",
				anchor.Count, rep.Count)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("db: verify audit chain: %w", err)
	}
	return rep, nil
}

// PurgeAudit deletes the audit entries older than before and records the hash of the last
// one removed, so that VerifyAuditChain still holds. It returns how many were removed.
func (s *Store) PurgeAudit(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
			return err
		}
		var last struct {
			ID   int64  `db:"id"`
			Hash []byte `db:"hash"`
		}
		err := tx.GetContext(ctx, &last, `SELECT id, hash FROM audit_log WHERE at < $1 ORDER BY id DESC LIMIT 1`, before)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE id <= $1`, last.ID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_purges (at, purged_before, last_purged_id, last_purged_hash, entries)
			VALUES ($1, $2, $3, $4, $5)`, tx.Now, before, last.ID, last.Hash, n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("db: purge audit: %w", err)
	}
	return n, nil
}

// AuditLogFilter restricts AuditLog.
type AuditLogFilter struct {
	EntityType   *string
	EntityID     *string
	ActorSubject *string
	From, To     *time.Time
}

// AuditLog returns a page of the audit log, newest first, within the caller's scope:
// everything for an admin, the entries about its territory for a coordinator, nothing
// for other roles.
func (s *Store) AuditLog(ctx context.Context, p *model.Principal, f AuditLogFilter, page model.Page, wantTotal bool) (model.Connection[model.AuditLogEntry], error) {
	q := pageQuery{
		Select: `a.id, a.at, a.actor_subject, a.actor_email, a.actor_role, coalesce(a.actor_structure_id::text, '') AS actor_structure,
			a.request_id, a.operation, a.client_addr, a.action, a.entity_type, a.entity_id, a.entity_ids, a.departments, a.changes::text AS changes`,
		From:  "audit_log a",
		Order: keyset{Expr: "a.id", Type: "bigint", ID: "a.id", IDType: "bigint", Desc: true},
	}
	add := func(cond string, v any) {
		q.Args = append(q.Args, v)
		q.Where = append(q.Where, fmt.Sprintf(cond, len(q.Args)))
	}
	switch p.Role {
	case model.RoleAdmin:
	case model.RoleCoordinator:
		add("a.departments && $%d", model.NonNilStrings(p.Departments))
	default:
		return model.Connection[model.AuditLogEntry]{}, model.ErrForbidden()
	}
	if f.EntityType != nil {
		add("a.entity_type = $%d", *f.EntityType)
	}
	if f.EntityID != nil {
		// The entries about this object alone, and the reads of pages that list it.
		q.Args = append(q.Args, *f.EntityID)
		q.Where = append(q.Where, fmt.Sprintf("(a.entity_id = $%d OR a.entity_ids @> ARRAY[$%[1]d::text])", len(q.Args)))
	}
	if f.ActorSubject != nil {
		add("a.actor_subject = $%d", *f.ActorSubject)
	}
	if f.From != nil {
		add("a.at >= $%d", *f.From)
	}
	if f.To != nil {
		add("a.at < $%d", *f.To)
	}
	var conn model.Connection[model.AuditLogEntry]
	err := s.readTx(ctx, func(tx *Tx) (err error) {
		conn, err = fetchPage(ctx, tx, q, page, wantTotal,
			func(r auditRow) (string, string) { id := fmt.Sprint(r.ID); return id, id },
			func(r auditRow) model.AuditLogEntry {
				return model.AuditLogEntry{Key: r.ID, At: r.At, ActorSubject: r.ActorSubject, ActorEmail: r.ActorEmail,
					ActorRole: model.Role(r.ActorRole), ActorStructureKey: r.ActorStructure, RequestID: r.RequestID,
					Operation: r.Operation, ClientAddr: r.ClientAddr, Action: r.Action, EntityType: r.EntityType,
					EntityKey: r.EntityID, EntityKeys: []string(r.EntityIDs), Departments: []string(r.Departments), Changes: r.Changes}
			})
		return err
	})
	if err != nil {
		return conn, fmt.Errorf("db: audit log: %w", err)
	}
	return conn, nil
}
