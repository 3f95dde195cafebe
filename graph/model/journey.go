package model

import (
	"fmt"
	"slices"
	"strings"
)

// The rules of the AGIR journey (seed « agir-programme.fr.txt », DESIGN §3), as pure
// functions of the facts recorded. The Store gathers the facts in a transaction, asks
// these functions, and writes what they derive; nothing here reads a clock: "today" is
// always passed in (the transaction's day in Europe/Paris).

// Parameters are the delays of the programme, with the seed's values as defaults
// (DefaultParameters); departments negotiate them.
type Parameters struct {
	// WelcomeDelayMonths: the welcome interview happens at most this long after CIR
	// signature (« Modalité et délais d'accès » : un mois maximum).
	WelcomeDelayMonths int
	// ContractDelayMonths: the plan and the engagement contract follow within this
	// delay after CIR signature (same paragraph: "Cette phase intervient dans un délai
	// d'un mois maximum après la signature du CIR").
	ContractDelayMonths int
	// MaxJourneyMonths: the journey lasts at most this long (« Durée » : 24 mois maximum).
	MaxJourneyMonths int
	// NearLimitWarningMonths: how long before the maximum the approach is flagged.
	NearLimitWarningMonths int
	// EntryEvaluationDelayDays: the entry evaluation is due this long after welcome.
	EntryEvaluationDelayDays int
	// MidCourseEvaluationMonths: the mid-course evaluation is due this long after the start.
	MidCourseEvaluationMonths int
	// FollowUpMonths: follow-ups after exit (« Suivi-évaluation » : 3 mois et 6 mois).
	FollowUpMonths map[FollowUpStage]int
	// FollowUpWindowDays: a follow-up is held at most this many days before or after
	// its due day (the seed says "à 3 mois et 6 mois"; a month either side keeps the
	// two follow-ups apart and each near its day).
	FollowUpWindowDays int
	// ReintegrationMaxMonths: a reintegration lasts at most this long (12 mois au maximum).
	ReintegrationMaxMonths int
	// HousingRefusalsForExclusion: refusals that allow an exclusion (deux refus de logement).
	HousingRefusalsForExclusion int
	// OrientationAnswerDelayDays: a partner answers an orientation within this many days
	// (seed « Contenu »: "Orientation vers l'apprentissage du français, les formations
	// qualifiantes ou les dispositifs d'insertion"; the seed sets no delay: 15 days by
	// default, departments negotiate it). Past it, the orientation is an alert.
	OrientationAnswerDelayDays int
}

// DefaultParameters returns the seed's delays.
func DefaultParameters() Parameters {
	return Parameters{
		WelcomeDelayMonths:          1,
		ContractDelayMonths:         1,
		MaxJourneyMonths:            24,
		NearLimitWarningMonths:      2,
		EntryEvaluationDelayDays:    30,
		MidCourseEvaluationMonths:   12,
		FollowUpMonths:              map[FollowUpStage]int{FollowUpStageThreeMonths: 3, FollowUpStageSixMonths: 6},
		FollowUpWindowDays:          30,
		ReintegrationMaxMonths:      12,
		HousingRefusalsForExclusion: 2,
		OrientationAnswerDelayDays:  15,
	}
}

// ---- Eligibility (« Conditions d'accès », « Pré-requis ») ----

// EligibilityInput is what eligibility is decided on, at referral.
type EligibilityInput struct {
	ProtectionType      ProtectionType
	ProtectionGrantedOn *Date
	CirSignedOn         *Date
	DepartmentCovered   bool
	ReferredOn          Date
}

// eligibilityFields names the input field each condition is about.
var eligibilityFields = map[EligibilityCondition]string{
	EligibilityConditionProtectionType:    "protectionType",
	EligibilityConditionProtectionDate:    "protectionGrantedOn",
	EligibilityConditionCirSigned:         "cirSignedOn",
	EligibilityConditionDepartmentCovered: "department",
}

