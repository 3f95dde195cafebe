package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Idempotency is the Idempotency-Key of one request: the first act the request commits
// claims it in its own transaction (Claimed is then set).
type Idempotency struct {
	Subject, Key, Operation string
	Claimed                 bool
}

type idempotencyKey struct{}

// WithIdempotency makes the acts run under ctx claim the key k.
func WithIdempotency(ctx context.Context, k *Idempotency) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, k)
}

func idempotencyFrom(ctx context.Context) *Idempotency {
	k, _ := ctx.Value(idempotencyKey{}).(*Idempotency)
	return k
}

// claimIdempotencyKey records the request's key in tx (the act's transaction), once per
// request. A key already claimed (by an earlier request of the same caller) refuses the
// act: it was recorded already.
func (tx *Tx) claimIdempotencyKey(ctx context.Context) (*Idempotency, error) {
	k := idempotencyFrom(ctx)
	if k == nil || k.Claimed {
		return nil, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (subject, key, operation, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, k.Subject, k.Key, k.Operation, tx.Now)
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, model.Errorf(model.CodeAlreadyExists, nil,
			"cet acte a déjà été enregistré avec cette clé d'idempotence : rechargez les données au lieu de le renvoyer")
	}
	return k, nil
}

// committed tells, after a COMMIT whose answer was lost, whether it happened: the key the
// transaction claimed is there or not. It asks again for a few seconds while the
// database does not answer; found is meaningless when err is not nil.
func (s *Store) committed(k *Idempotency) (found bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		err = s.db.GetContext(ctx, &found, `SELECT EXISTS (SELECT 1 FROM idempotency_keys WHERE subject = $1 AND key = $2)`, k.Subject, k.Key)
		if err == nil || ctx.Err() != nil {
			return found, err
		}
		select {
		case <-ctx.Done():
			return false, err
		case <-time.After(wait):
		}
	}
}

// IdempotentResponse returns what was kept for the key of subject: the operation's hash
// and the response (nil when the act was recorded but its answer not kept).
func (s *Store) IdempotentResponse(ctx context.Context, subject, key string) (operation string, response []byte, found bool, err error) {
	var row struct {
		Operation string `db:"operation"`
		Response  []byte `db:"response"`
	}
	err = s.db.GetContext(ctx, &row, `SELECT operation, response FROM idempotency_keys WHERE subject = $1 AND key = $2`, subject, key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, translate(fmt.Errorf("db: idempotency key: %w", err))
	}
	return row.Operation, row.Response, true, nil
}

// KeepIdempotentResponse keeps the response of the act that claimed the key.
func (s *Store) KeepIdempotentResponse(ctx context.Context, subject, key string, response []byte) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE idempotency_keys SET response = $3 WHERE subject = $1 AND key = $2`,
		subject, key, string(response)); err != nil {
		return translate(fmt.Errorf("db: keep idempotent response: %w", err))
	}
	return nil
}

// PurgeIdempotencyKeys removes the keys older than cutoff.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("db: purge idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
