package model

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// The professional module (seed « Contenu », « Accompagnement vers l'emploi et la
// formation »): pre-diagnostic, French level, orientations, support actions, outcomes.
// Types read by the Store and the rules deciding on them; nothing here reads a clock.

// CodeOfferUnavailable: the offer of an orientation is archived or not published.
const CodeOfferUnavailable ErrorCode = "OFFER_UNAVAILABLE"

// ProfessionalDiagnostic is one recording of the socio-professional pre-diagnostic;
// recordings are kept, the latest (by AssessedOn, then RecordedAt) is the current one.
type ProfessionalDiagnostic struct {
	Key                string           `db:"id"`
	BeneficiaryKey     string           `db:"beneficiary_id"`
	AssessedOn         Date             `db:"assessed_on"`
	EducationLevel     EducationLevel   `db:"education_level"`
	YearsOfSchooling   *int             `db:"years_of_schooling"`
	Diplomas           []Diploma        `db:"-"`
	Experiences        []WorkExperience `db:"-"`
	Skills             []string         `db:"-"`
	TargetJobs         []string         `db:"-"`
	Barriers           []Barrier        `db:"-"`
	AuthorStructureKey *string          `db:"author_structure_id"`
	RecordedAt         time.Time        `db:"created_at"`
}

// ID returns the global id of d.
func (d ProfessionalDiagnostic) ID() string { return GlobalID("ProfessionalDiagnostic", d.Key) }

func (ProfessionalDiagnostic) IsNode() {}

// FrenchLevel is one French-level assessment. LevelsGained is set by FrenchProgression.
type FrenchLevel struct {
	Key                     string                 `db:"id"`
	BeneficiaryKey          string                 `db:"beneficiary_id"`
	Level                   CefrLevel              `db:"level"`
	AssessedOn              Date                   `db:"assessed_on"`
	Source                  FrenchAssessmentSource `db:"source"`
	TrainingHoursPrescribed int                    `db:"training_hours_prescribed"`
	TrainingHoursDone       int                    `db:"training_hours_done"`
	LevelsGained            *int                   `db:"-"`
	RecordedAt              time.Time              `db:"created_at"`
}

// ID returns the global id of l.
func (l FrenchLevel) ID() string { return GlobalID("FrenchLevel", l.Key) }

func (FrenchLevel) IsNode() {}

// OrientedPerson is the minimal view of an oriented beneficiary that the partner reads
// (no contact details, legal status or birth date). Its names are personal data that
// partners may read, so they are under no @group: their resolvers note the read in the
// audit log themselves, as the beneficiary's (AuditRef).
type OrientedPerson struct {
	FirstName       string
	LastNameInitial string
	Languages       []string
	FrenchLevel     *CefrLevel
	BeneficiaryKey  string
	Department      string
}

// AuditRef names the beneficiary behind p in the audit log.
func (p OrientedPerson) AuditRef() AuditRef {
	return AuditRef{Type: "Beneficiary", Key: p.BeneficiaryKey, Department: p.Department}
}

// Orientation is an orientation of a beneficiary to a structure (and possibly one of its
// offers). StructureKey is its owner: the partner that answers. Overdue is derived by
// the Store with OrientationOverdue on the transaction's day; Person is the minimal view
// of the beneficiary the partner may read.
type Orientation struct {
	Key                    string                      `db:"id"`
	Version                int                         `db:"version"`
	BeneficiaryKey         string                      `db:"beneficiary_id"`
	Kind                   OrientationKind             `db:"kind"`
	Status                 OrientationStatus           `db:"status"`
	StructureKey           string                      `db:"structure_id"`
	OfferKey               *string                     `db:"offer_id"`
	Purpose                string                      `db:"purpose"`
	OrientedOn             Date                        `db:"oriented_on"`
	AnswerDueOn            Date                        `db:"answer_due_on"`
	AnsweredOn             *Date                       `db:"answered_on"`
	RefusalCategory        *OrientationRefusalCategory `db:"refusal_category"`
	RefusalReason          *string                     `db:"refusal_reason"`
	StartedOn              *Date                       `db:"started_on"`
	EndedOn                *Date                       `db:"ended_on"`
	AbandonReason          *string                     `db:"abandon_reason"`
	OrientedByStructureKey *string                     `db:"oriented_by_structure_id"`
	Department             string                      `db:"department"`
	Overdue                bool                        `db:"-"`
	Person                 OrientedPerson              `db:"-"`
}

