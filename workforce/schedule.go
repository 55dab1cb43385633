package workforce

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"switchboard/routing"
)

// State is a month schedule's state: draft → published.
type State string

// A schedule is a draft until published; a published month is final.
const (
	StateDraft     State = "draft"
	StatePublished State = "published"
)

// Entry is one agent on one shift on one day.
type Entry struct {
	Agent string `json:"agent"`
	Date  string `json:"date"` // 2027-01-05, the day the shift starts
	Shift string `json:"shift"`
}

// Schedule is a team's month as the Book holds it.
type Schedule struct {
	Team        string    `json:"team"`
	Month       string    `json:"month"`
	State       State     `json:"state"`
	Entries     []Entry   `json:"entries"`
	SavedBy     string    `json:"saved_by"`
	SavedAt     time.Time `json:"saved_at"`
	PublishedBy string    `json:"published_by,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Late        bool      `json:"late,omitempty"`
	LateReason  string    `json:"late_reason,omitempty"`
}

// Excuse is excused problem time.
type Excuse struct {
	ExcusedData
	At       time.Time `json:"at"`
	from, to time.Time
}

// FieldError is bad input, naming the field.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// StateError is a change the schedule's state does not allow (→ 409).
type StateError struct {
	Team, Month string
	State       State
	Action      string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("schedule %s %s is %s: cannot %s", e.Team, e.Month, e.State, e.Action)
}

// DeadlineError is a rule's deadline passed; a supervisor may override
// it with a reason.
type DeadlineError struct {
	Rule     string // publish_by
	Month    string
	Deadline time.Time
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("%s: the schedule for %s was due by %s; a supervisor may publish it late with a reason",
		e.Rule, e.Month, e.Deadline.Add(-time.Minute).Format("2006-01-02 15:04"))
}

// ErrNotFound: no such schedule.
var ErrNotFound = errors.New("workforce: no such schedule")

// Roster is what the Book needs of the routing config: each agent's team.
type Roster map[string]string // agent → team

// Book is the projection of the workforce records. Decide* are pure: they
// check a request against the book and return the record to append; only
// Apply changes it.
type Book struct {
	shifts  map[string]Shift
	loc     *time.Location
	roster  Roster
	sched   map[string]*Schedule // team/month
	excuses []Excuse
	leaves  []*Leave
	swaps   []*Swap
	// handovers are the handover log's entries, in order.
	handovers []*Handover
}

// NewBook is an empty book over the shift templates (Validate has checked
// them) in loc.
func NewBook(cfg Config, roster Roster) *Book {
	b := &Book{shifts: map[string]Shift{}, loc: cfg.Location(), roster: roster, sched: map[string]*Schedule{}}
	for _, sc := range cfg.Shifts {
		if sh, err := sc.template(); err == nil {
			b.shifts[sc.Name] = sh
		}
	}
	return b
}

func key(team, month string) string { return team + "/" + month }

// parseMonth reads "2027-01" in loc.
func parseMonth(m string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", m, loc)
	if err != nil || len(m) != 7 {
		return time.Time{}, &FieldError{Field: "month", Reason: fmt.Sprintf("%q is not YYYY-MM", m)}
	}
	return t, nil
}

// interval is when e is worked.
func (b *Book) interval(e Entry) (time.Time, time.Time, Shift, error) {
	sh, ok := b.shifts[e.Shift]
	if !ok {
		return time.Time{}, time.Time{}, Shift{}, fmt.Errorf("unknown shift %q", e.Shift)
	}
	d, err := time.ParseInLocation(time.DateOnly, e.Date, b.loc)
	if err != nil {
		return time.Time{}, time.Time{}, Shift{}, fmt.Errorf("date %q is not YYYY-MM-DD", e.Date)
	}
	from, to := sh.On(d)
	return from, to, sh, nil
}

func record(typ string, v any) (*routing.Record, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("workforce: %w", err)
	}
	rec := &routing.Record{Type: typ}
	rec.SetPayload(v, data)
	return rec, nil
}

// CheckEntries is every problem of entries for team's month, one
// *FieldError per entry ("entries[3].shift"), none if they are fine.
func (b *Book) CheckEntries(team, month string, entries []Entry) []error {
	start, err := parseMonth(month, b.loc)
	if err != nil {
		return []error{err}
	}
	var errs []error
	type iv struct {
		from, to time.Time
		i        int
	}
	byAgent := map[string][]iv{}
	seen := map[Entry]bool{}
	for i, e := range entries {
		f := fmt.Sprintf("entries[%d]", i)
		at, ok := b.roster[e.Agent]
		switch {
		case e.Agent == "":
			errs = append(errs, &FieldError{Field: f + ".agent", Reason: "required"})
			continue
		case !ok:
			errs = append(errs, &FieldError{Field: f + ".agent", Reason: fmt.Sprintf("unknown agent %q", e.Agent)})
			continue
		case at != team:
			errs = append(errs, &FieldError{Field: f + ".agent", Reason: fmt.Sprintf("agent %q is not in team %q", e.Agent, team)})
			continue
		case seen[e]:
			errs = append(errs, &FieldError{Field: f, Reason: "duplicate entry"})
			continue
		}
		seen[e] = true
		if _, ok := b.shifts[e.Shift]; !ok {
			errs = append(errs, &FieldError{Field: f + ".shift", Reason: fmt.Sprintf("unknown shift %q", e.Shift)})
			continue
		}
		from, to, _, err := b.interval(e)
		if err != nil {
			errs = append(errs, &FieldError{Field: f + ".date", Reason: err.Error()})
			continue
		}
		if from.Before(start) || !from.Before(start.AddDate(0, 1, 0)) {
			errs = append(errs, &FieldError{Field: f + ".date", Reason: fmt.Sprintf("%s is not in %s", e.Date, month)})
			continue
		}
		for _, o := range byAgent[e.Agent] {
			if from.Before(o.to) && o.from.Before(to) {
				errs = append(errs, &FieldError{Field: f + ".shift",
					Reason: fmt.Sprintf("overlaps entries[%d]: agent %s on %s %s", o.i, e.Agent, entries[o.i].Date, entries[o.i].Shift)})
			}
		}
		byAgent[e.Agent] = append(byAgent[e.Agent], iv{from, to, i})
	}
	return errs
}

// DecideSave is the schedule.saved record replacing team's draft of month.
// Errors: *FieldError (the first of CheckEntries), *StateError.
func (b *Book) DecideSave(team, month string, entries []Entry, by string, now time.Time) (*routing.Record, error) {
	if team == "" || !slices.Contains(b.teams(), team) {
		return nil, &FieldError{Field: "team", Reason: fmt.Sprintf("unknown team %q", team)}
	}
	start, err := parseMonth(month, b.loc)
	if err != nil {
		return nil, err
	}
	if !now.In(b.loc).Before(start.AddDate(0, 1, 0)) {
		return nil, &FieldError{Field: "month", Reason: month + " is over"}
	}
	if s := b.sched[key(team, month)]; s != nil && s.State == StatePublished {
		return nil, &FieldError{Field: "month", Reason: fmt.Sprintf("the schedule of %s for %s is already published", team, month)}
	}
	if errs := b.CheckEntries(team, month, entries); len(errs) > 0 {
		return nil, errs[0]
	}
	es := slices.Clone(entries)
	if es == nil {
		es = []Entry{}
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Date != es[j].Date {
			return es[i].Date < es[j].Date
		}
		return es[i].Agent < es[j].Agent
	})
	return record(EvScheduleSaved, SavedData{Team: team, Month: month, Entries: es, By: by})
}

// PublishDeadline is the end of the day month's schedule is due: day
// publishBy of the month before (clamped to its last day).
func PublishDeadline(month time.Time, publishBy int) time.Time {
	prev := month.AddDate(0, -1, 0)
	last := month.AddDate(0, 0, -1).Day()
	return time.Date(prev.Year(), prev.Month(), min(publishBy, last), 0, 0, 0, 0, month.Location()).AddDate(0, 0, 1)
}

// DecidePublish is the schedule.published record for team's draft of
// month. Past the deadline it needs override (a supervisor's) and a
// reason. Errors: ErrNotFound, *StateError, *DeadlineError, *FieldError.
func (b *Book) DecidePublish(team, month, by string, override bool, reason string, publishBy int, now time.Time) (*routing.Record, error) {
	start, err := parseMonth(month, b.loc)
	if err != nil {
		return nil, err
	}
	s := b.sched[key(team, month)]
	if s == nil {
		return nil, ErrNotFound
	}
	if s.State == StatePublished {
		return nil, &StateError{Team: team, Month: month, State: s.State, Action: "publish"}
	}
	d := PublishDeadline(start, publishBy)
	late := !now.Before(d)
	if late && !override {
		return nil, &DeadlineError{Rule: "publish_by", Month: month, Deadline: d}
	}
	if late && strings.TrimSpace(reason) == "" {
		return nil, &FieldError{Field: "reason", Reason: "required to publish past the deadline"}
	}
	if !late {
		reason = ""
	}
	return record(EvSchedulePublished, PublishedData{Team: team, Month: month, By: by, Late: late, Reason: reason})
}

// DecideExcuse is the schedule.excused record for an agent's problem time.
func (b *Book) DecideExcuse(agent string, from, to time.Time, reason, by string, now time.Time) (*routing.Record, error) {
	if agent == "" {
		return nil, &FieldError{Field: "agent", Reason: "required"}
	}
	if _, ok := b.roster[agent]; !ok {
		return nil, &FieldError{Field: "agent", Reason: fmt.Sprintf("unknown agent %q", agent)}
	}
	switch {
	case !from.Before(to):
		return nil, &FieldError{Field: "to", Reason: "must be after from"}
	case to.Sub(from) > 24*time.Hour:
		return nil, &FieldError{Field: "to", Reason: "at most 24h of problem time at once"}
	case to.After(now):
		return nil, &FieldError{Field: "to", Reason: "problem time is excused once it is over"}
	case strings.TrimSpace(reason) == "":
		return nil, &FieldError{Field: "reason", Reason: "required"}
	}
	id := fmt.Sprintf("X%06d", len(b.excuses)+1)
	return record(EvScheduleExcused, ExcusedData{ID: id, Agent: agent, From: from.UTC().Format(time.RFC3339),
		To: to.UTC().Format(time.RFC3339), Reason: reason, By: by})
}

func (b *Book) teams() []string {
	var out []string
	for _, t := range b.roster {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Apply folds one record into the book; other types are ignored.
func (b *Book) Apply(rec *routing.Record) error {
	switch rec.Type {
	case EvScheduleSaved:
		d, err := routing.Decode[SavedData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		s := b.sched[key(d.Team, d.Month)]
		if s == nil {
			s = &Schedule{Team: d.Team, Month: d.Month, State: StateDraft}
			b.sched[key(d.Team, d.Month)] = s
		}
		s.Entries, s.SavedBy, s.SavedAt = d.Entries, d.By, rec.Time
	case EvSchedulePublished:
		d, err := routing.Decode[PublishedData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		s := b.sched[key(d.Team, d.Month)]
		if s == nil {
			return fmt.Errorf("workforce: record %d publishes %s %s, never saved", rec.Seq, d.Team, d.Month)
		}
		s.State, s.PublishedBy, s.PublishedAt, s.Late, s.LateReason = StatePublished, d.By, rec.Time, d.Late, d.Reason
	case EvLeaveRequested, EvLeaveDecided:
		return b.applyLeave(rec)
	case EvSwapRequested, EvSwapDecided:
		return b.applySwap(rec)
	case EvHandoverWritten, EvHandoverAcked:
		return b.applyHandover(rec)
	case EvScheduleExcused:
		d, err := routing.Decode[ExcusedData](rec)
		if err != nil {
			return fmt.Errorf("workforce: %w", err)
		}
		from, err1 := time.Parse(time.RFC3339, d.From)
		to, err2 := time.Parse(time.RFC3339, d.To)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("workforce: record %d: %w", rec.Seq, err)
		}
		b.excuses = append(b.excuses, Excuse{ExcusedData: d, At: rec.Time, from: from, to: to})
	}
	return nil
}

// Get is team's schedule of month.
func (b *Book) Get(team, month string) (Schedule, bool) {
	s := b.sched[key(team, month)]
	if s == nil {
		return Schedule{}, false
	}
	out := *s
	out.Entries = slices.Clone(s.Entries)
	return out, true
}

// List is every schedule of month (all months if empty), by team.
func (b *Book) List(month string) []Schedule {
	var out []Schedule
	for _, s := range b.sched {
		if month == "" || s.Month == month {
			c, _ := b.Get(s.Team, s.Month)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Month != out[j].Month {
			return out[i].Month < out[j].Month
		}
		return out[i].Team < out[j].Team
	})
	return out
}
