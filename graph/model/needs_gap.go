package model

// The needs-versus-offer gap by the beneficiaries' languages and French level (issue 17):
// an offer answers a need for a person only if the person can follow it, as the offer
// search judges it (OfferOpenAt for the level; the languages spoken at the offer).

// FrenchFollowedFrom is the French level from which a person can follow an offer given in
// French (A2, « utilisateur élémentaire » able to follow simple exchanges): below it, an
// offer serves the person only in one of the languages the person speaks.
const FrenchFollowedFrom = CefrLevelA2

// OfferServes reports whether an offer requiring the French level required (nil: none)
// and spoken in offerLanguages (ISO 639; none listed means French only) serves a person
// of French level level (nil: not assessed) who speaks languages (none recorded: no
// language condition). The level condition is the offer search's (OfferOpenAt, no
// condition when the person's level is unknown); the offer's languages must include one
// the person speaks, French counting from FrenchFollowedFrom.
func OfferServes(required *CefrLevel, offerLanguages []string, level *CefrLevel, languages []string) bool {
	if level != nil && !OfferOpenAt(required, *level) {
		return false
	}
	if len(languages) == 0 {
		return true
	}
	if len(offerLanguages) == 0 {
		offerLanguages = []string{"fr"}
	}
	for _, o := range offerLanguages {
		if o == "fr" && level != nil && level.Rank() >= FrenchFollowedFrom.Rank() {
			return true
		}
		for _, l := range languages {
			if o == l {
				return true
			}
		}
	}
	return false
}

// JudgeNeedGroup sets whether the offer is missing for a group of beneficiaries of the
// same languages and French level, or its capacity unknown (NeedMissing,
// NeedCapacityUnknown over the offers serving the group).
func JudgeNeedGroup(g *NeedGapGroup) {
	g.Missing = NeedMissing(g.Beneficiaries, g.Offers, g.Places, g.OffersWithoutCapacity)
	g.CapacityUnknown = NeedCapacityUnknown(g.Beneficiaries, g.Offers, g.Places, g.OffersWithoutCapacity)
}

// JudgeNeedGap sets a need's groups and judges the need from them: it is missing when it
// is missing for the whole territory (NeedMissing over every answering offer) or for one
// group, the offers that exist serving none of its people; otherwise its capacity is
// unknown when it is for the territory or for one group. A need is never both.
func JudgeNeedGap(gap *NeedGap, groups []NeedGapGroup) {
	gap.Groups = make([]NeedGapGroup, len(groups))
	unknown := gap.CapacityUnknown
	for i, g := range groups {
		JudgeNeedGroup(&g)
		gap.Groups[i] = g
		gap.Missing = gap.Missing || g.Missing
		unknown = unknown || g.CapacityUnknown
	}
	gap.CapacityUnknown = !gap.Missing && unknown
}
