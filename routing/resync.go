package routing

import "switchboard/routing/pbx"

// RestoredCall is a call the log shows as not ended when Switchboard
// starts. The first Resynced decides: adopted if the PBX still has it,
// ended as lost if not.
type RestoredCall struct {
	ID, Channel, Flow, Queue, Agent, Leg string
	Answered                             bool
}

// RestoreCall remembers an open call from the log until the first resync.
func (m *Machine) RestoreCall(rc RestoredCall) { m.restored[rc.Channel] = rc }

// onResynced reconciles live state with the channels the PBX still has:
// calls whose channels went while the link was down end; calls from before
// a restart are adopted; channels nobody owns are hung up.
func (m *Machine) onResynced(ev pbx.Resynced) {
	live := make(map[string]pbx.ChannelInfo, len(ev.Channels))
	for _, ch := range ev.Channels {
		live[ch.Channel] = ch
	}
	for _, c := range m.liveCalls() {
		_, callerUp := live[c.channel]
		_, legUp := live[c.leg]
		switch {
		case !callerUp:
			delete(m.byChannel, c.channel)
			if c.phase == phaseBridged {
				m.endCall(c, OutcomeAnswered, "gone_after_link_drop", "caller")
			} else {
				m.endCall(c, OutcomeLost, "gone_after_link_drop", "pbx")
			}
		case c.leg != "" && !legUp:
			delete(m.byChannel, c.leg)
			if c.phase == phaseBridged {
				m.emit(cmdHangup{Call: c.id, Channel: c.channel, Cause: pbx.CauseNormal})
				m.endCall(c, OutcomeAnswered, "gone_after_link_drop", "agent")
			} else {
				m.offerFailed(c, "gone_after_link_drop", 0)
			}
		}
	}
	for ch, rc := range m.restored {
		delete(m.restored, ch)
		if _, ok := live[ch]; !ok || m.flows[rc.Flow] == nil {
			m.record(&Record{Type: EvCallEnded, CallID: rc.ID, Queue: rc.Queue, AgentID: rc.Agent},
				EndedData{Outcome: OutcomeLost, Cause: "gone_after_restart", HangupBy: "pbx"})
			continue
		}
		m.adopt(rc, live)
	}
	for ch := range live {
		if m.byChannel[ch] == nil {
			m.emit(cmdHangup{Channel: ch, Cause: pbx.CauseNormal})
		}
	}
	m.distribute()
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
	c := &call{id: rc.ID, channel: rc.Channel, flowName: rc.Flow, flow: m.flows[rc.Flow]}
	m.calls[c.id] = c
	m.byChannel[c.channel] = c
	leg, legUp := live[rc.Leg]
	a := m.agents[rc.Agent]
	if rc.Answered && legUp && a != nil && leg.BridgeID != "" {
		c.phase, c.queue, c.agent, c.leg, c.bridge = phaseBridged, rc.Queue, a, rc.Leg, leg.BridgeID
		m.byChannel[c.leg] = c
		a.callID = c.id
		if a.state != OnCall {
			m.record(&Record{Type: EvAgentState, AgentID: a.id, CallID: c.id},
				AgentStateData{From: a.state.String(), To: OnCall.String(), Endpoint: a.endpoint, CallID: c.id})
			a.state, a.since = OnCall, m.now
		}
		m.cancelTimer(timerWrapUp(a))
		return
	}
	if rc.Leg != "" && legUp {
		m.emit(cmdHangup{Call: c.id, Channel: rc.Leg, Cause: pbx.CauseNormal})
	}
	for _, name := range sortedKeys(c.flow.Nodes) {
		if n := c.flow.Nodes[name]; n.Queue != nil && n.Queue.Queue == rc.Queue && rc.Queue != "" {
			m.enterNode(c, name, "resumed")
			return
		}
	}
	m.enterNode(c, c.flow.Start, "resumed")
}
