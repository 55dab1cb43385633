//go:build e2e

package testbed

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dialConfig: one agent, and a trunk group ordered 503 → silent → good,
// so a click-to-dial must fail over twice within its one attempt.
const dialConfig = `
dialplan:
  trunks:
    - {name: carrier-good, host: 127.0.0.1, port: %d, qualify: 2s}
    - {name: carrier-503, host: 127.0.0.1, port: %d, qualify: 2s}
    - {name: carrier-silent, host: 127.0.0.1, port: %d, qualify: 2s}
trunk_groups:
  out:
    order: priority
    members:
      - {trunk: carrier-503, priority: 1}
      - {trunk: carrier-silent, priority: 2}
      - {trunk: carrier-good, priority: 3}
    invite_timeout: %s
    ring_timeout: 10s
outbound:
  manual: out
  do_not_call: ["4930999999"]
routes: {default: main}
flows:
  main: {start: bye, nodes: {bye: {hangup: {}}}}
queues:
  support: {ring_timeout: 5s, wrap_up: 60s}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: front}
teams: {front: {name: Front}}
dispositions: [resolved]
`

// TestE2EClickToDialFailover is issue 14's "must hold" on the real
// Asterisk: an agent's click-to-dial through the API rings the agent's
// phone, then the group's trunks in order — the 503 carrier fails over at
// once, the silent one after the invite timeout — and connects through
// the good carrier on the first attempt; the call's records name both
// failovers and their causes, the wrap-up lands on the call, and the
// good carrier's INVITE comes less than 1 s + invite_timeout after the
// agent's 200 OK (sipp wall clocks, one machine). Refusals dial nothing.
func TestE2EClickToDialFailover(t *testing.T) {
	const inviteTimeout = 2 * time.Second
	p := StartPBX(t)
	good := StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	bad := StartCarrier(t, Trunk503.Port(p), CarrierRejects(503))
	silent := StartCarrier(t, TrunkSilent.Port(p), CarrierSilent)
	s := startSwitchboardWith(t, p, fmt.Sprintf(dialConfig, TrunkGood.Port(p), Trunk503.Port(p), TrunkSilent.Port(p), inviteTimeout))
	s.waitLinkUp(10 * time.Second)

	phone, err := startSipp(t, t.TempDir(), "phone", ringingPhonesScenario(200*time.Millisecond, 3*time.Second),
		[]string{"-p", strconv.Itoa(p.AgentPort(1)), "-m", "1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitUDPBound(p.AgentPort(1), phone, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	s.signIn("1001")

	// Refusals first: each names its reason, and nothing is dialled.
	for _, tc := range []struct {
		number     string
		code       int
		err, field string
	}{
		{"", 400, "bad_request", "number"},
		{"12ab34", 400, "bad_request", "number"},
		{"1234567890123456789012", 400, "bad_request", "number"},
		{"4930999999", 403, "do_not_call", ""},
	} {
		var e struct{ Error struct{ Code, Field string } }
		if code := s.do("POST", "/api/v1/desk/dial", map[string]any{"agent": "1001", "number": tc.number}, &e); code != tc.code || e.Error.Code != tc.err || e.Error.Field != tc.field {
			t.Errorf("dial %q: %d %+v, want %d %s %q", tc.number, code, e, tc.code, tc.err, tc.field)
		}
	}
	if n := len(good.InviteTimes()) + len(bad.InviteTimes()) + len(silent.InviteTimes()); n != 0 {
		t.Fatalf("refused dials reached a carrier: %d INVITEs", n)
	}
	if a := s.agent("1001"); a.State != "ready" {
		t.Fatalf("agent after refusals: %+v", a)
	}

	var call struct {
		ID, Number, Direction string
	}
	if code := s.do("POST", "/api/v1/desk/dial", map[string]any{"agent": "1001", "number": "+49 30 123-456"}, &call); code != 202 || call.ID == "" || call.Direction != "outbound" {
		t.Fatalf("dial: %d %+v", code, call)
	}
	s.eventually(15*time.Second, "1001 in wrap-up after the outbound call", func() bool { return s.agent("1001").State == "wrap_up" })

	var list eventList
	if code := s.do("GET", "/api/v1/calls/"+call.ID+"/events?type=call.trunk_attempt", nil, &list); code != 200 {
		t.Fatalf("events: %d", code)
	}
	type attempt struct {
		Trunk, Result, Why string
		SIPCode            int `json:"sip_code"`
		Failover           bool
	}
	var got []attempt
	for _, e := range list.Events {
		var a attempt
		if err := json.Unmarshal(e.Data, &a); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	want := []attempt{
		{Trunk: "carrier-503", Result: "failed", Why: "sip_503", SIPCode: 503, Failover: true},
		{Trunk: "carrier-silent", Result: "timeout", Why: "invite_timeout", Failover: true},
		{Trunk: "carrier-good", Result: "answered"},
	}
	if len(got) != len(want) {
		t.Fatalf("trunk attempts %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Trunk != w.Trunk || g.Result != w.Result || g.Failover != w.Failover || (w.Why != "" && g.Why != w.Why) || (w.SIPCode != 0 && g.SIPCode != w.SIPCode) {
			t.Errorf("attempt %d: %+v, want %+v", i+1, g, w)
		}
	}

	// Agent's 200 OK → the good carrier's INVITE, on sipp's wall clocks.
	lines, err := parseBenchLog(readFile(phone.logFile))
	if err != nil {
		t.Fatal(err)
	}
	var agentOK time.Time
	for _, l := range lines {
		if l.what == "ok" {
			agentOK = l.at
		}
	}
	invites := good.InviteTimes()
	if agentOK.IsZero() || len(invites) != 1 {
		t.Fatalf("agent 200 OK at %v, good carrier's INVITEs %v", agentOK, invites)
	}
	gap := invites[0].Sub(agentOK)
	t.Logf("agent 200 OK → carrier-good INVITE: %v (503 and silent tried first; invite_timeout %v)", gap.Round(time.Millisecond), inviteTimeout)
	if gap < inviteTimeout || gap > inviteTimeout+time.Second {
		t.Errorf("agent 200 OK → good carrier's INVITE %v, want within [%v, %v]", gap, inviteTimeout, inviteTimeout+time.Second)
	}

	// Wrap-up lands on the outbound call's record.
	var a agentView
	if code := s.do("POST", "/api/v1/calls/"+call.ID+"/wrap-up", map[string]any{"agent": "1001", "disposition": "resolved", "notes": "called back"}, &a); code != 200 {
		t.Fatalf("wrap-up: %d %+v", code, a)
	}
	var rec struct {
		Direction, Trunk, Outcome, Disposition, Notes string
		Attempts                                      int
	}
	if code := s.do("GET", "/api/v1/calls/"+call.ID, nil, &rec); code != 200 {
		t.Fatalf("call: %d", code)
	}
	if rec.Direction != "outbound" || rec.Trunk != "carrier-good" || rec.Attempts != 3 || rec.Outcome != "answered" || rec.Disposition != "resolved" || rec.Notes != "called back" {
		t.Errorf("call record %+v", rec)
	}

	// The trunk report counts the same tries from the records: one carrier
	// failure, one INVITE timeout, one answer, two failovers, and the talk.
	now := time.Now()
	period := fmt.Sprintf("from=%s&to=%s", now.AddDate(0, 0, -1).Format(time.DateOnly), now.AddDate(0, 0, 1).Format(time.DateOnly))
	var byTrunk reportTable
	if code := s.do("GET", "/api/v1/reports/summary?group=trunk&"+period, nil, &byTrunk); code != 200 {
		t.Fatalf("trunk report: %d", code)
	}
	for _, tc := range []struct {
		trunk, col string
		want       float64
	}{
		{"carrier-503", "attempts", 1}, {"carrier-503", "failed", 1}, {"carrier-503", "failovers", 1}, {"carrier-503", "asr", 0},
		{"carrier-silent", "timeouts", 1}, {"carrier-silent", "failovers", 1},
		{"carrier-good", "attempts", 1}, {"carrier-good", "answered", 1}, {"carrier-good", "asr", 100}, {"carrier-good", "connected", 1},
	} {
		if got := byTrunk.value(t, tc.trunk, tc.col); got != tc.want {
			t.Errorf("trunk report %s %s = %v, want %v", tc.trunk, tc.col, got, tc.want)
		}
	}
	if talk := byTrunk.value(t, "carrier-good", "talk"); talk <= 0 || talk != byTrunk.value(t, "carrier-good", "acd") {
		t.Errorf("carrier-good talk %v, acd %v: want the one call's talk, > 0", talk, byTrunk.value(t, "carrier-good", "acd"))
	}

	// The good carrier dies: the engine marks its trunk down from the
	// PBX's qualify (2 s + pjsip's 3 s qualify timeout), and back up by
	// itself when the carrier returns.
	trunkState := func(name string) string {
		var v struct {
			Trunks []struct{ Name, State string }
		}
		if code := s.do("GET", "/api/v1/trunks", nil, &v); code != 200 {
			t.Fatalf("trunks: %d", code)
		}
		for _, tr := range v.Trunks {
			if tr.Name == name {
				return tr.State
			}
		}
		return ""
	}
	good.Stop()
	killed := time.Now()
	s.eventually(9*time.Second, "carrier-good down", func() bool { return trunkState("carrier-good") == "down" })
	t.Logf("carrier-good down %v after its sipp was killed", time.Since(killed).Round(10*time.Millisecond))
	StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	back := time.Now()
	s.eventually(9*time.Second, "carrier-good up again", func() bool { return trunkState("carrier-good") == "up" })
	t.Logf("carrier-good up %v after restart", time.Since(back).Round(10*time.Millisecond))
	var states eventList
	if code := s.do("GET", "/api/v1/events?type=trunk.state", nil, &states); code != 200 {
		t.Fatalf("trunk.state events: %d", code)
	}
	var changes []string
	for _, e := range states.Events {
		var d struct{ Trunk, From, To, Reason string }
		_ = json.Unmarshal(e.Data, &d)
		if d.Trunk == "carrier-good" {
			changes = append(changes, d.From+"→"+d.To+" ("+d.Reason+")")
		}
	}
	t.Logf("carrier-good's trunk.state records: %v", changes)
	if len(changes) < 2 || !strings.HasSuffix(changes[len(changes)-2], "→down (peer_unreachable)") || !strings.HasPrefix(changes[len(changes)-1], "down→up") {
		t.Errorf("carrier-good's state changes %v, want …→down (peer_unreachable), then down→up", changes)
	}
}
