package routing

import (
	"slices"

	"switchboard/routing/pbx"
)

// enqueue puts a call in a queue, or down the no-agent branch when nobody
// serving the queue is signed in.
func (m *Machine) enqueue(c *call, qn *QueueNode) {
	if !m.anyoneSignedIn(qn.Queue) {
		c.noAgent = true
		if qn.NoAgent != "" {
			m.enterNode(c, qn.NoAgent, "no_agent")
			return
		}
		m.hangupCall(c, OutcomeNoAgent)
		return
	}
	q := m.cfg.Queues[qn.Queue]
	c.phase, c.queue, c.queueNode, c.queuedAt = phaseQueued, qn.Queue, qn, m.now
	m.waiting = append(m.waiting, c)
	m.record(&Record{Type: EvCallQueued, CallID: c.id, Queue: c.queue}, QueuedData{Queue: c.queue})
	m.setTimer(timerMaxWait(c), q.MaxWait.D())
	if len(q.HoldMedia) > 0 {
		m.play(c, q.HoldMedia)
	}
	m.distribute()
}

func (m *Machine) anyoneSignedIn(queue string) bool {
	for _, a := range m.agents {
		if a.state != SignedOut && a.serves(queue) {
			return true
		}
	}
	return false
}

func (m *Machine) dequeue(c *call) {
	if i := slices.Index(m.waiting, c); i >= 0 {
		m.waiting = slices.Delete(m.waiting, i, i+1)
	}
}

// distribute offers waiting calls, oldest first, to the ready agent idle
// the longest among those serving the call's queue. It runs whenever a call
// queues or an agent frees up, so no freed agent idles until a poll.
func (m *Machine) distribute() {
	for _, c := range m.waiting {
		if c.agent != nil {
			continue // already ringing someone
		}
		if a := m.longestIdle(c.queue); a != nil {
			m.offer(c, a)
		}
	}
}

func (m *Machine) longestIdle(queue string) *agent {
	var best *agent
	for _, a := range m.agents {
		if a.state != Ready || !a.serves(queue) || a.endpoint == "" {
			continue
		}
		if best == nil || a.idleSince.Before(best.idleSince) ||
			(a.idleSince.Equal(best.idleSince) && a.order < best.order) {
			best = a
		}
	}
	return best
}

func (m *Machine) offer(c *call, a *agent) {
	q := m.cfg.Queues[c.queue]
	a.callID = c.id
	m.mustState(a, Reserved, "")
	c.agent, c.leg = a, m.ids("leg")
	m.byChannel[c.leg] = c
	m.record(&Record{Type: EvCallOffered, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: c.leg})
	m.emit(cmdOriginate{Call: c.id, Req: pbx.Originate{
		Channel: c.leg, Endpoint: a.endpoint, CallerID: c.caller,
		Timeout: q.RingTimeout.D(), Related: c.channel,
		Headers: map[string]string{"X-Switchboard-Call": c.id, "X-Switchboard-Queue": c.queue},
	}})
	// Our own lease on the offer, in case the PBX never reports the leg.
	m.setTimer(timerRing(c), q.RingTimeout.D()+ringGrace)
}

// offerFailed: the agent did not take the call (no answer, busy, phone
// unreachable). The agent goes not-ready and the call looks for another.
func (m *Machine) offerFailed(c *call, why string, cause pbx.Cause) {
	a := c.agent
	if a == nil {
		return
	}
	m.cancelTimer(timerRing(c))
	m.record(&Record{Type: EvCallOfferFailed, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: c.leg, Cause: why})
	reason := "no_answer"
	if cause == pbx.CauseUserBusy {
		reason = "busy"
	}
	m.mustState(a, NotReady, reason)
	c.agent, c.leg = nil, ""
	m.distribute()
}

func (m *Machine) onLegAnswered(leg string) {
	c := m.byChannel[leg]
	if c == nil || c.leg != leg || c.phase != phaseQueued {
		// The call is gone (or the leg was given up): hang the phone up.
		m.emit(cmdHangup{Channel: leg, Cause: pbx.CauseNormal})
		return
	}
	a := c.agent
	m.cancelTimer(timerRing(c))
	m.cancelTimer(timerMaxWait(c))
	m.stopPlayback(c)
	m.dequeue(c)
	if a.state == Reserved {
		m.mustState(a, Ringing, "")
	}
	m.mustState(a, OnCall, "")
	c.phase, c.bridge = phaseBridged, m.ids("br")
	m.record(&Record{Type: EvCallAnswered, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: leg})
	m.emit(cmdBridge{Call: c.id, BridgeID: c.bridge, Channels: []string{c.channel, leg}})
}
