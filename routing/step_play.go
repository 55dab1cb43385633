package routing

// playStep plays media, then goes on to Next.
type playStep struct{ noInput }

func (playStep) is(n *Node) bool { return n.Play != nil }

func (playStep) enter(m *Machine, c *call, n *Node) { m.play(c, n.Play.Media) }

func (playStep) playbackDone(m *Machine, c *call, n *Node) { m.enterNode(c, n.Play.Next, "") }
