package live

import (
	"testing"
	"time"
)

// The wallboard counts the overdue tickets at its now; without a tickets
// source it has no count at all (not a zero).
func TestBoardCountsOverdueTickets(t *testing.T) {
	st, rep := seededStore(t)
	var asked time.Time
	cfg := BoardConfig{Now: func() time.Time { return now }, OverdueTickets: func(at time.Time) int { asked = at; return 3 }}
	w, err := NewBoard(cfg, newEngine(), rep, st, NewHub(0, nil, nil), nil).Compute(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if w.OverdueTickets == nil || *w.OverdueTickets != 3 || !asked.Equal(now) {
		t.Fatalf("overdue tickets %v asked at %v", w.OverdueTickets, asked)
	}
	cfg.OverdueTickets = nil
	if w, _ := NewBoard(cfg, newEngine(), rep, st, NewHub(0, nil, nil), nil).Compute(t.Context()); w.OverdueTickets != nil {
		t.Fatalf("a count without tickets: %d", *w.OverdueTickets)
	}
	if !relevant("ticket.overdue") || !relevant("ticket.transition") {
		t.Fatal("ticket records do not wake the wallboard")
	}
}

// The same for follow-ups (回访) past due.
func TestBoardCountsOverdueFollowUps(t *testing.T) {
	st, rep := seededStore(t)
	cfg := BoardConfig{Now: func() time.Time { return now }, OverdueFollowUps: func(time.Time) int { return 2 }}
	w, err := NewBoard(cfg, newEngine(), rep, st, NewHub(0, nil, nil), nil).Compute(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if w.OverdueFollowUps == nil || *w.OverdueFollowUps != 2 || w.OverdueTickets != nil {
		t.Fatalf("overdue follow-ups %v, tickets %v", w.OverdueFollowUps, w.OverdueTickets)
	}
	if !relevant("followup.overdue") {
		t.Fatal("follow-up records do not wake the wallboard")
	}
}
