// Package backlog is the queue a PBX driver puts between the socket reader
// and the engine. It is unbounded so the reader never waits: Asterisk
// closes the events websocket when a write to us blocks for 100 ms, and a
// FreeSWITCH whose writes block queues in its own memory and then drops
// the link. Back-pressure belongs after it. Above a bound it keeps every
// item but counts and logs, since a backlog that long means the engine is
// not keeping up; nothing is ever dropped.
package backlog

import (
	"context"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Queue is a FIFO of T for one producer side and one consumer.
type Queue[T any] struct {
	mu       sync.Mutex
	items    []T
	head     int
	notify   chan struct{} // capacity 1: "items may be waiting"
	bound    int
	over     bool // above bound since the last log line
	length   prometheus.Gauge
	overflow prometheus.Counter
	log      *slog.Logger
}

// New makes a queue that counts items pushed above bound in overflow and
// keeps length current.
func New[T any](bound int, length prometheus.Gauge, overflow prometheus.Counter, log *slog.Logger) *Queue[T] {
	return &Queue[T]{notify: make(chan struct{}, 1), bound: bound, length: length, overflow: overflow, log: log}
}

// Push appends it; it never blocks on the consumer.
func (q *Queue[T]) Push(it T) {
	q.mu.Lock()
	q.items = append(q.items, it)
	n := len(q.items) - q.head
	crossed := false
	if n > q.bound {
		q.overflow.Inc()
		if !q.over {
			q.over, crossed = true, true
		}
	} else if q.over && n <= q.bound/2 {
		q.over = false
	}
	q.length.Set(float64(n))
	q.mu.Unlock()
	if crossed {
		q.log.Error("event backlog above its bound; events are kept, the engine is not keeping up",
			"length", n, "bound", q.bound)
	}
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// Pop waits for the next item; it reports false when ctx ends.
func (q *Queue[T]) Pop(ctx context.Context) (T, bool) {
	var zero T
	for {
		q.mu.Lock()
		if q.head < len(q.items) {
			it := q.items[q.head]
			q.items[q.head] = zero
			q.head++
			n := len(q.items) - q.head
			if n == 0 {
				q.items, q.head = q.items[:0], 0
			} else if q.head > 1024 && q.head*2 > len(q.items) {
				// Compact so a long backlog does not keep its whole history.
				q.items = append([]T(nil), q.items[q.head:]...)
				q.head = 0
			}
			q.length.Set(float64(n))
			q.mu.Unlock()
			return it, true
		}
		q.mu.Unlock()
		select {
		case <-q.notify:
		case <-ctx.Done():
			return zero, false
		}
	}
}
