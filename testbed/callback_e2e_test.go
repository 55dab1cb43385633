//go:build e2e

package testbed

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// callbackConfig: the caller on 100 asks for a callback in support (its
// callbacks dial the good carrier), on 200 in sales (its callbacks dial a
// carrier that answers 486 busy: retried once, 2 s later, then closed).
const callbackConfig = `
dialplan:
  trunks:
    - {name: carrier-good, host: 127.0.0.1, port: %d, qualify: 2s}
    - {name: carrier-503, host: 127.0.0.1, port: %d, qualify: 2s}
trunk_groups:
  good: {members: [{trunk: carrier-good}], ring_timeout: 10s}
  busy: {members: [{trunk: carrier-503}], ring_timeout: 10s}
outbound:
  callbacks: good
routes: {"100": cb_support, "200": cb_sales, default: cb_support}
flows:
  cb_support: {start: cb, nodes: {cb: {callback: {queue: support, prompt: ["sound:beep"], next: bye}}, bye: {hangup: {}}}}
  cb_sales: {start: cb, nodes: {cb: {callback: {queue: sales, prompt: ["sound:beep"], next: bye}}, bye: {hangup: {}}}}
queues:
  support: {ring_timeout: 5s, wrap_up: 1s, callbacks: {group: good}}
  sales: {ring_timeout: 5s, wrap_up: 1s, callbacks: {group: busy, retry_delay: 2s, max_attempts: 2}}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support, sales], team: front}
teams: {front: {name: Front}}
dispositions: [resolved]
`

type callbackView struct {
	ID, State, Queue, Number, Agent, Call, Outcome, Reason string
	Attempts                                               int
}

// TestE2ECallbackDialledAndRetried is issue 14's callback "must hold" on
// the real Asterisk: a caller opts in and is hung up; when the agent
// becomes free they are reserved for the preview, the supervisor accepts
// it for them through the API, the agent's sipp phone answers, the good
// carrier (the customer) answers and the call is bridged and recorded as
// the callback's outcome. A second callback whose customer is busy is
// retried after its delay and closed after its limit.
func TestE2ECallbackDialledAndRetried(t *testing.T) {
	p := StartPBX(t)
	good := StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	busy := StartCarrier(t, Trunk503.Port(p), CarrierRejects(486))
	s := startSwitchboardWith(t, p, fmt.Sprintf(callbackConfig, TrunkGood.Port(p), Trunk503.Port(p)))
	s.waitLinkUp(10 * time.Second)
	StartPhone(t, p, 1, AnswerAndHangUp(200*time.Millisecond, 2*time.Second))

	list := func() map[string]callbackView {
		var v []callbackView
		if code := s.do("GET", "/api/v1/callbacks", nil, &v); code != 200 {
			t.Fatalf("callbacks: %d", code)
		}
		out := map[string]callbackView{}
		for _, c := range v {
			out[c.Queue] = c
		}
		return out
	}
	// The caller opts in and is hung up: nobody is signed in yet.
	res := Caller{Target: p.SIPAddr(), Number: "100", From: "5550100", Steps: []Step{ExpectBYE(10 * time.Second)}}.Run(t)
	if res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.Log)
	}
	cb := list()["support"]
	if cb.ID == "" || cb.State != "waiting" || cb.Number == "" {
		t.Fatalf("callback after the caller hung up: %+v", cb)
	}

	// The agent becomes free: reserved for the preview.
	var a agentView
	if code := s.do("POST", "/api/v1/agents/1001/sign-in", map[string]string{}, &a); code != 200 {
		t.Fatalf("sign in: %d %+v", code, a)
	}
	s.eventually(5*time.Second, "1001 reserved for the callback", func() bool { return list()["support"].State == "reserved" })
	var desk struct {
		Callback *callbackView
	}
	if code := s.do("GET", "/api/v1/agents/1001/desk", nil, &desk); code != 200 || desk.Callback == nil || desk.Callback.ID != cb.ID {
		t.Fatalf("desk preview: %d %+v", code, desk.Callback)
	}
	var acc callbackView
	if code := s.do("POST", "/api/v1/desk/callbacks/"+cb.ID+"/accept", map[string]any{"agent": "1001"}, &acc); code != 200 || acc.Call == "" {
		t.Fatalf("accept: %d %+v", code, acc)
	}
	s.eventually(15*time.Second, "the callback connected and closed", func() bool {
		c := list()["support"]
		return c.State == "closed" && c.Reason == "connected"
	})
	if n := len(good.InviteTimes()); n != 1 {
		t.Fatalf("the good carrier got %d INVITEs, want 1", n)
	}
	var rec struct {
		Direction, Trunk, Outcome string
	}
	if code := s.do("GET", "/api/v1/calls/"+acc.Call, nil, &rec); code != 200 || rec.Direction != "outbound" || rec.Trunk != "carrier-good" || rec.Outcome != "answered" {
		t.Fatalf("the callback's call: %d %+v", code, rec)
	}
	var evs eventList
	if code := s.do("GET", "/api/v1/events?type=work.", nil, &evs); code != 200 {
		t.Fatalf("work events: %d", code)
	}
	var types []string
	for _, e := range evs.Events {
		types = append(types, e.Type)
	}
	t.Logf("first callback's records: %v", types)

	// The busy customer: dialled, busy, retried 2 s later, busy, closed.
	s.eventually(10*time.Second, "1001 ready after wrap-up", func() bool { return s.agent("1001").State == "ready" })
	res = Caller{Target: p.SIPAddr(), Number: "200", From: "5550200", Steps: []Step{ExpectBYE(10 * time.Second)}}.Run(t)
	if res.Err != nil {
		t.Fatalf("second caller: %v\n%s", res.Err, res.Log)
	}
	for try := 1; try <= 2; try++ {
		s.eventually(10*time.Second, "1001 reserved for try "+strconv.Itoa(try), func() bool { return list()["sales"].State == "reserved" })
		id := list()["sales"].ID
		if code := s.do("POST", "/api/v1/desk/callbacks/"+id+"/accept", map[string]any{"agent": "1001"}, &acc); code != 200 {
			t.Fatalf("accept try %d: %d", try, code)
		}
		s.eventually(15*time.Second, "try "+strconv.Itoa(try)+" busy", func() bool { return list()["sales"].Attempts == try })
		if c := list()["sales"]; c.Outcome != "busy" {
			t.Fatalf("try %d: %+v", try, c)
		}
	}
	s.eventually(5*time.Second, "the busy callback closed", func() bool { return list()["sales"].State == "closed" })
	if c := list()["sales"]; c.Reason != "max_attempts" || c.Attempts != 2 {
		t.Fatalf("busy callback: %+v", c)
	}
	if n := len(busy.InviteTimes()); n != 2 {
		t.Fatalf("the busy carrier got %d INVITEs, want 2", n)
	}
}
