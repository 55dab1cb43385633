package tickets

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard/routing"
)

// fakeLog is the engine loop and journal for the Service: decisions run
// at its now, records are kept in order with a Seq.
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
		r.Time = l.now
		r.Seq = int64(len(l.recs) + 1)
		l.recs = append(l.recs, *r)
	}
	return reply, nil
}

var testCfg = Config{
	Categories:       []CategoryConfig{{Name: "complaint", DispatchWithin: routing.Duration(30 * time.Minute), ResolveWithin: routing.Duration(24 * time.Hour)}, {Name: "billing"}},
	FromDispositions: map[string]string{"complaint": "complaint"},
}

func newTestService(l *fakeLog) *Service {
	return NewService(testCfg, nil, l.submit, func() time.Time { return l.now }, nil)
}

// Restart keeps every ticket, its deadlines, its history and the overdue
// alerts: a new Service restored from the log sees what the old one did.
func TestServiceRestartKeepsTickets(t *testing.T) {
	ctx := t.Context()
	l := &fakeLog{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s := newTestService(l)
	a, err := s.Create(ctx, NewTicket{Customer: "42", Category: "complaint", Source: "api", By: "crm"})
	if err != nil || a.ID != "T000001" || !a.DispatchDue.Equal(l.now.Add(30*time.Minute)) {
		t.Fatalf("create: %+v %v", a, err)
	}
	b, err := s.Create(ctx, NewTicket{Customer: "43", Category: "billing", Source: "desk", By: "1001"})
	if err != nil || b.ID != "T000002" || !b.DispatchDue.Equal(l.now.Add(60*time.Minute)) {
		t.Fatalf("create b: %+v %v", b, err)
	}
	if _, err := s.Transition(ctx, TransitionRequest{ID: a.ID, Action: ActDispatch, Team: "sales", By: "lead1"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Transition(ctx, TransitionRequest{ID: a.ID, Action: ActClose, By: "lead1"})
	var te *TransitionError
	if !errors.As(err, &te) || !errors.Is(err, ErrIllegalTransition) {
		t.Fatalf("close a dispatched ticket: %v, want a TransitionError", err)
	}
	l.now = l.now.Add(61 * time.Minute)
	if err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Sweep(ctx); err != nil { // a second sweep alerts nothing new
		t.Fatal(err)
	}
	overdue := 0
	for _, r := range l.recs {
		if r.Type == EvTicketOverdue {
			overdue++
		}
	}
	if overdue != 1 {
		t.Fatalf("%d ticket.overdue records, want 1 (for %s)", overdue, b.ID)
	}

	again := newTestService(l)
	if err := again.Restore(l.recs); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID} {
		was, _ := s.Get(id)
		is, ok := again.Get(id)
		if !ok || is.State != was.State || !is.DispatchDue.Equal(was.DispatchDue) || !is.ResolveDue.Equal(was.ResolveDue) ||
			len(is.History) != len(was.History) || is.OverdueNow != was.OverdueNow {
			t.Errorf("after restart %s is %+v, was %+v", id, is, was)
		}
	}
	if got := again.List(Filter{Overdue: true}); len(got) != 1 || got[0].ID != b.ID {
		t.Fatalf("overdue after restart: %+v", got)
	}
	if err := again.Sweep(ctx); err != nil || len(l.recs) != 4 {
		t.Fatalf("sweep after restart wrote again: %v, %d records", err, len(l.recs))
	}
	c, err := again.Create(ctx, NewTicket{Customer: "44", Category: "billing", Source: "api", By: "crm"})
	if err != nil || c.ID != "T000003" {
		t.Fatalf("next id after restart: %+v %v", c, err)
	}
}

// A complaint wrap-up opens one ticket linked to its call; other
// dispositions and a repeated wrap-up open none; a refused create writes
// nothing.
func TestServiceWrapUpOpensOneTicket(t *testing.T) {
	ctx := t.Context()
	l := &fakeLog{now: time.Date(2026, 3, 2, 23, 50, 0, 0, time.UTC)}
	s := newTestService(l)
	lookup := func(context.Context, string) (string, error) { return "7", nil }
	wrapped := func(call, disp string) *routing.Record {
		rec := &routing.Record{Type: routing.EvCallWrapped, CallID: call}
		rec.Data = []byte(`{"agent":"1001","disposition":"` + disp + `","notes":"rude","by":"1001"}`)
		return rec
	}
	tk, ok, err := s.OnWrapUp(ctx, wrapped("c1", "complaint"), lookup)
	if err != nil || !ok || tk.Customer != "7" || tk.Source != "wrapup" || len(tk.Calls) != 1 || tk.Calls[0] != "c1" ||
		tk.CreatedBy != "1001" || tk.Description != "rude" {
		t.Fatalf("wrap-up ticket: %+v %v %v", tk, ok, err)
	}
	if _, ok, _ := s.OnWrapUp(ctx, wrapped("c1", "complaint"), lookup); ok {
		t.Fatal("second wrap-up of c1 opened another ticket")
	}
	if _, ok, _ := s.OnWrapUp(ctx, wrapped("c2", "resolved"), lookup); ok {
		t.Fatal("a resolved wrap-up opened a ticket")
	}
	n := len(l.recs)
	if _, err := s.Create(ctx, NewTicket{Customer: "7", Category: "nope", Source: "api", By: "crm"}); err == nil {
		t.Fatal("unknown category accepted")
	}
	if len(l.recs) != n {
		t.Fatal("a refused create wrote a record")
	}
}

func TestConfigValidate(t *testing.T) {
	rc := &routing.Config{Dispositions: []routing.Disposition{{Code: "complaint"}}, Calendars: map[string]*routing.Calendar{"office": {}}}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"ok", Config{Categories: []CategoryConfig{{Name: "c", BusinessHours: true}}, Calendar: "office", FromDispositions: map[string]string{"complaint": "c"}}, ""},
		{"no name", Config{Categories: []CategoryConfig{{}}}, "tickets.categories[0].name: required"},
		{"twice", Config{Categories: []CategoryConfig{{Name: "c"}, {Name: "c"}}}, `tickets.categories[1].name: category "c" is defined twice`},
		{"negative", Config{Categories: []CategoryConfig{{Name: "c", DispatchWithin: -1}}}, "tickets.categories[0].dispatch_within: must not be negative"},
		{"calendar needed", Config{Categories: []CategoryConfig{{Name: "c", BusinessHours: true}}}, "tickets.calendar: required: a category counts business hours"},
		{"unknown calendar", Config{Calendar: "x"}, `tickets.calendar: unknown calendar "x"`},
		{"unknown disposition", Config{Categories: []CategoryConfig{{Name: "c"}}, FromDispositions: map[string]string{"angry": "c"}}, `tickets.from_dispositions.angry: unknown disposition "angry"`},
		{"unknown category", Config{FromDispositions: map[string]string{"complaint": "x"}}, `tickets.from_dispositions.complaint: unknown category "x"`},
	} {
		err := tc.cfg.Validate(rc)
		if (tc.want == "") != (err == nil) || (err != nil && err.Error() != tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
