package routing

import (
	"fmt"
	"time"
)

// AgentState is where an agent is in the one state machine every change
// goes through (setState checks the transition table).
type AgentState uint8

// Agent states.
const (
	SignedOut AgentState = iota
	Ready
	NotReady
	Reserved // chosen for a call, the phone is about to ring
	Ringing
	OnCall
	WrapUp
)

var stateNames = [...]string{"signed_out", "ready", "not_ready", "reserved", "ringing", "on_call", "wrap_up"}

func (s AgentState) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", s)
}

// ParseAgentState is the inverse of String.
func ParseAgentState(s string) (AgentState, error) {
	for i, n := range stateNames {
		if n == s {
			return AgentState(i), nil
		}
	}
	return 0, fmt.Errorf("unknown agent state %q", s)
}

// MarshalText makes states read as names in JSON.
func (s AgentState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a state name.
func (s *AgentState) UnmarshalText(b []byte) error {
	v, err := ParseAgentState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// allowed is the transition table. Anything not listed is refused.
var allowed = map[AgentState][]AgentState{
	SignedOut: {Ready, NotReady},
	Ready:     {Reserved, NotReady, SignedOut},
	NotReady:  {Ready, NotReady, SignedOut},
	Reserved:  {Ringing, Ready, NotReady},
	Ringing:   {OnCall, NotReady, Ready},
	OnCall:    {WrapUp},
	WrapUp:    {Ready, NotReady, SignedOut},
}

func canTransition(from, to AgentState) bool {
	for _, s := range allowed[from] {
		if s == to {
			return true
		}
	}
	return false
}

// AgentView is an agent as the API shows it.
type AgentView struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	State    AgentState     `json:"state"`
	Reason   string         `json:"reason,omitempty"`
	Since    time.Time      `json:"since"`
	Endpoint string         `json:"endpoint,omitempty"`
	Queues   []string       `json:"queues"`
	CallID   string         `json:"call_id,omitempty"`
	Skills   map[string]int `json:"skills,omitempty"`
	Team     string         `json:"team,omitempty"`
	// PendingNotReady is a not-ready request waiting for the team lead.
	PendingNotReady string `json:"pending_not_ready,omitempty"`
	// DeviceUnreachable: the PBX reports the agent's phone unreachable;
	// no calls are offered until it is back (agent.device records).
	DeviceUnreachable bool `json:"device_unreachable,omitempty"`
	// SignedOutBy is who signed the agent out when it was not the agent
	// (a lead or supervisor's username), SignOutNote the reason they gave;
	// both clear at the next sign-in.
	SignedOutBy string `json:"signed_out_by,omitempty"`
	SignOutNote string `json:"sign_out_note,omitempty"`
}
