package report

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"switchboard/routing"
	"switchboard/store"
)

// TestDispositionGrouping wraps up some of the fixture day's answered
// calls (one twice, one with a follow-up) and checks the grouping counts
// each answered call once, under its latest disposition, and adds up to
// the day's answered calls.
func TestDispositionGrouping(t *testing.T) {
	st := fixtureStore(t)
	ctx := context.Background()
	answered, err := st.Calls(ctx, store.CallFilter{Outcome: routing.OutcomeAnswered})
	if err != nil || len(answered) < 3 {
		t.Fatalf("fixture has %d answered calls: %v", len(answered), err)
	}
	wrap := func(c store.Call, disp string, follow bool) *routing.Record {
		b, _ := json.Marshal(routing.WrapUpData{Agent: c.Agent, Disposition: disp, FollowUp: follow})
		return &routing.Record{Time: c.EndedAt.Add(time.Second), Type: routing.EvCallWrapped, CallID: c.ID, AgentID: c.Agent, Data: b}
	}
	appendBatches(t, st, []*routing.Record{
		wrap(answered[0], "callback", true),
		wrap(answered[1], "callback", false),
		wrap(answered[1], "resolved", false), // the latest wrap-up wins
		wrap(answered[2], "odd_code", false),
	})
	b := fixtureBuilder(st)
	b.cfg.Dispositions = []string{"resolved", "callback", "unused"}
	req := Request{Report: "summary", Period: "custom", From: "2025-03-14", To: "2025-03-14"}
	tab := build(t, b, req, GroupDisp)
	got := map[string]map[string]string{}
	var keys []string
	for _, r := range tab.Rows {
		keys = append(keys, r.Key)
		got[r.Key] = map[string]string{}
		for i, c := range tab.Columns {
			got[r.Key][c.Key] = fmtVal(r.Values[i])
		}
	}
	if want := []string{"resolved", "callback", "unused", "", "odd_code"}; len(keys) != len(want) {
		t.Fatalf("rows %v, want %v", keys, want)
	}
	for key, want := range map[string]map[string]string{
		"resolved": {"answered": "1", "follow_ups": "0"},
		"callback": {"answered": "1", "follow_ups": "1", "follow_up_rate": "100"},
		"unused":   {"answered": "0", "follow_up_rate": "-"},
		"odd_code": {"answered": "1"},
		"":         {"answered": fmtVal(ptr(float64(len(answered) - 3)))},
	} {
		for col, v := range want {
			if got[key][col] != v {
				t.Errorf("row %q %s = %s, want %s", key, col, got[key][col], v)
			}
		}
	}
	// The disposition rows add up to the day's answered calls.
	queues := build(t, b, req, GroupQueue)
	ci := -1
	for i, c := range queues.Columns {
		if c.Key == "answered" {
			ci = i
		}
	}
	if tab.Total.Values[0] == nil || *tab.Total.Values[0] != *queues.Total.Values[ci] {
		t.Fatalf("disposition total %s, queue total %s", fmtVal(tab.Total.Values[0]), fmtVal(queues.Total.Values[ci]))
	}
}

func ptr(v float64) *float64 { return &v }
