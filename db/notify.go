package db

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// Channels of the real-time events (PostgreSQL NOTIFY channels). An act that changes
// what a channel reports publishes its event in its own transaction (tx.publish, or
// Notify): the event is written to the outbox (event_outbox) and notified when the
// transaction commits, never when it rolls back.
const (
	ChannelOfferMap          = "agir_offer_map"          // model.OfferMapEvent: an offer of the map changed
	ChannelAlert             = "agir_alert"              // model.AlertEvent: an alert was raised
	ChannelAlertCleared      = "agir_alert_cleared"      // model.AlertEvent: an alert ended
	ChannelOrientation       = "agir_orientation"        // model.OrientationEvent: a partner answered an orientation to an offer
	ChannelOrientationChange = "agir_orientation_change" // model.OrientationChange: an orientation was sent, answered or is overdue
)

// Channels lists every channel a Broker listens to.
var Channels = []string{ChannelOfferMap, ChannelAlert, ChannelAlertCleared, ChannelOrientation, ChannelOrientationChange}

// maxNotifyPayload is PostgreSQL's limit on a NOTIFY payload (8000 bytes) with a margin
// for the envelope ({"id":…,"payload":…}).
const maxNotifyPayload = 7900

// Event is one real-time event as the outbox keeps it: its id (increasing in commit
// order), its channel and its JSON payload.
type Event struct {
	ID      int64           `db:"id" json:"id"`
	Channel string          `db:"channel" json:"-"`
	Payload json.RawMessage `db:"payload" json:"payload"`
}

// pendingEvent is an event published in a transaction, written to the outbox just
// before the commit.
type pendingEvent struct {
	channel, department, dedupe string
	payload                     []byte
}

// Notify publishes payload (JSON-encoded) on channel within tx (in a transaction of its
// own when tx is nil); see Tx.Notify.
func (s *Store) Notify(ctx context.Context, tx *Tx, channel string, payload any) error {
	if tx == nil {
		return s.WithTx(ctx, func(tx *Tx) error { return tx.Notify(ctx, channel, payload) })
	}
	return tx.Notify(ctx, channel, payload)
}

// Notify publishes payload on channel when tx commits: the event is written to the outbox
// with the department the payload names (its "department" member) and notified to every
// listening instance. Payloads carry identifiers and the facts subscribers filter on,
// never personal data (they are readable by any session that listens).
func (tx *Tx) Notify(ctx context.Context, channel string, payload any) error {
	return tx.publish(channel, "", payload)
}

// publish queues payload on channel for the commit of tx; dedupe, when not empty, makes
// the event unique: a second event with the same key is not written (events raised by
// the clock, which several instances may raise).
func (tx *Tx) publish(channel, dedupe string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("db: event %s: %w", channel, err)
	}
	if len(b) > maxNotifyPayload {
		return fmt.Errorf("db: event %s: payload of %d bytes, %d at most", channel, len(b), maxNotifyPayload)
	}
	var scope struct {
		Department string `json:"department"`
	}
	if err := json.Unmarshal(b, &scope); err != nil {
		return fmt.Errorf("db: event %s: %w", channel, err)
	}
	tx.mu.Lock()
	tx.events = append(tx.events, pendingEvent{channel: channel, department: scope.Department, dedupe: dedupe, payload: b})
	tx.mu.Unlock()
	return nil
}

// flushEvents writes the transaction's events to the outbox and notifies them (delivered
// at commit). It holds the audit lock to the commit, as the audit does: events are then
// numbered in commit order, so that "every event after id N" is exact for a client that
// saw N, and for a listener that reconnects.
func (tx *Tx) flushEvents(ctx context.Context) error {
	if len(tx.events) == 0 {
		return nil
	}
	n := len(tx.events)
	channels, departments, dedupes, payloads := make([]string, n), make([]*string, n), make([]*string, n), make([]string, n)
	for i, e := range tx.events {
		channels[i], payloads[i] = e.channel, string(e.payload)
		if e.department != "" {
			departments[i] = &e.department
		}
		if e.dedupe != "" {
			dedupes[i] = &e.dedupe
		}
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey); err != nil {
		return fmt.Errorf("events lock: %w", err)
	}
	_, err := tx.ExecContext(ctx, `
		WITH e AS (
			INSERT INTO event_outbox (channel, department, dedupe_key, payload, created_at)
			SELECT c, d, k, p::jsonb, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(c, d, k, p, n)
			ORDER BY n
			ON CONFLICT (dedupe_key) DO NOTHING
			RETURNING id, channel, payload)
		SELECT count(pg_notify(channel, json_build_object('id', id, 'payload', payload)::text)) FROM e`,
		channels, departments, dedupes, payloads, tx.Now)
	if err != nil {
		return fmt.Errorf("events: %w", err)
	}
	tx.events = nil
	return nil
}

