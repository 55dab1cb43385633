package live

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"switchboard/routing"
	"switchboard/store"
	"switchboard/store/storetest"
)

// The queues of the generated day, with their T (vip's 0: the default).
var streamQueues = []routing.QueueView{
	{Name: "support", ServiceLevel: routing.SLView{TargetPercent: 80, WithinSeconds: 20}},
	{Name: "sales", ServiceLevel: routing.SLView{TargetPercent: 80, WithinSeconds: 30}},
	{Name: "vip", ServiceLevel: routing.SLView{TargetPercent: 90}},
}

// callStream is n calls first queued evenly over span before end, their
// records in time order, cut at end (the last ones still waiting or
// talking). The mix: answered, abandoned waiting (some short) or ringing,
// overflowed to another queue (some naming it only on the record),
// failed offers, calls that never queued, calls answered before they were
// queued (a direct call transferred to a queue), wrap-ups and surveys
// after the end.
func callStream(seed uint64, n int, end time.Time, span time.Duration) []*routing.Record {
	rng := rand.New(rand.NewPCG(seed, 1))
	var recs []*routing.Record
	sec := func(lo, hi float64) time.Duration {
		return time.Duration((lo + rng.Float64()*(hi-lo)) * float64(time.Second))
	}
	for i := range n {
		id := fmt.Sprintf("c%05d", i)
		q := end.Add(-span + time.Duration(i)*span/time.Duration(n))
		queue := streamQueues[rng.IntN(len(streamQueues))].Name
		other := streamQueues[(slices.IndexFunc(streamQueues, func(v routing.QueueView) bool { return v.Name == queue })+1)%len(streamQueues)].Name
		var call []*routing.Record
		add := func(at time.Time, typ, agent, queue string, data any) {
			b, err := json.Marshal(data)
			if err != nil {
				panic(err)
			}
			r := &routing.Record{Time: at, Type: typ, CallID: id, AgentID: agent, Queue: queue}
			if rng.IntN(2) == 0 {
				r.SetPayload(data, b) // as the engine makes them
			} else {
				r.Data = b // as read back from the log
			}
			call = append(call, r)
		}
		agent := fmt.Sprintf("a%02d", rng.IntN(40))
		add(q.Add(-sec(2, 30)), routing.EvCallArrived, "", "", routing.CallArrivedData{Caller: "13812345678"})
		answer := func(at time.Time) {
			add(at.Add(-sec(0.5, 3)), routing.EvCallOffered, agent, queue, routing.OfferData{Agent: agent})
			add(at, routing.EvCallAnswered, agent, queue, routing.OfferData{Agent: agent})
			ended := at.Add(sec(5, 300))
			add(ended, routing.EvCallEnded, agent, queue, routing.EndedData{Outcome: routing.OutcomeAnswered})
			if rng.IntN(3) == 0 {
				add(ended.Add(sec(1, 20)), routing.EvCallWrapped, agent, queue, routing.WrapUpData{Agent: agent, Disposition: "sale"})
			}
			if rng.IntN(10) == 0 {
				add(ended.Add(sec(5, 30)), routing.EvCallSurvey, "", queue, routing.SurveyData{Score: 4})
			}
		}
		switch k := rng.IntN(100); {
		case k < 45: // answered
			add(q, routing.EvCallQueued, "", queue, routing.QueuedData{Queue: queue})
			answer(q.Add(sec(0, 60)))
		case k < 60: // abandoned waiting, a third of them short
			add(q, routing.EvCallQueued, "", queue, routing.QueuedData{Queue: queue})
			wait := sec(5.5, 90)
			if rng.IntN(3) == 0 {
				wait = sec(0, 5)
			}
			add(q.Add(wait), routing.EvCallEnded, "", queue, routing.EndedData{Outcome: routing.OutcomeAbandonedQueue})
		case k < 66: // abandoned while an agent rang
			add(q, routing.EvCallQueued, "", queue, routing.QueuedData{Queue: queue})
			at := q.Add(sec(0, 25))
			add(at, routing.EvCallOffered, agent, queue, routing.OfferData{Agent: agent})
			add(at.Add(sec(0, 10)), routing.EvCallEnded, "", queue, routing.EndedData{Outcome: routing.OutcomeAbandonedRinging})
		case k < 78: // overflowed after 15-40 s; sometimes only the record names the queue
			add(q, routing.EvCallQueued, "", queue, routing.QueuedData{Queue: queue})
			at := q.Add(sec(15, 40))
			queue = other
			if rng.IntN(2) == 0 {
				add(at, routing.EvCallQueued, "", queue, routing.QueuedData{})
			} else {
				add(at, routing.EvCallQueued, "", queue, routing.QueuedData{Queue: queue})
			}
			if rng.IntN(2) == 0 {
				answer(at.Add(sec(0, 30)))
			} else {
				add(at.Add(sec(0, 60)), routing.EvCallEnded, "", queue, routing.EndedData{Outcome: routing.OutcomeTimeout})
			}
		case k < 86: // an offer fails first
			add(q, routing.EvCallQueued, "", queue, routing.QueuedData{Queue: queue})
			at := q.Add(sec(0, 20))
			add(at, routing.EvCallOfferFailed, agent, queue, routing.OfferData{Agent: agent, Cause: "busy"})
			answer(at.Add(sec(1, 20)))
		case k < 94: // never queued
			add(q.Add(sec(0, 20)), routing.EvCallEnded, "", "", routing.EndedData{Outcome: routing.OutcomeAbandonedIVR})
		default: // answered by an agent directly, then transferred to a queue
			add(q.Add(-time.Second/2), routing.EvCallAnswered, agent, "", routing.OfferData{Agent: agent})
			add(q, routing.EvCallTransferred, agent, "", routing.TransferData{From: agent, ToKind: "queue", To: queue})
			add(q, routing.EvCallQueued, "", queue, routing.QueuedData{Queue: queue})
			answer(q.Add(sec(0, 40)))
		}
		for _, r := range call {
			if !r.Time.After(end) {
				recs = append(recs, r)
			}
		}
	}
	slices.SortStableFunc(recs, func(a, b *routing.Record) int { return a.Time.Compare(b.Time) })
	return recs
}

