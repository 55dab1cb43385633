package backlog

import (
	"context"
	"log/slog"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestKeepsOrderAndCountsOverflow(t *testing.T) {
	length := prometheus.NewGauge(prometheus.GaugeOpts{Name: "l"})
	overflow := prometheus.NewCounter(prometheus.CounterOpts{Name: "o"})
	q := New[int](2, length, overflow, slog.New(slog.DiscardHandler))
	for i := range 5 {
		q.Push(i)
	}
	if n := testutil.ToFloat64(overflow); n != 3 {
		t.Fatalf("overflow counted %v, want 3 (items 3 to 5 above the bound of 2)", n)
	}
	if n := testutil.ToFloat64(length); n != 5 {
		t.Fatalf("length %v, want 5: nothing dropped", n)
	}
	for want := range 5 {
		got, ok := q.Pop(t.Context())
		if !ok || got != want {
			t.Fatalf("pop %d: got %d %v", want, got, ok)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, ok := q.Pop(ctx); ok {
		t.Fatal("pop on an empty queue with a cancelled context returned an item")
	}
}

func TestCompactsALongBacklog(t *testing.T) {
	q := New[int](1<<20, prometheus.NewGauge(prometheus.GaugeOpts{Name: "l"}), prometheus.NewCounter(prometheus.CounterOpts{Name: "o"}), slog.New(slog.DiscardHandler))
	for i := range 5000 {
		q.Push(i)
	}
	for want := range 4000 {
		if got, _ := q.Pop(t.Context()); got != want {
			t.Fatalf("pop %d: got %d", want, got)
		}
	}
	if len(q.items) > 2000 {
		t.Fatalf("backlog of 1000 still holds %d slots", len(q.items))
	}
}
