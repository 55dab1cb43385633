package esl

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// Commands. Each treats "already gone" (FreeSWITCH's unknown-UUID replies,
// ErrNoSuchChannel) as success, as pbx.Switch asks: the matching hang-up
// event arrives on its own. Other failures wrap the *ReplyError or the
// *LinkError.

// errNotConnected: a command while the inbound link is down.
var errNotConnected = fmt.Errorf("inbound link down: %w", ErrClosed)

// inbound returns the inbound link.
func (d *Driver) inbound() (*Conn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.link == nil {
		return nil, errNotConnected
	}
	return d.link, nil
}

// outboundConn returns the outbound socket controlling channel, or nil.
func (d *Driver) outboundConn(channel string) *Conn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.owned[channel]
}

// api runs one api command on the inbound link within RequestTimeout.
func (d *Driver) api(ctx context.Context, cmd string) (string, error) {
	c, err := d.inbound()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.RequestTimeout)
	defer cancel()
	start := time.Now()
	body, err := c.API(ctx, cmd)
	d.m.observeRequest(firstWord(cmd), time.Since(start))
	return body, err
}

// send runs a raw command (sendmsg, bgapi) on c within RequestTimeout.
func (d *Driver) send(ctx context.Context, c *Conn, lines ...string) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.RequestTimeout)
	defer cancel()
	start := time.Now()
	_, err := c.Send(ctx, lines...)
	d.m.observeRequest(firstWord(lines[0]), time.Since(start))
	return err
}

// sendmsg sends a sendmsg to channel: over its outbound socket when it has
// one (no UUID needed there), else over the inbound link.
func (d *Driver) sendmsg(ctx context.Context, channel string, headers ...string) error {
	if c := d.outboundConn(channel); c != nil {
		err := d.send(ctx, c, append([]string{"sendmsg"}, headers...)...)
		if errors.Is(err, ErrClosed) {
			// The call's socket is gone, and with it the call: FreeSWITCH
			// closes it after the hang-up (or the dialplan took the call back).
			return fmt.Errorf("%w: outbound socket closed: %w", ErrNoSuchChannel, err)
		}
		return err
	}
	c, err := d.inbound()
	if err != nil {
		return err
	}
	return d.send(ctx, c, append([]string{"sendmsg " + channel}, headers...)...)
}

func gone(err error) bool { return errors.Is(err, ErrNoSuchChannel) }

// Answer answers an inbound channel.
func (d *Driver) Answer(ctx context.Context, channel string) error {
	if err := checkID(channel); err != nil {
		return fmt.Errorf("esl: answer: %w", err)
	}
	var err error
	if d.outboundConn(channel) != nil {
		err = d.sendmsg(ctx, channel, "call-command: execute", "execute-app-name: answer")
	} else {
		_, err = d.api(ctx, "uuid_answer "+channel)
	}
	if err != nil && !gone(err) {
		return fmt.Errorf("esl: answer %s: %w", channel, err)
	}
	return nil
}

// Ring sends ringing (SIP 180) to an inbound channel without answering
// it: the ring_ready application over its outbound socket, else the
// uuid_ring_ready api (mod_commands answers "+OK", or "-ERROR" for an
// unknown UUID, like uuid_answer). pre_answer would send 183 with media
// we have none of; ringback is the caller's network's own tone.
func (d *Driver) Ring(ctx context.Context, channel string) error {
	if err := checkID(channel); err != nil {
		return fmt.Errorf("esl: ring: %w", err)
	}
	var err error
	if d.outboundConn(channel) != nil {
		err = d.sendmsg(ctx, channel, "call-command: execute", "execute-app-name: ring_ready")
	} else {
		_, err = d.api(ctx, "uuid_ring_ready "+channel)
	}
	if err != nil && !gone(err) {
		return fmt.Errorf("esl: ring %s: %w", channel, err)
	}
	return nil
}

// Play plays media on channel as playback playbackID. It executes the
// playback application with sendmsg under Event-UUID playbackID, so the
// CHANNEL_EXECUTE_COMPLETE that ends it carries Application-UUID
// playbackID and its Application-Response says whether the file played.
func (d *Driver) Play(ctx context.Context, channel, playbackID string, media ...string) error {
	if len(media) == 0 {
		return fmt.Errorf("esl: play %s on %s: no media", playbackID, channel)
	}
	if err := checkID(channel, playbackID); err != nil {
		return fmt.Errorf("esl: play: %w", err)
	}
	arg, err := mediaArg(media)
	if err != nil {
		return fmt.Errorf("esl: play %s on %s: %w", playbackID, channel, err)
	}
	d.mu.Lock()
	d.playbacks[playbackID] = playbackRef{id: playbackID, channel: channel}
	d.mu.Unlock()
	err = d.sendmsg(ctx, channel,
		"call-command: execute",
		"execute-app-name: playback",
		"execute-app-arg: "+arg,
		"event-lock: true",
		"Event-UUID: "+playbackID,
	)
	if err != nil {
		d.mu.Lock()
		delete(d.playbacks, playbackID)
		d.mu.Unlock()
		if gone(err) {
			return nil
		}
		return fmt.Errorf("esl: play %s on %s: %w", playbackID, channel, err)
	}
	return nil
}

