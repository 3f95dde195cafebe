package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// wsClient speaks graphql-transport-ws to a server, as the dashboard does.
type wsClient struct {
	t        *testing.T
	conn     *websocket.Conn
	messages chan []byte
	err      error // why messages closed
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dialWS connects and initialises with tok; it returns the client and the server's
// answer to connection_init (connection_ack, or the close error).
func dialWS(t *testing.T, m *Main, tok string) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws://"+m.Addr()+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: t, conn: conn, messages: make(chan []byte, 256)}
	// One reader for the connection's life: a Read whose context ends closes the
	// connection, so waiting with a timeout happens on the channel instead.
	go func() {
		defer close(c.messages)
		for {
			_, b, err := conn.Read(context.Background())
			if err != nil {
				c.err = err
				return
			}
			c.messages <- b
		}
	}()
	payload, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + tok})
	c.send(wsMessage{Type: "connection_init", Payload: payload})
	msg, err := c.read(5 * time.Second)
	if err != nil {
		return c, err
	}
	if msg.Type != "connection_ack" {
		t.Fatalf("connection_init answered %+v", msg)
	}
	return c, nil
}

var errTimeout = errors.New("no message in time")

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read returns the next message other than a ping/pong.
func (c *wsClient) read(timeout time.Duration) (wsMessage, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		var b []byte
		select {
		case m, ok := <-c.messages:
			if !ok {
				return wsMessage{}, c.err
			}
			b = m
		case <-timer.C:
			return wsMessage{}, errTimeout
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("decode %s: %v", b, err)
		}
		if m.Type == "ping" {
			c.send(wsMessage{Type: "pong"})
			continue
		}
		if m.Type != "pong" {
			return m, nil
		}
	}
}

func (c *wsClient) subscribe(id, query string) {
	payload, _ := json.Marshal(map[string]any{"query": query})
	c.send(wsMessage{ID: id, Type: "subscribe", Payload: payload})
}

// publishUntil publishes through store until the client receives a "next" message (the
// subscription may register a moment after the subscribe message), and returns it.
func publishUntil(t *testing.T, c *wsClient, publish func() error) wsMessage {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if err := publish(); err != nil {
			t.Fatalf("publish: %v", err)
		}
		msg, err := c.read(300 * time.Millisecond)
		if err == nil {
			return msg
		}
		if err != errTimeout {
			t.Fatalf("connection lost: %v", err)
		}
	}
	t.Fatal("no event received")
	return wsMessage{}
}

