-- Audit log: every read of a beneficiary's personal data and every write, chained by hash.

-- +goose Up
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL,
    actor_subject text NOT NULL,
    actor_email   text NOT NULL DEFAULT '',
    actor_role    text NOT NULL,
    actor_structure_id uuid,
    request_id    text NOT NULL DEFAULT '',
    operation     text NOT NULL DEFAULT '',
    client_addr   text NOT NULL DEFAULT '',
    action        text NOT NULL,            -- e.g. 'read', 'create', 'update', or the act's mutation name
    entity_type   text NOT NULL,            -- GraphQL type name, e.g. 'Beneficiary'
    entity_id     text NOT NULL,            -- database key
    departments   text[] NOT NULL DEFAULT '{}', -- departments the entity belongs to (coordinators' scope)
    changes       jsonb NOT NULL DEFAULT '{}', -- {"field": {"before": ..., "after": ...}} or {"fields": [...]} for reads
    prev_hash     bytea NOT NULL,
    hash          bytea NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, at);
CREATE INDEX audit_log_departments_idx ON audit_log USING gin (departments);

-- +goose Down
DROP TABLE audit_log;
