package live

import (
	"cmp"
	"time"

	"switchboard/routing"
	"switchboard/store"
)

// recentCalls is what the wallboard's last-30-minutes and still-waiting
// figures need of the calls table, kept in memory from the records instead
// of re-read from the store for every snapshot: for each call that was
// queued or answered, the five fields those figures read, derived by the
// calls table's rules (store/projection.go applyRecord):
//
//   - call.queued sets queue (the record's, the latest wins) and queued (the
//     first time);
//   - call.answered sets answered (the first time);
//   - call.ended sets ended and outcome (the latest wins);
//   - wait runs from queued to answered, or to ended if never answered.
//
// A call is followed from its first call.queued or call.answered record
// (or the seed) until it has ended and was never queued or first queued
// more than 30 minutes ago: then no figure can count it again, and its
// later records (survey, wrap-up) are ignored. Records of calls neither
// queued nor answered change no figure. One call that breaks the engine's
// order, queued again after it ended and left the window, would count in
// the calls table and not here.
//
// It is not safe for concurrent use; Board holds its lock.
type recentCalls struct {
	calls map[string]*recentCall
	// seq is the last record reflected; records up to it are skipped.
	seq int64
}

// recentCall is one followed call; zero times are "not yet".
type recentCall struct {
	queue                   string
	queued, answered, ended time.Time
	outcome                 string
}

func newRecentCalls() *recentCalls {
	return &recentCalls{calls: map[string]*recentCall{}}
}

// seed replaces the calls with f's (the store's FollowedCalls).
func (r *recentCalls) seed(f store.Followed) {
	clear(r.calls)
	r.seq = f.Seq
	at := func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	}
	for _, c := range f.Calls {
		if c.QueuedAt == nil && c.AnsweredAt == nil {
			continue // in the IVR: followed from its call.queued
		}
		r.calls[c.ID] = &recentCall{queue: c.Queue, queued: at(c.QueuedAt), answered: at(c.AnsweredAt),
			ended: at(c.EndedAt), outcome: c.Outcome}
	}
}

// apply folds one durable record in. A record whose payload does not
// decode is returned as an error and changes nothing.
func (r *recentCalls) apply(rec *routing.Record) error {
	if rec.Seq != 0 && rec.Seq <= r.seq {
		return nil // in the seed already
	}
	r.seq = max(r.seq, rec.Seq)
	c := r.calls[rec.CallID]
	switch rec.Type {
	case routing.EvCallQueued:
		d, err := routing.Decode[routing.QueuedData](rec)
		if err != nil {
			return err
		}
		if c == nil {
			c = &recentCall{}
			r.calls[rec.CallID] = c
		}
		c.queue = cmp.Or(d.Queue, rec.Queue, c.queue)
		if c.queued.IsZero() {
			c.queued = rec.Time
		}
	case routing.EvCallAnswered:
		if c == nil {
			c = &recentCall{}
			r.calls[rec.CallID] = c
		}
		if c.answered.IsZero() {
			c.answered = rec.Time
		}
	case routing.EvCallEnded:
		if c == nil {
			return nil
		}
		d, err := routing.Decode[routing.EndedData](rec)
		if err != nil {
			return err
		}
		c.ended, c.outcome = rec.Time, d.Outcome
	}
	return nil
}

// wait is the calls table's wait_seconds; ok false where it is NULL.
func (c *recentCall) wait() (seconds float64, ok bool) {
	if c.queued.IsZero() {
		return 0, false
	}
	end := c.answered
	if end.IsZero() {
		end = c.ended
	}
	if end.IsZero() {
		return 0, false
	}
	return end.Sub(c.queued).Seconds(), true
}

// figures counts, per queue (the call's latest), the calls first queued in
// the 30 minutes to now (window: offered, answered within the queue's T
// from within, default 20 s, short abandons within short seconds, and
// callers still undecided) and the callers queued since dayStart who are
// neither answered nor gone. It forgets the calls no figure can count
// again.
func (r *recentCalls) figures(now, dayStart time.Time, within map[string]float64, short float64) (map[string]window, map[string]int) {
	recent, waiting := map[string]window{}, map[string]int{}
	from := now.Add(-window30m)
	for id, c := range r.calls {
		if !c.ended.IsZero() && (c.queued.IsZero() || c.queued.Before(from)) {
			delete(r.calls, id)
			continue
		}
		if c.queued.IsZero() {
			continue
		}
		if c.answered.IsZero() && c.ended.IsZero() && !c.queued.Before(dayStart) {
			waiting[c.queue]++
		}
		if c.queued.Before(from) || c.queued.After(now) {
			continue
		}
		w := recent[c.queue]
		w.offered++
		T, ok := within[c.queue]
		if !ok || T == 0 {
			T = 20
		}
		wait, known := c.wait()
		if !known {
			wait = -1
		}
		switch {
		case c.answered.IsZero() && c.ended.IsZero() && now.Sub(c.queued).Seconds() <= T:
			w.pending++
			if !c.queued.Before(dayStart) {
				w.pendingToday++
			}
		case !c.answered.IsZero() && wait >= 0 && wait <= T:
			w.within++
		case (c.outcome == routing.OutcomeAbandonedQueue || c.outcome == routing.OutcomeAbandonedRinging) && wait >= 0 && wait <= short:
			w.short++
		}
		recent[c.queue] = w
	}
	return recent, waiting
}

// undecided is when each caller queued since dayStart, still waiting no
// longer than their queue's T, was queued: the trend leaves them out of
// their hour like figures leaves them out of the window.
func (r *recentCalls) undecided(now, dayStart time.Time, within map[string]float64) []time.Time {
	var out []time.Time
	for _, c := range r.calls {
		if c.queued.IsZero() || c.queued.Before(dayStart) || c.queued.After(now) || !c.answered.IsZero() || !c.ended.IsZero() {
			continue
		}
		T, ok := within[c.queue]
		if !ok || T == 0 {
			T = 20
		}
		if now.Sub(c.queued).Seconds() <= T {
			out = append(out, c.queued)
		}
	}
	return out
}
