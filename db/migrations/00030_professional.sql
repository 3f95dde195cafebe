-- Professional module: socio-professional pre-diagnostic, French level, orientations to
-- partners, support actions and outcomes (« accompagnement vers l'emploi et la formation »).
-- Records are append-only except orientations, whose status moves on (with a version).

-- +goose Up
CREATE TABLE professional_diagnostics (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id      uuid NOT NULL REFERENCES beneficiaries (id),
    assessed_on         date NOT NULL,
    education_level     text NOT NULL CHECK (education_level IN ('NO_SCHOOLING', 'PRIMARY', 'LOWER_SECONDARY',
                            'UPPER_SECONDARY', 'SHORT_HIGHER', 'BACHELOR', 'MASTER', 'DOCTORATE')),
    years_of_schooling  integer CHECK (years_of_schooling BETWEEN 0 AND 30),
    diplomas            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(diplomas) = 'array'),
    experiences         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(experiences) = 'array'),
    skills              text[] NOT NULL DEFAULT '{}',
    target_jobs         text[] NOT NULL DEFAULT '{}',
    barriers            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(barriers) = 'array'),
    author_subject      text NOT NULL,
    author_structure_id uuid REFERENCES structures (id),
    created_at          timestamptz NOT NULL
);
CREATE INDEX professional_diagnostics_beneficiary_idx ON professional_diagnostics (beneficiary_id, assessed_on DESC, created_at DESC);

CREATE TABLE french_levels (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id            uuid NOT NULL REFERENCES beneficiaries (id),
    level                     text NOT NULL,
    assessed_on               date NOT NULL,
    source                    text NOT NULL CHECK (source IN ('OFII_CIR_TEST', 'TRAINING_BODY', 'INSERTION_COUNSELLOR', 'CERTIFICATION', 'OTHER')),
    training_hours_prescribed integer NOT NULL DEFAULT 0,
    training_hours_done       integer NOT NULL DEFAULT 0,
    author_subject            text NOT NULL,
    author_structure_id       uuid REFERENCES structures (id),
    created_at                timestamptz NOT NULL,
    CONSTRAINT french_levels_level_check CHECK (level IN ('BELOW_A1', 'A1', 'A2', 'B1', 'B2', 'C1', 'C2')),
    CONSTRAINT french_levels_hours_check CHECK (training_hours_prescribed BETWEEN 0 AND 2000 AND training_hours_done BETWEEN 0 AND 2000)
);
CREATE INDEX french_levels_beneficiary_idx ON french_levels (beneficiary_id, assessed_on, created_at);

-- Orientations: the owner is structure_id (the partner that answers; the offer's structure
-- when oriented to an offer). offer_id references offers(id) of the partnership module:
-- the foreign key is added when both modules are merged.
CREATE TABLE orientations (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version                  integer NOT NULL DEFAULT 1,
    beneficiary_id           uuid NOT NULL REFERENCES beneficiaries (id),
    kind                     text NOT NULL CHECK (kind IN ('FRENCH_COURSE', 'QUALIFYING_TRAINING', 'INSERTION_SCHEME',
                                 'FRANCE_TRAVAIL', 'APPRENTICESHIP', 'JOB_SEARCH_SUPPORT')),
    structure_id             uuid NOT NULL REFERENCES structures (id),
    offer_id                 uuid,
    purpose                  text NOT NULL CHECK (length(btrim(purpose)) BETWEEN 1 AND 1000),
    oriented_on              date NOT NULL,
    answer_due_on            date NOT NULL,
    status                   text NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'REFUSED', 'STARTED', 'COMPLETED', 'ABANDONED')),
    answered_on              date,
    answered_by              text,
    refusal_reason           text,
    started_on               date,
    ended_on                 date,
    abandon_reason           text,
    oriented_by_subject      text NOT NULL,
    oriented_by_structure_id uuid REFERENCES structures (id),
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    CONSTRAINT orientations_due_check CHECK (answer_due_on >= oriented_on),
    CONSTRAINT orientations_answer_check CHECK ((status = 'PENDING') = (answered_on IS NULL)),
    CONSTRAINT orientations_refusal_check CHECK ((status = 'REFUSED') = (refusal_reason IS NOT NULL)),
    CONSTRAINT orientations_started_check CHECK ((status IN ('STARTED', 'COMPLETED')) <= (started_on IS NOT NULL)),
    CONSTRAINT orientations_ended_check CHECK ((status IN ('COMPLETED', 'ABANDONED')) = (ended_on IS NOT NULL)),
    CONSTRAINT orientations_abandon_check CHECK ((status = 'ABANDONED') = (abandon_reason IS NOT NULL))
);
CREATE INDEX orientations_structure_idx ON orientations (structure_id, answer_due_on, id);
CREATE INDEX orientations_beneficiary_idx ON orientations (beneficiary_id, oriented_on);
CREATE INDEX orientations_due_idx ON orientations (answer_due_on, id);
CREATE INDEX orientations_pending_idx ON orientations (answer_due_on) WHERE status = 'PENDING';

CREATE TABLE support_actions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id      uuid NOT NULL REFERENCES beneficiaries (id),
    kind                text NOT NULL CHECK (kind IN ('CV_WRITING', 'INTERVIEW_SIMULATION', 'JOB_SEARCH', 'INTERNSHIP_SEARCH',
                            'WORK_IMMERSION_SEARCH', 'EMPLOYER_MEETING')),
    held_on             date NOT NULL,
    result              text CHECK (length(result) <= 2000),
    author_subject      text NOT NULL,
    author_staff_id     uuid REFERENCES staff_members (id),
    author_structure_id uuid REFERENCES structures (id),
    created_at          timestamptz NOT NULL
);
CREATE INDEX support_actions_beneficiary_idx ON support_actions (beneficiary_id, held_on);

CREATE TABLE outcomes (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id      uuid NOT NULL REFERENCES beneficiaries (id),
    kind                text NOT NULL CHECK (kind IN ('EMPLOYMENT', 'QUALIFYING_TRAINING', 'FRANCE_TRAVAIL_REGISTRATION')),
    contract_type       text CHECK (contract_type IN ('CDI', 'CDD_6_MONTHS_OR_MORE', 'CDD_UNDER_6_MONTHS', 'TEMPORARY',
                            'INSERTION', 'APPRENTICESHIP', 'SELF_EMPLOYED')),
    weekly_hours        integer CHECK (weekly_hours BETWEEN 1 AND 48),
    job_title           text,
    employer_sector     text,
    training_title      text,
    certification_level text CHECK (certification_level IN ('LEVEL_3', 'LEVEL_4', 'LEVEL_5', 'LEVEL_6', 'LEVEL_7', 'LEVEL_8')),
    starts_on           date NOT NULL,
    ends_on             date,
    author_subject      text NOT NULL,
    author_structure_id uuid REFERENCES structures (id),
    created_at          timestamptz NOT NULL,
    CONSTRAINT outcomes_period_check CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CONSTRAINT outcomes_contract_check CHECK ((kind = 'EMPLOYMENT') = (contract_type IS NOT NULL)),
    CONSTRAINT outcomes_training_check CHECK ((kind = 'QUALIFYING_TRAINING') = (training_title IS NOT NULL))
);
CREATE INDEX outcomes_beneficiary_idx ON outcomes (beneficiary_id, starts_on);
CREATE INDEX outcomes_starts_idx ON outcomes (starts_on, id);

-- +goose Down
DROP TABLE outcomes;
DROP TABLE support_actions;
DROP TABLE orientations;
DROP TABLE french_levels;
DROP TABLE professional_diagnostics;
