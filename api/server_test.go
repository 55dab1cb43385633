package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing"
	"switchboard/store"
	"switchboard/store/storetest"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// logBuf is a concurrency-safe log sink so tests can check what was logged.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type harness struct {
	srv    *Server
	h      http.Handler
	agents *fakeAgents
	store  *store.Store
	logs   *logBuf
	token  string // bearer token sent by do ("role:<role>", see fakeAccounts)
	health struct {
		mu      sync.Mutex
		ok      bool
		details map[string]any
	}
}

// newHarness builds a server over the fake agents and a real store holding
// seedRecords.
func newHarness(t testing.TB) *harness {
	t.Helper()
	st := storetest.New(t)
	if err := st.Append(t.Context(), seedRecords()...); err != nil {
		t.Fatal(err)
	}
	h := &harness{agents: newFakeAgents(), store: st, logs: &logBuf{}}
	h.health.ok = true
	h.health.details = map[string]any{"pbx": map[string]any{"asterisk-1": "connected"}}
	health := func(context.Context) (map[string]any, bool) {
		h.health.mu.Lock()
		defer h.health.mu.Unlock()
		return h.health.details, h.health.ok
	}
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	h.srv = New(Config{Accounts: fakeAccounts{}, Audit: st}, h.agents, st, log, prometheus.NewRegistry(), health)
	h.token = "role:supervisor"
	h.h = h.srv.Handler()
	return h
}

func rec(sec int, typ, call, agent, queue string, data any) *routing.Record {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	return &routing.Record{Time: t0.Add(time.Duration(sec) * time.Second), Type: typ,
		CallID: call, AgentID: agent, Queue: queue, Data: b}
}

// seedRecords: c1 answered by a1 in support, c2 abandoned in sales, c3 open.
func seedRecords() []*routing.Record {
	return []*routing.Record{
		rec(-5, routing.EvAgentState, "", "a1", "", routing.AgentStateData{From: "signed_out", To: "ready"}),
		rec(0, routing.EvCallArrived, "c1", "", "", routing.CallArrivedData{Channel: "ch1", Caller: "+1555", Called: "100", Flow: "main"}),
		rec(1, routing.EvCallIVR, "c1", "", "", routing.IVRData{Node: "main"}),
		rec(4, routing.EvCallIVR, "c1", "", "", routing.IVRData{Node: "support_queue", Input: "1"}),
		rec(4, routing.EvCallQueued, "c1", "", "support", routing.QueuedData{Queue: "support"}),
		rec(5, routing.EvCallOffered, "c1", "a1", "support", routing.OfferData{Agent: "a1", Endpoint: "PJSIP/1001", Leg: "l1"}),
		rec(9, routing.EvCallAnswered, "c1", "a1", "support", routing.OfferData{Agent: "a1", Endpoint: "PJSIP/1001", Leg: "l1"}),
		rec(10, routing.EvCallArrived, "c2", "", "", routing.CallArrivedData{Channel: "ch2", Caller: "+1556", Called: "100", Flow: "main"}),
		rec(11, routing.EvCallQueued, "c2", "", "sales", routing.QueuedData{Queue: "sales"}),
		rec(30, routing.EvCallEnded, "c2", "", "sales", routing.EndedData{Outcome: routing.OutcomeAbandonedQueue, HangupBy: "caller"}),
		rec(60, routing.EvCallEnded, "c1", "a1", "support", routing.EndedData{Outcome: routing.OutcomeAnswered, Cause: "16", HangupBy: "agent"}),
		rec(70, routing.EvCallArrived, "c3", "", "", routing.CallArrivedData{Channel: "ch3", Caller: "+1557", Called: "100", Flow: "main"}),
	}
}

type response struct {
	Code int
	Body []byte
	Hdr  http.Header
}

