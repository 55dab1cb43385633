package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/auth"
	"switchboard/followups"
	"switchboard/live"
	"switchboard/routing"
	"switchboard/store"
	"switchboard/store/storetest"
)

// liveHarness is a real HTTP server with the live feed over a real store;
// records go in through the Tee as the engine's do.
type liveHarness struct {
	srv     *Server
	ts      *httptest.Server
	hub     *live.Hub
	board   *live.Board
	store   *store.Store
	agents  *fakeAgents
	journal live.Tee
	served  chan struct{} // one value per request finished
}

func newLiveHarness(t testing.TB) *liveHarness { return newLiveHarnessBuffer(t, 256) }

func newLiveHarnessBuffer(t testing.TB, buffer int) *liveHarness {
	t.Helper()
	st := storetest.New(t)
	if err := st.Append(t.Context(), seedRecords()...); err != nil {
		t.Fatal(err)
	}
	h := &liveHarness{store: st, agents: newFakeAgents(), hub: live.NewHub(buffer, nil, nil), served: make(chan struct{}, 100)}
	h.agents.agents["a1"].Team = "front"
	h.agents.agents["a2"].Team = "back"
	h.journal = live.Tee{Next: st, Hub: h.hub}
	h.board = live.NewBoard(live.BoardConfig{MinInterval: 10 * time.Millisecond, Idle: time.Hour}, h.agents, nil, st, h.hub, nil)
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: st, Live: h.hub, Wallboard: h.board}, h.agents, st, nil, prometheus.NewRegistry(), nil)
	h.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.srv.Handler().ServeHTTP(w, r)
		select {
		case h.served <- struct{}{}:
		default: // nobody counts (the benchmark's 200 clients)
		}
	}))
	t.Cleanup(h.ts.Close)
	return h
}

func (h *liveHarness) append(t testing.TB, recs ...*routing.Record) {
	t.Helper()
	if err := h.journal.Append(t.Context(), recs...); err != nil {
		t.Fatal(err)
	}
}

type sseEvent struct {
	ID, Event, Data string
}

// sseClient reads one stream's events into a channel.
type sseClient struct {
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
}

func (h *liveHarness) connect(t testing.TB, token, query, lastID string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+"/api/v1/live"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		cancel()
		t.Fatalf("GET /api/v1/live%s: %d %s", query, resp.StatusCode, b)
	}
	c := &sseClient{resp: resp, events: make(chan sseEvent, 1000), cancel: cancel}
	go readSSE(resp.Body, c.events)
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return c
}

// readSSE parses events (comments and id-only blocks skipped) until EOF,
// then closes out.
func readSSE(r io.Reader, out chan<- sseEvent) {
	defer close(out)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.Event != "" {
				out <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			ev.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.Data = line[6:]
		}
	}
}

// next waits for the next event of a name.
func (c *sseClient) next(t testing.TB, name string) sseEvent {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				t.Fatalf("stream ended waiting for %s", name)
			}
			if ev.Event == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event within 5 s", name)
		}
	}
}

// records reads record events until one of type until arrives, and
// returns "type/call/agent" of each.
func (c *sseClient) records(t testing.TB, until string) []string {
	t.Helper()
	var out []string
	for {
		ev := c.next(t, "record")
		var r routing.Record
		if err := json.Unmarshal([]byte(ev.Data), &r); err != nil {
			t.Fatal(err)
		}
		if ev.ID != strconv.FormatInt(r.Seq, 10) {
			t.Fatalf("id %s for seq %d", ev.ID, r.Seq)
		}
		out = append(out, r.Type+"/"+r.CallID+"/"+r.AgentID)
		if r.Type == until {
			return out
		}
	}
}

// The end marker each test publishes last.
const endMark = "test.end"

