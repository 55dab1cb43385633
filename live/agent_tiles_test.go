package live

import (
	"testing"
	"time"

	"switchboard/routing"
)

// A queue whose members are all signed out (or that has none) is red with
// a signed_in alert, even with no thresholds configured; one with a member
// signed in in any state is not.
func TestBoardUnservedQueueRed(t *testing.T) {
	tests := []struct {
		name   string
		agents map[string]int
		want   string
	}{
		{"no members", map[string]int{}, StatusRed},
		{"all signed out", map[string]int{"signed_out": 3}, StatusRed},
		{"one on a break", map[string]int{"signed_out": 2, "not_ready": 1}, StatusOK},
		{"one ready", map[string]int{"ready": 1}, StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &fakeEngine{queues: []routing.QueueView{{Name: "sales", Agents: tc.agents}}}
			b := NewBoard(BoardConfig{Now: func() time.Time { return now }}, e, nil, nil, NewHub(0, nil, nil), nil)
			w, err := b.Compute(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			q := w.Queues[0]
			if q.Status != tc.want {
				t.Fatalf("status %q, want %q (marks %v)", q.Status, tc.want, q.Marks)
			}
			red := tc.want == StatusRed
			if got := q.Marks[MetricSignedIn] == StatusRed; got != red {
				t.Errorf("signed_in mark %v", q.Marks)
			}
			if red && (len(w.Alerts) != 1 || w.Alerts[0].Metric != MetricSignedIn || w.Alerts[0].Level != StatusRed || w.Alerts[0].Name != "sales") {
				t.Errorf("alerts %+v", w.Alerts)
			}
			if !red && len(w.Alerts) != 0 {
				t.Errorf("alerts %+v", w.Alerts)
			}
		})
	}
}

// The agent grid: signed-in agents first in ID order, each with the time
// in its state; an agent never signed in has none (not 2562047 hours).
func TestAgentTiles(t *testing.T) {
	at := now.Add(-90 * time.Second)
	got := agentTiles([]routing.AgentView{
		{ID: "1003", State: routing.SignedOut},
		{ID: "1002", Name: "Bo", State: routing.NotReady, Reason: "break", Since: at},
		{ID: "1001", Name: "Ada", State: routing.Ready, Since: at.Add(60 * time.Second)},
	}, now)
	if len(got) != 3 || got[0].ID != "1001" || got[1].ID != "1002" || got[2].ID != "1003" {
		t.Fatalf("order %+v", got)
	}
	if got[0].StateSeconds == nil || *got[0].StateSeconds != 30 || got[1].Reason != "break" || *got[1].StateSeconds != 90 {
		t.Errorf("times %+v %+v", got[0], got[1])
	}
	if got[2].StateSeconds != nil || got[2].Since != nil || got[2].Name != "1003" {
		t.Errorf("never signed in %+v", got[2])
	}
}

// The trend: today's hours up to now, with the calls of each; the hour of
// c4 (08:00, answered after 30 s: not within T) and the 09:00 hour (c1
// within T, c2 a short abandon, c3 abandoned); 10:00 has started, empty.
func TestBoardTrendToday(t *testing.T) {
	st, rep := seededStore(t)
	b := NewBoard(BoardConfig{Now: func() time.Time { return now }}, newEngine(), rep, st, NewHub(0, nil, nil), nil)
	w, err := b.Compute(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Trend) != 11 || !w.Trend[0].Start.Equal(now.Add(-10*time.Hour)) || !w.Trend[10].Start.Equal(now) {
		t.Fatalf("trend %+v", w.Trend)
	}
	h8, h9, h10 := w.Trend[8], w.Trend[9], w.Trend[10]
	if h8.Offered != 1 || h8.Answered != 1 || h8.ServiceLevel == nil || *h8.ServiceLevel != 0 {
		t.Errorf("08:00 %+v", h8)
	}
	if h9.Offered != 3 || h9.Answered != 1 || h9.ServiceLevel == nil || *h9.ServiceLevel != 50 {
		t.Errorf("09:00 %+v (sl %v)", h9, h9.ServiceLevel)
	}
	if h10.Offered != 0 || h10.ServiceLevel != nil || w.Trend[3].ServiceLevel != nil {
		t.Errorf("empty hours %+v %+v", h10, w.Trend[3])
	}
}

// The waiting list: every queue's callers, longest wait first, bounded.
func TestWaitingCalls(t *testing.T) {
	qs := []routing.QueueView{
		{Name: "a", Calls: []routing.WaitingView{{CallID: "1", WaitSeconds: 5}, {CallID: "2", WaitSeconds: 50.04, Ringing: true}}},
		{Name: "b", Calls: []routing.WaitingView{{CallID: "3", WaitSeconds: 20, Priority: 3}}},
	}
	got := waitingCalls(qs)
	if len(got) != 3 || got[0] != (WaitingCall{Queue: "a", WaitSeconds: 50, Ringing: true}) || got[1].Queue != "b" || got[1].Priority != 3 || got[2].WaitSeconds != 5 {
		t.Fatalf("waiting %+v", got)
	}
	var many []routing.WaitingView
	for i := range 80 {
		many = append(many, routing.WaitingView{WaitSeconds: float64(i)})
	}
	if got := waitingCalls([]routing.QueueView{{Name: "x", Calls: many}}); len(got) != maxWaitingList || got[0].WaitSeconds != 79 {
		t.Errorf("bounded %d first %+v", len(got), got[0])
	}
}

// A caller still waiting within T does not draw the hour at 0 %: the
// trend leaves them out like the tiles do; past T they count as missed.
func TestBoardTrendLeavesUndecidedOut(t *testing.T) {
	for _, tt := range []struct {
		name string
		wait time.Duration
		want any
	}{{"5 s in", 5 * time.Second, nil}, {"past T", time.Minute, 0.0}} {
		t.Run(tt.name, func(t *testing.T) {
			st, rep := storeWith(t, now, waiting("w1", now.Add(-tt.wait)))
			b := NewBoard(BoardConfig{Now: func() time.Time { return now }}, newEngine(), rep, st, NewHub(0, nil, nil), nil)
			w, err := b.Compute(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			p := w.Trend[len(w.Trend)-2] // queued in the 09:00 hour
			var got any
			if p.ServiceLevel != nil {
				got = *p.ServiceLevel
			}
			if got != tt.want || p.Offered != 1 {
				t.Errorf("hour %v: sl %v offered %d, want %v", p.Start, got, p.Offered, tt.want)
			}
		})
	}
}
