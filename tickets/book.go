package tickets

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"switchboard/routing"
)

// Record types the tickets write to the event log.
const (
	EvTicketCreated    = "ticket.created"    // CreatedData
	EvTicketTransition = "ticket.transition" // TransitionData
)

// CreatedData is ticket.created: the ticket as opened, deadlines included,
// so replay needs no config to know when it was due.
type CreatedData struct {
	ID          string    `json:"id"`
	Customer    string    `json:"customer"`
	Category    string    `json:"category"`
	Priority    string    `json:"priority"`
	Description string    `json:"description,omitempty"`
	Calls       []string  `json:"calls,omitempty"`
	Source      string    `json:"source"`
	By          string    `json:"by"`
	DispatchDue time.Time `json:"dispatch_due"`
	ResolveDue  time.Time `json:"resolve_due,omitempty"`
}

// TransitionData is ticket.transition.
type TransitionData struct {
	ID string `json:"id"`
	Change
}

// NewTicket is a request to open a ticket.
type NewTicket struct {
	Customer    string
	Category    string
	Priority    string // low, normal, high, urgent; "" → normal
	Description string
	Calls       []string
	Source      string // wrapup, desk, api
	By          string
}

// TransitionRequest asks for an action on a ticket.
type TransitionRequest struct {
	ID     string
	Action Action
	By     string
	Team   string // dispatch: to a team or
	Agent  string // a person
	Note   string
}

var priorities = map[string]bool{"low": true, "normal": true, "high": true, "urgent": true}

// Book is the tickets projection: rebuilt by applying the log's ticket
// records in order. Decide checks a request against it and returns the
// record to append; only Apply changes it.
type Book struct {
	cats    map[string]Category
	hours   Hours
	tickets map[string]*Ticket
	alerted map[string]bool // ticket.overdue written
	n       int             // tickets created, for the next ID
}

// nextID is the ID the next ticket gets: a count, so replay gives the
// same IDs and nothing random enters the decision.
func (b *Book) nextID() string { return fmt.Sprintf("T%06d", b.n+1) }

// NewBook is an empty book over the configured categories; hours is the
// calendar for categories that count business hours (may be nil if none do).
func NewBook(cats []Category, hours Hours) *Book {
	b := &Book{cats: map[string]Category{}, hours: hours, tickets: map[string]*Ticket{}, alerted: map[string]bool{}}
	for _, c := range cats {
		b.cats[c.Name] = c
	}
	return b
}

// DecideCreate checks n and returns the ticket.created record for it, with
// id and now given by the caller. Errors: *FieldError.
func (b *Book) DecideCreate(n NewTicket, id string, now time.Time) (*routing.Record, error) {
	switch {
	case strings.TrimSpace(n.Customer) == "":
		return nil, &FieldError{Field: "customer", Reason: "required"}
	case n.By == "":
		return nil, &FieldError{Field: "by", Reason: "required"}
	}
	cat, ok := b.cats[n.Category]
	if !ok {
		return nil, &FieldError{Field: "category", Reason: fmt.Sprintf("unknown category %q", n.Category)}
	}
	if n.Priority == "" {
		n.Priority = "normal"
	}
	if !priorities[n.Priority] {
		return nil, &FieldError{Field: "priority", Reason: "one of low, normal, high, urgent"}
	}
	switch n.Source {
	case "wrapup", "desk", "api":
	default:
		return nil, &FieldError{Field: "source", Reason: "one of wrapup, desk, api"}
	}
	if _, dup := b.tickets[id]; dup || id == "" {
		return nil, &FieldError{Field: "id", Reason: "missing or already used"}
	}
	var hours Hours
	if cat.BusinessHours {
		hours = b.hours
	}
	dw := cat.DispatchWithin
	if dw <= 0 {
		dw = DefaultDispatch
	}
	dd, err := Deadline(now, dw, hours)
	if err != nil {
		return nil, err
	}
	var rd time.Time
	if cat.ResolveWithin > 0 {
		if rd, err = Deadline(now, cat.ResolveWithin, hours); err != nil {
			return nil, err
		}
	}
	return record(EvTicketCreated, now, CreatedData{
		ID: id, Customer: n.Customer, Category: n.Category, Priority: n.Priority,
		Description: n.Description, Calls: n.Calls, Source: n.Source, By: n.By,
		DispatchDue: dd, ResolveDue: rd,
	})
}

