package routing

import (
	"context"
	"encoding/json"
	"time"
)

// Record is one entry of the append-only event log. Every input the engine
// acts on (PBX events, API commands, timers) and every decision it takes is
// written as a Record before it is acted on; the calls table and every
// report are derived from these.
type Record struct {
	Seq     int64           `json:"seq"` // assigned by the journal, strictly increasing
	Time    time.Time       `json:"time"`
	Type    string          `json:"type"`
	CallID  string          `json:"call_id,omitempty"`
	AgentID string          `json:"agent_id,omitempty"`
	Queue   string          `json:"queue,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`
}

// Journal is the event log as the engine uses it. Append must make the
// records durable, in order, before it returns, and set their Seq.
type Journal interface {
	Append(ctx context.Context, recs ...*Record) error
}

// Event types written to the log. Reports and the calls table name these.
const (
	// Inputs.
	EvPBX     = "pbx."    // prefix: "pbx." + pbx.Event.Kind(), Data = the event
	EvTimer   = "timer"   // a timer the engine set fired; Data = TimerData
	EvCommand = "command" // an API command reached the engine; Data = the command

	// Call lifecycle (decisions). Data types are below.
	EvCallArrived     = "call.arrived"      // CallArrivedData
	EvCallIVR         = "call.ivr"          // IVRData: a flow node was entered or left
	EvCallQueued      = "call.queued"       // QueuedData
	EvCallOffered     = "call.offered"      // OfferData: an agent's phone is being rung
	EvCallOfferFailed = "call.offer_failed" // OfferData with Cause
	EvCallAnswered    = "call.answered"     // OfferData: agent answered, bridged
	EvCallEnded       = "call.ended"        // EndedData

	// Agents.
	EvAgentState = "agent.state" // AgentStateData
)

// CallArrivedData is the payload of call.arrived.
type CallArrivedData struct {
	Channel string `json:"channel"`
	Caller  string `json:"caller"`
	Called  string `json:"called"`
	Flow    string `json:"flow"`
}

// IVRData is the payload of call.ivr: the caller reached Node; Input is what
// led out of the previous node ("1", "invalid", "timeout", "").
type IVRData struct {
	Node  string `json:"node"`
	Input string `json:"input,omitempty"`
}

// QueuedData is the payload of call.queued.
type QueuedData struct {
	Queue string `json:"queue"`
}

// OfferData is the payload of call.offered, call.offer_failed and
// call.answered.
type OfferData struct {
	Agent    string `json:"agent"`
	Endpoint string `json:"endpoint"`
	Leg      string `json:"leg"`
	Cause    string `json:"cause,omitempty"`
}

// Call outcomes, as call.ended reports them.
const (
	OutcomeAnswered         = "answered"          // talked to an agent
	OutcomeAbandonedIVR     = "abandoned_ivr"     // caller hung up in the flow
	OutcomeAbandonedQueue   = "abandoned_queue"   // caller hung up waiting
	OutcomeAbandonedRinging = "abandoned_ringing" // caller hung up while an agent rang
	OutcomeNoAgent          = "no_agent"          // flow's no-agent branch ended the call
	OutcomeFlowEnded        = "flow_hangup"       // the flow hung up (e.g. goodbye after retries)
	OutcomeTimeout          = "queue_timeout"     // max wait reached
	OutcomeLost             = "lost"              // the PBX no longer had the call after a link drop
)

// EndedData is the payload of call.ended.
type EndedData struct {
	Outcome  string `json:"outcome"`
	Cause    string `json:"cause,omitempty"`
	HangupBy string `json:"hangup_by,omitempty"` // "caller", "agent", "switchboard"
}

// AgentStateData is the payload of agent.state.
type AgentStateData struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Reason   string `json:"reason,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	CallID   string `json:"call_id,omitempty"`
}

// TimerData is the payload of timer.
type TimerData struct {
	Name string `json:"name"`
}
