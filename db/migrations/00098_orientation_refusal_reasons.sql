-- +goose Up
-- Issue 17: a partner's refusal of an orientation gives a reason from a closed list
-- (« motif de refus », like DORA's), plus free text (refusal_reason), required only for
-- OTHER. The refusals recorded before have free text only: they become OTHER, their text
-- kept. model.CheckOrientationAnswer is the rule; these constraints hold it in the database.
ALTER TABLE orientations ADD COLUMN refusal_category text CHECK (refusal_category IN ('PUBLIC_NOT_ELIGIBLE',
    'NO_CAPACITY', 'OFFER_NOT_SUITED', 'BENEFICIARY_UNREACHABLE', 'BENEFICIARY_DECLINED', 'DUPLICATE', 'OTHER'));
-- The orientations of anonymised people are frozen by a trigger (00040); this one change
-- of a closed-list column is the schema's, not a write of personal data: the trigger is
-- off for the statement, in the migration's transaction.
ALTER TABLE orientations DISABLE TRIGGER orientations_anonymised;
UPDATE orientations SET refusal_category = 'OTHER' WHERE status = 'REFUSED';
ALTER TABLE orientations ENABLE TRIGGER orientations_anonymised;
ALTER TABLE orientations DROP CONSTRAINT orientations_refusal_check;
ALTER TABLE orientations ADD CONSTRAINT orientations_refusal_check CHECK ((status = 'REFUSED') = (refusal_category IS NOT NULL)
    AND (refusal_reason IS NULL OR status = 'REFUSED') AND (refusal_category <> 'OTHER' OR refusal_reason IS NOT NULL));

-- +goose Down
ALTER TABLE orientations DISABLE TRIGGER orientations_anonymised;
UPDATE orientations SET refusal_reason = 'Refus (' || refusal_category || ')' WHERE status = 'REFUSED' AND refusal_reason IS NULL;
ALTER TABLE orientations ENABLE TRIGGER orientations_anonymised;
ALTER TABLE orientations DROP CONSTRAINT orientations_refusal_check;
ALTER TABLE orientations DROP COLUMN refusal_category;
ALTER TABLE orientations ADD CONSTRAINT orientations_refusal_check CHECK ((status = 'REFUSED') = (refusal_reason IS NOT NULL));
