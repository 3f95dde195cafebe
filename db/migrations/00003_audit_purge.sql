-- Purges of the audit log keep the chain verifiable: each purge records the hash of the
-- last entry it removed, which the first remaining entry must point to.

-- +goose Up
CREATE TABLE audit_purges (
    id               bigserial PRIMARY KEY,
    at               timestamptz NOT NULL,
    purged_before    timestamptz NOT NULL,
    last_purged_id   bigint NOT NULL,
    last_purged_hash bytea NOT NULL,
    entries          bigint NOT NULL
);

-- +goose Down
DROP TABLE audit_purges;
