package quality

import (
	"context"
	"strings"
	"testing"
	"time"

	"switchboard/report"
)

func TestReport(t *testing.T) {
	ctx := context.Background()
	s, l := newTestService(t)
	score := func(at time.Time, rec, agent, team string, a map[string]int) {
		l.now = at
		if _, err := s.Score(ctx, ScoreRequest{Recording: RecordingRef{ID: rec, Agent: agent, Team: team}, Answers: a, By: "qi"}); err != nil {
			t.Fatal(err)
		}
	}
	nov := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)
	dec := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	score(nov, "R0", "a1", "red", map[string]int{"greet": 0, "close": 4, "polite": 5, "abuse": 1})  // 80 in November
	score(dec, "R1", "a1", "red", full)                                                             // 100
	score(dec, "R2", "a1", "red", map[string]int{"greet": 0, "close": 2, "polite": 5, "abuse": 1})  // 70
	score(dec, "R3", "a2", "blue", map[string]int{"greet": 0, "close": 4, "polite": 5, "abuse": 0}) // critical: 0
	span := report.Span{From: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	if p := PreviousSpan(span); p.From.Month() != 11 || p.To.Day() != 30 {
		t.Fatalf("previous %+v", p)
	}
	tb, err := s.book.Report(GroupAgent, span)
	if err != nil {
		t.Fatal(err)
	}
	v := func(r report.Row, i int) float64 {
		if r.Values[i] == nil {
			return -1
		}
		return *r.Values[i]
	}
	cases := []struct {
		row                         report.Row
		n, avg, crit, trend, phrase float64
	}{
		{tb.Rows[0], 2, 85, 0, 5, 62.5}, // a1: (100+70)/2, vs 80; phrases (40+10)/80
		{tb.Rows[1], 1, 0, 1, -1, 50},   // a2: no previous period
		{tb.Total, 3, 56.67, 1, -23.33, 58.33},
	}
	for _, c := range cases {
		if v(c.row, 0) != c.n || v(c.row, 1) != c.avg || v(c.row, 2) != c.crit || v(c.row, 3) != c.trend || v(c.row, 4) != c.phrase {
			t.Errorf("%s: %v", c.row.Key, func() []float64 {
				out := []float64{}
				for i := range c.row.Values {
					out = append(out, v(c.row, i))
				}
				return out
			}())
		}
	}
	notes := strings.Join(tb.Notes, "\n")
	for _, want := range []string{"Training needs, a1: close (1), greet (1)", "Items most often missed: greet (2), abuse (1), close (1)"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q, want %q", notes, want)
		}
	}
	if _, err := s.book.Report("queue", span); err == nil {
		t.Fatal("unknown grouping accepted")
	}
	tt, _ := s.book.Report(GroupTeam, span)
	if len(tt.Rows) != 2 || tt.Rows[0].Key != "blue" || tt.Rows[1].Key != "red" {
		t.Fatalf("team rows %+v", tt.Rows)
	}
}
