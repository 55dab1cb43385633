package routing

import (
	"context"
	"slices"
	"strconv"
	"time"

	"switchboard/routing/pbx"
)

// Outbound calls, a second kind of work beside the inbound call: an
// agent's click-to-dial rings the agent's own phone first, then dials the
// number through the purpose's trunk group, failing over from trunk to
// trunk within the one attempt when a carrier fails, and bridges the two.

// outbound places and runs outbound calls. It shares the machine's call
// maps (a call's legs are found by channel like any other) and moves the
// agent through the roster; trunk choice and health are the trunks'.
type outbound struct {
	*effects
	cfg       *Config
	ids       IDs
	agents    map[string]*agent
	calls     map[string]*call
	byChannel map[string]*call
	roster    *roster
	trunks    *trunks
	calendars *calendars
	// supervisors may listen to an outbound call too; its end drops them.
	supervisors *supervisors
	// work hears of the calls placed for work items (a callback's dial).
	work outboundWatcher
	rec  *recorder
}

// outboundWatcher is told when a call placed for a work item (Ref) is
// connected and when it ends.
type outboundWatcher interface {
	callConnected(c *call)
	callEnded(c *call, outcome string)
}

// outCall is the outbound part of a call: what is dialled, through which
// group, and where the attempt is.
type outCall struct {
	purpose, group  string
	number, dialled string
	callerID        string
	customer        int64
	ref             string
	agentAnswered   bool
	agentRinging    bool
	tries           int
	order           []*trunkState // trunks still to try
	trunk           *trunkState   // the trunk of the try in progress
	trunkLeg        string
	trunkRinging    bool
	probe           bool
	connectedTrunk  string
}

// DialRequest is an outbound call asked for: Agent's phone rings first,
// then Number is dialled through the trunk group for Purpose (manual: the
// agent's click-to-dial). Role is the asker's, for restricted prefixes;
// Scope narrows which agents the asker may dial for.
type DialRequest struct {
	Agent    string
	Number   string
	Purpose  string // "" = manual
	Customer int64
	Ref      string
	By       string
	Role     string
	Scope    Scope
}

// dialCommand is a DialRequest as the engine loop takes (and logs) it.
type dialCommand struct {
	Op        string `json:"op"` // dial
	Agent     string `json:"agent"`
	Number    string `json:"number"`
	Purpose   string `json:"purpose"`
	Customer  int64  `json:"customer_id,omitempty"`
	Ref       string `json:"ref,omitempty"`
	By        string `json:"by,omitempty"`
	Role      string `json:"role,omitempty"`
	OnlyAgent string `json:"only_agent,omitempty"`
	OnlyTeam  string `json:"only_team,omitempty"`
	// A work item's dial: its queue's group (if set), and its agent is
	// reserved for it already.
	group    string
	reserved bool
}

// Codes of the engine's refusals of a dial (PolicyError.Code); the API
// maps them to their HTTP status.
const (
	RefuseDoNotCall    = "do_not_call"        // 403
	RefuseRestricted   = "restricted_prefix"  // 403
	RefuseOutsideHours = "outside_hours"      // 409
	RefuseAgentBusy    = "agent_not_ready"    // 409
	RefuseDeviceDown   = "device_unreachable" // 409
	RefuseNoGroup      = "no_trunk_group"     // 503
	RefuseTrunksDown   = "trunks_down"        // 503
	RefuseGroupFull    = "group_at_max_calls" // 503
)

// agentRingGrace is how long past the ring time the PBX has to report the
// agent's own phone before the call is given up.
const agentRingGrace = 5 * time.Second

