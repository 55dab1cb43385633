package routing

import "strconv"

// surveyStep asks for a score from 1 to 5, records it, thanks the caller
// and goes on; after a talk it is the post-call survey.
type surveyStep struct{}

func (surveyStep) is(n *Node) bool { return n.Survey != nil }

func (surveyStep) enter(m *Machine, c *call, n *Node) { prompt(m, c, n.Survey.Prompt) }

func (surveyStep) playbackDone(m *Machine, c *call, n *Node) {
	switch c.menuPhase {
	case menuPrompt:
		awaitDigits(m, c, n.Survey.Timeout)
	case menuRetry: // the thanks ended
		m.enterNode(c, n.Survey.Next, "")
	}
}

func (surveyStep) digit(m *Machine, c *call, n *Node, digit string) {
	if c.menuPhase == menuRetry {
		return
	}
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

func (surveyStep) timeout(m *Machine, c *call, n *Node) { m.enterNode(c, n.Survey.Next, "timeout") }

// startSurvey: the agent hung up first; the caller stays for the survey
// and the talk is over for the record.
// The survey's prompt runs in the call's order, after the bridge is
// destroyed (CI saw it lost once when it raced the destroy).
func (m *Machine) startSurvey(c *call, node, cause string) {
	start := len(m.out.Commands)
	m.endTalk(c, OutcomeAnswered, cause, "agent")
	c.postCall = true
	c.phase = phaseIVR
	m.enterNode(c, node, "agent_hung_up")
	m.playAfterBridge(start, c.id, c.channel)
}
