package routing

// menuStep plays a prompt and branches on the digit pressed; an invalid
// digit or silence plays the prompt again, up to its attempts.
type menuStep struct{}

func (menuStep) is(n *Node) bool { return n.Menu != nil }

func (menuStep) enter(m *Machine, c *call, n *Node) { prompt(m, c, n.Menu.Prompt) }

func (menuStep) playbackDone(m *Machine, c *call, n *Node) {
	switch c.menuPhase {
	case menuPrompt:
		awaitDigits(m, c, n.Menu.Timeout)
	case menuRetry:
		prompt(m, c, n.Menu.Prompt)
	}
}

func (menuStep) digit(m *Machine, c *call, n *Node, digit string) {
	m.stopPlayback(c)
	m.cancelTimer(timerMenu(c))
	if next, ok := n.Menu.Options[digit]; ok {
		m.enterNode(c, next, digit)
		return
	}
	m.menuFailed(c, n.Menu, "invalid")
}

func (menuStep) timeout(m *Machine, c *call, n *Node) { m.menuFailed(c, n.Menu, "timeout") }

// menuFailed handles an invalid digit or a timeout: the prompt again, or
// after the last attempt the menu's failure branch.
func (m *Machine) menuFailed(c *call, menu *MenuNode, why string) {
	c.menuAttempts++
	if c.menuAttempts >= menu.Attempts {
		m.enterNode(c, menu.OnFailure, why)
		return
	}
	m.record(&Record{Type: EvCallIVR, CallID: c.id}, IVRData{Node: c.node, Input: why})
	retry := menu.InvalidPrompt
	if why == "timeout" {
		retry = menu.TimeoutPrompt
	}
	if len(retry) > 0 {
		c.menuPhase = menuRetry
		m.play(c, retry)
		return
	}
	prompt(m, c, menu.Prompt)
}