func (ob *outbound) dial(cmd dialCommand) (any, error) {
	purpose := cmd.Purpose
	if purpose == "" {
		purpose = PurposeManual
	}
	if purpose != PurposeManual && purpose != PurposeCallbacks && purpose != PurposeFollowUps {
		return nil, &FieldError{Field: "purpose", Reason: "must be manual, callbacks or follow_ups"}
	}
	a := ob.agents[cmd.Agent]
	if a == nil {
		return nil, ErrUnknownAgent
	}
	if !inScope(a, cmd.OnlyAgent, cmd.OnlyTeam) {
		return nil, ErrNotYourCall
	}
	o := &ob.cfg.Outbound
	number, ferr := o.Numbers.Normalise(cmd.Number)
	if ferr != nil {
		return nil, ferr
	}
	for _, n := range o.DoNotCall {
		if dn, _ := o.Numbers.Normalise(n); dn == number {
			return nil, &PolicyError{Code: RefuseDoNotCall, Message: "number " + number + " is on the do-not-call list"}
		}
	}
	if r := o.restriction(number, cmd.Role); r != nil {
		return nil, &PolicyError{Code: RefuseRestricted, Message: "number " + number + " is " + r.Why + " (prefix " + r.Prefix + "); role " + cmd.Role + " may not dial it"}
	}
	if cal := o.HoursFor(purpose); cal != "" && !ob.calendars.isOpen(cal) {
		return nil, &PolicyError{Code: RefuseOutsideHours, Message: purpose + " calls are allowed only in calendar " + cal + "'s hours"}
	}
	switch {
	case cmd.reserved && a.state == Reserved && a.endpoint != "":
	case a.state != Ready || a.endpoint == "":
		return nil, &PolicyError{Code: RefuseAgentBusy, Message: "agent " + a.id + " is " + a.state.String() + ", not ready"}
	case a.deviceDown:
		return nil, &PolicyError{Code: RefuseDeviceDown, Message: "agent " + a.id + "'s phone " + a.endpoint + " is unreachable"}
	}
	group := o.GroupFor(purpose, "")
	if cmd.group != "" {
		group = cmd.group
	}
	g := ob.cfg.TrunkGroups[group]
	switch {
	case g == nil:
		return nil, &PolicyError{Code: RefuseNoGroup, Message: "no trunk group is configured for " + purpose + " calls"}
	case g.MaxCalls > 0 && ob.trunks.groups[group].calls >= g.MaxCalls:
		return nil, &PolicyError{Code: RefuseGroupFull, Message: "trunk group " + group + " has its " + strconv.Itoa(g.MaxCalls) + " calls"}
	case !ob.trunks.anyUsable(group):
		return nil, &PolicyError{Code: RefuseTrunksDown, Message: "no trunk of group " + group + " can take a call now"}
	}

	callerID := g.CallerID
	if callerID == "" {
		callerID = o.CallerID
	}
	c := &call{
		id: ob.ids("call"), channel: ob.ids("leg"), caller: a.endpoint, called: number, at: ob.now,
		direction: DirectionOutbound, agent: a,
		out: &outCall{purpose: purpose, group: group, number: number, dialled: cmd.Number, callerID: callerID,
			customer: cmd.Customer, ref: cmd.Ref},
	}
	ob.calls[c.id] = c
	ob.byChannel[c.channel] = c
	ob.trunks.groups[group].calls++
	a.callID = c.id
	ob.record(&Record{Type: EvCallDialled, CallID: c.id, AgentID: a.id}, DialledData{
		Direction: DirectionOutbound, Agent: a.id, Endpoint: a.endpoint, Leg: c.channel, Number: number,
		Dialled: cmd.Number, Purpose: purpose, Group: group, CallerID: callerID, Customer: cmd.Customer,
		Ref: cmd.Ref, By: cmd.By,
	})
	if a.state != Reserved {
		ob.roster.mustState(a, Reserved, "")
	}
	ob.emit(cmdOriginate{Call: c.id, Req: pbx.Originate{
		Channel: c.channel, Endpoint: a.endpoint, CallerID: number, Timeout: g.RingTimeout.D(),
		Headers: map[string]string{"X-Switchboard-Call": c.id, "X-Switchboard-Direction": DirectionOutbound},
	}})
	ob.setTimer(timerOutAgent(c), g.RingTimeout.D()+agentRingGrace)
	return ob.view(c), nil
}

