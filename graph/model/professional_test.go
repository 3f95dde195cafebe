package model

import (
	"testing"
)

func pointerTo[T any](v T) *T { return &v }

// TestCountsAsEmploymentOrTraining covers every outcome kind and contract type (seed
// « Contenu »: "60 % des BPI accèdent à l'emploi ou à une formation").
func TestCountsAsEmploymentOrTraining(t *testing.T) {
	start := NewDate(2026, 3, 1)
	for _, tc := range []struct {
		name            string
		o               Outcome
		counts, durable bool
	}{
		{"CDI", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCdi)}, true, true},
		{"CDD6MonthsOrMore", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCdd6MonthsOrMore)}, true, true},
		{"CDDUnder6Months", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCddUnder6Months)}, true, false},
		{"Temporary", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeTemporary)}, true, false},
		{"InsertionContract", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeInsertion)}, true, false},
		{"Apprenticeship", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeApprenticeship)}, true, false},
		{"SelfEmployed", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeSelfEmployed)}, true, false},
		{"EmploymentWithoutContract", Outcome{Kind: OutcomeKindEmployment}, false, false},
		{"QualifyingTraining", Outcome{Kind: OutcomeKindQualifyingTraining, TrainingTitle: pointerTo("CAP cuisine")}, true, false},
		{"FranceTravailRegistration", Outcome{Kind: OutcomeKindFranceTravailRegistration}, false, false},
		// Issue 17: a pre-qualifying training is a training of the target; a work-oriented
		// French course is language learning, neither employment nor training.
		{"PreQualifyingTraining", Outcome{Kind: OutcomeKindPreQualifyingTraining, TrainingTitle: pointerTo("Prépa métiers du bâtiment")}, true, false},
		{"WorkOrientedFrenchCourse", Outcome{Kind: OutcomeKindWorkOrientedFrenchCourse, TrainingTitle: pointerTo("FLE à visée professionnelle")}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.StartsOn = start
			if got := CountsAsEmploymentOrTraining(tc.o); got != tc.counts {
				t.Errorf("CountsAsEmploymentOrTraining = %v, want %v", got, tc.counts)
			}
			if got := IsDurableEmployment(tc.o); got != tc.durable {
				t.Errorf("IsDurableEmployment = %v, want %v", got, tc.durable)
			}
		})
	}
	// Every contract type and kind is decided (the table above lists them all).
	if len(AllContractType) != 7 || len(AllOutcomeKind) != 5 {
		t.Fatalf("new outcome kinds or contract types: decide them in CountsAsEmploymentOrTraining and add them above")
	}
}

