package workforce

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"switchboard/report"
	"switchboard/routing"
)

// Why the Service goes through routing.Decide: as for tickets, the one
// path into the event log is the engine loop. The Service decides over its
// Book inside the loop, the engine journals the record, and only after
// the reply does the Service apply it: written before acted on.

// Submitter runs a decision in the engine loop (routing.Decide bound to
// the engine).
type Submitter = routing.Submit

// Team is what the Service knows of a routing team.
type Team struct {
	Name     string
	MinReady int
}

// Service is workforce as the API uses it.
type Service struct {
	mu       sync.RWMutex
	book     *Book
	tl       *Timeline
	cfg      Config
	teams    map[string]Team
	holidays map[string]string // 2027-01-01 → name
	submit   Submitter
	now      func() time.Time
	log      *slog.Logger
}

// NewService is a Service over cfg; roster maps agents to teams, holidays
// dates (YYYY-MM-DD) to their names.
func NewService(cfg Config, roster Roster, teams []Team, holidays map[string]string, submit Submitter, now func() time.Time, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{book: NewBook(cfg, roster), tl: NewTimeline(), cfg: cfg, teams: map[string]Team{},
		holidays: holidays, submit: submit, now: now, log: log}
	for _, t := range teams {
		s.teams[t.Name] = t
	}
	return s
}

// Restore replays the log's schedule.* and agent.state records in order.
func (s *Service) Restore(recs []routing.Record) error {
	return routing.Replay(&s.mu, s.apply, recs)
}

func (s *Service) apply(rec *routing.Record) error {
	if rec.Type == routing.EvAgentState {
		return s.tl.Apply(rec)
	}
	return s.book.Apply(rec)
}

