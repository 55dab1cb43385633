package ari

import (
	"log/slog"
	"time"

	"switchboard/routing/pbx"
	"switchboard/routing/pbx/backlog"
)

// item is one entry of the queue between the websocket reader and the
// deliverer: a raw ARI message, or an event the driver made (Resynced,
// LinkDown) that must keep its place among them.
type item struct {
	raw  []byte
	recv time.Time
	ev   pbx.Event
}

// queue is the backlog between the socket reader(s) and the deliverer
// (see package backlog for why it never blocks the reader).
type queue = backlog.Queue[item]

func newQueue(bound int, m *metrics, log *slog.Logger) *queue {
	return backlog.New[item](bound, m.queueLength, m.queueOverflow, log)
}
