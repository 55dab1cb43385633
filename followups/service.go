package followups

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"switchboard/report"
	"switchboard/routing"
	"switchboard/tickets"
)

// Submitter runs a decision in the engine loop (routing.Decide bound to
// the engine).
type Submitter = routing.Submit

// Service is the follow-ups as the API and the wrap-up hook use them. It
// decides over its Book inside the engine loop (routing.Decide), so the
// records are journaled before the Book applies them; its lock
// serialises decisions.
type Service struct {
	mu     sync.RWMutex
	book   *Book
	submit Submitter
	now    func() time.Time
	log    *slog.Logger
	// follow is the dispositions whose wrap-up opens a follow-up by
	// default (the box may say otherwise: the record's follow_up wins).
	cfg Config
	loc *time.Location // the reports' time zone
	// calls finds the customer of a call an appointment is booked from.
	calls CallLookup
}

// NewService is a Service over cfg; dispositions are the configured codes
// (nil: any), loc the zone of appointment windows.
func NewService(cfg Config, dispositions []string, loc *time.Location, submit Submitter, now func() time.Time, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{book: NewBook(cfg, dispositions, loc), submit: submit, now: now, log: log, cfg: cfg}
}

// Restore replays the log's followup records (in order) into the Book.
func (s *Service) Restore(recs []routing.Record) error {
	return routing.Replay(&s.mu, s.book.Apply, recs)
}

// decide runs fn in the engine loop under the lock and applies what the
// engine wrote.
func (s *Service) decide(ctx context.Context, fn func(now time.Time) ([]*routing.Record, error)) ([]*routing.Record, error) {
	return routing.DecideApplied(ctx, &s.mu, s.submit, s.book.Apply, fn)
}

func one(f func(time.Time) (*routing.Record, error)) func(time.Time) ([]*routing.Record, error) {
	return func(now time.Time) ([]*routing.Record, error) {
		r, err := f(now)
		if err != nil {
			return nil, err
		}
		return []*routing.Record{r}, nil
	}
}

func (s *Service) taskOf(recs []*routing.Record, err error) (Task, error) {
	if err != nil {
		return Task{}, err
	}
	var id struct {
		ID   string `json:"id"`
		Task string `json:"task"`
	}
	if err := json.Unmarshal(recs[len(recs)-1].Data, &id); err != nil {
		return Task{}, fmt.Errorf("followups: %w", err)
	}
	t, _ := s.Get(id.ID)
	return t, nil
}

// Create opens a task. Errors: *FieldError.
func (s *Service) Create(ctx context.Context, n NewTask) (Task, error) {
	return s.taskOf(s.decide(ctx, one(func(now time.Time) (*routing.Record, error) { return s.book.DecideCreate(n, now) })))
}

// Attempt records one dial's outcome. Errors: ErrNotFound, *FieldError,
// *ClosedError.
func (s *Service) Attempt(ctx context.Context, r AttemptRequest) (Task, error) {
	return s.taskOf(s.decide(ctx, one(func(now time.Time) (*routing.Record, error) { return s.book.DecideAttempt(r, now) })))
}

// Reassign gives a task to a team or an agent. Errors: ErrNotFound,
// *FieldError, *ClosedError.
func (s *Service) Reassign(ctx context.Context, r ReassignRequest) (Task, error) {
	return s.taskOf(s.decide(ctx, one(func(now time.Time) (*routing.Record, error) { return s.book.DecideReassign(r, now) })))
}

// BookAppointment books an appointment and its task; booked from a call
// without a customer, the call's customer. Errors: *FieldError,
// *ConflictError.
func (s *Service) BookAppointment(ctx context.Context, n NewAppointment) (Appointment, error) {
	if n.Customer == "" && n.Call != "" && s.calls != nil {
		c, err := s.calls(ctx, n.Call)
		if err != nil {
			return Appointment{}, &FieldError{Field: "call", Reason: err.Error()}
		}
		n.Customer = c
	}
	recs, err := s.decide(ctx, func(now time.Time) ([]*routing.Record, error) { return s.book.DecideAppointment(n, now) })
	if err != nil {
		return Appointment{}, err
	}
	d, err := decode[AppointmentData](recs[0])
	if err != nil {
		return Appointment{}, err
	}
	a, _ := s.Appointment(d.ID)
	return a, nil
}

