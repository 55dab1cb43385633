package store

import (
	"context"
	"strconv"
	"testing"

	"switchboard/routing"
)

// BenchmarkBackends appends a whole answered call (five batches, as the
// engine writes them) and reads a day's queue report from the rollup, on
// each backend. go test -run '^$' -bench BenchmarkBackends ./store/
func BenchmarkBackends(b *testing.B) {
	for _, kind := range backends {
		b.Run(kind, func(b *testing.B) {
			b.Run("append_call", func(b *testing.B) {
				s, _ := openTest(b)
				ctx := context.Background()
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					appendCall(b, ctx, s, i)
				}
			})
			b.Run("read_report", func(b *testing.B) {
				s, _ := openTest(b)
				ctx := context.Background()
				for i := range 2000 {
					appendCall(b, ctx, s, i)
				}
				q := RollupQuery{Grain: "15m", Dim: "queue", From: formatTime(at(0)), To: formatTime(at(86400)), ByBucket: true, ByKey: true}
				b.ReportAllocs()
				for b.Loop() {
					cells, err := s.Rollup(ctx, q)
					if err != nil || len(cells) == 0 {
						b.Fatal(len(cells), err)
					}
				}
			})
		})
	}
}

func appendCall(b *testing.B, ctx context.Context, s *Store, i int) {
	id, t := "c"+strconv.Itoa(i), float64(i*5)
	for _, batch := range [][]*routing.Record{
		{arrived(id, t), ivr(id, t, "main", "")},
		{ivr(id, t+1, "support", "1"), queued(id, t+1, "support"),
			offer(routing.EvCallOffered, id, t+1, "1001", ""), agentState("1001", t+1, "ready", "ringing")},
		{offer(routing.EvCallAnswered, id, t+2, "1001", ""), agentState("1001", t+2, "ringing", "on_call")},
		{ended(id, t+3, routing.OutcomeAnswered, "normal", "caller"), agentState("1001", t+3, "on_call", "wrap_up")},
		{agentState("1001", t+4, "wrap_up", "ready")},
	} {
		if err := s.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
}
