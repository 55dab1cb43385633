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
func (ac *acd) eligible(a *agent, c *call) (penalty int, why string) {
	if a.state != Ready {
		return 0, "not_ready"
	}
	if a.endpoint == "" {
		return 0, "no_phone"
	}
	if a.deviceDown {
		return 0, "device_unreachable"
	}
	if a.chats > 0 && chatBlocksVoice(ac.cfg) {
		return 0, "chat_busy"
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
func (ac *acd) assign(c *call, trigger string) bool {
	if c.phase != phaseQueued || len(c.entry.offers) > 0 {
		return false
	}
	tier, winners, excluded := ac.choose(c)
	if len(winners) == 0 {
		return false
	}
	ac.recordDecision(c, ac.queues[c.queue], trigger, tier, winners, excluded)
	for _, w := range winners {
		ac.offer(c, w.a)
	}
	return true
}

// choose is the decision itself: the eligible agents of the call's queue
// and merged groups, the lowest penalty tier, ranked by the strategy.
// It changes nothing.
func (ac *acd) choose(c *call) (tier, winners []candidate, excluded map[string]int) {
	qs := ac.queues[c.queue]
	excluded = map[string]int{}
	cands := make([]candidate, 0, len(qs.members))
	queues := []string{c.queue}
	if len(c.entry.extra) > 0 {
		queues = append(queues, c.entry.extra...)
	}
	for qi, q := range queues {
		for _, a := range ac.queues[q].members {
			if qi > 0 && slices.ContainsFunc(queues[:qi], a.serves) {
				continue // met already as a member of an earlier queue
			}
			pen, why := ac.eligible(a, c)
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
	st.score(ac, qs, c, tier)
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

func (ac *acd) recordDecision(c *call, qs *queueState, trigger string, tier, winners []candidate, excluded map[string]int) {
	d := DecisionData{
		Trigger: trigger, Queue: c.queue, Queues: append([]string{c.queue}, c.entry.extra...),
		Strategy: qs.cfg.Strategy, Rule: c.entry.rule, MaxPenalty: c.entry.maxPenalty, ConfigVersion: ac.version,
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
	ac.record(&Record{Type: EvCallDecision, CallID: c.id, Queue: c.queue}, d)
}

// agentReady offers a newly ready agent the best waiting call it can take.
// Calls are taken in order (priority, then waiting time or SL risk) across
// every queue the agent serves.
func (ac *acd) agentReady(a *agent) {
	for a.state == Ready {
		var best *call
		for _, c := range ac.waiting {
			if len(c.entry.offers) > 0 {
				continue
			}
			if _, why := ac.eligible(a, c); why == "" && (best == nil || ac.before(c, best)) {
				best = c
			}
		}
		if best == nil || !ac.assign(best, "agent_ready") {
			return
		}
	}
}

// before orders waiting callers: higher priority first, then the longest
// waiting, or the one closest to breaching its service-level threshold.
func (ac *acd) before(x, y *call) bool {
	if x.entry.priority != y.entry.priority {
		return x.entry.priority > y.entry.priority
	}
	if ac.cfg.Ordering == OrderSLRisk {
		rx, ry := ac.risk(x), ac.risk(y)
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
func (ac *acd) risk(c *call) float64 {
	within := ac.queues[c.queue].cfg.ServiceLevel.Within.D()
	if within <= 0 {
		return 0
	}
	return float64(ac.now.Sub(c.entry.queuedAt)) / float64(within)
}

// distribute runs a full matching pass: every waiting call, best first,
// gets an agent if one can take it. Used after bulk changes (reload,
// resync); single changes use assign and agentReady.
func (ac *acd) distribute() {
	calls := slices.Clone(ac.waiting)
	slices.SortFunc(calls, func(x, y *call) int {
		if ac.before(x, y) {
			return -1
		}
		return 1
	})
	for _, c := range calls {
		ac.assign(c, "rebalance")
	}
}

func (ac *acd) offer(c *call, a *agent) {
	q := ac.queues[c.queue].cfg
	o := &offer{leg: ac.ids("leg"), call: c, agent: a, at: ac.now}
	a.callID, a.offer = c.id, o
	ac.roster.mustState(a, Reserved, "")
	c.entry.offers = append(c.entry.offers, o)
	ac.offers[o.leg] = o
	ac.byChannel[o.leg] = c
	if qs := ac.queues[c.queue]; strategyOf(qs).remembers {
		qs.rrLast = a.id
	}
	ac.record(&Record{Type: EvCallOffered, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: o.leg})
	ac.emit(cmdOriginate{Call: c.id, Req: pbx.Originate{
		Channel: o.leg, Endpoint: a.endpoint, CallerID: c.caller,
		Timeout: q.RingTimeout.D(), Related: c.channel,
		Headers: map[string]string{"X-Switchboard-Call": c.id, "X-Switchboard-Queue": c.queue},
	}})
	// The reservation is a lease: the PBX must confirm it (the phone
	// rings) in time, and the ring must end by itself; else we end it.
	ac.setTimer(timerLease(o), ac.cfg.ReservationLease.D())
	ac.setTimer(timerRing(o), q.RingTimeout.D()+ringGrace)
}

// removeOffer forgets an offer and its timers; the caller releases the agent.
func (ac *acd) removeOffer(o *offer) {
	c := o.call
	if i := slices.Index(c.entry.offers, o); i >= 0 {
		c.entry.offers = slices.Delete(c.entry.offers, i, i+1)
	}
	delete(ac.offers, o.leg)
	ac.cancelTimer(timerLease(o))
	ac.cancelTimer(timerRing(o))
	o.agent.offer = nil
}

// withdraw takes back an offer the agent did nothing wrong with (another
// phone answered, the caller left): the phone stops ringing, the agent is
// free again.
func (ac *acd) withdraw(o *offer) {
	ac.removeOffer(o)
	delete(ac.byChannel, o.leg)
	ac.emit(cmdHangup{Call: o.call.id, Channel: o.leg, Cause: pbx.CauseNormal})
	ac.roster.free(o.agent)
}

// offerFailed: the agent did not take the call (no answer, busy, phone
// unreachable). The agent goes not-ready and the call looks for another.
func (ac *acd) offerFailed(o *offer, why string, cause pbx.Cause) {
	c, a := o.call, o.agent
	ac.removeOffer(o)
	ac.record(&Record{Type: EvCallOfferFailed, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: o.leg, Cause: why})
	reason := "no_answer"
	switch {
	case cause == pbx.CauseUserBusy:
		reason = "busy"
	case why == "lease_expired":
		reason = "unreachable"
	}
	ac.roster.mustState(a, NotReady, reason)
	if len(c.entry.offers) == 0 {
		ac.assign(c, "offer_failed")
	}
}

// dropLeg ends a pending offer from our side (its timer ran out): the
// phone is hung up and the PBX's report of it will find nothing.
func (ac *acd) dropLeg(o *offer, why string) {
	delete(ac.byChannel, o.leg)
	ac.emit(cmdHangup{Call: o.call.id, Channel: o.leg})
	ac.offerFailed(o, why, 0)
}

func (ac *acd) onLegRinging(leg string) {
	o := ac.offers[leg]
	if o == nil || o.ringing {
		return
	}
	o.ringing = true
	ac.cancelTimer(timerLease(o))
	ac.roster.mustState(o.agent, Ringing, "")
}

// answered: an agent's phone picked up an offer; the first to answer
// takes the call.
func (ac *acd) answered(leg string) {
	o := ac.offers[leg]
	if o == nil || o.call.phase != phaseQueued {
		// The call is gone (or the leg was given up): hang the phone up.
		ac.emit(cmdHangup{Channel: leg, Cause: pbx.CauseNormal})
		return
	}
	c, a := o.call, o.agent
	ac.removeOffer(o)
	ac.leaveQueue(c) // ring-all: the first to answer wins, the others stop
	ac.flow.stopPlayback(c)
	if a.state == Reserved {
		ac.roster.mustState(a, Ringing, "")
	}
	ac.roster.mustState(a, OnCall, "")
	a.answered++
	c.phase, c.agent, c.leg, c.bridge, c.answeredAt = phaseBridged, a, leg, ac.ids("br"), ac.now
	a.lastCall, a.wrapQueue = c.id, c.queue
	if !c.transferred {
		ac.slSample(c.queue, true, ac.now.Sub(c.entry.joinedAt))
	}
	ac.record(&Record{Type: EvCallAnswered, CallID: c.id, Queue: c.queue, AgentID: a.id},
		OfferData{Agent: a.id, Endpoint: a.endpoint, Leg: leg})
	if c.unanswered {
		// A ringback caller is answered only now, in the call's order so
		// the answer precedes the bridge.
		c.unanswered = false
		ac.emit(cmdInCall{Call: c.id, Cmd: cmdAnswer{Channel: c.channel}})
	}
	ac.emit(cmdBridge{Call: c.id, BridgeID: c.bridge, Channels: []string{c.channel, leg}})
	ac.rec.bridged(c)
}

func timerLease(o *offer) string { return "lease:" + o.leg }
func timerRing(o *offer) string  { return "ring:" + o.leg }
