package replay

import (
	"time"

	"switchboard/routing"
)

// Stats are one run's figures for a queue, or for all of them.
//
// A queue's row counts stays in that queue: a call that overflowed from
// one queue to another counts in both, and its wait in each is from
// joining that queue. The total row counts calls: a call is offered once,
// and its wait runs from first joining any queue (the place it keeps
// across overflows) to being answered or leaving.
type Stats struct {
	Offered        int `json:"offered"`         // joined the queue (call.queued)
	Answered       int `json:"answered"`        // call.answered
	AnsweredWithin int `json:"answered_within"` // answered within the threshold
	// SL is AnsweredWithin as a percentage of SLBase: the stays that
	// ended, less the callers who hung up within the threshold (they
	// count nowhere, as in the engine's live service level). -1 when
	// SLBase is 0.
	SL     float64 `json:"sl_percent"`
	SLBase int     `json:"sl_base"`
	// ASA is the average wait of the answered; AvgWait and MaxWait are
	// over every stay that ended (answered, abandoned, timed out,
	// overflowed). Seconds.
	ASA              float64 `json:"asa_s"`
	AvgWait          float64 `json:"avg_wait_s"`
	MaxWait          float64 `json:"max_wait_s"`
	AbandonedQueue   int     `json:"abandoned_queue"`   // hung up waiting
	AbandonedRinging int     `json:"abandoned_ringing"` // hung up while an agent's phone rang
	Overflowed       int     `json:"overflowed"`        // sent on by overflow (to a queue or a flow node)
	TimedOut         int     `json:"timed_out"`         // left at the queue's max wait
	// AbandonedIVR is set on the total only: hung up before queueing.
	AbandonedIVR int `json:"abandoned_ivr,omitempty"`

	waitSum, answerWaitSum time.Duration
	waits                  int
}

func (s *Stats) closeWait(w time.Duration) {
	s.waitSum += w
	s.waits++
	s.MaxWait = max(s.MaxWait, w.Seconds())
}

func (s *Stats) finish() {
	s.SL = -1
	if s.SLBase > 0 {
		s.SL = 100 * float64(s.AnsweredWithin) / float64(s.SLBase)
	}
	if s.Answered > 0 {
		s.ASA = (s.answerWaitSum / time.Duration(s.Answered)).Seconds()
	}
	if s.waits > 0 {
		s.AvgWait = (s.waitSum / time.Duration(s.waits)).Seconds()
	}
}

// Tally is a run's statistics: by queue, and in total.
type Tally struct {
	Calls  int               `json:"calls"` // calls that arrived
	Queues map[string]*Stats `json:"queues"`
	Total  *Stats            `json:"total"`
}

// tally derives Stats from call.* records, the same way for the recorded
// log and for a simulation.
type tally struct {
	within map[string]time.Duration
	calls  map[string]*callTrack
	order  []string
	t      Tally
}

type callTrack struct {
	stay        string // queue waited in now ("" if none)
	joined      time.Time
	firstQueued time.Time
	lastQueue   string
	left        time.Time // when the call last stopped waiting
	answeredAt  time.Time
	overflowed  bool
	timedOut    bool
	ended       bool
	outcome     string
}

func newTally(within map[string]time.Duration) *tally {
	return &tally{within: within, calls: map[string]*callTrack{},
		t: Tally{Queues: map[string]*Stats{}, Total: &Stats{}}}
}

// threshold is queue's service-level threshold.
func (t *tally) threshold(queue string) time.Duration {
	if d, ok := t.within[queue]; ok {
		return d
	}
	return 20 * time.Second
}

func (t *tally) queue(name string) *Stats {
	s := t.t.Queues[name]
	if s == nil {
		s = &Stats{}
		t.t.Queues[name] = s
	}
	return s
}

// leave ends c's stay in its queue at now. abandoned: the caller hung up.
func (t *tally) leave(c *callTrack, now time.Time, abandoned bool) {
	if c.stay == "" {
		return
	}
	s, w := t.queue(c.stay), now.Sub(c.joined)
	s.closeWait(w)
	if !abandoned || w > t.threshold(c.stay) {
		s.SLBase++
	}
	c.stay, c.left = "", now
}

