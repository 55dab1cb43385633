// Package report computes Switchboard's KPIs from the store's rollup
// tables (never from the raw log), lays them out as tables grouped by
// interval, day, queue, agent or IVR node, writes them as CSV or XLSX, and
// runs the export schedules. docs/kpis.md defines every number.
//
// It owns the numbers: report/rollup is the arithmetic that turns records
// into rollup cells (store only persists what it computes), and this
// package turns cells into KPIs. It may import routing (record types),
// report/rollup and store (reading); store must never import report.
package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"switchboard/report/rollup"
	"switchboard/store"
)

// Source is what reports read from the store.
type Source interface {
	Rollup(ctx context.Context, q store.RollupQuery) ([]store.RollupCell, error)
	AgentStatesNow(ctx context.Context) ([]store.AgentStateNow, error)
}

var _ Source = (*store.Store)(nil)

// Config is what the builder needs besides the data.
type Config struct {
	Location     *time.Location // the report time zone; must be the rollup's
	Queues       []string       // configured queues, shown even without calls
	Agents       []string       // configured agents, shown even without activity
	Reasons      []string       // configured not-ready reasons
	Dispositions []string       // configured wrap-up dispositions, shown even without calls
	Trunks       []string       // configured trunks, shown even without calls
	SLTarget     float64        // percent, the chart's target line; 0 = 80
	// QueueSLTarget is each queue's own target (service_level.percent):
	// the queue grouping's rows carry it, so a chart can draw each queue
	// against its own.
	QueueSLTarget map[string]float64
	SLThreshold   time.Duration // default T, for the notes
	ShortAbandon  time.Duration // S, for the notes
	// Teams are the configured teams (rows of the team grouping, even
	// without activity) and AgentTeam each agent's team ("" or absent: none),
	// from the config in force; Builder.SetTeams replaces them on reload.
	Teams     []Team
	AgentTeam map[string]string
}

// Team is a configured team: its ID (the teams: key) and display name.
type Team struct {
	ID   string
	Name string
}

// Row keys of the team grouping besides the teams' IDs.
const (
	NoTeamKey     = ""             // agents without a team, and their answered calls
	UnansweredKey = "(unanswered)" // calls no agent answered
)

// Groupings.
const (
	GroupInterval15 = "interval15"
	GroupInterval30 = "interval30"
	GroupInterval60 = "interval60"
	GroupDay        = "day"
	GroupQueue      = "queue"
	GroupAgent      = "agent"
	GroupIVRNode    = "ivr_node"
	GroupTeam       = "team"
	GroupTrunk      = "trunk"
	GroupTrunkCause = "trunk_cause"
	GroupDisp       = "disposition"
)

// unavailable are groupings the engine has no data for yet (none today;
// kept so a grouping can be listed before its data exists).
var unavailable = map[string]string{}

// UnavailableGroups lists the groupings answered with ErrNotAvailable.
var UnavailableGroups = []string{}

