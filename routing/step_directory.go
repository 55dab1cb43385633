package routing

// directoryStep is dial-by-name: the caller keys a name's first letters
// (see directory.go) and the matching extension goes into a variable.
type directoryStep struct{}

func (directoryStep) is(n *Node) bool { return n.Directory != nil }

func (directoryStep) enter(m *Machine, c *call, n *Node) {
	m.startCollect(c, n.Directory.Prompt, n.Directory.Timeout)
}

func (directoryStep) playbackDone(m *Machine, c *call, n *Node) {
	promptEnded(m, c, n.Directory.Timeout)
}

func (directoryStep) digit(m *Machine, c *call, n *Node, digit string) {
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
	awaitDigits(m, c, n.Directory.Timeout)
}

func (directoryStep) timeout(m *Machine, c *call, n *Node) { m.directoryDone(c, n.Directory) }
