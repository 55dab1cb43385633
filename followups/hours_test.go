package followups

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard/routing"
)

// TestAppointmentHoursAndConflicts is the booking rule: an appointment
// falls in the allowed hours (weekdays, lunch and a holiday closed) and
// not within one slot of another open appointment of the same agent.
func TestAppointmentHoursAndConflicts(t *testing.T) {
	loc := time.Local // the calendar, unvalidated, reads the machine's zone
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cal := &routing.Calendar{Weekly: routing.WeeklyHours{"mon-fri": {"09:00-12:00", "13:30-18:00"}},
		Holidays: []routing.Holiday{{Date: "2026-12-25"}}}
	newBooked := func() (*Service, *fakeEngine) {
		f := &fakeEngine{now: at("2026-12-03 08:00")} // a Thursday
		s := NewService(cfg(), nil, loc, f.submit, func() time.Time { return f.now }, nil)
		s.SetHours("office", cal, nil)
		if _, err := s.BookAppointment(context.Background(), NewAppointment{Customer: "41", At: at("2026-12-03 10:00"),
			Agent: "1001", By: "1001", Callback: true}); err != nil {
			t.Fatal(err)
		}
		return s, f
	}
	for _, tc := range []struct {
		name, at, agent string
		field           string // want a *FieldError on it
		conflict        bool   // want a *ConflictError
	}{
		{"open morning, free", "2026-12-03 11:00", "1001", "", false},
		{"same time, other agent", "2026-12-03 10:00", "1002", "", false},
		{"same time, same agent", "2026-12-03 10:00", "1001", "", true},
		{"within the slot after", "2026-12-03 10:29", "1001", "", true},
		{"within the slot before", "2026-12-03 09:31", "1001", "", true},
		{"one slot after: free", "2026-12-03 10:30", "1001", "", false},
		{"lunch", "2026-12-03 12:30", "1001", "at", false},
		{"after hours", "2026-12-03 18:00", "1001", "at", false},
		{"saturday", "2026-12-05 10:00", "1001", "at", false},
		{"holiday", "2026-12-25 10:00", "1001", "at", false},
		{"past", "2026-12-03 07:00", "1001", "at", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, f := newBooked()
			n := len(f.log)
			_, err := s.BookAppointment(context.Background(), NewAppointment{Customer: "42", At: at(tc.at), Agent: tc.agent, By: "lead1"})
			var fe *FieldError
			var ce *ConflictError
			switch {
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Errorf("%v, want a field error on %s", err, tc.field)
			case tc.conflict && (!errors.As(err, &ce) || ce.With != "A000001" || ce.Agent != "1001"):
				t.Errorf("%v, want a conflict with A000001", err)
			case tc.field == "" && !tc.conflict && err != nil:
				t.Errorf("refused: %v", err)
			}
			if err != nil && len(f.log) != n {
				t.Errorf("a refused booking wrote %d records", len(f.log)-n)
			}
		})
	}

	// A closed appointment's task frees its slot; rescheduling onto a taken
	// slot is refused, onto its own is not a conflict.
	s, _ := newBooked()
	ctx := context.Background()
	b, err := s.BookAppointment(ctx, NewAppointment{Customer: "43", At: at("2026-12-03 15:00"), Agent: "1001", By: "1001"})
	if err != nil {
		t.Fatal(err)
	}
	var ce *ConflictError
	if _, err := s.Reschedule(ctx, b.ID, at("2026-12-03 10:15"), "1001"); !errors.As(err, &ce) {
		t.Errorf("rescheduled onto a taken slot: %v", err)
	}
	if _, err := s.Reschedule(ctx, b.ID, at("2026-12-03 15:10"), "1001"); err != nil {
		t.Errorf("moved within its own slot: %v", err)
	}
	first, _ := s.Appointment("A000001")
	if _, err := s.Attempt(ctx, AttemptRequest{ID: first.Task, By: "1001", Outcome: WrongNumber}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BookAppointment(ctx, NewAppointment{Customer: "44", At: at("2026-12-03 10:00"), Agent: "1001", By: "1001"}); err != nil {
		t.Errorf("a closed appointment still holds its slot: %v", err)
	}
}

// TestCallbackAppointmentDialledAtItsTime: a callback is attempted from
// its own time for one slot, not in the morning window; booked from a
// call, the customer is the call's.
func TestCallbackAppointmentDialledAtItsTime(t *testing.T) {
	f := &fakeEngine{now: time.Date(2026, 12, 3, 8, 0, 0, 0, shanghai)}
	s := newSvc(cfg(), f)
	s.SetHours("", nil, func(_ context.Context, call string) (string, error) { return "cust-of-" + call, nil })
	at := time.Date(2026, 12, 3, 14, 30, 0, 0, shanghai)
	a, err := s.BookAppointment(context.Background(), NewAppointment{Call: "C1", At: at, Agent: "1001", By: "1001", Callback: true})
	if err != nil {
		t.Fatal(err)
	}
	task, _ := s.Get(a.Task)
	if a.Customer != "cust-of-C1" || task.Customer != "cust-of-C1" || task.Call != "C1" || !a.Callback ||
		!task.NotBefore.Equal(at) || !task.Due.Equal(at.Add(DefaultSlot)) {
		t.Fatalf("appointment %+v task %+v", a, task)
	}
	if d := s.Dialable(at.Add(-time.Minute)); len(d) != 0 {
		t.Errorf("dialable before its time: %v", d)
	}
	if d := s.Dialable(at); len(d) != 1 || d[0].ID != a.Task {
		t.Errorf("not dialable at its time: %v", d)
	}
}

// TestSlots: the picker's times are the open ones still to come, each
// taken one with its reason.
func TestSlots(t *testing.T) {
	loc := time.Local
	f := &fakeEngine{now: time.Date(2026, 12, 3, 10, 10, 0, 0, loc)}
	s := NewService(cfg(), nil, loc, f.submit, func() time.Time { return f.now }, nil)
	s.SetHours("office", &routing.Calendar{Weekly: routing.WeeklyHours{"thu": {"09:00-12:00"}}}, nil)
	if _, err := s.BookAppointment(context.Background(), NewAppointment{Customer: "41", At: time.Date(2026, 12, 3, 11, 0, 0, 0, loc),
		Agent: "1001", By: "1001"}); err != nil {
		t.Fatal(err)
	}
	got := s.Slots(f.now, "1001")
	var times []string
	for _, sl := range got {
		v := sl.At.Format("15:04")
		if !sl.Free {
			v += "x"
			if sl.Reason == "" {
				t.Errorf("taken slot %s without a reason", v)
			}
		}
		times = append(times, v)
	}
	want := "10:30 11:00x 11:30"
	if g := joinSpace(times); g != want {
		t.Errorf("slots %q, want %q", g, want)
	}
	if n := len(s.Slots(f.now.AddDate(0, 0, 1), "1001")); n != 0 {
		t.Errorf("friday (closed) has %d slots", n)
	}
}

func joinSpace(v []string) string {
	out := ""
	for i, s := range v {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
