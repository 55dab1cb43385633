//go:build e2e

package testbed

import (
	"slices"
	"testing"
	"time"
)

// caller dials the entry number, waits for the greeting and the menu, and
// presses digits, then runs the rest of the script.
func caller(p *PBX, digits string, rest ...Step) Caller {
	steps := []Step{Pause(1500 * time.Millisecond)}
	steps = append(steps, Digits(digits)...)
	return Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000", Steps: append(steps, rest...)}
}

func TestE2EAnsweredCall(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboard(t, p)
	phone := StartPhone(t, p, 1, Answer(1*time.Second))
	s.signIn("1001")

	res := caller(p, "1", Pause(6*time.Second), HangUp()).Run(t)
	if res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	c := s.endedCalls(1, 10*time.Second)[0]
	if c.Outcome != "answered" || c.HangupBy != "caller" || c.Agent != "1001" || c.Queue != "support" {
		t.Fatalf("call %+v", c)
	}
	// A supervisor sees the number masked, and may reveal it (audited).
	if c.Caller != "138****8000" {
		t.Fatalf("caller %q, want it masked", c.Caller)
	}
	var rev struct{ Number string }
	if code := s.do("POST", "/api/v1/calls/"+c.ID+"/reveal", nil, &rev); code != 200 || rev.Number != "13800138000" {
		t.Fatalf("reveal: %d %+v", code, rev)
	}
	if !slices.Contains(c.IVRPath, "greeting") || !containsSuffix(c.IVRPath, "support") {
		t.Fatalf("ivr path %v", c.IVRPath)
	}
	// The phone rings 1 s, so the caller waited at least that long; the
	// caller talks until its 6 s pause ends.
	if c.WaitSeconds == nil || *c.WaitSeconds < 0.9 || *c.WaitSeconds > 5 {
		t.Fatalf("wait %v", c.WaitSeconds)
	}
	if c.TalkSeconds == nil || *c.TalkSeconds < 3 || *c.TalkSeconds > 7 {
		t.Fatalf("talk %v", c.TalkSeconds)
	}
	want := []string{"call.arrived", "call.ivr", "call.ivr", "call.ivr", "call.queued", "call.decision", "call.offered", "call.answered", "call.ended"}
	if got := s.callTypes(c.ID); !slices.Equal(got, want) {
		t.Fatalf("event log\n got %v\nwant %v", got, want)
	}
	// The log also holds the inputs: it starts with the PBX handing the call
	// over and holds the agent's state changes for this call.
	all := s.allTypes(c.ID)
	if all[0] != "pbx.call_arrived" || !slices.Contains(all, "pbx.dtmf") || !slices.Contains(all, "agent.state") {
		t.Fatalf("event log of the call: %v", all)
	}
	if err := phone.WaitCount("remote-bye", 1, 5*time.Second); err != nil {
		t.Fatalf("the agent's phone was not hung up when the caller left: %v\n%s", err, phone.Log())
	}
	s.eventually(5*time.Second, "agent ready after wrap-up", func() bool { return s.agent("1001").State == "ready" })
}

func TestE2ECallerAbandonsInQueue(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboard(t, p)
	s.signIn("1001")
	if code := s.do("PUT", "/api/v1/agents/1001/state", map[string]string{"state": "not_ready", "reason": "break"}, nil); code != 200 {
		t.Fatalf("not ready: %d", code)
	}
	res := caller(p, "1", Pause(3*time.Second), HangUp()).Run(t)
	if res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	c := s.endedCalls(1, 10*time.Second)[0]
	if c.Outcome != "abandoned_queue" || c.HangupBy != "caller" || c.Agent != "" || c.Offers != 0 {
		t.Fatalf("call %+v", c)
	}
	if c.WaitSeconds == nil || *c.WaitSeconds < 2 {
		t.Fatalf("wait %v", c.WaitSeconds)
	}
	want := []string{"call.arrived", "call.ivr", "call.ivr", "call.ivr", "call.queued", "call.ended"}
	if got := s.callTypes(c.ID); !slices.Equal(got, want) {
		t.Fatalf("event log\n got %v\nwant %v", got, want)
	}
}

func TestE2EOfferFailsThenNextAgent(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mode   PhoneMode
		reason string
	}{
		{"no answer", NeverAnswer, "no_answer"},
		{"busy", Busy, "busy"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := StartPBX(t)
			s := startSwitchboard(t, p)
			first := StartPhone(t, p, 1, tt.mode)
			StartPhone(t, p, 2, Answer(500*time.Millisecond))
			s.signIn("1001") // idle longest: offered first
			s.signIn("1002")

			res := caller(p, "1", Pause(9*time.Second), HangUp()).Run(t)
			if res.Err != nil {
				t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
			}
			c := s.endedCalls(1, 10*time.Second)[0]
			if c.Outcome != "answered" || c.Agent != "1002" || c.Offers != 2 || c.OfferFailures != 1 {
				t.Fatalf("call %+v", c)
			}
			if a := s.agent("1001"); a.State != "not_ready" || a.Reason != tt.reason {
				t.Fatalf("first agent %+v, want not_ready/%s", a, tt.reason)
			}
			if first.Calls() != 1 {
				t.Fatalf("first phone got %d INVITEs, want 1\n%s", first.Calls(), first.Log())
			}
			want := []string{"call.arrived", "call.ivr", "call.ivr", "call.ivr", "call.queued", "call.decision", "call.offered", "call.offer_failed", "call.decision", "call.offered", "call.answered", "call.ended"}
			if got := s.callTypes(c.ID); !slices.Equal(got, want) {
				t.Fatalf("event log\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestE2EMenuBranches(t *testing.T) {
	for _, tt := range []struct {
		name    string
		signIn  bool
		digits  string
		path    []string
		outcome string
	}{
		// Nobody signed in: the queue's no-agent branch plays and hangs up.
		{"no agent signed in", false, "1", []string{"greeting", "menu", "1→support", "no_agent→closed", "goodbye", "bye"}, "no_agent"},
		// 7 is no option: the invalid prompt, the menu again, then no digit
		// at all: after two attempts the failure branch says goodbye.
		{"invalid digit then timeout", true, "7", []string{"greeting", "menu", "invalid→menu", "timeout→goodbye", "bye"}, "flow_hangup"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := StartPBX(t)
			s := startSwitchboard(t, p)
			if tt.signIn {
				s.signIn("1001")
			}
			res := caller(p, tt.digits, ExpectBYE(30*time.Second)).Run(t)
			if res.Err != nil || !res.RemoteHangup {
				t.Fatalf("caller: %v (remote hangup %v)\n%s", res.Err, res.RemoteHangup, res.ErrorLog)
			}
			c := s.endedCalls(1, 10*time.Second)[0]
			if c.Outcome != tt.outcome || c.HangupBy != "switchboard" {
				t.Fatalf("call %+v, want outcome %s", c, tt.outcome)
			}
			if !slices.Equal(c.IVRPath, tt.path) {
				t.Fatalf("ivr path\n got %v\nwant %v", c.IVRPath, tt.path)
			}
		})
	}
}

func containsSuffix(path []string, node string) bool {
	for _, p := range path {
		if p == node || len(p) > len(node) && p[len(p)-len(node):] == node {
			return true
		}
	}
	return false
}
