package followups

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/routing"
)

var shanghai = time.FixedZone("CST", 8*3600)

func cfg() Config {
	return Config{DueWithin: routing.Duration(72 * time.Hour), MaxAttempts: 3, RetryAfter: routing.Duration(2 * time.Hour),
		Dispositions:      map[string]routing.Duration{"complaint": routing.Duration(24 * time.Hour)},
		AppointmentWindow: Window{From: "09:00", To: "11:00"}}
}

// fakeEngine runs decisions like routing.Decide: at its clock, records
// stamped and given a seq, kept as the log.
type fakeEngine struct {
	now time.Time
	seq int64
	log []routing.Record
}

func (f *fakeEngine) submit(_ context.Context, d routing.Decision) (any, error) {
	recs, reply, err := d(f.now)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		f.seq++
		r.Seq, r.Time = f.seq, f.now
		f.log = append(f.log, *r)
	}
	return reply, nil
}

func newSvc(c Config, f *fakeEngine) *Service {
	return NewService(c, []string{"resolved", "complaint", "callback"}, shanghai, f.submit, func() time.Time { return f.now }, nil)
}

func TestDueClock(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	r := cfg().rules(shanghai)
	for _, tc := range []struct {
		name, disp string
		resolved   string
		want       string
	}{
		{"72 h by default", "resolved", "2026-12-01 10:00", "2026-12-04 10:00"},
		{"across midnight", "resolved", "2026-12-01 23:30", "2026-12-04 23:30"},
		{"across a month end", "", "2026-11-29 23:59", "2026-12-02 23:59"},
		{"per disposition", "complaint", "2026-12-01 23:30", "2026-12-02 23:30"},
		{"unknown to the config: default", "callback", "2026-12-01 00:00", "2026-12-04 00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.DueAt(at(tc.resolved), tc.disp); !got.Equal(at(tc.want)) {
				t.Errorf("due %v, want %s", got, tc.want)
			}
		})
	}
}

