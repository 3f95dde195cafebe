package model

import "time"

// Beneficiary is a beneficiary of the programme: a BPI, principal of a household, with
// the facts of the OFII referral and the state derived from the acts of the journey
// (phase, dates, convocation status), which only DeriveJourney computes. The referral's
// eligibility checks and exceptional admission are read by key (Referral), not with it.
type Beneficiary struct {
	Key                   string           `db:"id"`
	Version               int              `db:"version"`
	FirstName             string           `db:"first_name"`
	LastName              string           `db:"last_name"`
	BirthDate             Date             `db:"birth_date"`
	Sex                   Sex              `db:"sex"`
	Nationality           string           `db:"nationality"`
	Languages             []string         `db:"-"`
	Phone                 *string          `db:"phone"`
	Email                 *string          `db:"email"`
	Address               *string          `db:"address"`
	Department            string           `db:"department"`
	ProtectionType        ProtectionType   `db:"protection_type"`
	ProtectionGrantedOn   *Date            `db:"protection_granted_on"`
	CirSignedOn           *Date            `db:"cir_signed_on"`
	SocialOperatorKey     string           `db:"social_operator_id"`
	EmploymentOperatorKey string           `db:"employment_operator_id"`
	ReferredOn            Date             `db:"referred_on"`
	OfiiReference         string           `db:"ofii_reference"`
	Admission             AdmissionKind    `db:"admission"`
	Phase                 JourneyPhase     `db:"phase"`
	JourneyStartsOn       *Date            `db:"journey_starts_on"`
	JourneyEndsOn         *Date            `db:"journey_ends_on"`
	WelcomeInterviewDueOn *Date            `db:"welcome_due_on"`
	WelcomeHeldOn         *Date            `db:"welcome_held_on"`
	ConvocationStatus     *InterviewStatus `db:"convocation_status"`
}

// ID returns the global id of b.
func (b Beneficiary) ID() string { return GlobalID("Beneficiary", b.Key) }

func (Beneficiary) IsNode() {}

// AuditRef names b in the audit log of reads of its personal fields.
func (b Beneficiary) AuditRef() AuditRef {
	return AuditRef{Type: "Beneficiary", Key: b.Key, Department: b.Department}
}

// HouseholdMember is a joining family member of a BPI (« rejoignant »).
type HouseholdMember struct {
	Key            string       `db:"id"`
	BeneficiaryKey string       `db:"beneficiary_id"`
	Relationship   Relationship `db:"relationship"`
	FirstName      string       `db:"first_name"`
	LastName       string       `db:"last_name"`
	BirthDate      Date         `db:"birth_date"`
	Sex            Sex          `db:"sex"`
	Nationality    string       `db:"nationality"`
	HasProtection  bool         `db:"has_protection"`
	JoinedOn       Date         `db:"joined_on"`
	Department     string       `db:"department"` // the beneficiary's, for the audit log
}

// ID returns the global id of m.
func (m HouseholdMember) ID() string { return GlobalID("HouseholdMember", m.Key) }

func (HouseholdMember) IsNode() {}

// AuditRef names m in the audit log of reads of its personal fields, in its
// beneficiary's department.
func (m HouseholdMember) AuditRef() AuditRef {
	return AuditRef{Type: "HouseholdMember", Key: m.Key, Department: m.Department}
}

// Convocation is a convocation handed over; its status is its welcome interview's.
type Convocation struct {
	Key            string          `db:"id"`
	BeneficiaryKey string          `db:"beneficiary_id"`
	AppointmentAt  time.Time       `db:"appointment_at"`
	Address        string          `db:"address"`
	HandedOverOn   Date            `db:"handed_over_on"`
	Status         InterviewStatus `db:"status"`
}

// Interview is an individual interview. PrivateNote is readable only by the author's
// structure: the Store blanks it for others.
type Interview struct {
	Key                string          `db:"id"`
	Version            int             `db:"version"`
	BeneficiaryKey     string          `db:"beneficiary_id"`
	ConvocationKey     *string         `db:"convocation_id"`
	Kind               InterviewKind   `db:"kind"`
	Medium             InterviewMedium `db:"medium"`
	PlannedAt          time.Time       `db:"planned_at"`
	Status             InterviewStatus `db:"status"`
	HeldOn             *Date           `db:"held_on"`
	Late               bool            `db:"late"`
	SharedNote         *string         `db:"shared_note"`
	PrivateNote        *string         `db:"private_note"`
	AuthorStructureKey *string         `db:"author_structure_id"`
}