// mediaArg turns the engine's media URIs into one playback argument:
// "sound:NAME" → NAME.wav (under FreeSWITCH's sound prefix), "digits:123"
// → the digits/N.wav prompts, "tone:SPEC" → tone_stream://SPEC,
// "recording:PATH" and anything with a scheme or a slash as it is. Several
// become one file_string:// so they play as one playback.
func mediaArg(media []string) (string, error) {
	var files []string
	for _, m := range media {
		if strings.ContainsAny(m, "\r\n!") {
			return "", fmt.Errorf("media %q: newline or '!' not allowed", clipString(m, 64))
		}
		scheme, rest, ok := strings.Cut(m, ":")
		switch {
		case ok && scheme == "sound":
			if !strings.Contains(rest, ".") {
				rest += ".wav"
			}
			files = append(files, rest)
		case ok && scheme == "digits":
			for _, c := range rest {
				files = append(files, "digits/"+string(c)+".wav")
			}
		case ok && scheme == "number":
			nf, err := numberFiles(rest)
			if err != nil {
				return "", err
			}
			files = append(files, nf...)
		case ok && scheme == "tone":
			files = append(files, "tone_stream://"+rest)
		case ok && scheme == "recording":
			files = append(files, rest)
		default:
			files = append(files, m)
		}
	}
	if len(files) == 1 {
		return files[0], nil
	}
	return "file_string://" + strings.Join(files, "!"), nil
}

// numberFiles says a number 0-999 the way FreeSWITCH's English sounds
// can: digits/0-20.wav, the tens (digits/30.wav …) and digits/hundred.wav
// ("number:N" is what queue announcements say).
func numberFiles(s string) ([]string, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 999 || strconv.Itoa(n) != s {
		return nil, fmt.Errorf("media number:%s: want a whole number 0-999", clipString(s, 16))
	}
	d := func(v int) string { return "digits/" + strconv.Itoa(v) + ".wav" }
	var out []string
	if n >= 100 {
		out = append(out, d(n/100), "digits/hundred.wav")
		if n %= 100; n == 0 {
			return out, nil
		}
	}
	switch {
	case n <= 20:
		out = append(out, d(n))
	default:
		out = append(out, d(n/10*10))
		if n%10 != 0 {
			out = append(out, d(n%10))
		}
	}
	return out, nil
}

// StopPlayback stops a playback; PlaybackFinished follows.
func (d *Driver) StopPlayback(ctx context.Context, playbackID string) error {
	d.mu.Lock()
	p, ok := d.playbacks[playbackID]
	d.mu.Unlock()
	if !ok {
		return nil // finished already
	}
	if _, err := d.api(ctx, "uuid_break "+p.channel); err != nil && !gone(err) {
		return fmt.Errorf("esl: stop playback %s: %w", playbackID, err)
	}
	return nil
}

// StartMOH plays local_stream://CLASS (mod_local_stream's endless music)
// on channel with the playback application, under an Application-UUID
// the driver does not track, so its end reports nothing; StopMOH breaks
// it with uuid_break.
func (d *Driver) StartMOH(ctx context.Context, channel, class string) error {
	if err := checkID(channel, class); err != nil {
		return fmt.Errorf("esl: music on hold: %w", err)
	}
	err := d.sendmsg(ctx, channel,
		"call-command: execute",
		"execute-app-name: playback",
		"execute-app-arg: local_stream://"+class,
		"event-lock: true",
		"Event-UUID: moh-"+channel,
	)
	if err != nil && !gone(err) {
		return fmt.Errorf("esl: music on hold %q on %s: %w", class, channel, err)
	}
	return nil
}

// StopMOH stops a channel's music on hold.
func (d *Driver) StopMOH(ctx context.Context, channel string) error {
	if err := checkID(channel); err != nil {
		return fmt.Errorf("esl: stop music on hold: %w", err)
	}
	if _, err := d.api(ctx, "uuid_break "+channel); err != nil && !gone(err) {
		return fmt.Errorf("esl: stop music on hold on %s: %w", channel, err)
	}
	return nil
}

// relatedVar names the channel variable that records, on an originated
// leg, the inbound channel it serves (for FreeSWITCH's own logs and CDRs).
const relatedVar = "switchboard_related"

