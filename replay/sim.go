package replay

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"switchboard/routing"
	"switchboard/routing/pbx"
)

// Options are the simulation's assumptions where the log cannot tell.
type Options struct {
	// Media is how long one media item of a play takes (a prompt, a hold
	// music loop): the log does not record media lengths. Default 1s.
	Media time.Duration
	// Ring is how long an agent with no answered offer in the log takes
	// to answer. Default 3s.
	Ring time.Duration
	// Recovery is how long an agent who missed an offer takes to become
	// ready again when the log never showed it. Default 30s.
	Recovery time.Duration
	// ExtraPatience is how much longer than they did a caller who did not
	// hang up in the log (answered, or sent away by the flow) would have
	// waited. Negative: without limit, the default; their wait is then
	// bounded only by the config (max wait, flow).
	ExtraPatience time.Duration
	// DefaultTalk is the talk time of callers never answered in the log
	// when the period has no answered call to take the median of.
	// Default 3m.
	DefaultTalk time.Duration
	// AlwaysOn are agents signed in (ready, on their configured phone) for
	// the whole period: those the new config adds, which the log cannot
	// say anything about.
	AlwaysOn []string
	// Shifts maps an agent the log knows nothing about to one it does:
	// the first works the second's commands too (same sign-ins, breaks).
	Shifts map[string]string
	// Horizon is how long past the period the simulation may run to let
	// the calls of the period finish. Default 24h.
	Horizon time.Duration
}

// DefaultOptions are the documented defaults.
func DefaultOptions() Options {
	return Options{Media: time.Second, Ring: 3 * time.Second, Recovery: 30 * time.Second,
		ExtraPatience: -1, DefaultTalk: 3 * time.Minute, Horizon: 24 * time.Hour}
}

func (o *Options) fill() {
	d := DefaultOptions()
	if o.Media <= 0 {
		o.Media = d.Media
	}
	if o.Ring <= 0 {
		o.Ring = d.Ring
	}
	if o.Recovery <= 0 {
		o.Recovery = d.Recovery
	}
	if o.DefaultTalk <= 0 {
		o.DefaultTalk = d.DefaultTalk
	}
	if o.Horizon <= 0 {
		o.Horizon = d.Horizon
	}
}

// ErrUnsettled means calls were still going at the end of the horizon.
var ErrUnsettled = errors.New("replay: the simulation did not settle within its horizon")

// Simulate runs the workload through a fresh Machine with cfg and returns
// every record the machine wrote, in order: what the log would hold had
// cfg been running. cfg must be validated. Same inputs, same records.
func Simulate(cfg *routing.Config, w *Workload, opt Options) ([]*routing.Record, error) {
	opt.fill()
	s := &sim{
		cfg: cfg, w: w, opt: opt,
		m:        routing.NewMachine(cfg, routing.SequentialIDs(), slog.New(slog.DiscardHandler)),
		timers:   map[string]uint64{},
		channels: map[string]*simChannel{},
		offers:   map[string]int{},
		legs:     map[string]string{},
		pending:  map[string]AgentCommand{},
		states:   map[string]routing.AgentStateData{},
	}
	s.load()
	limit := w.End.Add(opt.Horizon)
	for s.q.Len() > 0 {
		it := heap.Pop(&s.q).(*item)
		if it.at.After(limit) {
			return s.records, fmt.Errorf("%w (%s past %s)", ErrUnsettled, opt.Horizon, w.End.UTC().Format(time.RFC3339))
		}
		s.now = it.at
		it.do()
	}
	return s.records, nil
}

type sim struct {
	cfg *routing.Config
	w   *Workload
	opt Options
	m   *routing.Machine

	now     time.Time
	q       queue
	seq     uint64
	records []*routing.Record

	timers   map[string]uint64 // timer → generation of the live one
	gen      uint64
	channels map[string]*simChannel
	offers   map[string]int                    // agent → offers made to them so far
	legs     map[string]string                 // offered leg → agent, until originated
	pending  map[string]AgentCommand           // agent → a refused leave, retried when their state changes
	states   map[string]routing.AgentStateData // agent → last state
}

// simChannel is a channel the simulated PBX holds.
type simChannel struct {
	call    *Call // the caller, for an inbound channel; nil for an agent's leg
	bridged bool
}

