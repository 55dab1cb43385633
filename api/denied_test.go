package api

import (
	"testing"
	"time"
)

// A principal hammering refused routes gets deniedBurst entries a window;
// the next entry written says how many were dropped in between.
func TestDeniedAuditIsBoundedPerPrincipal(t *testing.T) {
	l := newDeniedLimiter()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	written := 0
	for range deniedBurst + 5 {
		if ok, _ := l.allow("mallory", now); ok {
			written++
		}
	}
	if written != deniedBurst {
		t.Errorf("%d written in one window, want %d", written, deniedBurst)
	}
	if ok, _ := l.allow("alice", now); !ok {
		t.Error("another principal is limited by mallory's refusals")
	}
	ok, dropped := l.allow("mallory", now.Add(deniedWindow))
	if !ok || dropped != 5 {
		t.Errorf("next window: ok %v dropped %d, want true 5", ok, dropped)
	}
	if _, dropped := l.allow("mallory", now.Add(deniedWindow)); dropped != 0 {
		t.Errorf("dropped counted twice: %d", dropped)
	}
}
