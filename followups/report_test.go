package followups

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"switchboard/report"
	"switchboard/routing"
)

// TestCoverageReport: coverage counts wrap-ups with follow-up asked whose
// task reached the customer within 72 h of the wrap-up, per agent and
// team; satisfaction averages the reached answers.
func TestCoverageReport(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 0, shanghai) // a Monday
	f := &fakeEngine{now: t0}
	s := newSvc(cfg(), f)
	ctx := context.Background()
	wrap := func(call, agent string, follow bool) {
		data, _ := json.Marshal(routing.WrapUpData{Agent: agent, Disposition: "resolved", FollowUp: follow})
		rec := &routing.Record{Seq: int64(len(f.log) + 1000), Time: f.now, Type: routing.EvCallWrapped, CallID: call, Data: data}
		if _, _, err := s.OnWrapUp(ctx, rec, func(context.Context, string) (string, error) { return "42", nil }); err != nil {
			t.Fatal(err)
		}
	}
	attempt := func(call string, r AttemptRequest) {
		r.ID, r.By = s.book.fromCall[call], "1001"
		if _, err := s.Attempt(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	wrap("c1", "1001", true)  // reached in 2 h, satisfied 4: covered
	wrap("c2", "1001", true)  // reached after 80 h, satisfied 2: not covered
	wrap("c3", "1001", false) // no follow-up asked
	wrap("c4", "1002", true)  // wrong number: not covered
	wrap("c5", "1002", true)  // still open: not covered
	f.now = t0.Add(2 * time.Hour)
	attempt("c1", AttemptRequest{Outcome: Reached, Result: Satisfied, Satisfaction: 4})
	attempt("c4", AttemptRequest{Outcome: WrongNumber})
	f.now = t0.Add(80 * time.Hour)
	attempt("c2", AttemptRequest{Outcome: Reached, Result: Satisfied, Satisfaction: 2})
	span := report.Span{From: time.Date(2026, 11, 30, 0, 0, 0, 0, shanghai), To: time.Date(2026, 12, 6, 0, 0, 0, 0, shanghai)}
	want := map[string][]float64{ // wrapped, asked, covered, coverage, reached, satisfaction, not satisfied, unreached
		"1001":  {3, 2, 1, 50, 2, 3, 0, 0},
		"1002":  {2, 2, 0, 0, 0, -1, 0, 1},
		"total": {5, 4, 1, 25, 2, 3, 0, 1},
		"front": {5, 4, 1, 25, 2, 3, 0, 1},
	}
	check := func(key string, vals []*float64) {
		t.Helper()
		for i, w := range want[key] {
			switch {
			case w < 0 && vals[i] != nil:
				t.Errorf("%s %s = %v, want none", key, reportColumns[i].Key, *vals[i])
			case w >= 0 && (vals[i] == nil || *vals[i] != w):
				t.Errorf("%s %s = %v, want %v", key, reportColumns[i].Key, vals[i], w)
			}
		}
	}
	tb, err := s.book.Report(GroupAgent, span, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Rows) != 2 {
		t.Fatalf("rows %+v", tb.Rows)
	}
	for _, r := range tb.Rows {
		check(r.Key, r.Values)
	}
	check("total", tb.Total.Values)
	tb, err = s.book.Report(GroupTeam, span, map[string]string{"1001": "front", "1002": "front"})
	if err != nil || len(tb.Rows) != 1 {
		t.Fatalf("team report %v %+v", err, tb)
	}
	check("front", tb.Rows[0].Values)
	next := report.Span{From: span.From.AddDate(0, 0, 7), To: span.To.AddDate(0, 0, 7)}
	if tb, _ := s.book.Report(GroupAgent, next, nil); len(tb.Rows) != 0 {
		t.Errorf("next week counts this week's calls: %+v", tb.Rows)
	}
	if _, err := s.book.Report("queue", span, nil); err == nil {
		t.Error("unknown grouping accepted")
	}
}
