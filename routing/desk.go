package routing

import (
	"slices"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// The agent desk: wrap-up with a disposition, blind transfer, and the view
// the desk page is drawn from.

// desk serves the agents' desks: wrap-up, blind transfer and the desk
// view. It reaches calls and agents through the machine's maps, and moves
// agents and callers through the roster, the ACD and the call flow.
type desk struct {
	*effects
	cfg         *Config
	agents      map[string]*agent
	calls       map[string]*call
	byChannel   map[string]*call // the machine's: a handed-over agent leg leaves it
	roster      *roster
	acd         *acd
	supervisors *supervisors
	outbound    *outbound
	flow        deskFlow
	// ringExtension is the dial step's: ring the extension a call is
	// transferred to.
	ringExtension func(c *call)
	// previews finds the work item an agent is reserved for.
	previews interface{ previewOf(a *agent) *WorkItemView }
	// rec ends the recording part of a bridge a transfer takes down.
	rec *recorder
	// controls hold hold and mute state; a transfer ends a hold.
	controls *controls
}

// deskFlow is what the desk needs from the call flow: ending a call whose
// transfer failed with nowhere to go back to.
type deskFlow interface {
	hangupCall(c *call, outcome string)
}

var _ deskFlow = (*Machine)(nil)

// deskCommand is a desk request, handled in the engine loop like any other
// input; all but desk are logged as commands (a draft only when it
// changes).
type deskCommand struct {
	Op          string `json:"op"` // desk, wrap_up, draft, extend, transfer
	Agent       string `json:"agent,omitempty"`
	Call        string `json:"call,omitempty"`
	Disposition string `json:"disposition,omitempty"`
	Notes       string `json:"notes,omitempty"`
	FollowUp    *bool  `json:"follow_up,omitempty"`
	NotReady    string `json:"not_ready,omitempty"`
	ToKind      string `json:"to_kind,omitempty"`
	To          string `json:"to,omitempty"`
	By          string `json:"by,omitempty"`
	// OnlyAgent and OnlyTeam narrow whose calls the requester may act on:
	// an agent their own, a team lead their team's.
	OnlyAgent string `json:"only_agent,omitempty"`
	OnlyTeam  string `json:"only_team,omitempty"`
}

// Scope narrows whose calls a request may act on: Agent set, only that
// agent's; Team set, only that team's agents'; both empty, anyone's.
type Scope struct {
	Agent string
	Team  string
}

// WrapUpRequest is an agent's wrap-up of a call: the disposition (one of
// the config's), notes, follow-up (nil: the disposition's default) and
// where the agent goes next: ready, or NotReady with that reason.
type WrapUpRequest struct {
	Agent       string // "" = whoever holds the call
	Call        string
	Disposition string
	Notes       string
	FollowUp    *bool
	NotReady    string
	By          string // who asked (a lead may wrap up for an agent)
	Scope       Scope
}

// TransferRequest hands a talking caller on, blind: to a queue (the caller
// waits there again), an agent (their phone rings) or an extension (dialled
// like a flow's dial step). The first agent goes to wrap-up.
type TransferRequest struct {
	Call   string
	ToKind string // queue, agent, extension
	To     string
	By     string
	Scope  Scope
}

// DeskView is what an agent's desk page shows, from the engine's side.
type DeskView struct {
	Agent AgentView `json:"agent"`
	// Call is the call offered to the agent or being talked to (nil when
	// none is live; in wrap-up, Agent.CallID names the call just ended).
	Call *DeskCall `json:"call,omitempty"`
	// Callback is the work item the agent is reserved for: the preview to
	// accept or skip.
	Callback *WorkItemView `json:"callback,omitempty"`
	// WrapUpEnds is when wrap-up ends by itself.
	WrapUpEnds *time.Time `json:"wrap_up_ends,omitempty"`
	// WrapUpExtendSeconds is the extension the agent may still ask for
	// (0: none, or had already).
	WrapUpExtendSeconds float64 `json:"wrap_up_extend_seconds,omitempty"`
	// Draft is what the agent typed for the call's wrap-up so far.
	Draft *WrapDraft `json:"draft,omitempty"`
	// DefaultEndpoint is the agent's configured phone, used by a sign-in
	// that names none.
	DefaultEndpoint string `json:"default_endpoint,omitempty"`
	// AllowanceSeconds is the current not-ready reason's allowance and
	// AllowanceLeftSeconds what is left of it (negative: overrun).
	AllowanceSeconds     *float64      `json:"allowance_seconds,omitempty"`
	AllowanceLeftSeconds *float64      `json:"allowance_left_seconds,omitempty"`
	Reasons              []ReasonView  `json:"reasons"`
	Dispositions         []Disposition `json:"dispositions"`
	Targets              Targets       `json:"targets"`
}

// ReasonView is a not-ready reason as the desk offers it.
type ReasonView struct {
	Code             string  `json:"code"`
	AllowanceSeconds float64 `json:"allowance_seconds,omitempty"`
}

// DeskCall is the live call on an agent's desk.
type DeskCall struct {
	ID     string `json:"id"`
	Caller string `json:"caller"`
	Called string `json:"called"`
	Queue  string `json:"queue"`
	// Phase: offered (reserved), ringing, talking.
	Phase       string            `json:"phase"`
	ArrivedAt   time.Time         `json:"arrived_at"`
	QueuedAt    *time.Time        `json:"queued_at,omitempty"`
	AnsweredAt  *time.Time        `json:"answered_at,omitempty"`
	WaitSeconds float64           `json:"wait_seconds"`
	Vars        map[string]string `json:"vars,omitempty"` // what collect steps gathered
	Transferred bool              `json:"transferred,omitempty"`
	// Outbound calls: the direction, the number dialled (normalised), the
	// purpose and trunk group, the trunk of the current or connected try,
	// and tries so far. Phase is then calling_agent, ringing_agent,
	// dialling, ringing or talking.
	Direction string `json:"direction,omitempty"`
	Number    string `json:"number,omitempty"`
	Purpose   string `json:"purpose,omitempty"`
	Group     string `json:"group,omitempty"`
	Trunk     string `json:"trunk,omitempty"`
	Attempts  int    `json:"attempts,omitempty"`
	// Controls: hold and mute of a connected inbound call.
	Controls *ControlState `json:"controls,omitempty"`
}

// Targets are where a call can be transferred.
type Targets struct {
	Queues     []string          `json:"queues"`
	Agents     []TargetAgent     `json:"agents"`
	Extensions []TargetExtension `json:"extensions"`
}

// TargetAgent is an agent a call could be transferred to (only a ready one
// takes it).
type TargetAgent struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	State AgentState `json:"state"`
}

