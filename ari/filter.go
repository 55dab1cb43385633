package ari

import (
	"context"
	"fmt"
)

// allowedEvents is the application's event filter (Asterisk 22,
// PUT /applications/{app}/eventFilter): the types decode uses,
// ApplicationReplaced to warn about a second controller, and the
// reachability events of trunks and phones (contacts, endpoints, peers).
// It drops the ~33 ChannelVarset events of each call (PBX-FACTS) and
// every other type before Asterisk encodes them.
var allowedEvents = []string{
	"StasisStart", "StasisEnd", "ChannelStateChange", "ChannelDtmfReceived",
	"PlaybackFinished", "ChannelHangupRequest", "ChannelDestroyed", "ApplicationReplaced",
	"RecordingFinished", "RecordingFailed",
	"ContactStatusChange", "EndpointStateChange", "PeerStatusChange",
}

// filterEvents sets the event filter after each (re)connect: a restarted
// Asterisk has forgotten it. A PBX that refuses it (an older Asterisk) is
// not fatal: the driver skips the events it does not use, at some CPU.
// That is logged once as a warning, later refusals at debug.
func (d *Driver) filterEvents(ctx context.Context) {
	err := d.setEventFilter(ctx)
	switch {
	case err == nil || ctx.Err() != nil:
	case d.filterRefused.CompareAndSwap(false, true):
		d.log.Warn("ari event filter not set; unused events are skipped here", "err", err)
	default:
		d.log.Debug("ari event filter not set", "err", err)
	}
}

// setEventFilter limits the application's events to allowedEvents.
func (d *Driver) setEventFilter(ctx context.Context) error {
	type typ struct {
		Type string `json:"type"`
	}
	body := struct {
		Allowed []typ `json:"allowed"`
	}{}
	for _, t := range allowedEvents {
		body.Allowed = append(body.Allowed, typ{t})
	}
	if err := d.rest.do(ctx, opEventFilter, []string{d.cfg.App}, nil, body, nil); err != nil {
		return fmt.Errorf("ari: set event filter: %w", err)
	}
	return nil
}
