package model

import (
	"slices"
	"strings"
)

// The situation at exit and the programme's target (seed « Contenu »: "Objectif : 60 %
// des BPI accèdent à l'emploi ou à une formation à l'issue de leur parcours"). The
// target is counted from the recorded outcomes (InEmploymentOrTrainingOn, the indicator
// EMPLOYMENT_OR_TRAINING_AT_EXIT); the employment and training situations of the exit
// form are checked against the same outcomes, so that the form and the indicator cannot
// tell two stories.

// EmploymentSituationOf is the employment situation a contract type is.
func EmploymentSituationOf(c ContractType) EmploymentSituation {
	switch c {
	case ContractTypeCdi:
		return EmploymentSituationPermanentContract
	case ContractTypeCdd6MonthsOrMore, ContractTypeCddUnder6Months:
		return EmploymentSituationFixedTermContract
	case ContractTypeTemporary:
		return EmploymentSituationTemporaryWork
	case ContractTypeInsertion:
		return EmploymentSituationInsertionContract
	case ContractTypeApprenticeship:
		return EmploymentSituationApprenticeship
	case ContractTypeSelfEmployed:
		return EmploymentSituationSelfEmployed
	}
	return EmploymentSituationUnknown
}

// InEmployment reports whether an employment situation is a job (any contract).
func (e EmploymentSituation) InEmployment() bool {
	switch e {
	case EmploymentSituationJobSeeking, EmploymentSituationInactive, EmploymentSituationUnknown:
		return false
	}
	return e.IsValid()
}

// ExitSituationCounts reports whether an exit form's situations count for the target:
// a job, or a qualifying training. Once CheckExitSituation has accepted the form, it is
// InEmploymentOrTrainingOn(outcomes, exit day).
func ExitSituationCounts(employment EmploymentSituation, training TrainingSituation) bool {
	return employment.InEmployment() || training == TrainingSituationQualifyingTraining
}

// SituationFromOutcomes is what the recorded outcomes say on day: the employment
// situations of the jobs in progress (by contract type) and whether a qualifying
// training is in progress. Only outcomes that CountsAsEmploymentOrTraining are read.
func SituationFromOutcomes(outcomes []Outcome, day Date) (jobs []EmploymentSituation, qualifyingTraining bool) {
	for _, o := range outcomes {
		if !CountsAsEmploymentOrTraining(o) || o.StartsOn.After(day) || (o.EndsOn != nil && o.EndsOn.Before(day)) {
			continue
		}
		switch o.Kind {
		case OutcomeKindEmployment:
			if s := EmploymentSituationOf(*o.ContractType); !slices.Contains(jobs, s) {
				jobs = append(jobs, s)
			}
		case OutcomeKindQualifyingTraining:
			qualifyingTraining = true
		}
	}
	return jobs, qualifyingTraining
}

// CheckExitSituation checks the employment and training situations declared at exit
// against the outcomes recorded and in progress on the exit day: a job is declared only
// with an employment outcome of that kind in progress, and declared whenever one is; a
// qualifying training likewise. An error names the field and says what to record.
func CheckExitSituation(employment EmploymentSituation, training TrainingSituation, outcomes []Outcome, exitedOn Date) *Error {
	jobs, qualifying := SituationFromOutcomes(outcomes, exitedOn)
	day := frenchDate(exitedOn)
	switch {
	case employment.InEmployment() && !slices.Contains(jobs, employment):
		return Errorf(CodeRuleViolation, Path("input", "employmentSituation"),
			"aucun emploi de ce type (%s) en cours le %s n'est enregistré : enregistrez d'abord la sortie positive (emploi) du parcours", employment, day)
	case !employment.InEmployment() && len(jobs) > 0:
		names := make([]string, len(jobs))
		for i, j := range jobs {
			names[i] = string(j)
		}
		return Errorf(CodeRuleViolation, Path("input", "employmentSituation"),
			"un emploi (%s) est enregistré en cours le %s : la situation d'emploi à la sortie doit être celle-là", strings.Join(names, ", "), day)
	case training == TrainingSituationQualifyingTraining && !qualifying:
		return Errorf(CodeRuleViolation, Path("input", "trainingSituation"),
			"aucune formation qualifiante en cours le %s n'est enregistrée : enregistrez-la d'abord comme sortie positive du parcours", day)
	case training != TrainingSituationQualifyingTraining && qualifying:
		return Errorf(CodeRuleViolation, Path("input", "trainingSituation"),
			"une formation qualifiante est enregistrée en cours le %s : la situation de formation à la sortie doit être « formation qualifiante »", day)
	}
	return nil
}