// ID returns the global id of o.
func (o Orientation) ID() string { return GlobalID("Orientation", o.Key) }

func (Orientation) IsNode() {}

// OfferID returns the global id of the offer addressed, or nil.
func (o Orientation) OfferID() *string {
	if o.OfferKey == nil {
		return nil
	}
	id := GlobalID("Offer", *o.OfferKey)
	return &id
}

// SupportAction is a support action towards employment, with its author and result.
type SupportAction struct {
	Key                string            `db:"id"`
	BeneficiaryKey     string            `db:"beneficiary_id"`
	Kind               SupportActionKind `db:"kind"`
	HeldOn             Date              `db:"held_on"`
	AuthorStaffKey     *string           `db:"author_staff_id"`
	AuthorStructureKey *string           `db:"author_structure_id"`
	Result             *string           `db:"result"`
	RecordedAt         time.Time         `db:"created_at"`
}

// ID returns the global id of a.
func (a SupportAction) ID() string { return GlobalID("SupportAction", a.Key) }

func (SupportAction) IsNode() {}

// Outcome is an outcome of the accompaniment: employment, qualifying training or
// registration with France Travail.
type Outcome struct {
	Key                string              `db:"id"`
	BeneficiaryKey     string              `db:"beneficiary_id"`
	Kind               OutcomeKind         `db:"kind"`
	ContractType       *ContractType       `db:"contract_type"`
	WeeklyHours        *int                `db:"weekly_hours"`
	JobTitle           *string             `db:"job_title"`
	EmployerSector     *string             `db:"employer_sector"`
	TrainingTitle      *string             `db:"training_title"`
	CertificationLevel *CertificationLevel `db:"certification_level"`
	StartsOn           Date                `db:"starts_on"`
	EndsOn             *Date               `db:"ends_on"`
	RecordedAt         time.Time           `db:"created_at"`
}

// ID returns the global id of o.
func (o Outcome) ID() string { return GlobalID("Outcome", o.Key) }

func (Outcome) IsNode() {}

// CountsAsEmploymentOrTraining reports whether o counts for the programme's target (seed
// « Contenu »: "Objectif : 60 % des BPI accèdent à l'emploi ou à une formation à l'issue
// de leur parcours"; « Objectif(s) »: "Favoriser l'accès aux formations qualifiantes et à
// l'emploi"). It is the one definition the journey and the indicators use. Case by case:
//
//   - employment, whatever the contract, counts: the seed says "accèdent à l'emploi" and
//     sets no duration or contract condition. So CDI, CDD of 6 months or more, CDD under
//     6 months, temporary work (intérim), work-integration contracts (IAE, salaried
//     employment), apprenticeship (a work contract that also leads to a qualification)
//     and self-employment all count. Durability is measured apart (IsDurableEmployment)
//     and by the follow-ups at 3 and 6 months (« vérifier le caractère durable »).
//   - qualifying training counts: it is the "formation" of the target, the seed's
//     "formations qualifiantes".
//   - pre-qualifying training (formation préqualifiante) counts: it is a training, the
//     first step towards a qualification or a trade, and the target says "une formation",
//     not "une formation qualifiante".
//   - a work-oriented French course (cours de français à visée professionnelle) does not
//     count: the seed lists "l'apprentissage du français" apart from "les formations
//     qualifiantes" (« Accompagnement vers l'emploi et la formation »), and counting
//     language courses would let the headline rise without anyone reaching a job or a
//     training. It is recorded as an outcome so that it shows in the breakdown by kind;
//     at a follow-up it is a French course, which is not sustained employment or training
//     (SustainedEmploymentOrTraining).
//   - registration with France Travail does not count: it is a step of the job search
//     ("mise en réseau avec [...] France Travail"), neither employment nor training.
//
// An employment outcome without a contract type (invalid, refused at input) does not count.
func CountsAsEmploymentOrTraining(o Outcome) bool {
	switch o.Kind {
	case OutcomeKindEmployment:
		return o.ContractType != nil && o.ContractType.IsValid()
	case OutcomeKindQualifyingTraining, OutcomeKindPreQualifyingTraining:
		return true
	}
	return false
}

