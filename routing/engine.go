package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"switchboard/routing/pbx"
)

// Engine runs the Machine: one goroutine owns it and feeds it PBX events,
// API commands and timers in order; it writes each step's records to the
// journal before the step's commands are sent to the PBX.
type Engine struct {
	m       *Machine
	sw      pbx.Switch
	journal Journal
	clock   Clock
	log     *slog.Logger
	metrics *metrics

	events   chan pbx.Event
	requests chan request
	fired    chan timerFire
	done     chan struct{}

	timers map[string]timerEntry // owned by the loop
	gen    uint64
	exec   *executor
	linkUp atomic.Bool

	pendingTimers []timerSet // from Restore, set when Run starts
	ctx           context.Context
}

type request struct {
	in    any // agentCommand or reloadCommand
	reply chan Output
}

type timerFire struct {
	name string
	gen  uint64
}

type timerEntry struct {
	stop func() bool
	gen  uint64
}

// NewEngine wires a machine to a PBX and a journal.
func NewEngine(cfg *Config, sw pbx.Switch, j Journal, clock Clock, ids IDs, log *slog.Logger, reg prometheus.Registerer) *Engine {
	e := &Engine{
		m: NewMachine(cfg, ids, log), sw: sw, journal: j, clock: clock, log: log,
		metrics:  newMetrics(reg),
		events:   make(chan pbx.Event, 1024),
		requests: make(chan request),
		fired:    make(chan timerFire, 64),
		done:     make(chan struct{}),
		timers:   map[string]timerEntry{},
	}
	for _, t := range cfg.Trunks {
		e.metrics.setTrunk(t.Name, TrunkUp) // every trunk starts up
	}
	return e
}

// Restore brings back agent states and open calls from the log. Call it
// before Run. agentStates are agent.state records in log order.
func (e *Engine) Restore(ctx context.Context, agentStates []Record, open []RestoredCall) error {
	last := map[string]Record{}
	for _, r := range agentStates {
		last[r.AgentID] = r
	}
	for _, id := range sortedKeys(last) {
		r := last[id]
		var st AgentStateData
		if err := json.Unmarshal(r.Data, &st); err != nil {
			return fmt.Errorf("restore agent %s (seq %d): %w", id, r.Seq, err)
		}
		out := e.m.RestoreAgent(e.clock.Now(), id, st, r.Time)
		if err := e.journal.Append(ctx, out.Records...); err != nil {
			return fmt.Errorf("restore agent %s: %w", id, err)
		}
		e.pendingTimers = append(e.pendingTimers, out.Timers...)
	}
	for _, rc := range open {
		e.m.RestoreCall(rc)
	}
	return nil
}

// Run drives the engine until ctx ends. It runs the PBX driver too.
func (e *Engine) Run(ctx context.Context) error {
	defer close(e.done)
	e.ctx = ctx
	e.exec = newExecutor(e.sw, e.log, e.metrics, e.events)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := e.sw.Run(ctx, e.events); err != nil && !errors.Is(err, context.Canceled) {
			e.log.Error("pbx driver stopped", "err", err)
		}
	}()
	audits := make(chan Audit)
	if lister, ok := e.sw.(pbx.ChannelLister); ok && e.m.cfg.Watchdog > 0 {
		// Read here, not in the goroutine: the machine's config is the
		// engine goroutine's alone (a reload replaces it; -race saw that).
		every := e.m.cfg.Watchdog.D()
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.watchdog(ctx, lister, every, audits)
		}()
	}
	// The first record of a run says which config decides.
	e.step(ctx, configApplied{})
	for _, t := range e.pendingTimers {
		e.setTimer(ctx, t)
	}
	e.pendingTimers = nil
	defer func() {
		for _, t := range e.timers {
			t.stop()
		}
		e.exec.wait()
		wg.Wait()
	}()
	for {
		var b batch
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-e.events:
			e.take(&b, ev, nil)
		case req := <-e.requests:
			e.take(&b, req.in, req.reply)
		case a := <-audits:
			e.take(&b, a, nil)
		case f := <-e.fired:
			e.takeTimer(&b, f)
		}
		// Whatever else is already waiting joins the batch: one log write
		// for all of it, so a burst costs one commit, not one per event.
	more:
		for len(b.outs) < maxBatch {
			select {
			case ev := <-e.events:
				e.take(&b, ev, nil)
			case req := <-e.requests:
				e.take(&b, req.in, req.reply)
			case f := <-e.fired:
				e.takeTimer(&b, f)
			default:
				break more
			}
		}
		e.flush(ctx, &b)
	}
}

