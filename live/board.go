package live

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"switchboard/report"
	"switchboard/routing"
	"switchboard/store"
)

// Wallboard is the wallboard's data at one moment: a tile per queue and
// per team, and the thresholds crossed.
type Wallboard struct {
	Queues []QueueTile `json:"queues"`
	Teams  []TeamTile  `json:"teams"`
	Alerts []Alert     `json:"alerts"`
	// Agents is every configured agent with its state and how long it has
	// been in it, signed-out ones last (agent_tiles.go).
	Agents []AgentTile `json:"agents"`
	// Waiting is the callers waiting now, longest first (waiting.go).
	Waiting []WaitingCall `json:"waiting"`
	// Trend is today hour by hour, all queues (trend.go).
	Trend []TrendPoint `json:"trend"`
	// OverdueTickets counts the tickets past their dispatch SLA, still
	// new (工单滞留); nil when the server keeps no tickets.
	OverdueTickets *int `json:"overdue_tickets,omitempty"`
	// OverdueFollowUps counts the open follow-ups (回访) past due; nil
	// when the server keeps none.
	OverdueFollowUps *int      `json:"overdue_followups,omitempty"`
	GeneratedAt      time.Time `json:"generated_at"`

	seq int64 // Snapshot.Seq
}

// QueueTile is one queue. The "today" figures come from the report
// rollups (docs/kpis.md; the same numbers as the summary report by queue
// for today), the last-30-minutes ones from the calls as the calls table
// derives them (kept in memory from the records, recent.go), with the
// same definitions, the "now" ones from the engine. A figure that is undefined
// (a rate over no calls) is null.
type QueueTile struct {
	Name               string  `json:"name"`
	Waiting            int     `json:"waiting"`
	LongestWaitSeconds float64 `json:"longest_wait_seconds"`
	Offered            int     `json:"offered"`
	Answered           int     `json:"answered"`
	// Abandoned is abandoned in queue plus while ringing, short abandons
	// included; AbandonRate excludes the short ones.
	Abandoned    int      `json:"abandoned"`
	AbandonRate  *float64 `json:"abandon_rate"`
	ServiceLevel *float64 `json:"service_level"` // of offered, today
	// ServiceLevel30m is the service level (of offered) of the calls first
	// queued in the last 30 minutes, Offered30m of them.
	ServiceLevel30m *float64          `json:"service_level_30m"`
	Offered30m      int               `json:"offered_30m"`
	ASASeconds      *float64          `json:"asa_seconds"`
	TargetPercent   float64           `json:"target_percent"`
	WithinSeconds   float64           `json:"within_seconds"`
	Agents          map[string]int    `json:"agents,omitempty"` // state → members in it
	Status          string            `json:"status"`           // ok, amber, red: the worst mark
	Marks           map[string]string `json:"marks"`            // metric → amber/red
}

// TeamTile is one team: its agents by state and today's calls (a call
// counts for the team of the agent who answered it, docs/kpis.md; calls
// nobody answered, abandons included, belong to no team).
type TeamTile struct {
	ID       string         `json:"id"` // "" for agents in no team
	Name     string         `json:"name"`
	Agents   map[string]int `json:"agents"`
	Answered int            `json:"answered"`
	// MissedOffers is offers to members they did not take (no answer,
	// busy, unreachable).
	MissedOffers int               `json:"missed_offers"`
	Status       string            `json:"status"`
	Marks        map[string]string `json:"marks"`
}

