package workforce

import (
	"context"
	"fmt"
	"time"

	"switchboard/report"
)

// Staffing (Erlang C): the agents required per 30-minute interval of a
// day, from the logged volume and handle time of the same weekday in the
// weeks before (report.Load, from the rollups of the call records) and
// each queue's service-level target, shown against the agents the
// published schedules have on shift then.

// StaffingInterval is the length of a staffing interval.
const StaffingInterval = 30 * time.Minute

// StaffingWeeks is how many earlier same weekdays the forecast averages.
const StaffingWeeks = 4

// Target is a queue's service-level target: Percent of calls answered
// within Within.
type Target struct {
	Percent float64
	Within  time.Duration
}

// DefaultTarget is used for a queue without one (80% in 20 s).
var DefaultTarget = Target{Percent: 80, Within: 20 * time.Second}

// LoadFunc reads the logged load of [from, to) (report.Builder.Load).
type LoadFunc func(ctx context.Context, from, to time.Time) ([]report.Load, error)

// Staffer forecasts staffing over a Service's schedules.
type Staffer struct {
	svc     *Service
	load    LoadFunc
	targets map[string]Target
}

// NewStaffer is a Staffer reading load, with each queue's target.
func NewStaffer(svc *Service, load LoadFunc, targets map[string]Target) *Staffer {
	return &Staffer{svc: svc, load: load, targets: targets}
}

// StaffedInterval is one 30-minute interval of a Staffing.
type StaffedInterval struct {
	Start     time.Time `json:"start"`
	Calls     float64   `json:"calls"`    // forecast: the weeks' average offered
	AHT       float64   `json:"aht_s"`    // handled-weighted over the queues, seconds
	Required  int       `json:"required"` // Σ over queues of Erlang C's agents for the queue's target
	Scheduled int       `json:"scheduled"`
	Gap       int       `json:"gap"` // scheduled − required: < 0 under-staffed
}

// Staffing is a day's forecast against its schedule.
type Staffing struct {
	Date      string            `json:"date"`
	Team      string            `json:"team,omitempty"`
	Weeks     int               `json:"weeks"`
	Intervals []StaffedInterval `json:"intervals"`
}

type slotLoad struct{ offered, handled, handleS float64 }

// Staffing is date's 48 intervals for team ("" every team's scheduled
// agents). Errors: *FieldError.
func (st *Staffer) Staffing(ctx context.Context, date, team string) (Staffing, error) {
	loc := st.svc.cfg.Location()
	day, err := time.ParseInLocation(time.DateOnly, date, loc)
	if err != nil {
		return Staffing{}, &FieldError{Field: "date", Reason: fmt.Sprintf("%q is not YYYY-MM-DD", date)}
	}
	if _, ok := st.svc.teams[team]; team != "" && !ok {
		return Staffing{}, &FieldError{Field: "team", Reason: fmt.Sprintf("unknown team %q", team)}
	}
	const slots = int(24 * time.Hour / StaffingInterval)
	per := map[string]*[slots]slotLoad{}
	for w := 1; w <= StaffingWeeks; w++ {
		from := day.AddDate(0, 0, -7*w)
		loads, err := st.load(ctx, from, from.AddDate(0, 0, 1))
		if err != nil {
			return Staffing{}, err
		}
		for _, l := range loads {
			i := int(l.Start.Sub(from) / StaffingInterval)
			if i < 0 || i >= slots {
				continue
			}
			if per[l.Queue] == nil {
				per[l.Queue] = &[slots]slotLoad{}
			}
			p := &per[l.Queue][i]
			p.offered, p.handled, p.handleS = p.offered+l.Offered, p.handled+l.Handled, p.handleS+l.HandleS
		}
	}
	// A queue's AHT where an interval handled nothing: its day's.
	dayAHT := map[string]float64{}
	for q, ps := range per {
		var h, s float64
		for _, p := range ps {
			h, s = h+p.handled, s+p.handleS
		}
		if h > 0 {
			dayAHT[q] = s / h
		}
	}
	out := Staffing{Date: date, Team: team, Weeks: StaffingWeeks, Intervals: make([]StaffedInterval, slots)}
	st.svc.mu.RLock()
	defer st.svc.mu.RUnlock()
	entries := st.svc.book.entriesAround(team, day)
	for i := range slots {
		start := day.Add(time.Duration(i) * StaffingInterval)
		iv := StaffedInterval{Start: start, Scheduled: st.svc.book.coverage(entries, start)}
		var handled, handleS float64
		for q, ps := range per {
			p := ps[i]
			calls := p.offered / StaffingWeeks
			aht := dayAHT[q]
			if p.handled > 0 {
				aht = p.handleS / p.handled
			}
			tg, ok := st.targets[q]
			if !ok {
				tg = DefaultTarget
			}
			iv.Calls += calls
			iv.Required += AgentsRequired(calls, time.Duration(aht*float64(time.Second)), StaffingInterval, tg.Percent, tg.Within)
			handled, handleS = handled+p.handled, handleS+p.handleS
		}
		if handled > 0 {
			iv.AHT = handleS / handled
		}
		iv.Gap = iv.Scheduled - iv.Required
		out.Intervals[i] = iv
	}
	return out, nil
}

// entriesAround is the published entries of team ("" all) starting on
// day or the day before (a night shift reaching into day).
func (b *Book) entriesAround(team string, day time.Time) []Entry {
	var out []Entry
	for _, d := range []time.Time{day.AddDate(0, 0, -1), day} {
		ds := d.Format(time.DateOnly)
		for _, s := range b.sched {
			if s.State != StatePublished || s.Month != ds[:7] || team != "" && s.Team != team {
				continue
			}
			for _, e := range s.Entries {
				if e.Date == ds {
					out = append(out, e)
				}
			}
		}
	}
	return out
}
