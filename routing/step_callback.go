package routing

// callbackStep records a callback request, plays its prompt if any, and
// goes on.
type callbackStep struct{ noInput }

func (callbackStep) is(n *Node) bool { return n.Callback != nil }

func (callbackStep) enter(m *Machine, c *call, n *Node) {
	number := c.caller
	if n.Callback.Number != "" {
		number = m.expand(c, n.Callback.Number)
	}
	m.record(&Record{Type: EvCallCallback, CallID: c.id, Queue: n.Callback.Queue},
		CallbackData{Number: number, Queue: n.Callback.Queue})
	if len(n.Callback.Prompt) > 0 {
		m.play(c, n.Callback.Prompt)
		return
	}
	m.enterNode(c, n.Callback.Next, "")
}

func (callbackStep) playbackDone(m *Machine, c *call, n *Node) { m.enterNode(c, n.Callback.Next, "") }