// Eligibility checks the conditions of access of a BPI (seed « Conditions d'accès »:
// BPI — refugee or subsidiary protection — "ayant obtenu le bénéfice de la protection
// internationale depuis le 1er janvier de l'année N-1", "avoir signé le CIR et résider
// dans un département couvert par le programme"). N is the year of the referral.
func Eligibility(in EligibilityInput) []EligibilityCheck {
	checks := make([]EligibilityCheck, 0, 4)
	add := func(c EligibilityCondition, met bool, yes, no string) {
		msg := yes
		if !met {
			msg = no
		}
		checks = append(checks, EligibilityCheck{Condition: c, Met: met, Message: msg})
	}
	isBPI := in.ProtectionType == ProtectionTypeRefugee || in.ProtectionType == ProtectionTypeSubsidiaryProtection
	add(EligibilityConditionProtectionType, isBPI,
		"bénéficiaire d'une protection internationale (réfugié ou protection subsidiaire)",
		"la personne n'est ni réfugiée ni bénéficiaire de la protection subsidiaire")
	since := NewDate(in.ReferredOn.Year-1, 1, 1)
	recent := in.ProtectionGrantedOn != nil && !in.ProtectionGrantedOn.Before(since) && !in.ProtectionGrantedOn.After(in.ReferredOn)
	noDate := "la protection doit dater du " + frenchDate(since) + " ou après"
	if in.ProtectionGrantedOn == nil {
		noDate = "la date d'obtention de la protection est requise"
	} else if in.ProtectionGrantedOn.After(in.ReferredOn) {
		noDate = "la date d'obtention de la protection est postérieure à l'orientation"
	}
	add(EligibilityConditionProtectionDate, recent, "protection obtenue depuis le "+frenchDate(since), noDate)
	signed := in.CirSignedOn != nil && !in.CirSignedOn.After(in.ReferredOn)
	add(EligibilityConditionCirSigned, signed, "contrat d'intégration républicaine signé",
		"le contrat d'intégration républicaine (CIR) doit être signé à la date de l'orientation")
	add(EligibilityConditionDepartmentCovered, in.DepartmentCovered, "département couvert par le programme",
		"le département de résidence n'est pas couvert par le programme AGIR")
	return checks
}

// EligibilityError returns nil when every check is met, or a NOT_ELIGIBLE error on the
// field of the first failed condition, whose message names every failed condition.
func EligibilityError(checks []EligibilityCheck, path ...string) *Error {
	var failed []string
	var field []string
	for _, c := range checks {
		if !c.Met {
			failed = append(failed, c.Message)
			if field == nil {
				field = append(append([]string{}, path...), eligibilityFields[c.Condition])
			}
		}
	}
	if failed == nil {
		return nil
	}
	return Errorf(CodeNotEligible, field, "non éligible au programme AGIR : %s", strings.Join(failed, " ; "))
}

// CheckHouseholdMember applies the rule on joining family members (seed: "Les
// rejoignants des BPI éligibles (conjoints, enfants mineurs ou parents de BPI), même
// s'ils n'ont pas eux-mêmes le statut de BPI"): the principal must be an eligible BPI
// (not an exceptional admission) and a child must be a minor when joining.
func CheckHouseholdMember(principal AdmissionKind, rel Relationship, birthDate, joinedOn, today Date) *Error {
	if principal != AdmissionKindEligible {
		return Errorf(CodeNotEligible, Path("input", "beneficiaryId"),
			"non éligible : seuls les rejoignants d'un BPI éligible sont admis (le bénéficiaire principal a été admis à titre exceptionnel)")
	}
	if joinedOn.After(today) {
		return Errorf(CodeInvalidInput, Path("input", "joinedOn"), "la date d'arrivée ne peut pas être dans le futur")
	}
	if birthDate.After(joinedOn) {
		return Errorf(CodeInvalidInput, Path("input", "birthDate"), "la date de naissance est postérieure à la date d'arrivée")
	}
	if rel == RelationshipMinorChild && !birthDate.AddDate(18, 0, 0).After(joinedOn) {
		return Errorf(CodeNotEligible, Path("input", "birthDate"), "non éligible : un enfant rejoignant doit être mineur à son arrivée")
	}
	return nil
}

// ---- Journey: phase, dates, alerts ----

// ExitFact is an exit or exclusion as the journey rules see it.
type ExitFact struct {
	Key  string
	Kind ExitKind
	On   Date
}

// ReintegrationFact is a reintegration: it re-opens the exit ExitKey.
type ReintegrationFact struct {
	ExitKey string
	On      Date
	Until   Date
}

// JourneyFacts are the acts recorded for a beneficiary, from which everything about its
// journey is derived.
type JourneyFacts struct {
	Department        string // whose negotiated delays apply
	ReferredOn        Date
	CirSignedOn       *Date
	Convoked          bool             // a convocation was handed over
	ConvocationStatus *InterviewStatus // status of the latest convocation's welcome interview
	WelcomeHeldOn     *Date            // the welcome interview held
	ObjectiveCount    int
	ContractSignedOn  *Date
	HousingRefusals   []Date            // days of the refusals, in order
	EvaluationStages  []EvaluationStage // stages recorded in the current period
	LastExit          *ExitFact
	LastReintegration *ReintegrationFact
	Reintegrations    int             // number of reintegrations (the current period's round)
	FollowUps         []FollowUpStage // follow-ups recorded after the last exit
}

