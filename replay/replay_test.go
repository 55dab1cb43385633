package replay_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/replay"
	"switchboard/replay/replaytest"
	"switchboard/routing"
	"switchboard/store"
)

// dayConfig is a greeting, a menu (1: support) and one queue served by the
// given agents.
func dayConfig(t *testing.T, maxWait time.Duration, agents ...string) *routing.Config {
	t.Helper()
	cfg := &routing.Config{
		Routes: map[string]string{"default": "main"},
		Flows: map[string]*routing.Flow{"main": {Start: "greeting", Nodes: map[string]*routing.Node{
			"greeting": {Play: &routing.PlayNode{Media: []string{"sound:hello"}, Next: "menu"}},
			"menu": {Menu: &routing.MenuNode{Prompt: []string{"sound:menu"},
				Options: map[string]string{"1": "support", "2": "bye"}, OnFailure: "bye"}},
			"support": {Queue: &routing.QueueNode{Queue: "support", NoAgent: "bye", OnTimeout: "bye"}},
			"bye":     {Play: &routing.PlayNode{Media: []string{"sound:bye"}}},
		}}},
		Queues: map[string]*routing.Queue{"support": {
			MaxWait: routing.Duration(maxWait), RingTimeout: routing.Duration(15 * time.Second),
			WrapUp: routing.Duration(10 * time.Second), HoldMedia: []string{"sound:hold"},
			ServiceLevel: routing.ServiceLevel{Percent: 80, Within: routing.Duration(20 * time.Second)},
		}},
	}
	for i, a := range agents {
		cfg.Agents = append(cfg.Agents, routing.AgentConfig{ID: a, Endpoint: "PJSIP/" + string(rune('1'+i)) + "00",
			Queues: []routing.QueueMember{{Queue: "support"}}})
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// recordedDay writes a scripted day run under cfg to a store and opens it.
func recordedDay(t *testing.T, cfg *routing.Config, calls int, agents ...string) *store.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "day.db")
	replaytest.WriteLog(t, path, replaytest.Records(t, cfg, replaytest.Day(calls, agents...)))
	s, err := store.Open(t.Context(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestReplayWhatIf(t *testing.T) {
	old := dayConfig(t, 5*time.Minute, "a1", "a2")
	s := recordedDay(t, old, 80, "a1", "a2")
	w, err := replay.Extract(t.Context(), s, replay.Period{})
	if err != nil {
		t.Fatal(err)
	}
	if w.Config == nil || len(w.Calls) != 80 {
		t.Fatalf("workload: config %v, %d calls", w.Config != nil, len(w.Calls))
	}
	type check func(t *testing.T, support replay.QueueReport)
	tests := []struct {
		name   string
		new    *routing.Config
		shifts map[string]string
		check  check
	}{
		{"same config", dayConfig(t, 5*time.Minute, "a1", "a2"), nil, func(t *testing.T, q replay.QueueReport) {
			if !reflect.DeepEqual(q.Old, q.New) {
				t.Errorf("old and new simulations differ under the same config:\nold %+v\nnew %+v", q.Old, q.New)
			}
			if q.Delta != (replay.Stats{}) {
				t.Errorf("delta %+v, want zero", q.Delta)
			}
			// The simulator reproduces the recording it was made from.
			if !reflect.DeepEqual(q.Actual, q.Old) {
				t.Errorf("old simulation differs from the recording:\nactual %+v\nold    %+v", q.Actual, q.Old)
			}
		}},
		{"one more agent", dayConfig(t, 5*time.Minute, "a1", "a2", "a3"), nil, func(t *testing.T, q replay.QueueReport) {
			if q.New.ASA >= q.Old.ASA {
				t.Errorf("ASA %.1fs with one more agent, %.1fs before", q.New.ASA, q.Old.ASA)
			}
			if ab, was := q.New.AbandonedQueue+q.New.AbandonedRinging, q.Old.AbandonedQueue+q.Old.AbandonedRinging; ab >= was {
				t.Errorf("abandons %d with one more agent, %d before", ab, was)
			}
			if q.New.SL <= q.Old.SL {
				t.Errorf("SL %.1f%% with one more agent, %.1f%% before", q.New.SL, q.Old.SL)
			}
		}},
		{"one more agent on a2's shift", dayConfig(t, 5*time.Minute, "a1", "a2", "a3"), map[string]string{"a3": "a2"}, func(t *testing.T, q replay.QueueReport) {
			if q.New.ASA >= q.Old.ASA || q.New.AbandonedQueue >= q.Old.AbandonedQueue {
				t.Errorf("ASA %.1fs, abandons %d with one more agent; %.1fs, %d before", q.New.ASA, q.New.AbandonedQueue, q.Old.ASA, q.Old.AbandonedQueue)
			}
			if !reflect.DeepEqual(q.Actual, q.Old) {
				t.Errorf("a shift for the new config changed the old simulation")
			}
		}},
		{"stricter max wait", dayConfig(t, 20*time.Second, "a1", "a2"), nil, func(t *testing.T, q replay.QueueReport) {
			if q.New.TimedOut <= q.Old.TimedOut {
				t.Errorf("timeouts %d with a 20s max wait, %d before", q.New.TimedOut, q.Old.TimedOut)
			}
			if q.New.MaxWait > 20 {
				t.Errorf("longest wait %.1fs past a 20s max wait", q.New.MaxWait)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := replay.DefaultOptions()
			opt.Shifts = tt.shifts
			rep, err := replay.Compare(w, w.Config, tt.new, "log", tt.name, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Queues) != 2 || rep.Queues[0].Queue != "support" || rep.Queues[1].Queue != replay.TotalName {
				t.Fatalf("queues %+v", rep.QueueNames())
			}
			q := rep.Queues[0]
			if q.Old.Offered == 0 || q.Old.Answered == 0 {
				t.Fatalf("old simulation routed nothing: %+v", q.Old)
			}
			tt.check(t, q)
			// Deterministic: the same inputs give the same report.
			again, err := replay.Compare(w, w.Config, tt.new, "log", tt.name, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep, again) {
				t.Error("a second replay of the same inputs reported differently")
			}
			var text, js bytes.Buffer
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if err := rep.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), "support") || !strings.Contains(text.String(), "new-old") {
				t.Errorf("text report:\n%s", text.String())
			}
			var back replay.Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Queues) != 2 {
				t.Errorf("JSON report does not read back (%v):\n%s", err, js.String())
			}
			t.Logf("\n%s", text.String())
		})
	}
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
