-- Delays of the programme negotiated by a department (« paramètres départementaux »):
-- a NULL column keeps the seed's default (model.DefaultParameters). The bounds keep the
-- programme's own limits (seed: 24 months at most, reintegration 12 months at most);
-- follow-ups stay at 3 and 6 months and exclusion at two refusals (the seed fixes them).

-- +goose Up
CREATE TABLE programme_parameters (
    department                   text PRIMARY KEY,
    version                      integer NOT NULL DEFAULT 1,
    welcome_delay_months         integer CHECK (welcome_delay_months BETWEEN 1 AND 3),
    contract_delay_months        integer CHECK (contract_delay_months BETWEEN 1 AND 3),
    max_journey_months           integer CHECK (max_journey_months BETWEEN 6 AND 24),
    near_limit_warning_months    integer CHECK (near_limit_warning_months BETWEEN 1 AND 6),
    entry_evaluation_delay_days  integer CHECK (entry_evaluation_delay_days BETWEEN 1 AND 90),
    mid_course_evaluation_months integer CHECK (mid_course_evaluation_months BETWEEN 3 AND 18),
    reintegration_max_months     integer CHECK (reintegration_max_months BETWEEN 1 AND 12),
    updated_at                   timestamptz NOT NULL,
    updated_by                   text NOT NULL
);

-- +goose Down
DROP TABLE programme_parameters;