// Exited reports whether the journey is ended: an exit or exclusion not re-opened.
func (f JourneyFacts) Exited() bool {
	return f.LastExit != nil && (f.LastReintegration == nil || f.LastReintegration.ExitKey != f.LastExit.Key)
}

// Reintegrated reports whether the current period is a reintegration.
func (f JourneyFacts) Reintegrated() bool {
	return f.LastReintegration != nil
}

func (f JourneyFacts) hasStage(s EvaluationStage) bool { return slices.Contains(f.EvaluationStages, s) }

func (f JourneyFacts) hasFollowUp(s FollowUpStage) bool { return slices.Contains(f.FollowUps, s) }

// AlertSchedule is an alert derived from the facts: active from From on (today >= From).
type AlertSchedule struct {
	Kind  AlertKind
	From  Date
	DueOn *Date
}

// JourneyState is what DeriveJourney computes from the facts.
type JourneyState struct {
	Phase             JourneyPhase
	StartsOn          Date  // start of the current period
	EndsOn            Date  // last day allowed for the current period
	WelcomeDueOn      *Date // one month after CIR signature
	ConvocationStatus *InterviewStatus
	Alerts            []AlertSchedule
}

// WelcomeInterviewDueOn is the last day of the welcome interview: WelcomeDelayMonths
// after CIR signature (seed « Modalité et délais d'accès »). Without a CIR date (an
// exceptional admission), the delay runs from the referral.
func WelcomeInterviewDueOn(cirSignedOn *Date, referredOn Date, p Parameters) Date {
	from := referredOn
	if cirSignedOn != nil {
		from = *cirSignedOn
	}
	return from.AddMonthsClamped(p.WelcomeDelayMonths)
}

// FollowUpDueOn is the day a follow-up is due after an exit (seed « Suivi-évaluation »:
// "un suivi à 3 mois et 6 mois après la sortie").
func FollowUpDueOn(exitedOn Date, s FollowUpStage, p Parameters) Date {
	return exitedOn.AddMonthsClamped(p.FollowUpMonths[s])
}

// DeriveJourney computes the phase (DESIGN §3), the period of the journey and the alerts
// from the facts. It is the only place phases and alerts are decided.
func DeriveJourney(f JourneyFacts, p Parameters) JourneyState {
	st := JourneyState{ConvocationStatus: f.ConvocationStatus}
	due := WelcomeInterviewDueOn(f.CirSignedOn, f.ReferredOn, p)
	st.WelcomeDueOn = &due

	// Period: 24 months from entry (the welcome interview, else the referral); a
	// reintegration opens its own period.
	st.StartsOn = f.ReferredOn
	if f.WelcomeHeldOn != nil {
		st.StartsOn = *f.WelcomeHeldOn
	}
	st.EndsOn = st.StartsOn.AddMonthsClamped(p.MaxJourneyMonths).AddDate(0, 0, -1)
	if f.LastReintegration != nil {
		st.StartsOn, st.EndsOn = f.LastReintegration.On, f.LastReintegration.Until
	}

	switch {
	case f.Exited() && f.LastExit.Kind == ExitKindExclusion:
		st.Phase = JourneyPhaseClosed
	case f.Exited() && f.hasFollowUp(FollowUpStageThreeMonths) && f.hasFollowUp(FollowUpStageSixMonths):
		st.Phase = JourneyPhaseClosed
	case f.Exited() && len(f.FollowUps) > 0:
		st.Phase = JourneyPhaseFollowUp
	case f.Exited():
		st.Phase = JourneyPhaseExited
	case f.Reintegrated():
		st.Phase = JourneyPhaseReintegrated
	case f.ContractSignedOn != nil:
		st.Phase = JourneyPhaseContracted
	case f.WelcomeHeldOn != nil:
		st.Phase = JourneyPhaseWelcomed
	case f.Convoked:
		st.Phase = JourneyPhaseConvoked
	default:
		st.Phase = JourneyPhaseReferred
	}

	alert := func(k AlertKind, from Date, dueOn *Date) {
		st.Alerts = append(st.Alerts, AlertSchedule{Kind: k, From: from, DueOn: dueOn})
	}
	if f.Exited() {
		if f.LastExit.Kind == ExitKindExit {
			if !f.hasStage(EvaluationStageExit) {
				d := f.LastExit.On
				alert(AlertKindEvaluationDue, d, &d)
			}
			for _, s := range []FollowUpStage{FollowUpStageThreeMonths, FollowUpStageSixMonths} {
				if !f.hasFollowUp(s) {
					d := FollowUpDueOn(f.LastExit.On, s, p)
					alert(AlertKindFollowUpDue, d, &d)
					break
				}
			}
		}
		return st
	}
	if f.WelcomeHeldOn == nil && !f.Reintegrated() {
		alert(AlertKindWelcomeInterviewOverdue, due.AddDate(0, 0, 1), st.WelcomeDueOn)
	}
	if f.ContractSignedOn == nil && !f.Reintegrated() {
		from := f.ReferredOn
		if f.CirSignedOn != nil {
			from = *f.CirSignedOn
		}
		d := from.AddMonthsClamped(p.ContractDelayMonths)
		alert(AlertKindContractNotSigned, d.AddDate(0, 0, 1), &d)
	}
	if f.WelcomeHeldOn != nil {
		switch {
		case !f.hasStage(EvaluationStageEntry):
			d := f.WelcomeHeldOn.AddDate(0, 0, p.EntryEvaluationDelayDays)
			alert(AlertKindEvaluationDue, d, &d)
		case !f.hasStage(EvaluationStageMidCourse) && !f.Reintegrated():
			d := st.StartsOn.AddMonthsClamped(p.MidCourseEvaluationMonths)
			alert(AlertKindEvaluationDue, d, &d)
		}
	}
	end := st.EndsOn
	alert(AlertKindJourneyLimitNear, end.AddMonthsClamped(-p.NearLimitWarningMonths), &end)
	alert(AlertKindJourneyLimitReached, end.AddDate(0, 0, 1), &end)
	if n := len(f.HousingRefusals); n >= p.HousingRefusalsForExclusion {
		alert(AlertKindHousingRefusals, f.HousingRefusals[p.HousingRefusalsForExclusion-1], nil)
	}
	return st
}

