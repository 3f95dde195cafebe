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
// a job, or a qualifying or pre-qualifying training. Once CheckExitSituation has accepted
// the form, it is InEmploymentOrTrainingOn(outcomes, exit day).
func ExitSituationCounts(employment EmploymentSituation, training TrainingSituation) bool {
	return employment.InEmployment() || trainingCounts(training)
}

// trainingCounts: the training situations that count for the target, those of the
// outcomes that CountsAsEmploymentOrTraining.
func trainingCounts(t TrainingSituation) bool {
	return t == TrainingSituationQualifyingTraining || t == TrainingSituationPreQualifyingTraining
}

// SituationFromOutcomes is what the recorded outcomes say on day: the employment
// situations of the jobs in progress (by contract type) and the training situations of
// the trainings in progress (qualifying first, then pre-qualifying). Only outcomes that
// CountsAsEmploymentOrTraining are read.
func SituationFromOutcomes(outcomes []Outcome, day Date) (jobs []EmploymentSituation, trainings []TrainingSituation) {
	for _, o := range outcomes {
		if !CountsAsEmploymentOrTraining(o) || o.StartsOn.After(day) || (o.EndsOn != nil && o.EndsOn.Before(day)) {
			continue
		}
		switch o.Kind {
		case OutcomeKindEmployment:
			if s := EmploymentSituationOf(*o.ContractType); !slices.Contains(jobs, s) {
				jobs = append(jobs, s)
			}
		default:
			if s := TrainingSituationOf(o.Kind); !slices.Contains(trainings, s) {
				trainings = append(trainings, s)
			}
		}
	}
	slices.SortFunc(trainings, func(a, b TrainingSituation) int { // qualifying before pre-qualifying
		return strings.Compare(string(b), string(a))
	})
	return jobs, trainings
}

// CheckExitSituation checks the employment and training situations declared at exit
// against the outcomes recorded and in progress on the exit day: a job is declared only
// with an employment outcome of that kind in progress, and declared whenever one is; a
// qualifying or pre-qualifying training likewise. An error names the field and says
// what to record.
func CheckExitSituation(employment EmploymentSituation, training TrainingSituation, outcomes []Outcome, exitedOn Date) *Error {
	jobs, trainings := SituationFromOutcomes(outcomes, exitedOn)
	day := frenchDate(exitedOn)
	switch {
	case employment.InEmployment() && !slices.Contains(jobs, employment):
		return Errorf(CodeRuleViolation, Path("input", "employmentSituation"),
			"aucun emploi de ce type (%s) en cours le %s n'est enregistré : enregistrez d'abord la sortie positive (emploi) du parcours", EmploymentSituationLabels[employment], day)
	case !employment.InEmployment() && len(jobs) > 0:
		names := make([]string, len(jobs))
		for i, j := range jobs {
			names[i] = EmploymentSituationLabels[j]
		}
		return Errorf(CodeRuleViolation, Path("input", "employmentSituation"),
			"un emploi (%s) est enregistré en cours le %s : la situation d'emploi à la sortie doit être celle-là", strings.Join(names, ", "), day)
	case trainingCounts(training) && !slices.Contains(trainings, training):
		what := "formation qualifiante"
		if training == TrainingSituationPreQualifyingTraining {
			what = "formation préqualifiante"
		}
		return Errorf(CodeRuleViolation, Path("input", "trainingSituation"),
			"aucune %s en cours le %s n'est enregistrée : enregistrez-la d'abord comme sortie positive du parcours", what, day)
	case !trainingCounts(training) && len(trainings) > 0:
		what := "« formation qualifiante »"
		if trainings[0] == TrainingSituationPreQualifyingTraining {
			what = "« formation préqualifiante »"
		}
		return Errorf(CodeRuleViolation, Path("input", "trainingSituation"),
			"une formation est enregistrée en cours le %s : la situation de formation à la sortie doit être %s", day, what)
	}
	return nil
}

// EmploymentSituationLabels are the French names of the employment situations at exit or
// follow-up, for messages (« CDI », « CDD », ...).
var EmploymentSituationLabels = map[EmploymentSituation]string{
	EmploymentSituationPermanentContract: "CDI",
	EmploymentSituationFixedTermContract: "CDD",
	EmploymentSituationInsertionContract: "contrat d'insertion",
	EmploymentSituationTemporaryWork:     "intérim",
	EmploymentSituationApprenticeship:    "alternance",
	EmploymentSituationSelfEmployed:      "travail indépendant",
	EmploymentSituationJobSeeking:        "en recherche d'emploi",
	EmploymentSituationInactive:          "sans activité",
	EmploymentSituationUnknown:           "inconnue",
}
