package routing

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// agentCommand is an API request about an agent, handled in the engine loop
// like any other input (and logged as one).
type agentCommand struct {
	Op       string `json:"op"` // list, get, sign_in, sign_out, ready, not_ready, approve, refuse
	Agent    string `json:"agent,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	Reason   string `json:"reason,omitempty"`
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
		err = m.signIn(a, cmd.Endpoint)
	case "sign_out":
		err = m.signOut(a)
	case "ready":
		err = m.ready(a)
	case "not_ready":
		err = m.notReady(a, cmd.Reason)
	case "approve", "refuse":
		err = m.decide(a, cmd.Op == "approve")
	default:
		err = &FieldError{Field: "op", Reason: "unknown operation " + cmd.Op}
	}
	if err != nil {
		return nil, err
	}
	return a.view(), nil
}

func (m *Machine) signIn(a *agent, ep string) error {
	if ep == "" {
		ep = m.configEndpoint(a.id)
	}
	if ep == "" {
		return &FieldError{Field: "endpoint", Reason: "required: the agent has no default phone"}
	}
	if !validEndpoint(ep) {
		return &FieldError{Field: "endpoint", Reason: "must be TECH/resource, e.g. PJSIP/1001"}
	}
	if a.state != SignedOut {
		if a.endpoint == ep {
			return nil // signing in twice on the same phone changes nothing
		}
		// One live login per account: a second sign-in elsewhere is refused,
		// or takes over when config allows and no call is in the way.
		if m.cfg.Login.SecondSignIn != LoginTakeOver || a.offer != nil || a.state == OnCall {
			return &TransitionError{Agent: a.id, From: a.state, To: Ready}
		}
		m.record(&Record{Type: EvAgentLogin, AgentID: a.id}, LoginData{Endpoint: ep, Previous: a.endpoint})
		a.endpoint = ep
		return nil
	}
	a.endpoint, a.answered, a.talk = ep, 0, 0
	if err := m.setState(a, Ready, ""); err != nil {
		return err
	}
	m.agentReady(a)
	return nil
}

func (m *Machine) signOut(a *agent) error {
	if err := m.setState(a, SignedOut, ""); err != nil {
		return err
	}
	m.cancelTimer(timerWrapUp(a))
	// Queues that empty out send their waiting callers on, if so configured.
	for _, q := range a.queues {
		if qs := m.queues[q]; qs != nil && qs.cfg.LeaveEmpty && !m.anyoneSignedIn(q) {
			for _, c := range slices.Clone(m.waiting) {
				if c.queue == q {
					m.leaveQueue(c)
					m.stopPlayback(c)
					m.noAgent(c)
				}
			}
		}
	}
	return nil
}

func (m *Machine) ready(a *agent) error {
	if a.state == Ready {
		return nil
	}
	if a.state != NotReady && a.state != WrapUp {
		return &TransitionError{Agent: a.id, From: a.state, To: Ready}
	}
	m.cancelTimer(timerWrapUp(a))
	a.approved = ""
	m.mustState(a, Ready, "")
	m.agentReady(a)
	return nil
}

func (m *Machine) notReady(a *agent, reason string) error {
	if m.reason(reason) == nil {
		codes := make([]string, 0, len(m.cfg.NotReadyReasons))
		for _, r := range m.cfg.NotReadyReasons {
			codes = append(codes, r.Code)
		}
		return &FieldError{Field: "reason", Reason: "must be one of the configured reasons: " + strings.Join(codes, ", ")}
	}
	if a.state != Ready && a.state != NotReady && a.state != WrapUp {
		return &TransitionError{Agent: a.id, From: a.state, To: NotReady}
	}
	if a.state != NotReady {
		if t := m.cfg.Teams[a.team]; t != nil && t.MinReady > 0 && m.teamWorking(a.team)-1 < t.MinReady {
			if t.Approval == ApprovalLead {
				a.pending = reason
				m.record(&Record{Type: EvAgentRequest, AgentID: a.id}, RequestData{Reason: reason, Status: "pending", Why: "team_min_ready"})
				return nil
			}
			return &PolicyError{Code: "team_min_ready", Message: "team " + a.team + " must keep " + strconv.Itoa(t.MinReady) + " agents working"}
		}
	}
	m.cancelTimer(timerWrapUp(a))
	a.pending, a.approved = "", ""
	m.mustState(a, NotReady, reason)
	return nil
}

// decide settles a pending not-ready request: approved, it applies now if
// the agent is free, else when their call is done.
func (m *Machine) decide(a *agent, approve bool) error {
	if a.pending == "" {
		return &PolicyError{Code: "no_request", Message: "agent " + a.id + " has no pending not-ready request"}
	}
	reason := a.pending
	a.pending = ""
	status := "refused"
	if approve {
		status = "approved"
	}
	m.record(&Record{Type: EvAgentRequest, AgentID: a.id}, RequestData{Reason: reason, Status: status})
	if !approve {
		return nil
	}
	switch a.state {
	case Ready, WrapUp:
		m.cancelTimer(timerWrapUp(a))
		m.mustState(a, NotReady, reason)
	case NotReady, SignedOut:
	default:
		a.approved = reason
	}
	return nil
}

func (m *Machine) teamWorking(team string) int {
	n := 0
	for _, a := range m.agents {
		if a.team == team && a.working() {
			n++
		}
	}
	return n
}

func (m *Machine) configEndpoint(id string) string {
	for _, ac := range m.cfg.Agents {
		if ac.ID == id {
			return ac.Endpoint
		}
	}
	return ""
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
	case SignedOut: // where every agent starts
	case Ready, NotReady:
		if err := m.transit(a, transition{to: s, reason: st.Reason, restored: true, at: since}); err != nil {
			m.log.Error("agent restore refused", "agent", id, "err", err)
		}
	default:
		// On a call (or about to be) when the log ended: the log's own
		// change to on-call, then wrap-up from here, recorded.
		if err := m.transit(a, transition{to: OnCall, restored: true, at: since, adopted: true}); err != nil {
			m.log.Error("agent restore refused", "agent", id, "err", err)
		}
		m.mustState(a, WrapUp, "")
		m.setTimer(timerWrapUp(a), time.Second)
	}
	return out
}
