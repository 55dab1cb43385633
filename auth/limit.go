package auth

import (
	"sync"
	"time"
)

// limiter counts failed sign-ins per key (an account, an address) in a
// sliding window. It lives in memory, so each Switchboard node counts on
// its own: with N nodes behind a balancer a guesser gets up to N times the
// attempts, which still stops brute force.
type limiter struct {
	max    int
	window time.Duration

	mu    sync.Mutex
	fails map[string][]time.Time // oldest first, all within window of the last check
	ops   int
}

// sweepEvery is how many failures pass between sweeps of stale keys, so
// guesses at many names cannot grow the map without bound.
const sweepEvery = 1024

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// wait is how long until key may try again (0: now).
func (l *limiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	fs := l.recent(key, now)
	if len(fs) < l.max {
		return 0
	}
	// The oldest failure leaving the window frees one try.
	return fs[len(fs)-l.max].Add(l.window).Sub(now)
}

// fail records a failed sign-in for each key.
func (l *limiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.fails[k] = append(l.recent(k, now), now)
	}
	if l.ops++; l.ops >= sweepEvery {
		l.ops = 0
		for k := range l.fails {
			l.recent(k, now)
		}
	}
}

// clear forgets key's failures (a successful sign-in).
func (l *limiter) clear(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

// recent drops key's failures older than the window; l.mu is held.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	fs := l.fails[key]
	i := 0
	for i < len(fs) && !fs[i].After(now.Add(-l.window)) {
		i++
	}
	if i == len(fs) {
		delete(l.fails, key)
		return nil
	}
	if i > 0 {
		fs = append(fs[:0], fs[i:]...)
		l.fails[key] = fs
	}
	return fs
}
