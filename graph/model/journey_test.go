package model

import (
	"strings"
	"testing"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func dp(s string) *Date { v := d(s); return &v }

// Seed « Conditions d'accès » / « Pré-requis »: BPI since 1 January N-1, CIR signed,
// covered department.
func TestEligibility(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      EligibilityInput
		failed  EligibilityCondition
		field   string
		eligibl bool
	}{
		{"OK_Refugee", EligibilityInput{ProtectionTypeRefugee, dp("2025-01-01"), dp("2026-03-01"), true, d("2026-03-02")}, "", "", true},
		{"OK_Subsidiary", EligibilityInput{ProtectionTypeSubsidiaryProtection, dp("2026-02-10"), dp("2026-03-01"), true, d("2026-03-01")}, "", "", true},
		{"ErrNotBPI", EligibilityInput{ProtectionTypeOther, dp("2026-01-10"), dp("2026-03-01"), true, d("2026-03-02")}, EligibilityConditionProtectionType, "protectionType", false},
		{"ErrProtectionBeforeNMinus1", EligibilityInput{ProtectionTypeRefugee, dp("2024-12-31"), dp("2026-03-01"), true, d("2026-03-02")}, EligibilityConditionProtectionDate, "protectionGrantedOn", false},
		{"ErrProtectionDateMissing", EligibilityInput{ProtectionTypeRefugee, nil, dp("2026-03-01"), true, d("2026-03-02")}, EligibilityConditionProtectionDate, "protectionGrantedOn", false},
		{"ErrProtectionAfterReferral", EligibilityInput{ProtectionTypeRefugee, dp("2026-04-01"), dp("2026-03-01"), true, d("2026-03-02")}, EligibilityConditionProtectionDate, "protectionGrantedOn", false},
		{"ErrCIRNotSigned", EligibilityInput{ProtectionTypeRefugee, dp("2026-01-10"), nil, true, d("2026-03-02")}, EligibilityConditionCirSigned, "cirSignedOn", false},
		{"ErrCIRAfterReferral", EligibilityInput{ProtectionTypeRefugee, dp("2026-01-10"), dp("2026-03-05"), true, d("2026-03-02")}, EligibilityConditionCirSigned, "cirSignedOn", false},
		{"ErrDepartmentNotCovered", EligibilityInput{ProtectionTypeRefugee, dp("2026-01-10"), dp("2026-03-01"), false, d("2026-03-02")}, EligibilityConditionDepartmentCovered, "department", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checks := Eligibility(tc.in)
			err := EligibilityError(checks, "input")
			if tc.eligibl {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || err.Code != CodeNotEligible || err.Field[1] != tc.field {
				t.Fatalf("err = %v, want NOT_ELIGIBLE on %s", err, tc.field)
			}
			for _, c := range checks {
				if c.Condition == tc.failed && c.Met {
					t.Fatalf("condition %s reported met", tc.failed)
				}
			}
		})
	}
}

// Seed: "Les rejoignants des BPI éligibles (conjoints, enfants mineurs ou parents de BPI)".
func TestCheckHouseholdMember(t *testing.T) {
	today := d("2026-06-01")
	for _, tc := range []struct {
		name      string
		principal AdmissionKind
		rel       Relationship
		birth     string
		code      ErrorCode
	}{
		{"OK_Spouse", AdmissionKindEligible, RelationshipSpouse, "1990-01-01", ""},
		{"OK_MinorChild", AdmissionKindEligible, RelationshipMinorChild, "2010-06-02", ""},
		{"OK_Parent", AdmissionKindEligible, RelationshipParent, "1950-01-01", ""},
		{"ErrAdultChild", AdmissionKindEligible, RelationshipMinorChild, "2008-05-01", CodeNotEligible},
		{"OK_ChildOneDayBefore18", AdmissionKindEligible, RelationshipMinorChild, "2008-05-02", ""},
		{"ErrPrincipalExceptional", AdmissionKindExceptional, RelationshipSpouse, "1990-01-01", CodeNotEligible},
		{"ErrBornAfterJoining", AdmissionKindEligible, RelationshipMinorChild, "2026-05-02", CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckHouseholdMember(tc.principal, tc.rel, d(tc.birth), d("2026-05-01"), today)
			if got := codeOf(err); got != tc.code {
				t.Fatalf("code = %q, want %q (%v)", got, tc.code, err)
			}
		})
	}
}

