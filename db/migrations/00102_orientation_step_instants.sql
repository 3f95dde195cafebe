-- +goose Up
-- When each step of an orientation was recorded (« saisi le »): the journey's timeline
-- showed the answer, the start and the end at the orientation's last change
-- (updated_at), so a later act moved them (an answer read after the referents assigned
-- since). Set by the acts from now on; NULL for steps recorded before, which the
-- timeline still dates by updated_at, the only instant known for them.
ALTER TABLE orientations ADD COLUMN answered_at timestamptz, ADD COLUMN started_at timestamptz,
    ADD COLUMN ended_at timestamptz;

-- +goose Down
ALTER TABLE orientations DROP COLUMN answered_at, DROP COLUMN started_at, DROP COLUMN ended_at;