// TargetExtension is an extension a call can be transferred to.
type TargetExtension struct {
	Number     string `json:"number"`
	Name       string `json:"name"`
	Department string `json:"department,omitempty"`
}

func (dk *desk) command(cmd deskCommand) (any, error) {
	switch cmd.Op {
	case "desk":
		a := dk.agents[cmd.Agent]
		if a == nil {
			return nil, ErrUnknownAgent
		}
		return dk.view(a), nil
	case "wrap_up":
		return dk.wrapUp(cmd)
	case "draft":
		return dk.saveDraft(cmd)
	case "extend":
		return dk.extendWrapUp(cmd)
	case "transfer":
		return dk.transfer(cmd)
	}
	return nil, &FieldError{Field: "op", Reason: "unknown operation " + cmd.Op}
}

func (dk *desk) disposition(code string) *Disposition {
	for i := range dk.cfg.Dispositions {
		if dk.cfg.Dispositions[i].Code == code {
			return &dk.cfg.Dispositions[i]
		}
	}
	return nil
}

func (dk *desk) badDisposition() error {
	codes := make([]string, 0, len(dk.cfg.Dispositions))
	for _, x := range dk.cfg.Dispositions {
		codes = append(codes, x.Code)
	}
	return &FieldError{Field: "disposition", Reason: "must be one of the configured dispositions: " + strings.Join(codes, ", ")}
}

func inScope(a *agent, onlyAgent, onlyTeam string) bool {
	return (onlyAgent == "" || a.id == onlyAgent) && (onlyTeam == "" || a.team == onlyTeam)
}