// maxBatch bounds how many inputs share one log write.
const maxBatch = 256

// batch is inputs handled by the machine whose records are not yet
// written, so their commands and replies wait.
type batch struct {
	outs    []Output
	replies []chan Output
	recs    []*Record
	start   time.Time
}

// take runs one input through the machine. Timers change at once (they
// are in-process); commands and replies wait for the log write.
func (e *Engine) take(b *batch, in any, reply chan Output) {
	if b.start.IsZero() {
		b.start = time.Now()
	}
	switch in.(type) {
	case pbx.LinkDown:
		e.linkUp.Store(false)
		e.metrics.linkUp.Set(0)
	case pbx.Resynced:
		e.linkUp.Store(true)
		e.metrics.linkUp.Set(1)
	}
	out := e.m.Handle(e.clock.Now(), in)
	for _, name := range out.Cancels {
		if t, ok := e.timers[name]; ok {
			t.stop()
			delete(e.timers, name)
		}
	}
	for _, t := range out.Timers {
		e.setTimer(e.ctx, t)
	}
	b.outs = append(b.outs, out)
	b.replies = append(b.replies, reply)
	b.recs = append(b.recs, out.Records...)
}

// takeTimer takes a timer firing unless it was cancelled or reset since.
func (e *Engine) takeTimer(b *batch, f timerFire) {
	if t, ok := e.timers[f.name]; ok && t.gen == f.gen {
		delete(e.timers, f.name)
		e.take(b, TimerFired{Name: f.name}, nil)
	}
}

// flush writes the batch's records, then acts: commands to the PBX,
// replies to the API.
func (e *Engine) flush(ctx context.Context, b *batch) {
	if len(b.recs) > 0 {
		e.appendRecords(ctx, b.recs)
	}
	for i, out := range b.outs {
		for _, c := range out.Commands {
			e.exec.submit(c)
		}
		if b.replies[i] != nil {
			b.replies[i] <- out
		}
	}
	e.metrics.observe(b.recs, len(b.outs), time.Since(b.start))
}

// step handles one input on its own: decide, write the log, act.
func (e *Engine) step(ctx context.Context, in any) Output {
	var b batch
	e.take(&b, in, nil)
	e.flush(ctx, &b)
	return b.outs[0]
}

