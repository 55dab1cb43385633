package routing

import (
	"encoding/json"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// TestAdoptAfterRestart is the restore path (issue 13, crash safety):
// after a restart the calls the log shows open come back at the first
// resync. A call whose agent leg went during the outage ends (answered)
// instead of queueing for a second agent; waiting callers keep their
// numbers and their place: the one who queued first is offered first,
// whatever their IDs or the map order.
func TestAdoptAfterRestart(t *testing.T) {
	h := newHarness(t)
	t0 := h.now
	h.m.RestoreAgent(h.now, "a1", AgentStateData{To: "on_call", Endpoint: "PJSIP/1001"}, t0.Add(-2*time.Minute))
	h.m.RestoreAgent(h.now, "a2", AgentStateData{To: "not_ready", Reason: "break", Endpoint: "PJSIP/1002"}, t0.Add(-time.Hour))
	for _, rc := range []RestoredCall{
		{ID: "call-ans", Channel: "ch-ans", Flow: "main", Queue: "support", Agent: "a1", Leg: "leg-1", Answered: true, Caller: "13800000009"},
		{ID: "call-z", Channel: "ch-old", Flow: "main", Queue: "support", Caller: "13800000001", QueuedAt: t0.Add(-5 * time.Minute)},
		{ID: "call-a", Channel: "ch-new", Flow: "main", Queue: "support", Caller: "13800000002", QueuedAt: t0.Add(-time.Minute)},
	} {
		h.m.RestoreCall(rc)
	}
	out := h.in(pbx.Resynced{Channels: []pbx.ChannelInfo{{Channel: "ch-ans", State: "Up"}, {Channel: "ch-old", State: "Up"}, {Channel: "ch-new", State: "Up"}}})

	// The answered call whose agent leg is gone ends; its caller is hung up.
	var ended *EndedData
	for _, r := range out.Records {
		if r.Type == EvCallEnded && r.CallID == "call-ans" {
			ended = new(EndedData)
			if err := json.Unmarshal(r.Data, ended); err != nil {
				t.Fatal(err)
			}
		}
		if r.Type == EvCallQueued && r.CallID == "call-ans" {
			t.Fatal("the answered call was queued again")
		}
	}
	if ended == nil || ended.Outcome != OutcomeAnswered || ended.Cause != "agent_gone_after_restart" {
		t.Fatalf("answered call's end %+v", ended)
	}
	hungUp := false
	for _, c := range out.Commands {
		if hu, ok := c.(cmdHangup); ok && hu.Channel == "ch-ans" {
			hungUp = true
		}
	}
	if !hungUp {
		t.Fatalf("the caller of the ended call was not hung up: %#v", out.Commands)
	}
	if c := h.m.calls["call-ans"]; c != nil {
		t.Fatalf("ended call still live: %+v", c)
	}

	// The waiting ones kept their place.
	for ch, at := range map[string]time.Time{"ch-old": t0.Add(-5 * time.Minute), "ch-new": t0.Add(-time.Minute)} {
		c := h.m.byChannel[ch]
		if c == nil || c.phase != phaseQueued || !c.entry.queuedAt.Equal(at) {
			t.Fatalf("%s after adopt: %+v", ch, c)
		}
	}
	// a2 comes back from the break: the caller who queued first, with
	// their number on the phone.
	h.advance(time.Second)
	if _, err := h.agentCmd("ready", "a2", ""); err != nil {
		t.Fatal(err)
	}
	o := find[cmdOriginate](t, h.last)
	if o.Req.Related != "ch-old" || o.Req.CallerID != "13800000001" {
		t.Fatalf("first offer %+v, want ch-old showing 13800000001", o.Req)
	}
	// a1's wrap-up of the ended call runs out: the next caller.
	h.advance(time.Second)
	h.in(TimerFired{Name: "wrapup:a1"})
	o = find[cmdOriginate](t, h.last)
	if o.Req.Related != "ch-new" || o.Req.CallerID != "13800000002" {
		t.Fatalf("second offer %+v, want ch-new showing 13800000002", o.Req)
	}
}

// TestResyncJudgesByTheListingsTime: an offer made after the PBX was asked
// for its channels (the link back, the answer not yet read) is not in
// the listing; it must stay, not be withdrawn with its leg left ringing.
// One made before the listing and missing from it is withdrawn.
func TestResyncJudgesByTheListingsTime(t *testing.T) {
	for _, tt := range []struct {
		name      string
		listedAgo time.Duration // the listing's time before the Resynced is read
		offerAgo  time.Duration // the offer's time before it
		kept      bool
	}{
		{"offer after the listing", 2 * time.Second, time.Second, true},
		{"offer before the listing", time.Second, 2 * time.Second, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.signIn("a1")
			h.in(pbx.LinkDown{})
			start := h.now
			h.arrive("ch1")
			h.now = start
			h.advance(10 * time.Second)
			read := h.now
			h.now = read.Add(-tt.offerAgo)
			leg := find[cmdOriginate](t, h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})).Req.Channel
			h.now = read
			out := h.in(pbx.Resynced{Base: pbx.Base{Time: read.Add(-tt.listedAgo)},
				Channels: []pbx.ChannelInfo{{Channel: "ch1", State: "Up"}}})
			withdrawn := false
			for _, c := range out.Commands {
				if hu, ok := c.(cmdHangup); ok && hu.Channel == leg {
					withdrawn = true
				}
			}
			// Withdrawn, the leg is hung up (and the caller offered again).
			if withdrawn == tt.kept {
				t.Fatalf("leg %s hung up %v; want the offer kept %v", leg, withdrawn, tt.kept)
			}
			if st := h.agent("a1").State; st != Reserved {
				t.Fatalf("agent %s, want reserved (the kept offer, or the new one)", st)
			}
		})
	}
}