// Originate calls req.Endpoint (a FreeSWITCH dial string, e.g.
// "user/1001" or "sofia/gateway/gw/1001") on a new leg whose UUID is
// req.Channel (origination_uuid), parked when answered. It returns once
// FreeSWITCH accepted the job; the leg's events and, on failure, the
// job's result follow. The leg and job are registered before the command
// goes out: their events can arrive before the reply.
func (d *Driver) Originate(ctx context.Context, req pbx.Originate) error {
	endpoint := req.Endpoint
	if req.Trunk != "" {
		// Checked again here: a dial string is never trusted.
		if err := pbx.CheckDial(req.Trunk, req.Number); err != nil {
			return fmt.Errorf("esl: originate %s: %w", req.Channel, err)
		}
		endpoint = "sofia/gateway/" + req.Trunk + "/" + req.Number
	}
	if req.Channel == "" || endpoint == "" {
		return fmt.Errorf("esl: originate: %w: channel and endpoint (or trunk) are required", pbx.ErrBadDial)
	}
	vars := []string{"origination_uuid=" + req.Channel}
	if req.CallerID != "" {
		vars = append(vars, "origination_caller_id_number="+req.CallerID, "origination_caller_id_name="+req.CallerID)
	}
	if req.Timeout > 0 {
		secs := int((req.Timeout + time.Second - 1) / time.Second)
		vars = append(vars, "originate_timeout="+strconv.Itoa(secs))
	}
	names := make([]string, 0, len(req.Headers))
	for k := range req.Headers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		vars = append(vars, "sip_h_"+k+"="+req.Headers[k])
	}
	if req.Related != "" {
		vars = append(vars, relatedVar+"="+req.Related)
	}
	return d.originate(ctx, "originate", req.Channel, endpoint, vars, "&park()")
}

func (d *Driver) originate(ctx context.Context, what, channel, endpoint string, vars []string, app string) error {
	if err := checkID(channel); err != nil {
		return fmt.Errorf("esl: %s: %w", what, err)
	}
	for i, v := range vars {
		if strings.ContainsAny(v, "\r\n{}") {
			return fmt.Errorf("esl: %s %s: variable %q has a newline or brace", what, channel, clipString(v, 64))
		}
		vars[i] = strings.ReplaceAll(v, ",", `\,`)
		if strings.Contains(vars[i], " ") {
			k, val, _ := strings.Cut(vars[i], "=")
			vars[i] = k + "='" + strings.ReplaceAll(val, "'", "") + "'"
		}
	}
	if strings.ContainsAny(endpoint, " \r\n") {
		return fmt.Errorf("esl: %s %s: endpoint %q has a space or newline", what, channel, clipString(endpoint, 64))
	}
	c, err := d.inbound()
	if err != nil {
		return fmt.Errorf("esl: %s %s to %s: %w", what, channel, endpoint, err)
	}
	jobID := newUUID()
	d.addLeg(channel, jobID)
	cmd := "bgapi originate {" + strings.Join(vars, ",") + "}" + endpoint + " " + app
	err = d.send(ctx, c, cmd, "Job-UUID: "+jobID)
	if err == nil {
		return nil
	}
	var re *ReplyError
	if errors.As(err, &re) {
		// FreeSWITCH refused the command: no leg, no event will follow.
		d.endLeg(channel)
		d.job(jobID)
	}
	// On a timeout or a lost link the leg may exist: keep it known so its
	// events still decode as a leg.
	return fmt.Errorf("esl: %s %s to %s: %w", what, channel, endpoint, err)
}

// Bridge joins channels under bridgeID. FreeSWITCH has no bridge objects:
// the driver keeps the bridge's members and, once it has two, bridges
// them with uuid_bridge. More than two would need a conference.
func (d *Driver) Bridge(ctx context.Context, bridgeID string, channels ...string) error {
	if err := checkID(append([]string{bridgeID}, channels...)...); err != nil {
		return fmt.Errorf("esl: bridge: %w", err)
	}
	d.mu.Lock()
	members := d.bridges[bridgeID]
	for _, ch := range channels {
		if !slices.Contains(members, ch) {
			members = append(members, ch)
		}
	}
	if len(members) > 2 {
		d.mu.Unlock()
		return fmt.Errorf("esl: bridge %s: %d channels; FreeSWITCH bridges two (a conference is not supported)", bridgeID, len(members))
	}
	d.bridges[bridgeID] = members
	d.mu.Unlock()
	if len(members) < 2 || len(channels) == 0 {
		return nil
	}
	_, err := d.api(ctx, "uuid_bridge "+members[0]+" "+members[1])
	if err != nil && !gone(err) {
		return fmt.Errorf("esl: bridge %s (%s, %s): %w", bridgeID, members[0], members[1], err)
	}
	return nil
}

