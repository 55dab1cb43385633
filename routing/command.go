package routing

import (
	"context"
	"time"

	"switchboard/routing/pbx"
)

// Command is something the engine asks the PBX to do. The machine returns
// commands as values, so a replay can compare them instead of sending them.
type Command interface {
	// Key orders commands: those with the same key run one after another.
	Key() string
	Exec(ctx context.Context, sw pbx.Switch) error
	Name() string
}

type cmdAnswer struct{ Channel string }

// cmdRing rings the caller instead of answering (a ringback queue); a
// driver that cannot ring answers, as the engine logs at start.
type cmdRing struct{ Channel string }
type cmdPlay struct {
	Channel, PlaybackID string
	Media               []string
}
type cmdStopPlayback struct{ Channel, PlaybackID string }
type cmdOriginate struct {
	Call string
	Req  pbx.Originate
}
type cmdBridge struct {
	Call, BridgeID string
	Channels       []string
}
type cmdDestroyBridge struct{ Call, BridgeID string }
type cmdHangup struct {
	Call, Channel string
	Cause         pbx.Cause
}

func (c cmdAnswer) Key() string       { return c.Channel }
func (c cmdRing) Key() string         { return c.Channel }
func (c cmdPlay) Key() string         { return c.Channel }
func (c cmdStopPlayback) Key() string { return c.Channel }
func (c cmdOriginate) Key() string    { return c.Call }
func (c cmdBridge) Key() string       { return c.Call }
func (c cmdDestroyBridge) Key() string {
	return c.Call
}
func (c cmdHangup) Key() string {
	if c.Call != "" {
		return c.Call
	}
	return c.Channel
}

func (cmdAnswer) Name() string        { return "answer" }
func (cmdRing) Name() string          { return "ring" }
func (cmdPlay) Name() string          { return "play" }
func (cmdStopPlayback) Name() string  { return "stop_playback" }
func (cmdOriginate) Name() string     { return "originate" }
func (cmdBridge) Name() string        { return "bridge" }
func (cmdDestroyBridge) Name() string { return "destroy_bridge" }
func (cmdHangup) Name() string        { return "hangup" }

func (c cmdAnswer) Exec(ctx context.Context, sw pbx.Switch) error {
	return sw.Answer(ctx, c.Channel)
}
func (c cmdRing) Exec(ctx context.Context, sw pbx.Switch) error {
	if r, ok := sw.(pbx.Ringer); ok {
		return r.Ring(ctx, c.Channel)
	}
	return sw.Answer(ctx, c.Channel)
}
func (c cmdPlay) Exec(ctx context.Context, sw pbx.Switch) error {
	return sw.Play(ctx, c.Channel, c.PlaybackID, c.Media...)
}
func (c cmdStopPlayback) Exec(ctx context.Context, sw pbx.Switch) error {
	return sw.StopPlayback(ctx, c.PlaybackID)
}
func (c cmdOriginate) Exec(ctx context.Context, sw pbx.Switch) error {
	return sw.Originate(ctx, c.Req)
}
func (c cmdBridge) Exec(ctx context.Context, sw pbx.Switch) error {
	return sw.Bridge(ctx, c.BridgeID, c.Channels...)
}
func (c cmdDestroyBridge) Exec(ctx context.Context, sw pbx.Switch) error {
	return sw.DestroyBridge(ctx, c.BridgeID)
}
func (c cmdHangup) Exec(ctx context.Context, sw pbx.Switch) error {
	return sw.Hangup(ctx, c.Channel, c.Cause)
}

// channelOf names the channel a command acts on, for CommandFailed.
func channelOf(c Command) string {
	switch c := c.(type) {
	case cmdAnswer:
		return c.Channel
	case cmdRing:
		return c.Channel
	case cmdPlay:
		return c.Channel
	case cmdStopPlayback:
		return c.Channel
	case cmdOriginate:
		return c.Req.Channel
	case cmdHangup:
		return c.Channel
	case cmdRecord:
		return c.Rec.Channel
	case cmdInCall:
		return channelOf(c.Cmd)
	case cmdSnoop:
		return c.Req.Channel
	case cmdStartMOH:
		return c.Channel
	case cmdStopMOH:
		return c.Channel
	case cmdBridge:
		if len(c.Channels) > 0 {
			return c.Channels[0] // the caller: a failed bridge ends the call
		}
	}
	return ""
}

// timerSet and timerCancel are handled by the engine loop, not the PBX.
type timerSet struct {
	Name string
	At   time.Time
}
type timerCancel struct{ Name string }

// cmdRecord records a caller (a message, a name to announce).
type cmdRecord struct {
	Call string
	Rec  pbx.Recording
}

func (c cmdRecord) Key() string { return c.Call }
func (cmdRecord) Name() string  { return "record" }
func (c cmdRecord) Exec(ctx context.Context, sw pbx.Switch) error {
	r, ok := sw.(pbx.VoiceRecorder)
	if !ok {
		return errNoRecorder
	}
	return r.Record(ctx, c.Rec)
}

// cmdInCall runs a channel's command in its call's order instead: after
// the bridge changes queued before it (a transfer's hold media must not
// reach the caller before they leave the agent's bridge).
type cmdInCall struct {
	Call string
	Cmd  Command
}

func (c cmdInCall) Key() string  { return c.Call }
func (c cmdInCall) Name() string { return c.Cmd.Name() }
func (c cmdInCall) Exec(ctx context.Context, sw pbx.Switch) error {
	return c.Cmd.Exec(ctx, sw)
}

// cmdStartMOH and cmdStopMOH start and stop the PBX's music on hold on a
// waiting caller. They run in the call's order, so the music stops before
// the caller joins the agent's bridge.
type cmdStartMOH struct{ Call, Channel, Class string }
type cmdStopMOH struct{ Call, Channel string }

func (c cmdStartMOH) Key() string { return c.Call }
func (cmdStartMOH) Name() string  { return "start_moh" }
func (c cmdStartMOH) Exec(ctx context.Context, sw pbx.Switch) error {
	if h, ok := sw.(pbx.MusicOnHold); ok {
		return h.StartMOH(ctx, c.Channel, c.Class)
	}
	return errNoMOH
}
func (c cmdStopMOH) Key() string { return c.Call }
func (cmdStopMOH) Name() string  { return "stop_moh" }
func (c cmdStopMOH) Exec(ctx context.Context, sw pbx.Switch) error {
	if h, ok := sw.(pbx.MusicOnHold); ok {
		return h.StopMOH(ctx, c.Channel)
	}
	return nil
}

// cmdSnoop calls a supervisor's phone onto a call (supervise.go).
type cmdSnoop struct {
	Call string
	Req  pbx.Snoop
}

func (c cmdSnoop) Key() string { return c.Call }
func (cmdSnoop) Name() string  { return "snoop" }
func (c cmdSnoop) Exec(ctx context.Context, sw pbx.Switch) error {
	sn, ok := sw.(pbx.Snooper)
	if !ok {
		return errNoSnooper
	}
	return sn.Snoop(ctx, c.Req)
}
