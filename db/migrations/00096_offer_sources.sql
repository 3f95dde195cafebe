-- Sources of the offer map (issue 20): every structure and offer knows the channel it came
-- through (« origine »): entered here (`agir`), synchronised from data·inclusion's API or
-- Réfugiés.info, or imported from a file. Its producer and its id there stay in
-- (source, di_id). A partner may claim an imported structure it runs: from then on its
-- edits win and the synchronisation leaves the structure and its offers alone.
-- Synchronisation runs are kept with their report; duplicates of records entered here are
-- proposed to the coordination as merges instead of being created.

-- +goose Up
ALTER TABLE structures
    ADD COLUMN origin     text NOT NULL DEFAULT 'agir'
        CONSTRAINT structures_origin_check CHECK (origin IN ('agir', 'data-inclusion', 'refugies-info', 'file')),
    ADD COLUMN claimed_at timestamptz,
    ADD COLUMN claimed_by text,
    ADD CONSTRAINT structures_claim_check CHECK ((claimed_at IS NULL) = (claimed_by IS NULL));
UPDATE structures SET origin = 'file' WHERE source <> 'agir';

ALTER TABLE offers
    ADD COLUMN origin         text NOT NULL DEFAULT 'agir'
        CONSTRAINT offers_origin_check CHECK (origin IN ('agir', 'data-inclusion', 'refugies-info', 'file')),
    -- set when a synchronisation archived the offer because its source no longer lists it
    -- (as opposed to a coordinator hiding it): the offer comes back if the source does
    ADD COLUMN origin_gone_at timestamptz,
    -- the part of its source the offer was last synchronised with: a department, or
    -- `france` for national records; what a complete run of that part no longer lists is archived
    ADD COLUMN origin_scope   text;
UPDATE offers SET origin = 'file' WHERE source <> 'agir';
CREATE INDEX offers_origin_idx ON offers (origin, origin_scope) WHERE origin IN ('data-inclusion', 'refugies-info');
CREATE INDEX structures_siret_idx ON structures (siret) WHERE siret IS NOT NULL;

CREATE TABLE offer_sync_runs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    origin      text NOT NULL CHECK (origin IN ('data-inclusion', 'refugies-info')),
    department  text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    succeeded   boolean NOT NULL,
    error       text,
    created     integer NOT NULL DEFAULT 0,
    updated     integer NOT NULL DEFAULT 0,
    unchanged   integer NOT NULL DEFAULT 0,
    archived    integer NOT NULL DEFAULT 0,
    rejected    integer NOT NULL DEFAULT 0,
    proposed    integer NOT NULL DEFAULT 0,
    kept        integer NOT NULL DEFAULT 0,
    rows        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rows) = 'array')
);
CREATE INDEX offer_sync_runs_started_idx ON offer_sync_runs (started_at, id);
CREATE INDEX offer_sync_runs_origin_idx ON offer_sync_runs (origin, department, started_at);

CREATE TABLE offer_merge_proposals (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    origin       text NOT NULL CHECK (origin IN ('data-inclusion', 'refugies-info')),
    external_id  text NOT NULL,
    structure_id uuid NOT NULL REFERENCES structures (id),
    reason       text NOT NULL CHECK (reason IN ('SIRET_AND_ADDRESS', 'DECLARED_DUPLICATE')),
    record       jsonb NOT NULL,
    departments  text[] NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'PROPOSED' CHECK (status IN ('PROPOSED', 'MERGED', 'DISMISSED')),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT offer_merge_proposals_key UNIQUE (origin, external_id, structure_id)
);
CREATE INDEX offer_merge_proposals_structure_idx ON offer_merge_proposals (structure_id);

-- +goose Down
DROP TABLE offer_merge_proposals;
DROP TABLE offer_sync_runs;
DROP INDEX structures_siret_idx;
DROP INDEX offers_origin_idx;
ALTER TABLE offers DROP COLUMN origin_scope, DROP COLUMN origin_gone_at, DROP COLUMN origin;
ALTER TABLE structures DROP CONSTRAINT structures_claim_check, DROP COLUMN claimed_by, DROP COLUMN claimed_at, DROP COLUMN origin;
