package routing

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// foldWork rebuilds work items from their work.* records in log order:
// the open ones come back waiting (an item reserved or dialling when
// Switchboard stopped lost its agent and its call with the restart; the
// customer keeps the place), the closed ones as they ended.
func foldWork(recs []Record) (map[string]*workItem, []string, error) {
	items := map[string]*workItem{}
	var closed []string
	for i := range recs {
		r := &recs[i]
		d, err := Decode[WorkData](r)
		if err != nil {
			return nil, nil, fmt.Errorf("work record seq %d: %w", r.Seq, err)
		}
		if r.Type == EvWorkRequested {
			it := &workItem{
				id: d.ID, kind: d.Kind, number: d.Number, customer: d.Customer, queue: d.Queue, group: d.Group,
				origin: d.Origin, priority: d.Priority, maxAttempts: d.MaxAttempts, retryEvery: d.RetryEvery.D(),
				state: WorkWaiting,
			}
			it.queuedAt, it.due, it.until = deref(d.QueuedAt), deref(d.Due), deref(d.Until)
			items[d.ID] = it
			continue
		}
		it := items[d.ID]
		if it == nil || it.state == WorkClosed {
			continue // requested before the records read, or done
		}
		switch r.Type {
		case EvWorkReserved:
			it.state, it.agent = WorkReserved, d.Agent
		case EvWorkAccepted:
			it.state = WorkDialling
		case EvWorkSkipped:
			it.state, it.agent = WorkWaiting, ""
			it.skipped = append(it.skipped, d.Agent)
		case EvWorkConnected:
			it.state = WorkConnected
		case EvWorkAttempt:
			it.attempts, it.outcome, it.agent = d.Attempt, d.Outcome, ""
			if d.Outcome == OutcomeAgentMissed && d.Agent != "" {
				it.skipped = append(it.skipped, d.Agent)
			}
		case EvWorkRequeued:
			it.state, it.due = WorkWaiting, deref(d.Due)
		case EvWorkClosed:
			it.state, it.reason, it.closedAt = WorkClosed, d.Reason, r.Time
			closed = append(closed, it.id)
		}
	}
	for _, it := range items {
		if it.state == WorkReserved || it.state == WorkDialling || it.state == WorkConnected {
			// A connected call that was up at the restart is the call's
			// (restored or lost with it); the item is done only by its
			// records, so a dial cut by the restart is dialled again.
			it.state, it.agent, it.call = WorkWaiting, "", ""
		}
	}
	if len(closed) > keepClosed {
		for _, id := range closed[:len(closed)-keepClosed] {
			delete(items, id)
		}
		closed = slices.Clone(closed[len(closed)-keepClosed:])
	}
	return items, closed, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// restore takes the folded items in and sets their timers; they are
// offered at the first resync (distribute), when agents and calls are
// known again.
func (w *workItems) restore(items map[string]*workItem, closed []string) {
	w.items, w.closed = items, closed
	for _, id := range sortedKeys(items) {
		if it := items[id]; it.state == WorkWaiting && it.due.After(w.now) {
			w.setTimer(timerWorkDue(it), it.due.Sub(w.now))
		}
	}
}

// RestoreWork brings back the work items from their work.* records (in
// log order). Call it before Run, after Restore.
func (e *Engine) RestoreWork(ctx context.Context, recs []Record) error {
	items, closed, err := foldWork(recs)
	if err != nil {
		return fmt.Errorf("restore work items: %w", err)
	}
	var out Output
	e.m.now, e.m.out = e.clock.Now(), &out
	e.m.work.restore(items, closed)
	e.m.out = nil
	e.pendingTimers = append(e.pendingTimers, out.Timers...)
	return nil
}