// expected is the wallboard's call figures counted straight from the
// calls table (store.Calls, read in slices of arrival time so that no read
// reaches MaxLimit), as docs/kpis.md defines them.
type expected struct {
	recent  map[string]window
	waiting map[string]int
}

func fromCallsTable(t *testing.T, st *store.Store, from, until, now, dayStart time.Time, short float64) expected {
	t.Helper()
	T := map[string]float64{}
	for _, q := range streamQueues {
		T[q.Name] = cmpOrDefault(q.ServiceLevel.WithinSeconds, 20)
	}
	e := expected{recent: map[string]window{}, waiting: map[string]int{}}
	for at := from; at.Before(until); at = at.Add(time.Minute) {
		calls, err := st.Calls(t.Context(), store.CallFilter{Since: at, Until: at.Add(time.Minute), Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) == store.MaxLimit {
			t.Fatalf("%d calls arrived in the minute from %v: slice finer", len(calls), at)
		}
		for _, c := range calls {
			if c.QueuedAt == nil {
				continue
			}
			undecided := c.AnsweredAt == nil && c.EndedAt == nil
			if undecided && !c.QueuedAt.Before(dayStart) {
				e.waiting[c.Queue]++
			}
			if c.QueuedAt.Before(now.Add(-30*time.Minute)) || c.QueuedAt.After(now) {
				continue
			}
			w := e.recent[c.Queue]
			w.offered++
			abandoned := c.Outcome == routing.OutcomeAbandonedQueue || c.Outcome == routing.OutcomeAbandonedRinging
			if undecided && now.Sub(*c.QueuedAt).Seconds() <= T[c.Queue] {
				w.pending++
				if !c.QueuedAt.Before(dayStart) {
					w.pendingToday++
				}
			} else if c.WaitSeconds != nil && *c.WaitSeconds >= 0 {
				if c.AnsweredAt != nil {
					if *c.WaitSeconds <= T[c.Queue] {
						w.within++
					}
				} else if abandoned && *c.WaitSeconds <= short {
					w.short++
				}
			}
			e.recent[c.Queue] = w
		}
	}
	return e
}

func cmpOrDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// clock is a test clock the board reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// runBoard runs b until the test ends.
func runBoard(t *testing.T, b *Board) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); b.Run(t.Context()) }()
	t.Cleanup(func() { <-done })
}