// EventsAfter returns the events of channel with an id above after, in id order, at most
// limit, those of department only when department is not empty. When the events after
// after are no longer all kept (purged past the retention), it returns an
// EVENTS_EXPIRED error: the caller must reload instead.
func (s *Store) EventsAfter(ctx context.Context, channel, department string, after int64, limit int) ([]Event, error) {
	var out []Event
	err := s.lazyRead(ctx, s.db, func(tx *Tx) error {
		var rows []struct {
			Event
			Horizon int64 `db:"horizon"`
		}
		// The horizon in the same statement: an event read is one the purge had not reached.
		err := tx.SelectContext(ctx, &rows, `
			SELECT h.purged_through AS horizon, COALESCE(e.id, 0) AS id, COALESCE(e.channel, '') AS channel, COALESCE(e.payload, 'null') AS payload
			FROM outbox_horizon h
			LEFT JOIN LATERAL (SELECT id, channel, payload FROM event_outbox
				WHERE channel = $1 AND id > $2 AND ($3 = '' OR department = $3) ORDER BY id LIMIT $4) e ON TRUE`,
			channel, after, department, limit)
		if err != nil {
			return fmt.Errorf("events after %d: %w", after, err)
		}
		if len(rows) > 0 && after < rows[0].Horizon {
			return expired(after)
		}
		for _, r := range rows {
			if r.ID != 0 {
				out = append(out, r.Event)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("db: %w", err)
	}
	return out, nil
}

func expired(after int64) error {
	return model.Errorf(model.CodeEventsExpired, model.Path("after"),
		"les événements qui suivent %d ne sont plus conservés : rechargez les données, puis abonnez-vous sans « after »", after)
}

// allEventsAfter returns the events of every channel after after, in id order, at most
// limit (the listener's catch-up).
func (s *Store) allEventsAfter(ctx context.Context, after int64, limit int) ([]Event, error) {
	var out []Event
	err := s.db.SelectContext(ctx, &out, `SELECT id, channel, payload FROM event_outbox WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("db: events after %d: %w", after, err)
	}
	return out, nil
}

// LastEventID returns the id of the last event written (0 when none).
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, `SELECT GREATEST((SELECT max(id) FROM event_outbox), (SELECT purged_through FROM outbox_horizon), 0)`); err != nil {
		return 0, fmt.Errorf("db: last event: %w", err)
	}
	return id, nil
}

// PurgeEvents removes the events written before cutoff (the outbox retention) and moves
// the horizon to the last id removed; it returns how many were removed.
func (s *Store) PurgeEvents(ctx context.Context, cutoff time.Time) (int, error) {
	var n int
	err := s.WithTx(ctx, func(tx *Tx) error {
		return tx.GetContext(ctx, &n, `
			WITH gone AS (DELETE FROM event_outbox WHERE created_at < $1 RETURNING id),
			moved AS (UPDATE outbox_horizon SET purged_through = GREATEST(purged_through, (SELECT max(id) FROM gone))
				WHERE EXISTS (SELECT 1 FROM gone) RETURNING 1)
			SELECT count(*) FROM gone, (SELECT count(*) FROM moved) m`, cutoff)
	})
	if err != nil {
		return 0, fmt.Errorf("db: purge events: %w", err)
	}
	return n, nil
}

// Broker listens to the real-time channels on one dedicated connection (LISTEN) and fans
// each event out to the subscribers of its channel in this process. Every instance runs
// its own Broker, so an event published through any instance reaches the subscribers of
// all. When the connection is lost and re-established, the broker reads the outbox from
// the last event it delivered, so that nothing committed meanwhile is missed; a
// subscriber too slow to keep up is cut off (its channel closed, Lagged set) and
// resumes from the outbox itself.
type Broker struct {
	cfg    *pgx.ConnConfig // the listening connection's
	store  *Store
	logger *slog.Logger
	cancel context.CancelFunc // ends the listening connection's wait (Close)

	mu      sync.Mutex
	subs    map[string]map[*Subscription]struct{}
	last    int64 // id of the last event delivered (or caught up)
	dropped int64
	done    chan struct{}
	closing chan struct{}
}

// Subscription is one subscriber's stream of the events of a channel.
type Subscription struct {
	// C delivers the events after From, in id order; it is closed when the subscriber
	// fell behind (Lagged) or the broker closed.
	C <-chan Event
	// From is the id of the last event delivered before the subscription began: the
	// events of C all have greater ids.
	From int64

	ch      chan Event
	lagged  atomic.Bool
	cancel  func()
	channel string
}

// Lagged reports whether C was closed because the subscriber fell behind: it then reads
// the outbox from the last event it handled (Store.EventsAfter) and subscribes again.
func (s *Subscription) Lagged() bool { return s.lagged.Load() }

// Close ends the subscription.
func (s *Subscription) Close() { s.cancel() }

// subscriberBuffer is the number of events a slow subscriber may lag behind before it is
// cut off (and resumes from the outbox).
const subscriberBuffer = 64

// catchUpPage is the number of events read at once from the outbox.
const catchUpPage = 500

// NewBroker connects a listener to the database at url, listens to Channels, and reads
// the missed events from store after a reconnection.
func NewBroker(ctx context.Context, url string, store *Store, logger *slog.Logger) (*Broker, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: listen: %w", err)
	}
	b := &Broker{cfg: cfg, store: store, logger: logger, subs: map[string]map[*Subscription]struct{}{},
		done: make(chan struct{}), closing: make(chan struct{})}
	conn, err := b.listen(ctx)
	if err != nil {
		return nil, err
	}
	// Listening first, then the last id: an event committed in between is notified and
	// skipped as already seen; no subscriber exists yet to miss it.
	last, err := store.LastEventID(ctx)
	if err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	b.last = last
	runCtx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	go b.run(runCtx, conn)
	return b, nil
}

// listen opens the dedicated connection and listens to Channels on it.
func (b *Broker) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, b.cfg)
	if err != nil {
		return nil, fmt.Errorf("db: listen: %w", err)
	}
	for _, ch := range Channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			conn.Close(context.Background())
			return nil, fmt.Errorf("db: listen %s: %w", ch, err)
		}
	}
	return conn, nil
}

// Listener reconnection delays: the first retry, and the longest wait between two.
const (
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 2 * time.Second
)

// run delivers the notifications of conn; when the connection is lost, it connects
// again (listenRetryMin, doubling up to listenRetryMax) and reads the events missed
// from the outbox (catchUp), until Close.
func (b *Broker) run(ctx context.Context, conn *pgx.Conn) {
	defer close(b.done)
	defer b.closeAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			conn.Close(context.Background())
			if ctx.Err() != nil {
				return
			}
			b.logger.Warn("real time: listener disconnected", "err", err)
			if conn = b.reconnect(ctx); conn == nil {
				return
			}
			b.logger.Info("real time: listener reconnected; reading the events missed from the outbox")
			b.catchUp()
			continue
		}
		var e Event
		if err := json.Unmarshal([]byte(n.Payload), &e); err != nil || e.ID == 0 {
			b.logger.Warn("real time: undecodable notification", "channel", n.Channel, "err", err)
			continue
		}
		e.Channel = n.Channel
		b.deliver(e)
	}
}

// reconnect connects and listens again, retrying until it succeeds or ctx ends (nil).
func (b *Broker) reconnect(ctx context.Context) *pgx.Conn {
	for wait := listenRetryMin; ; wait = min(2*wait, listenRetryMax) {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		connectCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		conn, err := b.listen(connectCtx)
		cancel()
		if err == nil {
			return conn
		}
		if ctx.Err() != nil {
			return nil
		}
		b.logger.Warn("real time: listener connection failed", "err", err)
	}
}

// catchUp reads the outbox from the last event delivered and delivers what follows
// (after a reconnection), retrying until the database answers or the broker closes.
func (b *Broker) catchUp() {
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		b.mu.Lock()
		after := b.last
		b.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		events, err := b.store.allEventsAfter(ctx, after, catchUpPage)
		cancel()
		if err == nil {
			for _, e := range events {
				b.deliver(e)
			}
			if len(events) < catchUpPage {
				if len(events) > 0 {
					b.logger.Info("real time: events caught up from the outbox", "after", after, "count", len(events))
				}
				return
			}
			wait = 0
			continue
		}
		b.logger.Warn("real time: catching up from the outbox failed, retrying", "err", err)
		select {
		case <-b.closing:
			return
		case <-time.After(wait):
		}
	}
}

// deliver sends e to the subscribers of its channel, once: an event already delivered
// (notified and caught up) is skipped.
func (b *Broker) deliver(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e.ID <= b.last {
		return
	}
	b.last = e.ID
	for s := range b.subs[e.Channel] {
		select {
		case s.ch <- e:
		default:
			b.dropped++
			b.logger.Warn("real time: slow subscriber cut off; it resumes from the outbox", "channel", e.Channel)
			s.lagged.Store(true)
			b.remove(s)
		}
	}
}

// remove closes s and forgets it; b.mu is held.
func (b *Broker) remove(s *Subscription) {
	if _, ok := b.subs[s.channel][s]; ok {
		delete(b.subs[s.channel], s)
		close(s.ch)
	}
}

func (b *Broker) closeAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, subs := range b.subs {
		for s := range subs {
			b.remove(s)
		}
	}
}

// Subscribe returns a subscription to the events of channel, from the next event on.
func (b *Broker) Subscribe(channel string) *Subscription {
	ch := make(chan Event, subscriberBuffer)
	s := &Subscription{C: ch, ch: ch, channel: channel}
	b.mu.Lock()
	if b.subs[channel] == nil {
		b.subs[channel] = map[*Subscription]struct{}{}
	}
	b.subs[channel][s] = struct{}{}
	s.From = b.last
	b.mu.Unlock()
	var once sync.Once
	s.cancel = func() {
		once.Do(func() {
			b.mu.Lock()
			b.remove(s)
			b.mu.Unlock()
		})
	}
	return s
}

// LastDelivered returns the id of the last event the broker delivered.
func (b *Broker) LastDelivered() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// Close stops listening.
func (b *Broker) Close() error {
	close(b.closing)
	b.cancel()
	<-b.done
	return nil
}
