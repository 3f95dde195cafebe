package db

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

// TestBroker_DeliversAndReconnects: the broker delivers a committed event to the
// subscribers of its channel; when its listening connection is killed, it connects again
// and delivers what was committed meanwhile (read from the outbox) and after.
func TestBroker_DeliversAndReconnects(t *testing.T) {
	ctx := context.Background()
	url, s := newTestDatabase(t)
	b, err := NewBroker(ctx, url, s, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sub := b.Subscribe(ChannelAlert)
	publish := func(n int) {
		t.Helper()
		if err := s.Notify(ctx, nil, ChannelAlert, map[string]any{"department": "69", "n": n}); err != nil {
			t.Fatal(err)
		}
	}
	receive := func(n int) {
		t.Helper()
		select {
		case e, ok := <-sub.C:
			if !ok {
				t.Fatalf("event %d: subscription closed", n)
			}
			var p struct{ N int }
			if err := json.Unmarshal(e.Payload, &p); err != nil || p.N != n || e.Channel != ChannelAlert {
				t.Fatalf("event %d: got %s on %s (%v)", n, e.Payload, e.Channel, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("event %d not delivered", n)
		}
	}
	publish(1)
	receive(1)

	// the listener's connection is killed; an event is committed before it is back
	var killed int
	if err := s.db.GetContext(ctx, &killed, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN %'`); err != nil || killed != 1 {
		t.Fatalf("listener connections killed: %d, %v", killed, err)
	}
	publish(2)
	receive(2)
	publish(3)
	receive(3)
}
