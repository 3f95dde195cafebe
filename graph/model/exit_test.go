package model

import "strings"

import "testing"

// Seed « Contenu » (60 % in employment or training at the end of the journey): the exit
// form's situations agree with the outcomes recorded (issue 17, defect 3).
func TestCheckExitSituation(t *testing.T) {
	exit := d("2026-06-30")
	ct := func(c ContractType) *ContractType { return &c }
	cdi := Outcome{Kind: OutcomeKindEmployment, ContractType: ct(ContractTypeCdi), StartsOn: d("2026-05-01")}
	cddEnded := Outcome{Kind: OutcomeKindEmployment, ContractType: ct(ContractTypeCddUnder6Months), StartsOn: d("2026-01-01"), EndsOn: dp("2026-03-31")}
	cddFromTomorrow := Outcome{Kind: OutcomeKindEmployment, ContractType: ct(ContractTypeCdd6MonthsOrMore), StartsOn: d("2026-07-01"), EndsOn: dp("2027-06-30")}
	training := Outcome{Kind: OutcomeKindQualifyingTraining, StartsOn: d("2026-06-30")}
	franceTravail := Outcome{Kind: OutcomeKindFranceTravailRegistration, StartsOn: d("2026-04-01")}
	preQualifying := Outcome{Kind: OutcomeKindPreQualifyingTraining, StartsOn: d("2026-06-01")}
	frenchPro := Outcome{Kind: OutcomeKindWorkOrientedFrenchCourse, StartsOn: d("2026-06-01")}
	for _, tc := range []struct {
		name       string
		employment EmploymentSituation
		training   TrainingSituation
		outcomes   []Outcome
		field      string // "" when accepted
	}{
		{"OK_CDIRecorded", EmploymentSituationPermanentContract, TrainingSituationNone, []Outcome{cdi}, ""},
		{"OK_JobSeekingNothingRecorded", EmploymentSituationJobSeeking, TrainingSituationNone, nil, ""},
		{"OK_JobSeekingCDDEndedBefore", EmploymentSituationJobSeeking, TrainingSituationNone, []Outcome{cddEnded}, ""},
		{"OK_JobSeekingCDDStartsAfter", EmploymentSituationJobSeeking, TrainingSituationNone, []Outcome{cddFromTomorrow}, ""},
		{"OK_FranceTravailIsNotAJob", EmploymentSituationJobSeeking, TrainingSituationFrenchCourse, []Outcome{franceTravail}, ""},
		{"OK_TrainingStartsOnExitDay", EmploymentSituationJobSeeking, TrainingSituationQualifyingTraining, []Outcome{training}, ""},
		{"OK_JobAndTraining", EmploymentSituationPermanentContract, TrainingSituationQualifyingTraining, []Outcome{cdi, training}, ""},
		{"OK_PreQualifying", EmploymentSituationJobSeeking, TrainingSituationPreQualifyingTraining, []Outcome{preQualifying}, ""},
		{"OK_QualifyingAndPreQualifying", EmploymentSituationJobSeeking, TrainingSituationQualifyingTraining, []Outcome{preQualifying, training}, ""},
		{"OK_WorkOrientedFrenchIsNotATraining", EmploymentSituationJobSeeking, TrainingSituationFrenchCourse, []Outcome{frenchPro}, ""},
		{"OK_WorkOrientedFrenchNone", EmploymentSituationJobSeeking, TrainingSituationNone, []Outcome{frenchPro}, ""},
		{"ErrPreQualifyingDeclaredNothingRecorded", EmploymentSituationJobSeeking, TrainingSituationPreQualifyingTraining, []Outcome{frenchPro}, "input.trainingSituation"},
		{"ErrQualifyingDeclaredPreQualifyingRecorded", EmploymentSituationJobSeeking, TrainingSituationQualifyingTraining, []Outcome{preQualifying}, "input.trainingSituation"},
		{"ErrOtherTrainingWithPreQualifyingRecorded", EmploymentSituationJobSeeking, TrainingSituationOtherTraining, []Outcome{preQualifying}, "input.trainingSituation"},
		{"ErrCDIDeclaredNothingRecorded", EmploymentSituationPermanentContract, TrainingSituationNone, nil, "input.employmentSituation"},
		{"ErrCDIDeclaredCDDRecorded", EmploymentSituationPermanentContract, TrainingSituationNone, []Outcome{cddEnded}, "input.employmentSituation"},
		{"ErrTemporaryDeclaredCDIRecorded", EmploymentSituationTemporaryWork, TrainingSituationNone, []Outcome{cdi}, "input.employmentSituation"},
		{"ErrJobSeekingWithCDIRecorded", EmploymentSituationJobSeeking, TrainingSituationNone, []Outcome{cdi}, "input.employmentSituation"},
		{"ErrUnknownWithCDIRecorded", EmploymentSituationUnknown, TrainingSituationNone, []Outcome{cdi}, "input.employmentSituation"},
		{"ErrTrainingDeclaredNothingRecorded", EmploymentSituationJobSeeking, TrainingSituationQualifyingTraining, nil, "input.trainingSituation"},
		{"ErrNoTrainingDeclaredTrainingRecorded", EmploymentSituationJobSeeking, TrainingSituationNone, []Outcome{training}, "input.trainingSituation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckExitSituation(tc.employment, tc.training, tc.outcomes, exit)
			got := ""
			if err != nil {
				if err.Code != CodeRuleViolation || err.Message == "" {
					t.Fatalf("error %+v", err)
				}
				got = err.Field[0] + "." + err.Field[1]
			}
			if got != tc.field {
				t.Fatalf("field = %q, want %q (%v)", got, tc.field, err)
			}
			// The message is French: it names situations by their French labels, never
			// by the API's enum codes.
			for _, e := range AllEmploymentSituation {
				if err != nil && strings.Contains(err.Message, string(e)) {
					t.Fatalf("message shows the code %s: %q", e, err.Message)
				}
			}
		})
	}
	for _, e := range AllEmploymentSituation {
		if EmploymentSituationLabels[e] == "" {
			t.Errorf("employment situation %s has no French label", e)
		}
	}
}

