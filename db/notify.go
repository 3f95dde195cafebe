package db

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Channels of the real-time events (PostgreSQL NOTIFY channels). A module that changes
// what a channel reports calls Notify in the transaction of the change.
const (
	ChannelOfferMap    = "agir_offer_map"   // model.OfferMapEvent: an offer of the map changed
	ChannelAlert       = "agir_alert"       // model.AlertEvent: an alert was raised
	ChannelOrientation = "agir_orientation" // model.OrientationEvent: a partner answered an orientation
)

// Channels lists every channel a Broker listens to.
var Channels = []string{ChannelOfferMap, ChannelAlert, ChannelOrientation}

// maxNotifyPayload is PostgreSQL's limit on a NOTIFY payload (8000 bytes) with a margin.
const maxNotifyPayload = 7900

// Notify publishes payload (JSON-encoded) on channel within tx: PostgreSQL delivers it to
// every listening instance when tx commits, and never if it rolls back. Payloads carry
// identifiers and the facts subscribers filter on, never personal data (they are
// readable by any session that listens).
func (s *Store) Notify(ctx context.Context, tx *Tx, channel string, payload any) error {
	if tx == nil {
		return s.WithTx(ctx, func(tx *Tx) error { return tx.Notify(ctx, channel, payload) })
	}
	return tx.Notify(ctx, channel, payload)
}

// Notify publishes payload on channel when tx commits (see Store.Notify).
func (tx *Tx) Notify(ctx context.Context, channel string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("db: notify %s: %w", channel, err)
	}
	if len(b) > maxNotifyPayload {
		return fmt.Errorf("db: notify %s: payload of %d bytes, %d at most", channel, len(b), maxNotifyPayload)
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, string(b)); err != nil {
		return fmt.Errorf("db: notify %s: %w", channel, err)
	}
	return nil
}

// Broker listens to the real-time channels on one dedicated connection (LISTEN) and fans
// each notification out to the subscribers of its channel in this process. Every
// instance runs its own Broker, so an event published through any instance reaches the
// subscribers of all. Events arriving while the connection is re-established are lost.
type Broker struct {
	l      *pq.Listener
	logger *slog.Logger

	mu      sync.Mutex
	subs    map[string]map[*subscriber]struct{}
	dropped int64
	done    chan struct{}
}

type subscriber struct{ ch chan []byte }

// subscriberBuffer is the number of events a slow subscriber may lag behind before
// events are dropped for it.
const subscriberBuffer = 64

// NewBroker connects a listener to the database at url and listens to Channels.
func NewBroker(url string, logger *slog.Logger) (*Broker, error) {
	b := &Broker{logger: logger, subs: map[string]map[*subscriber]struct{}{}, done: make(chan struct{})}
	b.l = pq.NewListener(url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			logger.Warn("real time: listener disconnected", "err", err)
		case pq.ListenerEventReconnected:
			logger.Info("real time: listener reconnected (events published meanwhile are lost)")
		case pq.ListenerEventConnectionAttemptFailed:
			logger.Warn("real time: listener connection failed", "err", err)
		}
	})
	for _, ch := range Channels {
		if err := b.l.Listen(ch); err != nil {
			b.l.Close()
			return nil, fmt.Errorf("db: listen %s: %w", ch, err)
		}
	}
	go b.run()
	return b, nil
}

func (b *Broker) run() {
	defer close(b.done)
	for n := range b.l.NotificationChannel() {
		if n == nil {
			continue // reconnected
		}
		b.mu.Lock()
		for s := range b.subs[n.Channel] {
			select {
			case s.ch <- []byte(n.Extra):
			default:
				b.dropped++
				b.logger.Warn("real time: slow subscriber, event dropped", "channel", n.Channel)
			}
		}
		b.mu.Unlock()
	}
}

// Subscribe returns the events of channel (JSON payloads) until cancel is called.
func (b *Broker) Subscribe(channel string) (events <-chan []byte, cancel func()) {
	s := &subscriber{ch: make(chan []byte, subscriberBuffer)}
	b.mu.Lock()
	if b.subs[channel] == nil {
		b.subs[channel] = map[*subscriber]struct{}{}
	}
	b.subs[channel][s] = struct{}{}
	b.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs[channel], s)
			b.mu.Unlock()
		})
	}
}

// Close stops listening.
func (b *Broker) Close() error {
	err := b.l.Close()
	<-b.done
	return err
}
