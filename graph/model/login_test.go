package model

import "testing"

func TestDecideLogin(t *testing.T) {
	s := func(v string) *string { return &v }
	const iss, sub = "https://idp.example", "sub-1"
	for _, tc := range []struct {
		name            string
		linkedIss       *string
		linkedSub       *string
		issuer, subject string
		verified        bool
		want            LoginDecision
	}{
		{"FirstLoginVerified", nil, nil, iss, sub, true, LoginLink},
		{"ErrFirstLoginUnverified", nil, nil, iss, sub, false, LoginRefuseUnverified},
		{"SameSubject", s(iss), s(sub), iss, sub, false, LoginMatch},
		{"ErrOtherSubjectSameEmail", s(iss), s(sub), iss, "sub-2", true, LoginRefuseOtherSubject},
		{"ErrSameSubjectOtherIssuer", s(iss), s(sub), "https://other.example", sub, true, LoginRefuseOtherSubject},
		{"SubjectEnteredByAdmin", nil, s(sub), iss, sub, false, LoginLink},
		{"ErrOtherSubjectThanAdmin", nil, s(sub), iss, "sub-2", true, LoginRefuseOtherSubject},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DecideLogin(tc.linkedIss, tc.linkedSub, tc.issuer, tc.subject, tc.verified); got != tc.want {
				t.Fatalf("DecideLogin = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCanReadBarrierNote(t *testing.T) {
	for _, tc := range []struct {
		role Role
		kind BarrierKind
		want bool
	}{
		{RoleInsertionCounsellor, BarrierKindFrench, true},
		{RoleInsertionCounsellor, BarrierKindHealth, false},
		{RoleSocialWorker, BarrierKindHealth, true},
		{RoleCoordinator, BarrierKindHealth, true},
		{RoleStateRepresentative, BarrierKindFrench, false},
		{RoleAnalyst, BarrierKindHealth, false},
	} {
		if got := CanReadBarrierNote(tc.role, tc.kind); got != tc.want {
			t.Errorf("CanReadBarrierNote(%s, %s) = %v, want %v", tc.role, tc.kind, got, tc.want)
		}
	}
}
