package routing

import (
	"time"

	"switchboard/routing/pbx"
)

type phase uint8

const (
	phaseIVR phase = iota
	phaseQueued
	phaseBridged
	phaseEnded
)

type menuPhase uint8

const (
	menuPrompt  menuPhase = iota // the prompt is playing; a digit barges in
	menuWaiting                  // the prompt ended; the timeout runs
	menuRetry                    // the invalid/timeout prompt plays, then the prompt again
)

// queueEntry is a call's place in a queue: since when it waits, what it
// needs from an agent, and the phones ringing for it.
type queueEntry struct {
	node       *QueueNode
	queuedAt   time.Time // first joined a queue: keeps the place across overflows
	joinedAt   time.Time // joined the current queue: escalation and max wait
	priority   int
	skills     []*SkillExpr // all must match
	maxPenalty int          // -1: any
	extra      []string     // queues merged in by escalation
	escStep    int          // next escalation step
	rule       string       // the rule deciding now, for decision records
	offers     []*offer     // phones ringing for this call
}

// dialAttempt is a dial step (or a transfer) ringing an extension.
type dialAttempt struct {
	leg      string // "" when nothing rings
	ext      string
	at       time.Time
	answered bool // the extension picked up (a screened one decides now)
}

// screening is a screened dial: the caller's recorded name is announced
// to the extension, which presses 1 to take the call or 2 to decline.
type screening struct {
	on           bool
	announcement string // the announcement playing to the extension
}

// call is one inbound call and, once offered, the agent leg serving it.
type call struct {
	id, channel    string
	caller, called string
	at             time.Time // arrived
	flowName       string
	flow           *Flow
	node           string
	phase          phase
	playback       string
	// moh: the caller hears the PBX's music-on-hold class (queue hold).
	moh bool
	// unanswered: the caller hears ringback (a ringback queue); the call
	// is answered before anything plays and when an agent answers.
	unanswered bool

	menuAttempts int
	menuPhase    menuPhase
	noAgent      bool // went down the flow's no-agent branch
	timedOut     bool // left the queue at its max wait

	overflowed bool // left a queue for a flow node by overflow
	full       bool // found its queue full

	queue string     // the queue the caller waits in now
	entry queueEntry // its place there

	agent      *agent // the agent talking, once bridged
	leg        string
	bridge     string
	answeredAt time.Time

	vars      map[string]string // set, collect and dial steps write here
	digits    string            // a collect step's digits so far
	dial      dialAttempt       // the extension a dial step rings
	screen    screening         // that extension hears the caller's name first
	recording string            // the recording in progress (message, name)
	postCall  bool              // the talk ended; the caller is in the survey

	// supervisors are the supervisors' legs on this call, in order.
	supervisors []*supervision

	// transferred: an agent handed the call on; it no longer counts toward
	// service levels. xfer is the dial of a transfer to an extension.
	transferred bool
	xfer        *DialNode

	// direction is inbound ("") or outbound; out is an outbound call's
	// own part (outbound.go). For an outbound call channel is the agent's
	// phone leg and leg the trunk leg once the callee answered.
	direction string
	out       *outCall
}

func (m *Machine) onArrived(ev pbx.CallArrived) {
	if m.byChannel[ev.Channel] != nil {
		return // a duplicate StasisStart after a resync
	}
	flowName := m.cfg.Routes[ev.Called]
	if flowName == "" {
		flowName = m.cfg.Routes["default"]
	}
	if flowName == "" {
		flowName = sortedKeys(m.flows)[0]
	}
	c := &call{
		id: m.ids("call"), channel: ev.Channel, caller: ev.Caller, called: ev.Called,
		flowName: flowName, flow: m.flows[flowName], at: m.now,
	}
	m.calls[c.id] = c
	m.byChannel[c.channel] = c
	c.unanswered = ringsFirst(c.flow)
	m.record(&Record{Type: EvCallArrived, CallID: c.id}, CallArrivedData{
		Channel: c.channel, Caller: c.caller, Called: c.called, Flow: flowName, Ringing: c.unanswered,
	})
	if c.unanswered {
		m.emit(cmdRing{Channel: c.channel})
	} else {
		m.emit(cmdAnswer{Channel: c.channel})
	}
	m.enterNode(c, c.flow.Start, "")
}

