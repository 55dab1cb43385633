package esl

import (
	"context"
	"fmt"

	"switchboard/routing/pbx"
)

var _ pbx.MusicOnHold = (*Driver)(nil)

// musicOnHold is the driver's pbx.MusicOnHold (Driver embeds it).
type musicOnHold struct{ d *Driver }

// StartMOH plays local_stream://CLASS (mod_local_stream's endless music)
// on channel with the playback application, under an Application-UUID
// the driver does not track, so its end reports nothing; StopMOH breaks
// it with uuid_break.
func (m musicOnHold) StartMOH(ctx context.Context, channel, class string) error {
	if err := checkID(channel, class); err != nil {
		return fmt.Errorf("esl: music on hold: %w", err)
	}
	err := m.d.sendmsg(ctx, channel,
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
func (m musicOnHold) StopMOH(ctx context.Context, channel string) error {
	if err := checkID(channel); err != nil {
		return fmt.Errorf("esl: stop music on hold: %w", err)
	}
	if _, err := m.d.api(ctx, "uuid_break "+channel); err != nil && !gone(err) {
		return fmt.Errorf("esl: stop music on hold on %s: %w", channel, err)
	}
	return nil
}
