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

	// payload is the value Data was encoded from, when the engine made
	// the record: projections read it (Decode) instead of decoding Data
	// again. Never serialised; the log holds Data.
	payload any
}

// SetPayload sets the record's payload: v, and data, its JSON encoding.
// Readers of the record in this process (Decode, Payload) get v without
// decoding data; the log holds data.
func (r *Record) SetPayload(v any, data json.RawMessage) {
	r.payload, r.Data = v, data
}

// Typed says whether the record carries the value its Data was encoded
// from (SetPayload), so Data is known to be valid JSON.
func (r *Record) Typed() bool { return r.payload != nil }

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
	EvAudit   = "audit"   // the watchdog's list of the PBX's live channels; Data = Audit

	// Call lifecycle (decisions). Data types are below.
	EvCallArrived     = "call.arrived"      // CallArrivedData
	EvCallIVR         = "call.ivr"          // IVRData: a flow node was entered or left
	EvCallQueued      = "call.queued"       // QueuedData
	EvCallOffered     = "call.offered"      // OfferData: an agent's phone is being rung
	EvCallOfferFailed = "call.offer_failed" // OfferData with Cause
	EvCallAnswered    = "call.answered"     // OfferData: agent answered, bridged
	EvCallEnded       = "call.ended"        // EndedData

	EvCallDecision   = "call.decision"   // DecisionData: why this agent
	EvCallEscalated  = "call.escalated"  // EscalationData
	EvCallOverflowed = "call.overflowed" // OverflowData

	// The agent desk.
	EvCallWrapped     = "call.wrapped"     // WrapUpData: the agent's disposition and notes
	EvCallTransferred = "call.transferred" // TransferData: a blind transfer, same call ID

	// Supervisors on a call.
	EvCallSupervised       = "call.supervised"        // SupervisedData: a supervisor's phone is called to listen, whisper or barge
	EvCallSupervisionEnded = "call.supervision_ended" // SupervisionEndedData: that leg ended

	// Agents.
	EvAgentState    = "agent.state"    // AgentStateData
	EvAgentLogin    = "agent.login"    // LoginData: sign-in taken over on another phone
	EvAgentRequest  = "agent.request"  // RequestData: a not-ready request and its fate
	EvAgentAlert    = "agent.alert"    // AlertData: e.g. a break past its allowance
	EvAgentRepaired = "agent.repaired" // RepairData: the watchdog fixed drift from the PBX

	// Messages (留言) and surveys.
	EvCallMessage    = "call.message"    // MessageData: the caller left a message
	EvMessageHandled = "message.handled" // MessageHandledData: someone dealt with it
	EvCallSurvey     = "call.survey"     // SurveyData: the caller's post-call score
	EvCallCallback   = "call.callback"   // CallbackData: the caller asked to be called back
	EvCallAnnounced  = "call.announced"  // AnnouncedData: a waiting caller was told their place and wait

	// Config.
	EvConfigApplied = "config.applied" // ConfigData: a config version took effect
)

// DecisionData is the payload of call.decision: every assignment, with the
// candidates considered and why the winner won.
type DecisionData struct {
	Trigger       string           `json:"trigger"` // queued, agent_ready, escalated, offer_failed, …
	Queue         string           `json:"queue"`
	Queues        []string         `json:"queues"` // the queue and any merged in
	Strategy      string           `json:"strategy"`
	Rule          string           `json:"rule"` // "queue" or "escalation[N]"
	Skills        []string         `json:"skills,omitempty"`
	MaxPenalty    int              `json:"max_penalty"` // -1: any
	ConfigVersion int              `json:"config_version"`
	Candidates    []CandidateScore `json:"candidates"`
	Omitted       int              `json:"omitted,omitempty"`  // eligible candidates beyond the recorded ones
	Excluded      map[string]int   `json:"excluded,omitempty"` // reason → agents left out
	Winners       []string         `json:"winners"`
}

// CandidateScore is one eligible agent in a decision. Score is the
// strategy's measure (higher wins), within the lowest penalty tier.
type CandidateScore struct {
	Agent   string  `json:"agent"`
	Penalty int     `json:"penalty"`
	Score   float64 `json:"score"`
	Chosen  bool    `json:"chosen,omitempty"`
}

// EscalationData is the payload of call.escalated.
type EscalationData struct {
	Queue      string   `json:"queue"`
	Step       int      `json:"step"`
	Skills     []string `json:"skills,omitempty"`
	MaxPenalty *int     `json:"max_penalty,omitempty"`
	AddQueues  []string `json:"add_queues,omitempty"`
}

// OverflowData is the payload of call.overflowed.
type OverflowData struct {
	From   string `json:"from"`
	Queue  string `json:"queue,omitempty"`
	Node   string `json:"node,omitempty"`
	Reason string `json:"reason"` // escalation, full, service_level
}

// LoginData is the payload of agent.login.
type LoginData struct {
	Endpoint string `json:"endpoint"`
	Previous string `json:"previous"`
}

