package model

import (
	"slices"
	"strconv"
	"time"
)

// Real-time events: what a module publishes (db.Tx.Notify) when the offer map changes,
// an alert is raised or a partner answers an orientation, and what subscriptions
// deliver. Payloads carry identifiers and the facts needed to decide who may receive
// them, never personal data. The audience keys, absent from the schema, are read by
// VisibleTo only.

// EventMeta is what every real-time event carries besides its facts: the id the outbox
// gave it (db.Event.ID), increasing in commit order, which a client sends back as
// `after` to resume a subscription where it stopped. It is not stored in the payload.
type EventMeta struct {
	EventID string `json:"-"`
}

// SetEventID records the event's outbox id.
func (m *EventMeta) SetEventID(id int64) { m.EventID = strconv.FormatInt(id, 10) }

// OfferMapEvent reports a change of an offer of the local offer map.
type OfferMapEvent struct {
	EventMeta
	OfferID     string            `json:"offerId"`     // global id of the offer
	StructureID string            `json:"structureId"` // global id of the partner offering it
	Department  string            `json:"department"`  // INSEE code
	Kind        OfferMapEventKind `json:"kind"`
	At          time.Time         `json:"at"`
	// Unpublished is set when the offer is not on the public map, before and after the
	// change (a draft, an archived draft): then only the offer's editors hear of it, the
	// partner that owns it (StructureKey) and the coordinators of its structure's
	// departments (StructureDepartments), as for reading the offer.
	Unpublished          bool     `json:"unpublished,omitempty"`
	StructureKey         string   `json:"structureKey,omitempty"`
	StructureDepartments []string `json:"structureDepartments,omitempty"`
}

// VisibleTo reports whether p may receive e: the offer map is read by the whole network
// (DESIGN §1: partners read the map, other partners' offers included), analysts aside;
// an offer off the map by those who may read it only.
func (e OfferMapEvent) VisibleTo(p *Principal) bool {
	if p == nil || p.Role == RoleAnalyst {
		return false
	}
	if !e.Unpublished {
		return true
	}
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleCoordinator:
		for _, d := range e.StructureDepartments {
			if slices.Contains(p.Departments, d) {
				return true
			}
		}
		return false
	}
	return p.StructureID != "" && p.StructureID == e.StructureKey
}

// AlertEvent reports an alert raised on a beneficiary's journey.
type AlertEvent struct {
	EventMeta
	BeneficiaryID string    `json:"beneficiaryId"` // global id
	Kind          string    `json:"kind"`          // alert kind, e.g. WELCOME_INTERVIEW_OVERDUE
	Department    string    `json:"department"`    // department of the beneficiary
	DueOn         *Date     `json:"dueOn,omitempty"`
	At            time.Time `json:"at"`
	// StructureKeys are the structures of the beneficiary's referents (uuid keys).
	StructureKeys []string `json:"structureKeys"`
}

// VisibleTo reports whether p may receive e: a coordinator for its territory, a social
// worker or insertion counsellor when its structure follows the beneficiary.
func (e AlertEvent) VisibleTo(p *Principal) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case RoleCoordinator:
		return slices.Contains(p.Departments, e.Department)
	case RoleSocialWorker, RoleInsertionCounsellor:
		return p.StructureID != "" && slices.Contains(e.StructureKeys, p.StructureID)
	}
	return false
}

// OrientationEvent reports a partner's answer to an orientation.
type OrientationEvent struct {
	EventMeta
	OrientationID string            `json:"orientationId"` // global id
	BeneficiaryID string            `json:"beneficiaryId"` // global id (hidden from partners by the schema)
	OfferID       string            `json:"offerId"`       // global id
	Answer        OrientationAnswer `json:"answer"`
	Department    string            `json:"department"`
	At            time.Time         `json:"at"`
	// PartnerStructureKey is the structure that answered; ReferentStructureKeys the
	// structures of the beneficiary's referents (uuid keys).
	PartnerStructureKey   string   `json:"partnerStructureKey"`
	ReferentStructureKeys []string `json:"referentStructureKeys"`
}

// VisibleTo reports whether p may receive e: the partner that answered, the referents'
// structures, the coordinator of the territory.
func (e OrientationEvent) VisibleTo(p *Principal) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case RolePartnerEditor:
		return p.StructureID != "" && p.StructureID == e.PartnerStructureKey
	case RoleSocialWorker, RoleInsertionCounsellor:
		return p.StructureID != "" && slices.Contains(e.ReferentStructureKeys, p.StructureID)
	case RoleCoordinator:
		return slices.Contains(p.Departments, e.Department)
	}
	return false
}

// OrientationChange reports what happened to an orientation: sent to the structure
// addressed (ORIENTED: a partner's inbox), answered, or left unanswered past its
// deadline (OVERDUE, raised by the clock).
type OrientationChange struct {
	EventMeta
	OrientationID string                `json:"orientationId"` // global id
	BeneficiaryID string                `json:"beneficiaryId"` // global id (hidden from partners by the schema)
	StructureID   string                `json:"structureId"`   // global id of the structure addressed
	OfferID       *string               `json:"offerId"`       // global id, when oriented to an offer
	Kind          OrientationChangeKind `json:"kind"`
	Answer        *OrientationAnswer    `json:"answer,omitempty"`
	AnswerDueOn   Date                  `json:"answerDueOn"`
	Department    string                `json:"department"`
	At            time.Time             `json:"at"`
	// Audience keys, as in OrientationEvent.
	PartnerStructureKey   string   `json:"partnerStructureKey"`
	ReferentStructureKeys []string `json:"referentStructureKeys"`
}

// VisibleTo reports whether p may receive e: as an OrientationEvent (the structure
// addressed, the referents' structures, the coordinator of the territory).
func (e OrientationChange) VisibleTo(p *Principal) bool {
	return OrientationEvent{Department: e.Department, PartnerStructureKey: e.PartnerStructureKey,
		ReferentStructureKeys: e.ReferentStructureKeys}.VisibleTo(p)
}

// AlertChanges compares the alerts active on today before and after an act (or the
// passage of a day): raised are the kinds active after and not before, cleared those
// active before and not after. An alert whose kind stays active is neither, even if its
// dates moved. Both keep the order of their schedules.
func AlertChanges(before, after []AlertSchedule, today Date) (raised, cleared []Alert) {
	was, is := ActiveAlerts(before, today), ActiveAlerts(after, today)
	has := func(as []Alert, k AlertKind) bool {
		return slices.ContainsFunc(as, func(a Alert) bool { return a.Kind == k })
	}
	for _, a := range is {
		if !has(was, a.Kind) {
			raised = append(raised, a)
		}
	}
	for _, a := range was {
		if !has(is, a.Kind) {
			cleared = append(cleared, a)
		}
	}
	return raised, cleared
}