func codeOf(err *Error) ErrorCode {
	if err == nil {
		return ""
	}
	return err.Code
}

// Seed « Modalité et délais d'accès »: welcome within one month of CIR signature.
func TestWelcomeInterviewDueOn(t *testing.T) {
	p := DefaultParameters()
	for _, tc := range []struct{ cir, want string }{
		{"2026-03-01", "2026-04-01"},
		{"2026-01-31", "2026-02-28"},
		{"2024-01-31", "2024-02-29"},
	} {
		if got := WelcomeInterviewDueOn(dp(tc.cir), d("2026-12-01"), p); got != d(tc.want) {
			t.Errorf("due(%s) = %s, want %s", tc.cir, got, tc.want)
		}
	}
	if !WelcomeInterviewLate(dp("2026-04-01"), dp("2026-04-02"), d("2026-05-01")) ||
		WelcomeInterviewLate(dp("2026-04-01"), dp("2026-04-01"), d("2026-05-01")) ||
		!WelcomeInterviewLate(dp("2026-04-01"), nil, d("2026-04-02")) ||
		WelcomeInterviewLate(dp("2026-04-01"), nil, d("2026-04-01")) {
		t.Fatal("late flag wrong")
	}
}

func TestDeriveJourney_Phase(t *testing.T) {
	p := DefaultParameters()
	base := JourneyFacts{ReferredOn: d("2026-01-10"), CirSignedOn: dp("2026-01-05")}
	exit := &ExitFact{Key: "e1", Kind: ExitKindExit, On: d("2027-06-01")}
	for _, tc := range []struct {
		name string
		edit func(f *JourneyFacts)
		want JourneyPhase
	}{
		{"Referred", func(f *JourneyFacts) {}, JourneyPhaseReferred},
		{"Convoked", func(f *JourneyFacts) { f.Convoked = true }, JourneyPhaseConvoked},
		{"Welcomed", func(f *JourneyFacts) { f.Convoked, f.WelcomeHeldOn = true, dp("2026-01-20") }, JourneyPhaseWelcomed},
		{"Contracted", func(f *JourneyFacts) { f.WelcomeHeldOn, f.ContractSignedOn = dp("2026-01-20"), dp("2026-01-25") }, JourneyPhaseContracted},
		{"Exited", func(f *JourneyFacts) { f.LastExit = exit }, JourneyPhaseExited},
		{"FollowUp", func(f *JourneyFacts) { f.LastExit, f.FollowUps = exit, []FollowUpStage{FollowUpStageThreeMonths} }, JourneyPhaseFollowUp},
		{"Closed", func(f *JourneyFacts) {
			f.LastExit, f.FollowUps = exit, []FollowUpStage{FollowUpStageThreeMonths, FollowUpStageSixMonths}
		}, JourneyPhaseClosed},
		{"SixMonthsAloneIsNotClosed", func(f *JourneyFacts) { f.LastExit, f.FollowUps = exit, []FollowUpStage{FollowUpStageSixMonths} }, JourneyPhaseFollowUp},
		{"ClosedByExclusion", func(f *JourneyFacts) { f.LastExit = &ExitFact{Key: "x", Kind: ExitKindExclusion, On: d("2026-05-01")} }, JourneyPhaseClosed},
		{"Reintegrated", func(f *JourneyFacts) {
			f.LastExit = exit
			f.LastReintegration = &ReintegrationFact{ExitKey: "e1", On: d("2027-12-01"), Until: d("2028-06-01")}
		}, JourneyPhaseReintegrated},
		{"ExitedAgainAfterReintegration", func(f *JourneyFacts) {
			f.LastExit = &ExitFact{Key: "e2", Kind: ExitKindExit, On: d("2028-06-01")}
			f.LastReintegration = &ReintegrationFact{ExitKey: "e1", On: d("2027-12-01"), Until: d("2028-06-01")}
		}, JourneyPhaseExited},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			tc.edit(&f)
			if got := DeriveJourney(f, p).Phase; got != tc.want {
				t.Fatalf("phase = %s, want %s", got, tc.want)
			}
		})
	}
}