// ErrNotFound is an unknown ticket id (404).
var ErrNotFound = fmt.Errorf("ticket not found")

// DecideTransition checks r against the ticket's state and returns the
// ticket.transition record. Errors: ErrNotFound, *FieldError,
// *TransitionError (wraps ErrIllegalTransition).
func (b *Book) DecideTransition(r TransitionRequest, now time.Time) (*routing.Record, error) {
	t, ok := b.tickets[r.ID]
	if !ok {
		return nil, ErrNotFound
	}
	if r.By == "" {
		return nil, &FieldError{Field: "by", Reason: "required"}
	}
	to, err := Step(t.ID, t.State, r.Action)
	if err != nil {
		return nil, err
	}
	if r.Action == ActDispatch && (r.Team == "") == (r.Agent == "") {
		return nil, &FieldError{Field: "team", Reason: "dispatch names a team or an agent, one of them"}
	}
	return record(EvTicketTransition, now, TransitionData{ID: t.ID, Change: Change{
		At: now, By: r.By, Action: r.Action, From: t.State, To: to,
		Team: r.Team, Agent: r.Agent, Note: r.Note,
	}})
}

func record(typ string, now time.Time, v any) (*routing.Record, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("tickets: encode %s: %w", typ, err)
	}
	rec := &routing.Record{Time: now, Type: typ}
	rec.SetPayload(v, data)
	return rec, nil
}

// Apply folds one record of the log into the book; records of other types
// are ignored, so the whole log can be replayed through it.
func (b *Book) Apply(rec *routing.Record) error {
	switch rec.Type {
	case EvTicketCreated:
		var d CreatedData
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return fmt.Errorf("tickets: record %d: %w", rec.Seq, err)
		}
		b.n++
		b.tickets[d.ID] = &Ticket{
			ID: d.ID, Customer: d.Customer, Category: d.Category, Priority: d.Priority,
			Description: d.Description, Calls: d.Calls, Source: d.Source,
			CreatedBy: d.By, CreatedAt: rec.Time, State: StateNew,
			DispatchDue: d.DispatchDue, ResolveDue: d.ResolveDue,
		}
	case EvTicketTransition:
		var d TransitionData
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return fmt.Errorf("tickets: record %d: %w", rec.Seq, err)
		}
		t, ok := b.tickets[d.ID]
		if !ok {
			return fmt.Errorf("tickets: record %d: transition of unknown ticket %s", rec.Seq, d.ID)
		}
		t.State = d.To
		if d.Action == ActDispatch {
			t.Team, t.Agent = d.Team, d.Agent
			if t.DispatchedAt.IsZero() {
				t.DispatchedAt = d.At
			}
		}
		if d.To == StateResolved {
			t.ResolvedAt = d.At
		}
		t.History = append(t.History, d.Change)
	case EvTicketOverdue:
		var d OverdueData
		if err := json.Unmarshal(rec.Data, &d); err != nil {
			return fmt.Errorf("tickets: record %d: %w", rec.Seq, err)
		}
		b.alerted[d.ID] = true
	}
	return nil
}

// Get returns a copy of a ticket.
func (b *Book) Get(id string) (Ticket, bool) {
	t, ok := b.tickets[id]
	if !ok {
		return Ticket{}, false
	}
	c := *t
	c.History = append([]Change(nil), t.History...)
	return c, true
}

// Filter selects tickets for List; empty fields match all.
type Filter struct {
	State    State
	Category string
	Team     string
	Agent    string
	Customer string
	Overdue  bool
}

// List returns the tickets matching f at now, dispatch deadline first.
func (b *Book) List(f Filter, now time.Time) []Ticket {
	var out []Ticket
	for _, t := range b.tickets {
		if (f.State != "" && t.State != f.State) || (f.Category != "" && t.Category != f.Category) ||
			(f.Team != "" && t.Team != f.Team) || (f.Agent != "" && t.Agent != f.Agent) ||
			(f.Customer != "" && t.Customer != f.Customer) || (f.Overdue && !t.Overdue(now)) {
			continue
		}
		c, _ := b.Get(t.ID)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].DispatchDue.Equal(out[j].DispatchDue) {
			return out[i].DispatchDue.Before(out[j].DispatchDue)
		}
		return out[i].ID < out[j].ID
	})
	return out
}