// ActiveAlerts returns the alerts active on today, with their French messages.
func ActiveAlerts(schedules []AlertSchedule, today Date) []Alert {
	out := []Alert{}
	for _, s := range schedules {
		if s.From.After(today) {
			continue
		}
		// JOURNEY_LIMIT_NEAR gives way to JOURNEY_LIMIT_REACHED once the limit is passed.
		if s.Kind == AlertKindJourneyLimitNear && s.DueOn != nil && today.After(*s.DueOn) {
			continue
		}
		out = append(out, Alert{Kind: s.Kind, Since: s.From, DueOn: s.DueOn, Message: alertMessage(s)})
	}
	return out
}

func alertMessage(s AlertSchedule) string {
	due := ""
	if s.DueOn != nil {
		due = frenchDate(*s.DueOn)
	}
	switch s.Kind {
	case AlertKindWelcomeInterviewOverdue:
		return "entretien d'accueil non réalisé : il était dû le " + due
	case AlertKindContractNotSigned:
		return "contrat d'engagement non signé : il était attendu le " + due
	case AlertKindEvaluationDue:
		return "évaluation à réaliser depuis le " + due
	case AlertKindJourneyLimitNear:
		return "fin de parcours proche : durée maximale atteinte le " + due
	case AlertKindJourneyLimitReached:
		return "durée maximale du parcours dépassée depuis le " + due + " : une sortie doit être enregistrée"
	case AlertKindHousingRefusals:
		return "deux propositions de logement refusées : risque d'exclusion"
	case AlertKindFollowUpDue:
		return "suivi post-sortie à réaliser (échéance le " + due + ")"
	}
	return string(s.Kind)
}

// ---- Acts and their order ----

// Act is a business act on a journey, for CheckAct.
type Act int

const (
	ActConvoke Act = iota
	ActInterview
	ActWelcomeHeld
	ActDiagnostic
	ActReferents
	ActPlan
	ActContract
	ActHousing
	ActRights
	ActAccessibility
	ActEvaluation
	ActHousehold
	ActRegister
	ActExit
	ActExclude
	ActFollowUp
	ActReintegrate
)