// load schedules the workload: callers and agents' commands.
func (s *sim) load() {
	for i := range s.w.Calls {
		c := &s.w.Calls[i]
		s.at(c.Arrived, func() {
			s.channels[c.Channel] = &simChannel{call: c}
			s.handle(pbx.CallArrived{Channel: c.Channel, Caller: c.Caller, Called: c.Called})
		})
		for _, d := range c.Digits {
			s.at(c.Arrived.Add(d.After), func() {
				if s.channels[c.Channel] != nil {
					s.handle(pbx.DTMFReceived{Channel: c.Channel, Digit: d.Digit})
				}
			})
		}
		if p, ok := s.patience(c); ok {
			s.at(c.Arrived.Add(p), func() {
				if ch := s.channels[c.Channel]; ch != nil && !ch.bridged {
					s.hangup(c.Channel, pbx.CauseNormal)
				}
			})
		}
	}
	for _, id := range s.opt.AlwaysOn {
		s.at(s.w.Start, func() { s.command(AgentCommand{At: s.w.Start, Op: "sign_in", Agent: id}) })
	}
	for _, cmd := range s.w.Commands {
		s.at(cmd.At, func() { s.command(cmd) })
		for _, shadow := range sortedKeys(s.opt.Shifts) {
			if s.opt.Shifts[shadow] == cmd.Agent {
				c := cmd
				c.Agent, c.Endpoint = shadow, ""
				s.at(cmd.At, func() { s.command(c) })
			}
		}
	}
}

// patience is when after arriving the caller gives up; false: never.
func (s *sim) patience(c *Call) (time.Duration, bool) {
	switch {
	case c.PatienceKnown:
		return c.Patience, true
	case s.opt.ExtraPatience >= 0:
		return c.Patience + s.opt.ExtraPatience, true
	}
	return 0, false
}

// at schedules f at t; same-time events run in the order scheduled.
func (s *sim) at(t time.Time, f func()) {
	s.seq++
	heap.Push(&s.q, &item{at: t, seq: s.seq, do: f})
}

// handle runs one input through the machine and acts on its output as the
// engine and a PBX would.
func (s *sim) handle(in any) routing.Output {
	out := s.m.Handle(s.now, in)
	s.records = append(s.records, out.Records...)
	for _, name := range out.Cancels {
		delete(s.timers, name)
	}
	for _, t := range out.Timers {
		s.gen++
		gen, name := s.gen, t.Name
		s.timers[name] = gen
		s.at(t.At, func() {
			if s.timers[name] == gen {
				delete(s.timers, name)
				s.handle(routing.TimerFired{Name: name})
			}
		})
	}
	for _, r := range out.Records {
		switch r.Type {
		case routing.EvAgentState:
			s.agentState(r)
		case routing.EvCallOffered:
			if d, err := routing.Decode[routing.OfferData](r); err == nil {
				s.legs[d.Leg] = d.Agent
			}
		}
	}
	for _, c := range out.Commands {
		_ = c.Exec(context.Background(), (*simSwitch)(s))
	}
	return out
}

// command replays an agent command. A not-ready or sign-out the agent
// could not make now (busy with a call) is kept and tried again each time
// their state changes, until it goes through or a later command replaces
// it; a refused "ready" is dropped (wrap-up ends by itself).
func (s *sim) command(cmd AgentCommand) {
	delete(s.pending, cmd.Agent)
	out := s.handle(routing.AgentCommandInput(cmd.Op, cmd.Agent, cmd.Endpoint, cmd.Reason))
	var te *routing.TransitionError
	if errors.As(out.Err, &te) && (cmd.Op == "not_ready" || cmd.Op == "sign_out") {
		s.pending[cmd.Agent] = cmd
	}
}

// agentState follows agents' states: to retry pending commands, and to
// bring an agent who missed an offer back after their recovery time.
func (s *sim) agentState(r *routing.Record) {
	st, err := routing.Decode[routing.AgentStateData](r)
	if err != nil {
		return
	}
	s.states[r.AgentID] = st
	id := r.AgentID
	if cmd, ok := s.pending[id]; ok {
		s.at(s.now, func() {
			if s.pending[id] == cmd {
				s.command(cmd)
			}
		})
	}
	if st.To == routing.NotReady.String() && recoveryReasons[st.Reason] {
		d := s.w.Agents[id].Recovery
		if d <= 0 {
			d = s.opt.Recovery
		}
		s.at(s.now.Add(d), func() {
			if cur := s.states[id]; cur.To == routing.NotReady.String() && recoveryReasons[cur.Reason] {
				s.handle(routing.AgentCommandInput("ready", id, "", ""))
			}
		})
	}
}

