package routing

import (
	"strings"

	"switchboard/routing/pbx"
)

// messageStep records a voice message for an extension, agent or group,
// after its prompt if any, and goes on once the recording is stored.
type messageStep struct{ noInput }

func (ms messageStep) is(n *Node) bool { return n.Message != nil }

func (ms messageStep) enter(m *Machine, c *call, n *Node) {
	if len(n.Message.Prompt) > 0 {
		m.play(c, n.Message.Prompt)
		return
	}
	ms.startMessage(m, c, n.Message)
}

func (ms messageStep) playbackDone(m *Machine, c *call, n *Node) {
	if c.recording == "" {
		ms.startMessage(m, c, n.Message)
	}
}

func (ms messageStep) startMessage(m *Machine, c *call, mn *MessageNode) {
	c.recording = "msg-" + c.id
	m.pendingRec[c.recording] = c
	m.emit(cmdRecord{Call: c.id, Rec: pbx.Recording{
		Channel: c.channel, Name: c.recording, MaxDuration: mn.MaxDuration.D(),
		Beep: true, TerminateOn: "#",
	}})
}

// onRecordingFinished: a message is stored (even if the caller already
// hung up, as most do after speaking), or a screened caller's name is
// ready to announce.
func (ms messageStep) onRecordingFinished(m *Machine, ev pbx.RecordingFinished) {
	c := m.pendingRec[ev.Name]
	if c == nil {
		return
	}
	delete(m.pendingRec, ev.Name)
	if strings.HasPrefix(ev.Name, "msg-") {
		if !ev.Failed {
			ms.recordMessage(m, c, ev)
		}
		if c.phase != phaseEnded {
			c.recording = ""
			if n := c.flow.Nodes[c.node]; n != nil && n.Message != nil {
				m.enterNode(c, n.Message.Next, "recorded")
			}
		}
		return
	}
	if c.phase == phaseEnded || !c.screen.on {
		return
	}
	c.recording = ""
	if ev.Failed {
		c.screen.on = false // announce nobody: put the call through plainly
	}
	dialStep{}.ringExtension(m, c)
}

func (ms messageStep) recordMessage(m *Machine, c *call, ev pbx.RecordingFinished) {
	n := c.flow.Nodes[c.node]
	target := ""
	if n != nil && n.Message != nil {
		target = m.expand(c, n.Message.Target)
	}
	kind := "group"
	switch {
	case m.cfg.Extensions[target] != nil:
		kind = "extension"
	case m.agents[target] != nil:
		kind = "agent"
	}
	m.record(&Record{Type: EvCallMessage, CallID: c.id}, MessageData{
		Recording: ev.Name, Target: target, TargetKind: kind, Caller: c.caller,
		DurationSeconds: ev.Duration.Seconds(),
	})
}