// CheckAct says whether act may be recorded now (today) given the facts: acts of an
// ended journey are refused (except follow-ups, exit evaluations and reintegration), a
// follow-up or a reintegration needs an exit, the diagnostic, plan, contract and
// evaluations need the welcome interview (seed « Modalité et délais d'accès »: welcome,
// then diagnostic, plan and contract), the contract needs a plan, and past the 24-month
// maximum (seed « Durée ») only the acts that end the journey remain.
func CheckAct(act Act, f JourneyFacts, today Date, p Parameters) *Error {
	st := DeriveJourney(f, p)
	switch act {
	case ActFollowUp, ActReintegrate:
		if !f.Exited() {
			return Errorf(CodeOutOfOrder, Path("input", "beneficiaryId"), "aucune sortie n'est enregistrée pour ce parcours")
		}
		if act == ActFollowUp && f.LastExit.Kind == ExitKindExclusion {
			return Errorf(CodeOutOfOrder, Path("input", "beneficiaryId"), "pas de suivi post-sortie après une exclusion")
		}
		return nil
	}
	if f.Exited() && act != ActEvaluation {
		return Errorf(CodeOutOfOrder, Path("input", "beneficiaryId"), "le parcours est terminé depuis le %s", frenchDate(f.LastExit.On))
	}
	switch act {
	case ActDiagnostic, ActPlan, ActContract, ActEvaluation:
		if f.WelcomeHeldOn == nil {
			return Errorf(CodeOutOfOrder, Path("input", "beneficiaryId"), "l'entretien d'accueil doit d'abord avoir eu lieu")
		}
	case ActWelcomeHeld:
		if !f.Convoked {
			return Errorf(CodeOutOfOrder, Path("input", "kind"), "aucune convocation n'a été remise pour l'entretien d'accueil")
		}
		if f.WelcomeHeldOn != nil {
			return Errorf(CodeOutOfOrder, Path("input", "kind"), "l'entretien d'accueil a déjà eu lieu le %s", frenchDate(*f.WelcomeHeldOn))
		}
	case ActConvoke:
		if f.WelcomeHeldOn != nil {
			return Errorf(CodeOutOfOrder, Path("input", "beneficiaryId"), "l'entretien d'accueil a déjà eu lieu")
		}
	}
	if act == ActContract {
		if f.ContractSignedOn != nil {
			return Errorf(CodeOutOfOrder, Path("input", "beneficiaryId"), "le contrat d'engagement est déjà signé")
		}
		if f.ObjectiveCount == 0 {
			return Errorf(CodeOutOfOrder, Path("input", "beneficiaryId"), "le plan d'accompagnement doit être rédigé avant la signature du contrat")
		}
	}
	if today.After(st.EndsOn) && act != ActExit && act != ActExclude && act != ActEvaluation {
		return Errorf(CodeJourneyLimitReached, Path("input", "beneficiaryId"),
			"la durée maximale du parcours est dépassée depuis le %s : seule la sortie peut être enregistrée", frenchDate(st.EndsOn))
	}
	return nil
}

// CheckEvaluation applies the order of the individual evaluations (seed
// « Suivi-évaluation »: entrée, mi-parcours, sortie): mid-course and exit come after
// entry, an exit evaluation needs an exit or a journey near its end (from the day the
// JOURNEY_LIMIT_NEAR alert starts: NearLimitWarningMonths before the period's last day),
// and scores are 0-5.
func CheckEvaluation(stage EvaluationStage, scores [4]int, f JourneyFacts, today Date, p Parameters) *Error {
	for i, name := range []string{"housing", "employment", "training", "rights"} {
		if scores[i] < 0 || scores[i] > 5 {
			return Errorf(CodeOutOfRange, Path("input", name), "le score doit être compris entre 0 et 5")
		}
	}
	if f.hasStage(stage) {
		return Errorf(CodeAlreadyExists, Path("input", "stage"), "cette évaluation est déjà enregistrée")
	}
	if stage != EvaluationStageEntry && !f.hasStage(EvaluationStageEntry) {
		return Errorf(CodeOutOfOrder, Path("input", "stage"), "l'évaluation d'entrée doit être enregistrée d'abord")
	}
	if stage != EvaluationStageExit && f.Exited() {
		return Errorf(CodeOutOfOrder, Path("input", "stage"), "le parcours est terminé : seule l'évaluation de sortie est possible")
	}
	if stage == EvaluationStageExit && !f.Exited() {
		if near := ExitEvaluationOpensOn(f, p); today.Before(near) {
			return Errorf(CodeOutOfOrder, Path("input", "stage"),
				"l'évaluation de sortie se fait à la sortie ou en fin de parcours (à partir du %s)", frenchDate(near))
		}
	}
	return nil
}

