package workforce

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/routing"
)

func testConfig() Config {
	return Config{TimeZone: "+08:00", Shifts: []ShiftConfig{
		{Name: "day", Start: "09:00", End: "17:00",
			Meals: []Window{{Start: "12:00", End: "13:00", Allowance: routing.Duration(30 * time.Minute)}}},
		{Name: "night", Start: "22:00", End: "06:00"},
		{Name: "early", Start: "05:00", End: "13:00"},
	}}
}

var testRoster = Roster{"1001": "sales", "1002": "sales", "2001": "support"}

func testBook() *Book { return NewBook(testConfig(), testRoster) }

// fakeLog is the engine as the Service sees it: it runs decisions at its
// clock and keeps what they wrote, for a restart.
type fakeLog struct {
	now  time.Time
	recs []routing.Record
}

func (l *fakeLog) submit(_ context.Context, d routing.Decision) (any, error) {
	recs, reply, err := d(l.now)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		r.Time, r.Seq = l.now, int64(len(l.recs)+1)
		l.recs = append(l.recs, *r)
	}
	return reply, nil
}

func newTestService(l *fakeLog) *Service {
	return NewService(testConfig(), testRoster, []Team{{Name: "sales", MinReady: 1}, {Name: "support"}},
		map[string]string{"2027-01-01": "New Year"}, l.submit, func() time.Time { return l.now }, nil)
}

func TestSaveRules(t *testing.T) {
	now := time.Date(2026, 12, 10, 10, 0, 0, 0, cst)
	tests := []struct {
		name    string
		team    string
		month   string
		entries []Entry
		field   string
	}{
		{"fine", "sales", "2027-01", []Entry{{"1001", "2027-01-04", "day"}, {"1001", "2027-01-05", "night"}}, ""},
		{"unknown team", "nope", "2027-01", nil, "team"},
		{"bad month", "sales", "2027-1", nil, "month"},
		{"month over", "sales", "2026-11", nil, "month"},
		{"unknown agent", "sales", "2027-01", []Entry{{"9", "2027-01-04", "day"}}, "entries[0].agent"},
		{"agent of another team", "sales", "2027-01", []Entry{{"2001", "2027-01-04", "day"}}, "entries[0].agent"},
		{"unknown shift", "sales", "2027-01", []Entry{{"1001", "2027-01-04", "late"}}, "entries[0].shift"},
		{"date outside the month", "sales", "2027-01", []Entry{{"1001", "2027-02-01", "day"}}, "entries[0].date"},
		{"not a date", "sales", "2027-01", []Entry{{"1001", "2027-01-32", "day"}}, "entries[0].date"},
		{"overlap across midnight", "sales", "2027-01",
			[]Entry{{"1001", "2027-01-04", "night"}, {"1001", "2027-01-05", "day"}, {"1002", "2027-01-05", "early"}, {"1001", "2027-01-05", "early"}},
			"entries[3].shift"},
		{"duplicate", "sales", "2027-01", []Entry{{"1001", "2027-01-04", "day"}, {"1001", "2027-01-04", "day"}}, "entries[1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testBook().DecideSave(tc.team, tc.month, tc.entries, "lead", now)
			var fe *FieldError
			switch {
			case tc.field == "" && err != nil:
				t.Fatal(err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Fatalf("err %v, want field %s", err, tc.field)
			}
		})
	}
}

func TestPublishDeadline(t *testing.T) {
	jan := time.Date(2027, 1, 1, 0, 0, 0, 0, cst)
	if d := PublishDeadline(jan, 29); !d.Equal(time.Date(2026, 12, 30, 0, 0, 0, 0, cst)) {
		t.Errorf("jan: %v", d)
	}
	// March's schedule is due by February's last day when it has no 29th.
	if d := PublishDeadline(time.Date(2027, 3, 1, 0, 0, 0, 0, cst), 29); !d.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, cst)) {
		t.Errorf("mar: %v", d)
	}
}

