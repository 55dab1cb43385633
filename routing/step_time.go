package routing

// timeStep branches on a calendar: open or closed now.
type timeStep struct{ noInput }

func (timeStep) is(n *Node) bool { return n.Time != nil }

func (timeStep) enter(m *Machine, c *call, n *Node) {
	next, branch := n.Time.Closed, "closed"
	if m.calendars.isOpen(n.Time.Calendar) {
		next, branch = n.Time.Open, "open"
	}
	m.enterNode(c, next, branch)
}