// ExitEvaluationOpensOn is the first day an exit evaluation may be recorded before the
// exit: NearLimitWarningMonths before the last day of the current period, when the end
// of the journey is near.
func ExitEvaluationOpensOn(f JourneyFacts, p Parameters) Date {
	end := DeriveJourney(f, p).EndsOn
	return end.AddMonthsClamped(-p.NearLimitWarningMonths)
}

// CheckFollowUp applies the follow-ups after an exit (seed « Suivi-évaluation »: "un
// suivi à 3 mois et 6 mois après la sortie"): each once, in order (the 6-month one after
// the 3-month one), held within FollowUpWindowDays of its due day. The journey is CLOSED
// once both are held (DeriveJourney).
func CheckFollowUp(stage FollowUpStage, heldOn Date, f JourneyFacts, p Parameters) *Error {
	if !stage.IsValid() {
		return Errorf(CodeInvalidInput, Path("input", "stage"), "étape de suivi inconnue")
	}
	if f.hasFollowUp(stage) {
		return Errorf(CodeAlreadyExists, Path("input", "stage"), "ce suivi post-sortie est déjà enregistré")
	}
	if stage == FollowUpStageSixMonths && !f.hasFollowUp(FollowUpStageThreeMonths) {
		return Errorf(CodeOutOfOrder, Path("input", "stage"), "le suivi à 3 mois doit être enregistré avant celui à 6 mois")
	}
	due := FollowUpDueOn(f.LastExit.On, stage, p)
	from, until := due.AddDate(0, 0, -p.FollowUpWindowDays), due.AddDate(0, 0, p.FollowUpWindowDays)
	if heldOn.Before(from) || heldOn.After(until) {
		return Errorf(CodeOutOfRange, Path("input", "heldOn"),
			"ce suivi est dû le %s : il se tient entre le %s et le %s", frenchDate(due), frenchDate(from), frenchDate(until))
	}
	return nil
}

// CheckExclusion applies the exclusion rule (seed « Suivi-évaluation »: "deux refus de
// logement", violence or threat, non-adherence, offence leading to prosecution), decided
// by a coordinator; TWO_HOUSING_REFUSALS needs the refusals recorded.
func CheckExclusion(role Role, reason ExclusionReason, housingRefusals int, p Parameters) *Error {
	if role != RoleCoordinator {
		return Errorf(CodeForbidden, nil, "seule la structure coordinatrice peut décider une exclusion")
	}
	if !reason.IsValid() {
		return Errorf(CodeInvalidInput, Path("input", "reason"), "motif d'exclusion inconnu")
	}
	if reason == ExclusionReasonTwoHousingRefusals && housingRefusals < p.HousingRefusalsForExclusion {
		return Errorf(CodeRuleViolation, Path("input", "reason"),
			"exclusion pour refus de logement impossible : %d refus enregistré(s), %d requis", housingRefusals, p.HousingRefusalsForExclusion)
	}
	return nil
}

// CheckReintegration applies the reintegration rule (seed « Suivi-évaluation »: "une
// réintégration au dispositif est possible avec accord du représentant de l'Etat du
// département pour 12 mois au maximum"): approved by the state representative, after the
// exit, for at most ReintegrationMaxMonths.
func CheckReintegration(role Role, on, until Date, exitedOn Date, p Parameters) *Error {
	if role != RoleStateRepresentative {
		return Errorf(CodeForbidden, nil, "une réintégration requiert l'accord du représentant de l'État")
	}
	if on.Before(exitedOn) {
		return Errorf(CodeOutOfOrder, Path("input", "reintegratedOn"), "la réintégration ne peut précéder la sortie du %s", frenchDate(exitedOn))
	}
	if !until.After(on) {
		return Errorf(CodeInvalidInput, Path("input", "until"), "la fin de la réintégration doit suivre son début")
	}
	if limit := on.AddMonthsClamped(p.ReintegrationMaxMonths); until.After(limit) {
		return Errorf(CodeRuleViolation, Path("input", "until"),
			"une réintégration dure au plus %d mois : fin au plus tard le %s", p.ReintegrationMaxMonths, frenchDate(limit))
	}
	return nil
}

// CheckPlanActionStatus applies the order of a plan action's statuses: a done or
// abandoned action is final.
func CheckPlanActionStatus(from, to PlanActionStatus) *Error {
	if from == to {
		return nil
	}
	if from == PlanActionStatusDone || from == PlanActionStatusAbandoned {
		return Errorf(CodeOutOfOrder, Path("input", "status"), "une action réalisée ou abandonnée ne change plus de statut")
	}
	if to == PlanActionStatusPlanned {
		return Errorf(CodeOutOfOrder, Path("input", "status"), "une action engagée ne peut redevenir prévue")
	}
	return nil
}

