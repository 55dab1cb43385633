package routing

import (
	"slices"
	"time"
)

// agentCommand is an API request about an agent, handled in the engine loop
// like any other input (and logged as one).
type agentCommand struct {
	Op       string `json:"op"` // list, get, sign_in, sign_out, ready, not_ready
	Agent    string `json:"agent,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (m *Machine) onAgentCommand(cmd agentCommand) (any, error) {
	if cmd.Op == "list" {
		views := make([]AgentView, 0, len(m.agents))
		for _, a := range m.agents {
			views = append(views, a.view())
		}
		slices.SortFunc(views, func(x, y AgentView) int { return m.agents[x.ID].order - m.agents[y.ID].order })
		return views, nil
	}
	a := m.agents[cmd.Agent]
	if a == nil {
		return nil, ErrUnknownAgent
	}
	switch cmd.Op {
	case "get":
	case "sign_in":
		ep := cmd.Endpoint
		if ep == "" {
			ep = m.configEndpoint(a.id)
		}
		if ep == "" {
			return nil, &FieldError{Field: "endpoint", Reason: "required: the agent has no default phone"}
		}
		if !validEndpoint(ep) {
			return nil, &FieldError{Field: "endpoint", Reason: "must be TECH/resource, e.g. PJSIP/1001"}
		}
		if a.state != SignedOut {
			if a.endpoint == ep {
				break // signing in twice on the same phone changes nothing
			}
			return nil, &TransitionError{Agent: a.id, From: a.state, To: Ready}
		}
		a.endpoint = ep
		if err := m.setState(a, Ready, ""); err != nil {
			return nil, err
		}
		m.distribute()
	case "sign_out":
		if err := m.setState(a, SignedOut, ""); err != nil {
			return nil, err
		}
		m.cancelTimer(timerWrapUp(a))
	case "ready":
		if a.state == Ready {
			break
		}
		if a.state != NotReady && a.state != WrapUp {
			return nil, &TransitionError{Agent: a.id, From: a.state, To: Ready}
		}
		m.mustState(a, Ready, "")
		m.cancelTimer(timerWrapUp(a))
		m.distribute()
	case "not_ready":
		if !slices.Contains(m.cfg.NotReadyReasons, cmd.Reason) {
			return nil, &FieldError{Field: "reason", Reason: "must be one of the configured reasons: " + joinQuoted(m.cfg.NotReadyReasons)}
		}
		if a.state != Ready && a.state != NotReady && a.state != WrapUp {
			return nil, &TransitionError{Agent: a.id, From: a.state, To: NotReady}
		}
		m.mustState(a, NotReady, cmd.Reason)
		m.cancelTimer(timerWrapUp(a))
	default:
		return nil, &FieldError{Field: "op", Reason: "unknown operation " + cmd.Op}
	}
	return a.view(), nil
}

func (m *Machine) configEndpoint(id string) string {
	for _, ac := range m.cfg.Agents {
		if ac.ID == id {
			return ac.Endpoint
		}
	}
	return ""
}

func joinQuoted(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

// RestoreAgent puts an agent back in the state the log last had for it,
// at start-up. States that need a live call come back as wrap-up, so the
// agent is offered nothing until the wrap-up timer or a resync clears it.
func (m *Machine) RestoreAgent(now time.Time, id string, st AgentStateData, since time.Time) Output {
	var out Output
	m.now, m.out = now, &out
	defer func() { m.out = nil }()
	a := m.agents[id]
	if a == nil {
		return out
	}
	s, err := ParseAgentState(st.To)
	if err != nil {
		return out
	}
	a.endpoint, a.since, a.idleSince = st.Endpoint, since, since
	if a.endpoint == "" {
		a.endpoint = m.configEndpoint(id)
	}
	switch s {
	case SignedOut, Ready, NotReady:
		a.state, a.reason = s, st.Reason
	default:
		a.state = OnCall
		m.mustState(a, WrapUp, "")
		m.setTimer(timerWrapUp(a), time.Second)
	}
	return out
}