func alertKinds(f JourneyFacts, today string) map[AlertKind]bool {
	out := map[AlertKind]bool{}
	for _, a := range ActiveAlerts(DeriveJourney(f, DefaultParameters()).Alerts, d(today)) {
		out[a.Kind] = true
	}
	return out
}

// Alerts: DESIGN §3 (welcome overdue, contract, evaluations, 24 months, housing
// refusals, follow-ups).
func TestDeriveJourney_Alerts(t *testing.T) {
	base := JourneyFacts{ReferredOn: d("2026-01-10"), CirSignedOn: dp("2026-01-05")}
	for _, tc := range []struct {
		name   string
		edit   func(f *JourneyFacts)
		today  string
		want   AlertKind
		absent bool
	}{
		{"WelcomeNotYetOverdue", func(f *JourneyFacts) {}, "2026-02-05", AlertKindWelcomeInterviewOverdue, true},
		{"WelcomeOverdue", func(f *JourneyFacts) {}, "2026-02-06", AlertKindWelcomeInterviewOverdue, false},
		{"ContractNotSigned", func(f *JourneyFacts) { f.WelcomeHeldOn = dp("2026-01-20") }, "2026-02-06", AlertKindContractNotSigned, false},
		{"ContractSigned", func(f *JourneyFacts) { f.WelcomeHeldOn, f.ContractSignedOn = dp("2026-01-20"), dp("2026-01-25") }, "2026-02-06", AlertKindContractNotSigned, true},
		{"EntryEvaluationDue", func(f *JourneyFacts) { f.WelcomeHeldOn = dp("2026-01-20") }, "2026-02-19", AlertKindEvaluationDue, false},
		{"MidCourseDue", func(f *JourneyFacts) {
			f.WelcomeHeldOn, f.EvaluationStages = dp("2026-01-20"), []EvaluationStage{EvaluationStageEntry}
		}, "2027-01-20", AlertKindEvaluationDue, false},
		{"MidCourseNotYet", func(f *JourneyFacts) {
			f.WelcomeHeldOn, f.EvaluationStages = dp("2026-01-20"), []EvaluationStage{EvaluationStageEntry}
		}, "2027-01-19", AlertKindEvaluationDue, true},
		{"LimitNear", func(f *JourneyFacts) { f.WelcomeHeldOn = dp("2026-01-20") }, "2027-11-19", AlertKindJourneyLimitNear, false},
		{"LimitNotNear", func(f *JourneyFacts) { f.WelcomeHeldOn = dp("2026-01-20") }, "2027-11-18", AlertKindJourneyLimitNear, true},
		{"LimitReached", func(f *JourneyFacts) { f.WelcomeHeldOn = dp("2026-01-20") }, "2028-01-20", AlertKindJourneyLimitReached, false},
		{"LimitNotReachedOnLastDay", func(f *JourneyFacts) { f.WelcomeHeldOn = dp("2026-01-20") }, "2028-01-19", AlertKindJourneyLimitReached, true},
		{"OneRefusal", func(f *JourneyFacts) { f.HousingRefusals = []Date{d("2026-03-01")} }, "2026-04-01", AlertKindHousingRefusals, true},
		{"TwoRefusals", func(f *JourneyFacts) { f.HousingRefusals = []Date{d("2026-03-01"), d("2026-03-20")} }, "2026-04-01", AlertKindHousingRefusals, false},
		{"FollowUpNotYetDue", func(f *JourneyFacts) { f.LastExit = &ExitFact{"e", ExitKindExit, d("2026-06-30")} }, "2026-09-29", AlertKindFollowUpDue, true},
		{"FollowUpDue", func(f *JourneyFacts) { f.LastExit = &ExitFact{"e", ExitKindExit, d("2026-06-30")} }, "2026-09-30", AlertKindFollowUpDue, false},
		{"NoFollowUpAfterExclusion", func(f *JourneyFacts) { f.LastExit = &ExitFact{"e", ExitKindExclusion, d("2026-06-30")} }, "2027-01-30", AlertKindFollowUpDue, true},
		{"NoWelcomeAlertAfterExit", func(f *JourneyFacts) { f.LastExit = &ExitFact{"e", ExitKindExit, d("2026-06-30")} }, "2026-09-30", AlertKindWelcomeInterviewOverdue, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			tc.edit(&f)
			if got := alertKinds(f, tc.today)[tc.want]; got == tc.absent {
				t.Fatalf("alert %s active=%v on %s, want %v", tc.want, got, tc.today, !tc.absent)
			}
		})
	}
}

