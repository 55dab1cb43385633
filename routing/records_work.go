package routing

import "time"

// Record types of outbound work items (callbacks now, follow-ups next):
// each step of an item's life is one record carrying WorkData, so the
// pending items are rebuilt from them after a restart (foldWork).
const (
	// EvWorkRequested: an item entered the ACD (enqueue command). All of
	// the item's settings are in this one record.
	EvWorkRequested = "work.requested"
	// EvWorkReserved: the item's turn came and an agent is reserved for
	// its preview.
	EvWorkReserved = "work.reserved"
	// EvWorkAccepted: the agent accepted the preview; the dial starts.
	EvWorkAccepted = "work.accepted"
	// EvWorkSkipped: the agent skipped it (Reason); it waits for another.
	EvWorkSkipped = "work.skipped"
	// EvWorkAttempt: one dial of the item ended (Attempt, Call, Outcome).
	EvWorkAttempt = "work.attempt"
	// EvWorkConnected: the customer answered and is bridged to the agent.
	EvWorkConnected = "work.connected"
	// EvWorkRequeued: the item waits again, until Due (a retry) or now.
	EvWorkRequeued = "work.requeued"
	// EvWorkClosed: the item is done (Reason: connected, max_attempts,
	// window_passed...).
	EvWorkClosed = "work.closed"
)

// Work item kinds.
const (
	WorkCallback = "callback"
	WorkFollowUp = "follow_up"
)

// Work item states.
const (
	WorkWaiting   = "waiting"   // in the queue, or until Due for a retry
	WorkReserved  = "reserved"  // an agent sees the preview
	WorkDialling  = "dialling"  // accepted: the agent's phone, then the customer
	WorkConnected = "connected" // the customer talks to the agent
	WorkClosed    = "closed"
)

// Reasons an item is closed.
const (
	CloseConnected    = "connected"
	CloseMaxAttempts  = "max_attempts"
	CloseWindowPassed = "window_passed"
)

// WorkData is the payload of every work.* record; each record fills what
// its step is about (work.requested: all the settings).
type WorkData struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind,omitempty"`
	Number      string     `json:"number,omitempty"`
	Customer    int64      `json:"customer_id,omitempty"`
	Queue       string     `json:"queue,omitempty"`
	Group       string     `json:"group,omitempty"`
	Origin      string     `json:"origin,omitempty"`
	Priority    int        `json:"priority,omitempty"`
	QueuedAt    *time.Time `json:"queued_at,omitempty"`
	Due         *time.Time `json:"due,omitempty"`
	Until       *time.Time `json:"until,omitempty"`
	MaxAttempts int        `json:"max_attempts,omitempty"`
	RetryEvery  Duration   `json:"retry_every,omitempty"`

	Agent   string `json:"agent,omitempty"`
	Call    string `json:"call,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Reason  string `json:"reason,omitempty"`
}
