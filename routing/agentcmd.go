package routing

import (
	"slices"
	"time"
)

// agentCommand is an API request about an agent, handled in the engine loop
// like any other input (and logged as one).
type agentCommand struct {
	Op       string `json:"op"` // list, get, sign_in, sign_out, ready, not_ready, approve, refuse
	Agent    string `json:"agent,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// By is who forces a sign-out (Reason is then their note).
	By string `json:"by,omitempty"`
}

func (m *Machine) onAgentCommand(cmd agentCommand) (any, error) {
	if cmd.Op == "queues" {
		return m.queueViews(), nil
	}
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
	var err error
	switch cmd.Op {
	case "get":
	case "sign_in":
		err = m.roster.signIn(a, cmd.Endpoint)
	case "sign_out":
		err = m.signOut(a, cmd.By, cmd.Reason)
	case "ready":
		err = m.roster.ready(a)
	case "not_ready":
		err = m.roster.notReady(a, cmd.Reason)
	case "withdraw":
		err = m.roster.withdraw(a)
	case "approve", "refuse":
		err = m.roster.decide(a, cmd.Op == "approve")
	default:
		err = &FieldError{Field: "op", Reason: "unknown operation " + cmd.Op}
	}
	if err != nil {
		return nil, err
	}
	return a.view(), nil
}

// signOut signs a out; by and note name who forced it and why ("": the
// agent's own).
func (m *Machine) signOut(a *agent, by, note string) error {
	if by == "" {
		note = ""
	}
	if err := m.roster.transit(a, transition{to: SignedOut, by: by, note: note}); err != nil {
		return err
	}
	m.cancelTimer(timerWrapUp(a))
	// Queues that empty out send their waiting callers on, if so configured.
	for _, q := range a.queues {
		if qs := m.acd.queues[q]; qs != nil && qs.cfg.LeaveEmpty && !m.acd.anyoneSignedIn(q) {
			for _, c := range slices.Clone(m.acd.waiting) {
				if c.queue == q {
					m.acd.leaveQueue(c)
					m.stopPlayback(c)
					m.acd.noAgent(c)
				}
			}
		}
	}
	return nil
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
		a.endpoint = m.roster.configEndpoint(id)
	}
	switch s {
	case SignedOut: // where every agent starts
		a.forcedBy, a.forcedNote = st.By, st.Note
	case Ready, NotReady:
		if err := m.roster.transit(a, transition{to: s, reason: st.Reason, restored: true, at: since}); err != nil {
			m.log.Error("agent restore refused", "agent", id, "err", err)
		}
	default:
		// On a call (or about to be) when the log ended: the log's own
		// change to on-call, then wrap-up from here, recorded.
		if err := m.roster.transit(a, transition{to: OnCall, restored: true, at: since, adopted: true}); err != nil {
			m.log.Error("agent restore refused", "agent", id, "err", err)
		}
		m.roster.mustState(a, WrapUp, "")
		m.setTimer(timerWrapUp(a), time.Second)
	}
	return out
}
