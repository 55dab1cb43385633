package auth

import (
	"strings"
	"sync"
	"time"
)

// limiter counts failed sign-ins per key (an account, an address) in a
// sliding window. It lives in memory, so each Switchboard node counts on
// its own: with N nodes behind a balancer a guesser gets up to N times the
// attempts, which still stops brute force.
type limiter struct {
	maxFor func(key string) int // the limit for a key
	window time.Duration

	mu    sync.Mutex
	fails map[string][]time.Time // oldest first, all within window of the last check
	ops   int
}

// sweepEvery is how many failures pass between sweeps of stale keys, so
// guesses at many names cannot grow the map without bound.
const sweepEvery = 1024

// newLimiter limits "pair:" keys (one address guessing at one account)
// to perAccount failures, and "addr:" keys (one address, any account) and
// "user:" keys (one account, from anywhere) to perAddr. Locking the
// account itself after perAccount would let anyone lock anyone out with a
// few guesses; the account-wide key still stops guessing spread over many
// addresses.
func newLimiter(perAccount, perAddr int, window time.Duration) *limiter {
	maxFor := func(key string) int {
		if strings.HasPrefix(key, "pair:") {
			return perAccount
		}
		return perAddr
	}
	return &limiter{maxFor: maxFor, window: window, fails: map[string][]time.Time{}}
}

// attempt counts a sign-in attempt against every key, as a failure until
// succeeded says otherwise; counting before the password is checked keeps
// parallel guesses within the limit. If a key is already at the limit,
// nothing is counted and attempt answers how long until it may try again.
func (l *limiter) attempt(now time.Time, keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range keys {
		if fs, m := l.recent(k, now), l.maxFor(k); len(fs) >= m {
			// The oldest failure leaving the window frees one try.
			wait = max(wait, fs[len(fs)-m].Add(l.window).Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	for _, k := range keys {
		l.fails[k] = append(l.fails[k], now)
	}
	if l.ops++; l.ops >= sweepEvery {
		l.ops = 0
		for k := range l.fails {
			l.recent(k, now)
		}
	}
	return 0
}

// succeeded takes back the attempt made at now: the account's failures
// (from this address and in all) are forgotten, the address keeps its
// others.
func (l *limiter) succeeded(now time.Time, account, pair, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, account)
	delete(l.fails, pair)
	fs := l.fails[addr]
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].Equal(now) {
			l.fails[addr] = append(fs[:i], fs[i+1:]...)
			break
		}
	}
	if len(l.fails[addr]) == 0 {
		delete(l.fails, addr)
	}
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