func TestInEmploymentOrTrainingOn(t *testing.T) {
	d := NewDate
	cdd := Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCddUnder6Months), StartsOn: d(2026, 1, 1), EndsOn: pointerTo(d(2026, 3, 31))}
	ft := Outcome{Kind: OutcomeKindFranceTravailRegistration, StartsOn: d(2025, 12, 1)}
	for _, tc := range []struct {
		name string
		day  Date
		want bool
	}{
		{"BeforeStart", d(2025, 12, 31), false},
		{"FirstDay", d(2026, 1, 1), true},
		{"LastDay", d(2026, 3, 31), true},
		{"AfterEnd", d(2026, 4, 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := InEmploymentOrTrainingOn([]Outcome{ft, cdd}, tc.day); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestCheckOutcome(t *testing.T) {
	d := NewDate(2026, 1, 10)
	for _, tc := range []struct {
		name  string
		o     Outcome
		code  ErrorCode
		field string
	}{
		{"OKCDI", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCdi), WeeklyHours: pointerTo(35), StartsOn: d}, "", ""},
		{"OKCDDExactly6Months", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCdd6MonthsOrMore), StartsOn: d, EndsOn: pointerTo(NewDate(2026, 7, 9))}, "", ""},
		{"ErrCDD6MonthsTooShort", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCdd6MonthsOrMore), StartsOn: d, EndsOn: pointerTo(NewDate(2026, 7, 8))}, CodeInvalidInput, "contractType"},
		{"OKCDDUnder6Months", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCddUnder6Months), StartsOn: d, EndsOn: pointerTo(NewDate(2026, 7, 8))}, "", ""},
		{"ErrCDDWithoutEnd", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCddUnder6Months), StartsOn: d}, CodeInvalidInput, "endsOn"},
		{"ErrEndBeforeStart", Outcome{Kind: OutcomeKindQualifyingTraining, TrainingTitle: pointerTo("CAP"), StartsOn: d, EndsOn: pointerTo(NewDate(2026, 1, 9))}, CodeInvalidInput, "endsOn"},
		{"ErrNoContract", Outcome{Kind: OutcomeKindEmployment, StartsOn: d}, CodeInvalidInput, "contractType"},
		{"ErrHours", Outcome{Kind: OutcomeKindEmployment, ContractType: pointerTo(ContractTypeCdi), WeeklyHours: pointerTo(60), StartsOn: d}, CodeOutOfRange, "weeklyHours"},
		{"ErrTrainingWithoutTitle", Outcome{Kind: OutcomeKindQualifyingTraining, StartsOn: d}, CodeInvalidInput, "trainingTitle"},
		{"ErrTrainingWithContract", Outcome{Kind: OutcomeKindQualifyingTraining, TrainingTitle: pointerTo("CAP"), ContractType: pointerTo(ContractTypeCdi), StartsOn: d}, CodeInvalidInput, "contractType"},
		{"ErrTrainingWithHours", Outcome{Kind: OutcomeKindPreQualifyingTraining, TrainingTitle: pointerTo("Prépa métiers du BTP"), WeeklyHours: pointerTo(35), StartsOn: d}, CodeInvalidInput, "weeklyHours"},
		{"OKFranceTravail", Outcome{Kind: OutcomeKindFranceTravailRegistration, StartsOn: d}, "", ""},
		{"OKPreQualifying", Outcome{Kind: OutcomeKindPreQualifyingTraining, TrainingTitle: pointerTo("Prépa compétences"), StartsOn: d}, "", ""},
		{"ErrPreQualifyingWithoutTitle", Outcome{Kind: OutcomeKindPreQualifyingTraining, StartsOn: d}, CodeInvalidInput, "trainingTitle"},
		{"ErrPreQualifyingWithCertification", Outcome{Kind: OutcomeKindPreQualifyingTraining, TrainingTitle: pointerTo("Prépa"), CertificationLevel: pointerTo(CertificationLevelLevel3), StartsOn: d}, CodeInvalidInput, "certificationLevel"},
		{"OKWorkOrientedFrench", Outcome{Kind: OutcomeKindWorkOrientedFrenchCourse, TrainingTitle: pointerTo("FLE à visée pro"), StartsOn: d}, "", ""},
		{"ErrWorkOrientedFrenchWithoutTitle", Outcome{Kind: OutcomeKindWorkOrientedFrenchCourse, StartsOn: d}, CodeInvalidInput, "trainingTitle"},
		{"ErrWorkOrientedFrenchWithContract", Outcome{Kind: OutcomeKindWorkOrientedFrenchCourse, TrainingTitle: pointerTo("FLE"), ContractType: pointerTo(ContractTypeCdi), StartsOn: d}, CodeInvalidInput, "contractType"},
		{"ErrFranceTravailWithContract", Outcome{Kind: OutcomeKindFranceTravailRegistration, ContractType: pointerTo(ContractTypeCdi), StartsOn: d}, CodeInvalidInput, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := CheckOutcome(tc.o)
			switch {
			case tc.code == "" && e != nil:
				t.Fatalf("unexpected %v", e)
			case tc.code != "" && (e == nil || e.Code != tc.code || e.Field[1] != tc.field):
				t.Fatalf("got %v, want %s on %s", e, tc.code, tc.field)
			}
		})
	}
}

func TestParseCefrLevel(t *testing.T) {
	for in, want := range map[string]CefrLevel{"A1": CefrLevelA1, " b2 ": CefrLevelB2, "below_a1": CefrLevelBelowA1, "infra A1": CefrLevelBelowA1, "C2": CefrLevelC2} {
		if got, e := ParseCefrLevel(in); e != nil || got != want {
			t.Errorf("%q: %v %v", in, got, e)
		}
	}
	for _, in := range []string{"", "D1", "A3", "B1+", "A1.1"} {
		if _, e := ParseCefrLevel(in); e == nil || e.Code != CodeInvalidInput || e.Field[1] != "level" {
			t.Errorf("%q accepted: %v", in, e)
		}
	}
}

