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
	penalty  map[string]int // queue → penalty, for the queues served
	skills   map[string]int
	team     string
	wrapUp   *Duration // overrides the queue's
	state    AgentState
	reason   string
	since    time.Time // when the current state began
	// idleSince is when the agent last became ready; longest idle first.
	idleSince time.Time
	callID    string
	offer     *offer // the pending offer while reserved or ringing
	// lastCall is the call the agent answered last: it may still be
	// wrapped up after the wrap-up time ran out.
	lastCall  string
	wrapQueue string // that call's queue, for the wrap-up time
	order     int    // position in config, breaks ties

	// Since sign-in, for the fewest-calls and least-talk-time strategies.
	answered int
	talk     time.Duration

	// pending is a not-ready request waiting for the team lead; approved
	// is one the lead allowed, applied when the agent is next free.
	pending, approved string
}

func newAgent(ac AgentConfig, order int) *agent {
	a := &agent{id: ac.ID, order: order}
	a.configure(ac)
	return a
}

// configure applies the agent's config; live state stays as it is.
func (a *agent) configure(ac AgentConfig) {
	a.name, a.skills, a.team, a.wrapUp = ac.Name, ac.Skills, ac.Team, ac.WrapUp
	a.queues = a.queues[:0]
	a.penalty = make(map[string]int, len(ac.Queues))
	for _, q := range ac.Queues {
		a.queues = append(a.queues, q.Queue)
		a.penalty[q.Queue] = q.Penalty
	}
}

func (a *agent) view() AgentView {
	return AgentView{
		ID: a.id, Name: a.name, State: a.state, Reason: a.reason, Since: a.since,
		Endpoint: a.endpoint, Queues: slices.Clone(a.queues), CallID: a.callID,
		Skills: a.skills, Team: a.team, PendingNotReady: a.pending,
	}
}

func (a *agent) serves(queue string) bool {
	_, ok := a.penalty[queue]
	return ok
}

// working is what a team's minimum counts: signed in and not on a break.
func (a *agent) working() bool {
	return a.state != SignedOut && a.state != NotReady
}

// transition is one change of an agent's state, as setState applies it.
type transition struct {
	to     AgentState
	reason string
	// restored: the change is the log's own, read back at start-up. It is
	// applied at the log's time, without a new record (the log has it)
	// and without timers (its allowance ran before the restart).
	restored bool
	at       time.Time
	// adopted: the PBX shows the agent talking on a call that outlived a
	// restart. The table is not consulted: the state the log left cannot
	// lead to on-call, and the PBX's live call is the fact to follow.
	adopted bool
}

// setState changes an agent's state; the one place it changes, live,
// restored or adopted. It checks the transition table and writes
// agent.state before the change is acted on.
func (m *Machine) setState(a *agent, to AgentState, reason string) error {
	return m.transit(a, transition{to: to, reason: reason})
}

// transit is setState for any transition.
func (m *Machine) transit(a *agent, t transition) error {
	to, reason := t.to, t.reason
	if !t.adopted && !canTransition(a.state, to) {
		return &TransitionError{Agent: a.id, From: a.state, To: to}
	}
	if to != NotReady {
		reason = ""
	}
	at := m.now
	if t.restored {
		at = t.at
	} else {
		m.record(&Record{Type: EvAgentState, AgentID: a.id, CallID: a.callID}, AgentStateData{
			From: a.state.String(), To: to.String(), Reason: reason, Endpoint: a.endpoint, CallID: a.callID,
		})
	}
	from := a.state
	a.state, a.reason, a.since = to, reason, at
	switch to {
	case Ready:
		a.idleSince = at
		a.callID = ""
	case NotReady, SignedOut:
		a.callID = ""
	}
	if t.restored {
		return nil
	}
	if from == NotReady {
		m.cancelTimer(timerAllowance(a))
	}
	if to == NotReady {
		if r := m.reason(reason); r != nil && r.Allowance > 0 {
			m.setTimer(timerAllowance(a), r.Allowance.D())
		}
	}
	if to == SignedOut {
		a.pending, a.approved = "", ""
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

// free puts an agent whose call or offer ended back to work: ready, or the
// not-ready a lead approved meanwhile. A ready agent is offered the best
// waiting call at once.
func (m *Machine) free(a *agent) {
	if a.approved != "" {
		reason := a.approved
		a.approved = ""
		m.mustState(a, NotReady, reason)
		return
	}
	m.mustState(a, Ready, "")
	m.agentReady(a)
}

func (m *Machine) reason(code string) *Reason {
	for i := range m.cfg.NotReadyReasons {
		if m.cfg.NotReadyReasons[i].Code == code {
			return &m.cfg.NotReadyReasons[i]
		}
	}
	return nil
}

func (m *Machine) wrapUpFor(a *agent, queue string) time.Duration {
	if a.wrapUp != nil {
		return a.wrapUp.D()
	}
	if q := m.cfg.Queues[queue]; q != nil {
		return q.WrapUp.D()
	}
	return 0
}

func timerAllowance(a *agent) string { return "allowance:" + a.id }
