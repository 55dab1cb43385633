package ari

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// Commands. Each treats "already gone" (404 on a channel, playback or
// bridge that just ended; PBX-FACTS) as success: the matching event
// arrives on its own. Other failures wrap ARI's status and message.

// Answer answers an inbound channel.
func (d *Driver) Answer(ctx context.Context, channel string) error {
	err := d.rest.do(ctx, opAnswer, []string{channel}, nil, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound) {
		return fmt.Errorf("ari: answer %s: %w", channel, err)
	}
	return nil
}

// Ring indicates ringing to an inbound channel (SIP 180) without
// answering it: the caller hears ringback until Answer.
func (d *Driver) Ring(ctx context.Context, channel string) error {
	err := d.rest.do(ctx, opRing, []string{channel}, nil, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound) {
		return fmt.Errorf("ari: ring %s: %w", channel, err)
	}
	return nil
}

// Play plays media on channel as playback playbackID.
func (d *Driver) Play(ctx context.Context, channel, playbackID string, media ...string) error {
	if len(media) == 0 {
		return fmt.Errorf("ari: play %s on %s: no media", playbackID, channel)
	}
	err := d.rest.do(ctx, opPlay, []string{channel, playbackID}, url.Values{"media": media}, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound) {
		return fmt.Errorf("ari: play %s on %s: %w", playbackID, channel, err)
	}
	return nil
}

// StartMOH plays music-on-hold class to channel until StopMOH (or the
// channel joins a bridge or hangs up).
func (d *Driver) StartMOH(ctx context.Context, channel, class string) error {
	err := d.rest.do(ctx, opStartMOH, []string{channel}, url.Values{"mohClass": {class}}, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound, http.StatusConflict) {
		return fmt.Errorf("ari: music on hold %q on %s: %w", class, channel, err)
	}
	return nil
}

// StopMOH stops a channel's music on hold. A channel that is hanging up
// answers 409 "Channel not in Stasis application" (seen on Asterisk 22
// under load) rather than 404: gone either way.
func (d *Driver) StopMOH(ctx context.Context, channel string) error {
	err := d.rest.do(ctx, opStopMOH, []string{channel}, nil, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound, http.StatusConflict) {
		return fmt.Errorf("ari: stop music on hold on %s: %w", channel, err)
	}
	return nil
}

// StopPlayback stops a playback; PlaybackFinished follows.
func (d *Driver) StopPlayback(ctx context.Context, playbackID string) error {
	err := d.rest.do(ctx, opStopPlayback, []string{playbackID}, nil, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound) {
		return fmt.Errorf("ari: stop playback %s: %w", playbackID, err)
	}
	return nil
}

// relatedVar names the channel variable that records, on an originated
// leg, the inbound channel it serves (for the PBX's own logs and CDRs).
const relatedVar = "SWITCHBOARD_RELATED"

// Originate calls req.Endpoint on a new leg named req.Channel, entering
// our Stasis application when answered. The leg is registered before the
// request goes out: its events can arrive before the answer does.
func (d *Driver) Originate(ctx context.Context, req pbx.Originate) error {
	endpoint, err := dialString(req)
	if err != nil {
		return err
	}
	q := url.Values{
		"endpoint": {endpoint},
		"app":      {d.cfg.App},
	}
	if req.CallerID != "" {
		q.Set("callerId", req.CallerID)
	}
	if req.Timeout > 0 {
		secs := int((req.Timeout + time.Second - 1) / time.Second)
		q.Set("timeout", strconv.Itoa(secs))
	}
	vars := map[string]string{}
	for k, v := range req.Headers {
		vars["PJSIP_HEADER(add,"+k+")"] = v
	}
	if req.Related != "" {
		vars[relatedVar] = req.Related
	}
	var body any
	if len(vars) > 0 {
		body = struct {
			Variables map[string]string `json:"variables"`
		}{vars}
	}

	d.addLeg(req.Channel)
	err = d.rest.do(ctx, opOriginate, []string{req.Channel}, q, body, nil)
	if err == nil {
		return nil
	}
	if hasStatus(err, http.StatusBadRequest) || hasStatus(err, http.StatusInternalServerError) {
		// Asterisk refused it: no channel was made, no event will follow.
		// 500 "Allocation failed" is what a trunk whose contact is
		// unreachable answers (observed): no INVITE goes out.
		d.endLeg(req.Channel)
	}
	// On a timeout or a lost connection the leg may exist: keep it known
	// so its events still decode as a leg.
	return fmt.Errorf("ari: originate %s to %s: %w", req.Channel, endpoint, err)
}

// dialString is the endpoint Asterisk dials: req.Endpoint, or
// PJSIP/NUMBER@TRUNK through a trunk. Number and Trunk are checked here
// again: a dial string is never trusted ('&', ',' or '/' would dial more).
func dialString(req pbx.Originate) (string, error) {
	if req.Channel == "" {
		return "", fmt.Errorf("ari: originate: %w: channel is required", pbx.ErrBadDial)
	}
	if req.Trunk == "" {
		if req.Endpoint == "" {
			return "", fmt.Errorf("ari: originate %s: %w: endpoint or trunk is required", req.Channel, pbx.ErrBadDial)
		}
		return req.Endpoint, nil
	}
	if err := pbx.CheckDial(req.Trunk, req.Number); err != nil {
		return "", fmt.Errorf("ari: originate %s: %w", req.Channel, err)
	}
	return "PJSIP/" + req.Number + "@" + req.Trunk, nil
}

// Bridge creates mixing bridge bridgeID if it does not exist and adds the
// channels to it.
func (d *Driver) Bridge(ctx context.Context, bridgeID string, channels ...string) error {
	err := d.rest.do(ctx, opCreateBridge, []string{bridgeID}, url.Values{"type": {"mixing"}}, nil, nil)
	// 409: a bridge with this ID exists already, which is what we want.
	if err != nil && !hasStatus(err, http.StatusConflict) {
		return fmt.Errorf("ari: create bridge %s: %w", bridgeID, err)
	}
	if len(channels) == 0 {
		return nil
	}
	err = d.rest.do(ctx, opAddChannel, []string{bridgeID},
		url.Values{"channel": {strings.Join(channels, ",")}}, nil, nil)
	// 400 is ARI's "Channel not found" for addChannel: a channel just went.
	if err != nil && !hasStatus(err, http.StatusBadRequest) {
		return fmt.Errorf("ari: bridge %s add %s: %w", bridgeID, strings.Join(channels, ","), err)
	}
	return nil
}

// DestroyBridge destroys a bridge; its channels stay up.
func (d *Driver) DestroyBridge(ctx context.Context, bridgeID string) error {
	stopRecordings(ctx, d, bridgeID)
	err := d.rest.do(ctx, opDestroyBridge, []string{bridgeID}, nil, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound) {
		return fmt.Errorf("ari: destroy bridge %s: %w", bridgeID, err)
	}
	return nil
}

// Hangup hangs a channel up with a Q.850 cause (0: normal clearing).
func (d *Driver) Hangup(ctx context.Context, channel string, cause pbx.Cause) error {
	q := url.Values{}
	if cause > 0 {
		q.Set("reason_code", strconv.Itoa(int(cause)))
	} else {
		q.Set("reason", "normal")
	}
	err := d.rest.do(ctx, opHangup, []string{channel}, q, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound) {
		return fmt.Errorf("ari: hangup %s: %w", channel, err)
	}
	return nil
}
