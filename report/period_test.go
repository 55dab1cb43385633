package report

import (
	"errors"
	"testing"
	"time"
)

func TestResolvePeriod(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 11, 15, 0, 0, 0, sh) // a Wednesday
	for _, tc := range []struct {
		period, from, to string
		loc              *time.Location
		wantFrom, wantTo string
		days             int
		field            string
	}{
		{period: PeriodToday, loc: sh, wantFrom: "2026-03-11", wantTo: "2026-03-11", days: 1},
		{period: PeriodYesterday, loc: sh, wantFrom: "2026-03-10", wantTo: "2026-03-10", days: 1},
		{period: PeriodThisWeek, loc: sh, wantFrom: "2026-03-09", wantTo: "2026-03-11", days: 3},
		{period: PeriodLastWeek, loc: sh, wantFrom: "2026-03-02", wantTo: "2026-03-08", days: 7},
		{period: PeriodLastMonth, loc: sh, wantFrom: "2026-02-01", wantTo: "2026-02-28", days: 28},
		// The week DST starts in New York (8 March 2026) still has 7 days.
		{period: PeriodCustom, from: "2026-03-05", to: "2026-03-11", loc: ny, wantFrom: "2026-03-05", wantTo: "2026-03-11", days: 7},
		{period: PeriodCustom, from: "2025-01-01", to: "2026-02-04", loc: sh, wantFrom: "2025-01-01", wantTo: "2026-02-04", days: MaxDays},
		{period: PeriodCustom, from: "2025-01-01", to: "2026-02-05", loc: sh, field: "to"},
		{period: PeriodCustom, from: "0001-01-01", to: "9999-12-31", loc: sh, field: "to"},
		{period: PeriodCustom, from: "2026-03-02", to: "2026-03-01", loc: sh, field: "from"},
		{period: PeriodCustom, to: "2026-03-01", loc: sh, field: "from"},
		{period: PeriodToday, from: "2026-03-01", loc: sh, field: "period"},
		{period: "fortnight", loc: sh, field: "period"},
	} {
		s, err := ResolvePeriod(tc.period, tc.from, tc.to, now, tc.loc)
		if tc.field != "" {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("%s %s..%s: %v, want an error on %s", tc.period, tc.from, tc.to, err, tc.field)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s..%s: %v", tc.period, tc.from, tc.to, err)
			continue
		}
		if f, to := s.From.Format(time.DateOnly), s.To.Format(time.DateOnly); f != tc.wantFrom || to != tc.wantTo || s.Days() != tc.days {
			t.Errorf("%s %s..%s = %s..%s (%d days), want %s..%s (%d)", tc.period, tc.from, tc.to, f, to, s.Days(), tc.wantFrom, tc.wantTo, tc.days)
		}
	}
}

// A span of thousands of years is refused by arithmetic, not by walking
// its days (that walk cost 0.3 s of CPU per request before the refusal).
func TestDaysOfAHugeSpanIsCheap(t *testing.T) {
	s := Span{From: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}
	start := time.Now()
	n := s.Days()
	if n != 3652059 {
		t.Errorf("Days = %d, want 3652059", n)
	}
	if el := time.Since(start); el > 20*time.Millisecond {
		t.Errorf("Days of 0001..9999 took %v", el)
	}
}
