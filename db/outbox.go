package db

import (
	"context"
	"fmt"

	"github.com/agir-reseau/agir-backend/graph/model"
)

// The events of the acts: each act that changes what a subscription reports calls one
// of these in its transaction (the outbox and its delivery are in notify.go).

// offerChanged publishes the change of offer o (after the act) by action on the offer
// map of its department. An offer off the map before and after (a draft) is told to
// those who may read it only (model.OfferMapEvent.VisibleTo).
func (tx *Tx) offerChanged(action string, o model.Offer, changes map[string]any, structureDepartments []string) error {
	if o.Department == nil {
		return nil // no department: on no department's map
	}
	wasPublished := o.Status == model.OfferStatusPublished
	st, statusChanged := changes["status"].(map[string]any)
	if statusChanged {
		wasPublished = st["before"] == string(model.OfferStatusPublished)
	}
	kind := model.OfferMapEventKindUpdated
	switch {
	case o.Version == 1:
		kind = model.OfferMapEventKindCreated // createOffer, or importOffers of a new service
	case action == "archiveOffer", statusChanged && o.Status == model.OfferStatusArchived:
		kind = model.OfferMapEventKindArchived // by its partner, or by a sync whose source dropped it
	}
	return tx.publish(ChannelOfferMap, "", model.OfferMapEvent{
		OfferID: o.ID(), StructureID: model.GlobalID("Structure", o.StructureKey), Department: *o.Department, Kind: kind, At: tx.Now,
		Unpublished:  o.Status != model.OfferStatusPublished && !wasPublished,
		StructureKey: o.StructureKey, StructureDepartments: model.NonNilStrings(structureDepartments),
	})
}

// referentStructures returns the structures following beneficiary key (its social and
// employment operators): the audience of its alerts and orientations.
func (tx *Tx) referentStructures(ctx context.Context, key string) ([]string, error) {
	var keys stringArray
	err := tx.GetContext(ctx, &keys, `SELECT array_remove(ARRAY[social_operator_id::text, employment_operator_id::text], NULL)
		FROM beneficiaries WHERE id = $1`, key)
	if err != nil {
		return nil, fmt.Errorf("referent structures: %w", err)
	}
	return model.NonNilStrings(keys), nil
}

// orientationChanged publishes what happened to orientation o (after the act): on the
// orientations' channel, and, for an answer to an orientation to an offer, on the
// answers' channel too. dedupe makes the event unique ("" for none).
func (tx *Tx) orientationChanged(ctx context.Context, kind model.OrientationChangeKind, o model.Orientation, dedupe string) error {
	referents, err := tx.referentStructures(ctx, o.BeneficiaryKey)
	if err != nil {
		return err
	}
	ev := model.OrientationChange{
		OrientationID: o.ID(), BeneficiaryID: model.GlobalID("Beneficiary", o.BeneficiaryKey),
		StructureID: model.GlobalID("Structure", o.StructureKey), OfferID: o.OfferID(), Kind: kind,
		AnswerDueOn: o.AnswerDueOn, Department: o.Department, At: tx.Now,
		PartnerStructureKey: o.StructureKey, ReferentStructureKeys: referents,
	}
	if kind == model.OrientationChangeKindAnswered {
		answer := model.OrientationAnswer(o.Status)
		ev.Answer = &answer
		if o.OfferKey != nil {
			if err := tx.publish(ChannelOrientation, "", model.OrientationEvent{
				OrientationID: ev.OrientationID, BeneficiaryID: ev.BeneficiaryID, OfferID: *ev.OfferID, Answer: answer,
				Department: o.Department, At: tx.Now, PartnerStructureKey: o.StructureKey, ReferentStructureKeys: referents,
			}); err != nil {
				return err
			}
		}
	}
	return tx.publish(ChannelOrientationChange, dedupe, ev)
}

// alertSchedules returns the alert schedules of beneficiary key as stored (before
// an act re-derives them).
func (tx *Tx) alertSchedules(ctx context.Context, key string) ([]model.AlertSchedule, error) {
	var rows []struct {
		Kind  string      `db:"kind"`
		From  model.Date  `db:"active_from"`
		DueOn *model.Date `db:"due_on"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT kind, active_from, due_on FROM beneficiary_alerts WHERE beneficiary_id = $1 ORDER BY kind`, key); err != nil {
		return nil, fmt.Errorf("alerts before: %w", err)
	}
	out := make([]model.AlertSchedule, len(rows))
	for i, r := range rows {
		out[i] = model.AlertSchedule{Kind: model.AlertKind(r.Kind), From: r.From, DueOn: r.DueOn}
	}
	return out, nil
}

