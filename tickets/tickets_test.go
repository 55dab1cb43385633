package tickets

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"switchboard/routing"
)

func TestStep(t *testing.T) {
	all := []Action{ActDispatch, ActStart, ActResolve, ActClose, ActReopen}
	want := map[State]map[Action]State{
		StateNew:        {ActDispatch: StateDispatched},
		StateDispatched: {ActDispatch: StateDispatched, ActStart: StateInProgress},
		StateInProgress: {ActDispatch: StateDispatched, ActResolve: StateResolved},
		StateResolved:   {ActClose: StateClosed, ActReopen: StateInProgress},
		StateClosed:     {ActReopen: StateInProgress},
	}
	for from, ok := range want {
		for _, a := range all {
			to, err := Step("T1", from, a)
			if w, legal := ok[a]; legal {
				if err != nil || to != w {
					t.Errorf("%s --%s--> %s, %v; want %s", from, a, to, err, w)
				}
			} else if !errors.Is(err, ErrIllegalTransition) {
				t.Errorf("%s --%s--> %s, %v; want ErrIllegalTransition", from, a, to, err)
			}
		}
	}
}

// officeHours: Mon-Fri 09:00-18:00, with one holiday.
type officeHours struct{ holiday string }

func (o officeHours) Open(t time.Time) bool {
	if t.Format("2006-01-02") == o.holiday || t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		return false
	}
	return t.Hour() >= 9 && t.Hour() < 18
}

func TestDeadline(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	hours := officeHours{holiday: "2026-10-01"} // a Thursday
	cases := []struct {
		name  string
		start string
		d     time.Duration
		hours Hours
		want  string
	}{
		{"wall clock", "2026-09-28 10:00", time.Hour, nil, "2026-09-28 11:00"},
		{"across midnight, wall clock", "2026-09-28 23:30", time.Hour, nil, "2026-09-29 00:30"},
		{"within business hours", "2026-09-28 10:00", time.Hour, hours, "2026-09-28 11:00"},
		{"across close to next morning", "2026-09-28 17:30", time.Hour, hours, "2026-09-29 09:30"},
		{"created at night", "2026-09-28 23:00", time.Hour, hours, "2026-09-29 10:00"},
		{"over a holiday", "2026-09-30 17:30", time.Hour, hours, "2026-10-02 09:30"},
		{"over a weekend", "2026-10-02 17:45", 30 * time.Minute, hours, "2026-10-05 09:15"},
		{"mid-minute start", "2026-09-28 10:00", 2 * time.Minute, hours, "2026-09-28 10:02"},
	}
	for _, c := range cases {
		got, err := Deadline(at(c.start), c.d, c.hours)
		if err != nil || !got.Equal(at(c.want)) {
			t.Errorf("%s: Deadline(%s, %s) = %s, %v; want %s", c.name, c.start, c.d, got.Format("2006-01-02 15:04"), err, c.want)
		}
	}
	if _, err := Deadline(at("2026-09-28 10:00"), time.Hour, officeHours{holiday: "x"}.never()); err == nil {
		t.Error("a never-open calendar gave a deadline")
	}
}

type closed struct{}

func (closed) Open(time.Time) bool { return false }
func (officeHours) never() Hours   { return closed{} }

// log is a journal stand-in: the records as the store would hold them.
type log struct{ recs []routing.Record }

func (l *log) add(t *testing.T, b *Book, rec *routing.Record, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(rec)
	var stored routing.Record
	if err := json.Unmarshal(data, &stored); err != nil {
		t.Fatal(err)
	}
	stored.Seq = int64(len(l.recs) + 1)
	l.recs = append(l.recs, stored)
	if err := b.Apply(&stored); err != nil {
		t.Fatal(err)
	}
}

func TestBookLifecycleAndRestart(t *testing.T) {
	cats := []Category{{Name: "complaint", DispatchWithin: 30 * time.Minute, ResolveWithin: 24 * time.Hour}, {Name: "billing"}}
	b := NewBook(cats, nil)
	now := time.Date(2026, 9, 28, 10, 0, 0, 0, time.UTC)
	var l log
	if _, err := b.DecideCreate(NewTicket{Customer: "c1", Category: "nope", Source: "api", By: "crm"}, "T1", now); err == nil {
		t.Fatal("unknown category accepted")
	} else if fe := (*FieldError)(nil); !errors.As(err, &fe) || fe.Field != "category" {
		t.Fatalf("unknown category: %v, want field category", err)
	}
	rec, err := b.DecideCreate(NewTicket{Customer: "c1", Category: "complaint", Source: "wrapup", By: "a1", Calls: []string{"call-1"}}, "T1", now)
	l.add(t, b, rec, err)
	rec, err = b.DecideCreate(NewTicket{Customer: "c2", Category: "billing", Source: "desk", By: "a1"}, "T2", now)
	l.add(t, b, rec, err)

	if _, err := b.DecideTransition(TransitionRequest{ID: "T1", Action: ActResolve, By: "l1"}, now); !errors.Is(err, ErrIllegalTransition) {
		t.Fatalf("resolve from new: %v", err)
	}
	rec, err = b.DecideTransition(TransitionRequest{ID: "T1", Action: ActDispatch, By: "l1", Team: "sales"}, now.Add(10*time.Minute))
	l.add(t, b, rec, err)
	rec, err = b.DecideTransition(TransitionRequest{ID: "T1", Action: ActStart, By: "a2"}, now.Add(20*time.Minute))
	l.add(t, b, rec, err)

	late := now.Add(61 * time.Minute)
	over := b.List(Filter{Overdue: true}, late)
	if len(over) != 1 || over[0].ID != "T2" {
		t.Fatalf("overdue at +61m = %v, want T2", over)
	}
	if len(b.List(Filter{Overdue: true}, now.Add(59*time.Minute))) != 0 {
		t.Fatal("T2 overdue before its 60 min dispatch SLA")
	}

	// Restart: a fresh book from the stored records knows the same.
	r := NewBook(cats, nil)
	for i := range l.recs {
		if err := r.Apply(&l.recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	t1, _ := r.Get("T1")
	if t1.State != StateInProgress || t1.Team != "sales" || len(t1.History) != 2 || t1.History[0].By != "l1" ||
		!t1.DispatchDue.Equal(now.Add(30*time.Minute)) || !t1.ResolveDue.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("after restart T1 = %+v", t1)
	}
	if over := r.List(Filter{Overdue: true}, late); len(over) != 1 || over[0].ID != "T2" {
		t.Fatalf("after restart overdue = %v", over)
	}
}
