// Package replay re-runs a recorded period of the event log through the
// routing engine under another config and reports how service level,
// speed of answer and abandons would change: a what-if simulation.
//
// A replay has three steps. Extract reads the log and keeps only what does
// not depend on routing decisions: when callers called, what they pressed,
// how long they were willing to wait and to talk, what agents did and how
// quickly their phones were answered (the Workload). Simulate drives a
// fresh routing.Machine with a config through a virtual clock, playing the
// PBX, the callers and the agents from the workload. Compare runs the
// simulation under the old and the new config and sets both beside the
// recorded actuals, queue by queue.
//
// The model, and where it is a guess, is written down on Workload, Call,
// AgentProfile and Options.
package replay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"switchboard/routing"
	"switchboard/routing/pbx"
	"switchboard/store"
)

// Log is the event log a replay reads; *store.Store is one.
type Log interface {
	Events(ctx context.Context, f store.EventFilter) ([]routing.Record, error)
}

var _ Log = (*store.Store)(nil)

// Workload is what a period of the log says about the world outside the
// engine: the callers and the agents. Nothing in it depends on how the
// engine routed, so it can be replayed under any config.
type Workload struct {
	Start, End time.Time // the period: calls arriving in [Start, End)
	Calls      []Call    // by arrival
	// Commands are the agents' commands in the period, in time order,
	// starting with one sign-in (and not-ready) at Start for every agent
	// the log shows signed in when the period began.
	Commands []AgentCommand
	Agents   map[string]AgentProfile // by agent ID: how their phones answer
	// Config is the last config.applied before the period (nil if none),
	// and ConfigNote says which one it is.
	Config     *routing.Config
	ConfigNote string
	// Reloads counts config.applied records inside the period: the old
	// simulation runs Config throughout.
	Reloads int
	// DefaultTalk is the median talk time of the period's answered calls,
	// for callers whose talk time the log cannot know.
	DefaultTalk time.Duration

	// recorded are the log's records of the period's calls, for the
	// actuals.
	recorded []*routing.Record
}

// Call is one caller as the log saw them.
type Call struct {
	ID      string // the recorded call ID
	Arrived time.Time
	Channel string
	Caller  string
	Called  string
	Digits  []Digit // what they pressed, in order
	// Outcome is how the recorded call ended ("" if it had not when the
	// log ends).
	Outcome string
	// Patience is how long after arriving the caller hangs up if no agent
	// has answered by then. When PatienceKnown, the caller did hang up
	// while waiting (abandoned in the IVR, the queue or while an agent
	// rang) and this is when. Otherwise the call ended some other way and
	// Patience is only a lower bound: the time they stayed without
	// hanging up. Options.ExtraPatience says how far past it they would
	// have waited.
	Patience      time.Duration
	PatienceKnown bool
	// Talk is how long the caller talks once an agent answers: answered to
	// ended in the log, or Workload.DefaultTalk when the recorded call was
	// never answered (TalkKnown false).
	Talk      time.Duration
	TalkKnown bool
}

// Digit is a DTMF digit, After the caller's arrival.
type Digit struct {
	After time.Duration
	Digit string
}

// AgentCommand is an agent command from the log (op as the API's:
// sign_in, sign_out, ready, not_ready, approve, refuse).
type AgentCommand struct {
	At       time.Time
	Op       string
	Agent    string
	Endpoint string
	Reason   string
}

// AgentProfile is how an agent's phone behaved in the log.
type AgentProfile struct {
	// RingTime is the median time from offer to answer; zero when the
	// agent answered nothing (Options.Ring is used).
	RingTime time.Duration
	Answered int // offers answered
	Failed   int // offers not answered (no answer, busy, unreachable)
	// FailCause is the most frequent cause of the failures.
	FailCause string
	// Recovery is the median time from a failed offer to the agent being
	// ready again; zero when never seen (Options.Recovery is used).
	Recovery time.Duration
}

// Period bounds what Extract reads; zero times are open ends.
type Period struct {
	Since, Until time.Time
}

// recoveryReasons are the not-ready reasons the engine gives an agent who
// missed an offer; a "ready" from that state is the agent recovering, which
// the simulation models itself (AgentProfile.Recovery).
var recoveryReasons = map[string]bool{"no_answer": true, "busy": true, "unreachable": true}

// extractor is one pass over the log.
type extractor struct {
	p       Period
	w       *Workload
	calls   map[string]*Call // in the period, by recorded ID
	answers map[string]time.Time
	started bool

	offered   map[string]time.Time // leg → offered at
	rings     map[string][]time.Duration
	recovery  map[string][]time.Duration
	failedAt  map[string]time.Time // agent → last failed offer, until ready again
	causes    map[string]map[string]int
	profiles  map[string]*AgentProfile
	state     map[string]routing.AgentStateData // agent → last agent.state
	lastTime  time.Time
	pageLimit int
}