// alertsChanged publishes the alerts of beneficiary key (of department) raised and
// cleared today by the re-derivation of its journey (model.AlertChanges). A raised alert
// is keyed by its beneficiary, kind and first day: the clock (PublishDueEvents) does not
// raise it again.
func (tx *Tx) alertsChanged(ctx context.Context, key, department string, before, after []model.AlertSchedule) error {
	raised, cleared := model.AlertChanges(before, after, tx.today())
	if len(raised) == 0 && len(cleared) == 0 {
		return nil
	}
	referents, err := tx.referentStructures(ctx, key)
	if err != nil {
		return err
	}
	for _, a := range raised {
		if err := tx.publish(ChannelAlert, alertDedupe(key, a), tx.alertEvent(key, department, a, referents)); err != nil {
			return err
		}
	}
	for _, a := range cleared {
		if err := tx.publish(ChannelAlertCleared, "", tx.alertEvent(key, department, a, referents)); err != nil {
			return err
		}
	}
	return nil
}

func alertDedupe(key string, a model.Alert) string {
	return fmt.Sprintf("alert:%s:%s:%s", key, a.Kind, a.Since)
}

func (tx *Tx) alertEvent(key, department string, a model.Alert, referents []string) model.AlertEvent {
	return model.AlertEvent{BeneficiaryID: model.GlobalID("Beneficiary", key), Kind: string(a.Kind), Department: department,
		DueOn: a.DueOn, At: tx.Now, StructureKeys: referents}
}

// clockWindow is how far back the clock looks for alerts that became active, and
// orientations that became overdue, without an act (the days the server was down).
const clockWindow = 7 // days

// PublishDueEvents publishes what the passage of time raised (the clock, run every
// hour): the alerts that became active since clockWindow days without an act, and the
// orientations whose answer became overdue. Each is published once, whichever instance
// runs it and however often (its dedupe key); it returns how many it considered (those
// already published included).
func (s *Store) PublishDueEvents(ctx context.Context) (int, error) {
	n := 0
	err := s.WithTx(ctx, func(tx *Tx) error {
		today := tx.today()
		since := today.AddDate(0, 0, -clockWindow)
		var alerts []struct {
			Key        string      `db:"beneficiary_id"`
			Department string      `db:"department"`
			Kind       string      `db:"kind"`
			From       model.Date  `db:"active_from"`
			DueOn      *model.Date `db:"due_on"`
		}
		err := tx.SelectContext(ctx, &alerts, `SELECT a.beneficiary_id, b.department, a.kind, a.active_from, a.due_on
			FROM beneficiary_alerts a JOIN beneficiaries b ON b.id = a.beneficiary_id
			WHERE a.active_from > $1 AND a.active_from <= $2 ORDER BY a.active_from, a.beneficiary_id, a.kind`, since, today)
		if err != nil {
			return fmt.Errorf("due alerts: %w", err)
		}
		for _, a := range alerts {
			// Only the alerts active today (model.ActiveAlerts drops some once passed).
			for _, active := range model.ActiveAlerts([]model.AlertSchedule{{Kind: model.AlertKind(a.Kind), From: a.From, DueOn: a.DueOn}}, today) {
				referents, err := tx.referentStructures(ctx, a.Key)
				if err != nil {
					return err
				}
				if err := tx.publish(ChannelAlert, alertDedupe(a.Key, active), tx.alertEvent(a.Key, a.Department, active, referents)); err != nil {
					return err
				}
				n++
			}
		}
		var overdue []orientationRow
		if err := tx.SelectContext(ctx, &overdue, orientationSelect+` WHERE o.status = 'PENDING' AND o.answer_due_on < $1 AND o.answer_due_on >= $2
			ORDER BY o.answer_due_on, o.id`, today, since); err != nil {
			return fmt.Errorf("overdue orientations: %w", err)
		}
		for _, r := range overdue {
			o := r.model(today)
			if err := tx.orientationChanged(ctx, model.OrientationChangeKindOverdue, o, "orientation-overdue:"+o.Key); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("db: publish due events: %w", err)
	}
	return n, nil
}
