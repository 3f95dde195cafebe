-- +goose Up
-- Indexes for national scale (issue 9): each serves a hot read that otherwise scans a
-- table growing with the number of journeys (found by db/explain_test.go on seeded data).

-- The status of a convocation is that of its latest interview (ConvocationsByBeneficiaries,
-- journeyFacts): one probe per convocation instead of a scan of the interviews.
CREATE INDEX interviews_convocation_idx ON interviews (convocation_id, seq) WHERE convocation_id IS NOT NULL;
-- Referents, past and present, of a page of beneficiaries (ReferentsByBeneficiaries, timeline);
-- the partial unique index only holds the active ones.
CREATE INDEX referent_assignments_beneficiary_idx ON referent_assignments (beneficiary_id, seq);
-- Follow-ups and reintegrations of a page of beneficiaries (loaders, timeline).
CREATE INDEX follow_ups_beneficiary_idx ON follow_ups (beneficiary_id);
CREATE INDEX reintegrations_beneficiary_idx ON reintegrations (beneficiary_id, seq);
-- The beneficiary list of a coordinator (one department) by name and by journey end:
-- the department's rows in order, instead of walking the national order and filtering.
CREATE INDEX beneficiaries_department_name_idx ON beneficiaries (department, sort_name, id);
CREATE INDEX beneficiaries_department_end_idx ON beneficiaries (department, (COALESCE(journey_ends_on, DATE '9999-12-31')), id);
-- The same for a social worker's and an insertion counsellor's structure.
CREATE INDEX beneficiaries_social_name_idx ON beneficiaries (social_operator_id, sort_name, id);
CREATE INDEX beneficiaries_employment_name_idx ON beneficiaries (employment_operator_id, sort_name, id);

-- +goose Down
DROP INDEX beneficiaries_employment_name_idx;
DROP INDEX beneficiaries_social_name_idx;
DROP INDEX beneficiaries_department_end_idx;
DROP INDEX beneficiaries_department_name_idx;
DROP INDEX reintegrations_beneficiary_idx;
DROP INDEX follow_ups_beneficiary_idx;
DROP INDEX referent_assignments_beneficiary_idx;
DROP INDEX interviews_convocation_idx;
