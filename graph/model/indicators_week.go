package model

import "sort"

// The coordinator's Monday view (NetworkOverview.week): types read by the Store; the
// structures they point to are loaded by key.

// CoordinatorWeek is what a coordinator looks at on Monday.
type CoordinatorWeek struct {
	From, To    Date
	DueThisWeek []NetworkAlertGroup
	Partners    []PartnerWeek
	Trends      []WeekTrend
}

// PartnerWeek is a partner's refusals and saturation over the last 12 weeks.
type PartnerWeek struct {
	StructureKey           string               `db:"structure_id"`
	OrientationsReceived   int                  `db:"received"`
	OrientationsAnswered   int                  `db:"answered"`
	OrientationsRefused    int                  `db:"refused"`
	RefusalRate            *float64             `db:"-"`
	OrientationsPending    int                  `db:"pending"`
	OrientationsInProgress int                  `db:"in_progress"`
	Places                 *int                 `db:"places"`
	CapacityUnknown        bool                 `db:"capacity_unknown"`
	Saturated              *bool                `db:"-"`
	RefusalsByReason       []RefusalReasonCount `db:"-"`
}

// WeekTrend is one week of the territory's activity.
type WeekTrend struct {
	From                Date `db:"week"`
	Referrals           int  `db:"referrals"`
	Entries             int  `db:"entries"`
	Ends                int  `db:"ends"`
	Orientations        int  `db:"orientations"`
	OrientationsRefused int  `db:"refused"`
}

// TrendWeeks is how many weeks the trends and the partners' figures cover.
const TrendWeeks = 12

// WeekOf returns the Monday and the Sunday of the week of day.
func WeekOf(day Date) (monday, sunday Date) {
	offset := (int(day.Time().Weekday()) + 6) % 7 // Monday 0 ... Sunday 6
	monday = day.AddDate(0, 0, -offset)
	return monday, monday.AddDate(0, 0, 6)
}

// Judge sets the partner's refusal rate (refused / answered, nil when nothing was
// answered) and its saturation: the people in progress fill the known places; nil when
// the capacity is unknown (an offer gives none, or it publishes no offer).
func (p *PartnerWeek) Judge() {
	if p.OrientationsAnswered > 0 {
		r := roundTo(float64(p.OrientationsRefused)/float64(p.OrientationsAnswered), 4)
		p.RefusalRate = &r
	}
	if p.Places == nil || p.CapacityUnknown {
		p.Places, p.Saturated = nil, nil
		return
	}
	s := p.OrientationsInProgress >= *p.Places
	p.Saturated = &s
}

// RefusalsByReason lists a partner's refusals by reason (« refus par motif »): every
// reason of the closed list, the most frequent first, ties in the list's order.
func RefusalsByReason(counts map[OrientationRefusalCategory]int) []RefusalReasonCount {
	out := make([]RefusalReasonCount, len(AllOrientationRefusalCategory))
	for i, c := range AllOrientationRefusalCategory {
		out[i] = RefusalReasonCount{Reason: c, Label: RefusalCategoryLabels[c], Count: counts[c]}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}
