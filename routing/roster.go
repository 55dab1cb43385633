package routing

import (
	"strconv"
	"strings"
	"time"
)

// roster is the agents and their one state machine: every transition
// (live, restored, adopted), wrap-up and break allowances, sign-in and
// not-ready requests with the team limits. The machine calls it; it calls
// back only onReady, so the ACD can offer a freed agent a waiting call.
type roster struct {
	*effects
	cfg    *Config
	agents map[string]*agent
	// onReady is the ACD's: offer a newly ready agent the best waiting call.
	onReady func(a *agent)
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
	// by and note: a sign-out forced by someone else, who and why.
	by, note string
}

// setState changes an agent's state; the one place it changes, live,
// restored or adopted. It checks the transition table and writes
// agent.state before the change is acted on.
func (ro *roster) setState(a *agent, to AgentState, reason string) error {
	return ro.transit(a, transition{to: to, reason: reason})
}

// transit is setState for any transition.
func (ro *roster) transit(a *agent, t transition) error {
	to, reason := t.to, t.reason
	if !t.adopted && !canTransition(a.state, to) {
		return &TransitionError{Agent: a.id, From: a.state, To: to}
	}
	if to != NotReady {
		reason = ""
	}
	at := ro.now
	if t.restored {
		at = t.at
	} else {
		ro.record(&Record{Type: EvAgentState, AgentID: a.id, CallID: a.callID}, AgentStateData{
			From: a.state.String(), To: to.String(), Reason: reason, Endpoint: a.endpoint, CallID: a.callID,
			By: t.by, Note: t.note,
		})
	}
	from, call := a.state, a.callID
	a.state, a.reason, a.since = to, reason, at
	if to == SignedOut {
		a.forcedBy, a.forcedNote = t.by, t.note
	} else if from == SignedOut {
		a.forcedBy, a.forcedNote = "", ""
	}
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
	switch {
	case to == WrapUp:
		a.extended = 0
	case from == WrapUp:
		ro.keepDraft(a, call)
	}
	if from == NotReady {
		ro.cancelTimer(timerAllowance(a))
	}
	if to == NotReady {
		if r := ro.reason(reason); r != nil && r.Allowance > 0 {
			ro.setTimer(timerAllowance(a), r.Allowance.D())
		}
	}
	if to == SignedOut {
		a.pending, a.approved = "", ""
	}
	return nil
}

// mustState is setState for transitions the engine itself drives; a refusal
// there is a bug in the engine, logged rather than silently ignored.
func (ro *roster) mustState(a *agent, to AgentState, reason string) {
	if err := ro.setState(a, to, reason); err != nil {
		ro.log.Error("agent transition refused", "agent", a.id, "err", err)
	}
}

// free puts an agent whose call or offer ended back to work: ready, or the
// not-ready a lead approved meanwhile. A ready agent is offered the best
// waiting call at once.
func (ro *roster) free(a *agent) {
	if a.approved != "" {
		reason := a.approved
		a.approved = ""
		ro.mustState(a, NotReady, reason)
		return
	}
	ro.mustState(a, Ready, "")
	ro.onReady(a)
}

func (ro *roster) reason(code string) *Reason {
	for i := range ro.cfg.NotReadyReasons {
		if ro.cfg.NotReadyReasons[i].Code == code {
			return &ro.cfg.NotReadyReasons[i]
		}
	}
	return nil
}

func (ro *roster) wrapUpFor(a *agent, queue string) time.Duration {
	if a.wrapUp != nil {
		return a.wrapUp.D()
	}
	if q := ro.cfg.Queues[queue]; q != nil {
		return q.WrapUp.D()
	}
	return 0
}

func (ro *roster) signIn(a *agent, ep string) error {
	if ep == "" {
		ep = ro.configEndpoint(a.id)
	}
	if ep == "" {
		return &FieldError{Field: "endpoint", Reason: "required: the agent has no default phone"}
	}
	if !validEndpoint(ep) {
		return &FieldError{Field: "endpoint", Reason: "must be TECH/resource, e.g. PJSIP/1001"}
	}
	if err := ro.cfg.agentMayUse(a.id, ep); err != nil {
		return err
	}
	if o := ro.holderOfPhone(ep, a); o != nil {
		who := o.id
		if o.name != "" {
			who += " (" + o.name + ")"
		}
		return &PolicyError{Code: CodeEndpointTaken, Field: "endpoint", Message: "phone " + o.endpoint + " is in use by agent " + who + ", who is signed in on it"}
	}
	if a.state != SignedOut {
		if a.endpoint == ep {
			return nil // signing in twice on the same phone changes nothing
		}
		// One live login per account: a second sign-in elsewhere is refused,
		// or takes over when config allows and no call is in the way.
		if ro.cfg.Login.SecondSignIn != LoginTakeOver || a.offer != nil || a.state == OnCall {
			return &TransitionError{Agent: a.id, From: a.state, To: Ready}
		}
		ro.record(&Record{Type: EvAgentLogin, AgentID: a.id}, LoginData{Endpoint: ep, Previous: a.endpoint})
		a.endpoint = ep
		return nil
	}
	a.endpoint, a.answered, a.talk = ep, 0, 0
	if err := ro.setState(a, Ready, ""); err != nil {
		return err
	}
	ro.onReady(a)
	return nil
}

