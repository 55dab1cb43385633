package ari

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// Wire types: the parts of ARI's JSON (rest-api/events.json, channels.json)
// the driver reads. One message struct covers every event type we decode,
// so each websocket message is unmarshalled once.
type wireMessage struct {
	Type        string         `json:"type"`
	Application string         `json:"application"`
	Timestamp   string         `json:"timestamp"`
	Args        []string       `json:"args"`        // StasisStart
	Channel     *wireChannel   `json:"channel"`     // channel events
	Cause       int            `json:"cause"`       // ChannelDestroyed, ChannelHangupRequest
	Digit       string         `json:"digit"`       // ChannelDtmfReceived
	DurationMS  int            `json:"duration_ms"` // ChannelDtmfReceived
	Playback    *wirePlayback  `json:"playback"`    // Playback*
	Recording   *wireRecording `json:"recording"`   // Recording*
	Message     string         `json:"message"`     // MissingParams and friends
	Params      []string       `json:"params"`      // MissingParams
	Soft        bool           `json:"soft"`        // ChannelHangupRequest
	CauseText   string         `json:"cause_txt"`   // ChannelDestroyed
	// TechCause is the far end's final SIP response on a PJSIP channel
	// (Asterisk 22: ChannelDestroyed, ChannelHangupRequest); 0 when none.
	TechCause int           `json:"tech_cause"`
	Endpoint  *wireEndpoint `json:"endpoint"`     // endpoint events
	Contact   *wireContact  `json:"contact_info"` // ContactStatusChange
	Peer      *wirePeer     `json:"peer"`         // PeerStatusChange
	Replace   *wireChannel  `json:"replace_channel"`
}

type wireChannel struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	State      string       `json:"state"`
	ProtocolID string       `json:"protocol_id"`
	Caller     wireCallerID `json:"caller"`
	Dialplan   wireDialplan `json:"dialplan"`
}

type wireCallerID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

type wireDialplan struct {
	Context  string `json:"context"`
	Exten    string `json:"exten"`
	Priority int64  `json:"priority"`
	AppName  string `json:"app_name"`
	AppData  string `json:"app_data"`
}

type wirePlayback struct {
	ID        string `json:"id"`
	MediaURI  string `json:"media_uri"`
	TargetURI string `json:"target_uri"`
	State     string `json:"state"`
}

// wireRecording is ARI's LiveRecording (recordings.json).
type wireRecording struct {
	Name      string `json:"name"`
	Format    string `json:"format"`
	TargetURI string `json:"target_uri"`
	State     string `json:"state"`
	Duration  int    `json:"duration"` // seconds
	Cause     string `json:"cause"`
}

type wireBridge struct {
	ID          string   `json:"id"`
	BridgeClass string   `json:"bridge_class"`
	Channels    []string `json:"channels"`
}

// errNoType is a message without a "type": not ARI.
var errNoType = errors.New("message has no type")

// ARI's timestamp layout ("2026-11-23T17:10:00.123+0000"), and a fallback
// for the odd Asterisk that prints microseconds.
var timeLayouts = []string{
	"2006-01-02T15:04:05.000-0700",
	"2006-01-02T15:04:05.000000-0700",
	time.RFC3339Nano,
}

func parseTime(s string, fallback time.Time) time.Time {
	if s == "" {
		return fallback
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return fallback
}

// legSet is what the decoder asks the driver about originated legs.
type legSet interface {
	isLeg(channel string) bool
	// isSpy: channel is a supervisor's snoop channel, not a call.
	isSpy(channel string) bool
	// endLeg forgets a leg once its end has been reported.
	endLeg(channel string)
}

// decoder turns ARI messages into pbx events. It keeps the per-channel
// state needed to report each channel's end exactly once; it is used by
// one goroutine (the deliverer), in the order Asterisk sent the messages.
type decoder struct {
	node string
	// trunks are the endpoint names that are trunks (dialplan.trunks).
	trunks map[string]bool
	// reachable is the last reachability reported per peer (peers.go).
	reachable map[string]bool
	legs      legSet
	ended     endedSet
	// seen is called with every message type (metrics); may be nil.
	seen func(typ string)
}

// decode returns the event for one websocket message and the message's
// ARI type. The event is nil for a message the engine does not need; the
// error is set for one that is not valid ARI. recv is when the message was
// read, used when it carries no timestamp.
func (d *decoder) decode(raw []byte, recv time.Time) (pbx.Event, string, error) {
	var m wireMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, "", err
	}
	if m.Type == "" {
		return nil, "", errNoType
	}
	if d.seen != nil {
		d.seen(m.Type)
	}
	ev, err := d.event(&m, recv)
	return ev, m.Type, err
}

