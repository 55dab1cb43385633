package workforce

import (
	"testing"
	"time"

	"switchboard/routing"
)

var cst = time.FixedZone("+08:00", 8*3600)

func mustShift(t *testing.T, sc ShiftConfig) Shift {
	t.Helper()
	sh, err := sc.template()
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

// ch builds a timeline from "HH:MM state" pairs on day (a "+1" prefix is
// the next day).
func ch(t *testing.T, day time.Time, steps ...string) []Change {
	t.Helper()
	var cs []Change
	for _, s := range steps {
		var next int
		if s[:2] == "+1" {
			next, s = 1, s[3:]
		}
		m, err := clock(s[:5])
		if err != nil {
			t.Fatal(err)
		}
		at := day.AddDate(0, 0, next).Add(time.Duration(m) * time.Minute)
		cs = append(cs, Change{At: at, Status: statusOf(s[6:])})
	}
	return cs
}

func TestAdhere(t *testing.T) {
	day := time.Date(2027, 1, 5, 0, 0, 0, 0, cst)
	dayShift := ShiftConfig{Name: "day", Start: "09:00", End: "17:00",
		Breaks: []Window{{Start: "10:00", End: "11:00", Allowance: routing.Duration(15 * time.Minute)}},
		Meals:  []Window{{Start: "12:00", End: "13:00", Allowance: routing.Duration(30 * time.Minute)}}}
	night := ShiftConfig{Name: "night", Start: "22:00", End: "06:00",
		Breaks: []Window{{Start: "02:00", End: "03:00", Allowance: routing.Duration(20 * time.Minute)}}}
	min := time.Minute
	tests := []struct {
		name    string
		shift   ShiftConfig
		steps   []string
		excused []Interval
		want    ShiftResult
	}{
		{name: "on time, whole shift", shift: dayShift, steps: []string{"08:55 ready", "17:05 signed_out"},
			want: ShiftResult{Scheduled: 480 * min, SignedIn: 480 * min, Present: true}},
		{name: "late sign-in and early sign-out", shift: dayShift, steps: []string{"09:10 ready", "16:30 signed_out"},
			want: ShiftResult{Scheduled: 480 * min, SignedIn: 440 * min, Present: true,
				LateIn: true, LateBy: 15 * min, EarlyOut: true, EarlyBy: 35 * min}},
		{name: "signed in 2 minutes before: late against the 5-minute rule", shift: dayShift,
			steps: []string{"08:58 ready", "17:05 signed_out"},
			want:  ShiftResult{Scheduled: 480 * min, SignedIn: 480 * min, Present: true, LateIn: true, LateBy: 3 * min}},
		{name: "signed out at the end: early against the 5-minute rule", shift: dayShift,
			steps: []string{"08:50 ready", "17:00 signed_out"},
			want:  ShiftResult{Scheduled: 480 * min, SignedIn: 480 * min, Present: true, EarlyOut: true, EarlyBy: 5 * min}},
		{name: "break overrun and a not-ready outside every window", shift: dayShift,
			steps: []string{"08:50 ready", "10:00 not_ready", "10:25 ready", "12:00 not_ready", "12:30 ready",
				"15:00 not_ready", "15:05 ready", "17:10 signed_out"},
			want: ShiftResult{Scheduled: 480 * min, SignedIn: 480 * min, Present: true,
				NotReady: 60 * min, Overrun: 15 * min}},
		{name: "excused problem time while signed out", shift: dayShift,
			steps:   []string{"08:50 ready", "11:00 signed_out", "12:00 ready", "17:10 signed_out"},
			excused: []Interval{{day.Add(11 * time.Hour), day.Add(11*time.Hour + 40*time.Minute)}},
			want:    ShiftResult{Scheduled: 480 * min, SignedIn: 420 * min, Excused: 40 * min, Present: true}},
		{name: "absent", shift: dayShift,
			want: ShiftResult{Scheduled: 480 * min, LateIn: true, LateBy: 485 * min}},
		{name: "night shift crossing midnight", shift: night,
			steps: []string{"21:50 ready", "+1 02:00 not_ready", "+1 02:30 ready", "+1 05:00 signed_out"},
			want: ShiftResult{Scheduled: 480 * min, SignedIn: 420 * min, Present: true,
				NotReady: 30 * min, Overrun: 10 * min, EarlyOut: true, EarlyBy: 65 * min}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Adhere(mustShift(t, tc.shift), day, 5*time.Minute, ch(t, day, tc.steps...), tc.excused)
			tc.want.Date, tc.want.Shift = "2027-01-05", tc.shift.Name
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// The same instants read in two fixed zones give the same result on the
// zones' own day: nothing depends on the machine's zone.
func TestAdhereFixedOffsets(t *testing.T) {
	sc := ShiftConfig{Name: "day", Start: "09:00", End: "17:00"}
	for _, loc := range []*time.Location{time.UTC, cst, time.FixedZone("-05:00", -5*3600)} {
		day := time.Date(2027, 3, 14, 0, 0, 0, 0, loc)
		got := Adhere(mustShift(t, sc), day, 5*time.Minute, ch(t, day, "08:55 ready", "13:00 signed_out"), nil)
		if got.SignedIn != 4*time.Hour || got.Scheduled != 8*time.Hour {
			t.Errorf("%v: %+v", loc, got)
		}
	}
}

func TestSummary(t *testing.T) {
	var s Summary
	s.Add(ShiftResult{Scheduled: 8 * time.Hour, SignedIn: 7 * time.Hour, Excused: 30 * time.Minute, Present: true})
	s.Add(ShiftResult{Scheduled: 8 * time.Hour})
	if s.Adherence() != 43.75 || s.AdherenceExcused() != 46.875 || s.Attendance() != 50 {
		t.Errorf("%v %v %v", s.Adherence(), s.AdherenceExcused(), s.Attendance())
	}
}
