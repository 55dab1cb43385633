package workforce

import (
	"time"
)

// ShiftResult is one agent's adherence over one scheduled shift, by the
// definitions in docs/kpis.md ("Workforce").
type ShiftResult struct {
	Agent string `json:"agent"`
	Date  string `json:"date"`
	Shift string `json:"shift"`
	// Scheduled is the shift's length; SignedIn the part of it the agent
	// was signed in; Excused the part a lead excused while signed out.
	Scheduled time.Duration `json:"scheduled_ns"`
	SignedIn  time.Duration `json:"signed_in_ns"`
	Excused   time.Duration `json:"excused_ns"`
	Present   bool          `json:"present"`
	// LateIn: not signed in Grace before the start; LateBy from then to
	// the first sign-in. EarlyOut: signed out before Grace after the end;
	// EarlyBy from the last sign-out to then.
	LateIn   bool          `json:"late_in"`
	LateBy   time.Duration `json:"late_by_ns"`
	EarlyOut bool          `json:"early_out"`
	EarlyBy  time.Duration `json:"early_by_ns"`
	// NotReady is not-ready time in the shift; Overrun the part outside
	// every break/meal window or past a window's allowance.
	NotReady time.Duration `json:"not_ready_ns"`
	Overrun  time.Duration `json:"overrun_ns"`
}

// Interval is a stretch of excused time.
type Interval struct{ From, To time.Time }

// Adhere measures cs against sh on day: pure, from the agent's timeline
// alone.
func Adhere(sh Shift, day time.Time, grace time.Duration, cs []Change, excused []Interval) ShiftResult {
	start, end := sh.On(day)
	r := ShiftResult{Date: day.Format(time.DateOnly), Shift: sh.Name, Scheduled: end.Sub(start)}
	for _, s := range segments(cs, start, end) {
		d := s.to.Sub(s.from)
		if s.SignedIn {
			r.SignedIn += d
			r.Present = true
		} else {
			for _, x := range excused {
				r.Excused += overlap(s.from, s.to, x.From, x.To)
			}
		}
		if s.NotReady {
			r.NotReady += d
		}
	}
	r.Overrun = overrun(sh, start, cs)
	// Sign-in: signed in by start-grace, else late from then to the first
	// sign-in (or the whole shift and its grace if none).
	due := start.Add(-grace)
	if !At(cs, due).SignedIn {
		r.LateIn = true
		r.LateBy = end.Sub(due)
		for _, s := range segments(cs, due, end) {
			if s.SignedIn {
				r.LateBy = s.from.Sub(due)
				break
			}
		}
	}
	// Sign-out: still signed in until end+grace; else early by the time
	// from the last sign-out to then. Absent agents are not early too.
	out := end.Add(grace)
	if r.Present && !At(cs, out.Add(-time.Nanosecond)).SignedIn {
		r.EarlyOut = true
		segs := segments(cs, start, out)
		for i := len(segs) - 1; i >= 0; i-- {
			if segs[i].SignedIn {
				r.EarlyBy = out.Sub(segs[i].to)
				break
			}
		}
	}
	return r
}

// overrun is not-ready time outside every window, plus each window's
// not-ready time past its allowance.
func overrun(sh Shift, start time.Time, cs []Change) time.Duration {
	day := start.Add(-time.Duration(sh.Start) * time.Minute)
	at := func(m int) time.Time { return day.Add(time.Duration(m) * time.Minute) }
	end := at(sh.End)
	var total time.Duration
	for _, s := range segments(cs, start, end) {
		if !s.NotReady {
			continue
		}
		in := time.Duration(0)
		for _, w := range sh.Breaks {
			in += overlap(s.from, s.to, at(w.From), at(w.To))
		}
		total += s.to.Sub(s.from) - in
	}
	for _, w := range sh.Breaks {
		var used time.Duration
		for _, s := range segments(cs, at(w.From), at(w.To)) {
			if s.NotReady {
				used += s.to.Sub(s.from)
			}
		}
		total += max(0, used-w.Allow)
	}
	return total
}

// Summary is adherence and attendance summed over shifts.
type Summary struct {
	Key       string        `json:"key"` // agent, team or date
	Shifts    int           `json:"shifts"`
	Present   int           `json:"present"`
	Scheduled time.Duration `json:"scheduled_ns"`
	SignedIn  time.Duration `json:"signed_in_ns"`
	Excused   time.Duration `json:"excused_ns"`
	LateIns   int           `json:"late_ins"`
	EarlyOuts int           `json:"early_outs"`
	Overrun   time.Duration `json:"overrun_ns"`
}

// Add counts r in.
func (s *Summary) Add(r ShiftResult) {
	s.Shifts++
	if r.Present {
		s.Present++
	}
	s.Scheduled += r.Scheduled
	s.SignedIn += r.SignedIn
	s.Excused += r.Excused
	if r.LateIn {
		s.LateIns++
	}
	if r.EarlyOut {
		s.EarlyOuts++
	}
	s.Overrun += r.Overrun
}

// Adherence is signed in ÷ scheduled, in percent (0 with nothing scheduled).
func (s Summary) Adherence() float64 { return pct(s.SignedIn, s.Scheduled) }

// AdherenceExcused counts excused problem time as signed in.
func (s Summary) AdherenceExcused() float64 { return pct(s.SignedIn+s.Excused, s.Scheduled) }

// Attendance is days present ÷ scheduled shifts, in percent.
func (s Summary) Attendance() float64 {
	if s.Shifts == 0 {
		return 0
	}
	return float64(s.Present) * 100 / float64(s.Shifts)
}

func pct(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) * 100 / float64(b)
}