func TestClosingRules(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	later := t0.Add(5 * time.Hour)
	try := func(o Outcome, r Result, sat int) AttemptRequest {
		a := AttemptRequest{By: "1001", Outcome: o, Result: r, Satisfaction: sat}
		if r == CallLater {
			a.Later = later
		}
		return a
	}
	na, busy := try(NoAnswer, "", 0), try(Busy, "", 0)
	for _, tc := range []struct {
		name     string
		max      int
		seq      []AttemptRequest
		closesAt int // index of the attempt that closes; -1: still open
		reason   CloseReason
	}{
		{"3 failed close at 3", 3, []AttemptRequest{na, busy, na}, 2, ClosedAttempts},
		{"2 failed of 3 stay open", 3, []AttemptRequest{na, busy}, -1, ""},
		{"5 allowed: 4 failed stay open", 5, []AttemptRequest{na, na, busy, na}, -1, ""},
		{"5 allowed: 5th closes", 5, []AttemptRequest{na, na, busy, na, busy}, 4, ClosedAttempts},
		{"wrong number closes at once", 5, []AttemptRequest{try(WrongNumber, "", 0)}, 0, ClosedWrongNumber},
		{"reached satisfied closes", 3, []AttemptRequest{na, try(Reached, Satisfied, 4)}, 1, ClosedReached},
		{"reached not satisfied closes", 3, []AttemptRequest{try(Reached, NotSatisfied, 0)}, 0, ClosedReached},
		{"call later keeps it open and uses no attempt", 3, []AttemptRequest{na, try(Reached, CallLater, 0), na}, -1, ""},
		{"call later then reached", 3, []AttemptRequest{try(Reached, CallLater, 0), try(Reached, Satisfied, 5)}, 1, ClosedReached},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg()
			c.MaxAttempts = tc.max
			f := &fakeEngine{now: t0}
			s := newSvc(c, f)
			task, err := s.Create(context.Background(), NewTask{Customer: "42", Source: SourceLead, By: "lead1"})
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range tc.seq {
				a.ID = task.ID
				got, err := s.Attempt(context.Background(), a)
				if err != nil {
					t.Fatalf("attempt %d: %v", i, err)
				}
				closed := got.State == StateClosed
				if closed != (i == tc.closesAt) && !(closed && i > tc.closesAt && tc.closesAt >= 0) {
					t.Fatalf("after attempt %d (%s): state %s, want closing at %d", i, a.Outcome, got.State, tc.closesAt)
				}
				switch {
				case a.Result == CallLater && !got.NotBefore.Equal(later):
					t.Errorf("call later: not_before %v, want %v", got.NotBefore, later)
				case a.Outcome == NoAnswer && !closed && !got.NotBefore.Equal(f.now.Add(2*time.Hour)):
					t.Errorf("no answer: not_before %v, want retry after 2h", got.NotBefore)
				}
				f.now = f.now.Add(time.Minute)
			}
			got, _ := s.Get(task.ID)
			if got.Reason != tc.reason {
				t.Errorf("close reason %q, want %q", got.Reason, tc.reason)
			}
			if tc.closesAt >= 0 {
				_, err := s.Attempt(context.Background(), AttemptRequest{ID: task.ID, By: "1001", Outcome: NoAnswer})
				var ce *ClosedError
				if !errors.As(err, &ce) || !errors.Is(err, ErrClosed) {
					t.Errorf("attempt on a closed task: %v, want *ClosedError", err)
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	f := &fakeEngine{now: t0}
	s := newSvc(cfg(), f)
	ctx := context.Background()
	task, err := s.Create(ctx, NewTask{Customer: "42", Source: SourceLead, By: "lead1"})
	if err != nil {
		t.Fatal(err)
	}
	n := len(f.log)
	field := func(name string, err error, want string) {
		t.Helper()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != want {
			t.Errorf("%s: %v, want a field error on %q", name, err, want)
		}
	}
	_, err = s.Create(ctx, NewTask{Customer: "42", Source: SourceLead, By: "l", Due: t0.Add(-time.Minute)})
	field("due in the past", err, "due")
	_, err = s.Create(ctx, NewTask{Customer: "42", Source: SourceLead, By: "l", Disposition: "nope"})
	field("unknown disposition", err, "disposition")
	_, err = s.Create(ctx, NewTask{Customer: " ", Source: SourceLead, By: "l"})
	field("no customer", err, "customer")
	_, err = s.Create(ctx, NewTask{Customer: "42", Source: "crm", By: "l"})
	field("unknown source", err, "source")
	for _, sat := range []int{0, 6, -1} {
		_, err = s.Attempt(ctx, AttemptRequest{ID: task.ID, By: "1001", Outcome: Reached, Result: Satisfied, Satisfaction: sat})
		field("satisfaction out of range", err, "satisfaction")
	}
	_, err = s.Attempt(ctx, AttemptRequest{ID: task.ID, By: "1001", Outcome: Reached, Result: CallLater, Later: t0})
	field("call later now", err, "later")
	_, err = s.Attempt(ctx, AttemptRequest{ID: task.ID, By: "1001", Outcome: "hung_up"})
	field("unknown outcome", err, "outcome")
	_, err = s.Attempt(ctx, AttemptRequest{ID: task.ID, By: "1001", Outcome: Busy, Satisfaction: 3})
	field("result without reached", err, "result")
	if _, err = s.Attempt(ctx, AttemptRequest{ID: "F999999", By: "1001", Outcome: Busy}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
	_, err = s.Reassign(ctx, ReassignRequest{ID: task.ID, By: "lead1"})
	field("reassign to nobody", err, "team")
	if len(f.log) != n {
		t.Errorf("refused requests wrote %d records", len(f.log)-n)
	}
}

func TestAppointmentWindowAndReschedule(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name, now, appt, win, from, due string
	}{
		{"afternoon appointment: its morning", "2026-12-01 12:00", "2026-12-03 15:00", "09:00-11:00", "2026-12-03 09:00", "2026-12-03 11:00"},
		{"early appointment: still that morning", "2026-12-01 12:00", "2026-12-02 08:00", "09:00-11:00", "2026-12-02 09:00", "2026-12-02 11:00"},
		{"configured window", "2026-12-01 12:00", "2026-12-02 16:00", "08:30-10:00", "2026-12-02 08:30", "2026-12-02 10:00"},
		{"today, window gone: now until it", "2026-12-01 12:00", "2026-12-01 17:00", "09:00-11:00", "2026-12-01 12:00", "2026-12-01 17:00"},
		{"just after midnight", "2026-12-01 23:50", "2026-12-02 00:10", "09:00-11:00", "2026-12-02 09:00", "2026-12-02 11:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg()
			c.AppointmentWindow = Window{From: tc.win[:5], To: tc.win[6:]}
			f := &fakeEngine{now: at(tc.now)}
			s := newSvc(c, f)
			a, err := s.BookAppointment(context.Background(), NewAppointment{Customer: "42", At: at(tc.appt), Topic: "meter", Team: "A", By: "lead1"})
			if err != nil {
				t.Fatal(err)
			}
			task, _ := s.Get(a.Task)
			if !task.NotBefore.Equal(at(tc.from)) || !task.Due.Equal(at(tc.due)) || task.Source != SourceAppointment {
				t.Errorf("task %s window %v–%v, want %s–%s", task.Source, task.NotBefore, task.Due, tc.from, tc.due)
			}
		})
	}
	f := &fakeEngine{now: at("2026-12-01 12:00")}
	s := newSvc(cfg(), f)
	ctx := context.Background()
	a, err := s.BookAppointment(ctx, NewAppointment{Customer: "42", At: at("2026-12-03 15:00"), Agent: "1001", By: "lead1"})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := s.Reschedule(ctx, a.ID, at("2026-12-05 10:00"), "lead1")
	if err != nil {
		t.Fatal(err)
	}
	task, _ := s.Get(a.Task)
	if !moved.At.Equal(at("2026-12-05 10:00")) || len(moved.Moves) != 1 || !moved.Moves[0].From.Equal(at("2026-12-03 15:00")) {
		t.Errorf("moved %+v", moved)
	}
	if !task.NotBefore.Equal(at("2026-12-05 09:00")) || !task.Due.Equal(at("2026-12-05 11:00")) {
		t.Errorf("task not moved: %v–%v", task.NotBefore, task.Due)
	}
	if _, err := s.Reschedule(ctx, a.ID, at("2026-11-30 10:00"), "lead1"); err == nil {
		t.Error("rescheduled into the past")
	}
	if _, err := s.BookAppointment(ctx, NewAppointment{Customer: "42", At: at("2026-12-03 15:00"), By: "lead1"}); err == nil {
		t.Error("appointment with no team or agent")
	}
	if _, err := s.Attempt(ctx, AttemptRequest{ID: a.Task, By: "1001", Outcome: WrongNumber}); err != nil {
		t.Fatal(err)
	}
	var ce *ClosedError
	if _, err := s.Reschedule(ctx, a.ID, at("2026-12-06 10:00"), "lead1"); !errors.As(err, &ce) {
		t.Errorf("rescheduling a done appointment: %v", err)
	}
}

// TestRestore: the log alone rebuilds every task, deadline, attempt,
// assignment, alert and appointment; IDs continue.
func TestRestore(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	f := &fakeEngine{now: t0}
	s := newSvc(cfg(), f)
	ctx := context.Background()
	a, _ := s.Create(ctx, NewTask{Customer: "42", Call: "c1", Disposition: "complaint", Source: SourceWrapUp, Agent: "1001", By: "1001"})
	b, _ := s.Create(ctx, NewTask{Customer: "43", Source: SourceLead, By: "lead1", Due: t0.Add(time.Hour)})
	if _, err := s.Attempt(ctx, AttemptRequest{ID: a.ID, By: "1001", Outcome: NoAnswer}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reassign(ctx, ReassignRequest{ID: b.ID, By: "sup", Team: "B"}); err != nil {
		t.Fatal(err)
	}
	ap, _ := s.BookAppointment(ctx, NewAppointment{Customer: "44", At: t0.Add(48 * time.Hour), Team: "A", By: "lead1"})
	if _, err := s.Reschedule(ctx, ap.ID, t0.Add(72*time.Hour), "lead1"); err != nil {
		t.Fatal(err)
	}
	f.now = t0.Add(2 * time.Hour)
	if err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	// A second service with another config reads the same log.
	c2 := cfg()
	c2.MaxAttempts, c2.DueWithin = 5, routing.Duration(time.Hour)
	r := newSvc(c2, &fakeEngine{now: f.now})
	if err := r.Restore(f.log); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID, ap.Task} {
		want, _ := s.Get(id)
		got, ok := r.Get(id)
		if !ok || !equalTask(got, want) {
			t.Errorf("restored %s:\n%+v\nwant\n%+v", id, got, want)
		}
	}
	if got, _ := r.Appointment(ap.ID); len(got.Moves) != 1 {
		t.Errorf("appointment history lost: %+v", got)
	}
	if r.book.nextID() != s.book.nextID() || !r.book.alerted[b.ID] {
		t.Errorf("ids or alerts lost: next %s/%s alerted %v", r.book.nextID(), s.book.nextID(), r.book.alerted)
	}
	if _, err := r.Create(ctx, NewTask{Customer: "42", Call: "c1", Source: SourceWrapUp, By: "1001"}); err == nil {
		t.Error("a second follow-up for the same wrapped call after restore")
	}
}

func equalTask(a, b Task) bool {
	if a.ID != b.ID || !a.Due.Equal(b.Due) || !a.NotBefore.Equal(b.NotBefore) || a.State != b.State ||
		a.MaxAttempts != b.MaxAttempts || a.Team != b.Team || a.Agent != b.Agent || len(a.Attempts) != len(b.Attempts) ||
		len(a.Assigned) != len(b.Assigned) || a.OverdueNow != b.OverdueNow {
		return false
	}
	for i := range a.Attempts {
		if a.Attempts[i].Outcome != b.Attempts[i].Outcome || !a.Attempts[i].At.Equal(b.Attempts[i].At) {
			return false
		}
	}
	return true
}

func TestConfigValidate(t *testing.T) {
	rc := &routing.Config{Dispositions: []routing.Disposition{{Code: "resolved"}}}
	ok := cfg()
	ok.Dispositions = map[string]routing.Duration{"resolved": routing.Duration(time.Hour)}
	if err := ok.Validate(rc); err != nil {
		t.Errorf("good config: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"2 attempts", func(c *Config) { c.MaxAttempts = 2 }, "followups.max_attempts"},
		{"6 attempts", func(c *Config) { c.MaxAttempts = 6 }, "followups.max_attempts"},
		{"zero due", func(c *Config) { c.DueWithin = 0 }, "followups.due_within"},
		{"unknown disposition", func(c *Config) { c.Dispositions = map[string]routing.Duration{"x": 1} }, "followups.dispositions.x"},
		{"window backwards", func(c *Config) { c.AppointmentWindow = Window{From: "11:00", To: "09:00"} }, "followups.appointment_window.to"},
		{"window bad", func(c *Config) { c.AppointmentWindow.From = "9am" }, "followups.appointment_window.from"},
		{"unknown calendar", func(c *Config) { c.Calendar = "office" }, `followups.calendar: unknown calendar "office"`},
		{"negative slot", func(c *Config) { c.AppointmentSlot = -1 }, "followups.appointment_slot"},
		{"unknown queue", func(c *Config) { c.Queue = "nope" }, `followups.queue: unknown queue "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg()
			tc.edit(&c)
			err := c.Validate(rc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want %s", err, tc.want)
			}
		})
	}
}

// TestWorkItemTracking: a task is not dialable while its work item is
// open, nor after a connected dial until the agent records the answers.
func TestWorkItemTracking(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	f := &fakeEngine{now: t0}
	s := newSvc(cfg(), f)
	ctx := context.Background()
	task, _ := s.Create(ctx, NewTask{Customer: "42", Source: SourceLead, By: "lead1"})
	if got := s.Dialable(t0); len(got) != 1 {
		t.Fatalf("dialable %d", len(got))
	}
	work := func(typ string, d routing.WorkData) string {
		rec, err := record(typ, t0, d)
		if err != nil {
			t.Fatal(err)
		}
		id, err := s.Observe(rec)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if id := work(routing.EvWorkRequested, routing.WorkData{ID: "cb1", Origin: Origin(task.ID)}); id != task.ID {
		t.Fatalf("item of %q", id)
	}
	if got := s.Dialable(t0); len(got) != 0 {
		t.Fatal("dialable while its item is open")
	}
	work(routing.EvWorkClosed, routing.WorkData{ID: "cb1", Reason: routing.CloseConnected})
	if got := s.Dialable(t0.Add(time.Hour)); len(got) != 0 {
		t.Fatal("dialable again before the answers of a connected dial")
	}
	if _, err := s.Attempt(ctx, AttemptRequest{ID: task.ID, By: "1001", Outcome: Reached, Result: CallLater, Later: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got := s.Dialable(t0.Add(time.Hour)); len(got) != 1 {
		t.Fatal("not dialable after the answers and the time to call later")
	}
	for _, tc := range []struct {
		in   string
		want Outcome
		ok   bool
	}{{"busy", Busy, true}, {"no_answer", NoAnswer, true}, {"rejected", NoAnswer, true}, {"answered", "", false}, {"agent_missed", "", false}} {
		if got, ok := DialOutcome(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("DialOutcome(%s) = %s %v", tc.in, got, ok)
		}
	}
}
