//go:build e2e

package testbed

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBrowserDesk is browser test a: an agent signs in to their phone and
// goes ready; a real sipp call is offered; the screen pop shows the
// caller's number and history within 1 s of the agent's phone ringing;
// the agent wraps up with a disposition; the call record carries it.
//
//	go test -tags e2e -run TestBrowserDesk -v ./testbed/
func TestBrowserDesk(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, deskConfig)
	pw := s.user("ada", "agent", "1001", "front")
	// The phone rings 2 s before it answers: the pop must come within the
	// first second of that.
	StartPhone(t, p, 1, Answer(2*time.Second))
	b := runBrowser(t, s, "desk.mjs", "SB_AGENT_PW="+pw)
	b.step("ready", time.Minute, nil)
	if a := s.agent("1001"); a.State != "ready" || a.Endpoint != "PJSIP/1001" {
		t.Fatalf("agent after the page signed in: %+v", a)
	}
	for i, disp := range []string{"callback", "resolved"} {
		run := caller(p, "1", Pause(6*time.Second), HangUp()).Start(t)
		b.send("call")
		var pop struct{ At int64 }
		b.step(fmt.Sprintf("popped%d", i+1), time.Minute, &pop)
		if res := run.Wait(); res.Err != nil {
			t.Fatalf("caller %d: %v\n%s", i+1, res.Err, res.ErrorLog)
		}
		b.step(fmt.Sprintf("wrapped%d", i+1), time.Minute, nil)
		c := s.endedCalls(i+1, 10*time.Second)[0]
		var list eventList
		s.do("GET", "/api/v1/calls/"+c.ID+"/events?type=pbx.leg_ringing", nil, &list)
		if len(list.Events) == 0 {
			t.Fatalf("call %d: no ringing event", i+1)
		}
		ring := list.Events[0].Time
		late := time.UnixMilli(pop.At).Sub(ring)
		t.Logf("call %d: the pop showed %v after the phone rang", i+1, late)
		if late > time.Second {
			t.Fatalf("call %d: the pop came %v after the phone rang, want ≤ 1 s", i+1, late)
		}
		var rec wrappedCall
		if code := s.do("GET", "/api/v1/calls/"+c.ID, nil, &rec); code != 200 || rec.Disposition != disp || rec.WrappedBy != "1001" {
			t.Fatalf("call %d record: %d %+v", i+1, code, rec)
		}
	}
	b.finish(30 * time.Second)
}

