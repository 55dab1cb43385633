// Package pbx is the seam between the routing engine and a PBX driver.
//
// Like database/sql/driver it holds only types: the Switch interface the
// engine calls, the events a driver delivers and the values commands take.
// A driver (ari, esl) implements Switch and asserts so; nothing above the
// seam knows which PBX it talks to.
package pbx

import (
	"context"
	"strconv"
	"time"
)

// Switch is what the engine needs from a PBX. Every channel and bridge is
// named by the engine (IDs it chooses), so events for a leg can be matched
// before the command that created it returns (PBX-FACTS: async originate).
//
// Command methods must treat "already gone" (ARI 404 on a channel that just
// hung up) as success: the matching hang-up event arrives on its own.
type Switch interface {
	// Run connects, delivers events in the order the PBX sent them and
	// reconnects until ctx ends. After each (re)connect it sends Resynced
	// with the channels the PBX still holds for us. It returns ctx's error.
	Run(ctx context.Context, events chan<- Event) error

	Answer(ctx context.Context, channel string) error
	// Play starts playing media (e.g. "sound:hello-world", "digits:123")
	// on a channel; PlaybackFinished with the same playbackID follows.
	Play(ctx context.Context, channel, playbackID string, media ...string) error
	StopPlayback(ctx context.Context, playbackID string) error
	// Originate calls an endpoint on a new leg named req.Channel. The leg
	// reports LegRinging, then LegAnswered, or ChannelHungUp with a cause.
	Originate(ctx context.Context, req Originate) error
	// Bridge creates bridge bridgeID if needed and adds the channels.
	Bridge(ctx context.Context, bridgeID string, channels ...string) error
	DestroyBridge(ctx context.Context, bridgeID string) error
	Hangup(ctx context.Context, channel string, cause Cause) error
}

// Originate describes a new outbound leg.
type Originate struct {
	Channel  string // the ID the engine gives the new leg
	Endpoint string // e.g. "PJSIP/agent1001"; empty when Trunk is set
	// Trunk and Number dial out: the driver calls Number through the
	// trunk of that name as `switchboard render` wrote it (Asterisk
	// PJSIP/NUMBER@TRUNK, FreeSWITCH sofia/gateway/TRUNK/NUMBER). The
	// engine has validated Number (digits, an optional leading +).
	Trunk    string
	Number   string
	CallerID string        // shown on the called phone
	Timeout  time.Duration // ring time before the PBX gives up
	// Headers are added to the INVITE (PJSIP_HEADER on Asterisk).
	Headers map[string]string
	// Related is the inbound channel this leg serves, for the PBX's own logs.
	Related string
}

// Cause is a Q.850 cause code as reported by the PBX.
type Cause int

// Q.850 causes the engine reacts to.
const (
	CauseNormal      Cause = 16
	CauseUserBusy    Cause = 17
	CauseNoAnswer    Cause = 19 // no user responding: rang past the timeout
	CauseNoAnswerAlt Cause = 18
	CauseRejected    Cause = 21
	CauseUnallocated Cause = 1
)

// String names the cause the way logs and the API show it.
func (c Cause) String() string {
	switch c {
	case 0:
		return "unknown"
	case CauseUnallocated:
		return "unallocated"
	case CauseNormal:
		return "normal"
	case CauseUserBusy:
		return "busy"
	case CauseNoAnswerAlt, CauseNoAnswer:
		return "no_answer"
	case CauseRejected:
		return "rejected"
	default:
		return "cause_" + strconv.Itoa(int(c))
	}
}
