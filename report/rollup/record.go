package rollup

import (
	"fmt"
	"time"

	"switchboard/routing"
)

// AgentNow is an agent's state as the rollup last saw it; State "" is
// unknown.
type AgentNow struct {
	State  string
	Reason string
	Since  time.Time
}

// Message is a left message as the messages table has it.
type Message struct {
	CallID     string
	Target     string
	TargetKind string
	RecordedAt time.Time
	Handled    bool
}

// Lookup is what the arithmetic needs besides the record: the state the
// earlier records left. Record reads it, never writes the store.
type Lookup interface {
	// Call is the call as it stands, this record applied; nil if unknown.
	Call(id string) (*Call, error)
	// Message is a message as it stands before this record; nil if unknown.
	Message(id string) (*Message, error)
	// Agent is the agent's rollup state; Record updates it in place and the
	// caller keeps it (never nil).
	Agent(id string) (*AgentNow, error)
}

// Record adds the metrics counted from single records rather than from a
// call's row (Contrib): IVR steps and hang-ups, offers to agents, time in
// agent states and wrap-up, messages, callbacks, break overruns and
// not-ready requests. Record types it does not count are ignored.
func (c Config) Record(t *Tally, rec *routing.Record, look Lookup) error {
	if !counted[rec.Type] {
		return nil
	}
	c = c.WithDefaults()
	p, err := routing.Payload(rec)
	if err != nil {
		if rec.Type == routing.EvAgentState {
			return nil // not a state change the rollup can time; still logged
		}
		return fmt.Errorf("rollup: %w", err)
	}
	switch d := p.(type) {
	case *routing.IVRData:
		return c.ivrStep(t, rec, d, look)
	case *routing.EndedData:
		call, err := look.Call(rec.CallID)
		if err != nil || call == nil {
			return err
		}
		if call.Outcome == routing.OutcomeAbandonedIVR && len(call.IVRPath) > 0 {
			node := stepNode(call.IVRPath[len(call.IVRPath)-1])
			t.add(Grain15m, DimIVR, BucketOf(rec.Time), call.Flow+"/"+node, "hangups", 1)
		}
	case *routing.OfferData:
		metric := map[string]string{routing.EvCallOffered: "offers", routing.EvCallOfferFailed: "offer_failures"}[rec.Type]
		agent := firstNonEmpty(d.Agent, rec.AgentID)
		if metric == "" || agent == "" {
			return nil
		}
		call, err := look.Call(rec.CallID)
		if err != nil || call == nil {
			return err
		}
		t.add(GrainDay, DimAgent, DayOf(call.refTime(), c.Location), agent, metric, 1)
	case *routing.AgentStateData:
		return c.agentState(t, rec, d, look)
	case *routing.MessageData:
		return c.messageLeft(t, rec, d, look)
	case *routing.MessageHandledData:
		return c.messageHandled(t, rec, d, look)
	case *routing.CallbackData:
		if rec.CallID == "" {
			return nil
		}
		call, err := look.Call(rec.CallID)
		if err != nil || call == nil {
			return err
		}
		// A callback asked for before the call queued counts for the queue
		// the callback is for.
		c.callMetric(t, call, firstNonEmpty(call.Queue, d.Queue), "callbacks", 1)
	case *routing.WorkData:
		c.workStep(t, rec, d)
	case *routing.TrunkAttemptData:
		c.trunkAttempt(t, rec, d)
	case *routing.AlertData:
		if d.Kind == "break_overrun" && rec.AgentID != "" {
			t.add(GrainDay, DimAgent, DayOf(rec.Time, c.Location), rec.AgentID, "break_overruns", 1)
		}
	case *routing.RequestData:
		switch d.Status {
		case "pending", "approved", "refused":
			if rec.AgentID != "" {
				t.add(GrainDay, DimAgent, DayOf(rec.Time, c.Location), rec.AgentID, "requests_"+d.Status, 1)
			}
		}
	}
	return nil
}

// counted are the record types Record counts; it decodes no other.
var counted = map[string]bool{
	routing.EvCallIVR: true, routing.EvCallEnded: true, routing.EvCallOffered: true, routing.EvCallOfferFailed: true,
	routing.EvAgentState: true, routing.EvCallMessage: true, routing.EvMessageHandled: true,
	routing.EvCallCallback: true, routing.EvAgentAlert: true, routing.EvAgentRequest: true,
	routing.EvWorkConnected: true, routing.EvWorkClosed: true, routing.EvCallTrunkAttempt: true,
}