func TestLiveScopes(t *testing.T) {
	h := newLiveHarness(t)
	tests := []struct {
		name, token string
		want        []string
	}{
		{"supervisor sees all", "role:supervisor", []string{
			"call.arrived/c9/", "call.queued/c9/", "call.offered/c9/a1", "call.answered/c9/a1", "pbx.ChannelDtmf/c9/",
			"agent.state//a2", "call.queued/c8/", "call.ended/c9/a1", "call.ivr/c9/", endMark + "//"}},
		{"agent: self and own calls while they last", "role:agent:a1:front", []string{
			"call.offered/c9/a1", "call.answered/c9/a1", "pbx.ChannelDtmf/c9/", "call.ended/c9/a1"}},
		{"other agent: nothing of a1", "role:agent:a2:back", []string{"agent.state//a2"}},
		{"team lead: team and queue records", "role:team_lead:lead1:front", []string{
			"call.queued/c9/", "call.offered/c9/a1", "call.answered/c9/a1", "pbx.ChannelDtmf/c9/",
			"call.queued/c8/", "call.ended/c9/a1"}},
	}
	clients := make([]*sseClient, len(tests))
	for i, tt := range tests {
		clients[i] = h.connect(t, tt.token, "", "")
	}
	h.append(t,
		rec(100, routing.EvCallArrived, "c9", "", "", routing.CallArrivedData{Caller: "13812345678"}),
		rec(101, routing.EvCallQueued, "c9", "", "support", routing.QueuedData{Queue: "support"}),
		rec(102, routing.EvCallOffered, "c9", "a1", "support", routing.OfferData{Agent: "a1"}),
		rec(103, routing.EvCallAnswered, "c9", "a1", "support", routing.OfferData{Agent: "a1"}),
		rec(104, "pbx.ChannelDtmf", "c9", "", "", map[string]string{"digit": "1"}),
		rec(105, routing.EvAgentState, "", "a2", "", routing.AgentStateData{From: "ready", To: "not_ready"}),
		rec(106, routing.EvCallQueued, "c8", "", "sales", routing.QueuedData{Queue: "sales"}),
		rec(107, routing.EvCallEnded, "c9", "a1", "support", routing.EndedData{Outcome: routing.OutcomeAnswered}),
		rec(108, routing.EvCallIVR, "c9", "", "", routing.IVRData{Node: "survey"}), // after the end: not the agent's any more
	)
	// Every scope sees the end marker's agent: a record naming each.
	for _, a := range []string{"", "a1", "a2", "lead1"} {
		h.append(t, rec(109, endMark, "", a, "", nil))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clients[i].records(t, endMark)
			got = slices.DeleteFunc(got, func(s string) bool { return strings.HasPrefix(s, endMark) })
			want := slices.DeleteFunc(slices.Clone(tt.want), func(s string) bool { return strings.HasPrefix(s, endMark) })
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
}

func TestLiveMasksNumbers(t *testing.T) {
	h := newLiveHarness(t)
	sup := h.connect(t, "role:supervisor", "", "")
	agent := h.connect(t, "role:agent:a1", "", "")
	h.append(t, rec(100, routing.EvCallOffered, "c9", "a1", "support", map[string]string{"agent": "a1", "caller": "13812345678"}))
	if d := sup.next(t, "record").Data; !strings.Contains(d, `"138****5678"`) || strings.Contains(d, "13812345678") {
		t.Errorf("supervisor saw %s", d)
	}
	if d := agent.next(t, "record").Data; !strings.Contains(d, `"13812345678"`) {
		t.Errorf("agent (full numbers) saw %s", d)
	}
}

// A reconnect with Last-Event-ID gets what it missed from the store, then
// the live records, with no duplicate and no gap; a record appended to the
// store without being published (the API's own) is filled in.
func TestLiveResume(t *testing.T) {
	h := newLiveHarness(t)
	c := h.connect(t, "role:supervisor", "", "9")                                                          // seeded seqs 1-12
	h.append(t, rec(100, routing.EvCallQueued, "c9", "", "support", routing.QueuedData{Queue: "support"})) // 13
	if err := h.store.Append(t.Context(), rec(101, "message.note", "", "a9", "", nil)); err != nil {       // 14, not published
		t.Fatal(err)
	}
	h.append(t, rec(102, endMark, "", "", "", nil)) // 15
	var seqs []string
	for {
		ev := c.next(t, "record")
		seqs = append(seqs, ev.ID)
		if ev.ID == "15" {
			break
		}
	}
	if got := strings.Join(seqs, ","); got != "10,11,12,13,14,15" {
		t.Fatalf("seqs %s, want 10..15", got)
	}
}

func TestLiveWallboardTopic(t *testing.T) {
	h := newLiveHarness(t)
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error)
	go func() { ran <- h.board.Run(ctx) }()
	defer func() { cancel(); <-ran }()

	sup := h.connect(t, "role:supervisor", "?topics=wallboard", "")
	var w live.Wallboard
	if err := json.Unmarshal([]byte(sup.next(t, "wallboard").Data), &w); err != nil {
		t.Fatal(err)
	}
	if len(w.Queues) != 1 || w.Queues[0].Waiting != 2 || w.Queues[0].Agents["ready"] != 1 {
		t.Fatalf("wallboard %+v", w)
	}
	// A relevant record brings a new one.
	h.append(t, rec(100, routing.EvCallQueued, "c9", "", "support", routing.QueuedData{Queue: "support"}))
	sup.next(t, "wallboard")

	agent := h.connect(t, "role:agent:a1", "?topics=records,wallboard", "")
	d := agent.next(t, "wallboard").Data
	if !strings.Contains(d, `"waiting":2`) || strings.Contains(d, `"agents"`) || strings.Contains(d, `"offered"`) {
		t.Fatalf("agent's wallboard %s", d)
	}
}

