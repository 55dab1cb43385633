package routing

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// RestoredCall is a call the log shows as not ended when Switchboard
// starts. The first Resynced decides: adopted if the PBX still has it,
// ended as lost if not.
type RestoredCall struct {
	ID, Channel, Flow, Queue, Agent, Leg string
	Answered                             bool
	// Caller and Called are the numbers, so offers after the restart show
	// who calls; QueuedAt is when the call first queued (zero if it never
	// did), so a waiting caller keeps their place.
	Caller, Called string
	QueuedAt       time.Time
}

// RestoreCall remembers an open call from the log until the first resync.
func (m *Machine) RestoreCall(rc RestoredCall) { m.restored[rc.Channel] = rc }

// Audit is the watchdog's input: the PBX's live channels as listed at
// Taken. Anything younger than auditGrace is left alone, since its events
// may still be on the way.
type Audit struct {
	Channels []pbx.ChannelInfo
	Taken    time.Time
}

const auditGrace = 3 * time.Second

// onResynced reconciles live state with the channels the PBX still has
// after a (re)connect: calls whose channels went while the link was down
// end; calls from before a restart are adopted; channels nobody owns are
// hung up.
func (m *Machine) onResynced(ev pbx.Resynced) {
	live := liveSet(ev.Channels)
	// Judged by the listing's time: an offer made after the PBX was asked
	// for its channels (the link was back, the answer not yet read) is not
	// in the list, and withdrawing it would leave its leg ringing a phone
	// for nobody (seen cutting the ARI under load).
	judge := m.now
	if t := ev.At(); !t.IsZero() && t.Before(judge) {
		judge = t
	}
	m.reconcile(live, judge, "gone_after_link_drop")
	// Adopted in their original order (first queued, then ID), so the
	// longest waiting caller is offered first, as before the restart.
	restored := make([]RestoredCall, 0, len(m.restored))
	for _, rc := range m.restored {
		restored = append(restored, rc)
	}
	slices.SortFunc(restored, func(x, y RestoredCall) int {
		return cmp.Or(cmp.Compare(b2i(x.QueuedAt.IsZero()), b2i(y.QueuedAt.IsZero())),
			x.QueuedAt.Compare(y.QueuedAt), strings.Compare(x.ID, y.ID))
	})
	clear(m.restored)
	for _, rc := range restored {
		ch := rc.Channel
		if _, ok := live[ch]; !ok || m.flows[rc.Flow] == nil {
			m.record(&Record{Type: EvCallEnded, CallID: rc.ID, Queue: rc.Queue, AgentID: rc.Agent},
				EndedData{Outcome: OutcomeLost, Cause: "gone_after_restart", HangupBy: "pbx"})
			continue
		}
		m.adopt(rc, live)
	}
	for _, ch := range ev.Channels {
		if m.byChannel[ch.Channel] == nil && m.supervisors.legs[ch.Channel] == nil {
			m.emit(cmdHangup{Channel: ch.Channel, Cause: pbx.CauseNormal})
		}
	}
	m.acd.distribute()
	m.work.distribute()
}

// onAudit is the periodic watchdog: agent state is compared with the PBX's
// channels and every repair is logged.
func (m *Machine) onAudit(a Audit) {
	m.reconcile(liveSet(a.Channels), a.Taken.Add(-auditGrace), "watchdog")
	m.checkAgents()
}

func liveSet(chs []pbx.ChannelInfo) map[string]pbx.ChannelInfo {
	live := make(map[string]pbx.ChannelInfo, len(chs))
	for _, ch := range chs {
		live[ch.Channel] = ch
	}
	return live
}

// reconcile ends what the PBX no longer has, for calls, offers and talks
// that began before judgeBefore.
func (m *Machine) reconcile(live map[string]pbx.ChannelInfo, judgeBefore time.Time, why string) {
	for _, c := range m.liveCalls() {
		if c.phase == phaseEnded {
			continue
		}
		if c.out != nil {
			m.outbound.reconcile(c, live, judgeBefore, why)
			continue
		}
		if _, up := live[c.channel]; !up && !c.at.After(judgeBefore) {
			delete(m.byChannel, c.channel)
			if a := c.agent; a != nil {
				m.roster.repaired(a, c, why+": caller gone")
			}
			if c.phase == phaseBridged {
				m.endCall(c, OutcomeAnswered, why, "caller")
			} else {
				m.endCall(c, OutcomeLost, why, "pbx")
			}
			continue
		}
		for _, o := range append([]*offer(nil), c.entry.offers...) {
			if _, up := live[o.leg]; !up && !o.at.After(judgeBefore) {
				m.roster.repaired(o.agent, c, why+": ringing phone gone")
				m.acd.withdraw(o)
			}
		}
		if c.phase == phaseBridged {
			if _, up := live[c.leg]; !up && !c.answeredAt.After(judgeBefore) {
				delete(m.byChannel, c.leg)
				if c.agent != nil {
					m.roster.repaired(c.agent, c, why+": agent leg gone")
				}
				m.emit(cmdHangup{Call: c.id, Channel: c.channel, Cause: pbx.CauseNormal})
				m.endCall(c, OutcomeAnswered, why, "agent")
			}
		}
		if c.dial.leg != "" && c.phase == phaseIVR {
			if _, up := live[c.dial.leg]; !up && !c.dial.at.After(judgeBefore) {
				if c.dial.answered {
					dialStep{}.declineScreened(m, c, why)
				} else {
					dialStep{}.dialFailed(m, c, 0)
				}
			}
		}
	}
	m.supervisors.reconcile(live, judgeBefore, why)
}