func (t *tally) add(r *routing.Record) error {
	if r.Type == routing.EvCallArrived {
		if t.calls[r.CallID] == nil {
			t.calls[r.CallID] = &callTrack{}
			t.order = append(t.order, r.CallID)
			t.t.Calls++
		}
		return nil
	}
	c := t.calls[r.CallID]
	if c == nil || c.ended {
		return nil
	}
	switch r.Type {
	case routing.EvCallQueued:
		d, err := routing.Decode[routing.QueuedData](r)
		if err != nil {
			return err
		}
		t.leave(c, r.Time, false)
		t.queue(d.Queue).Offered++
		c.stay, c.joined, c.lastQueue = d.Queue, r.Time, d.Queue
		if c.firstQueued.IsZero() {
			c.firstQueued = r.Time
			t.t.Total.Offered++
		}
	case routing.EvCallAnswered:
		if c.stay == "" {
			return nil
		}
		s, w := t.queue(c.stay), r.Time.Sub(c.joined)
		s.Answered++
		s.answerWaitSum += w
		if w <= t.threshold(c.stay) {
			s.AnsweredWithin++
		}
		c.answeredAt = r.Time
		t.leave(c, r.Time, false)
	case routing.EvCallOverflowed:
		d, err := routing.Decode[routing.OverflowData](r)
		if err != nil {
			return err
		}
		t.queue(d.From).Overflowed++
		c.overflowed = true
		if c.stay == d.From {
			t.leave(c, r.Time, false)
		}
	case routing.EvCallIVR:
		d, err := routing.Decode[routing.IVRData](r)
		if err != nil {
			return err
		}
		if c.stay != "" && d.Input == "max_wait" {
			t.queue(c.stay).TimedOut++
			c.timedOut = true
		}
		t.leave(c, r.Time, false)
	case routing.EvCallEnded:
		d, err := routing.Decode[routing.EndedData](r)
		if err != nil {
			return err
		}
		c.outcome = d.Outcome
		switch d.Outcome {
		case routing.OutcomeAbandonedQueue, routing.OutcomeAbandonedRinging:
			if c.stay != "" {
				s := t.queue(c.stay)
				if d.Outcome == routing.OutcomeAbandonedQueue {
					s.AbandonedQueue++
				} else {
					s.AbandonedRinging++
				}
			}
			t.leave(c, r.Time, true)
		case routing.OutcomeTimeout:
			if c.stay != "" {
				t.queue(c.stay).TimedOut++
				c.timedOut = true
			}
			t.leave(c, r.Time, false)
		default:
			t.leave(c, r.Time, false)
		}
		t.end(c)
	}
	return nil
}

// end counts a finished call in the total.
func (t *tally) end(c *callTrack) {
	c.ended = true
	s := t.t.Total
	if c.outcome == routing.OutcomeAbandonedIVR && c.firstQueued.IsZero() {
		s.AbandonedIVR++
	}
	if c.firstQueued.IsZero() {
		return
	}
	thr := t.threshold(c.lastQueue)
	if c.overflowed {
		s.Overflowed++
	}
	if c.timedOut {
		s.TimedOut++
	}
	switch {
	case !c.answeredAt.IsZero():
		w := c.answeredAt.Sub(c.firstQueued)
		s.Answered++
		s.answerWaitSum += w
		s.closeWait(w)
		s.SLBase++
		if w <= thr {
			s.AnsweredWithin++
		}
	case !c.left.IsZero():
		w := c.left.Sub(c.firstQueued)
		s.closeWait(w)
		abandoned := c.outcome == routing.OutcomeAbandonedQueue || c.outcome == routing.OutcomeAbandonedRinging
		if abandoned {
			if c.outcome == routing.OutcomeAbandonedQueue {
				s.AbandonedQueue++
			} else {
				s.AbandonedRinging++
			}
		}
		if !abandoned || w > thr {
			s.SLBase++
		}
	}
}

// result finishes the calls still open (the log ended first; their
// stays have no end and count only as offered) and the averages.
func (t *tally) result() *Tally {
	for _, id := range t.order {
		if c := t.calls[id]; !c.ended {
			if !c.answeredAt.IsZero() {
				t.end(c)
			}
		}
	}
	for _, s := range t.t.Queues {
		s.finish()
	}
	t.t.Total.finish()
	res := t.t
	return &res
}
