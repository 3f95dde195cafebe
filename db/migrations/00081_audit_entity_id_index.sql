-- "Everything the audit log holds about these records" (the RGPD export of a person: its
-- records are of several types) is entity_id = ANY(keys) OR entity_ids && keys: the
-- first needs an index led by entity_id (audit_log_entity_idx leads with entity_type),
-- the second has audit_log_entity_ids_idx. With both, the export reads the person's
-- entries instead of the whole log.

-- +goose Up
CREATE INDEX audit_log_entity_id_idx ON audit_log (entity_id);

-- +goose Down
DROP INDEX audit_log_entity_id_idx;
