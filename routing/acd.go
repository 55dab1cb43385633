package routing

import "time"

// acd is the automatic call distributor: queues and their waiting callers,
// strategies, escalation and overflow, the decision of who rings, and the
// offers (leases) until an agent answers. Agents' states are the roster's;
// what a call does outside a queue is the call flow's.
type acd struct {
	*effects
	cfg     *Config
	ids     IDs
	version int // config version, counted from 1
	roster  *roster
	flow    callFlow
	ann     announcer // hold media, music on hold and announcements

	queues  map[string]*queueState
	waiting []*call              // queued, in the order they joined
	offers  map[string]*offer    // pending offers by leg
	recent  map[string]time.Time // caller → when their last call ended
	// byChannel is the machine's: agent legs are added and removed here.
	byChannel map[string]*call
}

// callFlow is what the ACD needs from the call flow when a caller leaves
// a queue for a flow node, a prompt or the end.
type callFlow interface {
	enterNode(c *call, name, input string)
	hangupCall(c *call, outcome string)
	flowOutcome(c *call) string
	play(c *call, media []string)
	stopPlayback(c *call)
}

var _ callFlow = (*Machine)(nil)