// onEvent is a PBX event on one of an outbound call's legs.
func (ob *outbound) onEvent(c *call, ev pbx.Event) {
	switch ev := ev.(type) {
	case pbx.LegRinging:
		ob.ringing(c, ev.Channel)
	case pbx.LegAnswered:
		ob.answered(c, ev.Channel)
	case pbx.ChannelHungUp:
		ob.hungUp(c, ev.Channel, ev.SIPCode, ev.Cause)
	case pbx.CommandFailed:
		if ev.Command == "originate" {
			ob.hungUp(c, ev.Channel, 0, 0)
		}
	}
}

func (ob *outbound) ringing(c *call, leg string) {
	o := c.out
	switch {
	case leg == c.channel && !o.agentRinging && !o.agentAnswered:
		o.agentRinging = true
		ob.roster.mustState(c.agent, Ringing, "")
	case leg == o.trunkLeg && !o.trunkRinging:
		// The carrier took the INVITE: from now on its failure to connect
		// is the callee's, and the ring time runs.
		o.trunkRinging = true
		ob.cancelTimer(timerInvite(c))
	}
}

func (ob *outbound) answered(c *call, leg string) {
	o := c.out
	switch {
	case leg == c.channel && !o.agentAnswered:
		o.agentAnswered = true
		ob.cancelTimer(timerOutAgent(c))
		if c.agent.state == Reserved {
			ob.roster.mustState(c.agent, Ringing, "")
		}
		ob.roster.mustState(c.agent, OnCall, "")
		o.order = ob.trunks.order(o.group)
		ob.nextTrunk(c)
	case leg == o.trunkLeg && c.phase != phaseBridged:
		ob.cancelTimer(timerInvite(c))
		ob.cancelTimer(timerOutRing(c))
		ob.attempt(c, AttemptAnswered, 0, 0, false, "answered")
		ob.trunks.succeeded(o.trunk)
		a := c.agent
		a.answered++
		a.lastCall, a.wrapQueue = c.id, c.queue
		o.connectedTrunk = o.trunk.name
		c.phase, c.leg, c.bridge, c.answeredAt = phaseBridged, leg, ob.ids("br"), ob.now
		ob.record(&Record{Type: EvCallAnswered, CallID: c.id, AgentID: a.id},
			OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: leg})
		ob.emit(cmdBridge{Call: c.id, BridgeID: c.bridge, Channels: []string{c.channel, leg}})
		ob.rec.bridged(c)
		if ob.work != nil && o.ref != "" {
			ob.work.callConnected(c)
		}
	}
}

func (ob *outbound) hungUp(c *call, leg string, sipCode int, cause pbx.Cause) {
	o := c.out
	if leg == c.channel {
		delete(ob.byChannel, leg) // gone: not to be hung up again
	}
	switch {
	case leg == c.channel && !o.agentAnswered:
		ob.finish(c, OutcomeAgentMissed, cause.String(), "agent")
	case leg == c.channel && c.phase == phaseBridged:
		ob.finish(c, OutcomeAnswered, cause.String(), "agent")
	case leg == c.channel:
		// The agent gave up while the number was being dialled.
		if o.trunkLeg != "" {
			ob.attempt(c, AttemptAborted, 0, 0, false, "agent_hung_up")
			ob.dropTrunkLeg(c)
		}
		ob.finish(c, OutcomeCancelled, cause.String(), "agent")
	case leg == o.trunkLeg && c.phase == phaseBridged:
		ob.releaseTrunk(c)
		ob.finish(c, OutcomeAnswered, cause.String(), "callee")
	case leg == o.trunkLeg:
		ob.cancelTimer(timerInvite(c))
		ob.cancelTimer(timerOutRing(c))
		failover, why := classifyEnd(sipCode, cause)
		if failover {
			ob.attempt(c, AttemptFailed, sipCode, cause, true, why)
			ob.trunks.failed(o.trunk, why)
			ob.releaseTrunk(c)
			ob.nextTrunk(c)
			return
		}
		ob.attempt(c, AttemptCallee, sipCode, cause, false, why)
		ob.trunks.succeeded(o.trunk) // the carrier reached the callee
		ob.releaseTrunk(c)
		ob.finish(c, calleeOutcome(why), why, "callee")
	}
}