// ID returns the global id of i.
func (i Interview) ID() string { return GlobalID("Interview", i.Key) }

func (Interview) IsNode() {}

// AxisAssessment is the situation and needs found on one axis of the diagnostic.
type AxisAssessment struct {
	BeneficiaryKey string `db:"beneficiary_id"`
	Axis           Axis   `db:"axis"`
	Situation      string `db:"situation"`
	Needs          string `db:"needs"`
	AssessedOn     Date   `db:"assessed_on"`
}

// Referents is the binôme of a beneficiary with its history. The active referents are
// read with the assignments (fields, not resolvers: no goroutine per row of a list).
type Referents struct {
	SocialWorker        *StaffMember
	InsertionCounsellor *StaffMember
	History             []ReferentAssignment
}

// ReferentAssignment is one assignment of a referent.
type ReferentAssignment struct {
	BeneficiaryKey string       `db:"beneficiary_id"`
	Kind           ReferentKind `db:"kind"`
	StaffMemberKey string       `db:"staff_member_id"`
	AssignedAt     time.Time    `db:"assigned_at"`
	EndedAt        *time.Time   `db:"ended_at"`
}

// Active reports whether the assignment is the current one.
func (a ReferentAssignment) Active() bool { return a.EndedAt == nil }

// Objective is an objective of the plan on one axis.
type Objective struct {
	Key            string       `db:"id"`
	BeneficiaryKey string       `db:"beneficiary_id"`
	Axis           Axis         `db:"axis"`
	Title          string       `db:"title"`
	Actions        []PlanAction `db:"-"`
}

// ID returns the global id of o.
func (o Objective) ID() string { return GlobalID("Objective", o.Key) }

func (Objective) IsNode() {}

// PlanAction is an action of the plan.
type PlanAction struct {
	Key            string           `db:"id"`
	Version        int              `db:"version"`
	ObjectiveKey   string           `db:"objective_id"`
	BeneficiaryKey string           `db:"beneficiary_id"`
	Title          string           `db:"title"`
	Status         PlanActionStatus `db:"status"`
	DueOn          *Date            `db:"due_on"`
	CompletedOn    *Date            `db:"completed_on"`
}

// ID returns the global id of a.
func (a PlanAction) ID() string { return GlobalID("PlanAction", a.Key) }

func (PlanAction) IsNode() {}

// EngagementContract is the signed personalised engagement contract.
type EngagementContract struct {
	BeneficiaryKey  string `db:"beneficiary_id"`
	SignedOn        Date   `db:"signed_on"`
	ConsentRecorded bool   `db:"consent_recorded"`
}

// HousingProposal is a housing proposal and its outcome.
type HousingProposal struct {
	Key            string         `db:"id"`
	Version        int            `db:"version"`
	BeneficiaryKey string         `db:"beneficiary_id"`
	ProposedOn     Date           `db:"proposed_on"`
	Offer          string         `db:"offer"`
	Landlord       *string        `db:"landlord"`
	Outcome        HousingOutcome `db:"outcome"`
	DecidedOn      *Date          `db:"decided_on"`
	RefusalReason  *string        `db:"refusal_reason"`
}

// ID returns the global id of h.
func (h HousingProposal) ID() string { return GlobalID("HousingProposal", h.Key) }

func (HousingProposal) IsNode() {}

// RightsStep is one step of access to rights; Version 0 means never recorded.
type RightsStep struct {
	BeneficiaryKey string           `db:"beneficiary_id"`
	Kind           RightsStepKind   `db:"kind"`
	Status         RightsStepStatus `db:"status"`
	StartedOn      *Date            `db:"started_on"`
	CompletedOn    *Date            `db:"completed_on"`
	Version        int              `db:"version"`
}

// Accessibility is the disability and accessibility record of a beneficiary.
type Accessibility struct {
	BeneficiaryKey        string       `db:"beneficiary_id"`
	Version               int          `db:"version"`
	DisabilityRecognised  bool         `db:"disability_recognised"`
	RecognisedUntil       *Date        `db:"recognised_until"`
	Needs                 string       `db:"needs"`
	DisabilityReferentKey *string      `db:"disability_referent_id"`
	AidsRequested         []AgefiphAid `db:"-"`
}

