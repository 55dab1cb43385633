package routing

import (
	"strconv"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// Steps beyond play, menu and queue: time conditions, digit collection,
// variables, jumps, dialling an extension (with screening), messages,
// surveys and callback requests.

// enterStep starts node n of the call's flow; false if n is none of these.
func (m *Machine) enterStep(c *call, n *Node, name string) bool {
	switch {
	case n.Time != nil:
		next, branch := n.Time.Closed, "closed"
		if m.isOpen(n.Time.Calendar) {
			next, branch = n.Time.Open, "open"
		}
		m.enterNode(c, next, branch)
	case n.Collect != nil:
		m.startCollect(c, n.Collect.Prompt, n.Collect.Timeout)
	case n.Directory != nil:
		m.startCollect(c, n.Directory.Prompt, n.Directory.Timeout)
	case n.Set != nil:
		m.setVar(c, n.Set.Var, m.expand(c, n.Set.Value))
		m.enterNode(c, n.Set.Next, "")
	case n.Goto != nil:
		f := m.flows[n.Goto.Flow]
		if f == nil { // a reload removed it: the call cannot go on
			m.hangupCall(c, m.flowOutcome(c))
			return true
		}
		c.flow, c.flowName, c.node = f, n.Goto.Flow, ""
		start := n.Goto.Node
		if start == "" {
			start = f.Start
		}
		m.enterNode(c, start, "goto")
	case n.Dial != nil:
		m.dial(c, n.Dial)
	case n.Message != nil:
		if len(n.Message.Prompt) > 0 {
			m.play(c, n.Message.Prompt)
		} else {
			m.startMessage(c, n.Message)
		}
	case n.Survey != nil:
		c.menuPhase = menuPrompt
		m.play(c, n.Survey.Prompt)
	case n.Callback != nil:
		number := c.caller
		if n.Callback.Number != "" {
			number = m.expand(c, n.Callback.Number)
		}
		m.record(&Record{Type: EvCallCallback, CallID: c.id, Queue: n.Callback.Queue},
			CallbackData{Number: number, Queue: n.Callback.Queue})
		if len(n.Callback.Prompt) > 0 {
			m.play(c, n.Callback.Prompt)
		} else {
			m.enterNode(c, n.Callback.Next, "")
		}
	default:
		return false
	}
	return true
}

// startCollect plays a prompt (a digit barges in), then waits for digits.
func (m *Machine) startCollect(c *call, prompt []string, timeout Duration) {
	c.digits, c.menuPhase = "", menuPrompt
	if len(prompt) > 0 {
		m.play(c, prompt)
		return
	}
	c.menuPhase = menuWaiting
	m.setTimer(timerMenu(c), timeout.D())
}

// stepPlaybackDone continues a step whose prompt ended.
func (m *Machine) stepPlaybackDone(c *call, n *Node) {
	switch {
	case n.Collect != nil && c.menuPhase == menuPrompt:
		c.menuPhase = menuWaiting
		m.setTimer(timerMenu(c), n.Collect.Timeout.D())
	case n.Directory != nil && c.menuPhase == menuPrompt:
		c.menuPhase = menuWaiting
		m.setTimer(timerMenu(c), n.Directory.Timeout.D())
	case n.Survey != nil && c.menuPhase == menuPrompt:
		c.menuPhase = menuWaiting
		m.setTimer(timerMenu(c), n.Survey.Timeout.D())
	case n.Survey != nil && c.menuPhase == menuRetry: // the thanks ended
		m.enterNode(c, n.Survey.Next, "")
	case n.Message != nil && c.recording == "":
		m.startMessage(c, n.Message)
	case n.Callback != nil:
		m.enterNode(c, n.Callback.Next, "")
	case n.Dial != nil && c.screening && c.recording == "" && c.dialLeg == "":
		m.recordName(c)
	}
}

// stepDigit takes a caller's digit in a collect or survey step.
func (m *Machine) stepDigit(c *call, n *Node, digit string) {
	switch {
	case n.Collect != nil:
		m.stopPlayback(c)
		m.cancelTimer(timerMenu(c))
		cn := n.Collect
		if digit == cn.Terminator {
			m.collectDone(c, cn)
			return
		}
		c.digits += digit
		if len(c.digits) >= cn.Max {
			m.collectDone(c, cn)
			return
		}
		c.menuPhase = menuWaiting
		m.setTimer(timerMenu(c), cn.Timeout.D())
	case n.Directory != nil:
		m.stopPlayback(c)
		m.cancelTimer(timerMenu(c))
		if digit == "#" {
			m.directoryDone(c, n.Directory)
			return
		}
		c.digits += digit
		if len(c.digits) >= n.Directory.Letters {
			m.directoryDone(c, n.Directory)
			return
		}
		c.menuPhase = menuWaiting
		m.setTimer(timerMenu(c), n.Directory.Timeout.D())
	case n.Survey != nil && c.menuPhase != menuRetry:
		m.stopPlayback(c)
		m.cancelTimer(timerMenu(c))
		score, err := strconv.Atoi(digit)
		if err != nil || score < 1 || score > 5 {
			return // not a score: the prompt's timeout still ends the survey
		}
		d := SurveyData{Score: score, Queue: c.queue}
		if c.agent != nil {
			d.Agent = c.agent.id
		}
		m.record(&Record{Type: EvCallSurvey, CallID: c.id, Queue: c.queue, AgentID: d.Agent}, d)
		if len(n.Survey.Thanks) > 0 {
			c.menuPhase = menuRetry
			m.play(c, n.Survey.Thanks)
			return
		}
		m.enterNode(c, n.Survey.Next, "scored")
	}
}

// stepTimeout ends a collect or survey step that got no (more) digits.
func (m *Machine) stepTimeout(c *call, n *Node) {
	switch {
	case n.Collect != nil:
		m.collectDone(c, n.Collect)
	case n.Directory != nil:
		m.directoryDone(c, n.Directory)
	case n.Survey != nil:
		m.enterNode(c, n.Survey.Next, "timeout")
	}
}

func (m *Machine) collectDone(c *call, cn *CollectNode) {
	if len(c.digits) < max(cn.Min, 1) && cn.OnTimeout != "" {
		m.enterNode(c, cn.OnTimeout, "timeout")
		return
	}
	m.setVar(c, cn.Var, c.digits)
	m.enterNode(c, cn.Next, c.digits)
}

func (m *Machine) setVar(c *call, name, value string) {
	if c.vars == nil {
		c.vars = map[string]string{}
	}
	c.vars[name] = value
}

// expand replaces ${name} with the call's variable (caller and called are
// always there).
func (m *Machine) expand(c *call, s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		j := strings.Index(s[max(i, 0):], "}")
		if i < 0 || j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name := s[i+2 : i+j]
		switch name {
		case "caller":
			b.WriteString(c.caller)
		case "called":
			b.WriteString(c.called)
		default:
			b.WriteString(c.vars[name])
		}
		s = s[i+j+1:]
	}
}

