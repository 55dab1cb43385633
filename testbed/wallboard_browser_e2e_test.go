//go:build e2e

package testbed

import (
	"testing"
	"time"
)

// wallboardConfig: callers go straight to support after a beep; twelve
// queues fill the screen; waiting 1 is already amber.
const wallboardConfig = `
routes: {default: main}
flows:
  main:
    start: greeting
    nodes:
      greeting: {play: {media: ["sound:beep"], next: support}}
      support: {queue: {queue: support, no_agent: bye, on_timeout: bye}}
      bye: {hangup: {}}
queues:
  support: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q02: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q03: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q04: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q05: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q06: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q07: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q08: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q09: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q10: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q11: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
  q12: {max_wait: 60s, ring_timeout: 3s, wrap_up: 1s, hold_media: ["sound:beep"]}
teams:
  front: {name: Front desk}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: front}
wallboard:
  thresholds:
    waiting: {amber: 1, red: 5}
`

// TestBrowserWallboard (must-hold b): a supervisor's wallboard shows the
// support queue's waiting count go from 0 to 1 when a real sipp caller
// joins (within 1 s of the call.queued record) and back to 0 when they
// hang up, without a reload, with an alert line meanwhile
// (web-test/wallboard.mjs).
func TestBrowserWallboard(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, wallboardConfig)
	pw := s.user("sup", "supervisor", "", "")
	// Signed in but on a break: the caller waits in the queue.
	s.signIn("1001")
	if code := s.do("PUT", "/api/v1/agents/1001/state", map[string]string{"state": "not_ready", "reason": "break"}, nil); code != 200 {
		t.Fatalf("not ready: %d", code)
	}

	b := runBrowser(t, s, "wallboard.mjs", "SB_SUP=sup", "SB_SUP_PW="+pw)
	b.step("ready", time.Minute, nil)
	run := Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000",
		Steps: []Step{Pause(6 * time.Second), HangUp()}}.Start(t)
	b.send("go")

	var joined, left struct{ At int64 }
	b.step("joined", 30*time.Second, &joined)
	if res := run.Wait(); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	b.step("left", 30*time.Second, &left)
	b.finish(30 * time.Second)

	// Within 1 s of the records (one clock: the same machine).
	c := s.endedCalls(1, 10*time.Second)[0]
	if c.Outcome != "abandoned_queue" {
		t.Fatalf("call %+v", c)
	}
	var list eventList
	s.do("GET", "/api/v1/events?call_id="+c.ID, nil, &list)
	at := map[string]time.Time{}
	for _, e := range list.Events {
		if _, seen := at[e.Type]; !seen {
			at[e.Type] = e.Time
		}
	}
	for _, chk := range []struct {
		what  string
		rec   time.Time
		shown int64
	}{{"joined (call.queued)", at["call.queued"], joined.At}, {"left (call.ended)", at["call.ended"], left.At}} {
		if chk.rec.IsZero() {
			t.Fatalf("no record for %s in %v", chk.what, list.Events)
		}
		lag := time.UnixMilli(chk.shown).Sub(chk.rec)
		t.Logf("%s shown %v after the record", chk.what, lag)
		if lag > time.Second {
			t.Errorf("%s shown %v after the record, want within 1 s", chk.what, lag)
		}
	}
}