// CheckAct: the order of the acts (DESIGN §3) and the 24-month maximum (seed « Durée »).
func TestCheckAct(t *testing.T) {
	p := DefaultParameters()
	referred := JourneyFacts{ReferredOn: d("2026-01-10"), CirSignedOn: dp("2026-01-05")}
	welcomed := referred
	welcomed.Convoked, welcomed.WelcomeHeldOn = true, dp("2026-01-20")
	planned := welcomed
	planned.ObjectiveCount = 1
	exited := planned
	exited.LastExit = &ExitFact{"e", ExitKindExit, d("2026-12-01")}
	for _, tc := range []struct {
		name  string
		act   Act
		f     JourneyFacts
		today string
		code  ErrorCode
	}{
		{"OK_Convoke", ActConvoke, referred, "2026-01-11", ""},
		{"ErrWelcomeWithoutConvocation", ActWelcomeHeld, referred, "2026-01-11", CodeOutOfOrder},
		{"ErrWelcomeTwice", ActWelcomeHeld, welcomed, "2026-01-21", CodeOutOfOrder},
		{"ErrDiagnosticBeforeWelcome", ActDiagnostic, referred, "2026-01-11", CodeOutOfOrder},
		{"ErrContractBeforeWelcome", ActContract, referred, "2026-01-11", CodeOutOfOrder},
		{"ErrContractWithoutPlan", ActContract, welcomed, "2026-01-21", CodeOutOfOrder},
		{"OK_Contract", ActContract, planned, "2026-01-21", ""},
		{"ErrExitTwice", ActExit, exited, "2026-12-02", CodeOutOfOrder},
		{"ErrFollowUpBeforeExit", ActFollowUp, planned, "2026-12-02", CodeOutOfOrder},
		{"OK_FollowUp", ActFollowUp, exited, "2027-03-02", ""},
		{"ErrReintegrateNotExited", ActReintegrate, planned, "2026-12-02", CodeOutOfOrder},
		{"ErrInterviewAfter24Months", ActInterview, planned, "2028-01-20", CodeJourneyLimitReached},
		{"OK_InterviewLastDay", ActInterview, planned, "2028-01-19", ""},
		{"OK_ExitAfter24Months", ActExit, planned, "2028-03-01", ""},
		{"ErrInterviewAfterExit", ActInterview, exited, "2026-12-02", CodeOutOfOrder},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := codeOf(CheckAct(tc.act, tc.f, d(tc.today), p)); got != tc.code {
				t.Fatalf("code = %q, want %q", got, tc.code)
			}
		})
	}
}

// Seed « Suivi-évaluation »: exclusion reasons, decided by the coordinator.
func TestCheckExclusion(t *testing.T) {
	p := DefaultParameters()
	for _, tc := range []struct {
		name     string
		role     Role
		reason   ExclusionReason
		refusals int
		code     ErrorCode
	}{
		{"ErrOneRefusal", RoleCoordinator, ExclusionReasonTwoHousingRefusals, 1, CodeRuleViolation},
		{"OK_TwoRefusals", RoleCoordinator, ExclusionReasonTwoHousingRefusals, 2, ""},
		{"OK_Violence", RoleCoordinator, ExclusionReasonViolenceOrThreat, 0, ""},
		{"ErrSocialWorker", RoleSocialWorker, ExclusionReasonNonAdherence, 0, CodeForbidden},
		{"ErrUnknownReason", RoleCoordinator, ExclusionReason("BAD"), 0, CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := codeOf(CheckExclusion(tc.role, tc.reason, tc.refusals, p)); got != tc.code {
				t.Fatalf("code = %q, want %q", got, tc.code)
			}
		})
	}
}

