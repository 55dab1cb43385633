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

// call is one inbound call and, once offered, the agent leg serving it.
type call struct {
	id, channel    string
	caller, called string
	flowName       string
	flow           *Flow
	node           string
	phase          phase
	playback       string

	menuAttempts int
	menuPhase    menuPhase
	noAgent      bool // went down the flow's no-agent branch
	timedOut     bool // left the queue at its max wait

	queue     string
	queueNode *QueueNode
	queuedAt  time.Time

	agent  *agent // offered or talking agent
	leg    string
	bridge string
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
		flowName: flowName, flow: m.flows[flowName],
	}
	m.calls[c.id] = c
	m.byChannel[c.channel] = c
	m.record(&Record{Type: EvCallArrived, CallID: c.id}, CallArrivedData{
		Channel: c.channel, Caller: c.caller, Called: c.called, Flow: flowName,
	})
	m.emit(cmdAnswer{Channel: c.channel})
	m.enterNode(c, c.flow.Start, "")
}

// enterNode moves a call to a flow node; input is what led there.
func (m *Machine) enterNode(c *call, name, input string) {
	if c.phase == phaseEnded {
		return
	}
	n := c.flow.Nodes[name]
	if n == nil {
		// Play nodes without next (and menus without on_failure) end here.
		m.hangupCall(c, m.flowOutcome(c))
		return
	}
	if name != c.node {
		c.menuAttempts = 0
	}
	c.node = name
	c.phase = phaseIVR
	m.record(&Record{Type: EvCallIVR, CallID: c.id}, IVRData{Node: name, Input: input})
	switch {
	case n.Play != nil:
		m.play(c, n.Play.Media)
	case n.Menu != nil:
		c.menuPhase = menuPrompt
		m.play(c, n.Menu.Prompt)
	case n.Queue != nil:
		m.enqueue(c, n.Queue)
	case n.Hangup != nil:
		m.hangupCall(c, m.flowOutcome(c))
	}
}

func (m *Machine) flowOutcome(c *call) string {
	switch {
	case c.noAgent:
		return OutcomeNoAgent
	case c.timedOut:
		return OutcomeTimeout
	}
	return OutcomeFlowEnded
}

func (m *Machine) play(c *call, media []string) {
	m.stopPlayback(c)
	id := m.ids("pb")
	c.playback = id
	m.playbacks[id] = c
	m.emit(cmdPlay{Channel: c.channel, PlaybackID: id, Media: media})
}

func (m *Machine) stopPlayback(c *call) {
	if c.playback == "" {
		return
	}
	delete(m.playbacks, c.playback)
	m.emit(cmdStopPlayback{Channel: c.channel, PlaybackID: c.playback})
	c.playback = ""
}

func (m *Machine) onPlaybackDone(c *call, id string) {
	if id != c.playback || c.phase == phaseEnded {
		return
	}
	c.playback = ""
	switch c.phase {
	case phaseQueued:
		if q := m.cfg.Queues[c.queue]; len(q.HoldMedia) > 0 {
			m.play(c, q.HoldMedia) // hold media loops until an agent answers
		}
	case phaseIVR:
		n := c.flow.Nodes[c.node]
		switch {
		case n.Play != nil:
			m.enterNode(c, n.Play.Next, "")
		case n.Menu != nil && c.menuPhase == menuPrompt:
			c.menuPhase = menuWaiting
			m.setTimer(timerMenu(c), n.Menu.Timeout.D())
		case n.Menu != nil && c.menuPhase == menuRetry:
			c.menuPhase = menuPrompt
			m.play(c, n.Menu.Prompt)
		}
	}
}

func (m *Machine) onDigit(c *call, digit string) {
	if c.phase != phaseIVR {
		return
	}
	n := c.flow.Nodes[c.node]
	if n == nil || n.Menu == nil {
		return
	}
	m.stopPlayback(c)
	m.cancelTimer(timerMenu(c))
	if next, ok := n.Menu.Options[digit]; ok {
		m.enterNode(c, next, digit)
		return
	}
	m.menuFailed(c, n.Menu, "invalid")
}

// menuFailed handles an invalid digit or a timeout: the prompt again, or
// after the last attempt the menu's failure branch.
func (m *Machine) menuFailed(c *call, menu *MenuNode, why string) {
	c.menuAttempts++
	if c.menuAttempts >= menu.Attempts {
		m.enterNode(c, menu.OnFailure, why)
		return
	}
	m.record(&Record{Type: EvCallIVR, CallID: c.id}, IVRData{Node: c.node, Input: why})
	prompt := menu.InvalidPrompt
	if why == "timeout" {
		prompt = menu.TimeoutPrompt
	}
	if len(prompt) > 0 {
		c.menuPhase = menuRetry
		m.play(c, prompt)
		return
	}
	c.menuPhase = menuPrompt
	m.play(c, menu.Prompt)
}

func (m *Machine) onHungUp(channel string, cause pbx.Cause) {
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
	case channel == c.leg:
		if c.phase == phaseBridged {
			m.emit(cmdHangup{Call: c.id, Channel: c.channel})
			m.endCall(c, OutcomeAnswered, cause.String(), "agent")
		} else {
			m.offerFailed(c, cause.String(), cause)
		}
	}
}

func (m *Machine) callerHungUp(c *call, cause pbx.Cause) {
	switch c.phase {
	case phaseIVR:
		outcome := OutcomeAbandonedIVR
		if c.noAgent || c.timedOut {
			outcome = m.flowOutcome(c)
		}
		m.endCall(c, outcome, cause.String(), "caller")
	case phaseQueued:
		outcome := OutcomeAbandonedQueue
		if c.leg != "" {
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

// endCall records the end and releases everything the call holds: the
// agent leg, the bridge, the agent, timers and playbacks.
func (m *Machine) endCall(c *call, outcome, cause, by string) {
	if c.phase == phaseEnded {
		return
	}
	wasBridged := c.phase == phaseBridged
	m.dequeue(c)
	c.phase = phaseEnded
	m.cancelTimer(timerMenu(c))
	m.cancelTimer(timerMaxWait(c))
	m.cancelTimer(timerRing(c))
	if c.playback != "" {
		delete(m.playbacks, c.playback)
		c.playback = ""
	}
	if c.leg != "" && m.byChannel[c.leg] != nil {
		m.emit(cmdHangup{Call: c.id, Channel: c.leg, Cause: pbx.CauseNormal})
	}
	if c.bridge != "" {
		m.emit(cmdDestroyBridge{Call: c.id, BridgeID: c.bridge})
	}
	m.record(&Record{Type: EvCallEnded, CallID: c.id, Queue: c.queue, AgentID: agentID(c.agent)},
		EndedData{Outcome: outcome, Cause: cause, HangupBy: by})
	if a := c.agent; a != nil {
		if wasBridged {
			m.mustState(a, WrapUp, "")
			m.setTimer(timerWrapUp(a), m.wrapUp(c.queue))
		} else if a.state == Reserved || a.state == Ringing {
			m.mustState(a, Ready, "")
		}
	}
	delete(m.calls, c.id)
	m.distribute()
}

func agentID(a *agent) string {
	if a == nil {
		return ""
	}
	return a.id
}

func (m *Machine) wrapUp(queue string) time.Duration {
	if q := m.cfg.Queues[queue]; q != nil {
		return q.WrapUp.D()
	}
	return 0
}

func timerMenu(c *call) string    { return "menu:" + c.id }
func timerMaxWait(c *call) string { return "maxwait:" + c.id }
func timerRing(c *call) string    { return "ring:" + c.id }
func timerWrapUp(a *agent) string { return "wrapup:" + a.id }