func TestWallboardRoles(t *testing.T) {
	h := newLiveHarness(t)
	get := func(token string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", h.ts.URL+"/api/v1/wallboard", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := h.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		token    string
		code     int
		has, not []string
	}{
		{"role:supervisor", 200, []string{`"agents":{"ready":1}`, `"teams":[`, `"alerts":[]`}, nil},
		{"role:team_lead:x:front", 200, []string{`"agents":{"ready":1}`}, nil},
		{"role:agent:a1", 200, []string{`"name":"support"`, `"waiting":2`}, []string{`"agents"`, `"service_level"`}},
		{"role:agent:a2", 200, []string{`"queues":[]`}, nil}, // a2 serves sales only
		{"role:quality", 403, []string{`"forbidden"`}, nil},
		{"role:admin", 403, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			code, body := get(tt.token)
			if code != tt.code {
				t.Fatalf("%d %s", code, body)
			}
			for _, s := range tt.has {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %s: %s", s, body)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(body, s) {
					t.Errorf("body has %s: %s", s, body)
				}
			}
		})
	}
}

func TestLiveBadRequests(t *testing.T) {
	h := newLiveHarness(t)
	for _, tt := range []struct {
		query, lastID, token string
		code                 int
		field                string
	}{
		{"?topics=gossip", "", "role:supervisor", 400, "topics"},
		{"", "x", "role:supervisor", 400, "Last-Event-ID"},
		{"?last_event_id=-3", "", "role:supervisor", 400, "Last-Event-ID"},
		{"?nope=1", "", "role:supervisor", 400, "nope"},
		{"", "", "role:quality", 403, ""},
		{"", "", "", 401, ""},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", h.ts.URL+"/api/v1/live"+tt.query, nil)
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		if tt.lastID != "" {
			req.Header.Set("Last-Event-ID", tt.lastID)
		}
		resp, err := h.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body errorBody
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || body.Error.Field != tt.field {
			t.Errorf("%s %s: %d %+v, want %d field %q", tt.query, tt.lastID, resp.StatusCode, body.Error, tt.code, tt.field)
		}
	}
}

