//go:build e2e

package testbed

import (
	"encoding/json"
	"testing"
	"time"
)

// superviseTeamsConfig puts Ada and Cy in team front and Bo in team back.
const superviseTeamsConfig = `
routes: {default: main}
flows:
  main:
    start: bye
    nodes:
      bye: {hangup: {}}
queues:
  support: {wrap_up: 1s}
teams:
  front: {}
  back: {}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: front}
  - {id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [support], team: back}
  - {id: "1003", name: "<b>Cy</b>", endpoint: PJSIP/1003, queues: [support], team: front}
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
