package redial

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestBackoffDoublesAndResetsAfterAConnect(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// connected on the 4th session only
	results := []bool{false, false, false, true, false, false}
	n := 0
	var waits []time.Duration
	Loop(ctx, time.Millisecond, 3*time.Millisecond, func(context.Context) (bool, error) {
		c := results[n]
		n++
		if n == len(results) {
			cancel()
		}
		return c, errors.New("down")
	}, func(err error, wait time.Duration) { waits = append(waits, wait) })
	want := []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}
	if !slices.Equal(waits, want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
}

func TestReturnsWhenTheContextEndsDuringAWait(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		Loop(ctx, time.Hour, time.Hour, func(context.Context) (bool, error) { return false, nil },
			func(error, time.Duration) { cancel() })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Loop did not return after ctx ended")
	}
}