// Alert is one threshold crossed.
type Alert struct {
	Level     string  `json:"level"` // amber, red
	Kind      string  `json:"kind"`  // queue, team
	Name      string  `json:"name"`  // the queue's name or the team's ID
	Metric    string  `json:"metric"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
}

// Engine is what the wallboard reads from the routing engine.
type Engine interface {
	Queues(ctx context.Context) ([]routing.QueueView, error)
	Agents(ctx context.Context) ([]routing.AgentView, error)
}

// Reports builds report tables (*report.Builder).
type Reports interface {
	Build(ctx context.Context, req report.Request) (*report.Table, error)
}

// Calls reads the calls table (*store.Store): once when the board starts
// following the records, and again after it fell behind them.
type Calls interface {
	FollowedCalls(ctx context.Context, since time.Time) (store.Followed, error)
}

// BoardConfig is what the wallboard needs besides its sources.
type BoardConfig struct {
	Wallboard WallboardConfig
	// Teams are the configured teams, in display order.
	Teams []report.Team
	// ShortAbandon is S (reports.short_abandon) for the 30-minute rates.
	ShortAbandon time.Duration
	// MinInterval is the least time between two computations (≤ 4 a
	// second by default); Idle how often it is recomputed with no records
	// (waits grow, thresholds cross).
	MinInterval, Idle time.Duration
	Now               func() time.Time
	// OverdueTickets counts the overdue tickets at now (nil: no tickets).
	OverdueTickets func(now time.Time) int
	// OverdueFollowUps counts the overdue follow-ups at now (nil: none kept).
	OverdueFollowUps func(now time.Time) int
}

// Defaults of BoardConfig.
const (
	DefaultMinInterval = 250 * time.Millisecond
	DefaultIdle        = 5 * time.Second
	window30m          = 30 * time.Minute
)

// Snapshot is a computed wallboard and its JSON.
type Snapshot struct {
	Board Wallboard
	// Seq is the last record the calls figures reflect (0: the board
	// follows no records).
	Seq int64
	*Payload
}

// Board computes the wallboard and keeps the latest one: Run recomputes it
// when relevant records are published (at most every MinInterval) and
// every Idle, and wakes those waiting in Next. Run also keeps the calls
// the figures count from the published records, seeded from the store.
type Board struct {
	cfg     BoardConfig
	engine  Engine
	reports Reports // nil: no today figures
	calls   Calls   // nil: no 30-minute figures
	hub     *Hub
	log     *slog.Logger

	// recent is kept by Run from the records; nil while nobody follows
	// them (Run not running, or its seed failed): then each computation
	// reads the store.
	rmu    sync.Mutex
	recent *recentCalls

	mu      sync.Mutex
	cur     *Snapshot
	changed chan struct{} // closed and replaced when cur changes
	teamCfg []report.Team
}

// NewBoard returns a board reading engine, reports and calls (either may be
// nil) and woken by hub's records.
func NewBoard(cfg BoardConfig, engine Engine, reports Reports, calls Calls, hub *Hub, log *slog.Logger) *Board {
	if cfg.MinInterval <= 0 {
		cfg.MinInterval = DefaultMinInterval
	}
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ShortAbandon == 0 {
		cfg.ShortAbandon = 5 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Board{cfg: cfg, engine: engine, reports: reports, calls: calls, hub: hub,
		log: log.With("component", "wallboard"), changed: make(chan struct{}), teamCfg: cfg.Teams}
}

// SetConfig replaces the thresholds and teams (after a config reload).
func (b *Board) SetConfig(w WallboardConfig, teams []report.Team) {
	b.mu.Lock()
	b.cfg.Wallboard, b.teamCfg = w, teams
	b.mu.Unlock()
}

// Latest is the newest snapshot (nil before the first) and a channel
// closed when a newer one exists.
func (b *Board) Latest() (*Snapshot, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur, b.changed
}

// Fresh is the latest snapshot if it is younger than maxAge, else a new
// one (which becomes the latest).
func (b *Board) Fresh(ctx context.Context, maxAge time.Duration) (*Snapshot, error) {
	if cur, _ := b.Latest(); cur != nil && b.cfg.Now().Sub(cur.Board.GeneratedAt) < maxAge {
		return cur, nil
	}
	return b.refresh(ctx)
}

// refresh computes a snapshot and makes it the latest.
func (b *Board) refresh(ctx context.Context) (*Snapshot, error) {
	w, err := b.Compute(ctx)
	if err != nil {
		return nil, err
	}
	js, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("wallboard: %w", err)
	}
	s := &Snapshot{Board: w, Seq: w.seq, Payload: NewPayload(js)}
	b.mu.Lock()
	if b.cur == nil || !s.Board.GeneratedAt.Before(b.cur.Board.GeneratedAt) {
		b.cur = s
		close(b.changed)
		b.changed = make(chan struct{})
	}
	b.mu.Unlock()
	return s, nil
}

// relevant: the records that change a wallboard figure.
func relevant(typ string) bool {
	switch typ {
	case routing.EvCallQueued, routing.EvCallOffered, routing.EvCallOfferFailed, routing.EvCallAnswered,
		routing.EvCallEnded, routing.EvCallOverflowed, routing.EvAgentState, routing.EvConfigApplied:
		return true
	}
	return strings.HasPrefix(typ, "ticket.") || strings.HasPrefix(typ, "followup.") // the overdue counts
}

// Run keeps the latest snapshot current until ctx ends or the hub closes:
// a relevant record makes a new one within MinInterval (at once if the
// last one is older than that), and one is made every Idle anyway.
func (b *Board) Run(ctx context.Context) error {
	sub, err := b.hub.Subscribe()
	if err != nil {
		return nil // the hub is closed: the server is stopping
	}
	defer func() { sub.Close() }()
	b.follow(ctx) // after subscribing: no record falls between seed and feed
	defer b.unfollow()
	timer := time.NewTimer(0) // the first snapshot at once
	defer timer.Stop()
	due := true // a snapshot is scheduled sooner than Idle
	var last time.Time
	soon := func() {
		if !due {
			due = true
			timer.Reset(max(0, b.cfg.MinInterval-time.Since(last)))
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Done():
			if !errors.Is(sub.Err(), ErrSlow) {
				return nil
			}
			if sub, err = b.hub.Subscribe(); err != nil {
				return nil
			}
			b.log.Warn("wallboard fell behind the live feed; resubscribed")
			b.follow(ctx) // the missed records are in the store
			soon()
		case ev := <-sub.C():
			b.apply(ev.Rec)
			if relevant(ev.Rec.Type) {
				soon()
			}
		case <-timer.C:
			if !b.following() {
				b.follow(ctx) // the last seed failed: try again
			}
			last = time.Now()
			if _, err := b.refresh(ctx); err != nil && ctx.Err() == nil {
				b.log.Warn("wallboard not computed", "err", err)
			}
			due = false
			timer.Reset(b.cfg.Idle)
		}
	}
}

// Compute builds the wallboard now from the engine and the store.
func (b *Board) Compute(ctx context.Context) (Wallboard, error) {
	b.mu.Lock()
	wcfg, teams := b.cfg.Wallboard, b.teamCfg
	b.mu.Unlock()
	now := b.cfg.Now()
	w := Wallboard{Queues: []QueueTile{}, Teams: []TeamTile{}, Alerts: []Alert{}, Agents: []AgentTile{}, Trend: []TrendPoint{}, Waiting: []WaitingCall{}, GeneratedAt: now}
	qs, err := b.engine.Queues(ctx)
	if err != nil {
		return w, fmt.Errorf("wallboard: queues: %w", err)
	}
	agents, err := b.engine.Agents(ctx)
	if err != nil {
		return w, fmt.Errorf("wallboard: agents: %w", err)
	}
	today, dayStart, err := b.todayByQueue(ctx)
	if err != nil {
		return w, err
	}
	recent, waitingToday, undecided, seq, err := b.callFigures(ctx, qs, now, dayStart)
	if err != nil {
		return w, err
	}
	w.seq = seq
	for _, q := range qs {
		t := QueueTile{Name: q.Name, Waiting: q.Waiting, LongestWaitSeconds: round1(q.LongestWaitSeconds),
			TargetPercent: q.ServiceLevel.TargetPercent, WithinSeconds: q.ServiceLevel.WithinSeconds,
			Agents: q.Agents, Marks: map[string]string{}}
		if d, ok := today[q.Name]; ok {
			t.Offered, t.Answered = int(d.num("offered")), int(d.num("answered"))
			t.Abandoned = int(d.num("abandoned_queue") + d.num("abandoned_ringing"))
			t.ASASeconds = d["asa"]
			// Abandon rate as the report defines it, over the callers whose
			// outcome is known: one still waiting has not abandoned yet.
			short := d.num("short_abandoned")
			t.AbandonRate = percent(float64(t.Abandoned)-short, d.num("offered")-short-float64(waitingToday[q.Name]))
			// The report's service level counts a caller still waiting as
			// offered and not within T; on a live board that would turn
			// the day's first caller into 0 % (red) at once. A caller
			// waiting no longer than T is undecided and left out until
			// answered or gone; past T they count as missed.
			t.ServiceLevel = percent(d.num("answered_sl"), d.num("offered")-d.num("short_abandoned")-float64(recent[q.Name].pendingToday))
		}
		r := recent[q.Name]
		t.Offered30m, t.ServiceLevel30m = r.offered, r.sl()
		ready := float64(q.Agents[routing.Ready.String()])
		longest, waiting := t.LongestWaitSeconds, float64(t.Waiting)
		values := map[string]*float64{
			MetricWaiting: &waiting, MetricLongestWait: &longest,
			MetricServiceLevel: t.ServiceLevel, MetricServiceLevel30m: t.ServiceLevel30m,
			MetricAbandonRate: t.AbandonRate, MetricASA: t.ASASeconds, MetricReady: &ready,
		}
		signedIn := float64(signedInOf(q.Agents))
		values[MetricSignedIn] = &signedIn
		limits := wcfg.forQueue(q.Name)
		limits[MetricSignedIn] = unservedLimit
		t.Status = mark(&w, "queue", q.Name, limits, values, t.Marks)
		w.Queues = append(w.Queues, t)
	}
	teamToday, err := b.todayByTeam(ctx)
	if err != nil {
		return w, err
	}
	w.Teams = teamTiles(agents, teams, teamToday)
	w.Agents = agentTiles(agents, now)
	w.Waiting = waitingCalls(qs)
	if w.Trend, err = b.trendToday(ctx, now, undecided); err != nil {
		return w, err
	}
	for i := range w.Teams {
		t := &w.Teams[i]
		if t.ID == "" {
			continue // agents in no team are not a team to alert on
		}
		ready := float64(t.Agents[routing.Ready.String()])
		t.Status = mark(&w, "team", t.ID, map[string]*Limit{MetricReady: wcfg.Teams.Ready},
			map[string]*float64{MetricReady: &ready}, t.Marks)
	}
	if b.cfg.OverdueTickets != nil {
		n := b.cfg.OverdueTickets(now)
		w.OverdueTickets = &n
	}
	if b.cfg.OverdueFollowUps != nil {
		n := b.cfg.OverdueFollowUps(now)
		w.OverdueFollowUps = &n
	}
	sort.SliceStable(w.Alerts, func(i, j int) bool {
		a, b := w.Alerts[i], w.Alerts[j]
		if a.Level != b.Level {
			return a.Level == StatusRed
		}
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Metric, b.Metric)) < 0
	})
	return w, nil
}

// mark sets marks for every metric over its limit, adds their alerts to w
// and returns the worst status.
func mark(w *Wallboard, kind, name string, limits map[string]*Limit, values map[string]*float64, marks map[string]string) string {
	worst := StatusOK
	for _, m := range slices.Sorted(maps.Keys(values)) {
		st, th := limits[m].status(values[m], metricSpecs[m])
		if st == StatusOK {
			continue
		}
		marks[m] = st
		if worst != StatusRed {
			worst = st
		}
		w.Alerts = append(w.Alerts, Alert{Level: st, Kind: kind, Name: name, Metric: m, Value: *values[m], Threshold: th})
	}
	return worst
}

// row is one report row's values by column key.
type row map[string]*float64

func (r row) num(k string) float64 {
	if v := r[k]; v != nil {
		return *v
	}
	return 0
}

// table turns a report table into rows by key.
func table(t *report.Table) map[string]row {
	out := map[string]row{}
	for _, r := range t.Rows {
		m := row{}
		for i, c := range t.Columns {
			if i < len(r.Values) {
				m[c.Key] = r.Values[i]
			}
		}
		out[r.Key] = m
	}
	return out
}

// todayByQueue is today's summary report by queue, and the instant today
// began in the reports' time zone (the zero time without reports).
func (b *Board) todayByQueue(ctx context.Context) (map[string]row, time.Time, error) {
	if b.reports == nil {
		return nil, time.Time{}, nil
	}
	t, err := b.reports.Build(ctx, report.Request{Report: "summary", Group: report.GroupQueue, Period: report.PeriodToday})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("wallboard: today by queue: %w", err)
	}
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("wallboard: today's time zone %q: %w", t.TimeZone, err)
	}
	start, err := time.ParseInLocation(time.DateOnly, t.From, loc)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("wallboard: today's start %q: %w", t.From, err)
	}
	return table(t), start, nil
}

// todayByTeam is today's summary report by team.
func (b *Board) todayByTeam(ctx context.Context) (map[string]row, error) {
	if b.reports == nil {
		return nil, nil
	}
	t, err := b.reports.Build(ctx, report.Request{Report: "summary", Group: report.GroupTeam, Period: report.PeriodToday})
	if err != nil {
		return nil, fmt.Errorf("wallboard: today by team: %w", err)
	}
	return table(t), nil
}

// window is one queue's calls first queued in the last 30 minutes;
// pending of them are still waiting, for no longer than T (undecided),
// pendingToday of those were queued today.
type window struct {
	offered, within, short, pending, pendingToday int
}

// sl is answered within T ÷ (offered − short abandons) × 100, as
// docs/kpis.md defines service level (of offered), over the calls whose
// outcome is known: callers still waiting within T are left out.
func (w window) sl() *float64 {
	return percent(float64(w.within), float64(w.offered-w.short-w.pending))
}

// percent is num ÷ den × 100 to 0.01, nil over no calls.
func percent(num, den float64) *float64 {
	if den <= 0 {
		return nil
	}
	v := round2(100 * num / den)
	return &v
}

// follow seeds the calls the figures count from the store; Run keeps
// them from the records after it. On error the board reads the store per
// computation until a later follow succeeds.
func (b *Board) follow(ctx context.Context) {
	if b.calls == nil {
		return
	}
	f, err := b.calls.FollowedCalls(ctx, b.cfg.Now().Add(-window30m))
	b.rmu.Lock()
	defer b.rmu.Unlock()
	b.recent = nil
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("wallboard calls not loaded", "err", err)
		}
		return
	}
	b.recent = newRecentCalls()
	b.recent.seed(f)
}

// unfollow stops using the calls kept from records (Run is ending).
func (b *Board) unfollow() {
	b.rmu.Lock()
	b.recent = nil
	b.rmu.Unlock()
}

func (b *Board) following() bool {
	b.rmu.Lock()
	defer b.rmu.Unlock()
	return b.recent != nil || b.calls == nil
}

// apply folds a published record into the followed calls.
func (b *Board) apply(rec *routing.Record) {
	b.rmu.Lock()
	defer b.rmu.Unlock()
	if b.recent == nil {
		return
	}
	if err := b.recent.apply(rec); err != nil {
		b.log.Warn("wallboard skipped a record", "seq", rec.Seq, "type", rec.Type, "err", err)
	}
}

// callFigures is, per queue, the calls first queued in the last 30
// minutes (window), the callers queued since dayStart still waiting or
// ringing, when the undecided ones (waiting within T) were queued, and the
// last record they reflect.
func (b *Board) callFigures(ctx context.Context, qs []routing.QueueView, now, dayStart time.Time) (map[string]window, map[string]int, []time.Time, int64, error) {
	if b.calls == nil {
		return map[string]window{}, map[string]int{}, nil, 0, nil
	}
	within := map[string]float64{}
	for _, q := range qs {
		within[q.Name] = q.ServiceLevel.WithinSeconds
	}
	short := b.cfg.ShortAbandon.Seconds()
	b.rmu.Lock()
	if r := b.recent; r != nil {
		defer b.rmu.Unlock()
		recent, waiting := r.figures(now, dayStart, within, short)
		return recent, waiting, r.undecided(now, dayStart, within), r.seq, nil
	}
	b.rmu.Unlock()
	// Nobody follows the records: read the store for this computation.
	f, err := b.calls.FollowedCalls(ctx, now.Add(-window30m))
	if err != nil {
		return nil, nil, nil, 0, fmt.Errorf("wallboard: calls: %w", err)
	}
	r := newRecentCalls()
	r.seed(f)
	recent, waiting := r.figures(now, dayStart, within, short)
	return recent, waiting, r.undecided(now, dayStart, within), 0, nil
}

// teamTiles groups agents by team: the configured teams first, in order,
// then teams only agents name, then agents in no team.
func teamTiles(agents []routing.AgentView, teams []report.Team, today map[string]row) []TeamTile {
	var out []TeamTile
	idx := map[string]int{}
	add := func(id, name string) *TeamTile {
		if i, ok := idx[id]; ok {
			return &out[i]
		}
		t := TeamTile{ID: id, Name: cmp.Or(name, id), Agents: map[string]int{}, Status: StatusOK, Marks: map[string]string{}}
		if d, ok := today[id]; ok && id != "" {
			t.Answered, t.MissedOffers = int(d.num("answered")), int(d.num("offer_failures"))
		}
		idx[id] = len(out)
		out = append(out, t)
		return &out[idx[id]]
	}
	for _, t := range teams {
		add(t.ID, t.Name)
	}
	var extra []string
	for _, a := range agents {
		if _, ok := idx[a.Team]; !ok && a.Team != "" && !slices.Contains(extra, a.Team) {
			extra = append(extra, a.Team)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		add(id, id)
	}
	for _, a := range agents {
		add(a.Team, "").Agents[a.State.String()]++
	}
	if out == nil {
		out = []TeamTile{}
	}
	return out
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }
