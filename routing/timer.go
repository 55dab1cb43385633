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
	switch kind {
	case "wrapup":
		if a := m.agents[id]; a != nil && a.state == WrapUp {
			m.roster.free(a)
		}
		return
	case "allowance":
		if a := m.agents[id]; a != nil && a.state == NotReady {
			r := m.roster.reason(a.reason)
			data := AlertData{Kind: "break_overrun", Reason: a.reason}
			if r != nil {
				data.Allowance = r.Allowance.D().String()
			}
			m.record(&Record{Type: EvAgentAlert, AgentID: a.id}, data)
		}
		return
	case "workdue":
		m.work.dueTimer(id)
		return
	case "chatoffer", "chatidle", "chatesc":
		m.chats.timer(kind, id)
		return
	case "workpreview":
		m.work.previewTimer(id)
		return
	case "lease":
		if o := m.acd.offers[id]; o != nil && !o.ringing {
			m.acd.dropLeg(o, "lease_expired")
		}
		return
	case "ring":
		if o := m.acd.offers[id]; o != nil {
			m.acd.dropLeg(o, "ring_timeout")
		}
		return
	}
	c := m.calls[id]
	if c == nil {
		return
	}
	if c.out != nil {
		switch kind {
		case "invite":
			m.outbound.inviteTimeout(c)
		case "outring":
			m.outbound.ringTimeout(c)
		case "outagent":
			m.outbound.agentTimeout(c)
		}
		return
	}
	switch kind {
	case "menu":
		n := c.flow.Nodes[c.node]
		switch {
		case c.phase != phaseIVR || n == nil || c.menuPhase != menuWaiting:
		default:
			stepFor(n).timeout(m, c, n)
		}
	case "dial":
		if c.phase == phaseIVR {
			dialStep{}.onDialTimer(m, c)
		}
	case "maxwait":
		if c.phase == phaseQueued {
			m.acd.queueTimeout(c)
		}
	case "announce":
		m.acd.ann.fire(c)
	case "escalate":
		if c.phase == phaseQueued {
			m.acd.escalate(c)
		}
	}
}
