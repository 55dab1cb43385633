//go:build e2e

package testbed

import (
	"strings"
	"testing"
	"time"
)

// A phone that goes silent (sends no RTP) is hung up by Asterisk after its
// media timeout, rendered by `switchboard render` (the testbed's phone 1007
// has media_timeout: 5s), so the call ends instead of staying bridged to
// nobody: the case of a caller or phone gone without a BYE.
func TestE2EMediaTimeoutEndsASilentCall(t *testing.T) {
	p := StartPBX(t)
	cfg := strings.Replace(e2eConfig, `  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support]}
  - {id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [support]}`,
		`  - {id: "1007", name: Ed, endpoint: PJSIP/1007, queues: [support]}`, 1)
	if cfg == e2eConfig {
		t.Fatal("the agents of e2eConfig changed; update this test")
	}
	s := startSwitchboardWith(t, p, cfg)
	phone := StartPhone(t, p, 7, Answer(300*time.Millisecond)) // answers, then never sends RTP
	s.signIn("1007")

	// The caller sends no RTP either, but the callers' endpoint waits the
	// default 60 s: only the agent's 5 s can end this call within 40 s.
	res := caller(p, "1", ExpectBYE(40*time.Second)).Run(t)
	if res.Err != nil || !res.RemoteHangup {
		t.Fatalf("caller: %v (remote hangup %v)\n%s", res.Err, res.RemoteHangup, res.ErrorLog)
	}
	c := s.endedCalls(1, 10*time.Second)[0]
	if c.Outcome != "answered" || c.Agent != "1007" || c.HangupBy != "agent" {
		t.Fatalf("call %+v, want answered by 1007 and ended from the agent's side\n%s", c, phone.Log())
	}
	if c.TalkSeconds == nil || *c.TalkSeconds < 4 || *c.TalkSeconds > 20 {
		t.Fatalf("talked %v s, want about the phone's 5 s media timeout", c.TalkSeconds)
	}
}
