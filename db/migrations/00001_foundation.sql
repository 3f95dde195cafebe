-- Foundation: structures of the network and their staff, the accounts the tokens map to.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS unaccent;

-- immutable_unaccent lets indexes and generated columns use unaccent (which is only STABLE
-- because its dictionary could change; ours never does).
CREATE FUNCTION immutable_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN public.unaccent('public.unaccent'::regdictionary, $1);

CREATE TABLE structures (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    agir_role   text NOT NULL CHECK (agir_role IN ('SOCIAL_OPERATOR', 'EMPLOYMENT_OPERATOR', 'COORDINATOR', 'LOCAL_PARTNER', 'STATE_SERVICE')),
    departments text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX structures_departments_idx ON structures USING gin (departments);
CREATE INDEX structures_created_idx ON structures (created_at, id);

CREATE TABLE staff_members (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    structure_id uuid NOT NULL REFERENCES structures (id),
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email        text NOT NULL CHECK (email LIKE '%_@_%'),
    subject      text,
    staff_role   text NOT NULL CHECK (staff_role IN ('SOCIAL_WORKER', 'INSERTION_COUNSELLOR', 'COORDINATOR',
                     'DISABILITY_REFERENT', 'PARTNER_EDITOR', 'ANALYST', 'STATE_REPRESENTATIVE', 'ADMIN')),
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_members_email_key ON staff_members (lower(email));
CREATE UNIQUE INDEX staff_members_subject_key ON staff_members (subject) WHERE subject IS NOT NULL;
CREATE INDEX staff_members_structure_idx ON staff_members (structure_id, created_at, id);

-- +goose Down
DROP TABLE staff_members;
DROP TABLE structures;
DROP FUNCTION immutable_unaccent(text);