// Definition describes a report.
type Definition struct {
	Name         string   `json:"name"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Groups       []string `json:"groups"`
	DefaultGroup string   `json:"default_group"`
}

var callGroups = []string{GroupInterval15, GroupInterval30, GroupInterval60, GroupDay, GroupQueue, GroupAgent, GroupTeam, GroupIVRNode}

// Reports is the catalogue.
var Reports = []Definition{
	{"summary", "Call summary", "Offered, answered, abandoned, service level, ASA, AHT, agent time, outbound calls; by interval, day, queue, agent, team, IVR node or disposition; outbound trunk use (attempts, ASR, ACD, failovers) by trunk or by trunk and cause.",
		append(slices.Clone(callGroups), GroupDisp, GroupTrunk, GroupTrunkCause), GroupInterval60},
	{"service", "Service quality (monthly)", "The summary's KPIs for a month, by day; the monthly service report due by the 22nd.",
		callGroups, GroupDay},
	{"satisfaction", "Post-call satisfaction", "Post-call survey count, average score and the 1-5 distribution; by agent, queue, team, day or interval of the surveyed call.",
		[]string{GroupAgent, GroupQueue, GroupTeam, GroupDay, GroupInterval15, GroupInterval30, GroupInterval60}, GroupAgent},
	{"adherence", "Login adherence and attendance", "Login adherence (登陆吻合度), attendance, excused problem time, late sign-ins, early sign-outs and break overruns of the published shifts that are over, from agent.state records; by agent, team, day or month.",
		[]string{GroupAgent, GroupTeam, GroupDay, GroupMonth}, GroupAgent},
}

// Lookup finds a report definition.
func Lookup(name string) (Definition, bool) {
	for _, d := range Reports {
		if d.Name == name {
			return d, true
		}
	}
	return Definition{}, false
}

// Request asks for one report.
type Request struct {
	Report string
	Group  string // "" = the report's default
	Period string // a named period, or "" / custom with From and To
	From   string // YYYY-MM-DD
	To     string // YYYY-MM-DD, included
}

// Row is one group of a table; Values align with the table's Columns and
// are null where a KPI is undefined (a rate over no calls).
type Row struct {
	Key    string     `json:"key"`
	Label  string     `json:"label"`
	Values []*float64 `json:"values"`
	// SLTarget is the row's own service-level target, percent (a queue's
	// in the queue grouping); absent: the table's.
	SLTarget *float64 `json:"sl_target,omitempty"`
}

// Table is a report as every output shows it: the API's JSON, the page,
// CSV and XLSX all render this one value.
type Table struct {
	Report    string   `json:"report"`
	Title     string   `json:"title"`
	Group     string   `json:"group"`
	From      string   `json:"from"`
	To        string   `json:"to"`
	TimeZone  string   `json:"time_zone"`
	GroupName string   `json:"group_label"`
	Columns   []Column `json:"columns"`
	Rows      []Row    `json:"rows"`
	Total     Row      `json:"total"`
	SLTarget  float64  `json:"sl_target"`
	Notes     []string `json:"notes"`
	// Lang is the language of the headers ("" English; Localized).
	Lang string `json:"lang,omitempty"`
}

// Builder builds report tables.
type Builder struct {
	src Source
	cfg Config
	now func() time.Time

	mu        sync.RWMutex // guards teams and agentTeam (SetTeams), providers
	teams     []Team
	agentTeam map[string]string
	providers map[string]Provider
}

// NewBuilder returns a builder reading src; now is the clock (periods like
// "today" and the open agent states use it).
func NewBuilder(src Source, cfg Config, now func() time.Time) *Builder {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.SLTarget == 0 {
		cfg.SLTarget = 80
	}
	if cfg.SLThreshold == 0 {
		cfg.SLThreshold = 20 * time.Second
	}
	if cfg.ShortAbandon == 0 {
		cfg.ShortAbandon = 5 * time.Second
	}
	if now == nil {
		now = time.Now
	}
	b := &Builder{src: src, cfg: cfg, now: now}
	b.SetTeams(cfg.Teams, cfg.AgentTeam)
	return b
}

// SetTeams replaces the team map (after a config reload): reports built
// from then on group every day of their period by the new map.
func (b *Builder) SetTeams(teams []Team, agentTeam map[string]string) {
	ts := slices.Clone(teams)
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	at := make(map[string]string, len(agentTeam))
	for a, t := range agentTeam {
		if t != "" {
			at[a] = t
		}
	}
	b.mu.Lock()
	b.teams, b.agentTeam = ts, at
	b.mu.Unlock()
}

func (b *Builder) teamMap() ([]Team, map[string]string) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.teams, b.agentTeam
}

// Location is the report time zone.
func (b *Builder) Location() *time.Location { return b.cfg.Location }

// Check validates a request without reading data and resolves its period.
func (b *Builder) Check(req Request) (Definition, string, Span, error) {
	def, ok := Lookup(req.Report)
	if !ok {
		names := make([]string, len(Reports))
		for i, d := range Reports {
			names[i] = d.Name
		}
		return def, "", Span{}, &FieldError{Field: "report", Message: fmt.Sprintf("unknown report %q (known: %s)", req.Report, strings.Join(names, ", "))}
	}
	group := req.Group
	if group == "" {
		group = def.DefaultGroup
	}
	if why, ok := unavailable[group]; ok {
		return def, "", Span{}, &FieldError{Field: "group", Err: ErrNotAvailable,
			Message: fmt.Sprintf("grouping %q is not available yet: %s", group, why)}
	}
	if !slices.Contains(def.Groups, group) {
		return def, "", Span{}, &FieldError{Field: "group", Message: fmt.Sprintf("unknown grouping %q for report %s (known: %s)", group, def.Name, strings.Join(def.Groups, ", "))}
	}
	span, err := ResolvePeriod(req.Period, req.From, req.To, b.now(), b.cfg.Location)
	return def, group, span, err
}

// Build computes a report.
func (b *Builder) Build(ctx context.Context, req Request) (*Table, error) {
	def, group, span, err := b.Check(req)
	if err != nil {
		return nil, err
	}
	return b.BuildSpan(ctx, def, group, span)
}

// BuildSpan computes a checked report over span.
func (b *Builder) BuildSpan(ctx context.Context, def Definition, group string, span Span) (*Table, error) {
	if provided[def.Name] {
		return b.buildProvided(ctx, def, group, span)
	}
	t := &Table{
		Report: def.Name, Title: def.Title, Group: group,
		From: span.From.Format(time.DateOnly), To: span.To.Format(time.DateOnly),
		TimeZone: b.cfg.Location.String(), SLTarget: b.cfg.SLTarget,
		Notes: []string{
			fmt.Sprintf("Calls are counted in the interval they were offered to the queue (call.queued), or arrived if they never queued; times in %s.", b.cfg.Location),
			fmt.Sprintf("T (service-level threshold) is %s unless the queue sets service_level.within; short abandons are within %s.", b.cfg.SLThreshold, b.cfg.ShortAbandon),
			"Surveys, messages and callback requests count on their call (its offer interval and queue, or arrival if it never queued); surveys for the agent who answered it.",
			"Not in the engine yet, so not reported (zero): hold time. Callbacks connected and not reached count in the queue and interval they ended.",
			"Outbound calls (click-to-dial, callbacks) have their own columns and are not in offered, answered, handled or AHT.",
		},
	}
	var err error
	var only []kpi // the report's own columns; nil: the grouping's
	if def.Name == "satisfaction" {
		only = satisfactionKPIs
	}
	switch {
	case group == GroupQueue:
		err = b.byQueue(ctx, t, span, only)
	case group == GroupAgent:
		err = b.byAgent(ctx, t, span, only)
	case group == GroupTeam:
		err = b.byTeam(ctx, t, span, only)
	case group == GroupIVRNode:
		err = b.byIVR(ctx, t, span)
	case group == GroupDisp:
		err = b.byDisposition(ctx, t, span)
	case group == GroupTrunk:
		err = b.byTrunk(ctx, t, span)
	case group == GroupTrunkCause:
		err = b.byTrunkCause(ctx, t, span)
	default:
		err = b.byTime(ctx, t, span, group, only)
	}
	if err != nil {
		return nil, fmt.Errorf("report %s by %s: %w", def.Name, group, err)
	}
	return t, nil
}

// groups holds metrics per group key in display order.
type groups struct {
	keys   []string
	labels map[string]string
	m      map[string]metrics
}

func newGroups() *groups { return &groups{labels: map[string]string{}, m: map[string]metrics{}} }

func (g *groups) get(key, label string) metrics {
	m, ok := g.m[key]
	if !ok {
		m = metrics{}
		g.m[key], g.labels[key] = m, label
		g.keys = append(g.keys, key)
	}
	return m
}

// fill lays groups out as rows of kpis (only's, when given), and the total
// over all of them.
func (t *Table) fill(g *groups, kpis, only []kpi) {
	if only != nil {
		kpis = only
	}
	for _, k := range kpis {
		t.Columns = append(t.Columns, k.Column)
	}
	total := metrics{}
	for _, key := range g.keys {
		m := g.m[key]
		total.add(m)
		t.Rows = append(t.Rows, Row{Key: key, Label: g.labels[key], Values: values(m, kpis)})
	}
	t.Total = Row{Key: "total", Label: "Total", Values: values(total, kpis)}
	if t.Rows == nil {
		t.Rows = []Row{}
	}
}

func values(m metrics, kpis []kpi) []*float64 {
	out := make([]*float64, len(kpis))
	for i, k := range kpis {
		if v, ok := k.value(m); ok {
			v = round(k.Unit, v)
			out[i] = &v
		}
	}
	return out
}

// byTime groups 15-minute buckets into intervals or local days.
func (b *Builder) byTime(ctx context.Context, t *Table, span Span, group string, only []kpi) error {
	loc := b.cfg.Location
	size := map[string]time.Duration{GroupInterval15: 15 * time.Minute, GroupInterval30: 30 * time.Minute, GroupInterval60: time.Hour}[group]
	keyOf := func(bucket time.Time) (string, string) {
		l := bucket.In(loc)
		if group == GroupDay {
			d := l.Format(time.DateOnly)
			return d, d
		}
		min := l.Hour()*60 + l.Minute()
		min -= min % int(size/time.Minute)
		start := time.Date(l.Year(), l.Month(), l.Day(), min/60, min%60, 0, 0, loc)
		return start.Format(time.RFC3339), start.Format("2006-01-02 15:04")
	}
	t.GroupName = "Interval start"
	if group == GroupDay {
		t.GroupName = "Day"
	}
	g := newGroups()
	for at := span.Start(); at.Before(span.End()); at = at.Add(rollup.IntervalLength) {
		g.get(keyOf(at))
	}
	from, to := rollup.BucketOf(span.Start()), rollup.BucketOf(span.End())
	for _, dim := range []string{rollup.DimQueue, rollup.DimAgents} {
		cells, err := b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.Grain15m, Dim: dim, From: from, To: to, ByBucket: true})
		if err != nil {
			return err
		}
		for _, c := range cells {
			bt, err := rollup.ParseBucket(c.Bucket)
			if err != nil {
				return err
			}
			g.get(keyOf(bt)).add(metrics{c.Metric: c.Value})
		}
	}
	open, err := b.openStates(ctx, span)
	if err != nil {
		return err
	}
	for i, m := range open.perBucket {
		if len(m) > 0 {
			g.get(keyOf(span.Start().Add(time.Duration(i) * rollup.IntervalLength))).add(m)
		}
	}
	t.fill(g, slices.Concat(callKPIs, waitKPIs, stateKPIs, reasonKPIs(maps(g), b.cfg.Reasons)), only)
	return nil
}

func (b *Builder) byQueue(ctx context.Context, t *Table, span Span, only []kpi) error {
	t.GroupName = "Queue"
	g := newGroups()
	for _, q := range b.cfg.Queues {
		g.get(q, q)
	}
	cells, err := b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.Grain15m, Dim: rollup.DimQueue,
		From: rollup.BucketOf(span.Start()), To: rollup.BucketOf(span.End()), ByKey: true})
	if err != nil {
		return err
	}
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].Key < cells[j].Key })
	for _, c := range cells {
		label := c.Key
		if label == "" {
			label = "(no queue)"
		}
		g.get(c.Key, label).add(metrics{c.Metric: c.Value})
	}
	t.fill(g, slices.Concat(callKPIs, waitKPIs), only)
	for i := range t.Rows {
		if p, ok := b.cfg.QueueSLTarget[t.Rows[i].Key]; ok && p > 0 {
			t.Rows[i].SLTarget = &p
		}
	}
	return nil
}

func (b *Builder) byAgent(ctx context.Context, t *Table, span Span, only []kpi) error {
	t.GroupName = "Agent"
	g := newGroups()
	agents := slices.Clone(b.cfg.Agents)
	cells, err := b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.GrainDay, Dim: rollup.DimAgent,
		From: span.From.Format(time.DateOnly), To: span.End().Format(time.DateOnly), ByKey: true})
	if err != nil {
		return err
	}
	for _, c := range cells {
		if !slices.Contains(agents, c.Key) {
			agents = append(agents, c.Key)
		}
	}
	os, err := b.openStates(ctx, span)
	if err != nil {
		return err
	}
	open := os.perAgent
	for a := range open {
		if !slices.Contains(agents, a) {
			agents = append(agents, a)
		}
	}
	sort.Strings(agents)
	for _, a := range agents {
		g.get(a, a).add(open[a])
	}
	for _, c := range cells {
		g.get(c.Key, c.Key).add(metrics{c.Metric: c.Value})
	}
	t.fill(g, slices.Concat(agentCallKPIs, agentMessageKPIs, agentEventKPIs, stateKPIs, reasonKPIs(maps(g), b.cfg.Reasons)), only)
	return nil
}

// agentCallMetrics are the per-agent day metrics that the agent_calls
// dimension also holds; the team grouping takes them from there only.
var agentCallMetrics = map[string]bool{"answered": true, "answered_sl": true, "handled": true,
	"talk_s": true, "wrap_s": true, "wraps": true, "surveys": true, "survey_score": true,
	rollup.SurveyScoreMetric(1): true, rollup.SurveyScoreMetric(2): true, rollup.SurveyScoreMetric(3): true,
	rollup.SurveyScoreMetric(4): true, rollup.SurveyScoreMetric(5): true}

// byTeam groups by the team map in force (docs/kpis.md, "Teams"): a call
// counts for the team of the agent who answered it, calls nobody answered
// in their own row; agent time, offers, overruns and requests for the
// agent's team. Agents without a team (or no longer configured) are the
// "(no team)" row.
func (b *Builder) byTeam(ctx context.Context, t *Table, span Span, only []kpi) error {
	t.GroupName = "Team"
	teams, agentTeam := b.teamMap()
	g := newGroups()
	for _, tm := range teams {
		g.get(tm.ID, cmp.Or(tm.Name, tm.ID))
	}
	g.get(NoTeamKey, "(no team)")
	g.get(UnansweredKey, "(not answered)")
	row := func(agent string) metrics {
		id := agentTeam[agent]
		if id == "" {
			return g.get(NoTeamKey, "")
		}
		return g.get(id, id)
	}
	from, to := span.From.Format(time.DateOnly), span.End().Format(time.DateOnly)
	cells, err := b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.GrainDay, Dim: rollup.DimAgentCalls, From: from, To: to, ByKey: true})
	if err != nil {
		return err
	}
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].Key < cells[j].Key })
	for _, c := range cells {
		m := g.get(UnansweredKey, "")
		if c.Key != "" {
			m = row(c.Key)
		}
		m.add(metrics{c.Metric: c.Value})
	}
	cells, err = b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.GrainDay, Dim: rollup.DimAgent, From: from, To: to, ByKey: true})
	if err != nil {
		return err
	}
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].Key < cells[j].Key })
	for _, c := range cells {
		if !agentCallMetrics[c.Metric] {
			row(c.Key).add(metrics{c.Metric: c.Value})
		}
	}
	open, err := b.openStates(ctx, span)
	if err != nil {
		return err
	}
	agents := make([]string, 0, len(open.perAgent))
	for a := range open.perAgent {
		agents = append(agents, a)
	}
	sort.Strings(agents)
	for _, a := range agents {
		row(a).add(open.perAgent[a])
	}
	t.fill(g, slices.Concat(callKPIs, waitKPIs, teamAgentKPIs, agentMessageKPIs, agentEventKPIs, stateKPIs, reasonKPIs(maps(g), b.cfg.Reasons)), only)
	t.Notes = append(t.Notes,
		"Teams as configured now, for the whole period: a call counts for the team of the agent who answered it; calls no agent answered (abandoned, timed out, IVR, no agent) are in the \"(not answered)\" row; agent time, offers, break overruns and not-ready requests count for the agent's team.")
	return nil
}

func (b *Builder) byIVR(ctx context.Context, t *Table, span Span) error {
	t.GroupName = "IVR node (flow/node)"
	g := newGroups()
	cells, err := b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.Grain15m, Dim: rollup.DimIVR,
		From: rollup.BucketOf(span.Start()), To: rollup.BucketOf(span.End()), ByKey: true})
	if err != nil {
		return err
	}
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].Key < cells[j].Key })
	for _, c := range cells {
		g.get(c.Key, c.Key).add(metrics{c.Metric: c.Value})
	}
	t.fill(g, ivrKPIs(maps(g)), nil)
	t.Notes = append(t.Notes, "IVR steps are counted in the interval the caller reached the node; hang-ups when the call ended.")
	return nil
}

// byDisposition groups answered calls by the disposition of their latest
// wrap-up, in the configured order, then any other code seen.
func (b *Builder) byDisposition(ctx context.Context, t *Table, span Span) error {
	t.GroupName = "Disposition"
	g := newGroups()
	for _, d := range b.cfg.Dispositions {
		g.get(d, d)
	}
	cells, err := b.src.Rollup(ctx, store.RollupQuery{Grain: rollup.Grain15m, Dim: rollup.DimDisposition,
		From: rollup.BucketOf(span.Start()), To: rollup.BucketOf(span.End()), ByKey: true})
	if err != nil {
		return err
	}
	sort.SliceStable(cells, func(i, j int) bool { return cells[i].Key < cells[j].Key })
	for _, c := range cells {
		label := c.Key
		if label == "" {
			label = "(not wrapped up)"
		}
		g.get(c.Key, label).add(metrics{c.Metric: c.Value})
	}
	t.fill(g, dispositionKPIs, nil)
	t.Notes = append(t.Notes, "Answered calls count once, under the disposition of their latest wrap-up (call.wrapped), in the interval they were offered to the queue.")
	return nil
}

// openState is the time agents have spent in their current state so far
// (not in the rollup until the state ends), clipped to the period and now:
// per agent in total, and per 15-minute bucket summed over agents.
type openState struct {
	perAgent  map[string]metrics
	perBucket []metrics // index: bucket number from the period's start
}

func (b *Builder) openStates(ctx context.Context, span Span) (openState, error) {
	out := openState{perAgent: map[string]metrics{}}
	now := b.now()
	if !now.After(span.Start()) {
		return out, nil
	}
	states, err := b.src.AgentStatesNow(ctx)
	if err != nil {
		return out, err
	}
	end := span.End()
	if now.Before(end) {
		end = now
	}
	start := span.Start()
	n := int(span.End().Sub(start) / rollup.IntervalLength)
	// full[m] is a difference array of whole buckets; partial ends go
	// straight into perBucket. O(agents + buckets), not their product.
	full := map[string][]float64{}
	out.perBucket = make([]metrics, n)
	for i := range out.perBucket {
		out.perBucket[i] = metrics{}
	}
	bucket := func(t time.Time) int { return int(t.Sub(start) / rollup.IntervalLength) }
	for _, st := range states {
		if st.State == "signed_out" || st.State == "" {
			continue
		}
		from := st.Since
		if from.Before(start) {
			from = start
		}
		if !from.Before(end) {
			continue
		}
		names := []string{"state_s:" + st.State}
		if st.State == "not_ready" {
			names = append(names, "reason_s:"+st.Reason)
		}
		secs := end.Sub(from).Seconds()
		am := out.perAgent[st.Agent]
		if am == nil {
			am = metrics{}
			out.perAgent[st.Agent] = am
		}
		i0, i1 := bucket(from), bucket(end.Add(-1))
		for _, m := range names {
			am[m] += secs
			if full[m] == nil {
				full[m] = make([]float64, n+1)
			}
			if i0 == i1 {
				out.perBucket[i0][m] += secs
				continue
			}
			out.perBucket[i0][m] += start.Add(time.Duration(i0+1) * rollup.IntervalLength).Sub(from).Seconds()
			out.perBucket[i1][m] += end.Sub(start.Add(time.Duration(i1) * rollup.IntervalLength)).Seconds()
			full[m][i0+1] += rollup.IntervalLength.Seconds()
			full[m][i1] -= rollup.IntervalLength.Seconds()
		}
	}
	for m, d := range full {
		run := 0.0
		for i := 0; i < n; i++ {
			run += d[i]
			if run != 0 {
				out.perBucket[i][m] += run
			}
		}
	}
	return out, nil
}

func maps(g *groups) []metrics {
	out := make([]metrics, 0, len(g.m))
	for _, k := range g.keys {
		out = append(out, g.m[k])
	}
	return out
}
