package report

import (
	"encoding/json"
	"testing"
	"time"

	"switchboard/routing"
)

// outboundDay appends two outbound calls on the fixture day: one that
// fails over 503 → silent → good and talks 90 s on good, one that finds
// its callee busy on good and is not failed over.
func outboundDay(t *testing.T) *Builder {
	st := fixtureStore(t)
	at := time.Date(2025, 3, 14, 10, 0, 0, 0, fixtureLoc)
	rec := func(sec int, typ, call string, d any) *routing.Record {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return &routing.Record{Time: at.Add(time.Duration(sec) * time.Second), Type: typ, CallID: call, AgentID: "1001", Data: b}
	}
	try := func(sec int, call, trunk string, n int, result, why string, code int, failover bool) *routing.Record {
		return rec(sec, routing.EvCallTrunkAttempt, call, routing.TrunkAttemptData{Trunk: trunk, Try: n, Result: result, Why: why, SIPCode: code, Failover: failover})
	}
	dialled := func(sec int, call string) *routing.Record {
		return rec(sec, routing.EvCallDialled, call, routing.DialledData{Direction: routing.DirectionOutbound, Agent: "1001",
			Endpoint: "PJSIP/1001", Leg: call + "-a", Number: "+8613800000000", Purpose: "manual", Group: "out"})
	}
	appendBatches(t, st, []*routing.Record{
		dialled(0, "o1"),
		try(2, "o1", "carrier-503", 1, routing.AttemptFailed, "sip_503", 503, true),
		try(6, "o1", "carrier-silent", 2, routing.AttemptTimeout, "invite_timeout", 0, true),
		try(10, "o1", "carrier-good", 3, routing.AttemptAnswered, "answered", 200, false),
		rec(10, routing.EvCallAnswered, "o1", routing.OfferData{Agent: "1001", Endpoint: "PJSIP/1001"}),
		rec(100, routing.EvCallEnded, "o1", routing.EndedData{Outcome: routing.OutcomeAnswered, Direction: routing.DirectionOutbound,
			Trunk: "carrier-good", Attempts: 3, TalkSeconds: 90}),
		dialled(200, "o2"),
		try(205, "o2", "carrier-good", 1, routing.AttemptCallee, "busy", 486, false),
		rec(205, routing.EvCallEnded, "o2", routing.EndedData{Outcome: routing.OutcomeBusy, Direction: routing.DirectionOutbound, Attempts: 1}),
	})
	b := fixtureBuilder(st)
	b.cfg.Trunks = []string{"carrier-503", "carrier-good", "carrier-silent", "carrier-idle"}
	return b
}

func TestTrunkGrouping(t *testing.T) {
	b := outboundDay(t)
	req := Request{Report: "summary", Period: "custom", From: "2025-03-14", To: "2025-03-14"}
	tab := build(t, b, req, GroupTrunk)
	got := map[string]map[string]string{}
	for _, r := range tab.Rows {
		got[r.Key] = map[string]string{}
		for i, c := range tab.Columns {
			got[r.Key][c.Key] = fmtVal(r.Values[i])
		}
	}
	for key, want := range map[string]map[string]string{
		"carrier-503":    {"attempts": "1", "failed": "1", "failovers": "1", "answered": "0", "asr": "0", "connected": "0", "acd": "-"},
		"carrier-silent": {"attempts": "1", "timeouts": "1", "failovers": "1", "asr": "0"},
		"carrier-good":   {"attempts": "2", "answered": "1", "callee": "1", "failovers": "0", "asr": "50", "connected": "1", "talk": "90", "acd": "90"},
		"carrier-idle":   {"attempts": "0", "asr": "-"}, // configured, unused: shown
	} {
		if got[key] == nil {
			t.Fatalf("no row %q in %v", key, got)
		}
		for col, v := range want {
			if got[key][col] != v {
				t.Errorf("trunk %s %s = %s, want %s", key, col, got[key][col], v)
			}
		}
	}
	if v, _ := cell(tab, tab.Total, "attempts"); v != "4" {
		t.Errorf("total attempts %s, want 4", v)
	}

	why := build(t, b, req, GroupTrunkCause)
	keys := map[string]string{}
	for _, r := range why.Rows {
		keys[r.Key] = fmtVal(r.Values[0])
	}
	want := map[string]string{"carrier-503/sip_503": "1", "carrier-silent/invite_timeout": "1", "carrier-good/busy": "1"}
	if len(keys) != len(want) {
		t.Fatalf("cause rows %v, want %v", keys, want)
	}
	for k, v := range want {
		if keys[k] != v {
			t.Errorf("cause %s = %s, want %s", k, keys[k], v)
		}
	}
}

// TestOutboundApartFromInbound: outbound calls have their own columns and
// leave the inbound figures (answered, handled, answer rate) as they were.
func TestOutboundApartFromInbound(t *testing.T) {
	req := Request{Report: "summary", Period: "custom", From: "2025-03-14", To: "2025-03-14"}
	before := build(t, fixtureBuilder(fixtureStore(t)), req, GroupDay)
	after := build(t, outboundDay(t), req, GroupDay)
	for _, col := range []string{"offered", "answered", "handled", "talk", "answer_rate", "aht"} {
		b, _ := cell(before, before.Rows[0], col)
		a, _ := cell(after, after.Rows[0], col)
		if a != b {
			t.Errorf("%s changed by outbound calls: %s → %s", col, b, a)
		}
	}
	for col, want := range map[string]string{"outbound": "2", "outbound_answered": "1", "outbound_talk": "90"} {
		if v, _ := cell(after, after.Rows[0], col); v != want {
			t.Errorf("%s = %s, want %s", col, v, want)
		}
	}
	agents := build(t, outboundDay(t), req, GroupAgent)
	for _, r := range agents.Rows {
		if r.Key == "1001" {
			if v, _ := cell(agents, r, "outbound"); v != "2" {
				t.Errorf("agent 1001 outbound = %s, want 2", v)
			}
		}
	}
}
