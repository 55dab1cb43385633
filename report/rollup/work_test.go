package rollup

import (
	"testing"
	"time"

	"switchboard/routing"
)

// Callbacks count in their queue when they connect (with the wait from
// the caller's place) and when they close unconnected; a connected close
// is not counted twice.
func TestRecordCallbacks(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 10, 0, 0, time.UTC)
	look := fakeLookup{agents: map[string]*AgentNow{}}
	tl := NewTally()
	for _, rec := range []*routing.Record{
		{Type: routing.EvWorkConnected, Queue: "support", Time: t0, Data: []byte(`{"id":"cb-1","queued_at":"2026-12-02T09:06:00Z"}`)},
		{Type: routing.EvWorkClosed, Queue: "support", Time: t0.Add(time.Minute), Data: []byte(`{"id":"cb-1","reason":"connected"}`)},
		{Type: routing.EvWorkClosed, Queue: "support", Time: t0.Add(2 * time.Minute), Data: []byte(`{"id":"cb-2","reason":"max_attempts"}`)},
		{Type: routing.EvWorkAttempt, Queue: "support", Time: t0, Data: []byte(`{"id":"cb-2","outcome":"busy"}`)},
	} {
		if err := (Config{}).Record(tl, rec, look); err != nil {
			t.Fatal(err)
		}
	}
	b := "2026-12-02T09:00:00.000000000Z"
	for metric, want := range map[string]float64{"callbacks_connected": 1, "callback_wait_s": 240, "callbacks_failed": 1} {
		if got := tl.Sum[Key{Grain15m, DimQueue, b, "support", metric}]; got != want {
			t.Errorf("%s = %v, want %v", metric, got, want)
		}
	}
}
