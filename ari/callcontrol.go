package ari

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"switchboard/routing/pbx"
)

// CallControls is the desk's hold and mute on this Asterisk.
func (d *Driver) CallControls() pbx.CallControls { return callControls{d: d} }

var _ pbx.CallController = (*Driver)(nil)

// callControls hold a caller by taking them out of the agent's mixing
// bridge onto the channel's music on hold (the agent stays in the bridge
// and hears nothing), and mute the agent's leg with ARI's mute, direction
// in (what the agent says no longer reaches the bridge).
type callControls struct{ d *Driver }

func (cc callControls) Hold(ctx context.Context, bridge, channel, class string) error {
	err := cc.d.rest.do(ctx, opRemoveChannel, []string{bridge}, url.Values{"channel": {channel}}, nil, nil)
	// 404: the bridge went; 422: the channel is not in it (gone, or moved).
	if err != nil && !hasStatus(err, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusBadRequest) {
		return fmt.Errorf("ari: hold %s out of bridge %s: %w", channel, bridge, err)
	}
	return cc.d.StartMOH(ctx, channel, class)
}

func (cc callControls) Resume(ctx context.Context, bridge, channel string) error {
	if err := cc.d.StopMOH(ctx, channel); err != nil {
		return err
	}
	return cc.d.Bridge(ctx, bridge, channel)
}

func (cc callControls) Mute(ctx context.Context, channel string) error {
	return cc.mute(ctx, opMute, channel)
}

func (cc callControls) Unmute(ctx context.Context, channel string) error {
	return cc.mute(ctx, opUnmute, channel)
}

func (cc callControls) mute(ctx context.Context, op operation, channel string) error {
	err := cc.d.rest.do(ctx, op, []string{channel}, url.Values{"direction": {"in"}}, nil, nil)
	if err != nil && !hasStatus(err, http.StatusNotFound, http.StatusConflict) {
		return fmt.Errorf("ari: %s %s: %w", op.Name, channel, err)
	}
	return nil
}
