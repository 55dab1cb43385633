package pbx

import "context"

// CallController is a driver with the agent desk's call controls. It hands
// out a helper rather than adding the methods to the driver itself.
type CallController interface {
	CallControls() CallControls
}

// CallControls hold and mute a connected call. A channel already gone is
// success, as for Switch's commands.
type CallControls interface {
	// Hold takes channel (the caller) out of bridge and plays it class's
	// music on hold; the bridge and its other channels stay.
	Hold(ctx context.Context, bridge, channel, class string) error
	// Resume stops channel's music and puts it back into bridge.
	Resume(ctx context.Context, bridge, channel string) error
	// Mute stops channel's own audio reaching the call (the agent still
	// hears); Unmute undoes it.
	Mute(ctx context.Context, channel string) error
	Unmute(ctx context.Context, channel string) error
}