// TestBrowserDeskWrapUpDraft is issue 16's first "Broken" items as an
// agent lives them: before the first sign-in the desk shows no time in
// state; a sign-in on a phone another agent holds is refused naming them
// (and the error goes once the sign-in succeeds); notes typed during the
// call carry into wrap-up; the last 10 s are warned; the agent extends
// once; the timer runs out unsubmitted and the call record still carries
// the disposition and notes typed.
//
//	go test -tags e2e -count=1 -run 'TestBrowserDeskWrapUpDraft$' -v ./testbed/
func TestBrowserDeskWrapUpDraft(t *testing.T) {
	p := StartPBX(t)
	cfg := strings.Replace(deskConfig, "support: {join_empty: true, ring_timeout: 5s, wrap_up: 60s,",
		"support: {join_empty: true, ring_timeout: 5s, wrap_up: 14s, wrap_up_extend: 6s,", 1)
	// Front keeps one agent working, a lead approves breaks: Ada alone
	// asking for one waits for approval.
	cfg = strings.Replace(cfg, "teams: {front: {name: Front}}", "teams: {front: {name: Front, min_ready: 1, approval: lead}}", 1)
	if !strings.Contains(cfg, "wrap_up_extend: 6s") || !strings.Contains(cfg, "approval: lead") {
		t.Fatal("deskConfig changed: the support queue or team line is not there")
	}
	// Ada's phone is also a shared one, so Bo may sit on it (and does).
	cfg += "shared_phones: [PJSIP/1001]\n"
	s := startSwitchboardWith(t, p, cfg)
	pw := s.user("ada", "agent", "1001", "front")
	StartPhone(t, p, 1, Answer(time.Second))
	// Bo sits on Ada's phone.
	if code := s.do("POST", "/api/v1/agents/1002/sign-in", map[string]string{"endpoint": "PJSIP/1001"}, nil); code != 200 {
		t.Fatalf("1002 on PJSIP/1001: %d", code)
	}
	b := runBrowser(t, s, "desk-wrapup.mjs", "SB_AGENT_PW="+pw)
	b.step("taken", time.Minute, nil)
	if a := s.agent("1001"); a.State != "signed_out" {
		t.Fatalf("1001 after the refused sign-in: %+v", a)
	}
	if code := s.do("POST", "/api/v1/agents/1002/sign-out", map[string]string{"reason": "wrong phone"}, nil); code != 200 {
		t.Fatalf("1002 sign-out: %d", code)
	}
	b.send("free")
	b.step("ready", time.Minute, nil)
	run := caller(p, "1", Pause(8*time.Second), HangUp()).Start(t)
	b.send("call")
	b.step("expired", 2*time.Minute, nil)
	if res := run.Wait(); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	c := s.endedCalls(1, 10*time.Second)[0]
	var rec wrappedCall
	if code := s.do("GET", "/api/v1/calls/"+c.ID, nil, &rec); code != 200 {
		t.Fatalf("call record: %d", code)
	}
	t.Logf("call record after wrap-up ran out: %+v", rec)
	if rec.Disposition != "callback" || rec.Notes != "客户问账单; call back Friday" || !rec.FollowUp || rec.WrappedBy != "1001" {
		t.Fatalf("wrap-up ran out and the typed work is not on the call: %+v", rec)
	}
	b.step("withdrawn", time.Minute, nil)
	var list eventList
	s.do("GET", "/api/v1/events?type=agent.request", nil, &list)
	if n := len(list.Events); n != 2 {
		t.Fatalf("%d agent.request records, want the request and its withdrawal", n)
	}
	if a := s.agent("1001"); a.State != "ready" {
		t.Fatalf("after the withdrawal: %+v", a)
	}
	b.finish(30 * time.Second)
}

// TestBrowserDeskDialRefusals is the desk's dial box (issue 14) against
// the real server: a number that is no number and one on the do-not-call
// list are refused, each reason shown at the number field in the user's
// language, and nothing is dialled (the agent stays ready, no call).
//
//	go test -tags e2e -count=1 -run 'TestBrowserDeskDialRefusals$' -v ./testbed/
func TestBrowserDeskDialRefusals(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, deskConfig+`
dialplan:
  trunks:
    - {name: carrier1, host: 127.0.0.1, port: 5071}
trunk_groups:
  out:
    members: [{trunk: carrier1}]
outbound:
  manual: out
  numbers: {country_code: "86", national_prefix: "0", international_prefix: "00"}
  do_not_call: ["010 9999 9999"]
`)
	pw := s.user("ada", "agent", "1001", "front")
	StartPhone(t, p, 1, Answer(time.Second))
	b := runBrowser(t, s, "desk-dial.mjs", "SB_AGENT_PW="+pw)
	b.step("refused", time.Minute, nil)
	var calls callList
	if code := s.do("GET", "/api/v1/calls", nil, &calls); code != 200 || len(calls.Calls) != 0 {
		t.Fatalf("refused dials left calls: %d %+v", code, calls.Calls)
	}
	if a := s.agent("1001"); a.State != "ready" {
		t.Fatalf("agent after refused dials: %+v", a)
	}
	b.finish(30 * time.Second)
}