// CheckDay refuses a day after today (acts are recorded once they happened) or before
// the referral.
func CheckDay(d, referredOn, today Date, field string) *Error {
	if d.After(today) {
		return Errorf(CodeInvalidInput, Path("input", field), "la date ne peut pas être dans le futur")
	}
	if d.Before(referredOn) {
		return Errorf(CodeOutOfOrder, Path("input", field), "la date précède l'orientation du %s", frenchDate(referredOn))
	}
	return nil
}

// EvaluationProgress gives, per axis, the scores of each stage and the change from
// entry to the latest stage (seed « Suivi-évaluation »: "mesurer les progrès accomplis
// en matière de logement, d'emploi, de formation ou d'accès aux droits").
func EvaluationProgress(evals []Evaluation) []AxisProgress {
	axes := []EvaluationAxis{EvaluationAxisHousing, EvaluationAxisEmployment, EvaluationAxisTraining, EvaluationAxisRights}
	out := make([]AxisProgress, len(axes))
	for i, a := range axes {
		out[i].Axis = a
		for _, e := range evals {
			score := [4]int{e.Housing, e.Employment, e.Training, e.Rights}[i]
			switch e.Stage {
			case EvaluationStageEntry:
				out[i].Entry = &score
			case EvaluationStageMidCourse:
				out[i].MidCourse = &score
			case EvaluationStageExit:
				out[i].Exit = &score
			}
		}
		latest := out[i].Exit
		if latest == nil {
			latest = out[i].MidCourse
		}
		if out[i].Entry != nil && latest != nil {
			c := *latest - *out[i].Entry
			out[i].Change = &c
		}
	}
	return out
}

var frenchMonths = [...]string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate formats d as "1er janvier 2025", "14 juillet 2025".
func frenchDate(d Date) string {
	day := fmt.Sprint(d.Day)
	if d.Day == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[d.Month], d.Year)
}

// WelcomeInterviewLate reports whether the welcome interview was held after its due day,
// or is not held and today is past it (seed « Modalité et délais d'accès »).
func WelcomeInterviewLate(dueOn, heldOn *Date, today Date) bool {
	if dueOn == nil {
		return false
	}
	if heldOn != nil {
		return heldOn.After(*dueOn)
	}
	return today.After(*dueOn)
}

// CheckDiagnosticAxes applies the content of the diagnostic (seed « Modalité et délais
// d'accès »: "un diagnostic sur les volets droits, logement, emploi et formation"): once
// recorded, the diagnostic covers at least those four axes. existing are the axes
// already assessed, given the ones recorded now.
func CheckDiagnosticAxes(existing, given []Axis) *Error {
	have := map[Axis]bool{}
	for _, a := range existing {
		have[a] = true
	}
	seen := map[Axis]bool{}
	for _, a := range given {
		if seen[a] {
			return Errorf(CodeInvalidInput, Path("input", "axes"), "le volet %s est donné deux fois", a)
		}
		seen[a], have[a] = true, true
	}
	for _, required := range []Axis{AxisRights, AxisHousing, AxisEmployment, AxisTraining} {
		if !have[required] {
			return Errorf(CodeInvalidInput, Path("input", "axes"),
				"le diagnostic doit couvrir les volets droits, logement, emploi et formation (manque : %s)", required)
		}
	}
	return nil
}

// CheckHousingOutcome: a refusal is recorded with its reason (two refusals can lead to
// an exclusion, seed « Suivi-évaluation »), and only a refusal has one.
func CheckHousingOutcome(outcome HousingOutcome, refusalReason *string) *Error {
	blank := refusalReason == nil || strings.TrimSpace(*refusalReason) == ""
	if outcome == HousingOutcomeRefused && blank {
		return Errorf(CodeInvalidInput, Path("input", "refusalReason"), "le motif du refus est requis")
	}
	if outcome != HousingOutcomeRefused && refusalReason != nil {
		return Errorf(CodeInvalidInput, Path("input", "refusalReason"), "un motif de refus n'est attendu que pour un refus")
	}
	return nil
}

// CheckRightsStep: a step is done on a day, and not before it started.
func CheckRightsStep(status RightsStepStatus, startedOn, completedOn *Date) *Error {
	if (status == RightsStepStatusDone) != (completedOn != nil) {
		return Errorf(CodeInvalidInput, Path("input", "completedOn"), "la date d'aboutissement est requise pour une démarche faite, et seulement pour elle")
	}
	if startedOn != nil && completedOn != nil && completedOn.Before(*startedOn) {
		return Errorf(CodeInvalidInput, Path("input", "completedOn"), "la démarche ne peut aboutir avant d'être engagée")
	}
	return nil
}

