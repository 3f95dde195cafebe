-- Reads of a page are one audit entry (issue 9): the entry lists every object read with
-- the same fields in entity_ids, instead of one entry per row. A page of 50 beneficiaries
-- was 50 chained rows written before the answer left; it is now one.
--
-- entity_id keeps the first of them, so that readers of the log written before see an
-- object; entries about one object (every write, a read of one record) leave entity_ids
-- empty, and their hash is the one earlier versions computed. "Who read this person" is
-- entity_id = k OR entity_ids @> {k}: the first by audit_log_entity_idx, the second by
-- the inverted index below.

-- +goose Up
ALTER TABLE audit_log ADD COLUMN entity_ids text[] NOT NULL DEFAULT '{}';
CREATE INDEX audit_log_entity_ids_idx ON audit_log USING gin (entity_ids);

-- +goose Down
-- Dropping entity_ids would lose which people each page read covered, and break the hash
-- chain at the first of them: refused once there is one.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_log WHERE entity_ids <> '{}') THEN
        RAISE EXCEPTION 'audit_log holds page reads (entity_ids): rolling back 00080 would lose them and break the hash chain';
    END IF;
END
$$;
-- +goose StatementEnd
DROP INDEX audit_log_entity_ids_idx;
ALTER TABLE audit_log DROP COLUMN entity_ids;
