-- Social module: beneficiaries and their households, the journey from OFII referral to the
-- follow-ups after exit, and the derived state (phase, alerts) maintained by the Store.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Departments where AGIR runs (« départements couverts »); eligibility requires one.
CREATE TABLE covered_departments (
    code          text PRIMARY KEY CHECK (code ~ '^([0-9]{2}|2A|2B|97[1-6])$'),
    name          text NOT NULL,
    covered_since date NOT NULL
);

CREATE TABLE beneficiaries (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    -- identity and contact
    first_name              text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name               text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    birth_date              date NOT NULL,
    sex                     text NOT NULL CHECK (sex IN ('FEMALE', 'MALE', 'UNSPECIFIED')),
    nationality             text NOT NULL CHECK (length(btrim(nationality)) BETWEEN 1 AND 100),
    languages               text[] NOT NULL DEFAULT '{}',
    phone                   text,
    email                   text,
    address                 text,
    search_name             text GENERATED ALWAYS AS (lower(immutable_unaccent(first_name || ' ' || last_name))) STORED,
    sort_name               text GENERATED ALWAYS AS (lower(immutable_unaccent(last_name || ' ' || first_name))) STORED,
    -- legal status
    protection_type         text NOT NULL CHECK (protection_type IN ('REFUGEE', 'SUBSIDIARY_PROTECTION', 'OTHER')),
    protection_granted_on   date,
    cir_signed_on           date,
    department              text NOT NULL,
    -- the structures following the beneficiary (scope of the workers)
    social_operator_id      uuid NOT NULL REFERENCES structures (id),
    employment_operator_id  uuid NOT NULL REFERENCES structures (id),
    -- referral by OFII
    referred_on             date NOT NULL,
    ofii_reference          text NOT NULL CHECK (length(btrim(ofii_reference)) BETWEEN 1 AND 50),
    admission               text NOT NULL CHECK (admission IN ('ELIGIBLE', 'EXCEPTIONAL')),
    eligibility             jsonb NOT NULL DEFAULT '[]',
    state_instruction_on    date,
    state_instruction_ref   text,
    ofii_agreement_on       date,
    admission_approved_by   text,
    -- derived from the facts by model.DeriveJourney, rewritten in every act's transaction
    phase                   text NOT NULL DEFAULT 'REFERRED' CHECK (phase IN ('REFERRED', 'CONVOKED', 'WELCOMED',
                                'CONTRACTED', 'EXITED', 'FOLLOW_UP', 'CLOSED', 'REINTEGRATED')),
    journey_starts_on       date,
    journey_ends_on         date,
    welcome_due_on          date,
    welcome_held_on         date,
    convocation_status      text,
    CONSTRAINT beneficiaries_exceptional_check CHECK (admission = 'ELIGIBLE' OR
        (state_instruction_on IS NOT NULL AND ofii_agreement_on IS NOT NULL AND admission_approved_by IS NOT NULL)),
    CONSTRAINT beneficiaries_birth_check CHECK (birth_date > '1900-01-01' AND birth_date <= referred_on)
);
CREATE UNIQUE INDEX beneficiaries_ofii_reference_key ON beneficiaries (ofii_reference);
CREATE INDEX beneficiaries_department_idx ON beneficiaries (department, referred_on, id);
CREATE INDEX beneficiaries_social_idx ON beneficiaries (social_operator_id, referred_on, id);
CREATE INDEX beneficiaries_employment_idx ON beneficiaries (employment_operator_id, referred_on, id);
CREATE INDEX beneficiaries_sort_name_idx ON beneficiaries (sort_name, id);
CREATE INDEX beneficiaries_phase_idx ON beneficiaries (phase, department);
CREATE INDEX beneficiaries_journey_end_idx ON beneficiaries ((COALESCE(journey_ends_on, DATE '9999-12-31')), id);
CREATE INDEX beneficiaries_search_idx ON beneficiaries USING gin (search_name gin_trgm_ops);

