package routing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// TestWorkItemsUnderRandomEvents drives callbacks through random agents,
// previews, dials and outcomes and checks after every input that no item
// is dialled twice at once and that the records alone rebuild every item
// (a restart loses none).
func TestWorkItemsUnderRandomEvents(t *testing.T) {
	seen := map[string]int{}
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			for _, it := range workRandomRun(t, seed).m.work.items {
				seen[it.state+":"+it.reason]++
			}
		})
	}
	// The runs reach every end, or they test little.
	for _, want := range []string{"closed:" + CloseConnected, "closed:" + CloseMaxAttempts, WorkWaiting + ":"} {
		if seen[want] == 0 {
			t.Errorf("no run ended an item %s: %v", want, seen)
		}
	}
}

func workRandomRun(t *testing.T, seed uint64) *harness {
	rng := rand.New(rand.NewPCG(seed, seed*31))
	h := newOutHarness(t, cbConfig())
	timers := map[string]time.Time{}
	track := func() {
		for _, c := range h.last.Cancels {
			delete(timers, c)
		}
		for _, ts := range h.last.Timers {
			timers[ts.Name] = ts.At
		}
	}
	agents := []string{"a1", "a2"}
	for step := 0; step < 300; step++ {
		switch k := rng.IntN(10); {
		case k == 0:
			h.enqueue(fmt.Sprintf("030 5555 %04d", rng.IntN(10000)), h.now.Add(-time.Duration(rng.IntN(120))*time.Second))
		case k == 1:
			id := agents[rng.IntN(2)]
			switch a := h.m.agents[id]; a.state {
			case SignedOut:
				h.agentCmd("sign_in", id, "")
			case NotReady:
				h.agentCmd("ready", id, "")
			}
		case k <= 3:
			for _, id := range sortedKeys(h.m.work.items) {
				if it := h.item(id); it.state == WorkReserved {
					if rng.IntN(3) == 0 {
						h.work("skip", id, it.agent, "busy_now")
					} else {
						h.work("accept", id, it.agent, "")
					}
					break
				}
			}
		case k <= 7:
			calls := sortedKeys(h.m.calls)
			if len(calls) == 0 {
				break
			}
			c := h.m.calls[calls[rng.IntN(len(calls))]]
			if c.out == nil {
				break
			}
			leg := c.channel
			if c.out.trunkLeg != "" && rng.IntN(3) > 0 {
				leg = c.out.trunkLeg
			}
			switch rng.IntN(4) {
			case 0:
				h.in(pbx.LegRinging{Channel: leg})
			case 1:
				h.in(pbx.LegAnswered{Channel: leg})
			case 2:
				h.in(pbx.ChannelHungUp{Channel: leg, Cause: 17, SIPCode: 486})
			default:
				h.in(pbx.ChannelHungUp{Channel: leg, Cause: 16})
			}
		default:
			h.advance(time.Duration(1+rng.IntN(90)) * time.Second)
			names := make([]string, 0, len(timers))
			for n, at := range timers {
				if !at.After(h.now) {
					names = append(names, n)
				}
			}
			slices.Sort(names)
			for _, n := range names {
				delete(timers, n)
				h.in(TimerFired{Name: n})
				track()
			}
			continue
		}
		track()
		checkWork(t, h, step)
	}
	return h
}

func checkWork(t *testing.T, h *harness, step int) {
	t.Helper()
	dialling := map[string]int{}
	for _, c := range h.m.calls {
		if c.out != nil && c.out.ref != "" && c.phase != phaseEnded {
			dialling[c.out.ref]++
		}
	}
	for ref, n := range dialling {
		if n > 1 {
			t.Fatalf("step %d: item %s dialled %d times at once", step, ref, n)
		}
		if it := h.item(ref); it == nil || (it.state != WorkDialling && it.state != WorkConnected) || it.call == "" {
			t.Fatalf("step %d: a call for item %s, which is %+v", step, ref, it)
		}
	}
	for id, it := range h.m.work.items {
		if (it.state == WorkDialling || it.state == WorkConnected) && dialling[id] != 1 {
			t.Fatalf("step %d: item %s %s without its call", step, id, it.state)
		}
		if it.state == WorkReserved {
			if a := h.m.agents[it.agent]; a == nil || a.work != id || a.state != Reserved {
				t.Fatalf("step %d: item %s reserved for %q who is not", step, id, it.agent)
			}
		}
		if it.attempts > it.maxAttempts {
			t.Fatalf("step %d: item %s dialled %d times, limit %d", step, id, it.attempts, it.maxAttempts)
		}
	}
	var recs []Record
	for _, r := range h.recs {
		if len(r.Type) > 5 && r.Type[:5] == "work." {
			recs = append(recs, *r)
		}
	}
	folded, _, err := foldWork(recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(folded) != len(h.m.work.items) {
		t.Fatalf("step %d: records rebuild %d items, live %d", step, len(folded), len(h.m.work.items))
	}
	for id, it := range h.m.work.items {
		f := folded[id]
		if f == nil {
			t.Fatalf("step %d: item %s lost by a restart", step, id)
		}
		open := it.state != WorkClosed
		if (f.state != WorkClosed) != open || f.attempts != it.attempts || f.reason != it.reason || !f.queuedAt.Equal(it.queuedAt) {
			t.Fatalf("step %d: item %s rebuilt as %+v, live %+v", step, id, f, it)
		}
		if it.state == WorkWaiting && !f.due.Equal(it.due) {
			t.Fatalf("step %d: item %s due %v rebuilt, live %v", step, id, f.due, it.due)
		}
	}
}