// RequestData is the payload of agent.request.
type RequestData struct {
	Reason string `json:"reason"`
	Status string `json:"status"` // pending, approved, refused
	Why    string `json:"why,omitempty"`
}

// AlertData is the payload of agent.alert.
type AlertData struct {
	Kind      string `json:"kind"` // break_overrun
	Reason    string `json:"reason,omitempty"`
	Allowance string `json:"allowance,omitempty"`
}

// RepairData is the payload of agent.repaired.
type RepairData struct {
	Was  string `json:"was"`
	Why  string `json:"why"`
	Call string `json:"call,omitempty"`
}

// ConfigData is the payload of config.applied.
type ConfigData struct {
	Version int             `json:"version"`
	Hash    string          `json:"hash"`
	Config  json.RawMessage `json:"config,omitempty"`
}

// CallArrivedData is the payload of call.arrived.
type CallArrivedData struct {
	Channel string `json:"channel"`
	Caller  string `json:"caller"`
	Called  string `json:"called"`
	Flow    string `json:"flow"`
	// Ringing: the caller hears ringback, not answered until an agent
	// answers (a ringback queue step).
	Ringing bool `json:"ringing,omitempty"`
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
	OutcomeOverflow         = "overflow"          // overflowed from a queue to a flow node, which ended it
	OutcomeQueueFull        = "queue_full"        // the queue was full and no overflow took the call
)

// EndedData is the payload of call.ended.
type EndedData struct {
	Outcome  string `json:"outcome"`
	Cause    string `json:"cause,omitempty"`
	HangupBy string `json:"hangup_by,omitempty"` // "caller", "agent", "switchboard"
	// Outbound calls only (inbound leave them out): the direction, the
	// trunk that carried the call, how many tries it took and the talk time.
	Direction   string  `json:"direction,omitempty"`
	Trunk       string  `json:"trunk,omitempty"`
	Attempts    int     `json:"attempts,omitempty"`
	TalkSeconds float64 `json:"talk_seconds,omitempty"`
}

// AgentStateData is the payload of agent.state.
type AgentStateData struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Reason   string `json:"reason,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	CallID   string `json:"call_id,omitempty"`
	// By and Note: a sign-out by someone else, who and why.
	By   string `json:"by,omitempty"`
	Note string `json:"note,omitempty"`
}

// TimerData is the payload of timer.
type TimerData struct {
	Name string `json:"name"`
}

// MessageData is the payload of call.message. The message's ID is the
// recording's name.
type MessageData struct {
	Recording       string  `json:"recording"`
	Target          string  `json:"target"`      // who it is for: an agent, an extension, a group
	TargetKind      string  `json:"target_kind"` // agent, extension, group
	Caller          string  `json:"caller"`
	DurationSeconds float64 `json:"duration_seconds"`
}

// MessageHandledData is the payload of message.handled.
type MessageHandledData struct {
	Recording string `json:"recording"`
	By        string `json:"by"`
	Note      string `json:"note,omitempty"`
}

// SurveyData is the payload of call.survey.
type SurveyData struct {
	Score int    `json:"score"` // 1-5
	Agent string `json:"agent,omitempty"`
	Queue string `json:"queue,omitempty"`
}

// CallbackData is the payload of call.callback.
type CallbackData struct {
	Number string `json:"number"`
	Queue  string `json:"queue,omitempty"`
}

// WrapUpData is the payload of call.wrapped: what the agent (or a lead, By)
// recorded about the call at wrap-up. A later one for the same call
// replaces it.
type WrapUpData struct {
	Agent       string `json:"agent"`
	Disposition string `json:"disposition"`
	Notes       string `json:"notes,omitempty"`
	FollowUp    bool   `json:"follow_up"`
	By          string `json:"by,omitempty"`
}

// TransferData is the payload of call.transferred: the agent From handed
// the caller on to a queue, an agent or an extension.
type TransferData struct {
	From   string `json:"from"`
	ToKind string `json:"to_kind"` // queue, agent, extension
	To     string `json:"to"`
	By     string `json:"by,omitempty"`
}

// Transfer target kinds.
const (
	TransferQueue     = "queue"
	TransferAgent     = "agent"
	TransferExtension = "extension"
)

// SupervisedData is the payload of call.supervised.
type SupervisedData struct {
	By       string `json:"by"`   // who asked (a username)
	Mode     string `json:"mode"` // listen, whisper, barge
	Endpoint string `json:"endpoint"`
	Leg      string `json:"leg"`
}

// SupervisionEndedData is the payload of call.supervision_ended.
type SupervisionEndedData struct {
	By       string  `json:"by"`
	Mode     string  `json:"mode"`
	Endpoint string  `json:"endpoint"`
	Leg      string  `json:"leg"`
	Cause    string  `json:"cause"`    // the leg's hang-up cause, or failed:…, gone_after_link_drop, …
	Answered bool    `json:"answered"` // the supervisor picked up
	Seconds  float64 `json:"seconds"`  // from their answer to the end
}
