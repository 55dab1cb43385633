package routing

import (
	"slices"
	"strconv"
	"time"
)

// queueState is a queue's live state beside its config.
type queueState struct {
	name    string
	cfg     *Queue
	members []*agent // serving agents, in config order
	// rrLast is the member offered last, for round robin with memory.
	rrLast string
	// sl holds recent outcomes for the live service level.
	sl []slSample
}

type slSample struct {
	at     time.Time
	within bool
}

// enqueue puts a call in a queue from a flow step, or sends it on: no one
// signed in, the queue full, or its live service level under its floor.
func (m *Machine) enqueue(c *call, qn *QueueNode) {
	c.entry.node = qn
	if m.queues[qn.Queue] == nil { // an old flow naming a queue since removed
		m.noAgent(c)
		return
	}
	c.entry.priority = qn.Priority + m.callerPriority(c.caller)
	c.entry.queuedAt = time.Time{}
	m.joinQueue(c, qn.Queue, "queued")
}

// joinQueue adds a call to queue name (first time, or by overflow).
func (m *Machine) joinQueue(c *call, name, reason string) {
	qs := m.queues[name]
	q := qs.cfg
	switch {
	case !q.JoinEmpty && !m.anyoneSignedIn(name):
		m.noAgent(c)
		return
	case q.MaxLength > 0 && m.waitingIn(name) >= q.MaxLength:
		if q.OnFull != nil && m.overflow(c, name, *q.OnFull, "full") {
			return
		}
		c.full = true
		m.leaveToFlow(c, c.entry.node.OnTimeout, "full")
		return
	case q.OverflowBelowSL != nil && reason == "queued":
		if pct, n := m.liveSL(qs, q.OverflowBelowSL.Window.D()); n >= q.OverflowBelowSL.MinCalls && pct < q.OverflowBelowSL.Below {
			if m.overflow(c, name, q.OverflowBelowSL.To, "service_level") {
				return
			}
		}
	}
	m.wait(c, name)
	m.assign(c, reason)
}

// wait makes a call wait in queue name: its requirement, timers and hold
// media. Deciding who takes it is the caller's business (assign, or an
// offer to a chosen agent for a transfer).
func (m *Machine) wait(c *call, name string) {
	q := m.queues[name].cfg
	c.phase, c.queue, c.entry.joinedAt = phaseQueued, name, m.now
	if c.entry.queuedAt.IsZero() {
		c.entry.queuedAt = m.now
	}
	c.entry.skills = c.entry.skills[:0]
	if q.Skills != nil {
		c.entry.skills = append(c.entry.skills, q.Skills)
	}
	if c.entry.node != nil && c.entry.node.Skills != nil {
		c.entry.skills = append(c.entry.skills, c.entry.node.Skills)
	}
	c.entry.maxPenalty = -1
	if q.MaxPenalty != nil {
		c.entry.maxPenalty = *q.MaxPenalty
	}
	c.entry.extra, c.entry.escStep, c.entry.rule = nil, 0, "queue"
	m.waiting = append(m.waiting, c)
	m.record(&Record{Type: EvCallQueued, CallID: c.id, Queue: name}, QueuedData{Queue: name})
	m.setTimer(timerMaxWait(c), q.MaxWait.D())
	m.scheduleEscalation(c)
	if len(q.HoldMedia) > 0 && c.playback == "" {
		m.play(c, q.HoldMedia)
	}
}

// noAgent sends a call down its queue step's no-agent branch.
func (m *Machine) noAgent(c *call) {
	c.noAgent = true
	if next := c.entry.node.NoAgent; next != "" {
		m.enterNode(c, next, "no_agent")
		return
	}
	m.hangupCall(c, OutcomeNoAgent)
}

// leaveToFlow takes a call out of queueing to a flow node ("" hangs up).
func (m *Machine) leaveToFlow(c *call, node, input string) {
	m.leaveQueue(c)
	m.stopPlayback(c)
	if node == "" {
		m.hangupCall(c, m.flowOutcome(c))
		return
	}
	m.enterNode(c, node, input)
}

// overflow moves a call to target; false if the target cannot take it
// (a node the call's flow lacks).
func (m *Machine) overflow(c *call, from string, t Target, reason string) bool {
	if t.Node != "" && c.flow.Nodes[t.Node] == nil || t.Queue != "" && m.queues[t.Queue] == nil {
		return false
	}
	m.record(&Record{Type: EvCallOverflowed, CallID: c.id, Queue: from},
		OverflowData{From: from, Queue: t.Queue, Node: t.Node, Reason: reason})
	if t.Queue != "" {
		m.leaveQueue(c)
		m.joinQueue(c, t.Queue, "overflow")
		return true
	}
	c.overflowed = true
	m.leaveToFlow(c, t.Node, "overflow")
	return true
}

