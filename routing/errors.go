package routing

import (
	"errors"
	"fmt"
)

// Errors the engine returns to API commands.
var (
	ErrUnknownAgent = errors.New("unknown agent")
	ErrStopped      = errors.New("engine stopped")
	// ErrUnknownCalendar is a day/night switch for a calendar not configured.
	ErrUnknownCalendar = errors.New("unknown calendar")
	errNoRecorder      = errors.New("this PBX driver cannot record")
	// ErrUnknownCall is a command about a call the engine does not hold.
	ErrUnknownCall = errors.New("unknown call")
	// ErrNotYourCall is a wrap-up or transfer by someone the call is not
	// theirs to act on (another agent's, another team's).
	// ErrNoSuchItem is an accept or skip of a work item the engine does not hold.
	ErrNoSuchItem  = errors.New("unknown callback")
	ErrNotYourCall = errors.New("the call is not yours to act on")
	errNoSnooper   = errors.New("this PBX driver cannot listen to calls")
	errNoMOH       = errors.New("this PBX driver has no music on hold: use hold_media")
)

// TransitionError is returned when an agent state change is not allowed
// from the agent's current state.
type TransitionError struct {
	Agent    string
	From, To AgentState
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("agent %s: cannot go from %s to %s", e.Agent, e.From, e.To)
}

// FieldError is bad input to a command, naming the field at fault.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// PolicyError is a request refused by a rule of the call center (a team's
// minimum of working agents, no request to decide), not by bad input.
type PolicyError struct {
	Code    string
	Message string
	Field   string // the input the rule is about, if one is
}

func (e *PolicyError) Error() string { return e.Message }

// ConfigError is a config the engine refused to load; nothing of it was
// applied.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return "config refused: " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }
