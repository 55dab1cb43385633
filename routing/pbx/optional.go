package pbx

import (
	"context"
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

// Snooper lets a supervisor listen to (and optionally whisper to) a live
// channel: the PBX calls the supervisor on a new leg named req.Channel
// that reports LegRinging, LegAnswered and ChannelHungUp like an
// originated leg, and once answered hears req.Target.
type Snooper interface {
	Snoop(ctx context.Context, req Snoop) error
}

// Snoop describes a supervisor's listening leg.
type Snoop struct {
	Channel  string        // the ID the engine gives the supervisor's leg
	Target   string        // the channel to listen to
	Endpoint string        // the supervisor's phone
	CallerID string        // shown on the supervisor's phone
	Timeout  time.Duration // ring time
	Whisper  bool          // the supervisor is heard by Target too
}
