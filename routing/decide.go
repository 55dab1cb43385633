package routing

import (
	"hash/fnv"
	"slices"
	"time"

	"switchboard/routing/pbx"
)

// offer is one phone ringing for one call.
type offer struct {
	leg     string
	call    *call
	agent   *agent
	at      time.Time
	ringing bool // the PBX confirmed the reservation
}

// maxRecorded bounds the candidates a decision record lists.
const maxRecorded = 10

// eligible says whether a can take c now, and at what penalty; why names
// the reason when not.
func (m *Machine) eligible(a *agent, c *call) (penalty int, why string) {
	if a.state != Ready {
		return 0, "not_ready"
	}
	if a.endpoint == "" {
		return 0, "no_phone"
	}
	penalty, ok := a.penalty[c.queue]
	for _, q := range c.entry.extra {
		if p, in := a.penalty[q]; in && (!ok || p < penalty) {
			penalty, ok = p, true
		}
	}
	if !ok {
		return 0, "not_member"
	}
	if c.entry.maxPenalty >= 0 && penalty > c.entry.maxPenalty {
		return penalty, "penalty"
	}
	for _, req := range c.entry.skills {
		if !req.Match(a.skills) {
			return penalty, "skills"
		}
	}
	return penalty, ""
}

type candidate struct {
	a       *agent
	penalty int
	score   float64
}

// assign decides who rings for c, if anyone can, records why, and offers.
func (m *Machine) assign(c *call, trigger string) bool {
	if c.phase != phaseQueued || len(c.entry.offers) > 0 {
		return false
	}
	tier, winners, excluded := m.choose(c)
	if len(winners) == 0 {
		return false
	}
	m.recordDecision(c, m.queues[c.queue], trigger, tier, winners, excluded)
	for _, w := range winners {
		m.offer(c, w.a)
	}
	return true
}

// choose is the decision itself: the eligible agents of the call's queue
// and merged groups, the lowest penalty tier, ranked by the strategy.
// It changes nothing.
func (m *Machine) choose(c *call) (tier, winners []candidate, excluded map[string]int) {
	qs := m.queues[c.queue]
	excluded = map[string]int{}
	cands := make([]candidate, 0, len(qs.members))
	queues := []string{c.queue}
	if len(c.entry.extra) > 0 {
		queues = append(queues, c.entry.extra...)
	}
	for qi, q := range queues {
		for _, a := range m.queues[q].members {
			if qi > 0 && slices.ContainsFunc(queues[:qi], a.serves) {
				continue // met already as a member of an earlier queue
			}
			pen, why := m.eligible(a, c)
			if why != "" {
				excluded[why]++
				continue
			}
			cands = append(cands, candidate{a: a, penalty: pen})
		}
	}
	if len(cands) == 0 {
		return nil, nil, excluded
	}
	// The lowest penalty tier goes first.
	low := cands[0].penalty
	for _, cd := range cands {
		low = min(low, cd.penalty)
	}
	tier = cands[:0:0]
	for _, cd := range cands {
		if cd.penalty == low {
			tier = append(tier, cd)
		} else {
			excluded["higher_penalty"]++
		}
	}
	st := strategyOf(qs)
	st.score(m, qs, c, tier)
	// Highest score first; ties to the longest idle, then config order.
	slices.SortStableFunc(tier, func(x, y candidate) int {
		switch {
		case x.score != y.score:
			if x.score > y.score {
				return -1
			}
			return 1
		case !x.a.idleSince.Equal(y.a.idleSince):
			return x.a.idleSince.Compare(y.a.idleSince)
		}
		return x.a.order - y.a.order
	})
	winners = tier[:1]
	if st.ringAll {
		winners = tier
	}
	return tier, winners, excluded
}