// Evaluation is an individual evaluation, one score 0-5 per axis.
type Evaluation struct {
	BeneficiaryKey string          `db:"beneficiary_id"`
	Round          int             `db:"round"`
	Stage          EvaluationStage `db:"stage"`
	EvaluatedOn    Date            `db:"evaluated_on"`
	Housing        int             `db:"housing_score"`
	Employment     int             `db:"employment_score"`
	Training       int             `db:"training_score"`
	Rights         int             `db:"rights_score"`
}

// JourneyExit is an exit or an exclusion.
type JourneyExit struct {
	Key                 string               `db:"id"`
	BeneficiaryKey      string               `db:"beneficiary_id"`
	Kind                ExitKind             `db:"kind"`
	ExitedOn            Date                 `db:"exited_on"`
	ExitReason          *ExitReason          `db:"-"`
	ExclusionReason     *ExclusionReason     `db:"-"`
	HousingSituation    *HousingSituation    `db:"housing_situation"`
	EmploymentSituation *EmploymentSituation `db:"employment_situation"`
	TrainingSituation   *TrainingSituation   `db:"training_situation"`
}

// FollowUp is a follow-up after exit, due (HeldOn nil) or held.
type FollowUp struct {
	BeneficiaryKey      string               `db:"beneficiary_id"`
	ExitKey             string               `db:"exit_id"`
	Stage               FollowUpStage        `db:"stage"`
	DueOn               Date                 `db:"due_on"`
	HeldOn              *Date                `db:"held_on"`
	HousingSituation    *HousingSituation    `db:"housing_situation"`
	EmploymentSituation *EmploymentSituation `db:"employment_situation"`
	TrainingSituation   *TrainingSituation   `db:"training_situation"`
}

// Reintegration re-opens an exited journey.
type Reintegration struct {
	BeneficiaryKey string `db:"beneficiary_id"`
	ExitKey        string `db:"exit_id"`
	ReintegratedOn Date   `db:"reintegrated_on"`
	Until          Date   `db:"until_on"`
	Reason         string `db:"reason"`
}

// TimelineEvent is one act of a journey.
type TimelineEvent struct {
	BeneficiaryKey string            `db:"beneficiary_id"`
	On             Date              `db:"on_day"`
	RecordedAt     time.Time         `db:"recorded_at"`
	Kind           TimelineEventKind `db:"kind"`
	Summary        string            `db:"summary"`
}

// CollectiveAction is a workshop with a capacity.
type CollectiveAction struct {
	Key             string    `db:"id"`
	Version         int       `db:"version"`
	Theme           string    `db:"theme"`
	Department      string    `db:"department"`
	StartsAt        time.Time `db:"starts_at"`
	Place           string    `db:"place"`
	Capacity        int       `db:"capacity"`
	RegisteredCount int       `db:"registered_count"`
	FacilitatorKeys []string  `db:"-"`
}

// ID returns the global id of c.
func (c CollectiveAction) ID() string { return GlobalID("CollectiveAction", c.Key) }

func (CollectiveAction) IsNode() {}

// RemainingPlaces is the capacity left.
func (c CollectiveAction) RemainingPlaces() int { return max(0, c.Capacity-c.RegisteredCount) }

// CollectiveActionRegistration is a beneficiary registered to an action.
type CollectiveActionRegistration struct {
	ActionKey      string    `db:"action_id"`
	BeneficiaryKey string    `db:"beneficiary_id"`
	RegisteredAt   time.Time `db:"registered_at"`
	Attended       *bool     `db:"attended"`
}

// The connections of the social module.
type (
	BeneficiaryConnection      = Connection[Beneficiary]
	BeneficiaryEdge            = Edge[Beneficiary]
	CollectiveActionConnection = Connection[CollectiveAction]
	CollectiveActionEdge       = Edge[CollectiveAction]
)

// ProgrammeParameters are the delays in force in a department.
type ProgrammeParameters struct {
	Department string
	Parameters
	Negotiated bool
	Version    int
}

// FollowUpMonths lists the months after exit of the follow-ups, in order.
func (p ProgrammeParameters) FollowUpMonths() []int {
	return []int{p.Parameters.FollowUpMonths[FollowUpStageThreeMonths], p.Parameters.FollowUpMonths[FollowUpStageSixMonths]}
}
