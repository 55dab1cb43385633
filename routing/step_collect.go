package routing

// collectStep gathers digits into a variable: up to Max, or until the
// terminator or the timeout.
type collectStep struct{}

func (collectStep) is(n *Node) bool { return n.Collect != nil }

func (collectStep) enter(m *Machine, c *call, n *Node) {
	m.startCollect(c, n.Collect.Prompt, n.Collect.Timeout)
}

func (collectStep) playbackDone(m *Machine, c *call, n *Node) {
	promptEnded(m, c, n.Collect.Timeout)
}

func (collectStep) digit(m *Machine, c *call, n *Node, digit string) {
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
	awaitDigits(m, c, cn.Timeout)
}

func (collectStep) timeout(m *Machine, c *call, n *Node) { m.collectDone(c, n.Collect) }

// startCollect plays a prompt (a digit barges in), then waits for digits.
func (m *Machine) startCollect(c *call, media []string, timeout Duration) {
	c.digits = ""
	if len(media) > 0 {
		prompt(m, c, media)
		return
	}
	awaitDigits(m, c, timeout)
}

func (m *Machine) collectDone(c *call, cn *CollectNode) {
	if len(c.digits) < max(cn.Min, 1) && cn.OnTimeout != "" {
		m.enterNode(c, cn.OnTimeout, "timeout")
		return
	}
	m.setVar(c, cn.Var, c.digits)
	m.enterNode(c, cn.Next, c.digits)
}