// Observe folds an agent.state record from the live feed in.
func (s *Service) Observe(rec *routing.Record) {
	if rec.Type != routing.EvAgentState {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.tl.Apply(rec); err != nil {
		s.log.Warn("workforce: agent.state not read", "seq", rec.Seq, "err", err)
	}
}

// decide runs fn in the engine loop under the lock and applies the record
// the engine wrote.
func (s *Service) decide(ctx context.Context, fn func(now time.Time) (*routing.Record, error)) (*routing.Record, error) {
	recs, err := routing.DecideApplied(ctx, &s.mu, s.submit, s.book.Apply, func(now time.Time) ([]*routing.Record, error) {
		rec, err := fn(now)
		if err != nil {
			return nil, err
		}
		return []*routing.Record{rec}, nil
	})
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// Shifts is the shift templates.
func (s *Service) Shifts() []ShiftConfig { return slices.Clone(s.cfg.Shifts) }

// Check is every problem of entries, for an import's per-line report.
func (s *Service) Check(team, month string, entries []Entry) []error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.CheckEntries(team, month, entries)
}

// Save replaces team's draft of month. Errors: *FieldError.
func (s *Service) Save(ctx context.Context, team, month string, entries []Entry, by string) (Schedule, error) {
	if _, err := s.decide(ctx, func(now time.Time) (*routing.Record, error) {
		return s.book.DecideSave(team, month, entries, by, now)
	}); err != nil {
		return Schedule{}, err
	}
	return s.Get(team, month)
}

// Publish publishes team's draft of month; override (a supervisor's, the
// API checks) with a reason publishes past the deadline. Errors:
// ErrNotFound, *StateError, *DeadlineError, *FieldError.
func (s *Service) Publish(ctx context.Context, team, month, by string, override bool, reason string) (Schedule, error) {
	if _, err := s.decide(ctx, func(now time.Time) (*routing.Record, error) {
		return s.book.DecidePublish(team, month, by, override, reason, s.cfg.publishBy(), now)
	}); err != nil {
		return Schedule{}, err
	}
	return s.Get(team, month)
}

// Excuse records an agent's excused problem time. Errors: *FieldError.
func (s *Service) Excuse(ctx context.Context, agent string, from, to time.Time, reason, by string) (ExcusedData, error) {
	rec, err := s.decide(ctx, func(now time.Time) (*routing.Record, error) {
		return s.book.DecideExcuse(agent, from, to, reason, by, now)
	})
	if err != nil {
		return ExcusedData{}, err
	}
	return routing.Decode[ExcusedData](rec)
}

// Get is team's schedule of month.
func (s *Service) Get(team, month string) (Schedule, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sc, ok := s.book.Get(team, month)
	if !ok {
		return Schedule{}, ErrNotFound
	}
	return sc, nil
}

// List is the schedules of month (all if empty).
func (s *Service) List(month string) []Schedule {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.List(month)
}

// Day is one day of an agent's published schedule, as the desk shows it.
type Day struct {
	Date    string    `json:"date"`
	Shift   string    `json:"shift"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Holiday string    `json:"holiday,omitempty"`
}

// Mine is agent's published shifts of month.
func (s *Service) Mine(agent, month string) ([]Day, error) {
	if _, err := parseMonth(month, s.cfg.Location()); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Day{}
	for _, sc := range s.book.List(month) {
		if sc.State != StatePublished {
			continue
		}
		for _, e := range sc.Entries {
			if e.Agent != agent {
				continue
			}
			from, to, _, err := s.book.interval(e)
			if err != nil {
				continue
			}
			out = append(out, Day{Date: e.Date, Shift: e.Shift, Start: from, End: to, Holiday: s.holidays[e.Date]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// Holidays is month's holidays from the configured calendar.
func (s *Service) Holidays(month string) map[string]string {
	out := map[string]string{}
	for d, n := range s.holidays {
		if len(d) >= 7 && d[:7] == month {
			out[d] = n
		}
	}
	return out
}

// Adherence is every published shift of month that is over (its end and
// grace passed), for team ("" all) and agent ("" all).
func (s *Service) Adherence(month, team, agent string) ([]ShiftResult, error) {
	if _, err := parseMonth(month, s.cfg.Location()); err != nil {
		return nil, err
	}
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []ShiftResult
	for _, sc := range s.book.List(month) {
		if sc.State != StatePublished || team != "" && sc.Team != team {
			continue
		}
		for _, e := range sc.Entries {
			if agent != "" && e.Agent != agent {
				continue
			}
			from, to, sh, err := s.book.interval(e)
			if err != nil || to.Add(s.cfg.grace()).After(now) {
				continue
			}
			var ex []Interval
			for _, x := range s.book.excuses {
				if x.Agent == e.Agent && x.from.Before(to) && from.Before(x.to) {
					ex = append(ex, Interval{x.from, x.to})
				}
			}
			r := Adhere(sh, from.Add(-time.Duration(sh.Start)*time.Minute), s.cfg.grace(), s.tl.Changes(e.Agent), ex)
			r.Agent = e.Agent
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date < out[j].Date
		}
		return out[i].Agent < out[j].Agent
	})
	return out, nil
}

// Excuses is the excused problem time of month's agents, in order.
func (s *Service) Excuses() []ExcusedData {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]ExcusedData, 0, len(s.book.excuses))
	for _, x := range s.book.excuses {
		out = append(out, x.ExcusedData)
	}
	return out
}

// FloorTeam is a team now: scheduled, signed in and ready agents, and
// whether ready is under the team's minimum.
type FloorTeam struct {
	Team      string `json:"team"`
	Scheduled int    `json:"scheduled"`
	SignedIn  int    `json:"signed_in"`
	Ready     int    `json:"ready"`
	Minimum   int    `json:"minimum"`
	Below     bool   `json:"below"`
}

// Floor is every team now (就餐时间务必保证不空岗: the wallboard flags a
// team whose ready agents are under its minimum while it is scheduled).
func (s *Service) Floor() []FloorTeam {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	byTeam := map[string]*FloorTeam{}
	for name, t := range s.teams {
		byTeam[name] = &FloorTeam{Team: name, Minimum: t.MinReady}
	}
	// Shifts that started yesterday may still run: look at both months.
	loc := s.cfg.Location()
	months := []string{now.In(loc).Format("2006-01"), now.In(loc).AddDate(0, 0, -1).Format("2006-01")}
	seen := map[string]bool{}
	for _, m := range slices.Compact(months) {
		for _, sc := range s.book.List(m) {
			ft := byTeam[sc.Team]
			if sc.State != StatePublished || ft == nil {
				continue
			}
			for _, e := range sc.Entries {
				from, to, _, err := s.book.interval(e)
				if err != nil || now.Before(from) || !now.Before(to) || seen[e.Agent] {
					continue
				}
				seen[e.Agent] = true
				ft.Scheduled++
				st := At(s.tl.Changes(e.Agent), now)
				if st.SignedIn {
					ft.SignedIn++
				}
				if st.Ready {
					ft.Ready++
				}
			}
		}
	}
	out := make([]FloorTeam, 0, len(byTeam))
	for _, ft := range byTeam {
		ft.Below = ft.Scheduled > 0 && ft.Ready < ft.Minimum
		out = append(out, *ft)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Team < out[j].Team })
	return out
}

// Groupings of the adherence report.
const (
	GroupAgent = "agent"
	GroupTeam  = "team"
	GroupDay   = "day"
	GroupMonth = "month"
)

var adherenceColumns = []report.Column{
	{Key: "shifts", Label: "Scheduled shifts", Unit: report.UnitCount, Definition: "Published shifts that are over."},
	{Key: "present", Label: "Days present", Unit: report.UnitCount, Definition: "Shifts with any time signed in."},
	{Key: "attendance", Label: "Attendance %", Unit: report.UnitPercent, Definition: "Days present over scheduled shifts (target ≥ 95%)."},
	{Key: "scheduled", Label: "Scheduled time", Unit: report.UnitSeconds, Definition: "Length of the scheduled shifts."},
	{Key: "signed_in", Label: "Signed in within schedule", Unit: report.UnitSeconds, Definition: "Time signed in inside the scheduled shifts."},
	{Key: "adherence", Label: "Login adherence %", Unit: report.UnitPercent, Definition: "Signed in within schedule over scheduled time (登陆吻合度, target ≥ 92%)."},
	{Key: "excused", Label: "Excused problem time", Unit: report.UnitSeconds, Definition: "Signed-out time in shifts a lead excused (问题时长)."},
	{Key: "adherence_excused", Label: "Adherence with excused %", Unit: report.UnitPercent, Definition: "Signed in plus excused, over scheduled time."},
	{Key: "late_ins", Label: "Late sign-ins", Unit: report.UnitCount, Definition: "Shifts not signed in by 5 minutes before the start."},
	{Key: "early_outs", Label: "Early sign-outs", Unit: report.UnitCount, Definition: "Shifts signed out before 5 minutes after the end."},
	{Key: "overrun", Label: "Break overrun", Unit: report.UnitSeconds, Definition: "Not-ready time outside break/meal windows or past their allowance."},
}

func f(v float64) *float64 { return &v }

func summaryValues(s Summary) []*float64 {
	return []*float64{f(float64(s.Shifts)), f(float64(s.Present)), f(s.Attendance()), f(s.Scheduled.Seconds()),
		f(s.SignedIn.Seconds()), f(s.Adherence()), f(s.Excused.Seconds()), f(s.AdherenceExcused()),
		f(float64(s.LateIns)), f(float64(s.EarlyOuts)), f(s.Overrun.Seconds())}
}

// Report is the adherence and attendance report of month by group
// (agent, team, day or month), for team ("" all).
func (s *Service) Report(month, group, team string) (*report.Table, error) {
	start, err := parseMonth(month, s.cfg.Location())
	if err != nil {
		return nil, err
	}
	return s.ReportSpan(start, start.AddDate(0, 1, -1), group, team)
}

// groupNames are the groupings' header names (report.Localized has them
// in Chinese).
var groupNames = map[string]string{GroupAgent: "Agent", GroupTeam: "Team", GroupDay: "Day", GroupMonth: "Month"}

// ReportSpan is the adherence and attendance report of the shifts
// starting on the days from through to (included; civil dates, each
// read in its own location) by group, for team ("" all): the report
// catalogue's adherence and its scheduled exports.
func (s *Service) ReportSpan(from, to time.Time, group, team string) (*report.Table, error) {
	if group == "" {
		group = GroupAgent
	}
	if groupNames[group] == "" {
		return nil, &FieldError{Field: "group", Reason: "must be agent, team, day or month"}
	}
	loc := s.cfg.Location()
	first, last := from.Format(time.DateOnly), to.Format(time.DateOnly)
	if last < first {
		return nil, &FieldError{Field: "to", Reason: "must not be before from"}
	}
	var rs []ShiftResult
	// Month by month: a shift belongs to the month of the day it starts.
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, loc); m.Format(time.DateOnly) <= last; m = m.AddDate(0, 1, 0) {
		mr, err := s.Adherence(m.Format("2006-01"), team, "")
		if err != nil {
			return nil, err
		}
		for _, r := range mr {
			if r.Date >= first && r.Date <= last {
				rs = append(rs, r)
			}
		}
	}
	s.mu.RLock()
	roster := s.book.roster
	s.mu.RUnlock()
	rows := map[string]*Summary{}
	var total Summary
	for _, r := range rs {
		k := r.Agent
		switch group {
		case GroupTeam:
			k = roster[r.Agent]
		case GroupDay:
			k = r.Date
		case GroupMonth:
			k = r.Date[:7]
		}
		if rows[k] == nil {
			rows[k] = &Summary{Key: k}
		}
		rows[k].Add(r)
		total.Add(r)
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tb := &report.Table{Report: "adherence", Title: "Login adherence and attendance", Group: group, GroupName: groupNames[group],
		From: first, To: last, TimeZone: loc.String(), Columns: adherenceColumns, Rows: []report.Row{},
		Notes: []string{fmt.Sprintf("Published shifts over by %s, counted on the day they start; definitions in docs/kpis.md (Workforce).", s.now().Format(time.RFC3339))}}
	for _, k := range keys {
		tb.Rows = append(tb.Rows, report.Row{Key: k, Label: k, Values: summaryValues(*rows[k])})
	}
	tb.Total = report.Row{Key: "total", Label: "Total", Values: summaryValues(total)}
	return tb, nil
}

// RequestLeave files a leave request. Errors: *FieldError, *DeadlineError.
func (s *Service) RequestLeave(ctx context.Context, agent, from, to, reason, by string) (Leave, error) {
	rec, err := s.decide(ctx, func(now time.Time) (*routing.Record, error) {
		return s.book.DecideLeave(agent, from, to, reason, by, s.cfg.requestsBy(), now)
	})
	if err != nil {
		return Leave{}, err
	}
	d, err := routing.Decode[LeaveData](rec)
	if err != nil {
		return Leave{}, err
	}
	return s.Leave(d.ID)
}

// DecideLeave approves, refuses or withdraws a pending request; role is
// the decider's (its limit applies). Errors: ErrNoLeave,
// *LeaveStateError, *LimitError, *FieldError.
func (s *Service) DecideLeave(ctx context.Context, id string, decision LeaveState, by, role, note string) (Leave, error) {
	if _, err := s.decide(ctx, func(time.Time) (*routing.Record, error) {
		return s.book.DecideLeaveDecision(id, decision, by, role, note, s.cfg.Leave)
	}); err != nil {
		return Leave{}, err
	}
	return s.Leave(id)
}

// Leave is one request.
func (s *Service) Leave(id string) (Leave, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, ok := s.book.LeaveByID(id)
	if !ok {
		return Leave{}, ErrNoLeave
	}
	return l, nil
}

// Leaves is the requests of agent and/or team ("" all), newest first.
func (s *Service) Leaves(agent, team string) []Leave {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Leaves(agent, team)
}

func (s *Service) minimums() map[string]int {
	m := map[string]int{}
	for n, t := range s.teams {
		m[n] = t.MinReady
	}
	return m
}

// RequestSwap files a swap of a's shift on aDate with b's on bDate.
// Errors: *FieldError, *RuleError.
func (s *Service) RequestSwap(ctx context.Context, a, aDate, b, bDate, by string) (Swap, error) {
	rec, err := s.decide(ctx, func(now time.Time) (*routing.Record, error) {
		return s.book.DecideSwap(a, aDate, b, bDate, by, s.holidays, s.minimums(), now)
	})
	if err != nil {
		return Swap{}, err
	}
	d, err := routing.Decode[SwapData](rec)
	if err != nil {
		return Swap{}, err
	}
	return s.Swap(d.ID)
}

// DecideSwap approves (for teams) or refuses a pending swap. Errors:
// ErrNoSwap, *LeaveStateError, *RuleError, *FieldError.
func (s *Service) DecideSwap(ctx context.Context, id, decision string, teams []string, by string) (Swap, error) {
	if _, err := s.decide(ctx, func(time.Time) (*routing.Record, error) {
		return s.book.DecideSwapDecision(id, decision, teams, by, s.minimums())
	}); err != nil {
		return Swap{}, err
	}
	return s.Swap(id)
}

// Swap is one swap request.
func (s *Service) Swap(id string) (Swap, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, sw := range s.book.Swaps("") {
		if sw.ID == id {
			return sw, nil
		}
	}
	return Swap{}, ErrNoSwap
}

// Swaps is the swaps involving team ("" all), newest first.
func (s *Service) Swaps(team string) []Swap {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Swaps(team)
}

// WriteHandover adds an entry to the handover log. Errors: *FieldError.
func (s *Service) WriteHandover(ctx context.Context, d HandoverData) (Handover, error) {
	rec, err := s.decide(ctx, func(time.Time) (*routing.Record, error) { return s.book.DecideHandover(d) })
	if err != nil {
		return Handover{}, err
	}
	w, err := routing.Decode[HandoverData](rec)
	if err != nil {
		return Handover{}, err
	}
	return s.Handover(w.ID)
}

// AckHandover acknowledges an entry. Errors: ErrNoHandover,
// *LeaveStateError, *FieldError.
func (s *Service) AckHandover(ctx context.Context, id, by string) (Handover, error) {
	if _, err := s.decide(ctx, func(time.Time) (*routing.Record, error) { return s.book.DecideAck(id, by) }); err != nil {
		return Handover{}, err
	}
	return s.Handover(id)
}

// Handover is one entry.
func (s *Service) Handover(id string) (Handover, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if h := s.book.handover(id); h != nil {
		return *h, nil
	}
	return Handover{}, ErrNoHandover
}

// Handovers is team's ("" all) entries, newest first.
func (s *Service) Handovers(team string) []Handover {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Handovers(team)
}
