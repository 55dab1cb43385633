package routing

// callbackStep records a callback request, puts it in its queue as a
// work item keeping the caller's place (arrival and priority), plays its
// prompt if any, and goes on; the caller may hang up.
type callbackStep struct{ noInput }

func (callbackStep) is(n *Node) bool { return n.Callback != nil }

func (callbackStep) enter(m *Machine, c *call, n *Node) {
	number := c.caller
	if n.Callback.Number != "" {
		number = m.expand(c, n.Callback.Number)
	}
	m.record(&Record{Type: EvCallCallback, CallID: c.id, Queue: n.Callback.Queue},
		CallbackData{Number: number, Queue: n.Callback.Queue})
	// The caller's place: since they first queued (from a queue's callback
	// digit) at their priority there, else since they arrived.
	queue, since, prio := n.Callback.Queue, c.at, m.acd.callerPriority(c.caller)
	if !c.entry.queuedAt.IsZero() {
		since, prio = c.entry.queuedAt, c.entry.priority
		if queue == "" {
			queue = c.queue
		}
	}
	if queue != "" {
		if _, err := m.work.enqueue(&EnqueueRequest{
			Kind: WorkCallback, Number: number, Queue: queue, Origin: c.id, Priority: prio, QueuedAt: since,
		}); err != nil {
			m.log.Warn("callback not queued", "call_id", c.id, "err", err)
		}
	}
	if len(n.Callback.Prompt) > 0 {
		m.play(c, n.Callback.Prompt)
		return
	}
	m.enterNode(c, n.Callback.Next, "")
}

func (callbackStep) playbackDone(m *Machine, c *call, n *Node) { m.enterNode(c, n.Callback.Next, "") }
