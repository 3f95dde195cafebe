package model

import "time"

// NetworkEvent is a time of network animation (« temps de réseau »): a meeting, a
// thematic working group session or an exchange session between professionals.
type NetworkEvent struct {
	Key             string
	Kind            NetworkEventKind
	Title           string
	Theme           Sector
	StartsAt        time.Time
	EndsAt          *time.Time
	Location        *string
	Departments     []string
	Agenda          *string
	Minutes         *string
	WorkingGroupKey *string
	Version         int
}

// ID returns the global id of e.
func (e NetworkEvent) ID() string { return GlobalID("NetworkEvent", e.Key) }

func (NetworkEvent) IsNode() {}

// EventParticipation is a structure, or one of its staff, invited to or attending an event.
type EventParticipation struct {
	EventKey       string
	StructureKey   string
	StaffMemberKey *string
	Invited        bool
	Attended       *bool
}

// WorkingGroup is a thematic working group of the network.
type WorkingGroup struct {
	Key         string
	Name        string
	Theme       Sector
	Description *string
	Departments []string
}

// ID returns the global id of g.
func (g WorkingGroup) ID() string { return GlobalID("WorkingGroup", g.Key) }

func (WorkingGroup) IsNode() {}

// GoodPractice is a practice worth sharing, often born in a network event.
type GoodPractice struct {
	Key         string
	Title       string
	Description string
	EventKey    *string
	Tags        []string
	Departments []string
	RecordedAt  time.Time
}

// ID returns the global id of g.
func (g GoodPractice) ID() string { return GlobalID("GoodPractice", g.Key) }

func (GoodPractice) IsNode() {}

// EmergingNeed is a need of the territory the offer does not cover well.
type EmergingNeed struct {
	Key                    string
	Description            string
	Theme                  Sector
	Department             string
	ReportedByKey          *string
	ReportedAt             time.Time
	BeneficiariesConcerned int
	Status                 EmergingNeedStatus
	Version                int
}

// ID returns the global id of n.
func (n EmergingNeed) ID() string { return GlobalID("EmergingNeed", n.Key) }

func (EmergingNeed) IsNode() {}

// The connections of the partnership module.
type (
	OfferConnection        = Connection[Offer]
	OfferEdge              = Edge[Offer]
	OfferChangeConnection  = Connection[OfferChange]
	OfferChangeEdge        = Edge[OfferChange]
	NetworkEventConnection = Connection[NetworkEvent]
	NetworkEventEdge       = Edge[NetworkEvent]
	GoodPracticeConnection = Connection[GoodPractice]
	GoodPracticeEdge       = Edge[GoodPractice]
	EmergingNeedConnection = Connection[EmergingNeed]
	EmergingNeedEdge       = Edge[EmergingNeed]
)
