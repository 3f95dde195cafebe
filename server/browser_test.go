package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agir-reseau/agir-backend/db"
	"github.com/agir-reseau/agir-backend/db/dbtest"
	"github.com/agir-reseau/agir-backend/graph/model"
)

// TestExplorer_Browser opens GraphiQL at / in headless Chromium as a user would: pastes a
// token in the Headers tab, reloads the schema, runs a query and reads its result, opens
// the documentation, asks for completion, and runs a subscription over WebSocket. It
// drives the browser through the DevTools protocol over a WebSocket (no browser download,
// no driver). It is skipped when chromium is missing, except in CI (CI set), where
// .ci/run installs it.
func TestExplorer_Browser(t *testing.T) {
	bin := chromiumBinary()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is missing (apt-get install chromium)")
		}
		t.Skip("chromium is missing (apt-get install chromium); CI runs this test")
	}
	m := startServer(t, dbtest.NewDatabase(t))
	tok := token(t, m, model.RoleCoordinator)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	b := launchChromium(t, ctx, bin)
	page := b.open(t, ctx, "http://"+m.Addr()+"/")
	// GraphiQL's editors are CodeMirror 5 instances, reachable from their element.
	page.waitFor(t, ctx, `!!document.querySelector(".graphiql-query-editor .CodeMirror") &&
		!!document.querySelector(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")`)
	page.eval(t, ctx, `window.agirEditor = (sel) => document.querySelector(sel + " .CodeMirror").CodeMirror; true`)
	// Without a token the schema is not readable: the documentation says so.
	page.eval(t, ctx, `(() => {
		const docs = document.querySelector('button[aria-label="Show Documentation Explorer"]');
		if (docs) docs.click();
		return true;
	})()`)
	page.waitFor(t, ctx, `!!document.querySelector(".graphiql-doc-explorer-error")`)
	// Pasting the token in the Headers tab reads the schema again (src/index.jsx): the
	// documentation lists the root types, and Query's fields.
	page.eval(t, ctx, fmt.Sprintf(`(() => {
		agirEditor(".graphiql-editor-tool .graphiql-editor:not(.hidden)").setValue(JSON.stringify({Authorization: "Bearer " + %q}));
		agirEditor(".graphiql-query-editor").setValue("query FromTheBrowser { me { role departments } structures(first: 2) { totalCount } }");
		return true;
	})()`, tok))
	page.waitFor(t, ctx, `[...document.querySelectorAll("a.graphiql-doc-explorer-type-name")].some((a) => a.textContent === "Query")`)
	page.eval(t, ctx, `(() => {
		[...document.querySelectorAll("a.graphiql-doc-explorer-type-name")].find((a) => a.textContent === "Query").click();
		return true;
	})()`)
	page.waitFor(t, ctx, `[...document.querySelectorAll(".graphiql-doc-explorer-field-name")].some((f) => f.textContent === "structures")`)

	page.eval(t, ctx, `document.querySelector(".graphiql-execute-button").click(), true`)
	page.waitFor(t, ctx, `agirEditor(".graphiql-response").getValue().includes("totalCount")`)
	text := page.eval(t, ctx, `agirEditor(".graphiql-response").getValue()`)
	var result struct {
		Data struct {
			Me struct {
				Role        string
				Departments []string
			}
			Structures struct{ TotalCount int }
		}
		Errors []any
	}
	if err := json.Unmarshal([]byte(text.(string)), &result); err != nil || len(result.Errors) > 0 {
		t.Fatalf("result %q: %v", text, err)
	}
	if result.Data.Me.Role != "coordinator" || result.Data.Structures.TotalCount == 0 {
		t.Errorf("result %+v", result.Data)
	}

	// Completion proposes the fields of the type at the cursor, from the schema.
	for _, c := range []struct{ query, want string }{
		{"query { me { structure { agirRole } na", "name"},
		{`query { structures(first: 2, filter: {department: "69"}) { nodes { ... on Structure { agir`, "agirRole"},
	} {
		page.eval(t, ctx, fmt.Sprintf(`(() => {
			const cm = agirEditor(".graphiql-query-editor");
			cm.setValue(%q);
			cm.focus();
			cm.setCursor(cm.lineCount(), 0);
			cm.showHint({completeSingle: false});
			return true;
		})()`, c.query))
		page.waitFor(t, ctx, `document.querySelectorAll(".CodeMirror-hints .CodeMirror-hint").length > 0`)
		got := page.eval(t, ctx, `document.querySelector(".CodeMirror-hints .CodeMirror-hint").textContent`)
		if got != c.want {
			t.Errorf("completion after %q: first hint %q, want %q", c.query, got, c.want)
		}
		page.eval(t, ctx, `agirEditor(".graphiql-query-editor").closeHint(), true`)
	}

	// A subscription opens a WebSocket from the page (the headers are its connection_init
	// payload) and shows the events.
	page.eval(t, ctx, `agirEditor(".graphiql-query-editor").setValue('subscription OfferEvents { offerMapChanged(department: "69") { offerId kind } }'), true`)
	// GraphiQL takes the operation's name from the editor after a short debounce.
	page.eval(t, ctx, `new Promise((ok) => setTimeout(() => ok(true), 1000))`)
	page.eval(t, ctx, `document.querySelector(".graphiql-execute-button").click(), true`)
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := m.Store.Notify(ctx, nil, db.ChannelOfferMap, model.OfferMapEvent{OfferID: "T2ZmZXI6Nw", Department: "69", Kind: model.OfferMapEventKindCreated, At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := page.eval(t, ctx, `agirEditor(".graphiql-response").getValue().includes("T2ZmZXI6Nw")`).(bool); v {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event shown: %v", page.eval(t, ctx, `agirEditor(".graphiql-response").getValue()`))
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Everything the page loaded came from this server (no CDN: offline).
	loaded := page.eval(t, ctx, `performance.getEntriesByType("resource").map((e) => e.name).concat([location.href])`)
	for _, u := range loaded.([]any) {
		if s := u.(string); !strings.HasPrefix(s, "http://"+m.Addr()+"/") && !strings.HasPrefix(s, "ws://"+m.Addr()+"/") && !strings.HasPrefix(s, "data:") {
			t.Errorf("the explorer loaded %s from elsewhere", s)
		}
	}
}

func chromiumBinary() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// cdp is a minimal client of the Chrome DevTools protocol.
type cdp struct {
	conn    *websocket.Conn
	mu      sync.Mutex
	next    int
	waiting map[int]chan cdpReply
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

var devtoolsRE = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

func launchChromium(t *testing.T, ctx context.Context, bin string) *cdp {
	t.Helper()
	profile, err := os.MkdirTemp("", "agir-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+profile, "--remote-debugging-port=0", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group: the browser and its helpers
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		// End the browser's process group (the browser this test started and its
		// helpers), then remove its profile once nothing writes there any more.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		for range 20 {
			if os.RemoveAll(profile) == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	found := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			if m := devtoolsRE.FindStringSubmatch(s.Text()); m != nil {
				found <- m[1]
			}
		}
		_ = cmd.Wait()
		close(exited)
	}()
	var url string
	select {
	case url = <-found:
	case <-ctx.Done():
		t.Fatal("chromium did not start its DevTools endpoint")
	}
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("connect to chromium: %v", err)
	}
	conn.SetReadLimit(64 << 20)
	c := &cdp{conn: conn, waiting: map[int]chan cdpReply{}}
	go c.readLoop()
	t.Cleanup(func() { conn.CloseNow() })
	return c
}

func (c *cdp) readLoop() {
	for {
		_, b, err := c.conn.Read(context.Background())
		if err != nil {
			return
		}
		var msg struct {
			ID int `json:"id"`
			cdpReply
		}
		if json.Unmarshal(b, &msg) != nil || msg.ID == 0 {
			continue // an event
		}
		c.mu.Lock()
		ch := c.waiting[msg.ID]
		delete(c.waiting, msg.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- msg.cdpReply
		}
	}
}

func (c *cdp) call(t *testing.T, ctx context.Context, session, method string, params any, out any) {
	t.Helper()
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan cdpReply, 1)
	c.waiting[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		msg["sessionId"] = session
	}
	b, _ := json.Marshal(msg)
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			t.Fatalf("%s: %s", method, r.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(r.Result, out); err != nil {
				t.Fatalf("%s: %v", method, err)
			}
		}
	case <-ctx.Done():
		t.Fatalf("%s: no answer", method)
	}
}

