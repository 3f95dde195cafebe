package model

import (
	"slices"
	"testing"
)

// Who receives a real-time event (DESIGN §1 and §6: scope by membership; a partner sees
// no beneficiary; a coordinator sees its territory).
func TestEventAudience(t *testing.T) {
	coordinator := &Principal{Role: RoleCoordinator, Departments: []string{"69", "38"}}
	worker := &Principal{Role: RoleSocialWorker, StructureID: "s-social"}
	counsellor := &Principal{Role: RoleInsertionCounsellor, StructureID: "s-emploi"}
	partner := &Principal{Role: RolePartnerEditor, StructureID: "s-partner"}
	otherPartner := &Principal{Role: RolePartnerEditor, StructureID: "s-other"}
	analyst := &Principal{Role: RoleAnalyst, Departments: []string{"69"}}
	state := &Principal{Role: RoleStateRepresentative, Departments: []string{"69"}}

	alert := AlertEvent{Department: "69", StructureKeys: []string{"s-social", "s-emploi"}}
	orientation := OrientationEvent{Department: "38", PartnerStructureKey: "s-partner", ReferentStructureKeys: []string{"s-social"}}
	draft := OfferMapEvent{Department: "13", Unpublished: true, StructureKey: "s-partner", StructureDepartments: []string{"69"}}
	change := OrientationChange{Department: "38", PartnerStructureKey: "s-partner", ReferentStructureKeys: []string{"s-social"}}
	for _, tc := range []struct {
		name  string
		event interface{ VisibleTo(*Principal) bool }
		p     *Principal
		want  bool
	}{
		{"alert: coordinator of the territory", alert, coordinator, true},
		{"alert: coordinator elsewhere", AlertEvent{Department: "13"}, coordinator, false},
		{"alert: referent's structure", alert, worker, true},
		{"alert: counsellor's structure", alert, counsellor, true},
		{"alert: another structure", AlertEvent{Department: "69", StructureKeys: []string{"x"}}, worker, false},
		{"alert: partner never", alert, partner, false},
		{"alert: analyst never", alert, analyst, false},
		{"alert: state representative never", alert, state, false},
		{"alert: anonymous never", alert, nil, false},
		{"orientation: the partner that answered", orientation, partner, true},
		{"orientation: another partner", orientation, otherPartner, false},
		{"orientation: referent's structure", orientation, worker, true},
		{"orientation: counsellor of another caseload", orientation, counsellor, false},
		{"orientation: coordinator of the territory", orientation, coordinator, true},
		{"orientation: analyst never", orientation, analyst, false},
		{"offer map: partner reads the whole map", OfferMapEvent{Department: "13"}, otherPartner, true},
		{"offer map: analyst never", OfferMapEvent{Department: "69"}, analyst, false},
		{"offer map: anonymous never", OfferMapEvent{Department: "69"}, nil, false},
		{"draft offer: its partner", draft, partner, true},
		{"draft offer: another partner never", draft, otherPartner, false},
		{"draft offer: coordinator of its structure's departments", draft, coordinator, true},
		{"draft offer: coordinator elsewhere never", draft, &Principal{Role: RoleCoordinator, Departments: []string{"13"}}, false},
		{"draft offer: state representative never", draft, state, false},
		{"orientation change: the partner addressed", change, partner, true},
		{"orientation change: another partner never", change, otherPartner, false},
		{"orientation change: coordinator elsewhere never", OrientationChange{Department: "13"}, coordinator, false},
	} {
		if got := tc.event.VisibleTo(tc.p); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// An act raises the alerts that become active and clears those that end; an alert whose
// kind stays active, or one not yet active, is neither.
func TestAlertChanges(t *testing.T) {
	today := NewDate(2026, 3, 10)
	due := NewDate(2026, 3, 1)
	welcome := AlertSchedule{Kind: AlertKindWelcomeInterviewOverdue, From: NewDate(2026, 3, 2), DueOn: &due}
	later := AlertSchedule{Kind: AlertKindEvaluationDue, From: NewDate(2026, 4, 1)}
	contract := AlertSchedule{Kind: AlertKindContractNotSigned, From: NewDate(2026, 3, 5)}
	moved := AlertSchedule{Kind: AlertKindWelcomeInterviewOverdue, From: NewDate(2026, 3, 3)}
	kinds := func(as []Alert) (out []AlertKind) {
		for _, a := range as {
			out = append(out, a.Kind)
		}
		return out
	}
	for _, tc := range []struct {
		name            string
		before, after   []AlertSchedule
		raised, cleared []AlertKind
	}{
		{"nothing", nil, nil, nil, nil},
		{"raised", nil, []AlertSchedule{welcome}, []AlertKind{AlertKindWelcomeInterviewOverdue}, nil},
		{"cleared", []AlertSchedule{welcome, contract}, []AlertSchedule{contract}, nil, []AlertKind{AlertKindWelcomeInterviewOverdue}},
		{"not active yet: neither", nil, []AlertSchedule{later}, nil, nil},
		{"kind still active, dates moved: neither", []AlertSchedule{welcome}, []AlertSchedule{moved}, nil, nil},
		{"one raised, one cleared", []AlertSchedule{welcome}, []AlertSchedule{contract}, []AlertKind{AlertKindContractNotSigned}, []AlertKind{AlertKindWelcomeInterviewOverdue}},
	} {
		raised, cleared := AlertChanges(tc.before, tc.after, today)
		if !slices.Equal(kinds(raised), tc.raised) || !slices.Equal(kinds(cleared), tc.cleared) {
			t.Errorf("%s: raised %v cleared %v, want %v %v", tc.name, kinds(raised), kinds(cleared), tc.raised, tc.cleared)
		}
	}
}