// CodeEndpointTaken refuses a sign-in on a phone another agent is
// signed in on: two agents on one phone would both be offered its calls.
const CodeEndpointTaken = "endpoint_taken"

// holderOfPhone is the signed-in agent other than a on phone ep, if any.
func (ro *roster) holderOfPhone(ep string, a *agent) *agent {
	for _, o := range ro.agents {
		if o != a && o.state != SignedOut && strings.EqualFold(o.endpoint, ep) {
			return o
		}
	}
	return nil
}

func (ro *roster) ready(a *agent) error {
	if a.state == Ready {
		return nil
	}
	if a.state != NotReady && a.state != WrapUp {
		return &TransitionError{Agent: a.id, From: a.state, To: Ready}
	}
	ro.cancelTimer(timerWrapUp(a))
	a.approved = ""
	ro.mustState(a, Ready, "")
	ro.onReady(a)
	return nil
}

func (ro *roster) notReady(a *agent, reason string) error {
	if ro.reason(reason) == nil {
		codes := make([]string, 0, len(ro.cfg.NotReadyReasons))
		for _, r := range ro.cfg.NotReadyReasons {
			codes = append(codes, r.Code)
		}
		return &FieldError{Field: "reason", Reason: "must be one of the configured reasons: " + strings.Join(codes, ", ")}
	}
	if a.state != Ready && a.state != NotReady && a.state != WrapUp {
		return &TransitionError{Agent: a.id, From: a.state, To: NotReady}
	}
	if a.state != NotReady {
		if t := ro.cfg.Teams[a.team]; t != nil && t.MinReady > 0 && ro.teamWorking(a.team)-1 < t.MinReady {
			if t.Approval == ApprovalLead {
				a.pending = reason
				ro.record(&Record{Type: EvAgentRequest, AgentID: a.id}, RequestData{Reason: reason, Status: "pending", Why: "team_min_ready"})
				return nil
			}
			return &PolicyError{Code: "team_min_ready", Message: "team " + a.team + " must keep " + strconv.Itoa(t.MinReady) + " agents working"}
		}
	}
	ro.cancelTimer(timerWrapUp(a))
	a.pending, a.approved = "", ""
	ro.mustState(a, NotReady, reason)
	return nil
}

// withdraw takes back the agent's own pending not-ready request.
func (ro *roster) withdraw(a *agent) error {
	if a.pending == "" {
		return &PolicyError{Code: "no_request", Message: "agent " + a.id + " has no pending not-ready request"}
	}
	ro.record(&Record{Type: EvAgentRequest, AgentID: a.id}, RequestData{Reason: a.pending, Status: "withdrawn"})
	a.pending = ""
	return nil
}

// decide settles a pending not-ready request: approved, it applies now if
// the agent is free, else when their call is done.
func (ro *roster) decide(a *agent, approve bool) error {
	if a.pending == "" {
		return &PolicyError{Code: "no_request", Message: "agent " + a.id + " has no pending not-ready request"}
	}
	reason := a.pending
	a.pending = ""
	status := "refused"
	if approve {
		status = "approved"
	}
	ro.record(&Record{Type: EvAgentRequest, AgentID: a.id}, RequestData{Reason: reason, Status: status})
	if !approve {
		return nil
	}
	switch a.state {
	case Ready, WrapUp:
		ro.cancelTimer(timerWrapUp(a))
		ro.mustState(a, NotReady, reason)
	case NotReady, SignedOut:
	default:
		a.approved = reason
	}
	return nil
}

func (ro *roster) teamWorking(team string) int {
	n := 0
	for _, a := range ro.agents {
		if a.team == team && a.working() {
			n++
		}
	}
	return n
}

func (ro *roster) configEndpoint(id string) string {
	for _, ac := range ro.cfg.Agents {
		if ac.ID == id {
			return ac.Endpoint
		}
	}
	return ""
}

func (ro *roster) repaired(a *agent, c *call, why string) {
	d := RepairData{Was: a.state.String(), Why: why}
	r := &Record{Type: EvAgentRepaired, AgentID: a.id}
	if c != nil {
		d.Call, r.CallID = c.id, c.id
	}
	ro.record(r, d)
}
