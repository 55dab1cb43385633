package workforce

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"switchboard/report"
	"switchboard/routing"
)

// The catalogue's adherence report over a span crossing a month's end,
// by each grouping: a shift counts on the day (and month) it starts.
func TestReportSpanGroups(t *testing.T) {
	ctx := context.Background()
	l := &fakeLog{now: time.Date(2026, 12, 20, 10, 0, 0, 0, cst)}
	s := newTestService(l)
	for m, es := range map[string][]Entry{
		"2027-01": {{"1001", "2027-01-31", "day"}},
		"2027-02": {{"1001", "2027-02-01", "day"}, {"1002", "2027-02-01", "day"}},
	} {
		if _, err := s.Save(ctx, "sales", m, es, "lead"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, "sales", m, "lead", false, ""); err != nil {
			t.Fatal(err)
		}
	}
	at := func(d, hh, mm int) time.Time { return time.Date(2027, 1, d, hh, mm, 0, 0, cst) } // day 32 = 1 Feb
	// 1001: all of 31 January (100%), 1 February until 13:00 (50%);
	// 1002 never signs in (0%).
	for _, r := range []routing.Record{
		agentState("1001", at(31, 8, 50), "signed_out", "ready"),
		agentState("1001", at(31, 17, 10), "ready", "signed_out"),
		agentState("1001", at(32, 8, 50), "signed_out", "ready"),
		agentState("1001", at(32, 13, 0), "ready", "signed_out"),
	} {
		s.Observe(&r)
	}
	l.now = at(33, 9, 0)
	jan31, feb1 := at(31, 0, 0), at(32, 0, 0)
	type row struct {
		key                   string
		shifts, present       float64
		attendance, adherence float64
	}
	tests := []struct {
		name     string
		from, to time.Time
		group    string
		rows     []row
		total    row
	}{
		{"by agent", jan31, feb1, GroupAgent, []row{{"1001", 2, 2, 100, 75}, {"1002", 1, 0, 0, 0}}, row{"total", 3, 2, 200.0 / 3, 50}},
		{"by day", jan31, feb1, GroupDay, []row{{"2027-01-31", 1, 1, 100, 100}, {"2027-02-01", 2, 1, 50, 25}}, row{"total", 3, 2, 200.0 / 3, 50}},
		{"by month", jan31, feb1, GroupMonth, []row{{"2027-01", 1, 1, 100, 100}, {"2027-02", 2, 1, 50, 25}}, row{"total", 3, 2, 200.0 / 3, 50}},
		{"by team", jan31, feb1, GroupTeam, []row{{"sales", 3, 2, 200.0 / 3, 50}}, row{"total", 3, 2, 200.0 / 3, 50}},
		{"one day of February", feb1, feb1, GroupAgent, []row{{"1001", 1, 1, 100, 50}, {"1002", 1, 0, 0, 0}}, row{"total", 2, 1, 50, 25}},
		{"January only", at(1, 0, 0), jan31, GroupMonth, []row{{"2027-01", 1, 1, 100, 100}}, row{"total", 1, 1, 100, 100}},
	}
	near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	check := func(t *testing.T, got []*float64, want row) {
		t.Helper()
		if !near(*got[0], want.shifts) || !near(*got[1], want.present) || !near(*got[2], want.attendance) || !near(*got[5], want.adherence) {
			t.Errorf("%s: shifts %v present %v attendance %v adherence %v, want %+v", want.key, *got[0], *got[1], *got[2], *got[5], want)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := s.ReportSpan(tc.from, tc.to, tc.group, "")
			if err != nil {
				t.Fatal(err)
			}
			if tb.Report != "adherence" || tb.Group != tc.group || tb.From != tc.from.Format(time.DateOnly) || tb.To != tc.to.Format(time.DateOnly) {
				t.Errorf("table %s %s %s..%s", tb.Report, tb.Group, tb.From, tb.To)
			}
			if len(tb.Rows) != len(tc.rows) {
				t.Fatalf("rows %+v, want %+v", tb.Rows, tc.rows)
			}
			for i, w := range tc.rows {
				if tb.Rows[i].Key != w.key {
					t.Fatalf("row %d is %s, want %s", i, tb.Rows[i].Key, w.key)
				}
				check(t, tb.Rows[i].Values, w)
			}
			check(t, tb.Total.Values, tc.total)
		})
	}
	var fe *FieldError
	if _, err := s.ReportSpan(jan31, feb1, "queue", ""); !errors.As(err, &fe) || fe.Field != "group" {
		t.Errorf("group queue: %v", err)
	}
	if _, err := s.ReportSpan(feb1, jan31, GroupAgent, ""); !errors.As(err, &fe) || fe.Field != "to" {
		t.Errorf("to before from: %v", err)
	}
}

// Every header of the adherence report, by every grouping of its
// catalogue entry, has a Chinese label.
func TestReportSpanChinese(t *testing.T) {
	s := newTestService(&fakeLog{now: time.Date(2027, 2, 1, 0, 0, 0, 0, cst)})
	def, ok := report.Lookup("adherence")
	if !ok {
		t.Fatal("adherence is not in the report catalogue")
	}
	latin := regexp.MustCompile(`[A-Za-z]{2,}`)
	for _, group := range def.Groups {
		tb, err := s.ReportSpan(time.Date(2027, 1, 1, 0, 0, 0, 0, cst), time.Date(2027, 1, 31, 0, 0, 0, 0, cst), group, "")
		if err != nil {
			t.Fatalf("%s: %v", group, err)
		}
		zh := tb.Localized("zh")
		labels := []string{zh.Title, zh.GroupName, zh.Total.Label}
		for _, c := range zh.Columns {
			labels = append(labels, c.Label)
		}
		for _, l := range labels {
			if latin.MatchString(l) {
				t.Errorf("by %s: %q is not in Chinese", group, l)
			}
		}
	}
}