// TrainingSituationOf is the training situation of the exit form or a follow-up that an
// outcome of kind k is: a qualifying or pre-qualifying training, a French course, or
// NONE for employment and France Travail registration.
func TrainingSituationOf(k OutcomeKind) TrainingSituation {
	switch k {
	case OutcomeKindQualifyingTraining:
		return TrainingSituationQualifyingTraining
	case OutcomeKindPreQualifyingTraining:
		return TrainingSituationPreQualifyingTraining
	case OutcomeKindWorkOrientedFrenchCourse:
		return TrainingSituationFrenchCourse
	}
	return TrainingSituationNone
}

// needsTrainingTitle: the kinds of outcome that are a training or a course, and have a title.
func needsTrainingTitle(k OutcomeKind) bool {
	return k == OutcomeKindQualifyingTraining || k == OutcomeKindPreQualifyingTraining || k == OutcomeKindWorkOrientedFrenchCourse
}

// CountsAsEmploymentOrTraining is the method form of the package function, for the API.
func (o Outcome) CountsAsEmploymentOrTraining() bool { return CountsAsEmploymentOrTraining(o) }

// IsDurableEmployment reports whether o is durable employment: a CDI or a CDD of 6
// months or more (the usual definition of « emploi durable » of the public employment
// service, which the seed's 3- and 6-month follow-ups check).
func IsDurableEmployment(o Outcome) bool {
	if o.Kind != OutcomeKindEmployment || o.ContractType == nil {
		return false
	}
	return *o.ContractType == ContractTypeCdi || *o.ContractType == ContractTypeCdd6MonthsOrMore
}

// DurableEmployment is the method form of IsDurableEmployment, for the API.
func (o Outcome) DurableEmployment() bool { return IsDurableEmployment(o) }

// InEmploymentOrTrainingOn reports whether one of outcomes counting as employment or
// training is in progress on day (started on or before it, not ended before it): the
// situation "à l'issue du parcours" when day is the exit day.
func InEmploymentOrTrainingOn(outcomes []Outcome, day Date) bool {
	for _, o := range outcomes {
		if CountsAsEmploymentOrTraining(o) && !o.StartsOn.After(day) && (o.EndsOn == nil || !o.EndsOn.Before(day)) {
			return true
		}
	}
	return false
}