// Seed « Suivi-évaluation »: reintegration, state representative, 12 months at most.
func TestCheckReintegration(t *testing.T) {
	p := DefaultParameters()
	exitedOn := d("2026-06-01")
	for _, tc := range []struct {
		name      string
		role      Role
		on, until string
		code      ErrorCode
	}{
		{"OK_12Months", RoleStateRepresentative, "2026-09-01", "2027-09-01", ""},
		{"ErrBeyond12Months", RoleStateRepresentative, "2026-09-01", "2027-09-02", CodeRuleViolation},
		{"ErrNotStateRepresentative", RoleCoordinator, "2026-09-01", "2027-03-01", CodeForbidden},
		{"ErrBeforeExit", RoleStateRepresentative, "2026-05-01", "2026-09-01", CodeOutOfOrder},
		{"ErrEndBeforeStart", RoleStateRepresentative, "2026-09-01", "2026-09-01", CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := codeOf(CheckReintegration(tc.role, d(tc.on), d(tc.until), exitedOn, p)); got != tc.code {
				t.Fatalf("code = %q, want %q", got, tc.code)
			}
		})
	}
}

// Seed « Suivi-évaluation »: evaluations at entry, mid-course and exit.
func TestCheckEvaluation(t *testing.T) {
	p := DefaultParameters()
	// welcomed on 20 January 2026: the period ends on 19 January 2028, its end is near
	// (JOURNEY_LIMIT_NEAR) from 19 November 2027
	none := JourneyFacts{ReferredOn: d("2026-01-10"), WelcomeHeldOn: dp("2026-01-20")}
	entry := none
	entry.EvaluationStages = []EvaluationStage{EvaluationStageEntry}
	exited := entry
	exited.LastExit = &ExitFact{Key: "e", Kind: ExitKindExit, On: d("2026-09-01")}
	reintegrated := exited
	reintegrated.LastReintegration = &ReintegrationFact{ExitKey: "e", On: d("2026-12-01"), Until: d("2027-06-01")}
	reintegrated.EvaluationStages = []EvaluationStage{EvaluationStageEntry}
	for _, tc := range []struct {
		name   string
		stage  EvaluationStage
		scores [4]int
		f      JourneyFacts
		today  string
		code   ErrorCode
	}{
		{"OK_Entry", EvaluationStageEntry, [4]int{1, 0, 2, 3}, none, "2026-01-22", ""},
		{"ErrMidBeforeEntry", EvaluationStageMidCourse, [4]int{1, 1, 1, 1}, none, "2027-01-22", CodeOutOfOrder},
		{"ErrEntryTwice", EvaluationStageEntry, [4]int{1, 1, 1, 1}, entry, "2026-01-22", CodeAlreadyExists},
		{"ErrScoreTooHigh", EvaluationStageMidCourse, [4]int{1, 6, 1, 1}, entry, "2027-01-22", CodeOutOfRange},
		{"ErrExitTwoDaysAfterWelcome", EvaluationStageExit, [4]int{5, 5, 5, 5}, entry, "2026-01-22", CodeOutOfOrder},
		{"ErrExitTheDayBeforeTheEndIsNear", EvaluationStageExit, [4]int{5, 5, 5, 5}, entry, "2027-11-18", CodeOutOfOrder},
		{"OK_ExitWhenTheEndIsNear", EvaluationStageExit, [4]int{5, 5, 5, 5}, entry, "2027-11-19", ""},
		{"OK_ExitAfterAnEarlyExit", EvaluationStageExit, [4]int{5, 5, 5, 5}, exited, "2026-09-02", ""},
		{"ErrMidAfterExit", EvaluationStageMidCourse, [4]int{5, 5, 5, 5}, exited, "2026-09-02", CodeOutOfOrder},
		{"ErrExitEarlyInAReintegration", EvaluationStageExit, [4]int{5, 5, 5, 5}, reintegrated, "2026-12-15", CodeOutOfOrder},
		{"OK_ExitNearTheEndOfAReintegration", EvaluationStageExit, [4]int{5, 5, 5, 5}, reintegrated, "2027-04-01", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := codeOf(CheckEvaluation(tc.stage, tc.scores, tc.f, d(tc.today), p)); got != tc.code {
				t.Fatalf("code = %q, want %q", got, tc.code)
			}
		})
	}
	prog := EvaluationProgress([]Evaluation{
		{Stage: EvaluationStageEntry, Housing: 1, Employment: 0, Training: 1, Rights: 2},
		{Stage: EvaluationStageExit, Housing: 4, Employment: 3, Training: 1, Rights: 5},
	})
	if *prog[0].Change != 3 || *prog[1].Change != 3 || *prog[2].Change != 0 || *prog[3].Change != 3 || prog[0].MidCourse != nil {
		t.Fatalf("progress = %+v", prog)
	}
}