// calleeOutcome is the call's outcome for the callee's reason.
func calleeOutcome(why string) string {
	switch why {
	case "busy":
		return OutcomeBusy
	case "rejected":
		return OutcomeRejected
	}
	return OutcomeNoAnswer
}

// nextTrunk dials the next usable trunk of the call's order; trunks down
// or at their channel cap are skipped without dialling. With none left the
// call ends as trunks_failed.
func (ob *outbound) nextTrunk(c *call) {
	o := c.out
	g := ob.cfg.TrunkGroups[o.group]
	for len(o.order) > 0 {
		t := o.order[0]
		o.order = o.order[1:]
		ok, probe, why := ob.trunks.usable(t)
		o.tries++
		if !ok {
			o.trunk = t
			ob.attempt(c, AttemptSkipped, 0, 0, true, why)
			o.trunk = nil
			continue
		}
		callerID := t.cfg.CallerID
		if callerID == "" {
			callerID = o.callerID
		}
		o.trunk, o.trunkLeg, o.trunkRinging, o.probe = t, ob.ids("leg"), false, probe
		t.inUse++
		t.probing = t.probing || probe
		ob.byChannel[o.trunkLeg] = c
		ob.emit(cmdOriginate{Call: c.id, Req: pbx.Originate{
			Channel: o.trunkLeg, Trunk: t.name, Number: o.number, CallerID: callerID,
			Timeout: g.RingTimeout.D(), Related: c.channel,
			Headers: map[string]string{"X-Switchboard-Call": c.id},
		}})
		ob.setTimer(timerInvite(c), g.InviteTimeout.D())
		ob.setTimer(timerOutRing(c), g.InviteTimeout.D()+g.RingTimeout.D()+agentRingGrace)
		return
	}
	ob.finish(c, OutcomeTrunksFailed, "", "switchboard")
}

// inviteTimeout: the trunk sent no 1xx in invite_timeout: the carrier's
// failure. The leg is hung up and the next trunk tried.
func (ob *outbound) inviteTimeout(c *call) {
	o := c.out
	if o.trunkLeg == "" || o.trunkRinging || c.phase == phaseBridged {
		return
	}
	ob.attempt(c, AttemptTimeout, 0, 0, true, "invite_timeout")
	ob.trunks.failed(o.trunk, "invite_timeout")
	ob.dropTrunkLeg(c)
	ob.cancelTimer(timerOutRing(c))
	ob.nextTrunk(c)
}

// ringTimeout: the PBX did not end a ringing trunk leg by itself.
func (ob *outbound) ringTimeout(c *call) {
	o := c.out
	if o.trunkLeg == "" || c.phase == phaseBridged {
		return
	}
	ob.attempt(c, AttemptCallee, 0, pbx.CauseNoAnswer, false, "no_answer")
	ob.dropTrunkLeg(c)
	ob.finish(c, OutcomeNoAnswer, "ring_timeout", "switchboard")
}

// agentTimeout: the agent's own phone was not reported in time.
func (ob *outbound) agentTimeout(c *call) {
	if c.out.agentAnswered {
		return
	}
	delete(ob.byChannel, c.channel)
	ob.emit(cmdHangup{Call: c.id, Channel: c.channel, Cause: pbx.CauseNormal})
	ob.finish(c, OutcomeAgentMissed, "ring_timeout", "switchboard")
}

func (ob *outbound) attempt(c *call, result string, sipCode int, cause pbx.Cause, failover bool, why string) {
	o := c.out
	d := TrunkAttemptData{Try: o.tries, Result: result, SIPCode: sipCode, Cause: int(cause), Failover: failover, Why: why}
	if o.trunk != nil {
		d.Trunk = o.trunk.name
		d.Probe = o.probe && result != AttemptSkipped
	}
	if result != AttemptSkipped {
		d.Leg = o.trunkLeg
	}
	ob.record(&Record{Type: EvCallTrunkAttempt, CallID: c.id, AgentID: agentID(c.agent)}, d)
}