// A client going away and the server stopping both end the handler at
// once, and its subscription with it.
func TestLiveEndsPromptly(t *testing.T) {
	h := newLiveHarness(t)
	a := h.connect(t, "role:supervisor", "", "")
	b := h.connect(t, "role:agent:a1", "?topics=records,wallboard", "")
	if n := h.hub.Subscribers(); n != 2 {
		t.Fatalf("subscribers %d", n)
	}
	start := time.Now()
	a.cancel()
	select {
	case <-h.served:
	case <-time.After(2 * time.Second):
		t.Fatal("handler still running 2 s after the client went away")
	}
	if n := h.hub.Subscribers(); n != 1 {
		t.Fatalf("subscribers %d after a client left", n)
	}
	h.hub.Close() // what Hub.Run does when the server stops
	select {
	case <-h.served:
	case <-time.After(2 * time.Second):
		t.Fatal("handler still running 2 s after the hub closed")
	}
	for range b.events { // the stream ends: EOF
	}
	t.Logf("both ended in %v", time.Since(start))
	if n := h.hub.Subscribers(); n != 0 {
		t.Fatalf("subscribers %d", n)
	}
}

// A client that falls behind is dropped; its reconnect resumes where it
// was, from the store.
func TestLiveSlowClientDroppedAndResumes(t *testing.T) {
	h := newLiveHarnessBuffer(t, 1)
	c := h.connect(t, "role:team_lead:lead:front", "", "")
	// A config.applied makes a team lead's stream re-read the agents:
	// holding the fake engine's lock stalls it there.
	h.agents.mu.Lock()
	h.append(t, rec(100, routing.EvConfigApplied, "", "", "", nil)) // 13
	// Two more: one fills the buffer of one, the other finds it full.
	h.append(t, rec(101, routing.EvCallQueued, "c8", "", "support", nil), rec(102, routing.EvCallQueued, "c7", "", "support", nil))
	h.agents.mu.Unlock()
	for range c.events { // dropped: the stream ends
	}
	c = h.connect(t, "role:team_lead:lead:front", "", "13")
	if a, b := c.next(t, "record"), c.next(t, "record"); a.ID != "14" || b.ID != "15" {
		t.Fatalf("resumed with %s, %s; want 14, 15", a.ID, b.ID)
	}
}

func TestLiveScopeUnit(t *testing.T) {
	sc := &liveScope{p: auth.Principal{Role: auth.TeamLead, AgentID: "lead", Team: "front"},
		agentTeam: map[string]string{"a1": "front", "a2": "back"}, calls: map[string]bool{},
		queues: map[string]bool{"q": true}, msgCalls: map[string]bool{}}
	steps := []struct {
		rec  routing.Record
		want bool
	}{
		{routing.Record{Type: routing.EvCallArrived, CallID: "c1"}, false},
		{routing.Record{Type: routing.EvCallQueued, CallID: "c1", Queue: "q"}, true},
		{routing.Record{Type: routing.EvCallIVR, CallID: "c1"}, false},
		{routing.Record{Type: routing.EvCallOffered, CallID: "c1", AgentID: "a1", Queue: "q"}, true},
		{routing.Record{Type: "pbx.ChannelDtmf", CallID: "c1"}, true},
		{routing.Record{Type: routing.EvCallOfferFailed, CallID: "c1", AgentID: "a1", Queue: "q"}, true},
		{routing.Record{Type: "pbx.ChannelDtmf", CallID: "c1"}, false},
		{routing.Record{Type: routing.EvAgentState, AgentID: "a2"}, false},
		{routing.Record{Type: routing.EvAgentState, AgentID: "lead"}, true},
		{routing.Record{Type: routing.EvConfigApplied}, false},
		// The day/night switch is the centre's (the supervisor page
		// follows it); another team's agent's command is not the lead's.
		{routing.Record{Type: routing.EvCommand, Data: []byte(`{"op":"mode","mode":"night"}`)}, true},
		{routing.Record{Type: routing.EvCommand, AgentID: "a2", Data: []byte(`{"op":"sign_in","agent":"a2"}`)}, false},
		// Messages: for the team's agents and the queues they serve (and
		// their handling); not for another team's agent or queue.
		{routing.Record{Type: routing.EvCallMessage, CallID: "m1", Data: []byte(`{"target":"a1","target_kind":"agent"}`)}, true},
		{routing.Record{Type: routing.EvCallMessage, CallID: "m2", Data: []byte(`{"target":"q","target_kind":"group"}`)}, true},
		{routing.Record{Type: routing.EvCallMessage, CallID: "m3", Data: []byte(`{"target":"a2","target_kind":"agent"}`)}, false},
		{routing.Record{Type: routing.EvCallMessage, CallID: "m4", Data: []byte(`{"target":"other","target_kind":"group"}`)}, false},
		{routing.Record{Type: routing.EvMessageHandled, CallID: "m2"}, true},
		{routing.Record{Type: routing.EvMessageHandled, CallID: "m3"}, false},
	}
	for i, s := range steps {
		if got := sc.see(&s.rec); got != s.want {
			t.Errorf("step %d %s: see = %v, want %v", i, s.rec.Type, got, s.want)
		}
	}
}

