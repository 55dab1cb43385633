package workforce

import (
	"context"
	"errors"
	"testing"
	"time"
)

// monthsService publishes January and February (february: which teams'
// Februaries are published; the others stay drafts); the clock on Monday
// 2027-01-25.
func monthsService(t *testing.T, entries []Entry, february ...string) (*Service, *fakeLog) {
	t.Helper()
	ctx := context.Background()
	l := &fakeLog{now: time.Date(2026, 12, 20, 9, 0, 0, 0, cst)}
	s := newTestService(l)
	byMonth := map[[2]string][]Entry{}
	for _, e := range entries {
		k := [2]string{testRoster[e.Agent], e.Date[:7]}
		byMonth[k] = append(byMonth[k], e)
	}
	for _, team := range []string{"sales", "support"} {
		for _, m := range []string{"2027-01", "2027-02"} {
			if _, err := s.Save(ctx, team, m, byMonth[[2]string{team, m}], "lead"); err != nil {
				t.Fatal(err)
			}
			if m == "2027-01" || contains(february, team) {
				if _, err := s.Publish(ctx, team, m, "lead", false, ""); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	l.now = time.Date(2027, 1, 25, 9, 0, 0, 0, cst)
	return s, l
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// A swap whose two days are in different months (31st ↔ 1st): each
// agent's swaps are counted in both months, the shifts move to the
// schedule of the month they now fall in, and the month they move into
// must be published for the agent's own team.
func TestSwapAcrossMonths(t *testing.T) {
	base := []Entry{
		{"1001", "2027-01-31", "day"}, {"1002", "2027-01-31", "day"},
		{"1001", "2027-02-01", "day"}, {"1002", "2027-02-01", "day"},
		{"1001", "2027-02-02", "day"}, {"1002", "2027-02-03", "day"},
		{"1001", "2027-02-04", "day"}, {"1002", "2027-02-05", "day"},
		{"1001", "2027-02-08", "day"}, {"1002", "2027-02-08", "day"},
		{"2001", "2027-01-31", "night"}, {"2001", "2027-02-01", "night"}, {"2001", "2027-02-08", "night"},
	}
	type req struct{ a, ad, b, bd string }
	tests := []struct {
		name     string
		february []string // teams whose February is published
		before   []req    // approved first
		ask      req
		field    string
		rule     string
		// after approval: agent → month → the dates and shifts the desk shows
		want map[string]map[string][]string
	}{
		{"31st with a 1st of another team", []string{"sales", "support"}, nil,
			req{"1001", "2027-01-31", "2001", "2027-02-01"}, "", "",
			map[string]map[string][]string{
				"1001": {"2027-01": {}, "2027-02": {"2027-02-01 day", "2027-02-01 night", "2027-02-02 day", "2027-02-04 day", "2027-02-08 day"}},
				"2001": {"2027-01": {"2027-01-31 day", "2027-01-31 night"}, "2027-02": {"2027-02-08 night"}},
			}},
		// 1002 already has two swaps in February; one more on 1 February
		// is a third there, though the other day is in January.
		{"the second agent's month counts", []string{"sales", "support"},
			[]req{{"1001", "2027-02-02", "1002", "2027-02-03"}, {"1001", "2027-02-04", "1002", "2027-02-05"}},
			req{"2001", "2027-01-31", "1002", "2027-02-08"}, "", "max_per_month", nil},
		{"the first agent's other month counts", []string{"sales", "support"},
			[]req{{"1001", "2027-02-02", "1002", "2027-02-03"}, {"1001", "2027-02-04", "1002", "2027-02-05"}},
			req{"1001", "2027-01-31", "2001", "2027-02-08"}, "", "max_per_month", nil},
		// Sales's February is a draft: 1001's new shift has no published
		// month to go to.
		{"the month moved into is not published", []string{"support"}, nil,
			req{"1001", "2027-01-31", "2001", "2027-02-01"}, "with_date", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, l := monthsService(t, base, tc.february...)
			for _, r := range tc.before {
				sw, err := s.RequestSwap(ctx, r.a, r.ad, r.b, r.bd, r.a)
				if err != nil {
					t.Fatalf("before %+v: %v", r, err)
				}
				if _, err := s.DecideSwap(ctx, sw.ID, "approve", []string{"sales", "support"}, "sup"); err != nil {
					t.Fatalf("approve %+v: %v", r, err)
				}
			}
			sw, err := s.RequestSwap(ctx, tc.ask.a, tc.ask.ad, tc.ask.b, tc.ask.bd, tc.ask.a)
			var fe *FieldError
			var re *RuleError
			switch {
			case tc.field != "":
				if !errors.As(err, &fe) || fe.Field != tc.field {
					t.Fatalf("err %v, want field %s", err, tc.field)
				}
				return
			case tc.rule != "":
				if !errors.As(err, &re) || re.Rule != tc.rule {
					t.Fatalf("err %v, want rule %s", err, tc.rule)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if sw, err = s.DecideSwap(ctx, sw.ID, "approve", []string{"sales", "support"}, "sup"); err != nil || sw.State != LeaveApproved {
				t.Fatalf("approve: %+v %v", sw, err)
			}
			s2 := newTestService(l)
			if err := s2.Restore(l.recs); err != nil {
				t.Fatal(err)
			}
			for name, svc := range map[string]*Service{"live": s, "restored": s2} {
				for agent, months := range tc.want {
					for month, want := range months {
						days, err := svc.Mine(agent, month)
						if err != nil {
							t.Fatal(err)
						}
						var got []string
						for _, d := range days {
							got = append(got, d.Date+" "+d.Shift)
						}
						if len(got) != len(want) {
							t.Fatalf("%s: %s in %s: %v, want %v", name, agent, month, got, want)
						}
						for i := range got {
							if got[i] != want[i] {
								t.Fatalf("%s: %s in %s: %v, want %v", name, agent, month, got, want)
							}
						}
					}
				}
				// Every schedule still holds only its own month's days.
				for _, sc := range svc.List("") {
					for _, e := range sc.Entries {
						if e.Date[:7] != sc.Month {
							t.Fatalf("%s: %s %s holds %+v", name, sc.Team, sc.Month, e)
						}
					}
				}
			}
		})
	}
}