// releaseTrunk forgets the trunk leg (it ended) and frees its channel.
func (ob *outbound) releaseTrunk(c *call) {
	o := c.out
	if o.trunkLeg == "" {
		return
	}
	delete(ob.byChannel, o.trunkLeg)
	if o.trunk != nil && o.trunk.inUse > 0 {
		o.trunk.inUse--
	}
	if o.probe && o.trunk != nil {
		// A probe that ended without a verdict (the agent hung up) may be
		// tried again by the next call.
		o.trunk.probing = false
	}
	o.trunkLeg, o.trunkRinging, o.probe = "", false, false
}

// dropTrunkLeg hangs up the trunk leg from our side; its hang-up report
// then finds nothing.
func (ob *outbound) dropTrunkLeg(c *call) {
	leg := c.out.trunkLeg
	if leg == "" {
		return
	}
	ob.releaseTrunk(c)
	ob.emit(cmdHangup{Call: c.id, Channel: leg, Cause: pbx.CauseNormal})
}

// finish ends an outbound call: what is still up is hung up, the bridge
// goes, call.ended is recorded with the trunk, tries and talk time, and
// the agent goes to wrap-up (after talking or dialling) or back to work
// (their own phone never answered).
func (ob *outbound) finish(c *call, outcome, cause, by string) {
	if c.phase == phaseEnded {
		return
	}
	o := c.out
	ob.cancelTimer(timerInvite(c))
	ob.cancelTimer(timerOutRing(c))
	ob.cancelTimer(timerOutAgent(c))
	ob.dropTrunkLeg(c)
	if ob.byChannel[c.channel] == c {
		delete(ob.byChannel, c.channel)
		ob.emit(cmdHangup{Call: c.id, Channel: c.channel, Cause: pbx.CauseNormal})
	}
	ob.supervisors.dropAll(c)
	if c.bridge != "" {
		ob.emit(cmdDestroyBridge{Call: c.id, BridgeID: c.bridge})
		c.bridge = ""
	}
	talk := 0.0
	if c.phase == phaseBridged {
		talk = ob.now.Sub(c.answeredAt).Seconds()
	}
	a := c.agent
	ob.record(&Record{Type: EvCallEnded, CallID: c.id, AgentID: agentID(a)}, EndedData{
		Outcome: outcome, Cause: cause, HangupBy: by, Direction: DirectionOutbound,
		Trunk: o.connectedTrunk, Attempts: o.tries, TalkSeconds: talk,
	})
	if gs := ob.trunks.groups[o.group]; gs != nil && gs.calls > 0 {
		gs.calls--
	}
	if a != nil {
		switch a.state {
		case OnCall:
			if c.phase == phaseBridged {
				a.talk += ob.now.Sub(c.answeredAt)
			}
			a.lastCall, a.wrapQueue = c.id, ""
			ob.roster.mustState(a, WrapUp, "")
			ob.setTimer(timerWrapUp(a), ob.wrapUpFor(a))
		case Reserved, Ringing:
			ob.roster.free(a)
		}
	}
	c.phase = phaseEnded
	ob.rec.callEnded(c.id)
	delete(ob.calls, c.id)
	if ob.work != nil && o.ref != "" {
		ob.work.callEnded(c, outcome)
	}
}

// wrapUpFor is an outbound call's wrap-up: the agent's own, else the default.
func (ob *outbound) wrapUpFor(a *agent) time.Duration {
	if a.wrapUp != nil {
		return a.wrapUp.D()
	}
	return DefaultWrapUp.D()
}

