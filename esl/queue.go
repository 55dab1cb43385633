package esl

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"switchboard/routing/pbx"
)

// item is one entry of the queue between the socket readers and the
// deliverer: a raw message read off a socket, an outbound call's channel
// data (arrive), an outbound socket lost before its channel ended (lost),
// or an event the driver made (Resynced, LinkDown) that must keep its
// place among them.
type item struct {
	msg    *Message
	src    source
	recv   time.Time
	arrive *Event
	lost   string
	ev     pbx.Event
}

// queue is unbounded so a socket reader never waits: a FreeSWITCH whose
// writes to us block queues events in its own memory and, past its limit,
// drops the connection. Above bound it keeps every item but counts and
// logs, since a queue that long means the engine is not keeping up.
type queue struct {
	mu     sync.Mutex
	items  []item
	head   int
	notify chan struct{} // capacity 1: "items may be waiting"
	bound  int
	over   bool // above bound since the last log line
	m      *metrics
	log    *slog.Logger
}

func newQueue(bound int, m *metrics, log *slog.Logger) *queue {
	return &queue{notify: make(chan struct{}, 1), bound: bound, m: m, log: log}
}

func (q *queue) push(it item) {
	q.mu.Lock()
	q.items = append(q.items, it)
	n := len(q.items) - q.head
	crossed := false
	if n > q.bound {
		q.m.queueOverflow.Inc()
		if !q.over {
			q.over, crossed = true, true
		}
	} else if q.over && n <= q.bound/2 {
		q.over = false
	}
	q.m.queueLength.Set(float64(n))
	q.mu.Unlock()
	if crossed {
		q.log.Error("esl event queue above its bound; events are kept, the engine is not keeping up",
			"length", n, "bound", q.bound)
	}
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// pop waits for the next item; it reports false when ctx ends.
func (q *queue) pop(ctx context.Context) (item, bool) {
	for {
		q.mu.Lock()
		if q.head < len(q.items) {
			it := q.items[q.head]
			q.items[q.head] = item{}
			q.head++
			n := len(q.items) - q.head
			if n == 0 {
				q.items, q.head = q.items[:0], 0
			} else if q.head > 1024 && q.head*2 > len(q.items) {
				// compact so a long backlog does not keep its whole history
				q.items = append([]item(nil), q.items[q.head:]...)
				q.head = 0
			}
			q.m.queueLength.Set(float64(n))
			q.mu.Unlock()
			return it, true
		}
		q.mu.Unlock()
		select {
		case <-q.notify:
		case <-ctx.Done():
			return item{}, false
		}
	}
}
