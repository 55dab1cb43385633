package ari

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"switchboard/routing/pbx"
)

// Supervisor legs (pbx.Snooper). Listen and whisper: a snoop channel on
// the target (spy both ways; whisper "out", towards the agent only) sits
// in a bridge of its own, and the supervisor's leg joins that bridge once
// answered. Barge: the leg joins the call's own mixing bridge. The snoop
// channel enters our Stasis application but is not a call: the decoder
// skips its events except its end, which hangs the supervisor up (what
// they listened to is gone).

// IDs of what the driver makes for a supervisor's leg, derived from the
// leg's ID. Prefixes, not suffixes: Asterisk 22 refused to originate
// "leg-5" (409, "Channel with given unique ID already exists") while a
// snoop channel "leg-5-spy" existed, so no ID may start with another's.
const (
	spyPrefix       = "spy-"
	spyBridgePrefix = "spybr-"
)

var _ pbx.Snooper = (*Driver)(nil)

// snoopLeg is a supervisor's leg while it lives.
type snoopLeg struct {
	mode   pbx.SnoopMode
	spy    string // the snoop channel; "" when barging
	bridge string // where the leg goes once answered
	own    bool   // the bridge was made for this leg: destroyed with it
	// spyGone: the snoop channel ended (the leg was hung up for it).
	spyGone bool
}

// Snoop implements pbx.Snooper. The snoop channel and its bridge exist
// before the supervisor's phone rings; the leg itself is an Originate, so
// it reports like any leg.
func (d *Driver) Snoop(ctx context.Context, req pbx.Snoop) error {
	if req.Channel == "" || req.Endpoint == "" || req.Target == "" {
		return fmt.Errorf("ari: snoop: channel, target and endpoint are required")
	}
	leg := &snoopLeg{mode: req.Mode}
	switch req.Mode {
	case pbx.SnoopListen, pbx.SnoopWhisper:
		leg.spy, leg.bridge, leg.own = spyPrefix+req.Channel, spyBridgePrefix+req.Channel, true
		if err := d.startSpy(ctx, req, leg); err != nil {
			return err
		}
	case pbx.SnoopBarge:
		if req.Bridge == "" {
			return fmt.Errorf("ari: snoop %s: barging needs the call's bridge", req.Channel)
		}
		leg.bridge = req.Bridge
	default:
		return fmt.Errorf("ari: snoop mode %s: %w", req.Mode, pbx.ErrUnsupported)
	}
	d.mu.Lock()
	d.snoops[req.Channel] = leg
	d.mu.Unlock()
	err := d.Originate(ctx, pbx.Originate{
		Channel: req.Channel, Endpoint: req.Endpoint, CallerID: req.CallerID,
		Timeout: req.Timeout, Related: req.Target,
	})
	if err != nil {
		// The engine gives the leg up; a leg that rings anyway finds no
		// bridge when answered and is hung up.
		d.mu.Lock()
		delete(d.snoops, req.Channel)
		d.mu.Unlock()
		d.undoSnoop(ctx, leg)
		return err
	}
	return nil
}

// startSpy makes the snoop channel on req.Target and its bridge.
func (d *Driver) startSpy(ctx context.Context, req pbx.Snoop, leg *snoopLeg) error {
	whisper := "none"
	if req.Mode == pbx.SnoopWhisper {
		whisper = "out" // into what the target's phone hears, not what it sends
	}
	// Known before the request: its StasisStart can come before the answer.
	ready := make(chan struct{})
	d.mu.Lock()
	d.spies[leg.spy] = req.Channel
	d.spyReady[leg.spy] = ready
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.spyReady, leg.spy)
		d.mu.Unlock()
	}()
	q := url.Values{"spy": {"both"}, "whisper": {whisper}, "app": {d.cfg.App}}
	if err := d.rest.do(ctx, opSnoop, []string{req.Target, leg.spy}, q, nil, nil); err != nil {
		d.mu.Lock()
		delete(d.spies, leg.spy)
		d.mu.Unlock()
		// 404 included: the call is gone, so there is nothing to listen to.
		return fmt.Errorf("ari: snoop on %s: %w", req.Target, err)
	}
	// Asterisk answers the snoop request before the channel is in our
	// application; adding it to a bridge before its StasisStart is refused
	// (422 "Channel not in Stasis application", seen on the testbed).
	select {
	case <-ready:
	case <-ctx.Done():
	case <-time.After(d.spyWait):
		d.log.Warn("ari snoop channel not in Stasis in time; bridging anyway", "channel", leg.spy, "waited", d.spyWait)
	}
	if err := d.Bridge(ctx, leg.bridge, leg.spy); err != nil {
		d.undoSnoop(ctx, leg)
		return fmt.Errorf("ari: snoop on %s: %w", req.Target, err)
	}
	return nil
}

