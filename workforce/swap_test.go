package workforce

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// swapService: sales (1001, 1002; minimum 1) and support (2001) with a
// published January; the clock on Monday 2027-01-04.
func swapService(t *testing.T, entries map[string][]Entry) (*Service, *fakeLog) {
	t.Helper()
	ctx := context.Background()
	l := &fakeLog{now: time.Date(2026, 12, 20, 9, 0, 0, 0, cst)}
	s := newTestService(l)
	for team, es := range entries {
		if _, err := s.Save(ctx, team, "2027-01", es, "lead"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, team, "2027-01", "lead", false, ""); err != nil {
			t.Fatal(err)
		}
	}
	l.now = time.Date(2027, 1, 4, 9, 0, 0, 0, cst) // a Monday
	return s, l
}

func TestSwapRules(t *testing.T) {
	base := map[string][]Entry{
		"sales": {{"1001", "2027-01-07", "day"}, {"1002", "2027-01-07", "day"}, {"1002", "2027-01-08", "day"},
			{"1001", "2027-01-05", "day"}, {"1001", "2027-01-01", "day"}, {"1001", "2027-01-12", "day"}, {"1002", "2027-01-13", "day"},
			{"1001", "2027-01-14", "day"}, {"1002", "2027-01-15", "day"}, {"1001", "2027-01-18", "day"}, {"1002", "2027-01-19", "day"}},
		"support": {{"2001", "2027-01-08", "night"}},
	}
	tests := []struct {
		name, a, ad, b, bd string
		field, rule        string
	}{
		{"with oneself", "1001", "2027-01-07", "1001", "2027-01-07", "with", ""},
		{"no shift that day", "1001", "2027-01-09", "1002", "2027-01-08", "date", ""},
		{"holiday", "1001", "2027-01-01", "1002", "2027-01-08", "", "no_holidays"},
		{"tomorrow is too soon", "1001", "2027-01-05", "1002", "2027-01-08", "", "working_days_ahead"},
		{"the same shift: nothing to swap", "1001", "2027-01-07", "1002", "2027-01-07", "with_date", ""},
		// 1002 alone on the 8th: giving it to support leaves sales empty.
		{"leaves a seat empty", "1002", "2027-01-08", "2001", "2027-01-08", "", "min_staffing"},
		{"fine", "1001", "2027-01-12", "1002", "2027-01-13", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := swapService(t, base)
			_, err := s.RequestSwap(context.Background(), tc.a, tc.ad, tc.b, tc.bd, tc.a)
			var fe *FieldError
			var re *RuleError
			switch {
			case tc.field == "" && tc.rule == "" && err != nil:
				t.Fatal(err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Fatalf("err %v, want field %s", err, tc.field)
			case tc.rule != "" && (!errors.As(err, &re) || re.Rule != tc.rule):
				t.Fatalf("err %v, want rule %s", err, tc.rule)
			}
		})
	}
	// At most two a month per agent.
	s, _ := swapService(t, base)
	ctx := context.Background()
	for _, p := range [][4]string{{"1001", "2027-01-12", "1002", "2027-01-13"}, {"1001", "2027-01-14", "1002", "2027-01-15"}} {
		if _, err := s.RequestSwap(ctx, p[0], p[1], p[2], p[3], "x"); err != nil {
			t.Fatal(err)
		}
	}
	var re *RuleError
	if _, err := s.RequestSwap(ctx, "1001", "2027-01-18", "1002", "2027-01-19", "x"); !errors.As(err, &re) || re.Rule != "max_per_month" {
		t.Fatalf("third swap: %v", err)
	}
}

