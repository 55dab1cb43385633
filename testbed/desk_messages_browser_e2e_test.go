//go:build e2e

package testbed

import (
	"testing"
	"time"
)

// deskMessagesConfig: 1 leaves a message for agent 1001, 2 one for the
// support queue (a group message: any of its agents may take it), 3 one
// for the billing queue, which Ada does not serve.
const deskMessagesConfig = `
routes: {default: main}
flows:
  main:
    start: menu
    nodes:
      menu:
        menu:
          prompt: ["sound:beep"]
          options: {"1": for_ada, "2": for_support, "3": for_billing}
          timeout: 5s
          on_failure: bye
      for_ada: {message: {prompt: ["sound:beep"], target: "1001", max_duration: 20s, next: bye}}
      for_support: {message: {prompt: ["sound:beep"], target: support, max_duration: 20s, next: bye}}
      for_billing: {message: {prompt: ["sound:beep"], target: billing, max_duration: 20s, next: bye}}
      bye: {hangup: {}}
queues:
  support: {}
  billing: {}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support]}
  - {id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [billing]}
`

// TestBrowserDeskMessages is issue 16's desk messages defect: the list
// was not live, never showed messages left for the agent's queues, and
// "listen" navigated away from the desk. With the desk open, callers
// leave a message for Ada, one for her queue and one for a queue she does
// not serve: the first two appear without a reload (hers and "queue
// support"), the third does not, and one plays in the page, the desk
// staying where it is.
//
//	go test -tags e2e -count=1 -run 'TestBrowserDeskMessages$' -v ./testbed/
func TestBrowserDeskMessages(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, deskMessagesConfig)
	pw := s.user("ada", "agent", "1001", "")
	b := runBrowser(t, s, "desk-messages.mjs", "SB_AGENT_PW="+pw)
	b.step("open", time.Minute, nil)
	for _, digit := range []string{"3", "2", "1"} {
		if res := caller(p, digit, Pause(3*time.Second), HangUp()).Run(t); res.Err != nil {
			t.Fatalf("caller pressing %s: %v\n%s", digit, res.Err, res.ErrorLog)
		}
	}
	var list struct{ Messages []messageView }
	s.eventually(15*time.Second, "three messages stored", func() bool {
		s.do("GET", "/api/v1/messages", nil, &list)
		return len(list.Messages) == 3
	})
	b.send("left")
	b.step("played", time.Minute, nil)
	b.finish(30 * time.Second)
}
