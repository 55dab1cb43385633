package routing

import (
	"strings"
	"time"
)

// ringGrace is how long past the ring timeout we wait for the PBX to report
// the leg before we give the offer up ourselves.
const ringGrace = 5 * time.Second

func (m *Machine) onTimer(name string) {
	kind, id, _ := strings.Cut(name, ":")
	if kind == "wrapup" {
		if a := m.agents[id]; a != nil && a.state == WrapUp {
			m.mustState(a, Ready, "")
			m.distribute()
		}
		return
	}
	c := m.calls[id]
	if c == nil {
		return
	}
	switch kind {
	case "menu":
		if n := c.flow.Nodes[c.node]; c.phase == phaseIVR && n != nil && n.Menu != nil && c.menuPhase == menuWaiting {
			m.menuFailed(c, n.Menu, "timeout")
		}
	case "maxwait":
		if c.phase == phaseQueued {
			m.queueTimeout(c)
		}
	case "ring":
		if c.phase == phaseQueued && c.agent != nil {
			m.dropLeg(c)
			m.offerFailed(c, "ring_timeout", 0)
		}
	}
}

// dropLeg hangs up the agent leg of a call that is not bridged yet.
func (m *Machine) dropLeg(c *call) {
	delete(m.byChannel, c.leg)
	m.emit(cmdHangup{Call: c.id, Channel: c.leg, Cause: 0})
}

// queueTimeout: the caller waited the queue's max wait.
func (m *Machine) queueTimeout(c *call) {
	if a := c.agent; a != nil {
		m.dropLeg(c)
		m.cancelTimer(timerRing(c))
		m.mustState(a, Ready, "")
		c.agent, c.leg = nil, ""
	}
	m.dequeue(c)
	m.stopPlayback(c)
	c.timedOut = true
	if next := c.queueNode.OnTimeout; next != "" {
		m.enterNode(c, next, "max_wait")
	} else {
		m.hangupCall(c, OutcomeTimeout)
	}
	m.distribute()
}
