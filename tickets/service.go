package tickets

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
)

// Why tickets go through routing.Decide: the API has two ways to put
// non-call records in the log today — engine commands (message.handled,
// click-to-dial) and the audit log. Audit entries are a separate table,
// not the event log, so they cannot carry ticket state. Engine commands
// are the one path into the event log, but the Machine is at its size
// and routing may import nothing of ours. So routing offers one generic
// entry, routing.Decide: the Service decides (pure, over its Book) inside
// the engine loop, at the engine's clock; the engine journals the records
// in its batch (and the live feed publishes them once durable); only
// after the reply does the Service apply them to the Book. The Service's
// lock serialises decisions, so each one sees every earlier record.

// Submitter runs a decision in the engine loop (routing.Decide bound to
// the engine).
type Submitter = routing.Submit

// EvTicketOverdue is ticket.overdue: a ticket passed its dispatch SLA
// still new; the lead's alert on the live feed.
const EvTicketOverdue = "ticket.overdue"

// OverdueData is ticket.overdue.
type OverdueData struct {
	ID          string    `json:"id"`
	Category    string    `json:"category"`
	Customer    string    `json:"customer"`
	DispatchDue time.Time `json:"dispatch_due"`
}

// Service is the tickets as the API and the wrap-up hook use them.
type Service struct {
	mu     sync.RWMutex
	book   *Book
	cfg    Config
	submit Submitter
	now    func() time.Time
	log    *slog.Logger
	loc    *time.Location // the reports' time zone
}

// NewService is a Service over cfg; hours is the calendar business-hours
// categories count (nil if none).
func NewService(cfg Config, hours Hours, submit Submitter, now func() time.Time, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{book: NewBook(cfg.categories(), hours), cfg: cfg, submit: submit, now: now, log: log}
}

// Restore replays the log's ticket records (in order) into the Book.
func (s *Service) Restore(recs []routing.Record) error {
	return routing.Replay(&s.mu, s.book.Apply, recs)
}

// Categories is the configured categories, for the desk's form.
func (s *Service) Categories() []CategoryConfig {
	return append([]CategoryConfig(nil), s.cfg.Categories...)
}

