package demo

import (
	"fmt"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// alignExitSituations sets the employment and training situations of every demo exit
// from the outcomes recorded and in progress on its day (model.SituationFromOutcomes),
// as exitJourney requires of a real exit (model.CheckExitSituation): the exit forms and
// the indicator EMPLOYMENT_OR_TRAINING_AT_EXIT then tell the same story. It runs after
// the professional records, which hold the outcomes.
func (g *gen) alignExitSituations() error {
	var exits []struct {
		Key            string     `db:"id"`
		BeneficiaryKey string     `db:"beneficiary_id"`
		ExitedOn       model.Date `db:"exited_on"`
	}
	if err := g.tx.SelectContext(g.ctx, &exits, `SELECT id, beneficiary_id, exited_on FROM journey_exits WHERE kind = 'EXIT' ORDER BY id`); err != nil {
		return fmt.Errorf("exit situations: %w", err)
	}
	for _, x := range exits {
		var outcomes []model.Outcome
		if err := g.tx.SelectContext(g.ctx, &outcomes, `SELECT id, beneficiary_id, kind, contract_type, starts_on, ends_on, created_at
			FROM outcomes WHERE beneficiary_id = $1`, x.BeneficiaryKey); err != nil {
			return fmt.Errorf("exit situations: outcomes: %w", err)
		}
		jobs, trainings := model.SituationFromOutcomes(outcomes, x.ExitedOn)
		employment, training := model.EmploymentSituationJobSeeking, model.TrainingSituationNone
		if len(jobs) > 0 {
			employment = jobs[0]
		}
		if len(trainings) > 0 {
			training = trainings[0]
		}
		if err := model.CheckExitSituation(employment, training, outcomes, x.ExitedOn); err != nil {
			return fmt.Errorf("exit situations: %s", err.Message)
		}
		if err := g.exec("exit situation", `UPDATE journey_exits SET employment_situation = $2, training_situation = $3 WHERE id = $1`,
			x.Key, string(employment), string(training)); err != nil {
			return err
		}
	}
	return nil
}
