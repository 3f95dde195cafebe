package model

import "testing"

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
	} {
		if got := tc.event.VisibleTo(tc.p); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
