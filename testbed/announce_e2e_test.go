//go:build e2e

package testbed

import (
	"encoding/json"
	"testing"
	"time"
)

// announceConfig: one agent, a queue with the PBX's music on hold and
// announcements 2 s after joining and every 5 s after that.
const announceConfig = `
routes: {default: main}
flows:
  main:
    start: menu
    nodes:
      menu:
        menu:
          prompt: ["sound:beep"]
          options: {"1": support}
          timeout: 3s
          attempts: 2
          on_failure: bye
      support: {queue: {queue: support, no_agent: bye}}
      bye: {hangup: {}}
queues:
  support:
    max_wait: 60s
    ring_timeout: 5s
    wrap_up: 1s
    moh: default
    announce: {first: 2s, every: 5s}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support]}
`

// TestE2EQueueAnnouncements is issue 14's "while callers wait" on the real
// Asterisk: two callers wait behind a busy agent, hear the PBX's music on
// hold, and are told their place and the expected wait from the queue's
// one handled call (about 3 s of talk + 1 s wrap-up): the first "next, less than
// a minute", the second "caller number 2". Asterisk plays every
// announcement to its end and no music or playback command fails.
func TestE2EQueueAnnouncements(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, announceConfig)
	s.waitLinkUp(10 * time.Second)
	StartPhone(t, p, 1, Answer(500*time.Millisecond))
	s.signIn("1001")

	// One handled call for the handle time.
	if res := caller(p, "1", Pause(4*time.Second), HangUp()).Run(t); res.Err != nil {
		t.Fatalf("first caller: %v\n%s", res.Err, res.ErrorLog)
	}
	s.eventually(10*time.Second, "1001 ready after wrap-up", func() bool { return s.agent("1001").State == "ready" })

	// The agent takes a long call; two callers queue behind it.
	busy := caller(p, "1", Pause(25*time.Second), HangUp()).Start(t)
	defer busy.Stop()
	s.eventually(15*time.Second, "1001 on the long call", func() bool { return s.agent("1001").State == "on_call" })
	first := caller(p, "1", Pause(11*time.Second), HangUp()).Start(t)
	defer first.Stop()
	waitingCalls := func(n int) []string {
		var ids []string
		s.eventually(15*time.Second, "callers waiting", func() bool {
			var list struct {
				Calls []struct {
					ID, Queue string
					Agent     string
				}
			}
			s.do("GET", "/api/v1/calls?open=true", nil, &list)
			ids = ids[:0]
			for _, c := range list.Calls {
				if c.Queue == "support" && c.Agent == "" {
					ids = append(ids, c.ID)
				}
			}
			return len(ids) >= n
		})
		return ids
	}
	firstID := waitingCalls(1)[0]
	second := caller(p, "1", Pause(9*time.Second), HangUp()).Start(t)
	defer second.Stop()
	var secondID string
	for _, id := range waitingCalls(2) {
		if id != firstID {
			secondID = id
		}
	}

	type announced struct {
		Position     int  `json:"position"`
		ExpectedWait int  `json:"expected_wait_s"`
		Staffed      int  `json:"staffed"`
		LessThan     bool `json:"less_than"`
		Said         bool `json:"said"`
	}
	check := func(id string, wantPos int) {
		t.Helper()
		var got []announced
		var played, failed int
		s.eventually(15*time.Second, "an announcement played to "+id, func() bool {
			var list eventList
			s.do("GET", "/api/v1/calls/"+id+"/events", nil, &list)
			got, played, failed = nil, 0, 0
			after := false
			for _, e := range list.Events {
				switch e.Type {
				case "call.announced":
					var a announced
					if err := json.Unmarshal(e.Data, &a); err != nil {
						t.Fatal(err)
					}
					got = append(got, a)
					after = a.Said
				case "pbx.playback_finished":
					var pf struct{ Failed bool }
					_ = json.Unmarshal(e.Data, &pf)
					if after && !pf.Failed {
						played++
					}
					after = false
				case "pbx.command_failed":
					failed++
					t.Logf("command failed on %s: %s", id, e.Data)
				}
			}
			return played >= 1
		})
		if failed != 0 {
			t.Errorf("%s: %d PBX commands failed", id, failed)
		}
		a := got[0]
		t.Logf("%s told %+v", id, a)
		if a.Position != wantPos || a.Staffed != 1 || a.ExpectedWait < 3*wantPos || a.ExpectedWait > 7*wantPos || !a.Said {
			t.Errorf("%s: announced %+v, want position %d, %d-%d s expected, 1 staffed", id, a, wantPos, 3*wantPos, 7*wantPos)
		}
		if !a.LessThan {
			t.Errorf("%s: a wait under a minute must be said as less than one", id)
		}
	}
	check(firstID, 1)
	check(secondID, 2)
	for _, r := range []*CallerRun{first, second} {
		if res := r.Wait(); res.Err != nil {
			t.Errorf("waiting caller: %v\n%s", res.Err, res.ErrorLog)
		}
	}
}