func TestFrenchProgression(t *testing.T) {
	d := NewDate
	got := FrenchProgression([]FrenchLevel{
		{Key: "b1", Level: CefrLevelB1, AssessedOn: d(2026, 6, 1)},
		{Key: "a1", Level: CefrLevelA1, AssessedOn: d(2025, 6, 1)},
		{Key: "a2", Level: CefrLevelA2, AssessedOn: d(2025, 12, 1)},
		{Key: "a2bis", Level: CefrLevelA2, AssessedOn: d(2026, 9, 1)},
	})
	want := []struct {
		key  string
		gain *int
	}{{"a1", nil}, {"a2", pointerTo(1)}, {"b1", pointerTo(1)}, {"a2bis", pointerTo(-1)}}
	for i, w := range want {
		if got[i].Key != w.key || (w.gain == nil) != (got[i].LevelsGained == nil) || (w.gain != nil && *w.gain != *got[i].LevelsGained) {
			t.Fatalf("%d: got %+v, want %s %v", i, got[i], w.key, w.gain)
		}
	}
}

// TestOrientationDeadline: the partner answers within OrientationAnswerDelayDays; past
// it, a pending orientation is overdue and an alert.
func TestOrientationDeadline(t *testing.T) {
	p := DefaultParameters()
	on := NewDate(2026, 3, 1)
	due := OrientationAnswerDueOn(on, p)
	if due != NewDate(2026, 3, 16) {
		t.Fatalf("due %v", due)
	}
	for _, tc := range []struct {
		name   string
		status OrientationStatus
		today  Date
		want   bool
	}{
		{"PendingOnDeadline", OrientationStatusPending, due, false},
		{"PendingDayAfter", OrientationStatusPending, due.AddDate(0, 0, 1), true},
		{"AnsweredLate", OrientationStatusAccepted, due.AddDate(0, 0, 10), false},
		{"Refused", OrientationStatusRefused, due.AddDate(0, 0, 10), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OrientationOverdue(tc.status, due, tc.today); got != tc.want {
				t.Fatalf("got %v", got)
			}
			alerts := OrientationAlerts([]Orientation{{Status: tc.status, AnswerDueOn: due}}, tc.today)
			if (len(alerts) == 1) != tc.want || (tc.want && (alerts[0].Kind != AlertKindOrientationUnanswered || alerts[0].Since != due.AddDate(0, 0, 1))) {
				t.Fatalf("alerts %+v", alerts)
			}
		})
	}
}

