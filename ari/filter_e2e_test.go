//go:build e2e

package ari

import (
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"switchboard/routing/pbx"
	"switchboard/testbed"
)

// On the real Asterisk, the event types the filter leaves out never reach
// the driver: an answered call sends no ChannelVarset (nor any other type
// outside allowedEvents) while the filter holds, and the same call sends
// them once the filter is cleared (so the first half is not vacuous).
func TestE2EEventFilter(t *testing.T) {
	p := testbed.StartPBX(t)
	r := startWith(t, Config{URL: fmt.Sprintf("http://127.0.0.1:%d", p.ARIPort), User: p.User, Password: p.Password,
		App: p.App, Node: "testbed"}, slog.New(slog.DiscardHandler))
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced first")
	}
	// seen is how many messages of each type reached the driver so far.
	seen := func() map[string]float64 {
		mfs, err := r.reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, mf := range mfs {
			if mf.GetName() != "switchboard_ari_events_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "type" {
						out[l.GetValue()] += m.GetCounter().GetValue()
					}
				}
			}
		}
		return out
	}
	// call answers one caller, who hangs up after a second, and waits
	// for the end of the channel.
	call := func() {
		t.Helper()
		run := testbed.Caller{Target: p.SIPAddr(), Number: "100",
			Steps: []testbed.Step{testbed.Pause(time.Second), testbed.HangUp()}}.Start(t)
		defer run.Stop()
		arrived, ok := r.next().(pbx.CallArrived)
		if !ok {
			t.Fatal("want CallArrived")
		}
		if err := r.d.Answer(t.Context(), arrived.Channel); err != nil {
			t.Fatal(err)
		}
		for {
			if ev, ok := r.next().(pbx.ChannelHungUp); ok && ev.Channel == arrived.Channel {
				return
			}
		}
	}

	call()
	filtered := seen()
	if filtered["StasisStart"] < 1 {
		t.Fatalf("no StasisStart counted: %v", filtered)
	}
	for typ, n := range filtered {
		if !slices.Contains(allowedEvents, typ) {
			t.Errorf("%v %s events reached the driver through the filter", n, typ)
		}
	}
	t.Logf("filtered call: %v", filtered)

	code, body, err := p.ARI("PUT", "/applications/"+p.App+"/eventFilter", map[string][]any{"allowed": {}, "disallowed": {}})
	if err != nil || code != 200 {
		t.Fatalf("clear the filter: %d %v %s", code, err, body)
	}
	call()
	after := seen()
	t.Logf("both calls, the second unfiltered: %v", after)
	if after["ChannelVarset"] == 0 {
		t.Errorf("no ChannelVarset even without the filter: the check above proves nothing (%v)", after)
	}
}
