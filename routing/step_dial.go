package routing

import (
	"time"

	"switchboard/routing/pbx"
)

// dialStep puts the caller through to an extension; a screened extension
// first hears the caller's recorded name and presses 1 or 2.
type dialStep struct{ noInput }

func (ds dialStep) is(n *Node) bool { return n.Dial != nil }

func (ds dialStep) enter(m *Machine, c *call, n *Node) { ds.dial(m, c, n.Dial) }

// playbackDone: the screening prompt ended; the caller records a name.
func (ds dialStep) playbackDone(m *Machine, c *call, _ *Node) {
	if c.screen.on && c.recording == "" && c.dial.leg == "" {
		ds.recordName(m, c)
	}
}

// dial puts the caller through to an extension.
func (ds dialStep) dial(m *Machine, c *call, d *DialNode) {
	target := m.expand(c, d.Extension)
	m.setVar(c, "target", target)
	ext := m.cfg.Extensions[target]
	if ext == nil {
		m.enterNode(c, d.OnUnknown, "unknown")
		return
	}
	c.dial.ext = target
	if ext.Screen {
		c.screen.on = true
		if len(d.ScreenPrompt) > 0 {
			m.play(c, d.ScreenPrompt)
			return
		}
		ds.recordName(m, c)
		return
	}
	ds.ringExtension(m, c)
}

func (ds dialStep) ringExtension(m *Machine, c *call) {
	d := ds.dialNode(m, c)
	ext := m.cfg.Extensions[c.dial.ext]
	c.dial.leg, c.dial.at = m.ids("ext"), m.now
	m.byChannel[c.dial.leg] = c
	m.emit(cmdOriginate{Call: c.id, Req: pbx.Originate{
		Channel: c.dial.leg, Endpoint: ext.Endpoint, CallerID: c.caller,
		Timeout: d.Timeout.D(), Related: c.channel,
		Headers: map[string]string{"X-Switchboard-Call": c.id},
	}})
	m.setTimer(timerDial(c), d.Timeout.D()+ringGrace)
}

// recordName records the caller's name and reason for a screened call.
func (ds dialStep) recordName(m *Machine, c *call) {
	c.recording = "name-" + c.id
	m.pendingRec[c.recording] = c
	m.emit(cmdRecord{Call: c.id, Rec: pbx.Recording{
		Channel: c.channel, Name: c.recording, MaxDuration: 10 * time.Second,
		MaxSilence: 3 * time.Second, Beep: true, TerminateOn: "#",
	}})
}

// onDialAnswered: the extension picked up. A screened call first plays the
// caller's name and waits for 1 (take it) or 2 (decline).
func (ds dialStep) onDialAnswered(m *Machine, c *call) {
	m.cancelTimer(timerDial(c))
	c.dial.answered = true
	if c.screen.on {
		m.setTimer(timerDial(c), screenDecision)
		d := ds.dialNode(m, c)
		media := append([]string{"recording:name-" + c.id}, d.AcceptPrompt...)
		id := m.ids("pb")
		c.screen.announcement = id
		m.playbacks[id] = c
		m.emit(cmdPlay{Channel: c.dial.leg, PlaybackID: id, Media: media})
		return
	}
	ds.putThrough(m, c)
}

func (ds dialStep) putThrough(m *Machine, c *call) {
	m.stopPlayback(c)
	c.xfer = nil
	c.phase, c.leg, c.bridge, c.answeredAt = phaseBridged, c.dial.leg, m.ids("br"), m.now
	c.dial.leg, c.screen.on, c.dial.answered = "", false, false
	m.record(&Record{Type: EvCallAnswered, CallID: c.id}, OfferData{
		Endpoint: m.cfg.Extensions[c.dial.ext].Endpoint, Leg: c.leg, Agent: "ext:" + c.dial.ext,
	})
	m.emit(cmdBridge{Call: c.id, BridgeID: c.bridge, Channels: []string{c.channel, c.leg}})
	m.recorder.bridged(c) // a transfer to an extension goes on recording
}

// onScreenDigit is the extension's answer to a screened call.
func (ds dialStep) onScreenDigit(m *Machine, c *call, digit string) {
	switch digit {
	case "1":
		if c.screen.announcement != "" {
			delete(m.playbacks, c.screen.announcement)
			m.emit(cmdStopPlayback{Channel: c.dial.leg, PlaybackID: c.screen.announcement})
			c.screen.announcement = ""
		}
		m.cancelTimer(timerDial(c))
		ds.putThrough(m, c)
	case "2":
		ds.declineScreened(m, c, "declined")
	}
}

func (ds dialStep) declineScreened(m *Machine, c *call, why string) {
	m.cancelTimer(timerDial(c))
	leg := c.dial.leg
	delete(m.byChannel, leg)
	c.dial.leg, c.screen.on, c.screen.announcement, c.dial.answered = "", false, "", false
	m.emit(cmdHangup{Call: c.id, Channel: leg, Cause: pbx.CauseNormal})
	if c.xfer != nil {
		m.desk.transferFailed(c)
		return
	}
	m.enterNode(c, ds.dialNode(m, c).OnDecline, why)
}

// dialFailed: the extension was busy, did not answer or could not be rung.
func (ds dialStep) dialFailed(m *Machine, c *call, cause pbx.Cause) {
	m.cancelTimer(timerDial(c))
	delete(m.byChannel, c.dial.leg)
	c.dial.leg, c.screen.on, c.dial.answered = "", false, false
	if c.xfer != nil {
		m.desk.transferFailed(c)
		return
	}
	d := ds.dialNode(m, c)
	if cause == pbx.CauseUserBusy {
		m.enterNode(c, d.OnBusy, "busy")
		return
	}
	m.enterNode(c, d.OnNoAnswer, "no_answer")
}

// onDialTimer: the extension rang out (or the announcement got no answer).
func (ds dialStep) onDialTimer(m *Machine, c *call) {
	if c.dial.leg == "" {
		return
	}
	if c.dial.answered { // the announcement got no 1 or 2
		ds.declineScreened(m, c, "no_decision")
		return
	}
	m.emit(cmdHangup{Call: c.id, Channel: c.dial.leg})
	ds.dialFailed(m, c, pbx.CauseNoAnswer)
}

// screenDecision is how long a screened extension has to press 1 or 2
// once the announcement starts.
const screenDecision = 20 * time.Second

func timerDial(c *call) string { return "dial:" + c.id }

// dialNode is the dial the call is making: its flow's dial step, or the
// one a transfer to an extension made up.
func (ds dialStep) dialNode(m *Machine, c *call) *DialNode {
	if c.xfer != nil {
		return c.xfer
	}
	return c.flow.Nodes[c.node].Dial
}
