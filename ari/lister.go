package ari

import (
	"context"

	"switchboard/routing/pbx"
)

var _ pbx.ChannelLister = (*Driver)(nil)

// Channels lists the channels in our application (and our ringing legs),
// as a resync would, for the engine's watchdog.
func (d *Driver) Channels(ctx context.Context) ([]pbx.ChannelInfo, error) {
	rs, err := d.resync(ctx)
	if err != nil {
		return nil, err
	}
	return rs.Channels, nil
}
