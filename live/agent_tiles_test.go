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
