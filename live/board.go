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
	"sync"
	"time"

	"switchboard/report"
	"switchboard/routing"
	"switchboard/store"
)

// Wallboard is the wallboard's data at one moment: a tile per queue and
// per team, and the thresholds crossed.
type Wallboard struct {
	Queues      []QueueTile `json:"queues"`
	Teams       []TeamTile  `json:"teams"`
	Alerts      []Alert     `json:"alerts"`
	GeneratedAt time.Time   `json:"generated_at"`
}

// QueueTile is one queue. The "today" figures come from the report
// rollups (docs/kpis.md; the same numbers as the summary report by queue
// for today), the last-30-minutes ones from the calls table with the same
// definitions, the "now" ones from the engine. A figure that is undefined
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

// Calls reads the calls table (*store.Store).
type Calls interface {
	Calls(ctx context.Context, f store.CallFilter) ([]store.Call, error)
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
	*Payload
}

// Board computes the wallboard and keeps the latest one: Run recomputes it
// when relevant records are published (at most every MinInterval) and
// every Idle, and wakes those waiting in Next.
type Board struct {
	cfg     BoardConfig
	engine  Engine
	reports Reports // nil: no today figures
	calls   Calls   // nil: no 30-minute figures
	hub     *Hub
	log     *slog.Logger

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
	s := &Snapshot{Board: w, Payload: NewPayload(js)}
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
	return false
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
			soon()
		case ev := <-sub.C():
			if relevant(ev.Rec.Type) {
				soon()
			}
		case <-timer.C:
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
	w := Wallboard{Queues: []QueueTile{}, Teams: []TeamTile{}, Alerts: []Alert{}, GeneratedAt: now}
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
	recent, err := b.last30m(ctx, qs, now, dayStart)
	if err != nil {
		return w, err
	}
	waitingToday, err := b.waitingSince(ctx, dayStart)
	if err != nil {
		return w, err
	}
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
		t.Status = mark(&w, "queue", q.Name, wcfg.forQueue(q.Name), values, t.Marks)
		w.Queues = append(w.Queues, t)
	}
	teamToday, err := b.todayByTeam(ctx)
	if err != nil {
		return w, err
	}
	w.Teams = teamTiles(agents, teams, teamToday)
	for i := range w.Teams {
		t := &w.Teams[i]
		if t.ID == "" {
			continue // agents in no team are not a team to alert on
		}
		ready := float64(t.Agents[routing.Ready.String()])
		t.Status = mark(&w, "team", t.ID, map[string]*Limit{MetricReady: wcfg.Teams.Ready},
			map[string]*float64{MetricReady: &ready}, t.Marks)
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

// last30m counts, per queue (the call's latest), the calls first queued in
// the last 30 minutes: offered, answered within the queue's T, and short
// abandons.
func (b *Board) last30m(ctx context.Context, qs []routing.QueueView, now, dayStart time.Time) (map[string]window, error) {
	out := map[string]window{}
	if b.calls == nil {
		return out, nil
	}
	within := map[string]float64{}
	for _, q := range qs {
		within[q.Name] = q.ServiceLevel.WithinSeconds
	}
	calls, err := b.calls.Calls(ctx, store.CallFilter{QueuedSince: now.Add(-window30m), Limit: store.MaxLimit})
	if err != nil {
		return nil, fmt.Errorf("wallboard: last 30 minutes: %w", err)
	}
	short := b.cfg.ShortAbandon.Seconds()
	for _, c := range calls {
		if c.QueuedAt == nil || c.QueuedAt.After(now) {
			continue
		}
		w := out[c.Queue]
		w.offered++
		T, ok := within[c.Queue]
		if !ok || T == 0 {
			T = 20
		}
		wait := -1.0
		if c.WaitSeconds != nil {
			wait = *c.WaitSeconds
		}
		switch {
		case c.AnsweredAt == nil && c.EndedAt == nil && now.Sub(*c.QueuedAt).Seconds() <= T:
			w.pending++
			if !c.QueuedAt.Before(dayStart) {
				w.pendingToday++
			}
		case c.AnsweredAt != nil && wait >= 0 && wait <= T:
			w.within++
		case (c.Outcome == routing.OutcomeAbandonedQueue || c.Outcome == routing.OutcomeAbandonedRinging) && wait >= 0 && wait <= short:
			w.short++
		}
		out[c.Queue] = w
	}
	return out, nil
}

// waitingSince counts, per queue, the callers queued since dayStart who
// are still waiting or ringing: neither answered nor gone.
func (b *Board) waitingSince(ctx context.Context, dayStart time.Time) (map[string]int, error) {
	out := map[string]int{}
	if b.calls == nil {
		return out, nil
	}
	open := true
	calls, err := b.calls.Calls(ctx, store.CallFilter{Open: &open, QueuedSince: dayStart, Limit: store.MaxLimit})
	if err != nil {
		return nil, fmt.Errorf("wallboard: callers waiting: %w", err)
	}
	for _, c := range calls {
		if c.QueuedAt != nil && c.AnsweredAt == nil {
			out[c.Queue]++
		}
	}
	return out, nil
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