func TestSwapApprovalBothLeads(t *testing.T) {
	ctx := context.Background()
	s, l := swapService(t, map[string][]Entry{
		"sales":   {{"1001", "2027-01-07", "day"}, {"1002", "2027-01-07", "day"}},
		"support": {{"2001", "2027-01-08", "night"}},
	})
	sw, err := s.RequestSwap(ctx, "1001", "2027-01-07", "2001", "2027-01-08", "1001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideSwap(ctx, sw.ID, "approve", []string{"other"}, "x"); err == nil {
		t.Fatal("a lead of another team approved")
	}
	if sw, err = s.DecideSwap(ctx, sw.ID, "approve", []string{"sales"}, "lead1"); err != nil || sw.State != LeavePending {
		t.Fatalf("first approval: %+v %v", sw, err)
	}
	if sw, err = s.DecideSwap(ctx, sw.ID, "approve", []string{"support"}, "lead2"); err != nil || sw.State != LeaveApproved {
		t.Fatalf("second approval: %+v %v", sw, err)
	}
	var se *LeaveStateError
	if _, err := s.DecideSwap(ctx, sw.ID, "refuse", []string{"sales"}, "lead1"); !errors.As(err, &se) {
		t.Fatalf("decide an approved swap: %v", err)
	}
	days, _ := s.Mine("1001", "2027-01")
	if len(days) != 1 || days[0].Date != "2027-01-08" || days[0].Shift != "night" {
		t.Fatalf("1001 after the swap: %+v", days)
	}
	s2 := newTestService(l)
	if err := s2.Restore(l.recs); err != nil {
		t.Fatal(err)
	}
	if d2, _ := s2.Mine("1001", "2027-01"); len(d2) != 1 || d2[0].Date != days[0].Date || d2[0].Shift != days[0].Shift || !d2[0].Start.Equal(days[0].Start) {
		t.Fatalf("after restart: %+v", d2)
	}
}

// Property: whatever the schedule and the swaps asked and approved, no
// approved swap leaves a moment with a team under its minimum that was
// not under it before.
func TestSwapNeverUnderMinimum(t *testing.T) {
	ctx := context.Background()
	agents := []string{"1001", "1002", "2001"}
	shifts := []string{"day", "night", "early"}
	approved, refused := 0, 0
	for seed := range uint64(150) {
		r := rand.New(rand.NewPCG(seed, 7))
		entries := map[string][]Entry{}
		used := map[string]bool{}
		for range 12 {
			a := agents[r.IntN(len(agents))]
			d := fmt.Sprintf("2027-01-%02d", 6+r.IntN(6))
			if used[a+d] {
				continue
			}
			used[a+d] = true
			team := testRoster[a]
			entries[team] = append(entries[team], Entry{a, d, shifts[r.IntN(len(shifts))]})
		}
		l := &fakeLog{now: time.Date(2026, 12, 20, 9, 0, 0, 0, cst)}
		s := newTestService(l)
		for team, es := range entries {
			if _, err := s.Save(ctx, team, "2027-01", es, "lead"); err != nil {
				continue // a random overlap: that team unpublished
			}
			if _, err := s.Publish(ctx, team, "2027-01", "lead", false, ""); err != nil {
				t.Fatal(err)
			}
		}
		l.now = time.Date(2027, 1, 4, 9, 0, 0, 0, cst)
		for range 6 {
			a, b := agents[r.IntN(3)], agents[r.IntN(3)]
			ad, bd := fmt.Sprintf("2027-01-%02d", 6+r.IntN(6)), fmt.Sprintf("2027-01-%02d", 6+r.IntN(6))
			before := staffing(s)
			sw, err := s.RequestSwap(ctx, a, ad, b, bd, a)
			var re *RuleError
			if errors.As(err, &re) && re.Rule == "min_staffing" {
				refused++
			}
			if err != nil {
				continue
			}
			approved++
			if _, err := s.DecideSwap(ctx, sw.ID, "approve", []string{"sales", "support"}, "sup"); err != nil {
				continue
			}
			after := staffing(s)
			for k, n := range after {
				if n < 1 && n < before[k] && k[:5] == "sales" {
					t.Fatalf("seed %d: swap %+v left %s at %d (was %d)", seed, sw, k, n, before[k])
				}
			}
		}
	}
	if approved < 20 || refused < 5 {
		t.Fatalf("too few cases exercised: %d approved, %d refused for min_staffing", approved, refused)
	}
}

// staffing is sales's scheduled count at every 30 minutes of 6-12 Jan.
func staffing(s *Service) map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]int{}
	es := s.book.teamEntries("sales", "2027-01")
	for t := time.Date(2027, 1, 6, 0, 0, 0, 0, cst); t.Before(time.Date(2027, 1, 13, 0, 0, 0, 0, cst)); t = t.Add(30 * time.Minute) {
		out["sales "+t.Format(time.RFC3339)] = s.book.coverage(es, t)
	}
	return out
}
