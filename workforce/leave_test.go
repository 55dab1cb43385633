package workforce

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLeaveRequestRules(t *testing.T) {
	now := time.Date(2026, 12, 10, 10, 0, 0, 0, cst)
	late := time.Date(2026, 12, 28, 0, 0, 0, 0, cst) // past the 27th
	tests := []struct {
		name, agent, from, to string
		now                   time.Time
		field, rule           string
	}{
		{"fine", "1001", "2026-12-14", "2026-12-15", now, "", ""},
		{"today is fine", "1001", "2026-12-10", "2026-12-10", now, "", ""},
		{"in the past", "1001", "2026-12-09", "2026-12-11", now, "from", ""},
		{"unknown agent", "9", "2026-12-14", "2026-12-15", now, "agent", ""},
		{"to before from", "1001", "2026-12-15", "2026-12-14", now, "to", ""},
		{"not a date", "1001", "2026-12-1", "2026-12-14", now, "from", ""},
		{"across months", "1001", "2026-12-30", "2027-01-02", now, "to", ""},
		{"next month by the 27th", "1001", "2027-01-05", "2027-01-05", now, "", ""},
		{"next month after the 27th", "1001", "2027-01-05", "2027-01-05", late, "", "requests_by"},
		{"this month after the 27th", "1001", "2026-12-30", "2026-12-30", late, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testBook().DecideLeave(tc.agent, tc.from, tc.to, "", "1001", 27, tc.now)
			var fe *FieldError
			var de *DeadlineError
			switch {
			case tc.field == "" && tc.rule == "" && err != nil:
				t.Fatal(err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Fatalf("err %v, want field %s", err, tc.field)
			case tc.rule != "" && (!errors.As(err, &de) || de.Rule != tc.rule):
				t.Fatalf("err %v, want rule %s", err, tc.rule)
			}
		})
	}
}

func TestLeaveLimits(t *testing.T) {
	ctx := context.Background()
	l := &fakeLog{now: time.Date(2026, 12, 1, 9, 0, 0, 0, cst)}
	s := newTestService(l)
	req := func(from, to string) Leave {
		t.Helper()
		lv, err := s.RequestLeave(ctx, "1001", from, to, "family", "1001")
		if err != nil {
			t.Fatal(err)
		}
		return lv
	}
	a := req("2026-12-02", "2026-12-03") // 2 days
	if a.Days != 2 || a.State != LeavePending {
		t.Fatalf("%+v", a)
	}
	if _, err := s.RequestLeave(ctx, "1001", "2026-12-03", "2026-12-04", "", "1001"); err == nil {
		t.Fatal("an overlapping request was taken")
	}
	if _, err := s.DecideLeave(ctx, a.ID, LeaveApproved, "lead", "team_lead", ""); err != nil {
		t.Fatal(err)
	}
	var se *LeaveStateError
	if _, err := s.DecideLeave(ctx, a.ID, LeaveRefused, "lead", "team_lead", ""); !errors.As(err, &se) {
		t.Fatalf("decide twice: %v", err)
	}
	b := req("2026-12-07", "2026-12-08") // 2 more: 4 > lead's 3, ≤ supervisor's 5
	var le *LimitError
	if _, err := s.DecideLeave(ctx, b.ID, LeaveApproved, "lead", "team_lead", ""); !errors.As(err, &le) || le.Rule != "lead_days" || le.Would != 4 {
		t.Fatalf("lead over limit: %v", err)
	}
	if _, err := s.DecideLeave(ctx, b.ID, LeaveApproved, "sup", "supervisor", ""); err != nil {
		t.Fatal(err)
	}
	c := req("2026-12-10", "2026-12-11") // 6 > 5
	if _, err := s.DecideLeave(ctx, c.ID, LeaveApproved, "sup", "supervisor", ""); !errors.As(err, &le) || le.Rule != "supervisor_days" {
		t.Fatalf("supervisor over limit: %v", err)
	}
	if lv, err := s.DecideLeave(ctx, c.ID, LeaveWithdrawn, "1001", "agent", ""); err != nil || lv.State != LeaveWithdrawn {
		t.Fatalf("withdraw: %+v %v", lv, err)
	}
	// Other months and refused or withdrawn requests do not count.
	d := req("2027-01-04", "2027-01-06")
	if _, err := s.DecideLeave(ctx, d.ID, LeaveApproved, "lead", "team_lead", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecideLeave(ctx, "L999999", LeaveApproved, "lead", "team_lead", ""); !errors.Is(err, ErrNoLeave) {
		t.Fatal(err)
	}
	// Restart: the same requests and states from the log.
	s2 := newTestService(l)
	if err := s2.Restore(l.recs); err != nil {
		t.Fatal(err)
	}
	got, want := s2.Leaves("", ""), s.Leaves("", "")
	if len(got) != 4 || len(got) != len(want) {
		t.Fatalf("%d leaves after restart, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].State != want[i].State || got[i].Days != want[i].Days {
			t.Errorf("%+v != %+v", got[i], want[i])
		}
	}
	if lv := s.Leaves("", "sales"); len(lv) != 4 || len(s.Leaves("", "support")) != 0 {
		t.Errorf("team filter: %d", len(lv))
	}
}