// awaitSeq waits for a snapshot whose call figures reflect record seq.
func awaitSeq(t *testing.T, b *Board, seq int64) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		cur, changed := b.Latest()
		if cur != nil && cur.Seq >= seq {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no snapshot reflecting seq %d (latest %+v)", seq, cur)
		}
	}
}

// TestRecentCallsMatchCallsTable drives one record stream into the store
// (the calls table) and, through the live hub, into boards following it:
// from the start, from the store halfway through, and one dropped as too
// slow halfway through (it re-reads the store). Their 30-minute and
// still-waiting figures are those the calls table gives, with over 10,000
// calls in the 30 minutes (more than a store read returns), at the end of
// the stream and 10 minutes later (the oldest calls left the window).
func TestRecentCallsMatchCallsTable(t *testing.T) {
	end := time.Date(2026, 3, 14, 0, 0, 20, 0, time.UTC) // the window spans midnight
	dayStart := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	recs := callStream(7, 12000, end, 31*time.Minute)
	st := storetest.New(t)
	hub, other := NewHub(1<<18, nil, nil), NewHub(1<<18, nil, nil) // other feeds dropped only
	clk := &clock{t: end}
	eng := &fakeEngine{queues: streamQueues}
	newBoard := func(hub *Hub) *Board {
		return NewBoard(BoardConfig{Now: clk.Now, ShortAbandon: 5 * time.Second, MinInterval: 250 * time.Millisecond, Idle: time.Hour},
			eng, nil, st, hub, nil)
	}
	fromStart, dropped := newBoard(hub), newBoard(other)
	runBoard(t, fromStart)
	runBoard(t, dropped)
	awaitSeq(t, fromStart, 0)
	awaitSeq(t, dropped, 0)

	tee := Tee{Next: st, Hub: hub}
	appendAll := func(recs []*routing.Record) {
		for batch := range slices.Chunk(recs, 512) {
			if err := tee.Append(t.Context(), batch...); err != nil {
				t.Fatal(err)
			}
			other.Publish(batch...)
		}
	}
	half := len(recs) / 2
	appendAll(recs[:half])
	halfway := newBoard(hub)
	runBoard(t, halfway)
	// Drop dropped's subscription as a hub drops one that fell behind.
	other.mu.Lock()
	for s := range other.subs {
		other.end(s, ErrSlow)
	}
	other.mu.Unlock()
	appendAll(recs[half:])
	last := recs[len(recs)-1].Seq

	boards := map[string]*Board{"from the start": fromStart, "seeded halfway": halfway, "dropped halfway": dropped}
	for _, at := range []time.Time{end, end.Add(10 * time.Minute)} {
		clk.Set(at)
		want := fromCallsTable(t, st, end.Add(-40*time.Minute), end.Add(time.Minute), at, dayStart, 5)
		offered := 0
		for _, w := range want.recent {
			offered += w.offered
		}
		if at.Equal(end) && offered <= store.MaxLimit {
			t.Fatalf("only %d calls in the window; the test needs more than %d", offered, store.MaxLimit)
		}
		t.Logf("at %v: %v waiting %v", at.Format(time.TimeOnly), want.recent, want.waiting)
		for name, b := range boards {
			awaitSeq(t, b, last)
			b.rmu.Lock()
			got, waiting := b.recent.figures(at, dayStart, map[string]float64{"support": 20, "sales": 30}, 5)
			b.rmu.Unlock()
			if fmt.Sprint(got) != fmt.Sprint(want.recent) || fmt.Sprint(waiting) != fmt.Sprint(want.waiting) {
				t.Errorf("%s at %v:\n got  %v waiting %v\n want %v waiting %v", name, at.Format(time.TimeOnly), got, waiting, want.recent, want.waiting)
			}
			w, err := b.Compute(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range w.Queues {
				if e := want.recent[q.Name]; q.Offered30m != e.offered || deref(q.ServiceLevel30m) != deref(e.sl()) {
					t.Errorf("%s at %v, %s: offered %d, SL %v; calls table %d, %v", name, at.Format(time.TimeOnly), q.Name,
						q.Offered30m, deref(q.ServiceLevel30m), e.offered, deref(e.sl()))
				}
			}
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