// decide runs fn in the engine loop under the lock and applies what the
// engine wrote.
func (s *Service) decide(ctx context.Context, fn func(now time.Time) (*routing.Record, error)) (Ticket, error) {
	recs, err := routing.DecideApplied(ctx, &s.mu, s.submit, s.book.Apply, func(now time.Time) ([]*routing.Record, error) {
		rec, err := fn(now)
		if err != nil {
			return nil, err
		}
		return []*routing.Record{rec}, nil
	})
	if err != nil {
		return Ticket{}, err
	}
	rec := recs[0]
	var id struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(rec.Data, &id); err != nil {
		return Ticket{}, fmt.Errorf("tickets: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, _ := s.book.Get(id.ID)
	return t, nil
}

// Create opens a ticket. Errors: *FieldError.
func (s *Service) Create(ctx context.Context, n NewTicket) (Ticket, error) {
	return s.decide(ctx, func(now time.Time) (*routing.Record, error) {
		return s.book.DecideCreate(n, s.book.nextID(), now)
	})
}

// Transition acts on a ticket. Errors: ErrNotFound, *FieldError,
// *TransitionError.
func (s *Service) Transition(ctx context.Context, r TransitionRequest) (Ticket, error) {
	return s.decide(ctx, func(now time.Time) (*routing.Record, error) {
		return s.book.DecideTransition(r, now)
	})
}

// Get is one ticket.
func (s *Service) Get(id string) (Ticket, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.book.Get(id)
	t.OverdueNow = ok && t.Overdue(s.now())
	return t, ok
}

// List is the tickets matching f now, dispatch deadline first.
func (s *Service) List(f Filter) []Ticket {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := s.now()
	out := s.book.List(f, now)
	for i := range out {
		out[i].OverdueNow = out[i].Overdue(now)
	}
	return out
}

// OverdueCount is how many tickets are past their dispatch SLA at now
// (the wallboard's count).
func (s *Service) OverdueCount(now time.Time) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, t := range s.book.tickets {
		if t.Overdue(now) {
			n++
		}
	}
	return n
}

// SetLocation sets the reports' time zone (default the machine's); call
// it before serving.
func (s *Service) SetLocation(loc *time.Location) { s.loc = loc }

// Report is the ticket report for a period (report.ResolvePeriod's
// period, from, to) in the reports' time zone, by group. Errors:
// *report.FieldError.
func (s *Service) Report(group, period, from, to string) (*report.Table, error) {
	now := s.now()
	loc := s.loc
	if loc == nil {
		loc = time.Local
	}
	span, err := report.ResolvePeriod(period, from, to, now.In(loc), loc)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.book.Report(group, span, now)
}

// Now is the service's clock (overdue is judged on it).
func (s *Service) Now() time.Time { return s.now() }

// Sweep writes ticket.overdue, once, for every ticket past its dispatch
// SLA at the engine's now.
func (s *Service) Sweep(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.submit(ctx, func(now time.Time) ([]*routing.Record, any, error) {
		var recs []*routing.Record
		for _, t := range s.book.List(Filter{Overdue: true}, now) {
			if s.book.alerted[t.ID] {
				continue
			}
			rec, err := record(EvTicketOverdue, now, OverdueData{ID: t.ID, Category: t.Category, Customer: t.Customer, DispatchDue: t.DispatchDue})
			if err != nil {
				return nil, nil, err
			}
			recs = append(recs, rec)
		}
		return recs, recs, nil
	})
	if err != nil {
		return err
	}
	for _, rec := range v.([]*routing.Record) {
		if err := s.book.Apply(rec); err != nil {
			return err
		}
	}
	return nil
}

// Run sweeps for overdue tickets every interval until ctx ends.
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
					s.log.Warn("tickets: overdue sweep failed", "err", err)
				}
			}
		}
	}
}

func (s *Service) hasUnalerted() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	now := s.now()
	for _, t := range s.book.tickets {
		if t.Overdue(now) && !s.book.alerted[t.ID] {
			return true
		}
	}
	return false
}

// CallLookup finds the customer of a call for a wrap-up's ticket: the
// customer's id if the caller's number is a known customer's, else the
// caller's number.
type CallLookup func(ctx context.Context, call string) (customer string, err error)

// OnWrapUp opens a ticket for a call.wrapped record whose disposition the
// config maps to a category, once per call (a replayed or repeated
// wrap-up does not open a second).
func (s *Service) OnWrapUp(ctx context.Context, rec *routing.Record, lookup CallLookup) (Ticket, bool, error) {
	if rec.Type != routing.EvCallWrapped {
		return Ticket{}, false, nil
	}
	var d routing.WrapUpData
	if err := json.Unmarshal(rec.Data, &d); err != nil {
		return Ticket{}, false, fmt.Errorf("tickets: call.wrapped %d: %w", rec.Seq, err)
	}
	cat, ok := s.cfg.FromDispositions[d.Disposition]
	if !ok || s.fromCall(rec.CallID) {
		return Ticket{}, false, nil
	}
	customer, err := lookup(ctx, rec.CallID)
	if err != nil {
		return Ticket{}, false, err
	}
	by := d.Agent
	if by == "" {
		by = d.By
	}
	t, err := s.Create(ctx, NewTicket{Customer: customer, Category: cat, Description: d.Notes,
		Calls: []string{rec.CallID}, Source: "wrapup", By: by})
	return t, err == nil, err
}

func (s *Service) fromCall(call string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.book.tickets {
		if t.Source == "wrapup" && len(t.Calls) > 0 && t.Calls[0] == call {
			return true
		}
	}
	return false
}
