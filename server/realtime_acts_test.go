package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// act runs mutation name as tok over HTTP, fails on any error or user error, and returns
// the payload.
func act(t *testing.T, m *Main, tok, name, inputType string, input map[string]any, selection string) map[string]any {
	t.Helper()
	var out struct {
		Data   map[string]map[string]any
		Errors []any
	}
	q := fmt.Sprintf(`mutation($in: %s!) { %s(input: $in) { %s userErrors { code field message } } }`, inputType, name, selection)
	status, body := gqlPost(t, m, tok, q, map[string]any{"in": input}, &out)
	if status != 200 || len(out.Errors) > 0 || out.Data[name] == nil {
		t.Fatalf("%s: %d %s", name, status, body)
	}
	if ues, _ := out.Data[name]["userErrors"].([]any); len(ues) > 0 {
		t.Fatalf("%s: user errors %v", name, ues)
	}
	return out.Data[name]
}

// signFor signs a development token for any principal (another partner, a coordinator
// of another territory).
func signFor(t *testing.T, m *Main, p model.Principal) string {
	t.Helper()
	tok, err := m.dev.Sign(p)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// subscribeFrom opens a connection as tok and subscribes with query, which takes
// $after: the events after the last one written are delivered, however long the
// subscription takes to register.
func subscribeFrom(t *testing.T, m *Main, tok, query string, after int64) *wsClient {
	t.Helper()
	c, err := dialWS(t, m, tok)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"after": strconv.FormatInt(after, 10)}})
	c.send(wsMessage{ID: "s", Type: "subscribe", Payload: payload})
	return c
}

// nextEvent returns the next event of c's subscription (the root field's object).
func nextEvent(t *testing.T, c *wsClient, what string) map[string]any {
	t.Helper()
	msg, err := c.read(10 * time.Second)
	if err != nil {
		t.Fatalf("%s: no event: %v", what, err)
	}
	var p struct {
		Data   map[string]map[string]any
		Errors []any
	}
	if msg.Type != "next" || json.Unmarshal(msg.Payload, &p) != nil || len(p.Errors) > 0 || len(p.Data) != 1 {
		t.Fatalf("%s: message %+v %s", what, msg, msg.Payload)
	}
	for _, ev := range p.Data {
		return ev
	}
	return nil
}

// expectEvent reads the next event of c and checks the fields of want.
func expectEvent(t *testing.T, c *wsClient, what string, want map[string]any) map[string]any {
	t.Helper()
	ev := nextEvent(t, c, what)
	for k, v := range want {
		if fmt.Sprint(ev[k]) != fmt.Sprint(v) {
			t.Fatalf("%s: %s = %v, want %v (event %v)", what, k, ev[k], v, ev)
		}
	}
	return ev
}

// expectNothing checks that c received nothing (a subscriber outside the event's scope).
func expectNothing(t *testing.T, c *wsClient, who string) {
	t.Helper()
	if msg, err := c.read(time.Second); err != errTimeout {
		t.Errorf("%s received %+v %s (%v)", who, msg, msg.Payload, err)
	}
}

