package routing

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"time"
)

// Clock is the engine's source of time. Injected so tests and replays
// control it.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d; stop cancels it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc implements Clock.
func (SystemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// RandomIDs makes IDs unique across restarts and nodes: prefix, a random
// part fixed per process, and a counter.
func RandomIDs() IDs {
	var b [6]byte
	_, _ = rand.Read(b[:])
	boot := hex.EncodeToString(b[:])
	var n atomic.Uint64
	return func(prefix string) string {
		return prefix + "-" + boot + "-" + strconv.FormatUint(n.Add(1), 36)
	}
}

// SequentialIDs makes "call-1", "leg-2", … for tests and replays.
func SequentialIDs() IDs {
	var n atomic.Uint64
	return func(prefix string) string { return prefix + "-" + strconv.FormatUint(n.Add(1), 36) }
}

// ShiftedClock is the wall clock moved by Offset: a rehearsal or test runs
// "on Saturday night" while its timers still take real time.
type ShiftedClock struct{ Offset time.Duration }

// Now implements Clock.
func (c ShiftedClock) Now() time.Time { return time.Now().Add(c.Offset) }

// AfterFunc implements Clock.
func (ShiftedClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