// wrapUp records the agent's disposition of a call (call.wrapped) and, if
// the agent is in that call's wrap-up, ends it: ready, or not ready with
// the reason they chose. During the call it is recorded and wrap-up still
// follows; after wrap-up ran out it is recorded and the state stays.
func (dk *desk) wrapUp(cmd deskCommand) (any, error) {
	d := dk.disposition(cmd.Disposition)
	if d == nil {
		return nil, dk.badDisposition()
	}
	if cmd.NotReady != "" && dk.roster.reason(cmd.NotReady) == nil {
		return nil, &FieldError{Field: "not_ready", Reason: "unknown not-ready reason " + cmd.NotReady}
	}
	a, err := dk.holderOf(cmd.Call, cmd.Agent)
	if err != nil {
		return nil, err
	}
	if !inScope(a, cmd.OnlyAgent, cmd.OnlyTeam) {
		return nil, ErrNotYourCall
	}
	follow := d.FollowUp
	if cmd.FollowUp != nil {
		follow = *cmd.FollowUp
	}
	queue := a.wrapQueue
	if c := dk.calls[cmd.Call]; c != nil {
		queue = c.queue
	}
	dk.record(&Record{Type: EvCallWrapped, CallID: cmd.Call, AgentID: a.id, Queue: queue}, WrapUpData{
		Agent: a.id, Disposition: d.Code, Notes: cmd.Notes, FollowUp: follow, By: cmd.By,
	})
	if a.draft != nil && a.draft.call == cmd.Call {
		a.draft = nil // submitted: nothing left to keep
	}
	if a.state == WrapUp && a.callID == cmd.Call {
		if cmd.NotReady != "" {
			// A not-ready the team's minimum refuses leaves the agent in
			// wrap-up, which then ends by itself.
			if err := dk.roster.notReady(a, cmd.NotReady); err != nil {
				return a.view(), err
			}
		} else if err := dk.roster.ready(a); err != nil {
			return nil, err
		}
	}
	return a.view(), nil
}

// holderOf is the agent a call belongs to for its wrap-up: agent id if
// given (it must hold the call: on it, in its wrap-up, or answered it
// last), else whoever holds it.
func (dk *desk) holderOf(callID, id string) (*agent, error) {
	holds := func(a *agent) bool {
		return a.callID == callID && (a.state == OnCall || a.state == WrapUp) || a.lastCall == callID
	}
	if id != "" {
		a := dk.agents[id]
		if a == nil {
			return nil, ErrUnknownAgent
		}
		if !holds(a) {
			if dk.calls[callID] == nil && !dk.anyHolds(callID, holds) {
				return nil, ErrUnknownCall
			}
			return nil, ErrNotYourCall
		}
		return a, nil
	}
	// The one on it or in its wrap-up first, then who answered it last.
	var last *agent
	for _, a := range dk.agentsInOrder() {
		if a.callID == callID && (a.state == OnCall || a.state == WrapUp) {
			return a, nil
		}
		if a.lastCall == callID && last == nil {
			last = a
		}
	}
	if last != nil {
		return last, nil
	}
	if dk.calls[callID] != nil {
		return nil, &PolicyError{Code: "no_agent", Message: "no agent has taken call " + callID + " yet"}
	}
	return nil, ErrUnknownCall
}

func (dk *desk) anyHolds(callID string, holds func(*agent) bool) bool {
	for _, a := range dk.agents {
		if holds(a) {
			return true
		}
	}
	return false
}

func (dk *desk) agentsInOrder() []*agent {
	as := make([]*agent, 0, len(dk.agents))
	for _, a := range dk.agents {
		as = append(as, a)
	}
	slices.SortFunc(as, func(x, y *agent) int { return x.order - y.order })
	return as
}

