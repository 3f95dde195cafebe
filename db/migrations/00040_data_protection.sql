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

-- Nothing more is recorded about an anonymised person: a write to one of the tables that
-- hold their data fails as the beneficiaries_anonymised_check constraint (the Store maps
-- it to ANONYMISED). Anonymisation updates these tables before it sets anonymised_at.
-- +goose StatementBegin
CREATE FUNCTION refuse_anonymised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM beneficiaries WHERE id = NEW.beneficiary_id AND anonymised_at IS NOT NULL) THEN
        RAISE EXCEPTION 'beneficiary % is anonymised', NEW.beneficiary_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'beneficiaries_anonymised_check';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER household_members_anonymised BEFORE INSERT OR UPDATE ON household_members FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER convocations_anonymised BEFORE INSERT OR UPDATE ON convocations FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER interviews_anonymised BEFORE INSERT OR UPDATE ON interviews FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER diagnostic_axes_anonymised BEFORE INSERT OR UPDATE ON diagnostic_axes FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER objectives_anonymised BEFORE INSERT OR UPDATE ON objectives FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER plan_actions_anonymised BEFORE INSERT OR UPDATE ON plan_actions FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER housing_proposals_anonymised BEFORE INSERT OR UPDATE ON housing_proposals FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER rights_steps_anonymised BEFORE INSERT OR UPDATE ON rights_steps FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER accessibility_anonymised BEFORE INSERT OR UPDATE ON accessibility FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER journey_exits_anonymised BEFORE INSERT OR UPDATE ON journey_exits FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER reintegrations_anonymised BEFORE INSERT OR UPDATE ON reintegrations FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER follow_ups_anonymised BEFORE INSERT OR UPDATE ON follow_ups FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER professional_diagnostics_anonymised BEFORE INSERT OR UPDATE ON professional_diagnostics FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER french_levels_anonymised BEFORE INSERT OR UPDATE ON french_levels FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER orientations_anonymised BEFORE INSERT OR UPDATE ON orientations FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER support_actions_anonymised BEFORE INSERT OR UPDATE ON support_actions FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER outcomes_anonymised BEFORE INSERT OR UPDATE ON outcomes FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER consents_anonymised BEFORE INSERT OR UPDATE ON consents FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER engagement_contracts_anonymised BEFORE INSERT OR UPDATE ON engagement_contracts FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER collective_action_registrations_anonymised BEFORE INSERT OR UPDATE ON collective_action_registrations FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER evaluations_anonymised BEFORE INSERT OR UPDATE ON evaluations FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();
CREATE TRIGGER referent_assignments_anonymised BEFORE INSERT OR UPDATE ON referent_assignments FOR EACH ROW EXECUTE FUNCTION refuse_anonymised();

-- +goose Down
DROP TRIGGER household_members_anonymised ON household_members;
DROP TRIGGER convocations_anonymised ON convocations;
DROP TRIGGER interviews_anonymised ON interviews;
DROP TRIGGER diagnostic_axes_anonymised ON diagnostic_axes;
DROP TRIGGER objectives_anonymised ON objectives;
DROP TRIGGER plan_actions_anonymised ON plan_actions;
DROP TRIGGER housing_proposals_anonymised ON housing_proposals;
DROP TRIGGER rights_steps_anonymised ON rights_steps;
DROP TRIGGER accessibility_anonymised ON accessibility;
DROP TRIGGER journey_exits_anonymised ON journey_exits;
DROP TRIGGER reintegrations_anonymised ON reintegrations;
DROP TRIGGER follow_ups_anonymised ON follow_ups;
DROP TRIGGER professional_diagnostics_anonymised ON professional_diagnostics;
DROP TRIGGER french_levels_anonymised ON french_levels;
DROP TRIGGER orientations_anonymised ON orientations;
DROP TRIGGER support_actions_anonymised ON support_actions;
DROP TRIGGER outcomes_anonymised ON outcomes;
DROP TRIGGER consents_anonymised ON consents;
DROP TRIGGER engagement_contracts_anonymised ON engagement_contracts;
DROP TRIGGER collective_action_registrations_anonymised ON collective_action_registrations;
DROP TRIGGER evaluations_anonymised ON evaluations;
DROP TRIGGER referent_assignments_anonymised ON referent_assignments;
DROP FUNCTION refuse_anonymised();
DROP TABLE erasures;
DROP INDEX beneficiaries_closed_idx;
ALTER TABLE beneficiaries DROP CONSTRAINT beneficiaries_anonymised_check;
ALTER TABLE beneficiaries DROP COLUMN anonymised_at;
DROP TABLE consents;