// trunkMetric is the trunk dimension's metric for each attempt result.
var trunkMetric = map[string]string{
	routing.AttemptAnswered: "answered", routing.AttemptFailed: "failed", routing.AttemptTimeout: "timeouts",
	routing.AttemptSkipped: "skipped", routing.AttemptCallee: "callee", routing.AttemptAborted: "aborted",
}

// trunkAttempt counts one try through a trunk, by the day it ended: a
// seizure unless it was skipped (down or at max_channels), its result, a
// failover, and why it did not connect.
func (c Config) trunkAttempt(t *Tally, rec *routing.Record, d *routing.TrunkAttemptData) {
	if d.Trunk == "" {
		return
	}
	day := DayOf(rec.Time, c.Location)
	add := func(metric string) { t.add(GrainDay, DimTrunk, day, d.Trunk, metric, 1) }
	if d.Result != routing.AttemptSkipped {
		add("attempts")
	}
	if m, ok := trunkMetric[d.Result]; ok {
		add(m)
	}
	if d.Failover {
		add("failovers")
	}
	if d.Result != routing.AttemptAnswered {
		t.add(GrainDay, DimTrunkWhy, day, d.Trunk+"/"+firstNonEmpty(d.Why, d.Result), "attempts", 1)
	}
}

// workStep counts a callback's end in its queue, in the interval it ended:
// connected (with its wait, from the caller's place in the queue to the
// customer's answer), or closed unconnected (attempts used up, window
// passed).
func (c Config) workStep(t *Tally, rec *routing.Record, d *routing.WorkData) {
	if rec.Queue == "" {
		return
	}
	b := BucketOf(rec.Time)
	switch {
	case rec.Type == routing.EvWorkConnected:
		t.add(Grain15m, DimQueue, b, rec.Queue, "callbacks_connected", 1)
		if d.QueuedAt != nil && rec.Time.After(*d.QueuedAt) {
			t.add(Grain15m, DimQueue, b, rec.Queue, "callback_wait_s", rec.Time.Sub(*d.QueuedAt).Seconds())
		}
	case rec.Type == routing.EvWorkClosed && d.Reason != routing.CloseConnected:
		t.add(Grain15m, DimQueue, b, rec.Queue, "callbacks_failed", 1)
	}
}

// ivrStep counts entries to the node the call reached and the exit from
// the node it left.
func (c Config) ivrStep(t *Tally, rec *routing.Record, d *routing.IVRData, look Lookup) error {
	call, err := look.Call(rec.CallID)
	if err != nil || call == nil || len(call.IVRPath) == 0 {
		return err
	}
	b := BucketOf(rec.Time)
	t.add(Grain15m, DimIVR, b, call.Flow+"/"+d.Node, "entries", 1)
	if n := len(call.IVRPath); n >= 2 {
		prev := stepNode(call.IVRPath[n-2])
		input := d.Input
		if input == "" {
			input = "next"
		}
		t.add(Grain15m, DimIVR, b, call.Flow+"/"+prev, "exit:"+input+IVRArrow+d.Node, 1)
	}
	return nil
}