// transfer hands a talking caller on, keeping the call's ID and history.
// Everything is checked before anything changes: a refused transfer
// leaves the call as it was.
func (dk *desk) transfer(cmd deskCommand) (any, error) {
	c := dk.calls[cmd.Call]
	if c == nil {
		return nil, ErrUnknownCall
	}
	if c.phase != phaseBridged || c.agent == nil || c.out != nil {
		// (Outbound calls are not transferred yet: their caller is the agent.)
		return nil, &PolicyError{Code: "not_transferable", Message: "call " + c.id + " is not an inbound call talking to an agent"}
	}
	if !inScope(c.agent, cmd.OnlyAgent, cmd.OnlyTeam) {
		return nil, ErrNotYourCall
	}
	var target *agent
	switch cmd.ToKind {
	case TransferQueue:
		qs := dk.acd.queues[cmd.To]
		switch {
		case qs == nil:
			return nil, &FieldError{Field: "to", Reason: "unknown queue " + cmd.To}
		case !qs.cfg.JoinEmpty && !dk.acd.anyoneSignedIn(cmd.To):
			return nil, &PolicyError{Code: "queue_empty", Message: "nobody serving queue " + cmd.To + " is signed in"}
		case qs.cfg.MaxLength > 0 && dk.acd.waitingIn(cmd.To) >= qs.cfg.MaxLength:
			return nil, &PolicyError{Code: "queue_full", Message: "queue " + cmd.To + " is full"}
		}
	case TransferAgent:
		target = dk.agents[cmd.To]
		switch {
		case target == nil:
			return nil, &FieldError{Field: "to", Reason: "unknown agent " + cmd.To}
		case target == c.agent:
			return nil, &FieldError{Field: "to", Reason: "the agent is on the call already"}
		case target.state != Ready || target.endpoint == "":
			return nil, &PolicyError{Code: "agent_not_ready", Message: "agent " + cmd.To + " is " + target.state.String() + ", not ready"}
		}
		if dk.acd.queues[c.queue] == nil {
			return nil, &PolicyError{Code: "not_transferable", Message: "the call's queue " + c.queue + " is gone"}
		}
	case TransferExtension:
		if dk.cfg.Extensions[cmd.To] == nil {
			return nil, &FieldError{Field: "to", Reason: "unknown extension " + cmd.To}
		}
	case "":
		return nil, &FieldError{Field: "to_kind", Reason: "required: agent, queue or extension"}
	default:
		return nil, &FieldError{Field: "to_kind", Reason: "must be agent, queue or extension"}
	}

	from := c.agent
	dk.record(&Record{Type: EvCallTransferred, CallID: c.id, Queue: c.queue, AgentID: from.id},
		TransferData{From: from.id, ToKind: cmd.ToKind, To: cmd.To, By: cmd.By})
	dk.handOver(c)
	c.transferred = true
	start := len(dk.out.Commands)
	switch cmd.ToKind {
	case TransferQueue:
		prev := c.entry.node
		qn := &QueueNode{Queue: cmd.To}
		if prev != nil {
			qn.NoAgent, qn.OnTimeout, qn.Survey = prev.NoAgent, prev.OnTimeout, prev.Survey
		}
		c.entry.node = qn
		dk.acd.joinQueue(c, cmd.To, "transfer")
	case TransferAgent:
		dk.acd.wait(c, c.queue)
		dk.record(&Record{Type: EvCallDecision, CallID: c.id, Queue: c.queue}, DecisionData{
			Trigger: "transfer", Queue: c.queue, Queues: []string{c.queue}, Strategy: "transfer",
			Rule: "transfer", MaxPenalty: -1, ConfigVersion: dk.acd.version,
			Candidates: []CandidateScore{{Agent: target.id, Chosen: true}}, Winners: []string{target.id},
		})
		dk.acd.offer(c, target)
	case TransferExtension:
		c.phase, c.dial.ext = phaseIVR, cmd.To
		c.xfer = &DialNode{Timeout: Duration(transferDialTimeout)}
		dk.ringExtension(c)
	}
	// The caller's channel leaves the bridge first: what plays to it now
	// runs in the call's command order, after the bridge is gone.
	dk.playAfterBridge(start, c.id, c.channel)
	return dk.callView(c), nil
}

// transferDialTimeout is how long an extension a call is transferred to
// rings before the caller goes back to waiting in the call's queue.
const transferDialTimeout = 20 * time.Second

// handOver takes the agent off a call that goes on: the bridge goes (the
// caller stays), the agent's leg is hung up and the agent goes to wrap-up.
func (dk *desk) handOver(c *call) {
	dk.supervisors.dropAll(c) // they listened to the agent, who leaves
	dk.controls.talkEnded(c, ResumedOnHandOn)
	if c.bridge != "" {
		dk.emit(cmdDestroyBridge{Call: c.id, BridgeID: c.bridge})
		c.bridge = ""
		dk.rec.unbridged(c.id) // the part's file ends with the bridge
	}
	if c.leg != "" && dk.byChannel[c.leg] != nil {
		delete(dk.byChannel, c.leg)
		dk.emit(cmdHangup{Call: c.id, Channel: c.leg, Cause: pbx.CauseNormal})
	}
	c.leg = ""
	a := c.agent
	c.agent = nil
	a.talk += dk.now.Sub(c.answeredAt)
	dk.roster.mustState(a, WrapUp, "")
	dk.setTimer(timerWrapUp(a), dk.roster.wrapUpFor(a, c.queue))
}