-- Joining family members (« rejoignants »), admitted through the principal BPI.
CREATE TABLE household_members (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id uuid NOT NULL REFERENCES beneficiaries (id),
    relationship   text NOT NULL CHECK (relationship IN ('SPOUSE', 'MINOR_CHILD', 'PARENT')),
    first_name     text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name      text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    birth_date     date NOT NULL,
    sex            text NOT NULL CHECK (sex IN ('FEMALE', 'MALE', 'UNSPECIFIED')),
    nationality    text NOT NULL,
    has_protection boolean NOT NULL DEFAULT false,
    joined_on      date NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE INDEX household_members_beneficiary_idx ON household_members (beneficiary_id, created_at);
-- At most one spouse per household.
CREATE UNIQUE INDEX household_members_one_spouse_key ON household_members (beneficiary_id) WHERE relationship = 'SPOUSE';

CREATE TABLE convocations (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id  uuid NOT NULL REFERENCES beneficiaries (id),
    appointment_at  timestamptz NOT NULL,
    address         text NOT NULL CHECK (length(btrim(address)) BETWEEN 1 AND 300),
    handed_over_on  date NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX convocations_beneficiary_idx ON convocations (beneficiary_id, created_at);

CREATE TABLE interviews (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version             integer NOT NULL DEFAULT 1,
    beneficiary_id      uuid NOT NULL REFERENCES beneficiaries (id),
    convocation_id      uuid REFERENCES convocations (id),
    kind                text NOT NULL CHECK (kind IN ('WELCOME', 'SOCIAL', 'PROFESSIONAL', 'EVALUATION', 'FOLLOW_UP')),
    medium              text NOT NULL CHECK (medium IN ('IN_PERSON', 'PHONE', 'VIDEO', 'HOME_VISIT')),
    planned_at          timestamptz NOT NULL,
    status              text NOT NULL CHECK (status IN ('PLANNED', 'HELD', 'NO_SHOW', 'EXCUSED', 'CANCELLED')),
    held_on             date,
    shared_note         text,
    private_note        text,
    author_subject      text NOT NULL,
    author_structure_id uuid REFERENCES structures (id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT interviews_held_check CHECK ((status = 'HELD') = (held_on IS NOT NULL))
);
CREATE INDEX interviews_beneficiary_idx ON interviews (beneficiary_id, planned_at DESC, id);

-- Diagnostic at welcome, one row per axis (« diagnostic »).
CREATE TABLE diagnostic_axes (
    beneficiary_id uuid NOT NULL REFERENCES beneficiaries (id),
    axis           text NOT NULL CHECK (axis IN ('RIGHTS', 'HOUSING', 'EMPLOYMENT', 'TRAINING', 'FRENCH', 'HEALTH', 'MOBILITY')),
    situation      text NOT NULL,
    needs          text NOT NULL DEFAULT '',
    assessed_on    date NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (beneficiary_id, axis)
);

-- Referents (« binôme »): history kept, at most one active per kind (enforced here).
CREATE TABLE referent_assignments (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id  uuid NOT NULL REFERENCES beneficiaries (id),
    kind            text NOT NULL CHECK (kind IN ('SOCIAL_WORKER', 'INSERTION_COUNSELLOR')),
    staff_member_id uuid NOT NULL REFERENCES staff_members (id),
    assigned_at     timestamptz NOT NULL,
    ended_at        timestamptz,
    assigned_by     text NOT NULL
);
CREATE UNIQUE INDEX referent_assignments_one_active_key ON referent_assignments (beneficiary_id, kind) WHERE ended_at IS NULL;
CREATE INDEX referent_assignments_staff_idx ON referent_assignments (staff_member_id) WHERE ended_at IS NULL;

CREATE TABLE objectives (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id uuid NOT NULL REFERENCES beneficiaries (id),
    axis           text NOT NULL CHECK (axis IN ('RIGHTS', 'HOUSING', 'EMPLOYMENT', 'TRAINING', 'FRENCH', 'HEALTH', 'MOBILITY')),
    title          text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    created_at     timestamptz NOT NULL
);
CREATE INDEX objectives_beneficiary_idx ON objectives (beneficiary_id, created_at);

CREATE TABLE plan_actions (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version        integer NOT NULL DEFAULT 1,
    objective_id   uuid NOT NULL REFERENCES objectives (id),
    beneficiary_id uuid NOT NULL REFERENCES beneficiaries (id),
    title          text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    status         text NOT NULL CHECK (status IN ('PLANNED', 'IN_PROGRESS', 'DONE', 'ABANDONED')),
    due_on         date,
    completed_on   date,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX plan_actions_objective_idx ON plan_actions (objective_id, created_at);
CREATE INDEX plan_actions_beneficiary_idx ON plan_actions (beneficiary_id);

CREATE TABLE engagement_contracts (
    beneficiary_id   uuid PRIMARY KEY REFERENCES beneficiaries (id),
    signed_on        date NOT NULL,
    consent_recorded boolean NOT NULL CHECK (consent_recorded),
    recorded_by      text NOT NULL,
    created_at       timestamptz NOT NULL
);

CREATE TABLE housing_proposals (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version        integer NOT NULL DEFAULT 1,
    beneficiary_id uuid NOT NULL REFERENCES beneficiaries (id),
    proposed_on    date NOT NULL,
    offer          text NOT NULL CHECK (length(btrim(offer)) BETWEEN 1 AND 300),
    landlord       text,
    outcome        text NOT NULL CHECK (outcome IN ('PENDING', 'ACCEPTED', 'REFUSED')),
    decided_on     date,
    refusal_reason text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT housing_proposals_refusal_check CHECK ((outcome = 'REFUSED') = (refusal_reason IS NOT NULL)),
    CONSTRAINT housing_proposals_decided_check CHECK ((outcome = 'PENDING') = (decided_on IS NULL))
);
CREATE INDEX housing_proposals_beneficiary_idx ON housing_proposals (beneficiary_id, proposed_on);

CREATE TABLE rights_steps (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version        integer NOT NULL DEFAULT 1,
    beneficiary_id uuid NOT NULL REFERENCES beneficiaries (id),
    kind           text NOT NULL,
    status         text NOT NULL CHECK (status IN ('TO_DO', 'IN_PROGRESS', 'DONE', 'BLOCKED', 'NOT_APPLICABLE')),
    started_on     date,
    completed_on   date,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT rights_steps_key UNIQUE (beneficiary_id, kind),
    CONSTRAINT rights_steps_done_check CHECK ((status = 'DONE') = (completed_on IS NOT NULL))
);

CREATE TABLE accessibility (
    beneficiary_id         uuid PRIMARY KEY REFERENCES beneficiaries (id),
    version                integer NOT NULL DEFAULT 1,
    disability_recognised  boolean NOT NULL,
    recognised_until       date,
    needs                  text NOT NULL DEFAULT '',
    disability_referent_id uuid REFERENCES staff_members (id),
    aids_requested         text[] NOT NULL DEFAULT '{}',
    updated_at             timestamptz NOT NULL
);

CREATE TABLE evaluations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id   uuid NOT NULL REFERENCES beneficiaries (id),
    round            integer NOT NULL DEFAULT 0,
    stage            text NOT NULL CHECK (stage IN ('ENTRY', 'MID_COURSE', 'EXIT')),
    evaluated_on     date NOT NULL,
    housing_score    integer NOT NULL CHECK (housing_score BETWEEN 0 AND 5),
    employment_score integer NOT NULL CHECK (employment_score BETWEEN 0 AND 5),
    training_score   integer NOT NULL CHECK (training_score BETWEEN 0 AND 5),
    rights_score     integer NOT NULL CHECK (rights_score BETWEEN 0 AND 5),
    created_at       timestamptz NOT NULL,
    CONSTRAINT evaluations_stage_key UNIQUE (beneficiary_id, round, stage)
);

-- Exits and exclusions (« sortie », « exclusion »); a reintegration re-opens the last one.
CREATE TABLE journey_exits (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id       uuid NOT NULL REFERENCES beneficiaries (id),
    kind                 text NOT NULL CHECK (kind IN ('EXIT', 'EXCLUSION')),
    exited_on            date NOT NULL,
    reason               text NOT NULL,
    housing_situation    text,
    employment_situation text,
    training_situation   text,
    note                 text,
    recorded_by          text NOT NULL,
    created_at           timestamptz NOT NULL
);
CREATE INDEX journey_exits_beneficiary_idx ON journey_exits (beneficiary_id, created_at);

CREATE TABLE reintegrations (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id  uuid NOT NULL REFERENCES beneficiaries (id),
    exit_id         uuid NOT NULL REFERENCES journey_exits (id),
    reintegrated_on date NOT NULL,
    until_on        date NOT NULL,
    reason          text NOT NULL,
    approved_by     text NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT reintegrations_exit_key UNIQUE (exit_id),
    CONSTRAINT reintegrations_period_check CHECK (until_on > reintegrated_on)
);

CREATE TABLE follow_ups (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    beneficiary_id       uuid NOT NULL REFERENCES beneficiaries (id),
    exit_id              uuid NOT NULL REFERENCES journey_exits (id),
    stage                text NOT NULL CHECK (stage IN ('THREE_MONTHS', 'SIX_MONTHS')),
    due_on               date NOT NULL,
    held_on              date NOT NULL,
    housing_situation    text NOT NULL,
    employment_situation text NOT NULL,
    training_situation   text NOT NULL,
    note                 text,
    created_at           timestamptz NOT NULL,
    CONSTRAINT follow_ups_stage_key UNIQUE (exit_id, stage)
);

-- Alerts derived from the facts: each fires from active_from (compared with today at read).
CREATE TABLE beneficiary_alerts (
    beneficiary_id uuid NOT NULL REFERENCES beneficiaries (id),
    kind           text NOT NULL,
    active_from    date NOT NULL,
    due_on         date,
    PRIMARY KEY (beneficiary_id, kind)
);
CREATE INDEX beneficiary_alerts_kind_idx ON beneficiary_alerts (kind, active_from);

-- Collective actions (« actions collectives », workshops) and their registrations.
CREATE TABLE collective_actions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version         integer NOT NULL DEFAULT 1,
    department      text NOT NULL,
    structure_id    uuid REFERENCES structures (id),
    theme           text NOT NULL CHECK (length(btrim(theme)) BETWEEN 1 AND 200),
    starts_at       timestamptz NOT NULL,
    place           text NOT NULL CHECK (length(btrim(place)) BETWEEN 1 AND 300),
    capacity        integer NOT NULL CHECK (capacity BETWEEN 1 AND 500),
    facilitator_ids uuid[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL
);
CREATE INDEX collective_actions_department_idx ON collective_actions (department, starts_at, id);

CREATE TABLE collective_action_registrations (
    action_id      uuid NOT NULL REFERENCES collective_actions (id),
    beneficiary_id uuid NOT NULL REFERENCES beneficiaries (id),
    registered_at  timestamptz NOT NULL,
    attended       boolean,
    PRIMARY KEY (action_id, beneficiary_id)
);
CREATE INDEX collective_action_registrations_beneficiary_idx ON collective_action_registrations (beneficiary_id);

-- +goose Down
DROP TABLE collective_action_registrations;
DROP TABLE collective_actions;
DROP TABLE beneficiary_alerts;
DROP TABLE follow_ups;
DROP TABLE reintegrations;
DROP TABLE journey_exits;
DROP TABLE evaluations;
DROP TABLE accessibility;
DROP TABLE rights_steps;
DROP TABLE housing_proposals;
DROP TABLE engagement_contracts;
DROP TABLE plan_actions;
DROP TABLE objectives;
DROP TABLE referent_assignments;
DROP TABLE diagnostic_axes;
DROP TABLE interviews;
DROP TABLE convocations;
DROP TABLE household_members;
DROP TABLE beneficiaries;
DROP TABLE covered_departments;