// TestLiveStreamsPerUserAreCapped: one principal holds at most
// maxLiveStreams open; the next is 429 until one closes; others are not
// affected.
func TestLiveStreamsPerUserAreCapped(t *testing.T) {
	h := newLiveHarness(t)
	var open []*sseClient
	for range maxLiveStreams {
		open = append(open, h.connect(t, "role:agent:a1", "", ""))
	}
	get := func(token string) int {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", h.ts.URL+"/api/v1/live", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := h.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("role:agent:a1"); code != http.StatusTooManyRequests {
		t.Fatalf("stream %d: %d, want 429", maxLiveStreams+1, code)
	}
	<-h.served                              // the refused request's
	h.connect(t, "role:supervisor", "", "") // someone else: fine
	open[0].cancel()
	select {
	case <-h.served:
	case <-time.After(2 * time.Second):
		t.Fatal("closed stream's handler still running")
	}
	h.connect(t, "role:agent:a1", "", "") // its slot is free again
}

// TestLiveLeadsGetTheirTeamsOverdueFollowUps: followup.overdue is the
// lead's alert for their team's tasks (or their agents'), not another
// team's.
func TestLiveLeadsGetTheirTeamsOverdueFollowUps(t *testing.T) {
	h := newLiveHarness(t)
	front := h.connect(t, "role:team_lead:lead1:front", "", "")
	back := h.connect(t, "role:team_lead:lead2:back", "", "")
	h.append(t,
		rec(100, followups.EvOverdue, "", "", "", followups.OverdueData{ID: "F1", Team: "front"}),
		rec(101, followups.EvOverdue, "", "", "", followups.OverdueData{ID: "F2", Team: "back"}),
		rec(102, followups.EvOverdue, "", "", "", followups.OverdueData{ID: "F3", Agent: "a1"}), // a1 is in front
	)
	for _, a := range []string{"lead1", "lead2"} {
		h.append(t, rec(103, endMark, "", a, "", nil))
	}
	count := func(c *sseClient) int {
		n := 0
		for _, s := range c.records(t, endMark) {
			if strings.HasPrefix(s, followups.EvOverdue) {
				n++
			}
		}
		return n
	}
	if n := count(front); n != 2 {
		t.Errorf("front's lead got %d overdue follow-ups, want F1 and F3", n)
	}
	if n := count(back); n != 1 {
		t.Errorf("back's lead got %d overdue follow-ups, want F2", n)
	}
}
