package pbx

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Optional features. A driver that has them implements these interfaces
// too; the engine finds them by type assertion (like database/sql/driver's
// Pinger), so a PBX without them still satisfies Switch.

// Recorder records a channel's audio to a file on the PBX.
type Recorder interface {
	// StartRecording records channel into name (a path or name the PBX
	// understands, e.g. "/var/lib/freeswitch/recordings/call-1.wav").
	StartRecording(ctx context.Context, channel, name string) error
	// StopRecording stops that recording; the file is complete afterwards.
	StopRecording(ctx context.Context, channel, name string) error
}

// ErrUnsupported is what a driver answers for an optional feature (or a
// mode of one) its PBX cannot do; match with errors.Is.
var ErrUnsupported = errors.New("not supported by this PBX")

// Snooper lets a supervisor listen to, whisper to or barge into a live
// call: the PBX calls the supervisor on a new leg named req.Channel that
// reports LegRinging, LegAnswered and ChannelHungUp like an originated
// leg, and once answered connects it as req.Mode says. The driver undoes
// what it set up for the leg when the leg ends. A Target that is already
// gone is an error (no leg is made, no event follows).
type Snooper interface {
	Snoop(ctx context.Context, req Snoop) error
}

// SnoopMode is how a supervisor takes part in a call.
type SnoopMode uint8

// Snoop modes.
const (
	// SnoopListen: the supervisor hears both sides; nobody hears them.
	SnoopListen SnoopMode = iota
	// SnoopWhisper: the supervisor hears both sides and is heard by
	// Target's party only (the agent), not by the other side.
	SnoopWhisper
	// SnoopBarge: the supervisor joins the call; everyone hears everyone.
	SnoopBarge
)

var snoopModes = [...]string{SnoopListen: "listen", SnoopWhisper: "whisper", SnoopBarge: "barge"}

// String names the mode as the API and the event log do.
func (m SnoopMode) String() string {
	if int(m) < len(snoopModes) {
		return snoopModes[m]
	}
	return "snoop_mode_" + strconv.Itoa(int(m))
}

// ParseSnoopMode is String's inverse.
func ParseSnoopMode(s string) (SnoopMode, error) {
	for i, name := range snoopModes {
		if s == name {
			return SnoopMode(i), nil
		}
	}
	return 0, fmt.Errorf("snoop mode %q: want listen, whisper or barge", s)
}

// Snoop describes a supervisor's leg on a live call.
type Snoop struct {
	Channel  string        // the ID the engine gives the supervisor's leg
	Target   string        // the channel listened to and whispered to (the agent's leg)
	Endpoint string        // the supervisor's phone
	CallerID string        // shown on the supervisor's phone
	Timeout  time.Duration // ring time
	Mode     SnoopMode
	// Bridge is the call's bridge (as given to Switch.Bridge), which a
	// barging supervisor joins; drivers without bridges may ignore it.
	Bridge string
}

// MusicOnHold plays the PBX's own music-on-hold class to a channel until
// stopped (Asterisk: ARI POST/DELETE /channels/{id}/moh; FreeSWITCH:
// local_stream://CLASS). No PlaybackFinished follows.
type MusicOnHold interface {
	StartMOH(ctx context.Context, channel, class string) error
	StopMOH(ctx context.Context, channel string) error
}

// Ringer tells an inbound caller's phone that it rings (SIP 180) without
// answering, so the caller pays nothing while waiting (a ringback queue).
// Answer later connects the call as usual. A driver without it makes the
// engine answer instead.
type Ringer interface {
	Ring(ctx context.Context, channel string) error
}