func TestCheckPlanActionStatus(t *testing.T) {
	for _, tc := range []struct {
		from, to PlanActionStatus
		code     ErrorCode
	}{
		{PlanActionStatusPlanned, PlanActionStatusInProgress, ""},
		{PlanActionStatusInProgress, PlanActionStatusDone, ""},
		{PlanActionStatusPlanned, PlanActionStatusAbandoned, ""},
		{PlanActionStatusDone, PlanActionStatusInProgress, CodeOutOfOrder},
		{PlanActionStatusAbandoned, PlanActionStatusDone, CodeOutOfOrder},
		{PlanActionStatusInProgress, PlanActionStatusPlanned, CodeOutOfOrder},
	} {
		if got := codeOf(CheckPlanActionStatus(tc.from, tc.to)); got != tc.code {
			t.Errorf("%s -> %s: code = %q, want %q", tc.from, tc.to, got, tc.code)
		}
	}
}

func TestCheckDiagnosticAxes(t *testing.T) {
	four := []Axis{AxisRights, AxisHousing, AxisEmployment, AxisTraining}
	for _, tc := range []struct {
		name            string
		existing, given []Axis
		code            ErrorCode
	}{
		{"OK_FourAxes", nil, four, ""},
		{"OK_CompletesExisting", four, []Axis{AxisHealth}, ""},
		{"ErrMissingTraining", nil, four[:3], CodeInvalidInput},
		{"ErrAxisTwice", nil, append(four, AxisRights), CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := codeOf(CheckDiagnosticAxes(tc.existing, tc.given)); got != tc.code {
				t.Fatalf("code = %q, want %q", got, tc.code)
			}
		})
	}
}

func TestCheckHousingOutcomeAndRightsStep(t *testing.T) {
	reason, blank := "trop loin", " "
	for _, tc := range []struct {
		name    string
		outcome HousingOutcome
		reason  *string
		code    ErrorCode
	}{
		{"OK_Refused", HousingOutcomeRefused, &reason, ""},
		{"OK_Accepted", HousingOutcomeAccepted, nil, ""},
		{"ErrRefusedWithoutReason", HousingOutcomeRefused, nil, CodeInvalidInput},
		{"ErrRefusedBlankReason", HousingOutcomeRefused, &blank, CodeInvalidInput},
		{"ErrAcceptedWithReason", HousingOutcomeAccepted, &reason, CodeInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := codeOf(CheckHousingOutcome(tc.outcome, tc.reason)); got != tc.code {
				t.Fatalf("code = %q, want %q", got, tc.code)
			}
		})
	}
	if CheckRightsStep(RightsStepStatusDone, nil, nil) == nil || CheckRightsStep(RightsStepStatusInProgress, nil, dp("2026-01-01")) == nil ||
		CheckRightsStep(RightsStepStatusDone, dp("2026-02-01"), dp("2026-01-01")) == nil || CheckRightsStep(RightsStepStatusDone, dp("2026-01-01"), dp("2026-01-01")) != nil {
		t.Fatal("rights step rule")
	}
	if CheckEngagementContract(false) == nil || CheckEngagementContract(true) != nil {
		t.Fatal("consent rule")
	}
}