// TestRealtime_ActsPublish: each act, done through the API by the role that does it,
// reaches the subscribers in its scope over WebSocket, and nobody else.
func TestRealtime_ActsPublish(t *testing.T) {
	url := dbtest.NewDatabase(t)
	m := startServer(t, url)
	ctx := context.Background()
	// What the clock raises for the demo data (it runs at start too, and raises each
	// event once): before the events watched.
	if _, err := m.Store.PublishDueEvents(ctx); err != nil {
		t.Fatal(err)
	}
	start, err := m.Store.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	coordinator, worker := token(t, m, model.RoleCoordinator), token(t, m, model.RoleSocialWorker)
	counsellor, partner := token(t, m, model.RoleInsertionCounsellor), token(t, m, model.RolePartnerEditor)
	otherPartner := signFor(t, m, model.Principal{Subject: "dev-pe2", Email: "fatou.ndiaye@greta.demo.agir.local", Role: model.RolePartnerEditor})
	// A coordinator of another territory (13): its account, in a structure of its own.
	if _, err := m.Store.DB().ExecContext(ctx, `WITH s AS (INSERT INTO structures (name, agir_role, departments)
		VALUES ('Coordination AGIR Bouches-du-Rhône', 'COORDINATOR', '{13}') RETURNING id)
		INSERT INTO staff_members (structure_id, name, email, staff_role, active)
		SELECT id, 'Lucie Arnaud', 'lucie.arnaud@coord13.demo.agir.local', 'COORDINATOR', true FROM s`); err != nil {
		t.Fatal(err)
	}
	farCoordinator := signFor(t, m, model.Principal{Subject: "dev-coord13", Email: "lucie.arnaud@coord13.demo.agir.local", Role: model.RoleCoordinator, Departments: []string{"13"}})

	const mapQ = `subscription($after: ID) { offerMapChanged(department: "%s", after: $after) { eventId offerId structureId department kind } }`
	const orientQ = `subscription($after: ID) { orientationChanged(after: $after) { eventId orientationId structureId offerId kind answer department } }`
	const answeredQ = `subscription($after: ID) { orientationAnswered(after: $after) { eventId orientationId offerId answer department } }`
	const raisedQ = `subscription($after: ID) { alertRaised(after: $after) { eventId beneficiaryId kind department } }`
	const clearedQ = `subscription($after: ID) { alertCleared(after: $after) { eventId beneficiaryId kind department } }`
	partnerMap := subscribeFrom(t, m, partner, fmt.Sprintf(mapQ, "69"), start)
	otherMap := subscribeFrom(t, m, otherPartner, fmt.Sprintf(mapQ, "69"), start)
	isereMap := subscribeFrom(t, m, partner, fmt.Sprintf(mapQ, "38"), start)
	partnerInbox := subscribeFrom(t, m, partner, orientQ, start)
	otherInbox := subscribeFrom(t, m, otherPartner, orientQ, start)
	partnerAnswers := subscribeFrom(t, m, partner, answeredQ, start)
	otherAnswers := subscribeFrom(t, m, otherPartner, answeredQ, start)
	coordOrient := subscribeFrom(t, m, coordinator, orientQ, start)
	coordRaised := subscribeFrom(t, m, coordinator, raisedQ, start)
	coordCleared := subscribeFrom(t, m, coordinator, clearedQ, start)
	workerRaised := subscribeFrom(t, m, worker, raisedQ, start)
	farRaised := subscribeFrom(t, m, farCoordinator, raisedQ, start)
	farOrient := subscribeFrom(t, m, farCoordinator, orientQ, start)

	// The offer map: a draft is told to its partner only; published, to the network.
	var me struct {
		Data struct {
			Me struct{ Structure struct{ ID string } }
		}
	}
	gqlPost(t, m, partner, `{ me { structure { id } } }`, nil, &me)
	mission := me.Data.Me.Structure.ID
	fields := map[string]any{"name": "Atelier emploi et français", "description": "Atelier hebdomadaire de français professionnel.",
		"serviceType": "atelier", "themes": []string{"lecture-ecriture-calcul--maitriser-le-francais"}, "publics": []string{"personnes-exilees"},
		"cost": "gratuit", "receptionModes": []string{"en-presentiel"}, "address": "5 place Bellecour", "postalCode": "69002", "city": "Lyon"}
	offer := act(t, m, partner, "createOffer", "CreateOfferInput", map[string]any{"structureId": mission, "fields": fields}, "offer { id version }")["offer"].(map[string]any)
	offerID := offer["id"].(string)
	created := expectEvent(t, partnerMap, "createOffer", map[string]any{"offerId": offerID, "structureId": mission, "department": "69", "kind": "CREATED"})
	if id, err := strconv.ParseInt(created["eventId"].(string), 10, 64); err != nil || id <= start {
		t.Fatalf("eventId %v after %d", created["eventId"], start)
	}
	offer = act(t, m, coordinator, "publishOffer", "OfferStatusInput", map[string]any{"id": offerID, "version": offer["version"]}, "offer { id version }")["offer"].(map[string]any)
	for _, c := range []*wsClient{partnerMap, otherMap} {
		expectEvent(t, c, "publishOffer", map[string]any{"offerId": offerID, "kind": "UPDATED"})
	}
	act(t, m, partner, "markOffersUpToDate", "MarkOffersUpToDateInput", map[string]any{"ids": []string{offerID}}, "offers { id }")
	for _, c := range []*wsClient{partnerMap, otherMap} {
		expectEvent(t, c, "markOffersUpToDate", map[string]any{"offerId": offerID, "kind": "UPDATED"})
	}

	// A referral whose welcome interview is already overdue raises the alert for the
	// coordinator of the territory and the social operator's workers.
	referral := map[string]any{"firstName": "Amina", "lastName": "Haïdari", "birthDate": "1990-05-14", "sex": "FEMALE",
		"nationality": "afghane", "languages": []string{"dari"}, "phone": "0601020304", "address": "12 rue de la Part-Dieu, 69003 Lyon",
		"protectionType": "REFUGEE", "protectionGrantedOn": model.DateOf(time.Now()).AddDate(0, -10, 0).String(),
		"cirSignedOn": model.DateOf(time.Now()).AddDate(0, -3, 0).String(), "department": "69", "ofiiReference": "OFII-RT-1"}
	bid := act(t, m, worker, "referBeneficiary", "ReferBeneficiaryInput", referral, "beneficiary { id }")["beneficiary"].(map[string]any)["id"].(string)
	for _, c := range []*wsClient{coordRaised, workerRaised} {
		expectEvent(t, c, "referBeneficiary", map[string]any{"beneficiaryId": bid, "kind": "WELCOME_INTERVIEW_OVERDUE", "department": "69"})
	}

	// An orientation to the partner's offer: its inbox; then its answer.
	_, key, _ := model.ParseGlobalID(bid)
	if _, err := m.Store.DB().ExecContext(ctx, `INSERT INTO consents (beneficiary_id, kind, scope, given_on, recorded_by, created_at)
		SELECT id, 'SHARE_WITH_PARTNERS', 'Partage avec les partenaires', referred_on, 'test', now() FROM beneficiaries WHERE id = $1`, key); err != nil {
		t.Fatal(err)
	}
	o := act(t, m, counsellor, "orientBeneficiary", "OrientBeneficiaryInput", map[string]any{"beneficiaryId": bid, "kind": "FRENCH_COURSE",
		"offerId": offerID, "purpose": "Cours de français à visée professionnelle"}, "orientation { id version }")["orientation"].(map[string]any)
	for _, c := range []*wsClient{partnerInbox, coordOrient} {
		expectEvent(t, c, "orientBeneficiary", map[string]any{"orientationId": o["id"], "structureId": mission, "offerId": offerID, "kind": "ORIENTED", "department": "69"})
	}
	act(t, m, partner, "respondToOrientation", "RespondToOrientationInput", map[string]any{"orientationId": o["id"], "version": o["version"], "answer": "ACCEPTED"}, "orientation { id }")
	for _, c := range []*wsClient{partnerInbox, coordOrient} {
		expectEvent(t, c, "respondToOrientation", map[string]any{"orientationId": o["id"], "kind": "ANSWERED", "answer": "ACCEPTED"})
	}
	expectEvent(t, partnerAnswers, "orientationAnswered", map[string]any{"orientationId": o["id"], "offerId": offerID, "answer": "ACCEPTED"})

	// The welcome interview held clears the alert. The appointment is in the past but on
	// today's Paris day (the convocation is handed today): two hours ago, or just after
	// midnight in Paris when that is nearer.
	now := time.Now().In(model.Paris)
	appointment := now.Add(-2 * time.Hour)
	if midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 1, 0, model.Paris); appointment.Before(midnight) {
		appointment = midnight
	}
	act(t, m, worker, "convokeBeneficiary", "ConvokeBeneficiaryInput", map[string]any{"beneficiaryId": bid,
		"appointmentAt": appointment.Format(time.RFC3339), "address": "ARSL, 5 place Bellecour, 69002 Lyon"}, "beneficiary { id }")
	var b struct {
		Data struct {
			Beneficiary struct{ Interviews []map[string]any }
		}
	}
	gqlPost(t, m, worker, `query($id: ID!) { beneficiary(id: $id) { interviews { id version } } }`, map[string]any{"id": bid}, &b)
	iv := b.Data.Beneficiary.Interviews[0]
	act(t, m, worker, "recordInterview", "RecordInterviewInput", map[string]any{"interviewId": iv["id"], "version": iv["version"], "status": "HELD"}, "interview { status }")
	expectEvent(t, coordCleared, "recordInterview", map[string]any{"beneficiaryId": bid, "kind": "WELCOME_INTERVIEW_OVERDUE"})
	// Welcomed three months after the CIR, the contract is already late: raised by the act.
	expectEvent(t, coordRaised, "recordInterview", map[string]any{"beneficiaryId": bid, "kind": "CONTRACT_NOT_SIGNED"})

	// The clock: an orientation left unanswered past its deadline is OVERDUE, once.
	late := act(t, m, counsellor, "orientBeneficiary", "OrientBeneficiaryInput", map[string]any{"beneficiaryId": bid, "kind": "FRENCH_COURSE",
		"offerId": offerID, "purpose": "Second cours"}, "orientation { id }")["orientation"].(map[string]any)
	expectEvent(t, partnerInbox, "second orientation", map[string]any{"orientationId": late["id"], "kind": "ORIENTED"})
	expectEvent(t, coordOrient, "second orientation", map[string]any{"orientationId": late["id"], "kind": "ORIENTED"})
	_, lateKey, _ := model.ParseGlobalID(late["id"].(string))
	if _, err := m.Store.DB().ExecContext(ctx, `UPDATE orientations SET oriented_on = current_date - 20, answer_due_on = current_date - 1 WHERE id = $1`, lateKey); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := m.Store.PublishDueEvents(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*wsClient{partnerInbox, coordOrient} {
		expectEvent(t, c, "overdue", map[string]any{"orientationId": late["id"], "kind": "OVERDUE"})
	}

	// Archived: the network hears it.
	offer = act(t, m, partner, "archiveOffer", "OfferStatusInput", map[string]any{"id": offerID, "version": offer["version"].(float64) + 1}, "offer { id }")
	for _, c := range []*wsClient{partnerMap, otherMap} {
		expectEvent(t, c, "archiveOffer", map[string]any{"offerId": offerID, "kind": "ARCHIVED"})
	}

	// Nobody else heard anything, and nothing twice.
	for who, c := range map[string]*wsClient{"partner on the map of 38": isereMap, "partner's map": partnerMap, "another partner's map": otherMap,
		"another partner's inbox": otherInbox, "another partner's answers": otherAnswers, "coordinator of 13 (alerts)": farRaised,
		"coordinator of 13 (orientations)": farOrient, "partner's inbox": partnerInbox, "coordinator's orientations": coordOrient,
		"coordinator's alerts": coordRaised, "coordinator's cleared alerts": coordCleared} {
		expectNothing(t, c, who)
	}
}

