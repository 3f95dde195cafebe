-- Issue 15. OIDC identity by subject: a staff record is linked to the issuer and subject of
-- its first login (with a verified e-mail); later logins match them.
-- Keyed audit chain: entries written with the audit key (HMAC-SHA256) say so, and carry
-- their ordinal in the chain (purged entries counted) for the anchor kept outside the
-- database. Older entries stay as they were (unkeyed SHA-256, no ordinal): the keyed chain
-- continues from their last hash.

-- +goose Up
ALTER TABLE staff_members ADD COLUMN subject_issuer text;
DROP INDEX staff_members_subject_key;
CREATE UNIQUE INDEX staff_members_issuer_subject_key ON staff_members (coalesce(subject_issuer, ''), subject)
    WHERE subject IS NOT NULL;

ALTER TABLE audit_log ADD COLUMN keyed boolean NOT NULL DEFAULT false;
ALTER TABLE audit_log ADD COLUMN seq bigint;

-- +goose Down
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_log WHERE keyed) THEN
        RAISE EXCEPTION 'audit_log holds keyed entries: rolling back 00091 would make them unverifiable';
    END IF;
END
$$;
-- +goose StatementEnd
ALTER TABLE audit_log DROP COLUMN seq;
ALTER TABLE audit_log DROP COLUMN keyed;
DROP INDEX staff_members_issuer_subject_key;
CREATE UNIQUE INDEX staff_members_subject_key ON staff_members (subject) WHERE subject IS NOT NULL;
ALTER TABLE staff_members DROP COLUMN subject_issuer;
