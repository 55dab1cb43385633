//go:build e2e

package testbed

import (
	"fmt"
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