// isOpen is a calendar's state now, or the mode a supervisor forced.
func (m *Machine) isOpen(calendar string) bool {
	switch m.modes[calendar] {
	case ModeDay:
		return true
	case ModeNight:
		return false
	}
	cal := m.cfg.Calendars[calendar]
	return cal != nil && cal.Open(m.now)
}

// Day/night modes a supervisor can force on a calendar.
const (
	ModeAuto  = "auto"
	ModeDay   = "day"
	ModeNight = "night"
)

// dial puts the caller through to an extension.
func (m *Machine) dial(c *call, d *DialNode) {
	target := m.expand(c, d.Extension)
	m.setVar(c, "target", target)
	ext := m.cfg.Extensions[target]
	if ext == nil {
		m.enterNode(c, d.OnUnknown, "unknown")
		return
	}
	c.dialExt = target
	if ext.Screen {
		c.screening = true
		if len(d.ScreenPrompt) > 0 {
			m.play(c, d.ScreenPrompt)
			return
		}
		m.recordName(c)
		return
	}
	m.ringExtension(c)
}

func (m *Machine) ringExtension(c *call) {
	d := m.dialNode(c)
	ext := m.cfg.Extensions[c.dialExt]
	c.dialLeg, c.dialAt = m.ids("ext"), m.now
	m.byChannel[c.dialLeg] = c
	m.emit(cmdOriginate{Call: c.id, Req: pbx.Originate{
		Channel: c.dialLeg, Endpoint: ext.Endpoint, CallerID: c.caller,
		Timeout: d.Timeout.D(), Related: c.channel,
		Headers: map[string]string{"X-Switchboard-Call": c.id},
	}})
	m.setTimer(timerDial(c), d.Timeout.D()+ringGrace)
}

// recordName records the caller's name and reason for a screened call.
func (m *Machine) recordName(c *call) {
	c.recording = "name-" + c.id
	m.pendingRec[c.recording] = c
	m.emit(cmdRecord{Call: c.id, Rec: pbx.Recording{
		Channel: c.channel, Name: c.recording, MaxDuration: 10 * time.Second,
		MaxSilence: 3 * time.Second, Beep: true, TerminateOn: "#",
	}})
}

