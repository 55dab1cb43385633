package routing

import "slices"

// A ringback queue (QueueNode.Ringback) leaves the caller unanswered while
// they wait: they hear ringback from their own network and nobody pays for
// the wait where calls are billed on answer. The call is answered when an
// agent answers, or before any step that plays or talks.

// silentStep says whether step n can run with the caller unanswered: it
// plays nothing and hears nothing (time, set, goto, hangup, a ringback
// queue).
func silentStep(n *Node) bool {
	return n.Time != nil || n.Set != nil || n.Goto != nil || n.Hangup != nil ||
		n.Queue != nil && n.Queue.Ringback
}

// ringsFirst says whether a call to flow f is rung rather than answered on
// arrival: a ringback queue is reachable from its start through silent
// steps that only branch (time, set).
func ringsFirst(f *Flow) bool {
	if f == nil {
		return false
	}
	if n := f.Nodes[f.Start]; n == nil || n.Time == nil && n.Set == nil {
		return n != nil && n.Queue != nil && n.Queue.Ringback // the usual case, without a walk
	}
	for _, name := range unansweredNodes(f) {
		if n := f.Nodes[name]; n.Queue != nil && n.Queue.Ringback {
			return true
		}
	}
	return false
}

// unansweredNodes are the nodes of f a caller can reach from the start
// before anything is played to them: the start, and what time and set
// steps lead to from there. Sorted by discovery, deterministic.
func unansweredNodes(f *Flow) []string {
	if f == nil || f.Nodes[f.Start] == nil {
		return nil
	}
	seen := map[string]bool{f.Start: true}
	order := []string{f.Start}
	for i := 0; i < len(order); i++ {
		n := f.Nodes[order[i]]
		var next []string
		switch {
		case n.Time != nil:
			next = []string{n.Time.Open, n.Time.Closed}
		case n.Set != nil:
			next = []string{n.Set.Next}
		}
		for _, name := range next {
			if f.Nodes[name] != nil && !seen[name] {
				seen[name] = true
				order = append(order, name)
			}
		}
	}
	return order
}

// validateRingback checks flow f's ringback queues: nothing may play to a
// caller who is not answered, so the queue has no hold media, and the
// caller reaches it before anything played: it is the start, or follows
// the start through time and set steps only. from maps a node to the
// nodes leading to it.
func (c *Config) validateRingback(key string, f *Flow, from map[string][]string, bad func(key, format string, a ...any)) {
	early := map[string]bool{}
	for _, name := range unansweredNodes(f) {
		early[name] = true
	}
	for _, name := range sortedKeys(f.Nodes) {
		n := f.Nodes[name]
		if n == nil || n.Queue == nil || !n.Queue.Ringback {
			continue
		}
		nk := key + ".nodes." + name + ".queue.ringback"
		if q := c.Queues[n.Queue.Queue]; q != nil && len(q.HoldMedia) > 0 {
			bad(nk, "queue %q has hold_media, which cannot play to a caller who is not answered", n.Queue.Queue)
		}
		if !early[name] {
			bad(nk, "only for a queue the caller reaches before anything plays: the flow's start, or after time and set steps from it")
			continue
		}
		for _, prev := range slices.Compact(from[name]) { // a time step may lead here twice
			if p := f.Nodes[prev]; p == nil || !early[prev] || p.Time == nil && p.Set == nil {
				bad(nk, "node %q leads here after the caller was answered; only the start and time and set steps before anything plays may", prev)
			}
		}
	}
}