// CheckEngagementContract: the personalised engagement contract is signed with the
// beneficiary's consent (seed: "un contrat d'engagement personnalisé signé").
func CheckEngagementContract(consentRecorded bool) *Error {
	if !consentRecorded {
		return Errorf(CodeRuleViolation, Path("input", "consentRecorded"), "le consentement du bénéficiaire doit être recueilli")
	}
	return nil
}

// ParameterOverrides are the delays a department negotiated; nil keeps the default.
// Follow-ups (3 and 6 months) and the two refusals of an exclusion are the seed's own
// and cannot be changed.
type ParameterOverrides struct {
	WelcomeDelayMonths        *int `db:"welcome_delay_months"`
	ContractDelayMonths       *int `db:"contract_delay_months"`
	MaxJourneyMonths          *int `db:"max_journey_months"`
	NearLimitWarningMonths    *int `db:"near_limit_warning_months"`
	EntryEvaluationDelayDays  *int `db:"entry_evaluation_delay_days"`
	MidCourseEvaluationMonths *int `db:"mid_course_evaluation_months"`
	ReintegrationMaxMonths    *int `db:"reintegration_max_months"`
}

// With returns p with the overrides of o applied.
func (p Parameters) With(o ParameterOverrides) Parameters {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.WelcomeDelayMonths, o.WelcomeDelayMonths)
	set(&p.ContractDelayMonths, o.ContractDelayMonths)
	set(&p.MaxJourneyMonths, o.MaxJourneyMonths)
	set(&p.NearLimitWarningMonths, o.NearLimitWarningMonths)
	set(&p.EntryEvaluationDelayDays, o.EntryEvaluationDelayDays)
	set(&p.MidCourseEvaluationMonths, o.MidCourseEvaluationMonths)
	set(&p.ReintegrationMaxMonths, o.ReintegrationMaxMonths)
	return p
}

// CheckParameterOverrides keeps negotiated delays within the programme's limits: the
// journey lasts at most 24 months (seed « Durée »), a reintegration at most 12 months
// (seed « Suivi-évaluation »), the welcome at most three months after the CIR.
func CheckParameterOverrides(o ParameterOverrides) *Error {
	for _, c := range []struct {
		v        *int
		min, max int
		field    string
	}{
		{o.WelcomeDelayMonths, 1, 3, "welcomeDelayMonths"},
		{o.ContractDelayMonths, 1, 3, "contractDelayMonths"},
		{o.MaxJourneyMonths, 6, 24, "maxJourneyMonths"},
		{o.NearLimitWarningMonths, 1, 6, "nearLimitWarningMonths"},
		{o.EntryEvaluationDelayDays, 1, 90, "entryEvaluationDelayDays"},
		{o.MidCourseEvaluationMonths, 3, 18, "midCourseEvaluationMonths"},
		{o.ReintegrationMaxMonths, 1, 12, "reintegrationMaxMonths"},
	} {
		if c.v != nil && (*c.v < c.min || *c.v > c.max) {
			return Errorf(CodeOutOfRange, Path("input", c.field), "la valeur doit être comprise entre %d et %d", c.min, c.max)
		}
	}
	if o.MidCourseEvaluationMonths != nil && o.MaxJourneyMonths != nil && *o.MidCourseEvaluationMonths >= *o.MaxJourneyMonths {
		return Errorf(CodeOutOfRange, Path("input", "midCourseEvaluationMonths"), "l'évaluation de mi-parcours doit précéder la fin du parcours")
	}
	return nil
}

// InProgress reports whether a journey in phase p is being accompanied: from the referral
// to the contract, or re-opened by a reintegration; not after an exit (EXITED, FOLLOW_UP,
// CLOSED). A referent's caseload (« file active ») counts these journeys.
func (p JourneyPhase) InProgress() bool {
	switch p {
	case JourneyPhaseReferred, JourneyPhaseConvoked, JourneyPhaseWelcomed, JourneyPhaseContracted, JourneyPhaseReintegrated:
		return true
	}
	return false
}

// PhasesInProgress lists the phases for which InProgress holds, for SQL filters.
func PhasesInProgress() []string {
	var out []string
	for _, p := range AllJourneyPhase {
		if p.InProgress() {
			out = append(out, string(p))
		}
	}
	return out
}