func (d *decoder) event(m *wireMessage, recv time.Time) (pbx.Event, error) {
	base := pbx.Base{Time: parseTime(m.Timestamp, recv), Node: d.node}
	needChannel := func() (*wireChannel, error) {
		if m.Channel == nil || m.Channel.ID == "" {
			return nil, fmt.Errorf("%s without channel id", m.Type)
		}
		return m.Channel, nil
	}

	if m.Channel != nil && m.Channel.ID != "" && d.legs.isSpy(m.Channel.ID) {
		switch m.Type {
		case "StasisStart":
			return spyStarted{Base: base, channel: m.Channel.ID}, nil
		case "StasisEnd", "ChannelDestroyed":
			return spyEnded{Base: base, channel: m.Channel.ID, final: true}, nil
		case "ChannelHangupRequest":
			return spyEnded{Base: base, channel: m.Channel.ID}, nil
		}
		return nil, nil
	}

	switch m.Type {
	case "StasisStart":
		ch, err := needChannel()
		if err != nil {
			return nil, err
		}
		if d.legs.isLeg(ch.ID) {
			return pbx.LegAnswered{Base: base, Channel: ch.ID}, nil
		}
		args := m.Args
		if args == nil {
			args = []string{}
		}
		return pbx.CallArrived{
			Base:      base,
			Channel:   ch.ID,
			Caller:    ch.Caller.Number,
			Called:    ch.Dialplan.Exten,
			Args:      args,
			SIPCallID: ch.ProtocolID,
		}, nil

	case "ChannelStateChange":
		ch, err := needChannel()
		if err != nil {
			return nil, err
		}
		if ch.State == "Ringing" && d.legs.isLeg(ch.ID) {
			return pbx.LegRinging{Base: base, Channel: ch.ID}, nil
		}
		return nil, nil

	case "ChannelDtmfReceived":
		ch, err := needChannel()
		if err != nil {
			return nil, err
		}
		return pbx.DTMFReceived{
			Base:     base,
			Channel:  ch.ID,
			Digit:    m.Digit,
			Duration: time.Duration(m.DurationMS) * time.Millisecond,
		}, nil

	case "PlaybackFinished":
		if m.Playback == nil || m.Playback.ID == "" {
			return nil, errors.New("PlaybackFinished without playback id")
		}
		channel, _ := strings.CutPrefix(m.Playback.TargetURI, "channel:")
		if channel == m.Playback.TargetURI {
			channel = "" // a bridge playback: no channel
		}
		return pbx.PlaybackFinished{
			Base:       base,
			PlaybackID: m.Playback.ID,
			Channel:    channel,
			Failed:     m.Playback.State == "failed",
		}, nil

	case "RecordingFinished", "RecordingFailed":
		if m.Recording == nil || m.Recording.Name == "" {
			return nil, fmt.Errorf("%s without recording name", m.Type)
		}
		channel, _ := strings.CutPrefix(m.Recording.TargetURI, "channel:")
		if channel == m.Recording.TargetURI {
			channel = "" // a bridge recording: no channel
		}
		// A canceled recording ends with RecordingFinished but its file
		// is gone: for the engine it failed.
		failed := m.Type == "RecordingFailed" || m.Recording.State == "failed" || m.Recording.State == "canceled"
		return pbx.RecordingFinished{
			Base:     base,
			Channel:  channel,
			Name:     m.Recording.Name,
			Duration: time.Duration(m.Recording.Duration) * time.Second,
			Failed:   failed,
		}, nil

	case "StasisEnd", "ChannelHangupRequest", "ChannelDestroyed":
		ch, err := needChannel()
		if err != nil {
			return nil, err
		}
		cause := m.Cause
		if m.Type == "ChannelHangupRequest" && m.Soft {
			// A soft hang-up request (ours, DELETE /channels) carries
			// Asterisk's soft-hangup flag (32 = explicit), not Q.850.
			cause = 0
		}
		return d.end(base, ch.ID, m.Type, cause, m.TechCause), nil

	case "ContactStatusChange", "EndpointStateChange", "PeerStatusChange":
		return d.peerState(base, m)
	}
	// Every other type (ChannelVarset, ChannelTransfer, Dial, …) is not
	// needed by the engine; the caller logs it at debug.
	return nil, nil
}

// end reports a channel's end once, on the first of its end signals.
func (d *decoder) end(base pbx.Base, channel, typ string, cause, sipCode int) pbx.Event {
	// ChannelDestroyed is not the last word: with endpoint subscriptions
	// Asterisk sends a trunk leg's channel events once per subscription
	// (observed), so the end stays remembered until endedTTL.
	if !d.ended.add(channel, base.Time) {
		return nil
	}
	d.legs.endLeg(channel)
	c := pbx.Cause(cause)
	if c == 0 && typ != "ChannelDestroyed" {
		// StasisEnd carries no cause, and a hang-up request may carry 0
		// or a soft-hangup flag: report normal clearing.
		c = pbx.CauseNormal
	}
	if sipCode < 100 || sipCode > 699 {
		sipCode = 0 // not a SIP response: not the far end's word
	}
	return pbx.ChannelHungUp{Base: base, Channel: channel, Cause: c, SIPCode: sipCode}
}

// endedSet remembers channels whose end was reported, long enough to drop
// the end signals that follow the first (they come within milliseconds).
// Two generations swapped every endedTTL bound its memory without a sweep:
// the caller's ChannelDestroyed never arrives with subscribeAll=false.
type endedSet struct {
	cur, prev map[string]struct{}
	since     time.Time
}

const endedTTL = time.Minute

// add marks channel ended; it reports false if it already was.
func (s *endedSet) add(channel string, now time.Time) bool {
	if s.cur == nil {
		s.cur, s.since = map[string]struct{}{}, now
	}
	if now.Sub(s.since) > endedTTL || now.Before(s.since.Add(-endedTTL)) {
		s.prev, s.cur, s.since = s.cur, map[string]struct{}{}, now
	}
	if _, ok := s.cur[channel]; ok {
		return false
	}
	if _, ok := s.prev[channel]; ok {
		return false
	}
	s.cur[channel] = struct{}{}
	return true
}