// checkAgents repairs agents whose state claims a call that does not
// exist; by construction there are none, and the watchdog proves it.
func (m *Machine) checkAgents() {
	for _, id := range sortedKeys(m.agents) {
		a := m.agents[id]
		switch a.state {
		case Reserved, Ringing:
			if m.outbound.outboundOf(a) != nil || m.work.previewOf(a) != nil {
				continue // dialling out, or a callback's preview: no offer holds the agent
			}
			if a.offer == nil || m.acd.offers[a.offer.leg] != a.offer {
				m.roster.repaired(a, nil, "watchdog: reserved with no offer")
				a.offer = nil
				m.roster.free(a)
			}
		case OnCall:
			if m.outbound.outboundOf(a) != nil {
				continue
			}
			if c := m.calls[a.callID]; c == nil || c.agent != a || c.phase != phaseBridged {
				m.roster.repaired(a, nil, "watchdog: on call with no call")
				m.roster.mustState(a, WrapUp, "")
				m.setTimer(timerWrapUp(a), m.roster.wrapUpFor(a, ""))
			}
		}
	}
}

func (m *Machine) liveCalls() []*call {
	out := make([]*call, 0, len(m.calls))
	for _, id := range sortedKeys(m.calls) {
		out = append(out, m.calls[id])
	}
	return out
}

// adopt takes over a call that outlived a Switchboard restart.
func (m *Machine) adopt(rc RestoredCall, live map[string]pbx.ChannelInfo) {
	c := &call{id: rc.ID, channel: rc.Channel, flowName: rc.Flow, flow: m.flows[rc.Flow], at: m.now,
		caller: rc.Caller, called: rc.Called}
	m.calls[c.id] = c
	m.byChannel[c.channel] = c
	leg, legUp := live[rc.Leg]
	a := m.agents[rc.Agent]
	if rc.Answered && legUp && a != nil && leg.BridgeID != "" {
		c.phase, c.queue, c.agent, c.leg, c.bridge, c.answeredAt = phaseBridged, rc.Queue, a, rc.Leg, leg.BridgeID, m.now
		m.byChannel[c.leg] = c
		a.callID = c.id
		if a.state != OnCall {
			if err := m.roster.transit(a, transition{to: OnCall, adopted: true}); err != nil {
				m.log.Error("agent adopt refused", "agent", a.id, "err", err)
			}
		}
		m.cancelTimer(timerWrapUp(a))
		return
	}
	if rc.Leg != "" && legUp {
		m.emit(cmdHangup{Call: c.id, Channel: rc.Leg, Cause: pbx.CauseNormal})
	}
	if rc.Answered {
		// The agent's leg (or its bridge) went while we were away: that
		// conversation is over. Queueing the caller again would hand them
		// to a second agent for a call already had; it ends instead.
		c.phase, c.queue, c.answeredAt = phaseBridged, rc.Queue, m.now
		if a != nil && a.state == OnCall {
			c.agent, a.callID = a, c.id
		}
		m.emit(cmdHangup{Call: c.id, Channel: c.channel, Cause: pbx.CauseNormal})
		m.endCall(c, OutcomeAnswered, "agent_gone_after_restart", "agent")
		return
	}
	// A ringback caller may not have been answered: answer when it counts
	// (answering an answered channel again does no harm).
	c.unanswered = ringsFirst(c.flow)
	for _, name := range sortedKeys(c.flow.Nodes) {
		if n := c.flow.Nodes[name]; n.Queue != nil && n.Queue.Queue == rc.Queue && rc.Queue != "" {
			m.enterNode(c, name, "resumed")
			if c.phase == phaseQueued && !rc.QueuedAt.IsZero() {
				c.entry.queuedAt = rc.QueuedAt // their place, not the restart's time
			}
			return
		}
	}
	m.enterNode(c, c.flow.Start, "resumed")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