// leaveQueue drops a call from waiting and releases its ringing phones.
func (m *Machine) leaveQueue(c *call) {
	if i := slices.Index(m.waiting, c); i >= 0 {
		m.waiting = slices.Delete(m.waiting, i, i+1)
	}
	m.cancelTimer(timerMaxWait(c))
	m.cancelTimer(timerEscalate(c))
	for len(c.entry.offers) > 0 {
		m.withdraw(c.entry.offers[0])
	}
}

func (m *Machine) anyoneSignedIn(queue string) bool {
	for _, a := range m.queues[queue].members {
		if a.state != SignedOut {
			return true
		}
	}
	return false
}

func (m *Machine) waitingIn(queue string) int {
	n := 0
	for _, c := range m.waiting {
		if c.queue == queue {
			n++
		}
	}
	return n
}

// scheduleEscalation sets the timer for the call's next escalation step.
func (m *Machine) scheduleEscalation(c *call) {
	steps := m.queues[c.queue].cfg.Escalation
	if c.entry.escStep < len(steps) {
		m.setTimer(timerEscalate(c), c.entry.joinedAt.Add(steps[c.entry.escStep].After.D()).Sub(m.now))
	}
}

// escalate applies the call's next escalation step.
func (m *Machine) escalate(c *call) {
	steps := m.queues[c.queue].cfg.Escalation
	if c.entry.escStep >= len(steps) {
		return
	}
	i, st := c.entry.escStep, steps[c.entry.escStep]
	c.entry.escStep++
	data := EscalationData{Queue: c.queue, Step: i, MaxPenalty: st.MaxPenalty, AddQueues: st.AddQueues}
	if st.Skills != nil {
		data.Skills = []string{st.Skills.String()}
	}
	m.record(&Record{Type: EvCallEscalated, CallID: c.id, Queue: c.queue}, data)
	if st.Overflow != nil && m.overflow(c, c.queue, *st.Overflow, "escalation") {
		return
	}
	c.entry.rule = "escalation[" + strconv.Itoa(i) + "]"
	if st.Skills != nil {
		c.entry.skills = append(c.entry.skills[:0], st.Skills)
	}
	if st.MaxPenalty != nil {
		c.entry.maxPenalty = *st.MaxPenalty
	}
	for _, q := range st.AddQueues {
		if !slices.Contains(c.entry.extra, q) {
			c.entry.extra = append(c.entry.extra, q)
		}
	}
	m.scheduleEscalation(c)
	if len(c.entry.offers) == 0 {
		m.assign(c, "escalated")
	}
}

// queueTimeout: the caller waited the queue's max wait.
func (m *Machine) queueTimeout(c *call) {
	c.timedOut = true
	m.leaveToFlow(c, c.entry.node.OnTimeout, "max_wait")
}

// callerPriority is what the caller's number adds: VIP, repeat caller.
func (m *Machine) callerPriority(caller string) int {
	p := m.cfg.Priority
	n := 0
	if slices.Contains(p.VIPNumbers, caller) {
		n += p.VIP
	}
	if last, ok := m.recent[caller]; ok && p.RepeatWithin > 0 && m.now.Sub(last) <= p.RepeatWithin.D() {
		n += p.Repeat
	}
	return n
}

// rememberCaller notes when a caller's call ended, for repeat callers.
func (m *Machine) rememberCaller(caller string) {
	within := m.cfg.Priority.RepeatWithin.D()
	if within <= 0 || caller == "" {
		return
	}
	if len(m.recent) > 100_000 {
		for k, t := range m.recent {
			if m.now.Sub(t) > within {
				delete(m.recent, k)
			}
		}
	}
	m.recent[caller] = m.now
}

// slSample records a caller leaving a queue: answered (within the
// threshold or not) or abandoned. Abandons before the threshold are left
// out, as the service level counts them nowhere.
func (m *Machine) slSample(queue string, answered bool, waited time.Duration) {
	qs := m.queues[queue]
	if qs == nil {
		return
	}
	within := waited <= qs.cfg.ServiceLevel.Within.D()
	if !answered && within {
		return
	}
	qs.sl = append(qs.sl, slSample{at: m.now, within: answered && within})
	if len(qs.sl) > 4096 {
		qs.sl = slices.Delete(qs.sl, 0, len(qs.sl)-2048)
	}
}

// liveSL is the percentage answered within the threshold over the last
// window, and how many calls that is.
func (m *Machine) liveSL(qs *queueState, window time.Duration) (float64, int) {
	n, ok := 0, 0
	for i := len(qs.sl) - 1; i >= 0 && m.now.Sub(qs.sl[i].at) <= window; i-- {
		n++
		if qs.sl[i].within {
			ok++
		}
	}
	if n == 0 {
		return 100, 0
	}
	return 100 * float64(ok) / float64(n), n
}
