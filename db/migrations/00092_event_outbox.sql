-- Real-time events (issue 16): every act that changes what a subscription reports writes
-- its event here, in its own transaction, and NOTIFYs it on commit. The id orders the
-- events and is what a client sends back (`after:`) to resume where it stopped; the
-- server's listener reads the table again after it reconnects. Old events are purged by
-- the daily job; outbox_horizon keeps the last id purged, so that a client asking for
-- events older than that is told they are gone (EVENTS_EXPIRED) instead of missing them.

-- +goose Up
CREATE TABLE event_outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel     text NOT NULL,                -- the NOTIFY channel (db.Channel*)
    department  text,                         -- department the event concerns, for replays by scope
    payload     jsonb NOT NULL,               -- the event (model.*Event), audience keys included
    dedupe_key  text UNIQUE,                  -- events raised by the clock are written once
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_outbox_channel_idx ON event_outbox (channel, id);
CREATE INDEX event_outbox_created_idx ON event_outbox (created_at);

CREATE TABLE outbox_horizon (
    only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    purged_through bigint NOT NULL            -- every event with an id up to this one is purged
);
INSERT INTO outbox_horizon (purged_through) VALUES (0);

-- +goose Down
DROP TABLE outbox_horizon;
DROP TABLE event_outbox;