// TestBrowserDeskClickToDial is issue 14's click-to-dial in Chromium: the
// agent dials a national number from the desk; Switchboard rings the
// agent's phone, then the carrier through the trunk group (normalised to
// E.164); the page shows the call to that number, then wrap-up, and the
// disposition and notes the agent gave land on the outbound call's record.
//
//	go test -tags e2e -count=1 -run 'TestBrowserDeskClickToDial$' -v ./testbed/
func TestBrowserDeskClickToDial(t *testing.T) {
	p := StartPBX(t)
	good := StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	s := startSwitchboardWith(t, p, deskConfig+fmt.Sprintf(`
dialplan:
  trunks:
    - {name: carrier-good, host: 127.0.0.1, port: %d}
trunk_groups:
  out:
    members: [{trunk: carrier-good}]
outbound:
  manual: out
  numbers: {country_code: "86", national_prefix: "0", international_prefix: "00"}
`, TrunkGood.Port(p)))
	pw := s.user("ada", "agent", "1001", "front")
	// The agent's phone answers at once and hangs up after 8 s of talk. (The
	// supervisor reading the record sees the number masked; the agent's page
	// showed it whole.)
	StartPhone(t, p, 1, AnswerAndHangUp(500*time.Millisecond, 8*time.Second))
	b := runBrowser(t, s, "desk-dial-call.mjs", "SB_AGENT_PW="+pw)
	b.step("wrapped", 2*time.Minute, nil)
	if n := len(good.InviteTimes()); n != 1 {
		t.Fatalf("carrier got %d INVITEs, want 1", n)
	}
	c := s.endedCalls(1, 10*time.Second)[0]
	var rec struct {
		wrappedCall
		Direction, Trunk, Called string
	}
	if code := s.do("GET", "/api/v1/calls/"+c.ID, nil, &rec); code != 200 {
		t.Fatalf("call record: %d", code)
	}
	t.Logf("outbound call record: %+v", rec)
	if rec.Direction != "outbound" || rec.Trunk != "carrier-good" || rec.Called != "+861*****6666" ||
		rec.Disposition != "resolved" || rec.Notes != "dialled from the desk" || rec.WrappedBy != "1001" {
		t.Fatalf("outbound call record %+v", rec)
	}
	b.finish(30 * time.Second)
}

// TestBrowserDeskUnknownAgent: Bo's account was made for agent 1002,
// whom a config change then took out; his desk says its agent is gone and
// stops polling (it used to poll the 404 for ever).
//
//	go test -tags e2e -count=1 -run 'TestBrowserDeskUnknownAgent$' -v ./testbed/
func TestBrowserDeskUnknownAgent(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, deskConfig)
	pw := s.user("bo", "agent", "1002", "")
	var cfg struct {
		Sections []struct{ Name, YAML string }
	}
	if code := s.do("GET", "/api/v1/config", nil, &cfg); code != 200 {
		t.Fatalf("config: %d", code)
	}
	var agents string
	for _, sec := range cfg.Sections {
		if sec.Name == "agents" {
			agents = sec.YAML
		}
	}
	var kept []string
	for _, l := range strings.Split(agents, "\n") {
		if !strings.Contains(l, `"1002"`) {
			kept = append(kept, l)
		}
	}
	if len(kept) == len(strings.Split(agents, "\n")) {
		t.Fatalf("no agent 1002 line in the agents section:\n%s", agents)
	}
	body := map[string]string{"yaml": strings.Join(kept, "\n"), "comment": "Bo leaves"}
	if code := s.do("PUT", "/api/v1/config/sections/agents", body, nil); code != 200 {
		t.Fatalf("take 1002 out: %d", code)
	}
	if code := s.do("GET", "/api/v1/agents/1002", nil, nil); code != 404 {
		t.Fatalf("1002 after the change: %d, want 404", code)
	}
	b := runBrowser(t, s, "desk-unknown.mjs", "SB_AGENT_PW="+pw)
	b.step("stopped", time.Minute, nil)
	b.finish(30 * time.Second)
}

// TestBrowserDeskForcedSignOut: a supervisor signs Ada out with a reason;
// her desk says who and why, live, in English and Chinese, and forgets it
// once she signs in again (web-test/desk-forced.mjs).
//
//	go test -tags e2e -count=1 -run 'TestBrowserDeskForcedSignOut$' -v ./testbed/
func TestBrowserDeskForcedSignOut(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, deskConfig)
	pw := s.user("ada", "agent", "1001", "front")
	s.signIn("1001")
	b := runBrowser(t, s, "desk-forced.mjs", "SB_AGENT_PW="+pw)
	b.step("ready", time.Minute, nil)
	var v struct {
		State       string `json:"state"`
		SignedOutBy string `json:"signed_out_by"`
		SignOutNote string `json:"sign_out_note"`
	}
	if code := s.do("POST", "/api/v1/agents/1001/sign-out", map[string]string{"reason": "shift over"}, &v); code != 200 ||
		v.State != "signed_out" || v.SignedOutBy == "" || v.SignOutNote != "shift over" {
		t.Fatalf("forced sign-out: %d %+v", code, v)
	}
	b.send(v.SignedOutBy)
	b.step("done", time.Minute, nil)
	b.finish(30 * time.Second)
}