// agentState times the state the agent leaves and, for wrap_up, charges
// the wrap-up to the call it followed.
func (c Config) agentState(t *Tally, rec *routing.Record, d *routing.AgentStateData, look Lookup) error {
	if d.To == "" || rec.AgentID == "" {
		return nil // not a state change the rollup can time; still logged
	}
	a, err := look.Agent(rec.AgentID)
	if err != nil {
		return err
	}
	if a.State != "" && !a.Since.IsZero() && rec.Time.After(a.Since) {
		c.spend(t, rec.AgentID, a.State, a.Reason, a.Since, rec.Time)
		callID := firstNonEmpty(d.CallID, rec.CallID)
		if a.State == routing.WrapUp.String() && callID != "" {
			call, err := look.Call(callID)
			if err != nil {
				return err
			}
			if call != nil {
				wrap := rec.Time.Sub(a.Since).Seconds()
				ref := call.refTime()
				b, day := BucketOf(ref), DayOf(ref, c.Location)
				// Wrap-up after an outbound call is the outbound figures'.
				ws, wn := "wrap_s", "wraps"
				if call.Direction == routing.DirectionOutbound {
					ws, wn = "outbound_wrap_s", "outbound_wraps"
				}
				t.add(Grain15m, DimQueue, b, call.Queue, ws, wrap)
				t.add(Grain15m, DimQueue, b, call.Queue, wn, 1)
				t.add(GrainDay, DimAgentCalls, day, call.Agent, ws, wrap)
				t.add(GrainDay, DimAgentCalls, day, call.Agent, wn, 1)
				if agent := firstNonEmpty(call.Agent, rec.AgentID); agent != "" {
					t.add(GrainDay, DimAgent, day, agent, ws, wrap)
					t.add(GrainDay, DimAgent, day, agent, wn, 1)
				}
			}
		}
	}
	a.State, a.Reason, a.Since = d.To, d.Reason, rec.Time
	return nil
}

// spend adds the time from..to in state to the agents' 15-minute totals and
// the agent's days, split at interval and local-day boundaries.
func (c Config) spend(t *Tally, agent, state, reason string, from, to time.Time) {
	if state == routing.SignedOut.String() {
		return
	}
	metrics := []string{"state_s:" + state}
	if state == routing.NotReady.String() {
		metrics = append(metrics, "reason_s:"+reason)
	}
	SplitSpan(from, to, func(bucket time.Time, secs float64) {
		for _, m := range metrics {
			t.add(Grain15m, DimAgents, BucketOf(bucket), "", m, secs)
			t.add(GrainDay, DimAgent, DayOf(bucket, c.Location), agent, m, secs)
		}
	})
}

// callMetric adds v to a call metric the way Contrib does (the call's
// offer interval or arrival, its queue, the answering agent's agent_calls
// key), for metrics counted from single records rather than the call.
func (c Config) callMetric(t *Tally, call *Call, queue, metric string, v float64) {
	ref := call.refTime()
	t.add(Grain15m, DimQueue, BucketOf(ref), queue, metric, v)
	t.add(GrainDay, DimAgentCalls, DayOf(ref, c.Location), call.Agent, metric, v)
}

// messageLeft counts call.message (messages left) on the message's call,
// as it stood when the record was written: its offer interval and queue,
// or its arrival if it never queued; a message for an agent also counts
// for that agent (dimension agent, the call's day). A repeat (the message
// is known already) is not counted.
func (c Config) messageLeft(t *Tally, rec *routing.Record, d *routing.MessageData, look Lookup) error {
	if d.Recording == "" {
		return nil
	}
	m, err := look.Message(d.Recording)
	if err != nil || m != nil {
		return err
	}
	call, err := look.Call(rec.CallID)
	if err != nil {
		return err
	}
	if call == nil {
		call = &Call{FirstAt: rec.Time, ArrivedAt: rec.Time}
	}
	c.messageMetric(t, call, d.Target, d.TargetKind, "messages", 1)
	return nil
}

// messageHandled counts the first message.handled of each message
// (messages handled, and the time from the recording to its handling),
// like messageLeft.
func (c Config) messageHandled(t *Tally, rec *routing.Record, d *routing.MessageHandledData, look Lookup) error {
	m, err := look.Message(d.Recording)
	if err != nil || m == nil || m.Handled {
		return err // unknown or already handled: the messages table refuses or ignores it
	}
	call, err := look.Call(firstNonEmpty(m.CallID, rec.CallID))
	if err != nil {
		return err
	}
	if call == nil {
		call = &Call{FirstAt: rec.Time, ArrivedAt: m.RecordedAt}
	}
	c.messageMetric(t, call, m.Target, m.TargetKind, "messages_handled", 1)
	c.messageMetric(t, call, m.Target, m.TargetKind, "message_handle_s", max(0, rec.Time.Sub(m.RecordedAt).Seconds()))
	return nil
}

func (c Config) messageMetric(t *Tally, call *Call, target, kind, metric string, v float64) {
	c.callMetric(t, call, call.Queue, metric, v)
	if kind == "agent" && target != "" {
		t.add(GrainDay, DimAgent, DayOf(call.refTime(), c.Location), target, "for_"+metric, v)
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