// hangup ends a channel and tells the machine.
func (s *sim) hangup(channel string, cause pbx.Cause) {
	if s.channels[channel] == nil {
		return
	}
	delete(s.channels, channel)
	s.handle(pbx.ChannelHungUp{Channel: channel, Cause: cause})
}

// answers says whether agent answers their n-th offer (from 0): the log's
// share of failed offers, spread evenly.
func answers(p AgentProfile, n int) bool {
	total := p.Answered + p.Failed
	if p.Failed == 0 || total == 0 {
		return true
	}
	return (n+1)*p.Failed/total == n*p.Failed/total
}

// simSwitch is the simulated PBX the machine's commands run against.
type simSwitch sim

var _ pbx.Switch = (*simSwitch)(nil)

func (p *simSwitch) Run(ctx context.Context, _ chan<- pbx.Event) error {
	<-ctx.Done()
	return ctx.Err()
}

func (p *simSwitch) Answer(context.Context, string) error { return nil }

// Play finishes after Options.Media per media item.
func (p *simSwitch) Play(_ context.Context, channel, id string, media ...string) error {
	s := (*sim)(p)
	ch := s.channels[channel]
	s.at(s.now.Add(time.Duration(len(media))*s.opt.Media), func() {
		if s.channels[channel] == ch && ch != nil {
			s.handle(pbx.PlaybackFinished{PlaybackID: id, Channel: channel})
		}
	})
	return nil
}

// StopPlayback: the machine forgets the playback itself; its late
// PlaybackFinished is ignored, so none is sent.
func (p *simSwitch) StopPlayback(context.Context, string) error { return nil }

// Originate rings the agent: the leg rings at once, then is answered
// after the agent's ring time, or fails the way the agent's offers failed
// in the log.
func (p *simSwitch) Originate(_ context.Context, req pbx.Originate) error {
	s := (*sim)(p)
	agent := s.legs[req.Channel]
	delete(s.legs, req.Channel)
	ch := &simChannel{}
	s.channels[req.Channel] = ch
	prof := s.w.Agents[agent]
	n := s.offers[agent]
	s.offers[agent]++
	leg := req.Channel
	s.at(s.now, func() {
		if s.channels[leg] == ch {
			s.handle(pbx.LegRinging{Channel: leg})
		}
	})
	ring := prof.RingTime
	if prof.Answered == 0 {
		ring = s.opt.Ring
	}
	switch {
	case !answers(prof, n) && prof.FailCause == "busy":
		s.at(s.now, func() {
			if s.channels[leg] == ch {
				s.hangup(leg, pbx.CauseUserBusy)
			}
		})
	case !answers(prof, n) || req.Timeout > 0 && ring >= req.Timeout:
		s.at(s.now.Add(req.Timeout), func() {
			if s.channels[leg] == ch {
				s.hangup(leg, pbx.CauseNoAnswer)
			}
		})
	default:
		s.at(s.now.Add(ring), func() {
			if s.channels[leg] == ch {
				s.handle(pbx.LegAnswered{Channel: leg})
			}
		})
	}
	return nil
}

// Bridge connects the caller to the agent: the caller talks for their
// talk time, then hangs up.
func (p *simSwitch) Bridge(_ context.Context, _ string, channels ...string) error {
	s := (*sim)(p)
	for _, name := range channels {
		ch := s.channels[name]
		if ch == nil || ch.call == nil || ch.bridged {
			continue
		}
		ch.bridged = true
		talk := ch.call.Talk
		if talk <= 0 {
			talk = s.opt.DefaultTalk
		}
		s.at(s.now.Add(talk), func() {
			if s.channels[name] == ch {
				s.hangup(name, pbx.CauseNormal)
			}
		})
	}
	return nil
}

func (p *simSwitch) DestroyBridge(context.Context, string) error { return nil }

// Hangup ends the channel; the PBX reports it at once.
func (p *simSwitch) Hangup(_ context.Context, channel string, _ pbx.Cause) error {
	s := (*sim)(p)
	s.at(s.now, func() { s.hangup(channel, pbx.CauseNormal) })
	return nil
}

// item is a scheduled step of the simulation.
type item struct {
	at  time.Time
	seq uint64
	do  func()
}

// queue orders items by time, then by when they were scheduled.
type queue []*item

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(*item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
