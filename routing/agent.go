package routing

import (
	"slices"
	"time"
)

// agent is the engine's live view of one agent.
type agent struct {
	id, name string
	endpoint string // the phone the agent signed in on
	queues   []string
	state    AgentState
	reason   string
	since    time.Time // when the current state began
	// idleSince is when the agent last became ready; longest idle first.
	idleSince time.Time
	callID    string
	order     int // position in config, breaks ties
}

func (a *agent) view() AgentView {
	return AgentView{
		ID: a.id, Name: a.name, State: a.state, Reason: a.reason, Since: a.since,
		Endpoint: a.endpoint, Queues: slices.Clone(a.queues), CallID: a.callID,
	}
}

func (a *agent) serves(queue string) bool { return slices.Contains(a.queues, queue) }

// setState is the only place an agent's state changes. It checks the
// transition table and writes agent.state before the change is acted on.
func (m *Machine) setState(a *agent, to AgentState, reason string) error {
	if !canTransition(a.state, to) {
		return &TransitionError{Agent: a.id, From: a.state, To: to}
	}
	if to != NotReady {
		reason = ""
	}
	m.record(&Record{Type: EvAgentState, AgentID: a.id, CallID: a.callID}, AgentStateData{
		From: a.state.String(), To: to.String(), Reason: reason, Endpoint: a.endpoint, CallID: a.callID,
	})
	a.state, a.reason, a.since = to, reason, m.now
	if to == Ready {
		a.idleSince = m.now
	}
	switch to {
	case Ready, NotReady, SignedOut:
		a.callID = ""
	}
	return nil
}

// mustState is setState for transitions the engine itself drives; a refusal
// there is a bug in the engine, logged rather than silently ignored.
func (m *Machine) mustState(a *agent, to AgentState, reason string) {
	if err := m.setState(a, to, reason); err != nil {
		m.log.Error("agent transition refused", "agent", a.id, "err", err)
	}
}