// CheckOutcome checks an outcome before it is recorded: an employment has a contract
// type and 1 to 48 weekly hours when given; a fixed-term contract has its end, and its
// duration matches its type (6 months or more, or less); a training has a title; the end
// is not before the start (seed « Contenu »: the outcomes the 60 % target counts).
func CheckOutcome(o Outcome) *Error {
	if !o.Kind.IsValid() {
		return Errorf(CodeInvalidInput, Path("input", "kind"), "type de sortie inconnu")
	}
	for field, v := range map[string]*string{"jobTitle": o.JobTitle, "employerSector": o.EmployerSector, "trainingTitle": o.TrainingTitle} {
		if v != nil && len([]rune(*v)) > 200 {
			return Errorf(CodeInvalidInput, Path("input", field), "200 caractères au plus")
		}
	}
	if o.EndsOn != nil && o.EndsOn.Before(o.StartsOn) {
		return Errorf(CodeInvalidInput, Path("input", "endsOn"), "la date de fin précède la date de début")
	}
	switch o.Kind {
	case OutcomeKindEmployment:
		if o.ContractType == nil {
			return Errorf(CodeInvalidInput, Path("input", "contractType"), "le type de contrat est requis pour un emploi")
		}
		if o.WeeklyHours != nil && (*o.WeeklyHours < 1 || *o.WeeklyHours > 48) {
			return Errorf(CodeOutOfRange, Path("input", "weeklyHours"), "la durée hebdomadaire doit être comprise entre 1 et 48 heures")
		}
		switch *o.ContractType {
		case ContractTypeCdd6MonthsOrMore, ContractTypeCddUnder6Months:
			if o.EndsOn == nil {
				return Errorf(CodeInvalidInput, Path("input", "endsOn"), "la date de fin est requise pour un CDD")
			}
			long := !o.EndsOn.Before(o.StartsOn.AddMonthsClamped(6).AddDate(0, 0, -1))
			if long != (*o.ContractType == ContractTypeCdd6MonthsOrMore) {
				return Errorf(CodeInvalidInput, Path("input", "contractType"), "la durée du CDD ne correspond pas au type de contrat choisi")
			}
		}
		if o.TrainingTitle != nil || o.CertificationLevel != nil {
			return Errorf(CodeInvalidInput, Path("input", "trainingTitle"), "un emploi n'a pas d'intitulé de formation")
		}
	case OutcomeKindQualifyingTraining, OutcomeKindPreQualifyingTraining, OutcomeKindWorkOrientedFrenchCourse:
		if o.TrainingTitle == nil || strings.TrimSpace(*o.TrainingTitle) == "" {
			if o.Kind == OutcomeKindWorkOrientedFrenchCourse {
				return Errorf(CodeInvalidInput, Path("input", "trainingTitle"), "l'intitulé du cours de français est requis")
			}
			return Errorf(CodeInvalidInput, Path("input", "trainingTitle"), "l'intitulé de la formation est requis")
		}
		if o.ContractType != nil {
			return Errorf(CodeInvalidInput, Path("input", "contractType"), "une formation n'a pas de contrat de travail : choisissez l'alternance pour un contrat d'apprentissage")
		}
		if o.WeeklyHours != nil {
			return Errorf(CodeInvalidInput, Path("input", "weeklyHours"), "la durée hebdomadaire de travail concerne un emploi, pas une formation")
		}
		if o.CertificationLevel != nil && o.Kind != OutcomeKindQualifyingTraining {
			return Errorf(CodeInvalidInput, Path("input", "certificationLevel"), "seule une formation qualifiante a un niveau de certification")
		}
	case OutcomeKindFranceTravailRegistration:
		if o.ContractType != nil || o.TrainingTitle != nil || o.WeeklyHours != nil {
			return Errorf(CodeInvalidInput, Path("input", "kind"), "une inscription à France Travail n'a ni contrat ni formation")
		}
	}
	return nil
}

// ---- French level ----

// cefrOrder is the order of the CEFR levels, below A1 first.
var cefrOrder = []CefrLevel{CefrLevelBelowA1, CefrLevelA1, CefrLevelA2, CefrLevelB1, CefrLevelB2, CefrLevelC1, CefrLevelC2}

// Rank returns the position of l on the CEFR scale (below A1 is 0, C2 is 6), -1 when unknown.
func (l CefrLevel) Rank() int {
	for i, x := range cefrOrder {
		if x == l {
			return i
		}
	}
	return -1
}

// ParseCefrLevel reads a CEFR level ("a2", " B1 ", "below_a1", "infra A1"): an unknown
// level is an INVALID_INPUT user error on input.level.
func ParseCefrLevel(s string) (CefrLevel, *Error) {
	n := strings.ToUpper(strings.Join(strings.Fields(s), "_"))
	if n == "INFRA_A1" || n == "PRE_A1" {
		n = string(CefrLevelBelowA1)
	}
	if l := CefrLevel(n); l.Rank() >= 0 {
		return l, nil
	}
	return "", Errorf(CodeInvalidInput, Path("input", "level"),
		"niveau CECRL « %s » inconnu : les niveaux sont infra A1 (BELOW_A1), A1, A2, B1, B2, C1 et C2", strings.TrimSpace(s))
}

