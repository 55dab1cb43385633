package workforce

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard/report"
)

// TestStaffing: four earlier Mondays each logged 100 support calls (80% in
// 20 s) and 100 sales calls (90% in 20 s) at 09:00-09:30, 50 support calls
// at 09:30-10:00, all at 180 s AHT: Erlang C asks 14 + 15 agents, then 8
// (TestServiceLevelAndAgentsRequired's values), against the agents the
// published schedule has on shift.
func TestStaffing(t *testing.T) {
	ctx := context.Background()
	l := &fakeLog{now: time.Date(2026, 12, 20, 9, 0, 0, 0, cst)}
	s := newTestService(l)
	for team, es := range map[string][]Entry{
		"sales":   {{"1001", "2027-01-11", "day"}, {"1002", "2027-01-11", "day"}},
		"support": {{"2001", "2027-01-10", "night"}},
	} {
		if _, err := s.Save(ctx, team, "2027-01", es, "lead"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, team, "2027-01", "lead", false, ""); err != nil {
			t.Fatal(err)
		}
	}
	var logged []report.Load
	for w := 1; w <= 4; w++ {
		nine := time.Date(2027, 1, 11, 9, 0, 0, 0, cst).AddDate(0, 0, -7*w)
		for _, q := range []struct {
			queue string
			at    time.Duration
			calls float64
		}{{"support", 0, 50}, {"support", 15 * time.Minute, 50}, {"sales", 0, 60}, {"sales", 15 * time.Minute, 40},
			{"support", 30 * time.Minute, 25}, {"support", 45 * time.Minute, 25}} {
			logged = append(logged, report.Load{Start: nine.Add(q.at), Queue: q.queue, Offered: q.calls, Handled: q.calls, HandleS: q.calls * 180})
		}
	}
	var asked [][2]time.Time
	load := func(_ context.Context, from, to time.Time) ([]report.Load, error) {
		asked = append(asked, [2]time.Time{from, to})
		var out []report.Load
		for _, x := range logged {
			if !x.Start.Before(from) && x.Start.Before(to) {
				out = append(out, x)
			}
		}
		return out, nil
	}
	st := NewStaffer(s, load, map[string]Target{"sales": {Percent: 90, Within: 20 * time.Second}})
	slot := func(hh, mm int) int { return hh*2 + mm/30 }
	tests := []struct {
		name, team string
		slot       int
		calls      float64
		required   int
		scheduled  int
		gap        int
	}{
		{"09:00 all teams", "", slot(9, 0), 200, 29, 2, -27},
		{"09:30 all teams", "", slot(9, 30), 50, 8, 2, -6},
		{"10:00 no calls", "", slot(10, 0), 0, 0, 2, 2},
		{"00:00 the night shift from the day before", "", slot(0, 0), 0, 0, 1, 1},
		{"05:30 still on the night shift", "", slot(5, 30), 0, 0, 1, 1},
		{"06:00 night over", "", slot(6, 0), 0, 0, 0, 0},
		{"09:00 sales only", "sales", slot(9, 0), 200, 29, 2, -27},
		{"00:00 sales only", "sales", slot(0, 0), 0, 0, 0, 0},
		{"16:30 last half hour of the day shift", "", slot(16, 30), 0, 0, 2, 2},
		{"17:00 day over", "", slot(17, 0), 0, 0, 0, 0},
	}
	for _, tc := range tests {
		got, err := st.Staffing(ctx, "2027-01-11", tc.team)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Intervals) != 48 {
			t.Fatalf("%d intervals", len(got.Intervals))
		}
		iv := got.Intervals[tc.slot]
		if iv.Calls != tc.calls || iv.Required != tc.required || iv.Scheduled != tc.scheduled || iv.Gap != tc.gap {
			t.Errorf("%s: %+v, want calls %v required %d scheduled %d gap %d", tc.name, iv, tc.calls, tc.required, tc.scheduled, tc.gap)
		}
		if tc.calls > 0 && iv.AHT != 180 {
			t.Errorf("%s: AHT %v", tc.name, iv.AHT)
		}
	}
	if len(asked) == 0 || !asked[0][0].Equal(time.Date(2027, 1, 4, 0, 0, 0, 0, cst)) || !asked[3][0].Equal(time.Date(2026, 12, 14, 0, 0, 0, 0, cst)) {
		t.Errorf("weeks read: %v", asked[:4])
	}
	var fe *FieldError
	if _, err := st.Staffing(ctx, "2027-1-11", ""); !errors.As(err, &fe) || fe.Field != "date" {
		t.Errorf("bad date: %v", err)
	}
	if _, err := st.Staffing(ctx, "2027-01-11", "nope"); !errors.As(err, &fe) || fe.Field != "team" {
		t.Errorf("unknown team: %v", err)
	}
}
