-- Idempotent acts (issue 16): a mutation sent with an Idempotency-Key header claims the
-- key in the act's own transaction (the primary key makes the act happen once per key
-- and caller); the response is kept once answered, and a retry with the same key gets
-- it back without running anything. Keys are purged with the real-time events' retention.

-- +goose Up
CREATE TABLE idempotency_keys (
    subject     text NOT NULL,            -- the caller (token subject)
    key         text NOT NULL,            -- the client's Idempotency-Key
    operation   text NOT NULL,            -- hash of the operation and its variables
    response    text,                     -- the answer, byte for byte, once given
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