// CheckFrenchLevel checks an assessment before it is recorded: not in the future, hours
// 0 to 2000, hours done not beyond the hours prescribed when some were prescribed.
func CheckFrenchLevel(l FrenchLevel, today Date) *Error {
	if l.AssessedOn.After(today) {
		return Errorf(CodeInvalidInput, Path("input", "assessedOn"), "la date ne peut pas être dans le futur")
	}
	for field, h := range map[string]int{"trainingHoursPrescribed": l.TrainingHoursPrescribed, "trainingHoursDone": l.TrainingHoursDone} {
		if h < 0 || h > 2000 {
			return Errorf(CodeOutOfRange, Path("input", field), "le nombre d'heures doit être compris entre 0 et 2000")
		}
	}
	return nil
}

// FrenchProgression orders assessments by day (then recording) and sets, on each but
// the first, the levels gained since the previous one (negative for a regression): the
// progression over time the issue asks for.
func FrenchProgression(levels []FrenchLevel) []FrenchLevel {
	out := append([]FrenchLevel(nil), levels...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].AssessedOn != out[j].AssessedOn {
			return out[i].AssessedOn.Before(out[j].AssessedOn)
		}
		return out[i].RecordedAt.Before(out[j].RecordedAt)
	})
	for i := range out {
		out[i].LevelsGained = nil
		if i > 0 {
			g := out[i].Level.Rank() - out[i-1].Level.Rank()
			out[i].LevelsGained = &g
		}
	}
	return out
}

// ---- Orientations ----

// OrientationAnswerDueOn is the last day of the partner's answer to an orientation made
// on orientedOn: OrientationAnswerDelayDays later.
func OrientationAnswerDueOn(orientedOn Date, p Parameters) Date {
	return orientedOn.AddDate(0, 0, p.OrientationAnswerDelayDays)
}

// OpenOrientationStatuses are the statuses of an orientation still in progress (« en
// cours »): awaiting the partner's answer, accepted, or started. Refused, completed and
// abandoned ones are closed.
var OpenOrientationStatuses = []OrientationStatus{OrientationStatusPending, OrientationStatusAccepted, OrientationStatusStarted}

// OrientationOverdue reports whether an orientation is unanswered past its deadline on
// today: still PENDING and today after answerDueOn (an alert for the coordinator, the
// referents and the partner).
func OrientationOverdue(status OrientationStatus, answerDueOn, today Date) bool {
	return status == OrientationStatusPending && today.After(answerDueOn)
}

// OrientationAlerts returns the ORIENTATION_UNANSWERED alerts of a beneficiary's
// orientations on today: one alert for all its overdue orientations, active since the
// day after the earliest deadline missed.
func OrientationAlerts(orientations []Orientation, today Date) []Alert {
	var first *Date
	n := 0
	for _, o := range orientations {
		if OrientationOverdue(o.Status, o.AnswerDueOn, today) {
			n++
			if first == nil || o.AnswerDueOn.Before(*first) {
				d := o.AnswerDueOn
				first = &d
			}
		}
	}
	if first == nil {
		return []Alert{}
	}
	msg := fmt.Sprintf("orientation sans réponse du partenaire depuis le %s", frenchDate(*first))
	if n > 1 {
		msg = fmt.Sprintf("%d orientations sans réponse des partenaires, la plus ancienne depuis le %s", n, frenchDate(*first))
	}
	return []Alert{{Kind: AlertKindOrientationUnanswered, Since: first.AddDate(0, 0, 1), DueOn: first, Message: msg}}
}

// RefusalCategoryOf is the reason a refusal is recorded with: the one given, or OTHER
// when a client written before the closed list refuses with free text only (the text
// then says the reason). Refusing with neither stays an error of CheckOrientationAnswer.
func RefusalCategoryOf(answer OrientationAnswer, category *OrientationRefusalCategory, reason *string) *OrientationRefusalCategory {
	if answer == OrientationAnswerRefused && category == nil && reason != nil && strings.TrimSpace(*reason) != "" {
		other := OrientationRefusalCategoryOther
		return &other
	}
	return category
}

