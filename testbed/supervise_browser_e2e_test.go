//go:build e2e

package testbed

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// superviseTeamsConfig puts Ada and Cy in team front and Bo in team back;
// every call goes straight to the queue.
const superviseTeamsConfig = `
routes: {default: main}
flows:
  main:
    start: support
    nodes:
      support: {queue: {queue: support, on_timeout: bye}}
      bye: {hangup: {}}
queues:
  support: {wrap_up: 1s}
  sales: {}
teams:
  front: {}
  back: {}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: front}
  - {id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [support], team: back}
  - {id: "1003", name: "<b>Cy</b>", endpoint: PJSIP/1003, queues: [support], team: front}
shared_phones: [PJSIP/1008, PJSIP/1009] # the supervisors' desk phones
`

// TestBrowserLeadForcesNotReady is browser test c: a team lead forces an
// agent not ready on the supervisor page (keyboard only); the agent's
// page shows it; the engine has it; the audit log has it, with the
// reason and before/after.
func TestBrowserLeadForcesNotReady(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, superviseTeamsConfig)
	leadPW := s.user("lena", "team_lead", "", "front")
	agentPW := s.user("ada", "agent", "1001", "front")
	s.signIn("1001")
	s.signIn("1002")
	s.signIn("1003")

	b := runBrowser(t, s, "supervise.mjs", "SB_LEAD_PW="+leadPW, "SB_AGENT_PW="+agentPW)
	b.step("forced", time.Minute, nil)
	b.step("assigned", time.Minute, nil)
	if a := s.agent("1003"); a.State != "ready" || !slices.Equal(a.Queues, []string{"support", "sales"}) || a.Skills["billing"] != 7 {
		t.Fatalf("agent 1003 after the move %+v, want ready in support and sales with billing 7", a)
	}
	b.step("done", time.Minute, nil)
	b.finish(30 * time.Second)

	if a := s.agent("1001"); a.State != "not_ready" || a.Reason != "meeting" {
		t.Fatalf("agent 1001 %+v, want not_ready/meeting", a)
	}
	var audit struct {
		Entries []struct {
			Actor, Action, Target string
			OK                    bool
			Detail                json.RawMessage
		}
	}
	if code := s.do("GET", "/api/v1/audit?action=agent.assignment&actor=lena", nil, &audit); code != 200 || len(audit.Entries) != 1 || audit.Entries[0].Target != "1003" {
		t.Fatalf("assignment audit: %d %+v", code, audit.Entries)
	}
	if code := s.do("GET", "/api/v1/audit?action=agent.force_state&actor=lena", nil, &audit); code != 200 {
		t.Fatalf("audit: %d", code)
	}
	if len(audit.Entries) != 1 {
		t.Fatalf("audit entries %+v, want one by lena", audit.Entries)
	}
	e := audit.Entries[0]
	var d struct{ Before, After, Reason string }
	if err := json.Unmarshal(e.Detail, &d); err != nil || e.Target != "1001" || !e.OK ||
		d.Before != "ready" || d.After != "not_ready" || d.Reason != "meeting" {
		t.Fatalf("audit entry %+v %s", e, e.Detail)
	}
}

// TestBrowserSupervisorListens is browser test d: on the supervisor page a
// supervisor listens to a live call, then whispers, then barges; each time
// their phone (a sipp UAS whose RTP goes to a counter here) is called and
// receives RTP.
func TestBrowserSupervisorListens(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, superviseTeamsConfig)
	supPW := s.user("sam", "supervisor", "", "")
	agentPhone := StartPhone(t, p, 1, Answer(300*time.Millisecond))
	rtp := newRTPCounter(t)
	supPhone := startMediaPhone(t, p, 9, AnswerAndHangUp(300*time.Millisecond, 3*time.Second), rtp.port())
	s.signIn("1001")

	var speech []Step
	for range 6 {
		speech = append(speech, Audio(SpeechPcap, 7*time.Second))
	}
	run := Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000", Steps: append(speech, HangUp())}.Start(t)
	t.Cleanup(func() { run.Stop() })
	if err := agentPhone.WaitCount("answered", 1, 10*time.Second); err != nil {
		out := readFile(agentPhone.proc.outFile)
		t.Fatalf("%v\nphone output (head):\n%s", err, out[:min(len(out), 2000)])
	}

	b := runBrowser(t, s, "supervise-listen.mjs", "SB_SUP_PW="+supPW, "SB_SUP_PHONE=PJSIP/1009")
	b.step("ready", time.Minute, nil)
	if n := rtp.count(); n != 0 {
		t.Fatalf("%d RTP packets before anyone supervised", n)
	}
	for i, mode := range []string{"listen", "whisper", "barge"} {
		b.send(mode)
		b.step("clicked", 20*time.Second, nil)
		if err := supPhone.WaitCount("answered", i+1, 10*time.Second); err != nil {
			t.Fatalf("%s: the supervisor's phone: %v", mode, err)
		}
		got, err := rtp.waitMore(rtp.count(), 50, 2500*time.Millisecond)
		if err != nil {
			t.Fatalf("%s: the supervisor's phone: %v", mode, err)
		}
		t.Logf("%s: %d RTP packets to the supervisor's phone", mode, got)
		if err := supPhone.WaitCount("local-bye", i+1, 6*time.Second); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
	}
	b.send("end")
	b.step("done", 30*time.Second, nil)
	b.finish(30 * time.Second)

	var audit struct {
		Entries []struct{ Actor, Action string }
	}
	if code := s.do("GET", "/api/v1/audit?action=call.&actor=sam", nil, &audit); code != 200 || len(audit.Entries) != 3 {
		t.Fatalf("audit: %d %+v", code, audit.Entries)
	}
}

// TestBrowserSuperviseApprovals: with a team minimum of one working and
// lead approval, Bo's break request waits; the supervisor page shows it
// above the table, sorts and marks its row, and approving clears it
// (web-test/supervise-approvals.mjs).
//
//	go test -tags e2e -count=1 -run 'TestBrowserSuperviseApprovals$' -v ./testbed/
func TestBrowserSuperviseApprovals(t *testing.T) {
	p := StartPBX(t)
	cfg := strings.Replace(deskConfig, "teams: {front: {name: Front}}", "teams: {front: {name: Front, min_ready: 1, approval: lead}}", 1)
	if !strings.Contains(cfg, "approval: lead") {
		t.Fatal("deskConfig changed: no teams line to extend")
	}
	s := startSwitchboardWith(t, p, cfg)
	supPW := s.user("sup", "supervisor", "", "")
	boPW := s.user("bo", "agent", "1002", "front")
	s.signIn("1002")
	b := runBrowser(t, s, "supervise-approvals.mjs", "SB_SUP_PW="+supPW, "SB_AGENT_PW="+boPW)
	b.step("done", 2*time.Minute, nil)
	b.finish(30 * time.Second)
}
