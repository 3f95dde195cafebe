-- Indicators and the network-facilitation view: indexes for the aggregates of
-- db/indicators.go and db/overview.go (the journey-level lookups use the indexes of the
-- social and professional modules: exits, outcomes, evaluations by beneficiary,
-- follow-ups by exit, reintegrations by exit).

-- +goose Up
-- hmac() for the analysts' pseudonyms (PseudonymisedJourneys), computed in the statement
-- so that pages are ordered and cursored by pseudonym, never by the beneficiary's id.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
-- Exits, exclusions and reintegrations of a period (EXITS, EXCLUSIONS, REINTEGRATIONS).
CREATE INDEX journey_exits_exited_idx ON journey_exits (exited_on, beneficiary_id);
CREATE INDEX reintegrations_on_idx ON reintegrations (reintegrated_on, beneficiary_id);
-- Orientations answered in a period (ORIENTATION_ANSWER_DELAY_MEDIAN) and the partners'
-- activity of the overview (orientations received by structure since a day).
CREATE INDEX orientations_oriented_idx ON orientations (structure_id, oriented_on);
-- Alerts of the overview: the active ones of a kind, oldest first, joined to their journey.
CREATE INDEX beneficiary_alerts_beneficiary_idx ON beneficiary_alerts (beneficiary_id, kind, active_from);
-- Published offers of a department answering a need (the needs-versus-offer gap).
CREATE INDEX offers_published_department_idx ON offers (department, structure_id) WHERE status = 'PUBLISHED';

-- +goose Down
DROP INDEX offers_published_department_idx;
DROP INDEX beneficiary_alerts_beneficiary_idx;
DROP INDEX orientations_oriented_idx;
DROP INDEX reintegrations_on_idx;
DROP INDEX journey_exits_exited_idx;