// Reschedule moves an appointment and its task. Errors: ErrNotFound,
// *FieldError, *ClosedError, *ConflictError.
func (s *Service) Reschedule(ctx context.Context, id string, at time.Time, by string) (Appointment, error) {
	_, err := s.decide(ctx, one(func(now time.Time) (*routing.Record, error) { return s.book.DecideReschedule(id, at, by, now) }))
	if err != nil {
		return Appointment{}, err
	}
	a, _ := s.Appointment(id)
	return a, nil
}

// Get is one task.
func (s *Service) Get(id string) (Task, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.book.Get(id)
	t.OverdueNow = ok && t.Overdue(s.now())
	return t, ok
}

// List is the tasks matching f now, due first.
func (s *Service) List(f Filter) []Task {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := s.now()
	out := s.book.List(f, now)
	for i := range out {
		out[i].OverdueNow = out[i].Overdue(now)
	}
	return out
}

// Appointment is one appointment.
func (s *Service) Appointment(id string) (Appointment, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Appointment(id)
}

// Appointments are a customer's ("" all), soonest first.
func (s *Service) Appointments(customer string) []Appointment {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Appointments(customer)
}

// SetHours limits appointments to cal's open hours (nil: any time) and
// books from a call through calls; call both before serving.
func (s *Service) SetHours(name string, cal *routing.Calendar, calls CallLookup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.book.SetHours(name, cal)
	s.calls = calls
}

// Slots are the bookable times of day for agent now.
func (s *Service) Slots(day time.Time, agent string) []Slot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Slots(day, agent, s.now())
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// OverdueCount is how many open tasks are past due at now.
func (s *Service) OverdueCount(now time.Time) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.book.List(Filter{Overdue: true}, now))
}

// Sweep writes followup.overdue, once, for every open task past due at
// the engine's now.
func (s *Service) Sweep(ctx context.Context) error {
	_, err := s.decide(ctx, s.book.DecideOverdue)
	return err
}

func (s *Service) hasUnalerted() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.book.List(Filter{Overdue: true}, s.now()) {
		if !s.book.alerted[t.ID] {
			return true
		}
	}
	return false
}

// Run sweeps for overdue tasks every interval until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) error {
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tk.C:
			if s.hasUnalerted() {
				if err := s.Sweep(ctx); err != nil && !errors.Is(err, context.Canceled) {
					s.log.Warn("followups: overdue sweep failed", "err", err)
				}
			}
		}
	}
}

// CallLookup finds the customer of a call: the customer's id if the
// caller's number is a known customer's, else the number.
type CallLookup func(ctx context.Context, call string) (customer string, err error)

// OnWrapUp opens a task for a call.wrapped record with follow_up set
// (the disposition's default or the box), once per call; due counts from
// the wrap-up (the resolution).
func (s *Service) OnWrapUp(ctx context.Context, rec *routing.Record, lookup CallLookup) (Task, bool, error) {
	if rec.Type != routing.EvCallWrapped {
		return Task{}, false, nil
	}
	s.mu.Lock()
	s.book.applyWrapUp(rec) // the coverage report counts every wrap-up
	s.mu.Unlock()
	var d routing.WrapUpData
	if err := json.Unmarshal(rec.Data, &d); err != nil {
		return Task{}, false, fmt.Errorf("followups: call.wrapped %d: %w", rec.Seq, err)
	}
	if !d.FollowUp || s.hasCall(rec.CallID) {
		return Task{}, false, nil
	}
	customer, err := lookup(ctx, rec.CallID)
	if err != nil {
		return Task{}, false, err
	}
	by := d.Agent
	if by == "" {
		by = d.By
	}
	t, err := s.Create(ctx, NewTask{Customer: customer, Call: rec.CallID, Disposition: d.Disposition,
		Source: SourceWrapUp, Agent: d.Agent, By: by, ResolvedAt: rec.Time})
	return t, err == nil, err
}