// seed makes the random strategy repeatable: the same call in the same
// situation draws the same numbers, so a replay decides the same.
func seed(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

func memberIndex(qs *queueState, a *agent) int {
	return slices.Index(qs.members, a)
}

func (m *Machine) recordDecision(c *call, qs *queueState, trigger string, tier, winners []candidate, excluded map[string]int) {
	d := DecisionData{
		Trigger: trigger, Queue: c.queue, Queues: append([]string{c.queue}, c.entry.extra...),
		Strategy: qs.cfg.Strategy, Rule: c.entry.rule, MaxPenalty: c.entry.maxPenalty, ConfigVersion: m.version,
		Excluded: excluded,
	}
	for _, req := range c.entry.skills {
		d.Skills = append(d.Skills, req.String())
	}
	for i, cd := range tier {
		chosen := i < len(winners)
		if i >= maxRecorded && !chosen {
			d.Omitted++
			continue
		}
		d.Candidates = append(d.Candidates, CandidateScore{Agent: cd.a.id, Penalty: cd.penalty, Score: cd.score, Chosen: chosen})
	}
	for _, w := range winners {
		d.Winners = append(d.Winners, w.a.id)
	}
	if len(d.Excluded) == 0 {
		d.Excluded = nil
	}
	m.record(&Record{Type: EvCallDecision, CallID: c.id, Queue: c.queue}, d)
}

// agentReady offers a newly ready agent the best waiting call it can take.
// Calls are taken in order (priority, then waiting time or SL risk) across
// every queue the agent serves.
func (m *Machine) agentReady(a *agent) {
	for a.state == Ready {
		var best *call
		for _, c := range m.waiting {
			if len(c.entry.offers) > 0 {
				continue
			}
			if _, why := m.eligible(a, c); why == "" && (best == nil || m.before(c, best)) {
				best = c
			}
		}
		if best == nil || !m.assign(best, "agent_ready") {
			return
		}
	}
}

// before orders waiting callers: higher priority first, then the longest
// waiting, or the one closest to breaching its service-level threshold.
func (m *Machine) before(x, y *call) bool {
	if x.entry.priority != y.entry.priority {
		return x.entry.priority > y.entry.priority
	}
	if m.cfg.Ordering == OrderSLRisk {
		rx, ry := m.risk(x), m.risk(y)
		if rx != ry {
			return rx > ry
		}
	}
	if !x.entry.queuedAt.Equal(y.entry.queuedAt) {
		return x.entry.queuedAt.Before(y.entry.queuedAt)
	}
	return x.id < y.id
}

// risk is the share of its queue's threshold a caller has used up.
func (m *Machine) risk(c *call) float64 {
	within := m.queues[c.queue].cfg.ServiceLevel.Within.D()
	if within <= 0 {
		return 0
	}
	return float64(m.now.Sub(c.entry.queuedAt)) / float64(within)
}

// distribute runs a full matching pass: every waiting call, best first,
// gets an agent if one can take it. Used after bulk changes (reload,
// resync); single changes use assign and agentReady.
func (m *Machine) distribute() {
	calls := slices.Clone(m.waiting)
	slices.SortFunc(calls, func(x, y *call) int {
		if m.before(x, y) {
			return -1
		}
		return 1
	})
	for _, c := range calls {
		m.assign(c, "rebalance")
	}
}

func (m *Machine) offer(c *call, a *agent) {
	q := m.queues[c.queue].cfg
	o := &offer{leg: m.ids("leg"), call: c, agent: a, at: m.now}
	a.callID, a.offer = c.id, o
	m.roster.mustState(a, Reserved, "")
	c.entry.offers = append(c.entry.offers, o)
	m.offers[o.leg] = o
	m.byChannel[o.leg] = c
	if qs := m.queues[c.queue]; strategyOf(qs).remembers {
		qs.rrLast = a.id
	}
	m.record(&Record{Type: EvCallOffered, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: o.leg})
	m.emit(cmdOriginate{Call: c.id, Req: pbx.Originate{
		Channel: o.leg, Endpoint: a.endpoint, CallerID: c.caller,
		Timeout: q.RingTimeout.D(), Related: c.channel,
		Headers: map[string]string{"X-Switchboard-Call": c.id, "X-Switchboard-Queue": c.queue},
	}})
	// The reservation is a lease: the PBX must confirm it (the phone
	// rings) in time, and the ring must end by itself; else we end it.
	m.setTimer(timerLease(o), m.cfg.ReservationLease.D())
	m.setTimer(timerRing(o), q.RingTimeout.D()+ringGrace)
}

// removeOffer forgets an offer and its timers; the caller releases the agent.
func (m *Machine) removeOffer(o *offer) {
	c := o.call
	if i := slices.Index(c.entry.offers, o); i >= 0 {
		c.entry.offers = slices.Delete(c.entry.offers, i, i+1)
	}
	delete(m.offers, o.leg)
	m.cancelTimer(timerLease(o))
	m.cancelTimer(timerRing(o))
	o.agent.offer = nil
}

// withdraw takes back an offer the agent did nothing wrong with (another
// phone answered, the caller left): the phone stops ringing, the agent is
// free again.
func (m *Machine) withdraw(o *offer) {
	m.removeOffer(o)
	delete(m.byChannel, o.leg)
	m.emit(cmdHangup{Call: o.call.id, Channel: o.leg, Cause: pbx.CauseNormal})
	m.roster.free(o.agent)
}

// offerFailed: the agent did not take the call (no answer, busy, phone
// unreachable). The agent goes not-ready and the call looks for another.
func (m *Machine) offerFailed(o *offer, why string, cause pbx.Cause) {
	c, a := o.call, o.agent
	m.removeOffer(o)
	m.record(&Record{Type: EvCallOfferFailed, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: o.leg, Cause: why})
	reason := "no_answer"
	switch {
	case cause == pbx.CauseUserBusy:
		reason = "busy"
	case why == "lease_expired":
		reason = "unreachable"
	}
	m.roster.mustState(a, NotReady, reason)
	if len(c.entry.offers) == 0 {
		m.assign(c, "offer_failed")
	}
}

// dropLeg ends a pending offer from our side (its timer ran out): the
// phone is hung up and the PBX's report of it will find nothing.
func (m *Machine) dropLeg(o *offer, why string) {
	delete(m.byChannel, o.leg)
	m.emit(cmdHangup{Call: o.call.id, Channel: o.leg})
	m.offerFailed(o, why, 0)
}

func (m *Machine) onLegRinging(leg string) {
	o := m.offers[leg]
	if o == nil || o.ringing {
		return
	}
	o.ringing = true
	m.cancelTimer(timerLease(o))
	m.roster.mustState(o.agent, Ringing, "")
}

func (m *Machine) onLegAnswered(leg string) {
	if s := m.supervising[leg]; s != nil {
		m.onSupervisorAnswered(s)
		return
	}
	if c := m.byChannel[leg]; c != nil && c.dial.leg == leg && c.phase == phaseIVR {
		m.onDialAnswered(c)
		return
	}
	o := m.offers[leg]
	if o == nil || o.call.phase != phaseQueued {
		// The call is gone (or the leg was given up): hang the phone up.
		m.emit(cmdHangup{Channel: leg, Cause: pbx.CauseNormal})
		return
	}
	c, a := o.call, o.agent
	m.removeOffer(o)
	m.leaveQueue(c) // ring-all: the first to answer wins, the others stop
	m.stopPlayback(c)
	if a.state == Reserved {
		m.roster.mustState(a, Ringing, "")
	}
	m.roster.mustState(a, OnCall, "")
	a.answered++
	c.phase, c.agent, c.leg, c.bridge, c.answeredAt = phaseBridged, a, leg, m.ids("br"), m.now
	a.lastCall, a.wrapQueue = c.id, c.queue
	if !c.transferred {
		m.slSample(c.queue, true, m.now.Sub(c.entry.joinedAt))
	}
	m.record(&Record{Type: EvCallAnswered, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: leg})
	m.emit(cmdBridge{Call: c.id, BridgeID: c.bridge, Channels: []string{c.channel, leg}})
}

func timerLease(o *offer) string { return "lease:" + o.leg }
func timerRing(o *offer) string  { return "ring:" + o.leg }