func (m *Machine) startMessage(c *call, mn *MessageNode) {
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
func (m *Machine) onRecordingFinished(ev pbx.RecordingFinished) {
	c := m.pendingRec[ev.Name]
	if c == nil {
		return
	}
	delete(m.pendingRec, ev.Name)
	if strings.HasPrefix(ev.Name, "msg-") {
		if !ev.Failed {
			m.recordMessage(c, ev)
		}
		if c.phase != phaseEnded {
			c.recording = ""
			if n := c.flow.Nodes[c.node]; n != nil && n.Message != nil {
				m.enterNode(c, n.Message.Next, "recorded")
			}
		}
		return
	}
	if c.phase == phaseEnded || !c.screening {
		return
	}
	c.recording = ""
	if ev.Failed {
		c.screening = false // announce nobody: put the call through plainly
	}
	m.ringExtension(c)
}

func (m *Machine) recordMessage(c *call, ev pbx.RecordingFinished) {
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

// onDialAnswered: the extension picked up. A screened call first plays the
// caller's name and waits for 1 (take it) or 2 (decline).
func (m *Machine) onDialAnswered(c *call) {
	m.cancelTimer(timerDial(c))
	c.dialAnswered = true
	if c.screening {
		m.setTimer(timerDial(c), screenDecision)
		d := m.dialNode(c)
		media := append([]string{"recording:name-" + c.id}, d.AcceptPrompt...)
		id := m.ids("pb")
		c.legPlayback = id
		m.playbacks[id] = c
		m.emit(cmdPlay{Channel: c.dialLeg, PlaybackID: id, Media: media})
		return
	}
	m.putThrough(c)
}

func (m *Machine) putThrough(c *call) {
	m.stopPlayback(c)
	c.xfer = nil
	c.phase, c.leg, c.bridge, c.answeredAt = phaseBridged, c.dialLeg, m.ids("br"), m.now
	c.dialLeg, c.screening, c.dialAnswered = "", false, false
	m.record(&Record{Type: EvCallAnswered, CallID: c.id}, OfferData{
		Endpoint: m.cfg.Extensions[c.dialExt].Endpoint, Leg: c.leg, Agent: "ext:" + c.dialExt,
	})
	m.emit(cmdBridge{Call: c.id, BridgeID: c.bridge, Channels: []string{c.channel, c.leg}})
}

// onScreenDigit is the extension's answer to a screened call.
func (m *Machine) onScreenDigit(c *call, digit string) {
	switch digit {
	case "1":
		if c.legPlayback != "" {
			delete(m.playbacks, c.legPlayback)
			m.emit(cmdStopPlayback{Channel: c.dialLeg, PlaybackID: c.legPlayback})
			c.legPlayback = ""
		}
		m.cancelTimer(timerDial(c))
		m.putThrough(c)
	case "2":
		m.declineScreened(c, "declined")
	}
}

func (m *Machine) declineScreened(c *call, why string) {
	m.cancelTimer(timerDial(c))
	leg := c.dialLeg
	delete(m.byChannel, leg)
	c.dialLeg, c.screening, c.legPlayback, c.dialAnswered = "", false, "", false
	m.emit(cmdHangup{Call: c.id, Channel: leg, Cause: pbx.CauseNormal})
	if c.xfer != nil {
		m.transferFailed(c)
		return
	}
	m.enterNode(c, m.dialNode(c).OnDecline, why)
}

// dialFailed: the extension was busy, did not answer or could not be rung.
func (m *Machine) dialFailed(c *call, cause pbx.Cause) {
	m.cancelTimer(timerDial(c))
	delete(m.byChannel, c.dialLeg)
	c.dialLeg, c.screening, c.dialAnswered = "", false, false
	if c.xfer != nil {
		m.transferFailed(c)
		return
	}
	d := m.dialNode(c)
	if cause == pbx.CauseUserBusy {
		m.enterNode(c, d.OnBusy, "busy")
		return
	}
	m.enterNode(c, d.OnNoAnswer, "no_answer")
}

// onDialTimer: the extension rang out (or the announcement got no answer).
func (m *Machine) onDialTimer(c *call) {
	if c.dialLeg == "" {
		return
	}
	if c.dialAnswered { // the announcement got no 1 or 2
		m.declineScreened(c, "no_decision")
		return
	}
	m.emit(cmdHangup{Call: c.id, Channel: c.dialLeg})
	m.dialFailed(c, pbx.CauseNoAnswer)
}

// startSurvey: the agent hung up first; the caller stays for the survey
// and the talk is over for the record.
func (m *Machine) startSurvey(c *call, node, cause string) {
	m.endTalk(c, OutcomeAnswered, cause, "agent")
	c.postCall = true
	c.phase = phaseIVR
	m.enterNode(c, node, "agent_hung_up")
}

// screenDecision is how long a screened extension has to press 1 or 2
// once the announcement starts.
const screenDecision = 20 * time.Second

func timerDial(c *call) string { return "dial:" + c.id }

// dialNode is the dial the call is making: its flow's dial step, or the
// one a transfer to an extension made up.
func (m *Machine) dialNode(c *call) *DialNode {
	if c.xfer != nil {
		return c.xfer
	}
	return c.flow.Nodes[c.node].Dial
}