// DestroyBridge ends bridge bridgeID; its channels stay up, parked (as an
// ARI bridge's channels stay in Stasis).
func (d *Driver) DestroyBridge(ctx context.Context, bridgeID string) error {
	d.mu.Lock()
	members := d.bridges[bridgeID]
	delete(d.bridges, bridgeID)
	d.mu.Unlock()
	if len(members) < 2 {
		return nil
	}
	_, err := d.api(ctx, "uuid_transfer "+members[0]+" -both park inline")
	if err != nil && !gone(err) {
		return fmt.Errorf("esl: destroy bridge %s: %w", bridgeID, err)
	}
	return nil
}

// Hangup hangs a channel up with a Q.850 cause (0: normal clearing).
func (d *Driver) Hangup(ctx context.Context, channel string, cause pbx.Cause) error {
	if err := checkID(channel); err != nil {
		return fmt.Errorf("esl: hangup: %w", err)
	}
	var err error
	if d.outboundConn(channel) != nil {
		err = d.sendmsg(ctx, channel, "call-command: hangup", "hangup-cause: "+causeName(cause))
	} else {
		_, err = d.api(ctx, "uuid_kill "+channel+" "+causeName(cause))
	}
	if err != nil && !gone(err) {
		return fmt.Errorf("esl: hangup %s: %w", channel, err)
	}
	return nil
}

// StartRecording implements pbx.Recorder with uuid_record.
func (d *Driver) StartRecording(ctx context.Context, channel, name string) error {
	return d.record(ctx, "start", channel, name)
}

// StopRecording implements pbx.Recorder.
func (d *Driver) StopRecording(ctx context.Context, channel, name string) error {
	return d.record(ctx, "stop", channel, name)
}

func (d *Driver) record(ctx context.Context, op, channel, name string) error {
	if err := checkID(channel); err != nil {
		return fmt.Errorf("esl: record: %w", err)
	}
	if name == "" || strings.ContainsAny(name, " \r\n") {
		return fmt.Errorf("esl: record %s %s: file name %q must be non-empty without spaces", op, channel, clipString(name, 64))
	}
	if _, err := d.api(ctx, "uuid_record "+channel+" "+op+" "+name); err != nil {
		// Recording a channel that is gone is a failure the caller should
		// see (the recording does not exist), unlike answer or hangup.
		return fmt.Errorf("esl: record %s %s: %w", op, channel, err)
	}
	return nil
}

// Snoop implements pbx.Snooper: the supervisor's phone is called on leg
// req.Channel, which runs eavesdrop on req.Target once answered. Whisper
// lets the target's party (the agent, eavesdrop's "a-leg") hear the
// supervisor; barge lets both legs hear them (eavesdrop's three-way),
// so no conference is needed. The supervisor's DTMF mode switches are
// off: the mode is the one the engine asked for.
//
// Checked only against the fake FreeSWITCH (esl/esltest), which answers
// the leg but does not model eavesdrop's audio: the wire captures of
// fixtures/esl hold no eavesdrop session.
func (d *Driver) Snoop(ctx context.Context, req pbx.Snoop) error {
	if req.Channel == "" || req.Endpoint == "" || req.Target == "" {
		return fmt.Errorf("esl: snoop: channel, target and endpoint are required")
	}
	if err := checkID(req.Target); err != nil {
		return fmt.Errorf("esl: snoop: %w", err)
	}
	vars := []string{"origination_uuid=" + req.Channel, relatedVar + "=" + req.Target, "eavesdrop_enable_dtmf=false"}
	if req.CallerID != "" {
		vars = append(vars, "origination_caller_id_number="+req.CallerID)
	}
	if req.Timeout > 0 {
		vars = append(vars, "originate_timeout="+strconv.Itoa(int((req.Timeout+time.Second-1)/time.Second)))
	}
	switch req.Mode {
	case pbx.SnoopListen:
	case pbx.SnoopWhisper:
		vars = append(vars, "eavesdrop_whisper_aleg=true")
	case pbx.SnoopBarge:
		vars = append(vars, "eavesdrop_whisper_aleg=true", "eavesdrop_whisper_bleg=true")
	default:
		return fmt.Errorf("esl: snoop mode %s: %w", req.Mode, pbx.ErrUnsupported)
	}
	return d.originate(ctx, "snoop", req.Channel, req.Endpoint, vars, "&eavesdrop("+req.Target+")")
}

// checkID refuses IDs that would break a command line.
func checkID(ids ...string) error {
	for _, id := range ids {
		if id == "" || strings.ContainsAny(id, " \t\r\n{}(),") {
			return fmt.Errorf("bad id %q", clipString(id, 64))
		}
	}
	return nil
}

// newUUID is a random (version 4) UUID for bgapi Job-UUIDs.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
