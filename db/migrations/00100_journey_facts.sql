-- Journey facts (issue 19): one narrow row per journey, kept by the acts in their own
-- transaction (db/journey_facts.go, called by refreshJourney and professionalAct), read by
-- the network overview, the indicators, the caseloads and the list's alert filter instead
-- of recomputing every journey from the acts at each request. The row is filled by the
-- Go migration 00101 (db/journey_facts.go, the same statement the acts run) and rebuilt by
-- `server maintenance rederive`.
--
-- Nothing here depends on the day: alerts are stored by kind with the day they start
-- (since) and their due day, and compared with today when read, like beneficiary_alerts.

-- +goose Up
CREATE TABLE journey_facts (
    beneficiary_id      uuid PRIMARY KEY REFERENCES beneficiaries (id) ON DELETE CASCADE,
    department          text NOT NULL,
    social_operator_id  uuid,
    social_worker_id    uuid,            -- the current SOCIAL_WORKER referent
    phase               text NOT NULL,
    referred_on         date NOT NULL,
    cir_on              date NOT NULL,   -- CIR signature, else the referral
    entry_on            date,            -- welcome interview held
    welcome_due_on      date NOT NULL,
    journey_ends_on     date,
    contract_on         date,
    -- the current end: the last exit or exclusion not re-opened by a reintegration
    end_on              date,
    end_kind            text,
    end_reason          text,
    end_housing         text,
    emp_at_end          boolean NOT NULL,
    durable_at_end      boolean NOT NULL,
    training_by_end     boolean NOT NULL,
    rights_by_end       boolean NOT NULL,
    eval_entry          boolean NOT NULL,
    eval_mid            boolean NOT NULL,
    eval_exit           boolean NOT NULL,
    entry_eval_due      date,
    mid_due             date,
    fu3_due             date,
    fu6_due             date,
    fu3                 boolean NOT NULL,
    fu3_ok              boolean NOT NULL,
    fu6                 boolean NOT NULL,
    fu6_ok              boolean NOT NULL,
    fu3_emp             boolean NOT NULL,
    fu6_emp             boolean NOT NULL,
    ret6_due            date,
    ret12_due           date,
    first_rank          integer,         -- French level ranks by the end (model.AllCefrLevel order)
    last_rank           integer,
    assessments         integer NOT NULL,
    -- the journey alerts (model.DeriveJourney), by kind: the day each starts, its due day
    alerts_from                      date,  -- the earliest start: the journey shows an alert from this day on
    welcome_interview_overdue_since  date,
    welcome_interview_overdue_due    date,
    contract_not_signed_since        date,
    contract_not_signed_due          date,
    evaluation_due_since             date,
    evaluation_due_due               date,
    journey_limit_near_since         date,
    journey_limit_near_due           date,
    journey_limit_reached_since      date,
    journey_limit_reached_due        date,
    housing_refusals_since           date,
    housing_refusals_due             date,
    follow_up_due_since              date,
    follow_up_due_due                date
);
CREATE INDEX journey_facts_department_idx ON journey_facts (department, phase);
CREATE INDEX journey_facts_referred_idx ON journey_facts (referred_on);

-- +goose Down
DROP TABLE journey_facts;
