package routing

// gotoStep continues the call in another flow (at its start or a node).
type gotoStep struct{ noInput }

func (gotoStep) is(n *Node) bool { return n.Goto != nil }

func (gotoStep) enter(m *Machine, c *call, n *Node) {
	f := m.flows[n.Goto.Flow]
	if f == nil { // a reload removed it: the call cannot go on
		m.hangupCall(c, m.flowOutcome(c))
		return
	}
	c.flow, c.flowName, c.node = f, n.Goto.Flow, ""
	start := n.Goto.Node
	if start == "" {
		start = f.Start
	}
	m.enterNode(c, start, "goto")
}
