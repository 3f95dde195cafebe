-- +goose Up
-- Issue 17: pre-qualifying training (« formation préqualifiante ») and work-oriented
-- French course (« cours de français à visée professionnelle ») are outcome kinds; both
-- have a title, like a qualifying training (model.CheckOutcome). Which of them count for
-- the 60 % target is model.CountsAsEmploymentOrTraining, not the database.
ALTER TABLE outcomes DROP CONSTRAINT outcomes_kind_check;
ALTER TABLE outcomes ADD CONSTRAINT outcomes_kind_check CHECK (kind IN ('EMPLOYMENT', 'QUALIFYING_TRAINING',
    'FRANCE_TRAVAIL_REGISTRATION', 'PRE_QUALIFYING_TRAINING', 'WORK_ORIENTED_FRENCH_COURSE'));
ALTER TABLE outcomes DROP CONSTRAINT outcomes_training_check;
ALTER TABLE outcomes ADD CONSTRAINT outcomes_training_check CHECK ((kind IN ('QUALIFYING_TRAINING', 'PRE_QUALIFYING_TRAINING',
    'WORK_ORIENTED_FRENCH_COURSE')) = (training_title IS NOT NULL));

-- +goose Down
DELETE FROM outcomes WHERE kind IN ('PRE_QUALIFYING_TRAINING', 'WORK_ORIENTED_FRENCH_COURSE');
ALTER TABLE outcomes DROP CONSTRAINT outcomes_training_check;
ALTER TABLE outcomes ADD CONSTRAINT outcomes_training_check CHECK ((kind = 'QUALIFYING_TRAINING') = (training_title IS NOT NULL));
ALTER TABLE outcomes DROP CONSTRAINT outcomes_kind_check;
ALTER TABLE outcomes ADD CONSTRAINT outcomes_kind_check CHECK (kind IN ('EMPLOYMENT', 'QUALIFYING_TRAINING', 'FRANCE_TRAVAIL_REGISTRATION'));
