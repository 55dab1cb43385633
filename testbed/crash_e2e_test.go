//go:build e2e

package testbed

import (
	"encoding/json"
	"syscall"
	"testing"
	"time"
)

// kill ends switchboard with SIGKILL: no shutdown code runs, as in a
// crash or an OOM kill.
func (s *sb) kill() {
	s.t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// TestE2ESwitchboardKilledMidCall is issue 13's crash test on the real
// Asterisk, small and exact: one agent talks to caller A while B and
// then C wait; Switchboard is killed with SIGKILL and started again on
// the same data. A's talk goes on to its end, B and C are answered after
// it in the order they queued (their places kept), every call is offered
// once and has one complete record, no caller is cut off, the agent ends
// ready and Asterisk holds no channel afterwards.
func TestE2ESwitchboardKilledMidCall(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboard(t, p)
	StartPhone(t, p, 1, Answer(300*time.Millisecond))
	s.signIn("1001")

	a := caller(p, "1", Pause(12*time.Second), HangUp()).Start(t)
	defer a.Stop()
	s.eventually(10*time.Second, "1001 talking to A", func() bool { return s.agent("1001").State == "on_call" })
	b := caller(p, "1", Pause(20*time.Second), HangUp()).Start(t)
	defer b.Stop()
	waiting := func(n int) {
		s.eventually(10*time.Second, "callers waiting", func() bool {
			var list struct {
				Calls []struct{ Queue, Agent string }
			}
			s.do("GET", "/api/v1/calls?open=true", nil, &list)
			w := 0
			for _, c := range list.Calls {
				if c.Queue == "support" && c.Agent == "" {
					w++
				}
			}
			return w >= n
		})
	}
	waiting(1)
	c := caller(p, "1", Pause(30*time.Second), HangUp()).Start(t)
	defer c.Stop()
	waiting(2)

	s.kill()
	killed := time.Now()
	time.Sleep(time.Second) // the outage: the PBX goes on without us
	s.start()
	t.Logf("switchboard back %v after SIGKILL", time.Since(killed).Round(10*time.Millisecond))

	for name, r := range map[string]*CallerRun{"A": a, "B": b, "C": c} {
		if res := r.Wait(); res.Err != nil {
			t.Errorf("caller %s: %v\n%s", name, res.Err, res.ErrorLog)
		}
	}
	calls := s.endedCalls(3, 20*time.Second)
	type rec struct {
		ID         string     `json:"id"`
		Agent      string     `json:"agent"`
		Outcome    string     `json:"outcome"`
		Offers     int        `json:"offers"`
		QueuedAt   *time.Time `json:"queued_at"`
		AnsweredAt *time.Time `json:"answered_at"`
		Talk       *float64   `json:"talk_seconds"`
	}
	var got []rec
	for _, cv := range calls {
		var r rec
		if code := s.do("GET", "/api/v1/calls/"+cv.ID, nil, &r); code != 200 {
			t.Fatalf("call %s: %d", cv.ID, code)
		}
		got = append(got, r)
	}
	// Oldest first: A, B, C by the time they queued.
	for i := 0; i < len(got); i++ {
		for j := i + 1; j < len(got); j++ {
			if got[j].QueuedAt.Before(*got[i].QueuedAt) {
				got[i], got[j] = got[j], got[i]
			}
		}
	}
	b2, _ := json.Marshal(got)
	t.Logf("calls after the crash: %s", b2)
	for i, r := range got {
		name := string(rune('A' + i))
		if r.Outcome != "answered" || r.Agent != "1001" || r.Offers != 1 || r.AnsweredAt == nil {
			t.Errorf("call %s: %+v, want answered by 1001 after one offer", name, r)
		}
	}
	if len(got) == 3 && got[1].AnsweredAt != nil && got[2].AnsweredAt != nil && !got[1].AnsweredAt.Before(*got[2].AnsweredAt) {
		t.Errorf("C (queued after B) was answered first: B %v, C %v", got[1].AnsweredAt, got[2].AnsweredAt)
	}
	if len(got) == 3 && got[0].Talk != nil && (*got[0].Talk < 8 || *got[0].Talk > 13) {
		t.Errorf("A's talk %.1f s across the crash, want its ~10 s", *got[0].Talk)
	}
	s.eventually(10*time.Second, "1001 ready at the end", func() bool { return s.agent("1001").State == "ready" })
	s.eventually(10*time.Second, "no channel left in Asterisk", func() bool {
		code, body, err := p.ARI("GET", "/channels", nil)
		return err == nil && code == 200 && string(body) == "[]"
	})
}