// CheckOrientationAnswer checks the partner's answer to an orientation: only a pending
// one is answered; a refusal gives its reason from the closed list (« motif de refus »,
// like DORA's) and may add free text, required when the reason is OTHER; an acceptance
// gives neither. The day is neither in the future nor before the orientation.
func CheckOrientationAnswer(o Orientation, answer OrientationAnswer, category *OrientationRefusalCategory, reason *string, on, today Date) *Error {
	if o.Status != OrientationStatusPending {
		return Errorf(CodeOutOfOrder, Path("input", "answer"), "cette orientation a déjà reçu une réponse")
	}
	switch answer {
	case OrientationAnswerAccepted:
		if category != nil {
			return Errorf(CodeInvalidInput, Path("input", "refusalCategory"), "un motif de refus n'est possible qu'avec un refus")
		}
		if reason != nil {
			return Errorf(CodeInvalidInput, Path("input", "refusalReason"), "un motif de refus n'est possible qu'avec un refus")
		}
	case OrientationAnswerRefused:
		if category == nil || !category.IsValid() {
			return Errorf(CodeInvalidInput, Path("input", "refusalCategory"),
				"le motif du refus est requis : public non éligible, plus de place, offre non adaptée, personne injoignable, refus de la personne, doublon ou autre")
		}
		if reason != nil && strings.TrimSpace(*reason) == "" {
			reason = nil
		}
		if *category == OrientationRefusalCategoryOther && reason == nil {
			return Errorf(CodeInvalidInput, Path("input", "refusalReason"), "précisez le motif du refus quand il est « autre »")
		}
		if reason != nil && len([]rune(*reason)) > 1000 {
			return Errorf(CodeInvalidInput, Path("input", "refusalReason"), "le motif du refus fait 1000 caractères au plus")
		}
	default:
		return Errorf(CodeInvalidInput, Path("input", "answer"), "la réponse est ACCEPTED ou REFUSED")
	}
	return checkOrientationDay(o, on, today)
}

// RefusalCategoryLabels are the French labels of the refusal reasons (« motifs de refus »).
var RefusalCategoryLabels = map[OrientationRefusalCategory]string{
	OrientationRefusalCategoryPublicNotEligible:      "Public non éligible",
	OrientationRefusalCategoryNoCapacity:             "Plus de place",
	OrientationRefusalCategoryOfferNotSuited:         "Offre non adaptée au besoin",
	OrientationRefusalCategoryBeneficiaryUnreachable: "Personne injoignable",
	OrientationRefusalCategoryBeneficiaryDeclined:    "Refus de la personne",
	OrientationRefusalCategoryDuplicate:              "Doublon",
	OrientationRefusalCategoryOther:                  "Autre motif",
}

func checkOrientationDay(o Orientation, on, today Date) *Error {
	if on.After(today) {
		return Errorf(CodeInvalidInput, Path("input", "on"), "la date ne peut pas être dans le futur")
	}
	if on.Before(o.OrientedOn) {
		return Errorf(CodeOutOfOrder, Path("input", "on"), "la date précède l'orientation du %s", frenchDate(o.OrientedOn))
	}
	return nil
}

// CheckOrientationStatus checks the next step of an orientation: ACCEPTED then STARTED
// or ABANDONED; STARTED then COMPLETED or ABANDONED; an abandonment has its reason.
// Refused, completed and abandoned orientations are final.
func CheckOrientationStatus(o Orientation, to OrientationStep, reason *string, on, today Date) *Error {
	allowed := map[OrientationStatus][]OrientationStep{
		OrientationStatusAccepted: {OrientationStepStarted, OrientationStepAbandoned},
		OrientationStatusStarted:  {OrientationStepCompleted, OrientationStepAbandoned},
	}
	if !to.IsValid() {
		return Errorf(CodeInvalidInput, Path("input", "status"), "l'étape est STARTED, COMPLETED ou ABANDONED")
	}
	ok := false
	for _, s := range allowed[o.Status] {
		ok = ok || s == to
	}
	if !ok {
		return Errorf(CodeOutOfOrder, Path("input", "status"), "une orientation au statut %s ne peut pas passer au statut %s", o.Status, to)
	}
	if to == OrientationStepAbandoned && (reason == nil || strings.TrimSpace(*reason) == "" || len([]rune(*reason)) > 1000) {
		return Errorf(CodeInvalidInput, Path("input", "abandonReason"), "le motif de l'abandon est requis (1000 caractères au plus)")
	}
	if to != OrientationStepAbandoned && reason != nil {
		return Errorf(CodeInvalidInput, Path("input", "abandonReason"), "un motif n'est possible qu'avec un abandon")
	}
	if err := checkOrientationDay(o, on, today); err != nil {
		return err
	}
	if o.AnsweredOn != nil && on.Before(*o.AnsweredOn) {
		return Errorf(CodeOutOfOrder, Path("input", "on"), "la date précède la réponse du partenaire")
	}
	if o.StartedOn != nil && on.Before(*o.StartedOn) {
		return Errorf(CodeOutOfOrder, Path("input", "on"), "la date précède le démarrage")
	}
	return nil
}