func (h *harness) do(t testing.TB, method, target, body string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequestWithContext(t.Context(), method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	return response{Code: w.Code, Body: w.Body.Bytes(), Hdr: w.Header()}
}

// errorOf decodes an error body, failing if the body is not one.
func errorOf(t testing.TB, r response) errorDetail {
	t.Helper()
	var b struct {
		Error *errorDetail `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &b); err != nil || b.Error == nil || b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("status %d: not an error body: %s", r.Code, r.Body)
	}
	return *b.Error
}

func decode[T any](t testing.TB, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r.Body, err)
	}
	return v
}

func TestHealth(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, "GET", "/healthz", "")
	body := decode[map[string]any](t, r)
	if r.Code != 200 || body["status"] != "ok" || body["pbx"] == nil {
		t.Fatalf("healthy: %d %s", r.Code, r.Body)
	}

	h.health.mu.Lock()
	h.health.ok = false
	h.health.details = map[string]any{"pbx": map[string]any{"asterisk-1": "disconnected"}}
	h.health.mu.Unlock()
	r = h.do(t, "GET", "/healthz", "")
	body = decode[map[string]any](t, r)
	if r.Code != 503 || body["status"] != "unavailable" {
		t.Fatalf("unhealthy: %d %s", r.Code, r.Body)
	}
}

func TestMetrics(t *testing.T) {
	h := newHarness(t)
	h.do(t, "GET", "/api/v1/agents/a1", "")
	h.do(t, "GET", "/api/v1/agents/nobody", "")
	h.do(t, "GET", "/no/such/route/12345", "")
	r := h.do(t, "GET", "/metrics", "")
	if r.Code != 200 {
		t.Fatalf("metrics: %d", r.Code)
	}
	text := string(r.Body)
	for _, want := range []string{
		`switchboard_http_requests_total{method="GET",route="/api/v1/agents/:id",status="200"} 1`,
		`switchboard_http_requests_total{method="GET",route="/api/v1/agents/:id",status="404"} 1`,
		`switchboard_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`switchboard_http_request_duration_seconds_count{method="GET",route="/api/v1/agents/:id"} 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(text, "12345") {
		t.Error("raw path leaked into metric labels")
	}
}

func TestAgentRoutes(t *testing.T) {
	h := newHarness(t)

	r := h.do(t, "GET", "/api/v1/agents", "")
	list := decode[agentList](t, r)
	if r.Code != 200 || len(list.Agents) != 3 || list.Agents[0].ID != "a1" {
		t.Fatalf("list: %d %s", r.Code, r.Body)
	}
	r = h.do(t, "GET", "/api/v1/agents/a2", "")
	if a := decode[map[string]any](t, r); r.Code != 200 || a["state"] != "ready" || a["endpoint"] != "PJSIP/1002" {
		t.Fatalf("get: %d %s", r.Code, r.Body)
	}

	steps := []struct {
		name, method, path, body string
		code                     int
		state, reason, endpoint  string
	}{
		{"sign in at endpoint", "POST", "/api/v1/agents/a1/sign-in", `{"endpoint": "PJSIP/1001"}`, 200, "ready", "", "PJSIP/1001"},
		{"not ready", "PUT", "/api/v1/agents/a1/state", `{"state": "not_ready", "reason": "break"}`, 200, "not_ready", "break", "PJSIP/1001"},
		{"ready", "PUT", "/api/v1/agents/a1/state", `{"state": "ready"}`, 200, "ready", "", "PJSIP/1001"},
		{"sign out", "POST", "/api/v1/agents/a1/sign-out", "", 200, "signed_out", "", ""},
		{"sign in, no body", "POST", "/api/v1/agents/a1/sign-in", "", 200, "ready", "", "PJSIP/default-a1"},
		{"sign out again", "POST", "/api/v1/agents/a1/sign-out", "", 200, "signed_out", "", ""},
		{"sign in, empty object", "POST", "/api/v1/agents/a1/sign-in", `{}`, 200, "ready", "", "PJSIP/default-a1"},
	}
	h.token = "role:agent:a1" // the agent acting on themselves: nothing forced
	for _, s := range steps {
		r := h.do(t, s.method, s.path, s.body)
		if r.Code != s.code {
			t.Fatalf("%s: %d %s", s.name, r.Code, r.Body)
		}
		a := decode[routing.AgentView](t, r)
		if a.State.String() != s.state || a.Reason != s.reason || a.Endpoint != s.endpoint {
			t.Fatalf("%s: got %+v", s.name, a)
		}
	}
}

func TestErrors(t *testing.T) {
	big := `{"state": "ready", "reason": "` + strings.Repeat("x", maxBody) + `"}`
	tests := []struct {
		name, method, path, body string
		code                     int
		errCode, field           string
	}{
		// Body decoding.
		{"bad JSON", "PUT", "/api/v1/agents/a2/state", `{"state": `, 400, CodeBadRequest, ""},
		{"syntax error", "PUT", "/api/v1/agents/a2/state", `{"state" "ready"}`, 400, CodeBadRequest, ""},
		{"type mismatch names field", "PUT", "/api/v1/agents/a2/state", `{"state": 1}`, 400, CodeBadRequest, "state"},
		{"type mismatch reason", "PUT", "/api/v1/agents/a2/state", `{"state": "not_ready", "reason": ["x"]}`, 400, CodeBadRequest, "reason"},
		{"unknown field", "PUT", "/api/v1/agents/a2/state", `{"state": "ready", "colour": "red"}`, 400, CodeBadRequest, "colour"},
		{"unknown field in sign-in", "POST", "/api/v1/agents/a1/sign-in", `{"endpont": "PJSIP/1"}`, 400, CodeBadRequest, "endpont"},
		{"not an object", "PUT", "/api/v1/agents/a2/state", `["ready"]`, 400, CodeBadRequest, ""},
		{"empty body", "PUT", "/api/v1/agents/a2/state", ``, 400, CodeBadRequest, ""},
		{"two objects", "PUT", "/api/v1/agents/a2/state", `{"state": "ready"} {"state": "ready"}`, 400, CodeBadRequest, ""},
		{"too large", "PUT", "/api/v1/agents/a2/state", big, 413, CodePayloadTooLarge, ""},
		// Body validation.
		{"no state", "PUT", "/api/v1/agents/a2/state", `{}`, 400, CodeBadRequest, "state"},
		{"bad state", "PUT", "/api/v1/agents/a2/state", `{"state": "on_call"}`, 400, CodeBadRequest, "state"},
		{"not ready without reason", "PUT", "/api/v1/agents/a2/state", `{"state": "not_ready"}`, 400, CodeBadRequest, "reason"},
		{"reason too long", "PUT", "/api/v1/agents/a2/state", `{"state": "not_ready", "reason": "` + strings.Repeat("r", 101) + `"}`, 400, CodeBadRequest, "reason"},
		{"bad endpoint", "POST", "/api/v1/agents/a1/sign-in", `{"endpoint": "1001"}`, 400, CodeBadRequest, "endpoint"},
		{"endpoint with space", "POST", "/api/v1/agents/a1/sign-in", `{"endpoint": "PJSIP/10 01"}`, 400, CodeBadRequest, "endpoint"},
		// Engine errors.
		{"engine field error", "POST", "/api/v1/agents/a1/sign-in", `{"endpoint": "` + endpointUnknown + `"}`, 400, CodeBadRequest, "endpoint"},
		{"unknown agent", "GET", "/api/v1/agents/nobody", "", 404, CodeNotFound, ""},
		{"unknown agent state", "PUT", "/api/v1/agents/nobody/state", `{"state": "ready"}`, 404, CodeNotFound, ""},
		{"transition", "POST", "/api/v1/agents/a3/sign-out", `{"reason": "shift over"}`, 409, CodeInvalidTransition, ""},
		{"transition ready", "PUT", "/api/v1/agents/a1/state", `{"state": "ready"}`, 409, CodeInvalidTransition, ""},
		{"engine stopped", "GET", "/api/v1/agents/" + agentStopped, "", 503, CodeUnavailable, ""},
		{"internal", "POST", "/api/v1/agents/" + agentBoom + "/sign-out", "", 500, CodeInternal, ""},
		{"panic", "GET", "/api/v1/agents/" + agentPanic, "", 500, CodeInternal, ""},
		// Store and query parameters.
		{"unknown call", "GET", "/api/v1/calls/nope", "", 404, CodeNotFound, ""},
		{"events of unknown call", "GET", "/api/v1/calls/nope/events", "", 404, CodeNotFound, ""},
		{"limit not a number", "GET", "/api/v1/calls?limit=ten", "", 400, CodeBadRequest, "limit"},
		{"limit zero", "GET", "/api/v1/events?limit=0", "", 400, CodeBadRequest, "limit"},
		{"limit too big", "GET", "/api/v1/events?limit=10001", "", 400, CodeBadRequest, "limit"},
		{"since not RFC 3339", "GET", "/api/v1/calls?since=yesterday", "", 400, CodeBadRequest, "since"},
		{"until not RFC 3339", "GET", "/api/v1/calls?until=2025-03-14", "", 400, CodeBadRequest, "until"},
		{"until before since", "GET", "/api/v1/calls?since=2025-03-14T10:00:00Z&until=2025-03-14T09:00:00Z", "", 400, CodeBadRequest, "until"},
		{"open not bool", "GET", "/api/v1/calls?open=maybe", "", 400, CodeBadRequest, "open"},
		{"after negative", "GET", "/api/v1/events?after=-1", "", 400, CodeBadRequest, "after"},
		{"after on call events", "GET", "/api/v1/calls/c1/events?after=x", "", 400, CodeBadRequest, "after"},
		{"unknown parameter", "GET", "/api/v1/calls?agent_id=a1", "", 400, CodeBadRequest, "agent_id"},
		{"repeated parameter", "GET", "/api/v1/events?queue=a&queue=b", "", 400, CodeBadRequest, "queue"},
		// Routing.
		{"unknown route", "GET", "/api/v1/nothing", "", 404, CodeNotFound, ""},
		{"unknown deep route", "GET", "/api/v1/agents/a1/phone/x", "", 404, CodeNotFound, ""},
		{"wrong method", "DELETE", "/api/v1/agents/a1", "", 405, CodeMethodNotAllowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.do(t, tt.method, tt.path, tt.body)
			if r.Code != tt.code {
				t.Fatalf("status %d, want %d: %s", r.Code, tt.code, r.Body)
			}
			if ct := r.Hdr.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			e := errorOf(t, r)
			if e.Code != tt.errCode || e.Field != tt.field {
				t.Errorf("error %+v, want code %s field %q", e, tt.errCode, tt.field)
			}
		})
	}
}

func TestInternalErrorIsLoggedNotLeaked(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, "GET", "/api/v1/agents/"+agentBoom, "")
	if r.Code != 500 || strings.Contains(string(r.Body), "secret") {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	if !strings.Contains(h.logs.String(), "database on fire") {
		t.Fatalf("error not logged: %s", h.logs.String())
	}
}

func TestCallRoutes(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"c3", "c2", "c1"}},
		{"?queue=support", []string{"c1"}},
		{"?agent=a1", []string{"c1"}},
		{"?outcome=abandoned_queue", []string{"c2"}},
		{"?open=true", []string{"c3"}},
		{"?open=false", []string{"c2", "c1"}},
		{"?since=2025-03-14T09:00:10Z", []string{"c3", "c2"}},
		{"?since=2025-03-14T10:00:05%2B01:00&until=2025-03-14T09:01:00Z", []string{"c2"}},
		{"?limit=1", []string{"c3"}},
		{"?queue=nope", []string{}},
	}
	for _, tt := range tests {
		r := h.do(t, "GET", "/api/v1/calls"+tt.query, "")
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", tt.query, r.Code, r.Body)
		}
		got := []string{}
		for _, c := range decode[callList](t, r).Calls {
			got = append(got, c.ID)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got %v, want %v", tt.query, got, tt.want)
		}
	}

	r := h.do(t, "GET", "/api/v1/calls/c1", "")
	c := decode[map[string]any](t, r)
	if r.Code != 200 || c["agent"] != "a1" || c["wait_seconds"] != 5.0 || c["talk_seconds"] != 51.0 {
		t.Fatalf("call: %d %s", r.Code, r.Body)
	}
	if path, _ := json.Marshal(c["ivr_path"]); string(path) != `["main","1→support_queue"]` {
		t.Errorf("ivr_path %s", path)
	}
	r = h.do(t, "GET", "/api/v1/calls/c3", "")
	if c := decode[map[string]any](t, r); c["ended_at"] != nil || c["queued_at"] != nil {
		t.Errorf("open call: %s", r.Body)
	}
	if strings.Contains(string(r.Body), `"ivr_path":null`) {
		t.Errorf("empty ivr_path is null: %s", r.Body)
	}
}

func TestEventRoutes(t *testing.T) {
	h := newHarness(t)
	seqs := func(r response) []int64 {
		t.Helper()
		if r.Code != 200 {
			t.Fatalf("%d %s", r.Code, r.Body)
		}
		var out []int64
		for _, e := range decode[eventList](t, r).Events {
			out = append(out, e.Seq)
		}
		return out
	}
	all := seqs(h.do(t, "GET", "/api/v1/events", ""))
	if len(all) != 12 {
		t.Fatalf("%d events", len(all))
	}
	if got := seqs(h.do(t, "GET", "/api/v1/calls/c1/events", "")); len(got) != 7 {
		t.Errorf("call c1 events: %v", got)
	}
	if got := seqs(h.do(t, "GET", "/api/v1/calls/c1/events?type=call.ivr", "")); len(got) != 2 {
		t.Errorf("c1 ivr events: %v", got)
	}
	if got := seqs(h.do(t, "GET", "/api/v1/events?call_id=c2", "")); len(got) != 3 {
		t.Errorf("c2 events: %v", got)
	}
	if got := seqs(h.do(t, "GET", "/api/v1/events?agent_id=a1", "")); len(got) != 4 {
		t.Errorf("a1 events: %v", got)
	}
	if got := seqs(h.do(t, "GET", "/api/v1/events?queue=sales", "")); len(got) != 2 {
		t.Errorf("sales events: %v", got)
	}
	if got := seqs(h.do(t, "GET", "/api/v1/events?type=agent.", "")); len(got) != 1 {
		t.Errorf("agent events: %v", got)
	}

	// Paging with next.
	var paged []int64
	after := int64(0)
	for range 10 {
		r := h.do(t, "GET", "/api/v1/events?limit=5&after="+itoa(after), "")
		page := decode[eventList](t, r)
		for _, e := range page.Events {
			paged = append(paged, e.Seq)
		}
		if len(page.Events) == 0 {
			if page.Next != after {
				t.Fatalf("empty page next %d, want %d", page.Next, after)
			}
			break
		}
		after = page.Next
	}
	if itoaAll(paged) != itoaAll(all) {
		t.Errorf("paged %v, all %v", paged, all)
	}

	// Data comes back as JSON, not a string.
	r := h.do(t, "GET", "/api/v1/events?type=call.queued&limit=1", "")
	var raw struct {
		Events []struct {
			Data map[string]any `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(r.Body, &raw); err != nil || len(raw.Events) != 1 || raw.Events[0].Data["queue"] != "support" {
		t.Errorf("event data: %s", r.Body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func itoaAll(ns []int64) string { return fmt.Sprint(ns) }

func TestServeShutsDown(t *testing.T) {
	h := newHarness(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- h.srv.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz over TCP: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve returned %v after cancel", err)
	}
}

func TestRunBadAddress(t *testing.T) {
	s := New(Config{Listen: "256.0.0.1:bad"}, newFakeAgents(), nil, nil, nil, nil)
	if err := s.Run(t.Context()); err == nil {
		t.Fatal("Run on a bad address returned nil")
	}
}
