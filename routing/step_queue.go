package routing

// queueStep puts the call in a queue; from there the ACD has it.
type queueStep struct{ noInput }

func (queueStep) is(n *Node) bool { return n.Queue != nil }

func (queueStep) enter(m *Machine, c *call, n *Node) { m.acd.enqueue(c, n.Queue) }