// ---- Acts of the module ----

// CheckProfessionalAct refuses the acts of the module on an ended journey (seed
// « Durée », « Suivi-évaluation »: exit, then follow-ups only), except outcomes, which
// the follow-ups after exit may find (« vérifier le caractère durable de l'intégration »).
func CheckProfessionalAct(phase JourneyPhase, isOutcome bool) *Error {
	switch phase {
	case JourneyPhaseExited, JourneyPhaseFollowUp, JourneyPhaseClosed:
		if !isOutcome {
			return Errorf(CodeOutOfOrder, Path("input", "beneficiaryId"), "le parcours est terminé : seule une sortie positive peut encore être enregistrée")
		}
	}
	return nil
}

// CheckProfessionalDiagnostic checks the shape of a pre-diagnostic: texts present and
// short, years in range, each barrier kind at most once.
func CheckProfessionalDiagnostic(d ProfessionalDiagnostic, today Date) *Error {
	if d.AssessedOn.After(today) {
		return Errorf(CodeInvalidInput, Path("input", "assessedOn"), "la date ne peut pas être dans le futur")
	}
	if !d.EducationLevel.IsValid() {
		return Errorf(CodeInvalidInput, Path("input", "educationLevel"), "niveau de scolarité inconnu")
	}
	if y := d.YearsOfSchooling; y != nil && (*y < 0 || *y > 30) {
		return Errorf(CodeOutOfRange, Path("input", "yearsOfSchooling"), "les années de scolarité sont comprises entre 0 et 30")
	}
	text := func(s, field string) *Error {
		if n := utf8.RuneCountInString(strings.TrimSpace(s)); n < 1 || n > 200 {
			return Errorf(CodeInvalidInput, Path("input", field), "texte requis, 200 caractères au plus")
		}
		return nil
	}
	for _, x := range d.Diplomas {
		if e := firstError(text(x.Title, "diplomas"), text(x.Country, "diplomas")); e != nil {
			return e
		}
		if x.Year != nil && (*x.Year < 1940 || *x.Year > today.Year) {
			return Errorf(CodeOutOfRange, Path("input", "diplomas"), "année d'obtention invalide")
		}
	}
	for _, x := range d.Experiences {
		if e := firstError(text(x.Job, "experiences"), text(x.Sector, "experiences"), text(x.Country, "experiences")); e != nil {
			return e
		}
		if x.Years < 0 || x.Years > 60 {
			return Errorf(CodeOutOfRange, Path("input", "experiences"), "les années d'expérience sont comprises entre 0 et 60")
		}
	}
	for _, s := range d.Skills {
		if e := text(s, "skills"); e != nil {
			return e
		}
	}
	for _, s := range d.TargetJobs {
		if e := text(s, "targetJobs"); e != nil {
			return e
		}
	}
	seen := map[BarrierKind]bool{}
	for _, b := range d.Barriers {
		if seen[b.Kind] {
			return Errorf(CodeInvalidInput, Path("input", "barriers"), "le frein %s est indiqué deux fois", b.Kind)
		}
		seen[b.Kind] = true
	}
	return nil
}

func firstError(errs ...*Error) *Error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// The connections of the professional module.
type (
	OrientationConnection = Connection[Orientation]
	OrientationEdge       = Edge[Orientation]
	OutcomeConnection     = Connection[Outcome]
	OutcomeEdge           = Edge[Outcome]
)
