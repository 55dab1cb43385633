//go:build e2e

package testbed

import (
	"fmt"
	"testing"
	"time"
)

// TestBrowserDeskCallbackPreview: a caller opts in and is hung up; the
// agent signs in on the desk page, which pops the callback preview; a
// skip without a reason is refused at the field; the agent accepts with
// the keyboard; the customer (carrier-good) answers and the callback
// closes connected; the team lead's callbacks page lists it.
//
//	go test -tags e2e -count=1 -run TestBrowserDeskCallbackPreview -v ./testbed/
func TestBrowserDeskCallbackPreview(t *testing.T) {
	p := StartPBX(t)
	StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	StartCarrier(t, Trunk503.Port(p), CarrierRejects(486))
	s := startSwitchboardWith(t, p, fmt.Sprintf(callbackConfig, TrunkGood.Port(p), Trunk503.Port(p)))
	s.waitLinkUp(10 * time.Second)
	StartPhone(t, p, 1, AnswerAndHangUp(200*time.Millisecond, 2*time.Second))
	pw := s.user("ada", "agent", "1001", "front")

	res := Caller{Target: p.SIPAddr(), Number: "100", From: "5550100", Steps: []Step{ExpectBYE(10 * time.Second)}}.Run(t)
	if res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.Log)
	}
	b := runBrowser(t, s, "desk-callback.mjs", "SB_AGENT_PW="+pw, "SB_CB_NUMBER=5550100")
	b.step("accepted", time.Minute, nil)
	b.step("ended", time.Minute, nil)
	var v []callbackView
	s.eventually(10*time.Second, "the callback closed connected", func() bool {
		if code := s.do("GET", "/api/v1/callbacks", nil, &v); code != 200 || len(v) != 1 {
			return false
		}
		return v[0].State == "closed" && v[0].Reason == "connected"
	})
	b.finish(30 * time.Second)

	// The team lead's worklist shows it, closed and connected.
	leadPW := s.user("lea", "team_lead", "", "front")
	lb := runBrowser(t, s, "callbacks.mjs", "SB_LEAD_PW="+leadPW, "SB_CB_NUMBER=5550100")
	lb.step("listed", time.Minute, nil)
	lb.finish(30 * time.Second)
}
