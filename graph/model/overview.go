package model

// The network-facilitation view (« animation du réseau ») and the pseudonymised records
// of the analysts: types read by the Store; the objects they point to are loaded by key.

// NetworkAlertItem is one thing to act on: a journey (BeneficiaryKey), an orientation
// (BeneficiaryKey and the partner StructureKey) or a stale offer (OfferKey, StructureKey).
type NetworkAlertItem struct {
	BeneficiaryKey *string `db:"beneficiary_id"`
	StructureKey   *string `db:"structure_id"`
	OfferKey       *string `db:"offer_id"`
	Since          Date    `db:"since"`
	DueOn          *Date   `db:"due_on"`
}

// NetworkAlertGroup counts the alerts of one kind, with the first items.
type NetworkAlertGroup struct {
	Kind  NetworkAlertKind
	Count int
	Items []NetworkAlertItem
}

// Caseload is the active caseload of one referent.
type Caseload struct {
	ReferentKey    string       `db:"staff_member_id"`
	Kind           ReferentKind `db:"kind"`
	ActiveJourneys int          `db:"active_journeys"`
	WithAlerts     int          `db:"with_alerts"`
}

// PartnerActivity is the activity of one partner structure.
type PartnerActivity struct {
	StructureKey         string `db:"structure_id"`
	OrientationsReceived int    `db:"orientations_received"`
	OrientationsAnswered int    `db:"orientations_answered"`
	OrientationsOverdue  int    `db:"orientations_overdue"`
	OffersPublished      int    `db:"offers_published"`
	OffersUpdated        int    `db:"offers_updated"`
	OffersStale          int    `db:"offers_stale"`
}

// NetworkOverview is the coordinator's dashboard for a territory.
type NetworkOverview struct {
	Departments          []string
	Today                Date
	JourneysByPhase      []PhaseCount
	Alerts               []NetworkAlertGroup
	Caseloads            []Caseload
	PartnerActivity      []PartnerActivity
	CollectiveActionKeys []string
	NetworkEventKeys     []string
	EmergingNeedKeys     []string
	NeedsGap             []NeedGap
}

// PseudonymisedJourney is a journey without what identifies the person: Key (the
// beneficiary's id) stays on the server, for the cursor and the pseudonym.
type PseudonymisedJourney struct {
	Key                        string               `db:"id"`
	Pseudonym                  string               `db:"-"`
	Department                 string               `db:"department"`
	ProtectionType             ProtectionType       `db:"protection_type"`
	Sex                        Sex                  `db:"sex"`
	AgeBand                    AgeBand              `db:"age_band"`
	Household                  HouseholdComposition `db:"household"`
	CohortMonth                string               `db:"cohort_month"`
	Phase                      JourneyPhase         `db:"phase"`
	EntryMonth                 *string              `db:"entry_month"`
	ExitMonth                  *string              `db:"exit_month"`
	ExitKind                   *ExitKind            `db:"exit_kind"`
	ExitReason                 *string              `db:"exit_reason"`
	HousingAtExit              *HousingSituation    `db:"housing_at_exit"`
	OutcomeKinds               []OutcomeKind        `db:"-"`
	EmploymentOrTrainingAtExit *bool                `db:"employment_or_training_at_exit"`
	DurableEmploymentAtExit    *bool                `db:"durable_employment_at_exit"`
	Evaluations                []EvaluationStage    `db:"-"`
	FollowUps                  []FollowUpStage      `db:"-"`
}

type (
	// PseudonymisedJourneyConnection is a page of pseudonymised journeys.
	PseudonymisedJourneyConnection = Connection[PseudonymisedJourney]
	// PseudonymisedJourneyEdge is a pseudonymised journey with its cursor.
	PseudonymisedJourneyEdge = Edge[PseudonymisedJourney]
)