// Extract reads the whole log once and returns the workload of the period.
func Extract(ctx context.Context, log Log, p Period) (*Workload, error) {
	x := &extractor{
		p: p, w: &Workload{Start: p.Since, End: p.Until, Agents: map[string]AgentProfile{}},
		calls: map[string]*Call{}, answers: map[string]time.Time{},
		offered: map[string]time.Time{}, rings: map[string][]time.Duration{},
		recovery: map[string][]time.Duration{}, failedAt: map[string]time.Time{},
		causes: map[string]map[string]int{}, profiles: map[string]*AgentProfile{},
		state: map[string]routing.AgentStateData{}, pageLimit: store.MaxLimit,
	}
	var after int64
	for {
		recs, err := log.Events(ctx, store.EventFilter{AfterSeq: after, Limit: x.pageLimit})
		if err != nil {
			return nil, fmt.Errorf("replay: read the log after seq %d: %w", after, err)
		}
		for i := range recs {
			if err := x.add(&recs[i]); err != nil {
				return nil, fmt.Errorf("replay: log seq %d (%s): %w", recs[i].Seq, recs[i].Type, err)
			}
			after = recs[i].Seq
		}
		if len(recs) < x.pageLimit {
			break
		}
	}
	if !x.started {
		x.begin(x.lastTime)
	}
	if x.w.End.IsZero() {
		x.w.End = x.lastTime
	}
	x.finish()
	return x.w, nil
}

func (x *extractor) inPeriod(t time.Time) bool {
	return !t.Before(x.w.Start) && (x.p.Until.IsZero() || t.Before(x.p.Until))
}

// begin fixes the period's start (the first record's time when no Since
// was given) and what was true then: the config and who was signed in.
func (x *extractor) begin(t time.Time) {
	x.started = true
	if x.w.Start.IsZero() {
		x.w.Start = t
	}
	for _, id := range sortedKeys(x.state) {
		st := x.state[id]
		switch st.To {
		case "", routing.SignedOut.String():
			continue
		}
		x.w.Commands = append(x.w.Commands, AgentCommand{At: x.w.Start, Op: "sign_in", Agent: id, Endpoint: st.Endpoint})
		if st.To == routing.NotReady.String() && !recoveryReasons[st.Reason] {
			x.w.Commands = append(x.w.Commands, AgentCommand{At: x.w.Start, Op: "not_ready", Agent: id, Reason: st.Reason})
		}
	}
}

func (x *extractor) add(r *routing.Record) error {
	x.lastTime = r.Time
	if !x.started && (x.p.Since.IsZero() || !r.Time.Before(x.p.Since)) {
		// config.applied at the very start of the period still counts as
		// "before" it: serve writes it first thing.
		if r.Type == routing.EvConfigApplied && (x.p.Since.IsZero() || r.Time.Equal(x.p.Since)) {
			if err := x.setConfig(r); err != nil {
				return err
			}
			x.begin(r.Time)
			return nil
		}
		x.begin(r.Time)
	}
	switch r.Type {
	case routing.EvConfigApplied:
		if !x.started || x.w.Config == nil {
			return x.setConfig(r)
		}
		if x.inPeriod(r.Time) {
			x.w.Reloads++
		}
	case routing.EvAgentState:
		st, err := routing.Decode[routing.AgentStateData](r)
		if err != nil {
			return err
		}
		if st.To == routing.Ready.String() {
			if t, ok := x.failedAt[r.AgentID]; ok {
				x.recovery[r.AgentID] = append(x.recovery[r.AgentID], r.Time.Sub(t))
				delete(x.failedAt, r.AgentID)
			}
		}
		x.state[r.AgentID] = st
	case routing.EvCommand:
		return x.command(r)
	case routing.EvCallOffered, routing.EvCallAnswered, routing.EvCallOfferFailed:
		if err := x.offer(r); err != nil {
			return err
		}
	}
	if r.CallID == "" {
		return nil
	}
	if r.Type == routing.EvCallArrived && x.inPeriod(r.Time) {
		d, err := routing.Decode[routing.CallArrivedData](r)
		if err != nil {
			return err
		}
		c := &Call{ID: r.CallID, Arrived: r.Time, Channel: d.Channel, Caller: d.Caller, Called: d.Called}
		x.calls[r.CallID] = c
		x.w.Calls = append(x.w.Calls, *c) // placeholder, filled in by finish
	}
	c := x.calls[r.CallID]
	if c == nil {
		return nil
	}
	if strings.HasPrefix(r.Type, "call.") {
		x.w.recorded = append(x.w.recorded, r)
	}
	switch r.Type {
	case routing.EvPBX + pbx.DTMFReceived{}.Kind():
		d, err := routing.Decode[pbx.DTMFReceived](r)
		if err != nil {
			return err
		}
		if d.Channel == c.Channel {
			c.Digits = append(c.Digits, Digit{After: r.Time.Sub(c.Arrived), Digit: d.Digit})
		}
	case routing.EvCallAnswered:
		x.answers[c.ID] = r.Time
	case routing.EvCallEnded:
		d, err := routing.Decode[routing.EndedData](r)
		if err != nil {
			return err
		}
		c.Outcome = d.Outcome
		c.Patience = r.Time.Sub(c.Arrived)
		switch d.Outcome {
		case routing.OutcomeAbandonedIVR, routing.OutcomeAbandonedQueue, routing.OutcomeAbandonedRinging:
			c.PatienceKnown = true
		case routing.OutcomeAnswered:
			if t, ok := x.answers[c.ID]; ok {
				c.Patience = t.Sub(c.Arrived) // they waited at least this long
				c.Talk, c.TalkKnown = r.Time.Sub(t), true
			}
		}
	}
	return nil
}

