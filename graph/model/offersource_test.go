package model

import (
	"testing"
	"time"
)

func TestCheckSourcedOfferEdit(t *testing.T) {
	level := CefrLevelA2
	capacity := 12
	phone := "0102030405"
	base := OfferFields{Name: "Cours de français", Description: "Cours pour adultes.", Themes: []string{"lecture-ecriture-calcul--maitriser-le-francais"}}
	withExtension := base
	withExtension.SpokenLanguages, withExtension.FrenchLevelRequired, withExtension.Capacity = []string{"ar", "fa"}, &level, &capacity
	withExtension.ProtectionStatuses = []ProtectionStatus{ProtectionStatusRefugee}
	renamed := base
	renamed.Name = "Atelier de français"
	phoned := base
	phoned.Phone = &phone
	emptyList := base
	emptyList.Publics = []string{} // nil and [] are the same list
	for _, tc := range []struct {
		name    string
		origin  OfferOrigin
		claimed bool
		after   OfferFields
		field   string // "" when allowed
	}{
		{"ExtensionOfDataInclusionOffer", OfferOriginDataInclusion, false, withExtension, ""},
		{"ExtensionOfRefugiesInfoOffer", OfferOriginRefugiesInfo, false, withExtension, ""},
		{"ErrNameOfDataInclusionOffer", OfferOriginDataInclusion, false, renamed, "name"},
		{"ErrPhoneOfRefugiesInfoOffer", OfferOriginRefugiesInfo, false, phoned, "phone"},
		{"EmptyListIsNoChange", OfferOriginDataInclusion, false, emptyList, ""},
		{"ClaimedStructureEditsWin", OfferOriginDataInclusion, true, renamed, ""},
		{"AgirOfferIsFree", OfferOriginAgir, false, renamed, ""},
		{"FileOfferIsFree", OfferOriginFile, false, renamed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckSourcedOfferEdit(tc.origin, tc.claimed, base, tc.after)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := AsUserError(err)
			if e == nil || e.Code != CodeReadOnlySource || len(e.Field) != 3 || e.Field[2] != tc.field {
				t.Fatalf("got %v, want READ_ONLY_SOURCE on %s", err, tc.field)
			}
		})
	}
}

func TestMergeSourcedFields(t *testing.T) {
	level, capacity := CefrLevelB1, 8
	stored := OfferFields{Name: "Ancien nom", SpokenLanguages: []string{"uk"}, FrenchLevelRequired: &level}
	incoming := OfferFields{Name: "Nouveau nom", SpokenLanguages: []string{"fr", "en"}, Capacity: &capacity}
	got := MergeSourcedFields(stored, incoming)
	if got.Name != "Nouveau nom" || len(got.SpokenLanguages) != 1 || got.SpokenLanguages[0] != "uk" ||
		got.FrenchLevelRequired == nil || *got.FrenchLevelRequired != CefrLevelB1 || got.Capacity == nil || *got.Capacity != 8 {
		t.Fatalf("merged %+v", got)
	}
}

func TestSourceSyncAlert(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(-d); return &x }
	for _, tc := range []struct {
		name        string
		last, ok    *time.Time
		lastSuccess bool
		want        string
	}{
		{"Fresh", at(time.Hour), at(time.Hour), true, ""},
		{"LastRunFailed", at(time.Hour), at(2 * time.Hour), false, "FAILED"},
		{"NoSuccessForAWeek", at(time.Hour), at(8 * 24 * time.Hour), true, "STALE"},
		{"SixDaysIsFine", at(6 * 24 * time.Hour), at(6 * 24 * time.Hour), true, ""},
		{"NeverSucceeded", at(time.Hour), nil, true, "STALE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SourceSyncAlert(tc.last, tc.ok, tc.lastSuccess, now)
			if (got == nil) != (tc.want == "") || (got != nil && string(*got) != tc.want) {
				t.Fatalf("alert %v, want %q", got, tc.want)
			}
		})
	}
}

func TestSameAddress(t *testing.T) {
	s := func(v string) *string { return &v }
	if !SameAddress(s("12, rue de l'Église"), s("35000"), s("12 RUE DE L EGLISE"), s("35000")) {
		t.Fatal("same address not recognised")
	}
	if SameAddress(s("12 rue de l'Église"), s("35000"), s("14 rue de l'Église"), s("35000")) {
		t.Fatal("different numbers taken as one address")
	}
	if SameAddress(nil, s("35000"), nil, s("35000")) {
		t.Fatal("two missing addresses taken as one")
	}
}