func (m *Machine) onHungUp(channel string, cause pbx.Cause) {
	if s := m.supervisors.legs[channel]; s != nil {
		m.supervisors.ended(s, cause.String())
		return
	}
	c := m.byChannel[channel]
	if c == nil {
		return
	}
	delete(m.byChannel, channel)
	if c.phase == phaseEnded {
		return // the other side of a call we already ended
	}
	switch {
	case channel == c.channel:
		m.callerHungUp(c, cause)
	case m.acd.offers[channel] != nil:
		m.acd.offerFailed(m.acd.offers[channel], cause.String(), cause)
	case channel == c.dial.leg:
		if c.dial.answered { // hung up on the announcement: declined
			c.dial.leg = channel
			m.byChannel[channel] = c // declineScreened forgets it again
			dialStep{}.declineScreened(m, c, "declined")
			return
		}
		dialStep{}.dialFailed(m, c, cause)
	case channel == c.leg && c.phase == phaseBridged:
		if c.entry.node != nil && c.entry.node.Survey != "" && c.agent != nil {
			m.startSurvey(c, c.entry.node.Survey, cause.String())
			return
		}
		m.emit(cmdHangup{Call: c.id, Channel: c.channel})
		m.endCall(c, OutcomeAnswered, cause.String(), "agent")
	}
}

func (m *Machine) callerHungUp(c *call, cause pbx.Cause) {
	switch c.phase {
	case phaseIVR:
		outcome := OutcomeAbandonedIVR
		switch {
		case c.xfer != nil:
			outcome = OutcomeAbandonedRinging // the extension it was transferred to rang
		case c.noAgent || c.timedOut || c.overflowed || c.full:
			outcome = m.flowOutcome(c)
		}
		m.endCall(c, outcome, cause.String(), "caller")
	case phaseQueued:
		outcome := OutcomeAbandonedQueue
		if len(c.entry.offers) > 0 {
			outcome = OutcomeAbandonedRinging
		}
		m.endCall(c, outcome, cause.String(), "caller")
	case phaseBridged:
		m.endCall(c, OutcomeAnswered, cause.String(), "caller")
	}
}

// hangupCall ends the call from our side.
func (m *Machine) hangupCall(c *call, outcome string) {
	m.emit(cmdHangup{Call: c.id, Channel: c.channel, Cause: pbx.CauseNormal})
	m.endCall(c, outcome, "", "switchboard")
}

// endCall records the end and releases everything the call holds: offers,
// the agent leg, the bridge, the agent, timers and playbacks.
func (m *Machine) endCall(c *call, outcome, cause, by string) {
	if c.phase == phaseEnded {
		return
	}
	wasQueued := c.phase == phaseQueued
	if c.phase == phaseBridged {
		m.endTalk(c, outcome, cause, by)
	} else if !c.postCall {
		m.acd.leaveQueue(c)
		m.record(&Record{Type: EvCallEnded, CallID: c.id, Queue: c.queue, AgentID: agentID(c.agent)},
			EndedData{Outcome: outcome, Cause: cause, HangupBy: by})
	}
	c.phase = phaseEnded
	m.cancelTimer(timerMenu(c))
	m.cancelTimer(timerDial(c))
	if c.playback != "" {
		delete(m.playbacks, c.playback)
		c.playback = ""
	}
	if c.dial.leg != "" { // the extension still rings: stop it
		delete(m.byChannel, c.dial.leg)
		m.emit(cmdHangup{Call: c.id, Channel: c.dial.leg, Cause: pbx.CauseNormal})
	}
	if wasQueued && !c.transferred {
		m.acd.slSample(c.queue, false, m.now.Sub(c.entry.joinedAt))
	}
	m.acd.rememberCaller(c.caller)
	m.recorder.callEnded(c.id)
	delete(m.calls, c.id)
}

// endTalk ends the bridged part of a call: the other leg, the bridge, the
// agent into wrap-up, and the record of the call's end. The caller's
// channel may stay for a post-call survey.
func (m *Machine) endTalk(c *call, outcome, cause, by string) {
	if c.leg != "" && m.byChannel[c.leg] != nil {
		delete(m.byChannel, c.leg)
		m.emit(cmdHangup{Call: c.id, Channel: c.leg, Cause: pbx.CauseNormal})
	}
	if c.bridge != "" {
		m.emit(cmdDestroyBridge{Call: c.id, BridgeID: c.bridge})
		c.bridge = ""
	}
	m.supervisors.dropAll(c)
	m.controls.talkEnded(c, ResumedOnEnd)
	m.record(&Record{Type: EvCallEnded, CallID: c.id, Queue: c.queue, AgentID: agentID(c.agent)},
		EndedData{Outcome: outcome, Cause: cause, HangupBy: by})
	m.acd.ann.handled(c.queue, m.now.Sub(c.answeredAt))
	if a := c.agent; a != nil {
		a.talk += m.now.Sub(c.answeredAt)
		m.roster.mustState(a, WrapUp, "")
		m.setTimer(timerWrapUp(a), m.roster.wrapUpFor(a, c.queue))
	}
}

func agentID(a *agent) string {
	if a == nil {
		return ""
	}
	return a.id
}

func timerMenu(c *call) string    { return "menu:" + c.id }
func timerMaxWait(c *call) string { return "maxwait:" + c.id }
func timerEscalate(c *call) string {
	return "escalate:" + c.id
}
func timerWrapUp(a *agent) string { return "wrapup:" + a.id }