// undoSnoop removes the snoop channel and the leg's own bridge; "already
// gone" is fine.
func (d *Driver) undoSnoop(ctx context.Context, leg *snoopLeg) {
	if leg.spy != "" {
		if err := d.Hangup(ctx, leg.spy, pbx.CauseNormal); err != nil {
			d.log.Warn("ari snoop channel not hung up", "channel", leg.spy, "err", err)
		}
	}
	if leg.own {
		if err := d.DestroyBridge(ctx, leg.bridge); err != nil {
			d.log.Warn("ari snoop bridge not destroyed", "bridge", leg.bridge, "err", err)
		}
	}
}

// joinSnoop puts an answered supervisor's leg where its mode says; if that
// fails the leg is hung up rather than left in silence.
func (d *Driver) joinSnoop(ctx context.Context, channel string, leg *snoopLeg) {
	err := d.rest.do(ctx, opAddChannel, []string{leg.bridge}, url.Values{"channel": {channel}}, nil, nil)
	if err == nil {
		return
	}
	if hasStatus(err, http.StatusBadRequest) {
		return // the leg itself just went: its end is on the way
	}
	d.log.Warn("ari supervisor leg not connected; hanging up", "channel", channel, "mode", leg.mode.String(), "bridge", leg.bridge, "err", err)
	if err := d.Hangup(ctx, channel, pbx.CauseNormal); err != nil {
		d.log.Warn("ari supervisor leg not hung up", "channel", channel, "err", err)
	}
}

// snoopEvent does a supervisor leg's follow-up work for an event, in the
// background so delivery never waits on it. It reports false for events
// the engine must not see.
func (d *Driver) snoopEvent(ctx context.Context, ev pbx.Event) bool {
	switch ev := ev.(type) {
	case pbx.LegAnswered:
		d.mu.Lock()
		leg := d.snoops[ev.Channel]
		d.mu.Unlock()
		if leg != nil {
			d.bg.Go(func() { d.joinSnoop(ctx, ev.Channel, leg) })
		}
	case pbx.ChannelHungUp:
		d.mu.Lock()
		leg := d.snoops[ev.Channel]
		delete(d.snoops, ev.Channel)
		d.mu.Unlock()
		if leg != nil {
			d.bg.Go(func() { d.undoSnoop(ctx, leg) })
		}
	case spyStarted:
		d.spyArrived(ev.channel)
		return false
	case spyEnded:
		d.spyArrived(ev.channel) // gone before it started: stop waiting
		d.mu.Lock()
		channel := d.spies[ev.channel]
		if ev.final {
			delete(d.spies, ev.channel)
		}
		leg := d.snoops[channel]
		hang := leg != nil && !leg.spyGone
		if leg != nil {
			leg.spyGone = true
		}
		d.mu.Unlock()
		if hang {
			d.bg.Go(func() {
				if err := d.Hangup(ctx, channel, pbx.CauseNormal); err != nil {
					d.log.Warn("ari supervisor leg not hung up", "channel", channel, "err", err)
				}
			})
		}
		return false
	}
	return true
}

// isSpy implements legSet: channel is a snoop channel of ours.
func (d *Driver) isSpy(channel string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.spies[channel]
	return ok
}

// spyArrived ends startSpy's wait for channel, once.
func (d *Driver) spyArrived(channel string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ch, ok := d.spyReady[channel]; ok {
		close(ch)
		delete(d.spyReady, channel)
	}
}

// spyStarted is the decoder's word that a snoop channel entered our
// application: it can now be bridged.
type spyStarted struct {
	pbx.Base
	channel string
}

func (spyStarted) Kind() string { return "spy_started" }

// spyEnded is the decoder's word that a snoop channel ended (final: its
// last event). The driver acts on it; the engine never sees it.
type spyEnded struct {
	pbx.Base
	channel string
	final   bool
}

func (spyEnded) Kind() string { return "spy_ended" }
