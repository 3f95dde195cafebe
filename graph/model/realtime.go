package model

import (
	"slices"
	"time"
)

// Real-time events: what a module publishes (db.Tx.Notify) when the offer map changes,
// an alert is raised or a partner answers an orientation, and what subscriptions
// deliver. Payloads carry identifiers and the facts needed to decide who may receive
// them, never personal data. The audience keys, absent from the schema, are read by
// VisibleTo only.

// OfferMapEvent reports a change of an offer of the local offer map.
type OfferMapEvent struct {
	OfferID     string            `json:"offerId"`     // global id of the offer
	StructureID string            `json:"structureId"` // global id of the partner offering it
	Department  string            `json:"department"`  // INSEE code
	Kind        OfferMapEventKind `json:"kind"`
	At          time.Time         `json:"at"`
}

// VisibleTo reports whether p may receive e: the offer map is read by the whole network
// (DESIGN §1: partners read the map, other partners' offers included), analysts aside.
func (e OfferMapEvent) VisibleTo(p *Principal) bool {
	return p != nil && p.Role != RoleAnalyst
}

// AlertEvent reports an alert raised on a beneficiary's journey.
type AlertEvent struct {
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