// Once accepted, the exit form counts for the target exactly when the outcomes do: one
// definition (every situation against every set of outcomes above).
func TestExitSituationCounts_SameAsOutcomes(t *testing.T) {
	exit := d("2026-06-30")
	var sets [][]Outcome
	sets = append(sets, nil)
	for _, c := range AllContractType {
		c := c
		sets = append(sets, []Outcome{{Kind: OutcomeKindEmployment, ContractType: &c, StartsOn: d("2026-01-01")}})
	}
	sets = append(sets, []Outcome{{Kind: OutcomeKindQualifyingTraining, StartsOn: d("2026-06-01")}},
		[]Outcome{{Kind: OutcomeKindFranceTravailRegistration, StartsOn: d("2026-06-01")}},
		[]Outcome{{Kind: OutcomeKindPreQualifyingTraining, StartsOn: d("2026-06-01")}},
		[]Outcome{{Kind: OutcomeKindWorkOrientedFrenchCourse, StartsOn: d("2026-06-01")}},
		[]Outcome{{Kind: OutcomeKindWorkOrientedFrenchCourse, StartsOn: d("2026-06-01")}, {Kind: OutcomeKindPreQualifyingTraining, StartsOn: d("2026-06-01")}})
	accepted := 0
	for _, outcomes := range sets {
		for _, e := range AllEmploymentSituation {
			for _, tr := range AllTrainingSituation {
				if CheckExitSituation(e, tr, outcomes, exit) != nil {
					continue
				}
				accepted++
				if ExitSituationCounts(e, tr) != InEmploymentOrTrainingOn(outcomes, exit) {
					t.Fatalf("%s/%s with %+v: the form says %v, the outcomes %v", e, tr, outcomes, ExitSituationCounts(e, tr), !ExitSituationCounts(e, tr))
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatal("nothing accepted")
	}
}