func TestPublishAndRestart(t *testing.T) {
	ctx := context.Background()
	l := &fakeLog{now: time.Date(2026, 12, 29, 23, 0, 0, 0, cst)}
	s := newTestService(l)
	if _, err := s.Publish(ctx, "sales", "2027-01", "lead", false, ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("publish unsaved: %v", err)
	}
	if _, err := s.Save(ctx, "sales", "2027-01", []Entry{{"1001", "2027-01-04", "day"}}, "lead"); err != nil {
		t.Fatal(err)
	}
	sc, err := s.Publish(ctx, "sales", "2027-01", "lead", false, "")
	if err != nil || sc.State != StatePublished || sc.Late {
		t.Fatalf("%+v %v", sc, err)
	}
	var se *StateError
	if _, err := s.Publish(ctx, "sales", "2027-01", "lead", false, ""); !errors.As(err, &se) {
		t.Fatalf("publish twice: %v", err)
	}
	var fe *FieldError
	if _, err := s.Save(ctx, "sales", "2027-01", nil, "lead"); !errors.As(err, &fe) || fe.Field != "month" {
		t.Fatalf("save published: %v", err)
	}
	// Past the 29th: refused with the rule, then overridden with a reason.
	l.now = time.Date(2026, 12, 30, 0, 0, 0, 0, cst)
	if _, err := s.Save(ctx, "support", "2027-01", []Entry{{"2001", "2027-01-01", "day"}}, "lead2"); err != nil {
		t.Fatal(err)
	}
	var de *DeadlineError
	if _, err := s.Publish(ctx, "support", "2027-01", "lead2", false, ""); !errors.As(err, &de) || de.Rule != "publish_by" ||
		!strings.Contains(err.Error(), "2026-12-29") {
		t.Fatalf("late: %v", err)
	}
	if _, err := s.Publish(ctx, "support", "2027-01", "sup", true, " "); !errors.As(err, &fe) || fe.Field != "reason" {
		t.Fatalf("late, no reason: %v", err)
	}
	if sc, err := s.Publish(ctx, "support", "2027-01", "sup", true, "team changed"); err != nil || !sc.Late {
		t.Fatalf("override: %+v %v", sc, err)
	}
	days, err := s.Mine("2001", "2027-01")
	if err != nil || len(days) != 1 || days[0].Holiday != "New Year" {
		t.Fatalf("mine: %+v %v", days, err)
	}
	// A restart rebuilds the same schedules from the log alone.
	s2 := newTestService(l)
	if err := s2.Restore(l.recs); err != nil {
		t.Fatal(err)
	}
	for _, team := range []string{"sales", "support"} {
		a, _ := s.Get(team, "2027-01")
		b, err := s2.Get(team, "2027-01")
		if err != nil || a.State != b.State || len(a.Entries) != len(b.Entries) || a.Late != b.Late || !a.PublishedAt.Equal(b.PublishedAt) {
			t.Errorf("%s: %+v != %+v (%v)", team, a, b, err)
		}
	}
}

func agentState(agent string, at time.Time, from, to string) routing.Record {
	rec := routing.Record{Type: routing.EvAgentState, AgentID: agent, Time: at}
	d := routing.AgentStateData{From: from, To: to}
	rec.SetPayload(d, []byte(`{"from":"`+from+`","to":"`+to+`"}`))
	return rec
}

func TestAdherenceReportAndFloor(t *testing.T) {
	ctx := context.Background()
	l := &fakeLog{now: time.Date(2026, 12, 20, 10, 0, 0, 0, cst)}
	s := newTestService(l)
	if _, err := s.Save(ctx, "sales", "2027-01", []Entry{{"1001", "2027-01-04", "day"}, {"1002", "2027-01-04", "day"}}, "lead"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, "sales", "2027-01", "lead", false, ""); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2027, 1, 4, 0, 0, 0, 0, cst)
	h := func(hh, mm int) time.Time {
		return day.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
	}
	for _, r := range []routing.Record{
		agentState("1001", h(8, 50), "signed_out", "ready"),
		agentState("1001", h(12, 0), "ready", "not_ready"),
	} {
		s.Observe(&r)
	}
	l.now = h(12, 10)
	fl := s.Floor()
	if fl[0].Team != "sales" || fl[0].Scheduled != 2 || fl[0].SignedIn != 1 || fl[0].Ready != 0 || !fl[0].Below {
		t.Errorf("floor %+v", fl)
	}
	r := agentState("1001", h(13, 0), "not_ready", "signed_out")
	s.Observe(&r)
	l.now = h(18, 0)
	if _, err := s.Excuse(ctx, "1001", h(13, 0), h(15, 0), "PC broke", "lead"); err != nil {
		t.Fatal(err)
	}
	tb, err := s.Report("2027-01", GroupAgent, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Rows) != 2 {
		t.Fatalf("rows %+v", tb.Rows)
	}
	// 1001: 09:00-13:00 of 8h signed in = 50%; 2h excused → 75%; 30 min
	// the hour not ready from 12:00 is in the meal window, 30 min past
	// its allowance.
	v := tb.Rows[0].Values
	if *v[5] != 50 || *v[7] != 75 || *v[10] != 1800 || *v[2] != 100 {
		t.Errorf("1001: adherence %v excused %v overrun %v attendance %v", *v[5], *v[7], *v[10], *v[2])
	}
	if tot := tb.Total.Values; *tot[2] != 50 || *tot[5] != 25 {
		t.Errorf("total attendance %v adherence %v", *tot[2], *tot[5])
	}
}