func (s *Service) hasCall(call string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.fromCall[call] != ""
}

// TicketLookup gives a ticket's customer and first call.
type TicketLookup func(id string) (customer, call string, ok bool)

// OnTicket opens a task for a ticket.transition record that closes a
// ticket, when the config says closed tickets are followed up (once per
// ticket; a reopened and closed again ticket gets no second).
func (s *Service) OnTicket(ctx context.Context, rec *routing.Record, lookup TicketLookup) (Task, bool, error) {
	if !s.cfg.FromTickets || rec.Type != tickets.EvTicketTransition {
		return Task{}, false, nil
	}
	var d tickets.TransitionData
	if err := json.Unmarshal(rec.Data, &d); err != nil {
		return Task{}, false, fmt.Errorf("followups: ticket.transition %d: %w", rec.Seq, err)
	}
	if d.To != tickets.StateClosed || s.hasTicket(d.ID) {
		return Task{}, false, nil
	}
	customer, call, ok := lookup(d.ID)
	if !ok {
		return Task{}, false, fmt.Errorf("followups: ticket %s: %w", d.ID, ErrNotFound)
	}
	t, err := s.Create(ctx, NewTask{Customer: customer, Call: call, Ticket: d.ID, Source: SourceTicket, By: d.By, ResolvedAt: rec.Time})
	return t, err == nil, err
}

func (s *Service) hasTicket(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.book.tasks {
		if t.Ticket == id {
			return true
		}
	}
	return false
}

// Observe applies a record the service did not decide (work.* records
// of the items dialling its tasks) and says which task it concerns.
func (s *Service) Observe(rec *routing.Record) (task string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.book.Apply(rec); err != nil {
		return "", err
	}
	var d routing.WorkData
	if json.Unmarshal(rec.Data, &d) != nil {
		return "", nil
	}
	return s.book.TaskOfItem(d.ID), nil
}

// Dialable is the open tasks whose next attempt may be made at now and
// that no work item dials yet, due first.
func (s *Service) Dialable(now time.Time) []Task {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Task
	for _, t := range s.book.List(Filter{DueBy: now}, now) {
		if t.Item == "" {
			out = append(out, t)
		}
	}
	return out
}

// DialOutcome maps a work.attempt outcome to a follow-up outcome: ok is
// false for outcomes that are not the customer's (the agent's phone
// missed, a refusal that waits again) and for answered, whose result the
// agent records on the desk.
func DialOutcome(outcome string) (Outcome, bool) {
	switch outcome {
	case "busy":
		return Busy, true
	case "no_answer", "rejected", "trunks_failed":
		return NoAnswer, true
	}
	return "", false
}

// Queued notes that item (whose work.requested the engine has written)
// dials task, as applying that record will: so the next look for due
// tasks does not enqueue it twice before the feed brings the record.
func (s *Service) Queued(task, item string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.book.tasks[task]; t != nil && t.State == StateOpen {
		t.Item = item
		s.book.items[item] = task
	}
}

// SetLocation sets the reports' time zone (default the machine's); call
// it before serving.
func (s *Service) SetLocation(loc *time.Location) { s.loc = loc }

// Report is the follow-up report for a period (report.ResolvePeriod's
// period, from, to) by group; teams maps agents to teams. Errors:
// *report.FieldError.
func (s *Service) Report(group, period, from, to string, teams map[string]string) (*report.Table, error) {
	loc := s.loc
	if loc == nil {
		loc = time.Local
	}
	span, err := report.ResolvePeriod(period, from, to, s.now().In(loc), loc)
	if err != nil {
		return nil, err
	}
	return s.ReportSpan(group, span, teams)
}

// ReportSpan is the follow-up report for span by group: what the weekly
// satisfaction export carries beside the post-call survey.
func (s *Service) ReportSpan(group string, span report.Span, teams map[string]string) (*report.Table, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Report(group, span, teams)
}
