-- Data protection (issue 7, DESIGN §6): the beneficiary's consents, and the anonymisation
-- of a person (on request, « droit à l'effacement », or automatically after the journey
-- is closed).

-- +goose Up
-- Consents given by a beneficiary, with date and scope. The consent to the engagement
-- contract is the one recorded with the contract (engagement_contracts), not repeated
-- here; a withdrawn consent is kept with its withdrawal day.
CREATE TABLE consents (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id   uuid NOT NULL REFERENCES beneficiaries (id),
    kind             text NOT NULL CONSTRAINT consents_kind_check CHECK (kind IN ('SHARE_WITH_PARTNERS')),
    scope            text NOT NULL CONSTRAINT consents_scope_check CHECK (length(btrim(scope)) BETWEEN 1 AND 500),
    given_on         date NOT NULL,
    withdrawn_on     date,
    recorded_by      text NOT NULL,
    recorded_by_structure_id uuid REFERENCES structures (id),
    withdrawn_by     text,
    created_at       timestamptz NOT NULL,
    CONSTRAINT consents_withdrawal_check CHECK (withdrawn_on IS NULL OR (withdrawn_on >= given_on AND withdrawn_by IS NOT NULL))
);
-- At most one consent of each kind in force per beneficiary.
CREATE UNIQUE INDEX consents_active_key ON consents (beneficiary_id, kind) WHERE withdrawn_on IS NULL;
CREATE INDEX consents_beneficiary_idx ON consents (beneficiary_id, given_on);

-- Anonymisation: the day it was done; an anonymised person has no contact details left
-- (an act cannot give them back).
ALTER TABLE beneficiaries ADD COLUMN anonymised_at timestamptz;
ALTER TABLE beneficiaries ADD CONSTRAINT beneficiaries_anonymised_check
    CHECK (anonymised_at IS NULL OR (phone IS NULL AND email IS NULL AND address IS NULL));
CREATE INDEX beneficiaries_closed_idx ON beneficiaries (phase) WHERE anonymised_at IS NULL;

-- Why and how each person was anonymised (the reason is the coordinator's, never the
-- person's data).
CREATE TABLE erasures (
    beneficiary_id uuid PRIMARY KEY REFERENCES beneficiaries (id),
    kind           text NOT NULL CONSTRAINT erasures_kind_check CHECK (kind IN ('REQUEST', 'AUTOMATIC')),
    reason         text NOT NULL CONSTRAINT erasures_reason_check CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    erased_at      timestamptz NOT NULL,
    erased_by      text NOT NULL
);

-- +goose Down
DROP TABLE erasures;
DROP INDEX beneficiaries_closed_idx;
ALTER TABLE beneficiaries DROP CONSTRAINT beneficiaries_anonymised_check;
ALTER TABLE beneficiaries DROP COLUMN anonymised_at;
DROP TABLE consents;
