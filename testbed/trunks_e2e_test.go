//go:build e2e

package testbed

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"switchboard/ari"
	"switchboard/routing/pbx"
)

// trunkRig is the ARI driver on the testbed with its three carrier trunks.
type trunkRig struct {
	t      *testing.T
	drv    *ari.Driver
	events chan pbx.Event
}

func startTrunkRig(t *testing.T, p *PBX) *trunkRig {
	drv, err := ari.New(ari.Config{
		URL: fmt.Sprintf("http://127.0.0.1:%d", p.ARIPort), User: p.User, Password: p.Password, App: p.App,
		Node: "testbed", Trunks: []string{TrunkGood.Name, Trunk503.Name, TrunkSilent.Name},
	}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &trunkRig{t: t, events: make(chan pbx.Event, 1000)}
	done := make(chan struct{})
	go func() { defer close(done); _ = drv.Run(ctx, r.events) }()
	t.Cleanup(func() { cancel(); <-done })
	r.drv = drv
	return r
}

// await returns the first event within d that match accepts; it fails the
// test when none comes.
func (r *trunkRig) await(d time.Duration, what string, match func(pbx.Event) bool) pbx.Event {
	r.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev := <-r.events:
			if match(ev) {
				return ev
			}
		case <-deadline:
			r.t.Fatalf("no %s within %v", what, d)
			return nil
		}
	}
}

func peer(name string, reachable bool) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		ps, ok := ev.(pbx.PeerState)
		return ok && ps.Peer == name && ps.Trunk && ps.Reachable == reachable
	}
}

func leg(channel string, kind string) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		switch ev := ev.(type) {
		case pbx.LegRinging:
			return ev.Channel == channel && kind == "ringing"
		case pbx.LegAnswered:
			return ev.Channel == channel && kind == "answered"
		case pbx.ChannelHungUp:
			return ev.Channel == channel && kind == "hungup"
		}
		return false
	}
}

// Three sipp carriers on the real Asterisk: the good one rings and
// answers, the 503 one's failure reaches the engine as SIP 503, the
// silent one gives no ringing; killing the good one makes its trunk
// unreachable within two qualify intervals (2 s each: the kill may fall
// just after one) + Asterisk's qualify timeout (3 s),
// and restarting it brings it back.
func TestTrunkCarriersE2E(t *testing.T) {
	p := StartPBX(t)
	good := StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	StartCarrier(t, Trunk503.Port(p), CarrierRejects(503))
	StartCarrier(t, TrunkSilent.Port(p), CarrierSilent)
	r := startTrunkRig(t, p)
	// Every trunk qualifies within one interval once its carrier answers.
	// They may report in any order (one burst after connect), and each
	// only once: wait for all three together.
	up := map[string]bool{}
	r.await(8*time.Second, "all three carriers reachable", func(ev pbx.Event) bool {
		if ps, ok := ev.(pbx.PeerState); ok && ps.Trunk {
			up[ps.Peer] = ps.Reachable
		}
		return up[TrunkGood.Name] && up[Trunk503.Name] && up[TrunkSilent.Name]
	})
	ctx := context.Background()
	id := fmt.Sprintf("%d", time.Now().UnixNano())
	dial := func(tr Trunk) string {
		ch := "trunk-" + tr.Name + "-" + id
		if err := r.drv.Originate(ctx, pbx.Originate{Channel: ch, Trunk: tr.Name, Number: "4930123456", Timeout: 5 * time.Second}); err != nil {
			t.Fatalf("originate via %s: %v", tr.Name, err)
		}
		return ch
	}

	g := dial(TrunkGood)
	r.await(3*time.Second, "ringing via carrier-good", leg(g, "ringing"))
	r.await(3*time.Second, "answer via carrier-good", leg(g, "answered"))
	if err := r.drv.Hangup(ctx, g, 0); err != nil {
		t.Fatal(err)
	}

	b := dial(Trunk503)
	hu := r.await(3*time.Second, "hang-up via carrier-503", leg(b, "hungup")).(pbx.ChannelHungUp)
	if hu.SIPCode != 503 {
		t.Errorf("carrier-503: SIPCode %d (cause %v), want 503", hu.SIPCode, hu.Cause)
	}

	s := dial(TrunkSilent)
	start := time.Now()
	for time.Since(start) < 2*time.Second {
		select {
		case ev := <-r.events:
			if leg(s, "ringing")(ev) || leg(s, "answered")(ev) || leg(s, "hungup")(ev) {
				t.Fatalf("carrier-silent: %T within 2 s", ev)
			}
		case <-time.After(2*time.Second - time.Since(start)):
		}
	}
	if err := r.drv.Hangup(ctx, s, 0); err != nil {
		t.Fatal(err)
	}

	good.Stop()
	killed := time.Now()
	r.await(2*2*time.Second+3*time.Second+time.Second, "carrier-good unreachable", peer(TrunkGood.Name, false))
	t.Logf("carrier-good unreachable %v after its sipp was killed", time.Since(killed).Round(10*time.Millisecond))
	StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	restarted := time.Now()
	r.await(2*2*time.Second+3*time.Second+time.Second, "carrier-good reachable again", peer(TrunkGood.Name, true))
	t.Logf("carrier-good reachable %v after restart", time.Since(restarted).Round(10*time.Millisecond))
}