// transferFailed: the extension a call was transferred to did not take
// it. The caller waits in the call's queue again.
func (dk *desk) transferFailed(c *call) {
	c.xfer = nil
	if dk.acd.queues[c.queue] == nil {
		dk.flow.hangupCall(c, OutcomeNoAgent)
		return
	}
	dk.acd.joinQueue(c, c.queue, "transfer_failed")
}

// callView is a live call as the desk shows it.
func (dk *desk) callView(c *call) *DeskCall {
	v := &DeskCall{
		ID: c.id, Caller: c.caller, Called: c.called, Queue: c.queue, ArrivedAt: c.at,
		Transferred: c.transferred,
	}
	if !c.entry.queuedAt.IsZero() {
		t := c.entry.queuedAt
		v.QueuedAt = &t
		v.WaitSeconds = dk.now.Sub(t).Seconds()
	}
	if c.phase == phaseBridged {
		t := c.answeredAt
		v.AnsweredAt = &t
		v.Phase = "talking"
		if !c.entry.queuedAt.IsZero() {
			v.WaitSeconds = c.answeredAt.Sub(c.entry.queuedAt).Seconds()
		}
	}
	if len(c.vars) > 0 {
		v.Vars = make(map[string]string, len(c.vars))
		for k, x := range c.vars {
			v.Vars[k] = x
		}
	}
	return v
}

func (dk *desk) view(a *agent) DeskView {
	v := DeskView{Agent: a.view(), Dispositions: slices.Clone(dk.cfg.Dispositions)}
	if dk.previews != nil {
		v.Callback = dk.previews.previewOf(a)
	}
	for _, r := range dk.cfg.NotReadyReasons {
		v.Reasons = append(v.Reasons, ReasonView{Code: r.Code, AllowanceSeconds: r.Allowance.D().Seconds()})
	}
	if c := dk.calls[a.callID]; c != nil && a.callID != "" {
		switch {
		case c.out != nil && c.agent == a:
			v.Call = dk.outbound.view(c)
		case a.offer != nil && a.offer.call == c:
			v.Call = dk.callView(c)
			v.Call.Phase = "offered"
			if a.offer.ringing {
				v.Call.Phase = "ringing"
			}
		case c.agent == a && c.phase == phaseBridged:
			v.Call = dk.callView(c)
		}
	}
	if c := dk.calls[a.callID]; v.Call != nil && v.Call.Phase == "talking" && c != nil && c.out == nil {
		s := dk.controls.view(c)
		v.Call.Controls = &s
	}
	if a.state == WrapUp {
		t := dk.roster.wrapUpEnds(a)
		v.WrapUpEnds = &t
		if a.extended == 0 {
			v.WrapUpExtendSeconds = dk.roster.wrapUpExtend(a.wrapQueue).Seconds()
		}
	}
	v.Draft = dk.draftView(a)
	v.DefaultEndpoint = dk.roster.configEndpoint(a.id)
	if r := dk.roster.reason(a.reason); a.state == NotReady && r != nil && r.Allowance > 0 {
		total := r.Allowance.D().Seconds()
		left := total - dk.now.Sub(a.since).Seconds()
		v.AllowanceSeconds, v.AllowanceLeftSeconds = &total, &left
	}
	v.Targets.Queues = sortedKeys(dk.acd.queues)
	// Only a signed-in agent can take a transfer.
	for _, o := range dk.agentsInOrder() {
		if o != a && o.state != SignedOut {
			v.Targets.Agents = append(v.Targets.Agents, TargetAgent{ID: o.id, Name: o.name, State: o.state})
		}
	}
	for _, n := range sortedKeys(dk.cfg.Extensions) {
		e := dk.cfg.Extensions[n]
		v.Targets.Extensions = append(v.Targets.Extensions, TargetExtension{Number: n, Name: e.Name, Department: e.Department})
	}
	if v.Targets.Agents == nil {
		v.Targets.Agents = []TargetAgent{}
	}
	if v.Targets.Extensions == nil {
		v.Targets.Extensions = []TargetExtension{}
	}
	return v
}
