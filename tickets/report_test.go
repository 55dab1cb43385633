package tickets

import (
	"testing"
	"time"

	"switchboard/report"
	"switchboard/routing"
)

// The report counts tickets by the day they were created: dispatched in
// time, dispatched late, still new past the deadline, resolved and the
// average resolution time, by category and by team.
func TestReport(t *testing.T) {
	ctx := t.Context()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	l := &fakeLog{now: day.Add(9 * time.Hour)}
	s := NewService(Config{Categories: []CategoryConfig{
		{Name: "complaint", DispatchWithin: routing.Duration(30 * time.Minute)}, {Name: "billing"}, {Name: "unused"}},
	}, nil, l.submit, func() time.Time { return l.now }, nil)
	s.SetLocation(time.UTC)
	mk := func(cat string) string {
		tk, err := s.Create(ctx, NewTicket{Customer: "1", Category: cat, Source: "api", By: "crm"})
		if err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	step := func(id string, a Action, team string) {
		if _, err := s.Transition(ctx, TransitionRequest{ID: id, Action: a, Team: team, By: "lead"}); err != nil {
			t.Fatal(err)
		}
	}
	inTime, late, _, bill := mk("complaint"), mk("complaint"), mk("complaint"), mk("billing")
	l.now = l.now.Add(10 * time.Minute)
	step(inTime, ActDispatch, "front")
	step(bill, ActDispatch, "back")
	l.now = l.now.Add(40 * time.Minute) // 50 minutes after creation
	step(late, ActDispatch, "front")
	step(inTime, ActStart, "")
	l.now = l.now.Add(70 * time.Minute) // two hours after creation
	if _, err := s.Transition(ctx, TransitionRequest{ID: inTime, Action: ActResolve, By: "a1"}); err != nil {
		t.Fatal(err)
	}
	l.now = l.now.Add(24 * time.Hour) // a ticket of the next day is not in the period
	mk("complaint")

	tb, err := s.Report("category", report.PeriodCustom, "2026-03-02", "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]float64{}
	for _, r := range append(tb.Rows, tb.Total) {
		var vs []float64
		for _, v := range r.Values {
			if v == nil {
				vs = append(vs, -1)
			} else {
				vs = append(vs, *v)
			}
		}
		got[r.Key] = vs
	}
	want := map[string][]float64{
		//            created dispatched in-SLA in-SLA% overdue resolved avg-resolution
		"complaint": {3, 2, 1, 33.3, 2, 1, 7200},
		"billing":   {1, 1, 1, 100, 0, 0, -1},
		"unused":    {0, 0, 0, -1, 0, 0, -1},
		"total":     {4, 3, 2, 50, 2, 1, 7200},
	}
	for k, w := range want {
		if g := got[k]; len(g) != len(w) || !equal(g, w) {
			t.Errorf("%s: %v, want %v", k, g, w)
		}
	}
	tb, err = s.Report("team", report.PeriodCustom, "2026-03-02", "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	teams := map[string]float64{}
	for _, r := range tb.Rows {
		teams[r.Key] = *r.Values[0]
	}
	if teams["front"] != 2 || teams["back"] != 1 || teams[NotDispatched] != 1 {
		t.Fatalf("by team %v", teams)
	}
	if _, err := s.Report("colour", "", "", ""); err == nil {
		t.Fatal("unknown grouping accepted")
	}
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
