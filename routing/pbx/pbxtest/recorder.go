package pbxtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// recorder runs a driver and keeps every event it delivers, in order.
// Expectations consume the sequence: each looks for its event after the
// one the previous expectation matched, so a scenario's expectations
// assert order as well as presence.
type recorder struct {
	t      *testing.T
	mu     sync.Mutex
	events []pbx.Event
	notify chan struct{}
	cursor int
}

// run starts sw.Run; the test's cleanup stops it, waits for it and checks
// the properties every event sequence must have.
func run(t *testing.T, sw pbx.Switch) *recorder {
	r := &recorder{t: t, notify: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan pbx.Event)
	done := make(chan error, 1)
	go func() { done <- sw.Run(ctx, events) }()
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for {
			select {
			case ev := <-events:
				r.mu.Lock()
				r.events = append(r.events, ev)
				r.mu.Unlock()
				select {
				case r.notify <- struct{}{}:
				default:
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != context.Canceled {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return within 10s of its context ending")
		}
		<-collected
		r.checkInvariants()
	})
	return r
}

// expect waits up to timeout for an event after the cursor that match
// accepts, moves the cursor past it and returns it.
func (r *recorder) expect(timeout time.Duration, what string, match func(pbx.Event) bool) pbx.Event {
	r.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		for i := r.cursor; i < len(r.events); i++ {
			if match(r.events[i]) {
				r.cursor = i + 1
				ev := r.events[i]
				r.mu.Unlock()
				return ev
			}
		}
		r.mu.Unlock()
		select {
		case <-r.notify:
		case <-deadline.C:
			r.t.Fatalf("no %s within %v; events so far:\n%s", what, timeout, r.dump())
			return nil
		}
	}
}

// none asserts that no event so far (the whole sequence) matches.
func (r *recorder) none(what string, match func(pbx.Event) bool) {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ev := range r.events {
		if match(ev) {
			r.t.Errorf("unexpected %s: %#v", what, ev)
		}
	}
}

func (r *recorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for i, ev := range r.events {
		mark := " "
		if i == r.cursor {
			mark = ">"
		}
		fmt.Fprintf(&b, "%s %3d %s %+v\n", mark, i, ev.Kind(), ev)
	}
	return b.String()
}

// checkInvariants: every event names its node and time; a channel's end
// is reported at most once.
func (r *recorder) checkInvariants() {
	r.mu.Lock()
	defer r.mu.Unlock()
	ended := map[string]int{}
	for _, ev := range r.events {
		if ev.At().IsZero() {
			r.t.Errorf("%s without a time: %+v", ev.Kind(), ev)
		}
		if h, ok := ev.(pbx.ChannelHungUp); ok {
			ended[h.Channel]++
			if ended[h.Channel] == 2 {
				r.t.Errorf("channel %s reported hung up more than once", h.Channel)
			}
		}
	}
}

// Matchers.

func isResynced(ev pbx.Event) bool { _, ok := ev.(pbx.Resynced); return ok }
func isLinkDown(ev pbx.Event) bool { _, ok := ev.(pbx.LinkDown); return ok }

func arrived(number string) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		a, ok := ev.(pbx.CallArrived)
		return ok && a.Called == number
	}
}

func hungUp(ch string) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		h, ok := ev.(pbx.ChannelHungUp)
		return ok && h.Channel == ch
	}
}

func ringing(ch string) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		e, ok := ev.(pbx.LegRinging)
		return ok && e.Channel == ch
	}
}

func answered(ch string) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		e, ok := ev.(pbx.LegAnswered)
		return ok && e.Channel == ch
	}
}

func dtmf(ch string) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		e, ok := ev.(pbx.DTMFReceived)
		return ok && e.Channel == ch
	}
}

func playbackDone(id string) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		e, ok := ev.(pbx.PlaybackFinished)
		return ok && e.PlaybackID == id
	}
}
