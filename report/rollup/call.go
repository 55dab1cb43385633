package rollup

import (
	"strings"
	"time"

	"switchboard/routing"
)

// Call is a call as the calls table has it, what its metrics are a
// function of. A zero time is one that has not happened.
type Call struct {
	ID          string
	Flow        string
	IVRPath     []string // "node" or "input→node", in order
	Queue       string   // the latest
	Agent       string   // who answered
	FirstAt     time.Time
	ArrivedAt   time.Time
	QueuedAt    time.Time // the first time it queued
	AnsweredAt  time.Time
	EndedAt     time.Time
	Outcome     string
	SurveyScore int // 0: no survey
	Disposition string
	FollowUp    bool
	Transfers   int
	// HoldSeconds is the time the caller spent on hold (in the talk's
	// span, counted as hold, not talk).
	HoldSeconds float64
	// Direction is routing.DirectionInbound or DirectionOutbound; Trunk
	// the trunk an outbound call connected through ("" if none).
	Direction string
	Trunk     string
}

// IVRArrow joins the input that left a node to the node it led to in an
// IVR path step: "1→support".
const IVRArrow = "→"

// refTime is when a call counts: when it was offered to the queue, or when
// it arrived if it never queued.
func (c *Call) refTime() time.Time {
	switch {
	case !c.QueuedAt.IsZero():
		return c.QueuedAt
	case !c.ArrivedAt.IsZero():
		return c.ArrivedAt
	}
	return c.FirstAt
}

// stepNode is the node of an IVR path step ("1→support" → "support").
func stepNode(step string) string {
	if _, node, ok := strings.Cut(step, IVRArrow); ok {
		return node
	}
	return step
}

// Contrib adds (sign 1) or removes (sign -1) what a call contributes to the
// queue, agent and disposition metrics. A batch removes what each call it
// touched contributed before and adds what it contributes after, so a call
// is always counted once, in the interval it was offered to the queue.
// docs/kpis.md is the prose of this function.
func (c Config) Contrib(t *Tally, call *Call, sign float64) {
	if call == nil || call.ID == "" {
		return
	}
	c = c.WithDefaults()
	ref := call.refTime()
	b, day := BucketOf(ref), DayOf(ref, c.Location)
	// Every queue metric also goes, by day, to the answering agent's
	// agent_calls key ("" when nobody answered): the team grouping's calls.
	q := func(metric string, v float64) {
		t.add(Grain15m, DimQueue, b, call.Queue, metric, sign*v)
		t.add(GrainDay, DimAgentCalls, day, call.Agent, metric, sign*v)
	}
	agent := func(metric string, v float64) {
		if call.Agent != "" {
			t.add(GrainDay, DimAgent, day, call.Agent, metric, sign*v)
		}
	}
	answered, ended := !call.AnsweredAt.IsZero(), !call.EndedAt.IsZero()
	outbound := call.Direction == routing.DirectionOutbound
	if !outbound {
		q("calls", 1)
	}
	queued := !call.QueuedAt.IsZero()
	var wait time.Duration
	waited := queued && (answered || ended)
	if waited {
		end := call.EndedAt
		if answered {
			end = call.AnsweredAt
		}
		wait = end.Sub(call.QueuedAt)
	}
	if queued {
		q("offered", 1)
	}
	if outbound {
		// Outbound calls (click-to-dial, callbacks) are not offered work:
		// they have their own figures and stay out of answered, handled and
		// AHT, which are the inbound queue's (docs/kpis.md, "Outbound").
		q("outbound", 1)
		agent("outbound", 1)
		if answered {
			q("outbound_answered", 1)
			agent("outbound_answered", 1)
		}
		if answered && ended {
			talk := call.EndedAt.Sub(call.AnsweredAt).Seconds()
			q("outbound_handled", 1)
			q("outbound_talk_s", talk)
			agent("outbound_handled", 1)
			agent("outbound_talk_s", talk)
			if call.Trunk != "" {
				t.add(GrainDay, DimTrunk, day, call.Trunk, "talk_s", sign*talk)
				t.add(GrainDay, DimTrunk, day, call.Trunk, "connected", sign)
			}
		}
	}
	if answered && !outbound {
		q("answered", 1)
		agent("answered", 1)
		if queued {
			q("wait_answered_s", wait.Seconds())
			if wait <= c.Threshold(call.Queue) {
				q("answered_sl", 1)
				agent("answered_sl", 1)
			}
		}
		if ended {
			talk := call.EndedAt.Sub(call.AnsweredAt).Seconds() - call.HoldSeconds
			q("handled", 1)
			q("talk_s", talk)
			q("hold_s", call.HoldSeconds)
			agent("handled", 1)
			agent("talk_s", talk)
			agent("hold_s", call.HoldSeconds)
		}
	}
	if answered {
		// A later wrap-up replaces the disposition: the call moves key.
		d := func(metric string, v float64) { t.add(Grain15m, DimDisposition, b, call.Disposition, metric, sign*v) }
		d("answered", 1)
		if call.FollowUp {
			d("follow_ups", 1)
		}
		if call.Transfers > 0 {
			d("transferred", 1)
		}
		if ended {
			d("handled", 1)
			d("talk_s", call.EndedAt.Sub(call.AnsweredAt).Seconds())
		}
	}
	if s := call.SurveyScore; s >= 1 && s <= 5 {
		q("surveys", 1)
		q("survey_score", float64(s))
		q(SurveyScoreMetric(s), 1)
		agent("surveys", 1)
		agent("survey_score", float64(s))
		agent(SurveyScoreMetric(s), 1)
	}
	switch call.Outcome {
	case routing.OutcomeAbandonedQueue, routing.OutcomeAbandonedRinging:
		q(call.Outcome, 1)
		if queued && wait <= c.ShortAbandon {
			q("short_abandoned", 1)
		}
	case routing.OutcomeAbandonedIVR, routing.OutcomeNoAgent, routing.OutcomeTimeout,
		routing.OutcomeFlowEnded, routing.OutcomeLost:
		q(call.Outcome, 1)
	}
	if waited {
		q("waited", 1)
		q("wait_s", wait.Seconds())
		if sign > 0 {
			t.addMax(Grain15m, DimQueue, b, call.Queue, "max_wait_s", wait.Seconds())
			t.addMax(GrainDay, DimAgentCalls, day, call.Agent, "max_wait_s", wait.Seconds())
		}
		i := 0
		for i < len(WaitBins) && wait > WaitBins[i] {
			i++
		}
		q(WaitBinMetric(i), 1)
	}
}