func TestCheckOrientationTransitions(t *testing.T) {
	today := NewDate(2026, 3, 20)
	o := func(s OrientationStatus) Orientation {
		return Orientation{Status: s, OrientedOn: NewDate(2026, 3, 1), AnsweredOn: pointerTo(NewDate(2026, 3, 5))}
	}
	reason := pointerTo("complet")
	for _, tc := range []struct {
		name   string
		from   OrientationStatus
		to     OrientationStep
		reason *string
		code   ErrorCode
	}{
		{"AcceptedToStarted", OrientationStatusAccepted, OrientationStepStarted, nil, ""},
		{"AcceptedToAbandoned", OrientationStatusAccepted, OrientationStepAbandoned, reason, ""},
		{"StartedToCompleted", OrientationStatusStarted, OrientationStepCompleted, nil, ""},
		{"StartedToAbandoned", OrientationStatusStarted, OrientationStepAbandoned, reason, ""},
		{"ErrAcceptedToCompleted", OrientationStatusAccepted, OrientationStepCompleted, nil, CodeOutOfOrder},
		{"ErrPendingToStarted", OrientationStatusPending, OrientationStepStarted, nil, CodeOutOfOrder},
		{"ErrRefusedToStarted", OrientationStatusRefused, OrientationStepStarted, nil, CodeOutOfOrder},
		{"ErrCompletedToAbandoned", OrientationStatusCompleted, OrientationStepAbandoned, reason, CodeOutOfOrder},
		{"ErrAbandonWithoutReason", OrientationStatusStarted, OrientationStepAbandoned, nil, CodeInvalidInput},
		{"ErrUnknownStep", OrientationStatusAccepted, OrientationStep("ACCEPTED"), nil, CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := CheckOrientationStatus(o(tc.from), tc.to, tc.reason, today, today)
			if (e == nil) != (tc.code == "") || (e != nil && e.Code != tc.code) {
				t.Fatalf("got %v, want %q", e, tc.code)
			}
		})
	}
	t.Run("Answers", func(t *testing.T) {
		pending := Orientation{Status: OrientationStatusPending, OrientedOn: NewDate(2026, 3, 1)}
		if e := CheckOrientationAnswer(pending, OrientationAnswerAccepted, nil, nil, today, today); e != nil {
			t.Fatal(e)
		}
		if e := CheckOrientationAnswer(pending, OrientationAnswerRefused, nil, pointerTo("complet"), today, today); e == nil || e.Code != CodeInvalidInput || e.Field[1] != "refusalCategory" {
			t.Fatalf("refusal without reason: %v", e)
		}
		if c := RefusalCategoryOf(OrientationAnswerRefused, nil, pointerTo("complet")); c == nil || *c != OrientationRefusalCategoryOther {
			t.Fatalf("a refusal with free text only is OTHER: %v", c)
		}
		if c := RefusalCategoryOf(OrientationAnswerRefused, nil, pointerTo("  ")); c != nil {
			t.Fatalf("blank text gives no reason: %v", c)
		}
		if c := RefusalCategoryOf(OrientationAnswerAccepted, nil, pointerTo("complet")); c != nil {
			t.Fatalf("an acceptance has no refusal reason: %v", c)
		}
		if e := CheckOrientationAnswer(pending, OrientationAnswerAccepted, nil, nil, NewDate(2026, 2, 1), today); e == nil || e.Code != CodeOutOfOrder {
			t.Fatalf("answer before orientation: %v", e)
		}
		if e := CheckOrientationAnswer(o(OrientationStatusRefused), OrientationAnswerAccepted, nil, nil, today, today); e == nil || e.Code != CodeOutOfOrder {
			t.Fatalf("second answer: %v", e)
		}
		// Issue 17: a reason from the closed list, free text optional but for OTHER.
		full, other := pointerTo(OrientationRefusalCategoryNoCapacity), pointerTo(OrientationRefusalCategoryOther)
		if e := CheckOrientationAnswer(pending, OrientationAnswerRefused, full, nil, today, today); e != nil {
			t.Fatalf("refusal with a reason and no text: %v", e)
		}
		if e := CheckOrientationAnswer(pending, OrientationAnswerRefused, other, pointerTo(" "), today, today); e == nil || e.Field[1] != "refusalReason" {
			t.Fatalf("OTHER without text: %v", e)
		}
		if e := CheckOrientationAnswer(pending, OrientationAnswerRefused, other, pointerTo("Fermeture estivale"), today, today); e != nil {
			t.Fatalf("OTHER with text: %v", e)
		}
		if e := CheckOrientationAnswer(pending, OrientationAnswerRefused, pointerTo(OrientationRefusalCategory("FULL")), nil, today, today); e == nil || e.Field[1] != "refusalCategory" {
			t.Fatalf("unknown reason: %v", e)
		}
		if e := CheckOrientationAnswer(pending, OrientationAnswerAccepted, full, nil, today, today); e == nil || e.Field[1] != "refusalCategory" {
			t.Fatalf("acceptance with a refusal reason: %v", e)
		}
		if len(RefusalCategoryLabels) != len(AllOrientationRefusalCategory) {
			t.Fatalf("a refusal reason without a French label")
		}
	})
}

func TestCheckProfessionalAct(t *testing.T) {
	for _, ph := range AllJourneyPhase {
		ended := ph == JourneyPhaseExited || ph == JourneyPhaseFollowUp || ph == JourneyPhaseClosed
		if e := CheckProfessionalAct(ph, false); (e != nil) != ended {
			t.Errorf("%s: %v", ph, e)
		}
		if e := CheckProfessionalAct(ph, true); e != nil {
			t.Errorf("outcome refused in %s: %v", ph, e)
		}
	}
}
