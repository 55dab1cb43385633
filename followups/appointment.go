package followups

import (
	"sort"
	"strings"
	"time"

	"switchboard/routing"
)

// Appointment is a customer's appointment: on its day, a follow-up task
// calls them in the morning window. Rescheduling moves the task and keeps
// the history.
type Appointment struct {
	ID        string    `json:"id"`
	Task      string    `json:"task"`
	Customer  string    `json:"customer"`
	At        time.Time `json:"at"`
	Topic     string    `json:"topic,omitempty"`
	Team      string    `json:"team,omitempty"`
	Agent     string    `json:"agent,omitempty"`
	Call      string    `json:"call,omitempty"`
	Callback  bool      `json:"callback"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Moves     []Move    `json:"moves"`
}

// Move is one rescheduling.
type Move struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// NewAppointment is a request to book one.
type NewAppointment struct {
	Customer string
	At       time.Time
	Topic    string
	Team     string
	Agent    string
	By       string
	// Call is the call it is booked from (the number dialled is its
	// caller's); Callback dials at At itself, not in the morning window.
	Call     string
	Callback bool
}

// window is when the task of an appointment at at is attempted and due,
// decided at now: the morning window of its day, or, once that has
// passed, from now until the appointment itself; a callback's from its
// time for one slot.
func (b *Book) window(at, now time.Time, callback bool) (notBefore, due time.Time) {
	if callback {
		return at, at.Add(b.slot())
	}
	from, to := b.r.Window(at)
	if !to.After(now) {
		return now, at
	}
	return from, to
}

// DecideAppointment checks n and returns followup.appointment and the
// followup.created of its task. Errors: *FieldError, *ConflictError.
func (b *Book) DecideAppointment(n NewAppointment, now time.Time) ([]*routing.Record, error) {
	switch {
	case strings.TrimSpace(n.Customer) == "":
		return nil, &FieldError{Field: "customer", Reason: "required"}
	case n.By == "":
		return nil, &FieldError{Field: "by", Reason: "required"}
	case (n.Team == "") == (n.Agent == ""):
		return nil, &FieldError{Field: "team", Reason: "a team or an agent, one of them"}
	}
	if err := b.checkTime(n.At, n.Agent, "", now); err != nil {
		return nil, err
	}
	id, task := b.nextAppointID(), b.nextID()
	nb, due := b.window(n.At, now, n.Callback)
	ar, err := record(EvAppointment, now, AppointmentData{ID: id, Task: task, Customer: n.Customer, At: n.At,
		Topic: n.Topic, Team: n.Team, Agent: n.Agent, By: n.By, Call: n.Call, Callback: n.Callback})
	if err != nil {
		return nil, err
	}
	tr, err := record(EvCreated, now, CreatedData{ID: task, Customer: n.Customer, Call: n.Call, Appointment: id,
		Source: SourceAppointment, Team: n.Team, Agent: n.Agent, By: n.By, ResolvedAt: now, Due: due,
		NotBefore: nb, MaxAttempts: b.r.maxAttempts, RetryAfter: Seconds(b.r.retry / time.Second)})
	if err != nil {
		return nil, err
	}
	return []*routing.Record{ar, tr}, nil
}

// DecideReschedule moves appointment id to at. Errors: ErrNotFound,
// *FieldError, *ClosedError (its task is done), *ConflictError.
func (b *Book) DecideReschedule(id string, at time.Time, by string, now time.Time) (*routing.Record, error) {
	a, ok := b.appts[id]
	if !ok {
		return nil, ErrNotFound
	}
	t := b.tasks[a.Task]
	switch {
	case t != nil && t.State == StateClosed:
		return nil, &ClosedError{Task: t.ID, Reason: t.Reason}
	case by == "":
		return nil, &FieldError{Field: "by", Reason: "required"}
	case at.Equal(a.At):
		return nil, &FieldError{Field: "at", Reason: "is the appointment's time already"}
	}
	if err := b.checkTime(at, a.Agent, a.ID, now); err != nil {
		return nil, err
	}
	nb, due := b.window(at, now, a.Callback)
	return record(EvRescheduled, now, RescheduledData{ID: id, Task: a.Task, From: a.At, To: at, By: by, NotBefore: nb, Due: due})
}

func (b *Book) applyAppointment(rec *routing.Record) error {
	if rec.Type == EvAppointment {
		d, err := decode[AppointmentData](rec)
		if err != nil {
			return err
		}
		b.na++
		b.appts[d.ID] = &Appointment{ID: d.ID, Task: d.Task, Customer: d.Customer, At: d.At, Topic: d.Topic,
			Team: d.Team, Agent: d.Agent, Call: d.Call, Callback: d.Callback, CreatedBy: d.By, CreatedAt: rec.Time, Moves: []Move{}}
		return nil
	}
	d, err := decode[RescheduledData](rec)
	if err != nil {
		return err
	}
	a, ok := b.appts[d.ID]
	if !ok {
		return ErrNotFound
	}
	a.Moves = append(a.Moves, Move{At: rec.Time, By: d.By, From: d.From, To: d.To})
	a.At = d.To
	if t := b.tasks[d.Task]; t != nil {
		t.NotBefore, t.Due = d.NotBefore, d.Due
		delete(b.alerted, t.ID)
	}
	return nil
}

// Appointment returns a copy of one.
func (b *Book) Appointment(id string) (Appointment, bool) {
	a, ok := b.appts[id]
	if !ok {
		return Appointment{}, false
	}
	c := *a
	c.Moves = append([]Move{}, a.Moves...)
	return c, true
}

// Appointments are a customer's (all if customer is ""), soonest first.
func (b *Book) Appointments(customer string) []Appointment {
	var out []Appointment
	for _, a := range b.appts {
		if customer == "" || a.Customer == customer {
			c, _ := b.Appointment(a.ID)
			out = append(out, c)
		}
	}
	sortAppointments(out)
	return out
}

func sortAppointments(out []Appointment) {
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].ID < out[j].ID
	})
}