func TestParameterOverrides(t *testing.T) {
	v := func(n int) *int { return &n }
	p := DefaultParameters().With(ParameterOverrides{MaxJourneyMonths: v(18), WelcomeDelayMonths: v(2)})
	if p.MaxJourneyMonths != 18 || p.WelcomeDelayMonths != 2 || p.ReintegrationMaxMonths != 12 {
		t.Fatalf("with = %+v", p)
	}
	for _, tc := range []struct {
		name string
		o    ParameterOverrides
		code ErrorCode
	}{
		{"OK", ParameterOverrides{MaxJourneyMonths: v(18)}, ""},
		{"ErrJourneyBeyond24Months", ParameterOverrides{MaxJourneyMonths: v(30)}, CodeOutOfRange},
		{"ErrReintegrationBeyond12Months", ParameterOverrides{ReintegrationMaxMonths: v(13)}, CodeOutOfRange},
		{"ErrMidCourseAfterEnd", ParameterOverrides{MaxJourneyMonths: v(12), MidCourseEvaluationMonths: v(12)}, CodeOutOfRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := codeOf(CheckParameterOverrides(tc.o)); got != tc.code {
				t.Fatalf("code = %q, want %q", got, tc.code)
			}
		})
	}
}

func TestJourneyPhase_InProgress(t *testing.T) {
	want := map[JourneyPhase]bool{
		JourneyPhaseReferred: true, JourneyPhaseConvoked: true, JourneyPhaseWelcomed: true, JourneyPhaseContracted: true,
		JourneyPhaseReintegrated: true, JourneyPhaseExited: false, JourneyPhaseFollowUp: false, JourneyPhaseClosed: false,
	}
	if len(want) != len(AllJourneyPhase) {
		t.Fatalf("a phase has no expectation: %v", AllJourneyPhase)
	}
	for p, w := range want {
		if p.InProgress() != w {
			t.Errorf("%s.InProgress() = %v, want %v", p, !w, w)
		}
	}
	if got := PhasesInProgress(); len(got) != 5 {
		t.Fatalf("PhasesInProgress() = %v", got)
	}
}

// Seed « Suivi-évaluation »: "un suivi à 3 mois et 6 mois après la sortie", in order,
// each near its day.
func TestCheckFollowUp(t *testing.T) {
	p := DefaultParameters()
	exited := JourneyFacts{ReferredOn: d("2026-01-10"), LastExit: &ExitFact{Key: "e", Kind: ExitKindExit, On: d("2026-06-30")}}
	three := exited
	three.FollowUps = []FollowUpStage{FollowUpStageThreeMonths}
	both := exited
	both.FollowUps = []FollowUpStage{FollowUpStageThreeMonths, FollowUpStageSixMonths}
	for _, tc := range []struct {
		name   string
		stage  FollowUpStage
		heldOn string
		f      JourneyFacts
		code   ErrorCode
		field  string
	}{
		{"OK_ThreeMonthsOnItsDay", FollowUpStageThreeMonths, "2026-09-30", exited, "", ""},
		{"OK_ThreeMonthsFirstDayOfWindow", FollowUpStageThreeMonths, "2026-08-31", exited, "", ""},
		{"OK_ThreeMonthsLastDayOfWindow", FollowUpStageThreeMonths, "2026-10-30", exited, "", ""},
		{"ErrThreeMonthsTooEarly", FollowUpStageThreeMonths, "2026-08-30", exited, CodeOutOfRange, "input.heldOn"},
		{"ErrThreeMonthsTooLate", FollowUpStageThreeMonths, "2026-10-31", exited, CodeOutOfRange, "input.heldOn"},
		{"ErrSixMonthsSevenDaysAfterExit", FollowUpStageSixMonths, "2026-07-07", three, CodeOutOfRange, "input.heldOn"},
		{"ErrSixMonthsBeforeThree", FollowUpStageSixMonths, "2026-12-30", exited, CodeOutOfOrder, "input.stage"},
		{"OK_SixMonthsAfterThree", FollowUpStageSixMonths, "2026-12-30", three, "", ""},
		{"ErrThreeMonthsTwice", FollowUpStageThreeMonths, "2026-09-30", three, CodeAlreadyExists, "input.stage"},
		{"ErrThreeMonthsAfterSix", FollowUpStageThreeMonths, "2026-09-30", both, CodeAlreadyExists, "input.stage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckFollowUp(tc.stage, d(tc.heldOn), tc.f, p)
			if got := codeOf(err); got != tc.code {
				t.Fatalf("code = %q, want %q (%v)", got, tc.code, err)
			}
			if err != nil && strings.Join(err.Field, ".") != tc.field {
				t.Fatalf("field = %v, want %s", err.Field, tc.field)
			}
		})
	}
}
