package routing

// Record types of outbound calls, trunks and devices, and their payloads
// (registered in records.go like the rest).
const (
	// EvCallDialled: an outbound call was placed: the agent's phone rings
	// first, then the number through a trunk group. DialledData.
	EvCallDialled = "call.dialled"
	// EvCallTrunkAttempt: one try of the call through one trunk, and how
	// it ended (and whether the attempt moved on to the next trunk).
	// TrunkAttemptData.
	EvCallTrunkAttempt = "call.trunk_attempt"
	// EvTrunkState: a trunk's health changed (up, degraded, down).
	// TrunkStateData.
	EvTrunkState = "trunk.state"
	// EvAgentDevice: a signed-in agent's phone became unreachable or
	// reachable again; unreachable, the agent is offered no calls. DeviceData.
	EvAgentDevice = "agent.device"
)

// Call directions.
const (
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
)

// Outcomes of outbound calls, as call.ended reports them (besides
// answered, which is the same as inbound: the callee talked to the agent).
const (
	OutcomeCancelled    = "cancelled"     // the agent hung up before the callee answered
	OutcomeAgentMissed  = "agent_missed"  // the agent's own phone did not answer
	OutcomeBusy         = "busy"          // the callee was busy
	OutcomeNoAnswer     = "no_answer"     // the callee did not answer
	OutcomeRejected     = "rejected"      // the callee declined
	OutcomeTrunksFailed = "trunks_failed" // every trunk of the group failed
)

// Trunk health states.
const (
	TrunkUp       = "up"
	TrunkDegraded = "degraded" // recent carrier failures, fewer than down_after
	TrunkDown     = "down"
)

// DialledData is the payload of call.dialled.
type DialledData struct {
	Direction string `json:"direction"` // outbound
	Agent     string `json:"agent"`
	Endpoint  string `json:"endpoint"` // the agent's phone, rung first
	Leg       string `json:"leg"`      // that phone's leg
	Number    string `json:"number"`   // normalised
	Dialled   string `json:"dialled,omitempty"`
	Purpose   string `json:"purpose"` // manual, callbacks, follow_ups
	Group     string `json:"group"`
	CallerID  string `json:"caller_id,omitempty"`
	Customer  int64  `json:"customer_id,omitempty"`
	Ref       string `json:"ref,omitempty"`
	By        string `json:"by,omitempty"`
}

// Results of a trunk attempt.
const (
	AttemptAnswered = "answered"
	AttemptFailed   = "failed"  // the carrier failed: failover
	AttemptTimeout  = "timeout" // no 1xx within invite_timeout: failover
	AttemptSkipped  = "skipped" // at max_channels or down: not dialled
	AttemptCallee   = "callee"  // the callee's answer (busy, no answer, declined): no failover
	AttemptAborted  = "aborted" // the agent hung up while it rang
)

// TrunkAttemptData is the payload of call.trunk_attempt: one try.
type TrunkAttemptData struct {
	Trunk    string `json:"trunk"`
	Try      int    `json:"try"` // 1, 2, … within the call
	Leg      string `json:"leg,omitempty"`
	Result   string `json:"result"` // answered, failed, timeout, skipped, callee, aborted
	SIPCode  int    `json:"sip_code,omitempty"`
	Cause    int    `json:"cause,omitempty"` // Q.850
	Failover bool   `json:"failover"`        // the attempt moved on to the next trunk
	Why      string `json:"why"`             // e.g. sip_503, invite_timeout, max_channels, busy
	// Probe: the trunk was down and this call was its probe.
	Probe bool `json:"probe,omitempty"`
}

// TrunkStateData is the payload of trunk.state.
type TrunkStateData struct {
	Trunk    string `json:"trunk"`
	From     string `json:"from"`
	To       string `json:"to"`
	Reason   string `json:"reason"` // peer_unreachable, peer_reachable, failures, call_ok, probe_failed
	Failures int    `json:"failures"`
	Detail   string `json:"detail,omitempty"` // the PBX's word or the failure's cause
}

// DeviceData is the payload of agent.device.
type DeviceData struct {
	Endpoint  string `json:"endpoint"`
	Reachable bool   `json:"reachable"`
	Detail    string `json:"detail,omitempty"`
}
