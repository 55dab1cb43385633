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
	// handle holds recent handled calls' talk, for the expected wait.
	handle []handleSample
}

type slSample struct {
	at     time.Time
	within bool
}

// enqueue puts a call in a queue from a flow step, or sends it on: no one
// signed in, the queue full, or its live service level under its floor.
func (ac *acd) enqueue(c *call, qn *QueueNode) {
	c.entry.node = qn
	if ac.queues[qn.Queue] == nil { // an old flow naming a queue since removed
		ac.noAgent(c)
		return
	}
	c.entry.priority = qn.Priority + ac.callerPriority(c.caller)
	c.entry.queuedAt = time.Time{}
	ac.joinQueue(c, qn.Queue, "queued")
}

// joinQueue adds a call to queue name (first time, or by overflow).
func (ac *acd) joinQueue(c *call, name, reason string) {
	qs := ac.queues[name]
	q := qs.cfg
	switch {
	case !q.JoinEmpty && !ac.anyoneSignedIn(name):
		ac.noAgent(c)
		return
	case q.MaxLength > 0 && ac.waitingIn(name) >= q.MaxLength:
		if q.OnFull != nil && ac.overflow(c, name, *q.OnFull, "full") {
			return
		}
		c.full = true
		ac.leaveToFlow(c, c.entry.node.OnTimeout, "full")
		return
	case q.OverflowBelowSL != nil && reason == "queued":
		if pct, n := ac.liveSL(qs, q.OverflowBelowSL.Window.D()); n >= q.OverflowBelowSL.MinCalls && pct < q.OverflowBelowSL.Below {
			if ac.overflow(c, name, q.OverflowBelowSL.To, "service_level") {
				return
			}
		}
	}
	ac.wait(c, name)
	ac.assign(c, reason)
}

