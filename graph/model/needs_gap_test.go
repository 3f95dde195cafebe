package model

import "testing"

// Issue 17: an offer serves a person at the person's French level (OfferOpenAt) and in a
// language the person speaks, French counting from A2.
func TestOfferServes(t *testing.T) {
	l := func(c CefrLevel) *CefrLevel { return &c }
	for _, tc := range []struct {
		name           string
		required       *CefrLevel
		offerLanguages []string
		level          *CefrLevel
		languages      []string
		want           bool
	}{
		{"DariSpeakerAtA1_DariOffer", nil, []string{"prs"}, l(CefrLevelA1), []string{"prs"}, true},
		{"DariSpeakerAtA1_FrenchArabicOffer", nil, []string{"fr", "ar"}, l(CefrLevelA1), []string{"prs"}, false},
		{"DariSpeakerAtA2_FrenchOffer", nil, []string{"fr"}, l(CefrLevelA2), []string{"prs"}, true},
		{"NoLanguageListedIsFrench", nil, nil, l(CefrLevelA1), []string{"prs"}, false},
		{"NoLanguageListedIsFrench_AtB1", nil, nil, l(CefrLevelB1), []string{"prs"}, true},
		{"LevelRequiredAbove", l(CefrLevelA2), []string{"prs"}, l(CefrLevelA1), []string{"prs"}, false},
		{"LevelRequiredMet", l(CefrLevelA2), []string{"prs"}, l(CefrLevelB1), []string{"prs"}, true},
		{"BelowA1ReachesOnlyNoRequirement", l(CefrLevelA1), []string{"prs"}, l(CefrLevelBelowA1), []string{"prs"}, false},
		{"LevelUnknown_NoLevelCondition", l(CefrLevelB1), []string{"prs"}, nil, []string{"prs"}, true},
		{"LevelUnknown_FrenchNotFollowed", nil, []string{"fr"}, nil, []string{"prs"}, false},
		{"NoLanguageRecorded_NoLanguageCondition", nil, []string{"ti"}, l(CefrLevelA1), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OfferServes(tc.required, tc.offerLanguages, tc.level, tc.languages); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}

// A need is missing when one group of its beneficiaries is served by no offer, even when
// the territory as a whole has offers of unknown capacity; capacity unknown otherwise
// when a group's offers give no capacity; never both.
func TestJudgeNeedGap(t *testing.T) {
	territory := func() NeedGap { // 4 beneficiaries, 2 offers, 10 known places, 1 without capacity
		return NeedGap{Beneficiaries: 4, Offers: 2, Places: 10, OffersWithoutCapacity: 1,
			Missing: NeedMissing(4, 2, 10, 1), CapacityUnknown: NeedCapacityUnknown(4, 2, 10, 1)}
	}
	served := NeedGapGroup{Beneficiaries: 2, Offers: 1, Places: 10}
	unserved := NeedGapGroup{Beneficiaries: 2}
	unknown := NeedGapGroup{Beneficiaries: 2, Offers: 1, OffersWithoutCapacity: 1}
	for _, tc := range []struct {
		name             string
		groups           []NeedGapGroup
		missing, unknown bool
	}{
		{"AllServed", []NeedGapGroup{served, served}, false, false},
		{"OneGroupUnserved", []NeedGapGroup{served, unserved}, true, false},
		{"OneGroupCapacityUnknown", []NeedGapGroup{served, unknown}, false, true},
		{"MissingWinsOverUnknown", []NeedGapGroup{unknown, unserved}, true, false},
		{"NoGroups", nil, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := territory()
			JudgeNeedGap(&g, tc.groups)
			if g.Missing != tc.missing || g.CapacityUnknown != tc.unknown || len(g.Groups) != len(tc.groups) {
				t.Fatalf("missing %v, capacity unknown %v, %d groups", g.Missing, g.CapacityUnknown, len(g.Groups))
			}
			for _, x := range g.Groups {
				if x.Missing && x.CapacityUnknown {
					t.Fatalf("group both missing and of unknown capacity: %+v", x)
				}
			}
		})
	}
}