func TestSubscriptions_TwoInstances(t *testing.T) {
	url := dbtest.NewDatabase(t)
	one := startServer(t, url, withSubscriptionRecheck(-1)) // loads the demo data; rechecks accounts on each event
	two := startServer(t, url)
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		c, err := dialWS(t, one, token(t, one, model.RolePartnerEditor))
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("map", `subscription { offerMapChanged(department: "69") { offerId structureId department kind at } }`)
		at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
		msg := publishUntil(t, c, func() error {
			// Through the other instance: an event of another department first (filtered
			// out), then the one watched.
			if err := two.Store.Notify(ctx, nil, db.ChannelOfferMap, model.OfferMapEvent{OfferID: "T2ZmZXI6b3RoZXI", Department: "75", Kind: model.OfferMapEventKindCreated, At: at}); err != nil {
				return err
			}
			return two.Store.Notify(ctx, nil, db.ChannelOfferMap, model.OfferMapEvent{
				OfferID: "T2ZmZXI6MQ", StructureID: "U3RydWN0dXJlOjE", Department: "69", Kind: model.OfferMapEventKindUpdated, At: at})
		})
		var payload struct {
			Data struct {
				OfferMapChanged struct{ OfferID, StructureID, Department, Kind, At string }
			}
			Errors []any
		}
		if msg.Type != "next" || msg.ID != "map" || json.Unmarshal(msg.Payload, &payload) != nil || len(payload.Errors) > 0 {
			t.Fatalf("message %+v %s", msg, msg.Payload)
		}
		got := payload.Data.OfferMapChanged
		if got.OfferID != "T2ZmZXI6MQ" || got.Department != "69" || got.Kind != "UPDATED" || got.At != "2026-03-01T09:30:00Z" {
			t.Errorf("event %+v", got)
		}
		if _, text := httpGet(t, "http://"+one.Addr()+"/metrics"); !strings.Contains(text, `agir_graphql_subscriptions_active{operation="anonymous"} 1`) {
			t.Error("/metrics does not count the open subscription")
		}
	})

	t.Run("OKAudienceCheckedPerEvent", func(t *testing.T) {
		c, err := dialWS(t, one, token(t, one, model.RoleCoordinator))
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("alerts", `subscription { alertRaised { beneficiaryId kind department } }`)
		msg := publishUntil(t, c, func() error {
			// Outside the coordinator's territory (69, 38): never delivered.
			if err := two.Store.Notify(ctx, nil, db.ChannelAlert, model.AlertEvent{BeneficiaryID: "QjpvdXQ", Kind: "HIDDEN", Department: "13"}); err != nil {
				return err
			}
			return two.Store.Notify(ctx, nil, db.ChannelAlert, model.AlertEvent{BeneficiaryID: "Qjppbg", Kind: "WELCOME_INTERVIEW_OVERDUE", Department: "38"})
		})
		if msg.Type != "next" || string(msg.Payload) != `{"data":{"alertRaised":{"beneficiaryId":"Qjppbg","kind":"WELCOME_INTERVIEW_OVERDUE","department":"38"}}}` {
			t.Fatalf("message %+v %s", msg, msg.Payload)
		}
	})

	t.Run("OKPartnerReceivesItsOwnAnswers", func(t *testing.T) {
		staff, _, ok, err := one.Store.StaffMemberByLogin(ctx, "", "partner_editor@demo.agir.local")
		if err != nil || !ok {
			t.Fatalf("partner editor: %v %v", ok, err)
		}
		c, err := dialWS(t, one, token(t, one, model.RolePartnerEditor))
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("answers", `subscription { orientationAnswered { orientationId offerId answer department } }`)
		msg := publishUntil(t, c, func() error {
			// Another partner's answer first: never delivered.
			if err := two.Store.Notify(ctx, nil, db.ChannelOrientation, model.OrientationEvent{OrientationID: "T3I6b3RoZXI", Answer: model.OrientationAnswerRefused,
				Department: "69", PartnerStructureKey: "00000000-0000-0000-0000-000000000000"}); err != nil {
				return err
			}
			return two.Store.Notify(ctx, nil, db.ChannelOrientation, model.OrientationEvent{OrientationID: "T3I6MQ", BeneficiaryID: "QjoxMjM", OfferID: "T2ZmZXI6MQ",
				Answer: model.OrientationAnswerAccepted, Department: "69", PartnerStructureKey: staff.StructureKey})
		})
		if msg.Type != "next" || string(msg.Payload) != `{"data":{"orientationAnswered":{"orientationId":"T3I6MQ","offerId":"T2ZmZXI6MQ","answer":"ACCEPTED","department":"69"}}}` {
			t.Fatalf("message %+v %s", msg, msg.Payload)
		}
		// The beneficiary's id is not for partners: asking for it is refused by its @allow.
		c.subscribe("ids", `subscription { orientationAnswered { orientationId beneficiaryId } }`)
		publishIDs := func() error {
			return two.Store.Notify(ctx, nil, db.ChannelOrientation, model.OrientationEvent{OrientationID: "T3I6Mg", BeneficiaryID: "QjoxMjM",
				Answer: model.OrientationAnswerAccepted, Department: "69", PartnerStructureKey: staff.StructureKey})
		}
		// The first subscription receives the events too, and may receive one published
		// before the second was registered: publish until the second has one.
		deadline := time.Now().Add(15 * time.Second)
		for msg = publishUntil(t, c, publishIDs); msg.ID != "ids"; msg = publishUntil(t, c, publishIDs) {
			if time.Now().After(deadline) {
				t.Fatal("no event for the second subscription")
			}
		}
		if !strings.Contains(string(msg.Payload), `"beneficiaryId":null`) || !strings.Contains(string(msg.Payload), `"code":"FORBIDDEN"`) {
			t.Fatalf("message %+v %s", msg, msg.Payload)
		}
	})

	t.Run("ErrRoleRefusedOnSubscribe", func(t *testing.T) {
		c, err := dialWS(t, one, token(t, one, model.RoleAnalyst))
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("alerts", `subscription { alertRaised { beneficiaryId } }`)
		msg, err := c.read(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var errs []struct{ Extensions struct{ Code string } }
		_ = json.Unmarshal(msg.Payload, &errs)
		if msg.Type == "next" {
			var p struct {
				Errors []struct{ Extensions struct{ Code string } }
			}
			_ = json.Unmarshal(msg.Payload, &p)
			errs = p.Errors
		}
		if len(errs) == 0 || errs[0].Extensions.Code != "FORBIDDEN" {
			t.Fatalf("message %+v %s", msg, msg.Payload)
		}
	})

	t.Run("ErrAccountDeactivatedWhileSubscribed", func(t *testing.T) {
		c, err := dialWS(t, one, token(t, one, model.RoleStateRepresentative))
		if err != nil {
			t.Fatal(err)
		}
		c.subscribe("map", `subscription { offerMapChanged(department: "38") { offerId } }`)
		publish := func() error {
			return two.Store.Notify(ctx, nil, db.ChannelOfferMap, model.OfferMapEvent{OfferID: "T2ZmZXI6Mg", Department: "38", Kind: model.OfferMapEventKindArchived})
		}
		if msg := publishUntil(t, c, publish); msg.Type != "next" {
			t.Fatalf("first event: %+v %s", msg, msg.Payload)
		}
		if _, err := two.Store.DB().ExecContext(ctx, `UPDATE staff_members SET active = false WHERE email = 'state_representative@demo.agir.local'`); err != nil {
			t.Fatal(err)
		}
		if err := publish(); err != nil {
			t.Fatal(err)
		}
		for {
			msg, err := c.read(5 * time.Second)
			if err != nil {
				t.Fatalf("the subscription did not end: %v", err)
			}
			if msg.Type == "complete" && msg.ID == "map" {
				break
			}
			if msg.Type == "next" && json.Valid(msg.Payload) {
				continue // events published before the account was deactivated
			}
			t.Fatalf("message %+v %s", msg, msg.Payload)
		}
	})

	t.Run("ErrTooManySubscriptions", func(t *testing.T) {
		c, err := dialWS(t, two, token(t, two, model.RoleAdmin))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 21 {
			c.subscribe(fmt.Sprint("s", i), `subscription { offerMapChanged(department: "69") { offerId } }`)
		}
		msg, err := c.read(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(msg.Payload), `"code":"RATE_LIMITED"`) { // the 21st to register, in any order
			t.Fatalf("message %+v %s", msg, msg.Payload)
		}
	})

	t.Run("ErrNoToken", func(t *testing.T) {
		_, err := dialWS(t, two, "not-a-token")
		if websocket.CloseStatus(err) != 4403 {
			t.Fatalf("close status %d (%v), want 4403", websocket.CloseStatus(err), err)
		}
	})
}
