package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/agir-reseau/agir-backend/db/pgcluster"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// privateCluster starts a PostgreSQL cluster of the test's own, which the test may stop
// and start again (the shared test cluster serves other tests).
func privateCluster(t *testing.T) (start func() *pgcluster.Cluster, dir string) {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "agir-fault-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // the unprivileged postgres user goes through it
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	o := pgcluster.Options{DataDir: dir, Fast: true, Logger: slog.New(slog.DiscardHandler)}
	return func() *pgcluster.Cluster {
		t.Helper()
		c, err := pgcluster.Start(context.Background(), o)
		if err != nil {
			t.Fatalf("start PostgreSQL: %v", err)
		}
		return c
	}, dir
}

// TestRealtime_DatabaseOutages: a subscriber receives every event committed while
// PostgreSQL restarts and while it is down for 15 s; the writes refused meanwhile are
// counted, and how long the service takes to answer again.
func TestRealtime_DatabaseOutages(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test: 30 s")
	}
	startPG, _ := privateCluster(t)
	cluster := startPG()
	t.Cleanup(func() { cluster.Stop() })
	m := startServer(t, cluster.URL(pgcluster.DefaultDatabase))
	ctx := context.Background()
	if _, err := m.Store.PublishDueEvents(ctx); err != nil { // what the clock raises for the demo, first
		t.Fatal(err)
	}
	start, err := m.Store.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	partner := token(t, m, model.RolePartnerEditor)
	var me struct {
		Data struct {
			Me struct{ Structure struct{ ID string } }
		}
	}
	gqlPost(t, m, partner, `{ me { structure { id } } }`, nil, &me)
	sub := subscribeFrom(t, m, partner, `subscription($after: ID) { offerMapChanged(department: "69", after: $after) { eventId offerId kind } }`, start)

	// The subscriber: every offer it hears of, and the order of the ids.
	var mu sync.Mutex
	heard := map[string]int{}
	var lastID int64
	outOfOrder := 0
	go func() {
		for {
			msg, err := sub.read(time.Minute)
			if err != nil {
				return
			}
			var p struct {
				Data struct {
					OfferMapChanged struct{ EventID, OfferID string }
				}
			}
			if msg.Type != "next" || json.Unmarshal(msg.Payload, &p) != nil {
				t.Errorf("message %+v %s", msg, msg.Payload)
				return
			}
			id, _ := strconv.ParseInt(p.Data.OfferMapChanged.EventID, 10, 64)
			mu.Lock()
			heard[p.Data.OfferMapChanged.OfferID]++
			if id <= lastID {
				outOfOrder++
			}
			lastID = id
			mu.Unlock()
		}
	}()

	// The writer: a partner creates an offer every 50 ms; acknowledged offers must be
	// heard, refused ones are counted.
	type attempt struct {
		at      time.Time
		offerID string // "" when refused
		status  int
		code    string
	}
	var attempts []attempt
	stop := make(chan struct{})
	written := make(chan struct{})
	go func() {
		defer close(written)
		fields := map[string]any{"name": "Atelier", "description": "Atelier de français.", "serviceType": "atelier",
			"themes": []string{"lecture-ecriture-calcul--maitriser-le-francais"}, "publics": []string{"personnes-exilees"},
			"cost": "gratuit", "receptionModes": []string{"en-presentiel"}, "postalCode": "69002", "city": "Lyon"}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			fields["name"] = fmt.Sprintf("Atelier %d", i)
			var out struct {
				Data struct {
					CreateOffer struct{ Offer struct{ ID string } }
				}
				Errors []struct{ Extensions struct{ Code string } }
			}
			status, _ := gqlPostQuiet(m, partner, `mutation($in: CreateOfferInput!) { createOffer(input: $in) { offer { id } } }`,
				map[string]any{"in": map[string]any{"structureId": me.Data.Me.Structure.ID, "fields": fields}}, &out)
			a := attempt{at: time.Now(), offerID: out.Data.CreateOffer.Offer.ID, status: status}
			if len(out.Errors) > 0 {
				a.code, a.offerID = out.Errors[0].Extensions.Code, ""
			}
			attempts = append(attempts, a)
		}
	}()

	time.Sleep(2 * time.Second)
	// 1. A restart (fast shutdown, start again at once).
	restartAt := time.Now()
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	cluster = startPG()
	restartUp := time.Now()
	time.Sleep(3 * time.Second)
	// 2. An outage of 15 s.
	outageAt := time.Now()
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(15 * time.Second)
	cluster = startPG()
	outageUp := time.Now()
	time.Sleep(3 * time.Second)
	close(stop)
	<-written

	// Every event committed after start must be heard, once.
	var committed []string
	if err := m.Store.DB().SelectContext(ctx, &committed, `SELECT payload->>'offerId' FROM event_outbox
		WHERE channel = 'agir_offer_map' AND id > $1 ORDER BY id`, start); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(heard)
		mu.Unlock()
		if n >= len(committed) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	lost, twice := 0, 0
	for _, id := range committed {
		switch heard[id] {
		case 0:
			lost++
		case 1:
		default:
			twice++
		}
	}
	acked, refused, ackedLost := 0, 0, 0
	codes := map[string]int{}
	var firstAfterRestart, firstAfterOutage time.Duration
	for _, a := range attempts {
		if a.offerID == "" {
			refused++
			codes[fmt.Sprintf("%d %s", a.status, a.code)]++
			continue
		}
		acked++
		if heard[a.offerID] == 0 {
			ackedLost++
		}
		if a.at.After(restartUp) && firstAfterRestart == 0 {
			firstAfterRestart = a.at.Sub(restartUp)
		}
		if a.at.After(outageUp) && firstAfterOutage == 0 {
			firstAfterOutage = a.at.Sub(outageUp)
		}
	}
	t.Logf("restart took %v; outage %v", restartUp.Sub(restartAt).Round(time.Millisecond), outageUp.Sub(outageAt).Round(time.Millisecond))
	t.Logf("writes: %d attempted, %d acknowledged, %d refused %v", len(attempts), acked, refused, codes)
	t.Logf("events: %d committed, %d heard, %d lost, %d twice, %d out of order", len(committed), len(heard), lost, twice, outOfOrder)
	t.Logf("first acknowledged write after the restart: %v; after the outage: %v",
		firstAfterRestart.Round(time.Millisecond), firstAfterOutage.Round(time.Millisecond))
	if lost > 0 || ackedLost > 0 || twice > 0 || outOfOrder > 0 {
		t.Errorf("events lost %d (acknowledged %d), twice %d, out of order %d", lost, ackedLost, twice, outOfOrder)
	}
	if acked < 20 || firstAfterRestart == 0 || firstAfterOutage == 0 {
		t.Errorf("the service did not come back: %d acknowledged writes", acked)
	}
}

// gqlPostQuiet is gqlPost for a goroutine: errors are returned, not fatal.
func gqlPostQuiet(m *Main, tok, query string, vars map[string]any, out any) (int, error) {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, "http://"+m.Addr()+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	return res.StatusCode, json.Unmarshal(body, out)
}