// appendRecords writes to the journal, retrying briefly: the log must hold
// a step before it is acted on. If the store stays down the step is still
// acted on (callers are not left in silence) and the loss is counted.
func (e *Engine) appendRecords(ctx context.Context, recs []*Record) {
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := e.journal.Append(ctx, recs...)
		if err == nil {
			return
		}
		if attempt == 5 || ctx.Err() != nil {
			e.metrics.journalFailures.Inc()
			e.log.Error("event log write failed; acting anyway", "records", len(recs), "first_type", recs[0].Type, "err", err)
			return
		}
		e.log.Warn("event log write failed; retrying", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

func (e *Engine) setTimer(ctx context.Context, t timerSet) {
	if old, ok := e.timers[t.Name]; ok {
		old.stop()
	}
	e.gen++
	gen, name := e.gen, t.Name
	d := t.At.Sub(e.clock.Now())
	stop := e.clock.AfterFunc(d, func() {
		select {
		case e.fired <- timerFire{name: name, gen: gen}:
		case <-ctx.Done():
		}
	})
	e.timers[name] = timerEntry{stop: stop, gen: gen}
}

// LinkUp reports whether the PBX link is connected and resynced.
func (e *Engine) LinkUp() bool { return e.linkUp.Load() }

func (e *Engine) do(ctx context.Context, cmd agentCommand) (any, error) {
	return e.doInput(ctx, cmd)
}

// doInput hands an input to the engine loop and waits for its reply.
func (e *Engine) doInput(ctx context.Context, in any) (any, error) {
	req := request{in: in, reply: make(chan Output, 1)}
	select {
	case e.requests <- req:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-e.done:
		return nil, ErrStopped
	}
	select {
	case out := <-req.reply:
		return out.Reply, out.Err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (e *Engine) agentView(ctx context.Context, cmd agentCommand) (AgentView, error) {
	v, err := e.do(ctx, cmd)
	if err != nil {
		return AgentView{}, err
	}
	return v.(AgentView), nil
}

// Agents lists all agents with their live state.
func (e *Engine) Agents(ctx context.Context) ([]AgentView, error) {
	v, err := e.do(ctx, agentCommand{Op: "list"})
	if err != nil {
		return nil, err
	}
	return v.([]AgentView), nil
}

// Agent returns one agent.
func (e *Engine) Agent(ctx context.Context, id string) (AgentView, error) {
	return e.agentView(ctx, agentCommand{Op: "get", Agent: id})
}

// SignIn signs an agent in on a phone ("" = the configured one); the agent
// becomes ready.
func (e *Engine) SignIn(ctx context.Context, id, endpoint string) (AgentView, error) {
	return e.agentView(ctx, agentCommand{Op: "sign_in", Agent: id, Endpoint: endpoint})
}

// SignOut signs an agent out; by and reason, when someone else does it
// (a forced sign-out), are kept on the agent.state record and the view so
// the desk can say who and why. One method for both keeps the Engine at 40.
func (e *Engine) SignOut(ctx context.Context, id, by, reason string) (AgentView, error) {
	return e.agentView(ctx, agentCommand{Op: "sign_out", Agent: id, By: by, Reason: reason})
}

// SetReady makes an agent ready for calls.
func (e *Engine) SetReady(ctx context.Context, id string) (AgentView, error) {
	return e.agentView(ctx, agentCommand{Op: "ready", Agent: id})
}

// SetNotReady takes an agent out of routing with a configured reason.
func (e *Engine) SetNotReady(ctx context.Context, id, reason string) (AgentView, error) {
	return e.agentView(ctx, agentCommand{Op: "not_ready", Agent: id, Reason: reason})
}

// Withdraw takes back an agent's own pending not-ready request.
func (e *Engine) Withdraw(ctx context.Context, id string) (AgentView, error) {
	return e.agentView(ctx, agentCommand{Op: "withdraw", Agent: id})
}

// Approve grants an agent's pending not-ready request (team lead).
func (e *Engine) Approve(ctx context.Context, id string) (AgentView, error) {
	return e.agentView(ctx, agentCommand{Op: "approve", Agent: id})
}

// Refuse turns an agent's pending not-ready request down.
func (e *Engine) Refuse(ctx context.Context, id string) (AgentView, error) {
	return e.agentView(ctx, agentCommand{Op: "refuse", Agent: id})
}

// Queues lists the queues with their live state.
func (e *Engine) Queues(ctx context.Context) ([]QueueView, error) {
	v, err := e.do(ctx, agentCommand{Op: "queues"})
	if err != nil {
		return nil, err
	}
	return v.([]QueueView), nil
}

// Reload switches to cfg between two inputs: validated first, applied
// whole or not at all. It returns the new config version.
func (e *Engine) Reload(ctx context.Context, cfg *Config) (int, error) {
	if err := cfg.Validate(); err != nil {
		return 0, &ConfigError{Err: err}
	}
	v, err := e.doInput(ctx, reloadCommand{cfg: cfg})
	if err != nil {
		return 0, &ConfigError{Err: err}
	}
	return v.(int), nil
}

// watchdog lists the PBX's channels every interval and hands them to the
// engine loop as an Audit. The listing runs here, off the loop.
func (e *Engine) watchdog(ctx context.Context, lister pbx.ChannelLister, every time.Duration, out chan<- Audit) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !e.linkUp.Load() {
			continue // the resync after the reconnect does this job
		}
		taken := e.clock.Now()
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		chs, err := lister.Channels(lctx)
		cancel()
		if err != nil {
			e.log.Warn("watchdog could not list channels", "err", err)
			continue
		}
		select {
		case out <- Audit{Channels: chs, Taken: taken}:
		case <-ctx.Done():
			return
		}
	}
}

// Calendars lists the business-hours calendars with their mode and state.
func (e *Engine) Calendars(ctx context.Context) ([]CalendarView, error) {
	v, err := e.doInput(ctx, modeCommand{Op: "mode"})
	if err != nil {
		return nil, err
	}
	return v.([]CalendarView), nil
}

// SetMode forces a calendar to day or night mode, or back to auto.
func (e *Engine) SetMode(ctx context.Context, calendar, mode string) (CalendarView, error) {
	v, err := e.doInput(ctx, modeCommand{Op: "mode", Calendar: calendar, Mode: mode})
	if err != nil {
		return CalendarView{}, err
	}
	return v.(CalendarView), nil
}

// Desk is what agent id's desk page shows, from the engine's side.
func (e *Engine) Desk(ctx context.Context, id string) (DeskView, error) {
	v, err := e.doInput(ctx, deskCommand{Op: "desk", Agent: id})
	if err != nil {
		return DeskView{}, err
	}
	return v.(DeskView), nil
}

// WrapUp records an agent's disposition of a call (call.wrapped) and ends
// their wrap-up. Errors: *FieldError (disposition, not_ready),
// ErrUnknownCall, ErrUnknownAgent, ErrNotYourCall, *PolicyError.
func (e *Engine) WrapUp(ctx context.Context, r WrapUpRequest) (AgentView, error) {
	v, err := e.doInput(ctx, deskCommand{
		Op: "wrap_up", Agent: r.Agent, Call: r.Call, Disposition: r.Disposition, Notes: r.Notes,
		FollowUp: r.FollowUp, NotReady: r.NotReady, By: r.By, OnlyAgent: r.Scope.Agent, OnlyTeam: r.Scope.Team,
	})
	av, _ := v.(AgentView)
	return av, err
}

// SaveDraft keeps what an agent typed for a call's wrap-up; it is stored
// as the call's wrap-up if wrap-up ends without one. Errors: *FieldError
// (disposition, agent), ErrUnknownCall, ErrNotYourCall, *PolicyError
// (wrap_up_over).
func (e *Engine) SaveDraft(ctx context.Context, r WrapDraftRequest) (*WrapDraft, error) {
	v, err := e.doInput(ctx, deskCommand{
		Op: "draft", Agent: r.Agent, Call: r.Call, Disposition: r.Disposition, Notes: r.Notes,
		FollowUp: r.FollowUp, OnlyAgent: r.Scope.Agent, OnlyTeam: r.Scope.Team,
	})
	d, _ := v.(*WrapDraft)
	return d, err
}

// ExtendWrapUp makes agent's wrap-up last the queue's wrap_up_extend
// longer, once per call. Errors: ErrUnknownAgent, ErrNotYourCall,
// *PolicyError (not_in_wrap_up, no_extension, already_extended).
func (e *Engine) ExtendWrapUp(ctx context.Context, agent string, scope Scope) (DeskView, error) {
	v, err := e.doInput(ctx, deskCommand{Op: "extend", Agent: agent, OnlyAgent: scope.Agent, OnlyTeam: scope.Team})
	if err != nil {
		return DeskView{}, err
	}
	return v.(DeskView), nil
}

// Transfer hands a talking caller on, blind, keeping the call's ID.
// Errors: *FieldError (to_kind, to), ErrUnknownCall, ErrNotYourCall,
// *PolicyError (not_transferable, queue_empty, queue_full, agent_not_ready).
func (e *Engine) Transfer(ctx context.Context, r TransferRequest) (DeskCall, error) {
	v, err := e.doInput(ctx, deskCommand{
		Op: "transfer", Call: r.Call, ToKind: r.ToKind, To: r.To, By: r.By,
		OnlyAgent: r.Scope.Agent, OnlyTeam: r.Scope.Team,
	})
	if err != nil {
		return DeskCall{}, err
	}
	return *v.(*DeskCall), nil
}

// Supervise calls a supervisor's phone (endpoint) onto live call callID to
// listen, whisper or barge (mode); by is who asks, for the log. Errors:
// ErrUnknownCall, *FieldError, *PolicyError (the call is not connected to
// an agent yet).
func (e *Engine) Supervise(ctx context.Context, callID, mode, endpoint, by string) (SupervisionView, error) {
	v, err := e.doInput(ctx, superviseCommand{Op: "supervise", Call: callID, Mode: mode, Endpoint: endpoint, By: by})
	if err != nil {
		return SupervisionView{}, err
	}
	return v.(SupervisionView), nil
}