// TestRealtime_ResumeAfter: a client that reconnects with the last eventId it saw gets
// what it missed, then the live events; past the retention it is told EVENTS_EXPIRED.
func TestRealtime_ResumeAfter(t *testing.T) {
	url := dbtest.NewDatabase(t)
	m := startServer(t, url)
	ctx := context.Background()
	partner := token(t, m, model.RolePartnerEditor)
	var me struct {
		Data struct {
			Me struct{ Structure struct{ ID string } }
		}
	}
	gqlPost(t, m, partner, `{ me { structure { id } } }`, nil, &me)
	create := func(name string) string {
		fields := map[string]any{"name": name, "description": "Atelier.", "serviceType": "atelier", "themes": []string{"lecture-ecriture-calcul--maitriser-le-francais"},
			"publics": []string{"personnes-exilees"}, "cost": "gratuit", "receptionModes": []string{"en-presentiel"}, "postalCode": "69002", "city": "Lyon"}
		return act(t, m, partner, "createOffer", "CreateOfferInput", map[string]any{"structureId": me.Data.Me.Structure.ID, "fields": fields}, "offer { id }")["offer"].(map[string]any)["id"].(string)
	}
	const q = `subscription($after: ID) { offerMapChanged(department: "69", after: $after) { eventId offerId } }`
	if _, err := m.Store.PublishDueEvents(ctx); err != nil {
		t.Fatal(err)
	}
	before, err := m.Store.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OKMissedThenLive", func(t *testing.T) {
		missed := []string{create("Atelier 1"), create("Atelier 2")} // while the client was away
		c := subscribeFrom(t, m, partner, q, before)
		first := expectEvent(t, c, "missed 1", map[string]any{"offerId": missed[0]})
		expectEvent(t, c, "missed 2", map[string]any{"offerId": missed[1]})
		live := create("Atelier 3")
		expectEvent(t, c, "live", map[string]any{"offerId": live})
		expectNothing(t, c, "the resumed subscription")
		// Resuming after the first: the second and the third, not the first again.
		again := subscribeFrom(t, m, partner, q, mustInt(t, first["eventId"]))
		expectEvent(t, again, "resumed", map[string]any{"offerId": missed[1]})
		expectEvent(t, again, "resumed", map[string]any{"offerId": live})
	})

	t.Run("ErrExpired", func(t *testing.T) {
		n, err := m.Store.PurgeEvents(ctx, time.Now().Add(time.Hour)) // everything is past the retention
		if err != nil || n == 0 {
			t.Fatalf("purged %d: %v", n, err)
		}
		c := subscribeFrom(t, m, partner, q, before)
		msg, err := c.read(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(msg.Payload), `"code":"EVENTS_EXPIRED"`) {
			t.Fatalf("message %+v %s", msg, msg.Payload)
		}
		// Without after (after reloading), the live events again.
		fresh, err := dialWS(t, m, partner)
		if err != nil {
			t.Fatal(err)
		}
		fresh.subscribe("s", `subscription { offerMapChanged(department: "69") { offerId } }`)
		var id string
		msg = publishUntil(t, fresh, func() error { id = create("Atelier 4"); return nil })
		if !strings.Contains(string(msg.Payload), id) {
			t.Fatalf("message %s, want %s", msg.Payload, id)
		}
	})

	t.Run("ErrBadAfter", func(t *testing.T) {
		c, err := dialWS(t, m, partner)
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("s", `subscription { offerMapChanged(department: "69", after: "hier") { offerId } }`)
		msg, err := c.read(5 * time.Second)
		if err != nil || !strings.Contains(string(msg.Payload), `"code":"INVALID_INPUT"`) {
			t.Fatalf("message %+v %s %v", msg, msg.Payload, err)
		}
	})
}

func mustInt(t *testing.T, v any) int64 {
	t.Helper()
	n, err := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