type cdpPage struct {
	c       *cdp
	session string
}

func (c *cdp) open(t *testing.T, ctx context.Context, url string) *cdpPage {
	t.Helper()
	var target struct{ TargetID string }
	c.call(t, ctx, "", "Target.createTarget", map[string]any{"url": url}, &target)
	var attached struct{ SessionID string }
	c.call(t, ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	return &cdpPage{c: c, session: attached.SessionID}
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (p *cdpPage) eval(t *testing.T, ctx context.Context, expr string) any {
	t.Helper()
	var r struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	p.c.call(t, ctx, p.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if r.ExceptionDetails != nil {
		t.Fatalf("evaluate %s: %s", strings.SplitN(expr, "\n", 2)[0], r.ExceptionDetails.Text)
	}
	return r.Result.Value
}

// waitFor polls a JavaScript condition until it holds.
func (p *cdpPage) waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for {
		if v, _ := p.eval(t, ctx, cond).(bool); v {
			return
		}
		select {
		case <-ctx.Done():
			diag, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer dcancel()
			t.Fatalf("timed out waiting for %s; the page shows: %v", cond, p.eval(t, diag, `document.body.innerText.slice(0, 1500) + " HTML: " + (document.querySelector(".graphiql-doc-explorer") || document.body).outerHTML.slice(0, 2500)`))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestExplorer_Offline checks that the page and its assets name nothing from elsewhere and
// that the browser is told so (Content-Security-Policy).
func TestExplorer_Offline(t *testing.T) {
	html, err := graphiqlDist.ReadFile("web/graphiql/dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if loc := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`).FindString(string(html)); loc != "" {
		t.Errorf("the explorer loads an external resource: %s", loc)
	}
	page, assets := explorer()
	for _, c := range []struct {
		h           http.Handler
		path, ctype string
	}{
		{page, "/", "text/html"},
		{assets, "/graphiql/graphiql.js", "text/javascript"},
		{assets, "/graphiql/graphiql.css", "text/css"},
	} {
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), c.ctype) || rec.Body.Len() < 300 {
			t.Errorf("%s: %d %q, %d bytes", c.path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("%s: CSP %q", c.path, csp)
		}
	}
}
