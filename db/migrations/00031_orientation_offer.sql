-- An orientation addressed to an offer references it (« orientation vers une offre »): the
-- foreign key 00030 left for the merge of the professional and partnership modules.
-- Offers are archived, never deleted, so the key restricts deletion. The index serves the
-- key's checks and the orientations of an offer.

-- +goose Up
ALTER TABLE orientations
    ADD CONSTRAINT orientations_offer_fkey FOREIGN KEY (offer_id) REFERENCES offers (id);
CREATE INDEX orientations_offer_idx ON orientations (offer_id) WHERE offer_id IS NOT NULL;

-- +goose Down
DROP INDEX orientations_offer_idx;
ALTER TABLE orientations DROP CONSTRAINT orientations_offer_fkey;