// wait makes a call wait in queue name: its requirement, timers and hold
// media. Deciding who takes it is the caller's business (assign, or an
// offer to a chosen agent for a transfer).
func (ac *acd) wait(c *call, name string) {
	q := ac.queues[name].cfg
	c.phase, c.queue, c.entry.joinedAt = phaseQueued, name, ac.now
	if c.entry.queuedAt.IsZero() {
		c.entry.queuedAt = ac.now
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
	ac.waiting = append(ac.waiting, c)
	ac.record(&Record{Type: EvCallQueued, CallID: c.id, Queue: name}, QueuedData{Queue: name})
	ac.setTimer(timerMaxWait(c), q.MaxWait.D())
	ac.scheduleEscalation(c)
	ac.ann.hold(c)
	ac.ann.joined(c)
}

// queueDigit: a waiting caller pressed a digit; the queue step's callback
// digit takes them to its callback step, which keeps their place.
func (ac *acd) queueDigit(c *call, digit string) {
	n := c.entry.node
	if n == nil || n.CallbackDigit == "" || digit != n.CallbackDigit || n.OnCallback == "" {
		return
	}
	ac.leaveToFlow(c, n.OnCallback, "callback")
}

// noAgent sends a call down its queue step's no-agent branch.
func (ac *acd) noAgent(c *call) {
	c.noAgent = true
	if next := c.entry.node.NoAgent; next != "" {
		ac.flow.enterNode(c, next, "no_agent")
		return
	}
	ac.flow.hangupCall(c, OutcomeNoAgent)
}

// leaveToFlow takes a call out of queueing to a flow node ("" hangs up).
func (ac *acd) leaveToFlow(c *call, node, input string) {
	ac.leaveQueue(c)
	ac.flow.stopPlayback(c)
	if node == "" {
		ac.flow.hangupCall(c, ac.flow.flowOutcome(c))
		return
	}
	ac.flow.enterNode(c, node, input)
}

// overflow moves a call to target; false if the target cannot take it
// (a node the call's flow lacks).
func (ac *acd) overflow(c *call, from string, t Target, reason string) bool {
	if t.Node != "" && c.flow.Nodes[t.Node] == nil || t.Queue != "" && ac.queues[t.Queue] == nil {
		return false
	}
	ac.record(&Record{Type: EvCallOverflowed, CallID: c.id, Queue: from},
		OverflowData{From: from, Queue: t.Queue, Node: t.Node, Reason: reason})
	if t.Queue != "" {
		ac.leaveQueue(c)
		ac.joinQueue(c, t.Queue, "overflow")
		return true
	}
	c.overflowed = true
	ac.leaveToFlow(c, t.Node, "overflow")
	return true
}

// leaveQueue drops a call from waiting and releases its ringing phones.
func (ac *acd) leaveQueue(c *call) {
	if i := slices.Index(ac.waiting, c); i >= 0 {
		ac.waiting = slices.Delete(ac.waiting, i, i+1)
	}
	ac.cancelTimer(timerMaxWait(c))
	ac.cancelTimer(timerEscalate(c))
	ac.cancelTimer(timerAnnounce(c))
	for len(c.entry.offers) > 0 {
		ac.withdraw(c.entry.offers[0])
	}
}

func (ac *acd) anyoneSignedIn(queue string) bool {
	for _, a := range ac.queues[queue].members {
		if a.state != SignedOut {
			return true
		}
	}
	return false
}

func (ac *acd) waitingIn(queue string) int {
	n := 0
	for _, c := range ac.waiting {
		if c.queue == queue {
			n++
		}
	}
	return n
}

// scheduleEscalation sets the timer for the call's next escalation step.
func (ac *acd) scheduleEscalation(c *call) {
	steps := ac.queues[c.queue].cfg.Escalation
	if c.entry.escStep < len(steps) {
		ac.setTimer(timerEscalate(c), c.entry.joinedAt.Add(steps[c.entry.escStep].After.D()).Sub(ac.now))
	}
}

// escalate applies the call's next escalation step.
func (ac *acd) escalate(c *call) {
	steps := ac.queues[c.queue].cfg.Escalation
	if c.entry.escStep >= len(steps) {
		return
	}
	i, st := c.entry.escStep, steps[c.entry.escStep]
	c.entry.escStep++
	data := EscalationData{Queue: c.queue, Step: i, MaxPenalty: st.MaxPenalty, AddQueues: st.AddQueues}
	if st.Skills != nil {
		data.Skills = []string{st.Skills.String()}
	}
	ac.record(&Record{Type: EvCallEscalated, CallID: c.id, Queue: c.queue}, data)
	if st.Overflow != nil && ac.overflow(c, c.queue, *st.Overflow, "escalation") {
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
	ac.scheduleEscalation(c)
	if len(c.entry.offers) == 0 {
		ac.assign(c, "escalated")
	}
}

// queueTimeout: the caller waited the queue's max wait.
func (ac *acd) queueTimeout(c *call) {
	c.timedOut = true
	ac.leaveToFlow(c, c.entry.node.OnTimeout, "max_wait")
}

// callerPriority is what the caller's number adds: VIP, repeat caller.
func (ac *acd) callerPriority(caller string) int {
	p := ac.cfg.Priority
	n := 0
	if slices.Contains(p.VIPNumbers, caller) {
		n += p.VIP
	}
	if last, ok := ac.recent[caller]; ok && p.RepeatWithin > 0 && ac.now.Sub(last) <= p.RepeatWithin.D() {
		n += p.Repeat
	}
	return n
}

// rememberCaller notes when a caller's call ended, for repeat callers.
func (ac *acd) rememberCaller(caller string) {
	within := ac.cfg.Priority.RepeatWithin.D()
	if within <= 0 || caller == "" {
		return
	}
	if len(ac.recent) > 100_000 {
		for k, t := range ac.recent {
			if ac.now.Sub(t) > within {
				delete(ac.recent, k)
			}
		}
	}
	ac.recent[caller] = ac.now
}

// slSample records a caller leaving a queue: answered (within the
// threshold or not) or abandoned. Abandons before the threshold are left
// out, as the service level counts them nowhere.
func (ac *acd) slSample(queue string, answered bool, waited time.Duration) {
	qs := ac.queues[queue]
	if qs == nil {
		return
	}
	within := waited <= qs.cfg.ServiceLevel.Within.D()
	if !answered && within {
		return
	}
	qs.sl = append(qs.sl, slSample{at: ac.now, within: answered && within})
	if len(qs.sl) > 4096 {
		qs.sl = slices.Delete(qs.sl, 0, len(qs.sl)-2048)
	}
}

// liveSL is the percentage answered within the threshold over the last
// window, and how many calls that is.
func (ac *acd) liveSL(qs *queueState, window time.Duration) (float64, int) {
	n, ok := 0, 0
	for i := len(qs.sl) - 1; i >= 0 && ac.now.Sub(qs.sl[i].at) <= window; i-- {
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
