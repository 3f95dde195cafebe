-- Indexes for the indicators' statements (db/indicators.go), found with EXPLAIN ANALYZE on
-- the national data set (150 000 journeys).

-- +goose Up
-- The current end of every journey of the scope (the last exit or exclusion, latest
-- created first on the same day): one index-only probe per journey, already in order,
-- instead of an index scan, a heap fetch per exit and a sort per journey.
CREATE INDEX journey_exits_last_idx ON journey_exits (beneficiary_id, exited_on DESC, created_at DESC)
	INCLUDE (id, kind, reason, housing_situation);

-- +goose Down
DROP INDEX journey_exits_last_idx;
