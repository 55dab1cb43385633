//go:build e2e

package testbed

import (
	"testing"
	"time"
)

// wallboardTVConfig: support is served by Ada; vip only by Bob, who is
// signed out at first, so nobody serves it.
const wallboardTVConfig = `
routes: {default: main}
flows:
  main:
    start: support
    nodes:
      support: {queue: {queue: support, no_agent: bye, on_timeout: bye}}
      bye: {hangup: {}}
queues:
  support: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  vip: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
teams:
  front: {name: Front desk}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: front}
  - {id: "1002", name: Bob, endpoint: PJSIP/1002, queues: [vip], team: front}
`

// TestBrowserWallboardTV (issue 16, wallboard fit for a wall): a queue
// nobody serves is red, written out ("nobody serving") and sorted first,
// with a red alert line; the agent grid shows each agent's state and a
// ticking time in it ("never signed in" before the first sign-in); TV
// mode, switched by keyboard, scales the fonts, hides the navigation and
// survives a reload; when Bob signs in, vip turns OK live
// (web-test/wallboard-tv.mjs).
func TestBrowserWallboardTV(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, wallboardTVConfig)
	pw := s.user("sup", "supervisor", "", "")
	s.signIn("1001")

	b := runBrowser(t, s, "wallboard-tv.mjs", "SB_SUP=sup", "SB_SUP_PW="+pw)
	b.step("unserved", time.Minute, nil)
	s.signIn("1002")
	b.send("go")
	b.step("served", 30*time.Second, nil)
	b.finish(time.Minute)
}