func (x *extractor) setConfig(r *routing.Record) error {
	d, err := routing.Decode[routing.ConfigData](r)
	if err != nil {
		return err
	}
	// The log holds the effective config, zeros included: decode it over
	// the defaults (for keys older logs lack) and never fill zeros again,
	// or a logged wrap_up of 0 would replay as the 10 s default.
	cfg := routing.NewConfig()
	if err := json.Unmarshal(d.Config, &cfg); err != nil {
		return fmt.Errorf("config version %d: %w", d.Version, err)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("config version %d: %w", d.Version, err)
	}
	x.w.Config = &cfg
	x.w.ConfigNote = fmt.Sprintf("log: config.applied seq %d, version %d, hash %s, %s", r.Seq, d.Version, d.Hash, r.Time.UTC().Format(time.RFC3339))
	return nil
}

func (x *extractor) command(r *routing.Record) error {
	d, err := routing.Decode[routing.CommandData](r)
	if err != nil {
		return err
	}
	if !x.started || !x.inPeriod(r.Time) {
		return nil
	}
	switch d.Op {
	case "sign_in", "sign_out", "ready", "not_ready", "approve", "refuse":
	default:
		return nil
	}
	if st := x.state[d.Agent]; d.Op == "ready" && st.To == routing.NotReady.String() && recoveryReasons[st.Reason] {
		return nil // recovering from a missed offer: the simulation does that itself
	}
	x.w.Commands = append(x.w.Commands, AgentCommand{At: r.Time, Op: d.Op, Agent: d.Agent, Endpoint: d.Endpoint, Reason: d.Reason})
	return nil
}

func (x *extractor) offer(r *routing.Record) error {
	d, err := routing.Decode[routing.OfferData](r)
	if err != nil {
		return err
	}
	if !x.started || !x.inPeriod(r.Time) && r.Type == routing.EvCallOffered {
		return nil
	}
	p := x.profiles[d.Agent]
	if p == nil {
		p = &AgentProfile{}
		x.profiles[d.Agent] = p
	}
	switch r.Type {
	case routing.EvCallOffered:
		x.offered[d.Leg] = r.Time
	case routing.EvCallAnswered:
		if t, ok := x.offered[d.Leg]; ok {
			p.Answered++
			x.rings[d.Agent] = append(x.rings[d.Agent], r.Time.Sub(t))
			delete(x.offered, d.Leg)
		}
	case routing.EvCallOfferFailed:
		if _, ok := x.offered[d.Leg]; ok {
			p.Failed++
			if x.causes[d.Agent] == nil {
				x.causes[d.Agent] = map[string]int{}
			}
			x.causes[d.Agent][d.Cause]++
			x.failedAt[d.Agent] = r.Time
			delete(x.offered, d.Leg)
		}
	}
	return nil
}

// finish fills in what needs the whole period: calls, talk defaults,
// agent profiles.
func (x *extractor) finish() {
	w := x.w
	var talks []time.Duration
	for i := range w.Calls {
		c := x.calls[w.Calls[i].ID]
		if c.Outcome == "" { // still going when the log ends
			c.Patience = x.lastTime.Sub(c.Arrived)
			if t, ok := x.answers[c.ID]; ok {
				c.Patience = t.Sub(c.Arrived)
			}
		}
		if c.TalkKnown {
			talks = append(talks, c.Talk)
		}
		w.Calls[i] = *c
	}
	w.DefaultTalk = median(talks)
	for i := range w.Calls {
		if !w.Calls[i].TalkKnown {
			w.Calls[i].Talk = w.DefaultTalk
		}
	}
	slices.SortStableFunc(w.Calls, func(a, b Call) int { return a.Arrived.Compare(b.Arrived) })
	slices.SortStableFunc(w.Commands, func(a, b AgentCommand) int { return a.At.Compare(b.At) })
	for _, id := range sortedKeys(x.profiles) {
		p := *x.profiles[id]
		p.RingTime = median(x.rings[id])
		p.Recovery = median(x.recovery[id])
		best := 0
		for _, cause := range sortedKeys(x.causes[id]) {
			if n := x.causes[id][cause]; n > best {
				best, p.FailCause = n, cause
			}
		}
		w.Agents[id] = p
	}
}

// median is the middle value (the lower of the two middle ones), 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare[string])
	return keys
}

// ErrNoConfig means the log holds no config to call "old".
var ErrNoConfig = errors.New("the log has no config.applied record before the period; pass the old config with --old")
