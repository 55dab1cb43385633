//go:build e2e

package dialplan_test

import (
	"net/http"
	"testing"
	"time"

	"switchboard/testbed"
)

// The testbed's Asterisk runs the dialplan `switchboard render` wrote
// (testbed/pbx.sh): DID 100 goes to Stasis(switchboard,100); with no
// Stasis application registered it rings 1001-1003 at once.
func TestMain(m *testing.M) { testbed.Main(m) }

// Switchboard down: the DID reaches the fallback ring group. Every phone of
// the group rings, 1002 answers and talks to the caller, the others are
// cancelled, and a phone outside the group never rings.
func TestFallbackRingGroupWhenSwitchboardIsDown(t *testing.T) {
	p := testbed.StartPBX(t)
	p1 := testbed.StartPhone(t, p, 1, testbed.NeverAnswer)
	p2 := testbed.StartPhone(t, p, 2, testbed.Answer(500*time.Millisecond))
	p3 := testbed.StartPhone(t, p, 3, testbed.NeverAnswer)
	p4 := testbed.StartPhone(t, p, 4, testbed.Answer(0)) // not in the group

	res := testbed.Caller{
		Target: p.SIPAddr(), Number: "100",
		Steps: []testbed.Step{testbed.Pause(time.Second), testbed.HangUp()},
	}.Run(t)
	if res.Err != nil || !res.Answered {
		t.Fatalf("caller: err=%v answered=%v\nlog:\n%s\nerrors:\n%s", res.Err, res.Answered, res.Log, res.ErrorLog)
	}
	// The caller hung up the answered call: Asterisk sends 1002 its BYE.
	if err := p2.WaitCount("remote-bye", 1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := p2.Count("answered"); n != 1 {
		t.Errorf("1002 answered %d calls, want 1; log:\n%s", n, p2.Log())
	}
	for _, ph := range []*testbed.Phone{p1, p3} {
		if err := ph.WaitCount("cancelled", 1, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if ph.Count("invite") != 1 || ph.Count("ringing") != 1 || ph.Count("answered") != 0 {
			t.Errorf("phone %s: want one ring, cancelled; log:\n%s", ph.User, ph.Log())
		}
	}
	if n := p4.Count("invite"); n != 0 {
		t.Errorf("1004 is not in the ring group but got %d INVITEs", n)
	}
}

// Switchboard down and nobody answers: after the ring time the last step
// (playback) answers, plays the prompt and hangs up.
func TestFallbackLastStepWhenNobodyAnswers(t *testing.T) {
	p := testbed.StartPBX(t)
	var group []*testbed.Phone
	for n := 1; n <= 3; n++ {
		group = append(group, testbed.StartPhone(t, p, n, testbed.NeverAnswer))
	}
	start := time.Now()
	res := testbed.Caller{
		Target: p.SIPAddr(), Number: "100", AnswerTimeout: 20 * time.Second,
		Steps: []testbed.Step{testbed.ExpectBYE(15 * time.Second)},
	}.Run(t)
	if res.Err != nil || !res.Answered || !res.RemoteHangup {
		t.Fatalf("caller: err=%v answered=%v remoteHangup=%v\nlog:\n%s", res.Err, res.Answered, res.RemoteHangup, res.Log)
	}
	for _, ph := range group {
		if err := ph.WaitCount("cancelled", 1, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	// The ring time is SB_FALLBACK_RING_TIME (5 s by default).
	if took := time.Since(start); took < 4*time.Second {
		t.Errorf("the call ended after %v, before the ring time", took)
	}
}

// Switchboard connected (the Stasis app registered): the same DID goes to
// Stasis with the DID as its argument, and no phone of the group rings.
func TestDIDGoesToStasisWhenSwitchboardIsConnected(t *testing.T) {
	p := testbed.StartPBX(t)
	p1 := testbed.StartPhone(t, p, 1, testbed.Answer(0))
	w := testbed.WatchARI(t, p, p.App)

	run := testbed.Caller{Target: p.SIPAddr(), Number: "100", Steps: []testbed.Step{testbed.ExpectBYE(10 * time.Second)}}.Start(t)
	ev := w.WaitType(10*time.Second, "StasisStart", "")
	if len(ev.Args) != 1 || ev.Args[0] != "100" {
		t.Errorf("StasisStart args = %q, want [100]", ev.Args)
	}
	id := ev.Channel.ID
	for _, req := range []struct{ method, path string }{{http.MethodPost, "/channels/" + id + "/answer"}, {http.MethodDelete, "/channels/" + id}} {
		if code, body, err := p.ARI(req.method, req.path, nil); err != nil || code != http.StatusNoContent {
			t.Fatalf("%s %s: %d %s %v", req.method, req.path, code, body, err)
		}
	}
	res := run.Wait()
	if res.Err != nil || !res.RemoteHangup {
		t.Fatalf("caller: err=%v remoteHangup=%v\nlog:\n%s", res.Err, res.RemoteHangup, res.Log)
	}
	if n := p1.Count("invite"); n != 0 {
		t.Errorf("1001 rang %d times while Switchboard was connected", n)
	}
}