// reconcile ends an outbound call whose legs the PBX no longer has.
func (ob *outbound) reconcile(c *call, live map[string]pbx.ChannelInfo, judgeBefore time.Time, why string) {
	if _, up := live[c.channel]; !up && !c.at.After(judgeBefore) {
		delete(ob.byChannel, c.channel)
		if c.agent != nil {
			ob.roster.repaired(c.agent, c, why+": agent leg gone")
		}
		outcome := OutcomeCancelled
		if c.phase == phaseBridged {
			outcome = OutcomeAnswered
		}
		ob.finish(c, outcome, why, "agent")
		return
	}
	if c.phase == phaseBridged {
		if _, up := live[c.leg]; !up && !c.answeredAt.After(judgeBefore) {
			ob.releaseTrunk(c)
			ob.finish(c, OutcomeAnswered, why, "callee")
		}
	}
}

// view is an outbound call as the desk shows it.
func (ob *outbound) view(c *call) *DeskCall {
	o := c.out
	v := &DeskCall{
		ID: c.id, Caller: c.caller, Called: o.number, ArrivedAt: c.at, Direction: DirectionOutbound,
		Number: o.number, Purpose: o.purpose, Group: o.group, Attempts: o.tries,
	}
	switch {
	case c.phase == phaseBridged:
		t := c.answeredAt
		v.AnsweredAt, v.Phase, v.Trunk = &t, "talking", o.connectedTrunk
	case !o.agentAnswered && o.agentRinging:
		v.Phase = "ringing_agent"
	case !o.agentAnswered:
		v.Phase = "calling_agent"
	case o.trunkRinging:
		v.Phase, v.Trunk = "ringing", o.trunk.name
	default:
		v.Phase = "dialling"
		if o.trunk != nil {
			v.Trunk = o.trunk.name
		}
	}
	return v
}

// outboundOf is the outbound call agent a holds, if any.
func (ob *outbound) outboundOf(a *agent) *call {
	if c := ob.calls[a.callID]; c != nil && c.out != nil && c.agent == a {
		return c
	}
	return nil
}

// peer applies the PBX's report of a phone's reachability: every agent
// signed in on it is flagged (agent.device) and offered no calls while it
// is unreachable.
func (ob *outbound) peer(ev pbx.PeerState, down map[string]bool) {
	if ev.Reachable == !down[ev.Peer] {
		return
	}
	if ev.Reachable {
		delete(down, ev.Peer)
	} else {
		down[ev.Peer] = true
	}
	ids := make([]string, 0, len(ob.agents))
	for id, a := range ob.agents {
		if a.endpoint == ev.Peer && a.state != SignedOut {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		a := ob.agents[id]
		a.deviceDown = !ev.Reachable
		ob.record(&Record{Type: EvAgentDevice, AgentID: a.id}, DeviceData{
			Endpoint: ev.Peer, Reachable: ev.Reachable, Detail: ev.Detail,
		})
		if ev.Reachable && a.state == Ready {
			ob.roster.onReady(a)
		}
	}
}

func timerInvite(c *call) string   { return "invite:" + c.id }
func timerOutRing(c *call) string  { return "outring:" + c.id }
func timerOutAgent(c *call) string { return "outagent:" + c.id }

// Dial places an outbound call for r.Agent: their phone rings first, then
// r.Number is dialled through the purpose's trunk group. Nothing is
// dialled when it is refused. Errors: *FieldError (number: empty, letters,
// too short or long; purpose), ErrUnknownAgent, ErrNotYourCall,
// *PolicyError with Code RefuseDoNotCall, RefuseRestricted (403),
// RefuseOutsideHours, RefuseAgentBusy, RefuseDeviceDown (409),
// RefuseNoGroup, RefuseTrunksDown, RefuseGroupFull (503).
func (e *Engine) Dial(ctx context.Context, r DialRequest) (DeskCall, error) {
	v, err := e.doInput(ctx, dialCommand{
		Op: "dial", Agent: r.Agent, Number: r.Number, Purpose: r.Purpose, Customer: r.Customer, Ref: r.Ref,
		By: r.By, Role: r.Role, OnlyAgent: r.Scope.Agent, OnlyTeam: r.Scope.Team,
	})
	if err != nil {
		return DeskCall{}, err
	}
	return *v.(*DeskCall), nil
}
