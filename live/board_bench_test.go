package live

import (
	"context"
	"testing"
	"time"

	"switchboard/report"
	"switchboard/store/storetest"
)

// BenchmarkBoardCompute is one wallboard computation while Run follows
// the records, over some 10,600 calls first queued in the last 30 minutes
// (about 6 calls/s): calls-only (no report rollups) and with today's
// figures from the rollups.
func BenchmarkBoardCompute(b *testing.B) {
	end := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	st := storetest.New(b, callStream(7, 12000, end, 31*time.Minute)...)
	var names []string
	for _, q := range streamQueues {
		names = append(names, q.Name)
	}
	rep := report.NewBuilder(st, report.Config{Location: time.UTC, Queues: names}, func() time.Time { return end })
	for _, bb := range []struct {
		name    string
		reports Reports
	}{{"calls", nil}, {"with_reports", rep}} {
		b.Run(bb.name, func(b *testing.B) {
			hub := NewHub(0, nil, nil)
			board := NewBoard(BoardConfig{Now: func() time.Time { return end }, Idle: time.Hour},
				&fakeEngine{queues: streamQueues}, bb.reports, st, hub, nil)
			ctx, cancel := context.WithCancel(b.Context())
			done := make(chan struct{})
			go func() { defer close(done); board.Run(ctx) }()
			defer func() { cancel(); <-done }()
			for cur, changed := board.Latest(); cur == nil; cur, changed = board.Latest() {
				<-changed
			}
			for b.Loop() {
				if _, err := board.Compute(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
