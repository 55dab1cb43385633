//go:build e2e

package testbed

import (
	"testing"
	"time"
)

// answeredCall places one call that agent 1001 answers and checks it ends
// as answered; n is how many calls have ended before it.
func answeredCall(t *testing.T, p *PBX, s *sb, n int) {
	t.Helper()
	res := caller(p, "1", Pause(3*time.Second), HangUp()).Run(t)
	if res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	c := s.endedCalls(n+1, 10*time.Second)[0]
	if c.Outcome != "answered" || c.Agent != "1001" {
		t.Fatalf("call %+v", c)
	}
	s.eventually(5*time.Second, "agent ready after wrap-up", func() bool { return s.agent("1001").State == "ready" })
}

func TestE2EAsteriskRestartedWhileRunning(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboard(t, p)
	StartPhone(t, p, 1, Answer(300*time.Millisecond))
	s.signIn("1001")
	answeredCall(t, p, s, 0)

	if err := p.Restart(); err != nil {
		t.Fatal(err)
	}
	// The driver reconnects by itself; /healthz says so once it resynced.
	s.waitLinkUp(30 * time.Second)
	answeredCall(t, p, s, 1)
}

func TestE2ESwitchboardRestarted(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboard(t, p)
	StartPhone(t, p, 1, Answer(300*time.Millisecond))
	s.signIn("1001")
	answeredCall(t, p, s, 0)

	s.stop()
	s.start()
	// The store is the memory: the agent is still signed in and ready,
	// the first call is still listed, and the next call routes.
	if a := s.agent("1001"); a.State != "ready" {
		t.Fatalf("agent after restart: %+v", a)
	}
	if calls := s.endedCalls(1, time.Second); len(calls) != 1 {
		t.Fatalf("calls after restart: %d", len(calls))
	}
	answeredCall(t, p, s, 1)
}

func TestE2EBadInput(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboard(t, p)
	var body struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	if code := s.do("PUT", "/api/v1/agents/1001/state", map[string]string{"state": "not_ready"}, &body); code != 400 || body.Error.Field != "reason" {
		t.Fatalf("not_ready without reason: %d %+v", code, body)
	}
	if code := s.do("PUT", "/api/v1/agents/1001/state", map[string]any{"state": 7}, &body); code != 400 || body.Error.Field != "state" {
		t.Fatalf("state of the wrong type: %d %+v", code, body)
	}
	if code := s.do("POST", "/api/v1/agents/nobody/sign-in", map[string]string{}, &body); code != 404 {
		t.Fatalf("unknown agent: %d %+v", code, body)
	}
	if code := s.do("GET", "/api/v1/calls/nope", nil, &body); code != 404 {
		t.Fatalf("unknown call: %d %+v", code, body)
	}
}
