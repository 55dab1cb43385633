package pbx

import "context"

// ChannelLister lists the channels the PBX holds for Switchboard right now.
// The engine's watchdog uses it to find agent state that drifted from the
// PBX (a hang-up event that never came); a driver without it gets no
// watchdog, only the resync after each reconnect.
type ChannelLister interface {
	Channels(ctx context.Context) ([]ChannelInfo, error)
}
