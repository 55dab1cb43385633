package followups

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"switchboard/routing"
)

// NewTask is a request to open a follow-up.
type NewTask struct {
	Customer    string
	Call        string
	Ticket      string
	Disposition string
	Source      string // wrapup, ticket, lead
	Team        string
	Agent       string
	By          string
	// ResolvedAt is when the problem was resolved (zero: now).
	ResolvedAt time.Time
	// Due overrides the computed due time (a lead's, by hand); it must
	// not be in the past.
	Due time.Time
}

// AttemptRequest is one dial's outcome, with the answers if reached.
type AttemptRequest struct {
	ID           string
	By           string
	Outcome      Outcome
	Result       Result
	Satisfaction int
	Later        time.Time
	Notes        string
	Call         string
}

// ReassignRequest gives a task to a team or an agent.
type ReassignRequest struct {
	ID    string
	By    string
	Team  string
	Agent string
}

// Book is the follow-ups projection: rebuilt by applying the log's
// followup.* records in order. Decide* check a request against it and
// return the records to append; only Apply changes it.
type Book struct {
	r        rules
	disps    map[string]bool // known dispositions; nil: any
	tasks    map[string]*Task
	appts    map[string]*Appointment
	alerted  map[string]bool
	fromCall map[string]string // original call → task (once per call)
	items    map[string]string // open work item → task
	// wraps are the wrap-ups the coverage report counts, by call.
	wraps     map[string]wrapUp
	wrapOrder []string
	n, na     int // tasks and appointments created, for IDs
	// hours are the allowed hours of appointments (nil: any time).
	hours     *routing.Calendar
	hoursName string
}

// NewBook is an empty book over cfg; dispositions are the known codes
// (nil: any), loc the zone appointment windows are in.
func NewBook(cfg Config, dispositions []string, loc *time.Location) *Book {
	b := &Book{r: cfg.rules(loc), tasks: map[string]*Task{}, appts: map[string]*Appointment{},
		alerted: map[string]bool{}, fromCall: map[string]string{}, items: map[string]string{},
		wraps: map[string]wrapUp{}}
	if dispositions != nil {
		b.disps = map[string]bool{}
		for _, d := range dispositions {
			b.disps[d] = true
		}
	}
	return b
}

func (b *Book) nextID() string        { return fmt.Sprintf("F%06d", b.n+1) }
func (b *Book) nextAppointID() string { return fmt.Sprintf("A%06d", b.na+1) }

// DecideCreate checks n and returns the followup.created record.
// Errors: *FieldError.
func (b *Book) DecideCreate(n NewTask, now time.Time) (*routing.Record, error) {
	switch {
	case strings.TrimSpace(n.Customer) == "":
		return nil, &FieldError{Field: "customer", Reason: "required"}
	case n.By == "":
		return nil, &FieldError{Field: "by", Reason: "required"}
	case n.Team != "" && n.Agent != "":
		return nil, &FieldError{Field: "team", Reason: "a team or an agent, not both"}
	}
	switch n.Source {
	case SourceWrapUp, SourceTicket, SourceLead:
	default:
		return nil, &FieldError{Field: "source", Reason: "one of wrapup, ticket, lead"}
	}
	if n.Disposition != "" && b.disps != nil && !b.disps[n.Disposition] {
		return nil, &FieldError{Field: "disposition", Reason: fmt.Sprintf("unknown disposition %q", n.Disposition)}
	}
	if n.Call != "" && b.fromCall[n.Call] != "" && n.Source == SourceWrapUp {
		return nil, &FieldError{Field: "call", Reason: "call " + n.Call + " already has follow-up " + b.fromCall[n.Call]}
	}
	resolved := n.ResolvedAt
	if resolved.IsZero() {
		resolved = now
	}
	if resolved.After(now) {
		return nil, &FieldError{Field: "resolved_at", Reason: "must not be in the future"}
	}
	due := b.r.DueAt(resolved, n.Disposition)
	if !n.Due.IsZero() {
		if !n.Due.After(now) {
			return nil, &FieldError{Field: "due", Reason: "must be in the future"}
		}
		due = n.Due
	}
	return record(EvCreated, now, CreatedData{
		ID: b.nextID(), Customer: n.Customer, Call: n.Call, Ticket: n.Ticket, Disposition: n.Disposition,
		Source: n.Source, Team: n.Team, Agent: n.Agent, By: n.By, ResolvedAt: resolved, Due: due,
		NotBefore: now, MaxAttempts: b.r.maxAttempts, RetryAfter: Seconds(b.r.retry / time.Second),
	})
}

// DecideAttempt checks r and returns the followup.attempt record, with
// what the closing rule made of it. Errors: ErrNotFound, *FieldError,
// *ClosedError.
func (b *Book) DecideAttempt(r AttemptRequest, now time.Time) (*routing.Record, error) {
	t, ok := b.tasks[r.ID]
	if !ok {
		return nil, ErrNotFound
	}
	if t.State == StateClosed {
		return nil, &ClosedError{Task: t.ID, Reason: t.Reason}
	}
	if err := checkAttempt(r, now); err != nil {
		return nil, err
	}
	a := Attempt{At: now, By: r.By, Outcome: r.Outcome, Result: r.Result, Satisfaction: r.Satisfaction,
		Later: r.Later, Notes: r.Notes, Call: r.Call}
	reason, next := Closing(t, a)
	return record(EvAttempt, now, AttemptData{ID: t.ID, Attempt: a, Close: reason, NotBefore: next})
}

func checkAttempt(r AttemptRequest, now time.Time) error {
	if r.By == "" {
		return &FieldError{Field: "by", Reason: "required"}
	}
	if !slices.Contains(Outcomes, r.Outcome) {
		return &FieldError{Field: "outcome", Reason: "one of no_answer, busy, wrong_number, reached"}
	}
	if r.Outcome != Reached {
		if r.Result != "" || r.Satisfaction != 0 || !r.Later.IsZero() {
			return &FieldError{Field: "result", Reason: "only a reached follow-up has a result"}
		}
		return nil
	}
	switch r.Result {
	case Satisfied:
		if r.Satisfaction < 1 || r.Satisfaction > 5 {
			return &FieldError{Field: "satisfaction", Reason: "must be 1 to 5"}
		}
	case NotSatisfied:
		if r.Satisfaction != 0 {
			return &FieldError{Field: "satisfaction", Reason: "only with result satisfied"}
		}
	case CallLater:
		if !r.Later.After(now) {
			return &FieldError{Field: "later", Reason: "must be in the future"}
		}
	default:
		return &FieldError{Field: "result", Reason: "one of satisfied, not_satisfied, call_later"}
	}
	if r.Result != CallLater && !r.Later.IsZero() {
		return &FieldError{Field: "later", Reason: "only with result call_later"}
	}
	return nil
}

// DecideReassign returns the followup.reassigned record. Errors:
// ErrNotFound, *FieldError, *ClosedError.
func (b *Book) DecideReassign(r ReassignRequest, now time.Time) (*routing.Record, error) {
	t, ok := b.tasks[r.ID]
	switch {
	case !ok:
		return nil, ErrNotFound
	case t.State == StateClosed:
		return nil, &ClosedError{Task: t.ID, Reason: t.Reason}
	case r.By == "":
		return nil, &FieldError{Field: "by", Reason: "required"}
	case (r.Team == "") == (r.Agent == ""):
		return nil, &FieldError{Field: "team", Reason: "a team or an agent, one of them"}
	}
	return record(EvReassigned, now, ReassignedData{ID: t.ID, Assignment: Assignment{At: now, By: r.By, Team: r.Team, Agent: r.Agent}})
}

// DecideOverdue returns followup.overdue, once, for every open task past
// due at now.
func (b *Book) DecideOverdue(now time.Time) ([]*routing.Record, error) {
	var recs []*routing.Record
	for _, t := range b.List(Filter{Overdue: true}, now) {
		if b.alerted[t.ID] {
			continue
		}
		rec, err := record(EvOverdue, now, OverdueData{ID: t.ID, Customer: t.Customer, Team: t.Team, Agent: t.Agent, Due: t.Due})
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

func decode[T any](rec *routing.Record) (T, error) {
	var d T
	if err := json.Unmarshal(rec.Data, &d); err != nil {
		return d, fmt.Errorf("followups: record %d (%s): %w", rec.Seq, rec.Type, err)
	}
	return d, nil
}

// Apply folds one record of the log into the book; records of other types
// are ignored, so the whole log can be replayed through it.
func (b *Book) Apply(rec *routing.Record) error {
	switch rec.Type {
	case EvCreated:
		d, err := decode[CreatedData](rec)
		if err != nil {
			return err
		}
		b.n++
		b.tasks[d.ID] = &Task{ID: d.ID, Customer: d.Customer, Call: d.Call, Ticket: d.Ticket, Appointment: d.Appointment,
			Disposition: d.Disposition, Source: d.Source, Team: d.Team, Agent: d.Agent, CreatedBy: d.By,
			CreatedAt: rec.Time, ResolvedAt: d.ResolvedAt, Due: d.Due, NotBefore: d.NotBefore,
			MaxAttempts: d.MaxAttempts, RetryAfter: d.RetryAfter, State: StateOpen, Attempts: []Attempt{}}
		if d.Call != "" && d.Source == SourceWrapUp {
			b.fromCall[d.Call] = d.ID
		}
	case EvAttempt:
		d, err := decode[AttemptData](rec)
		if err != nil {
			return err
		}
		t, err := b.task(rec, d.ID)
		if err != nil {
			return err
		}
		t.Attempts = append(t.Attempts, d.Attempt)
		if _, dialling := b.items[t.Item]; !dialling {
			t.Item = "" // the answers of a connected dial came in
		}
		if d.Close != "" {
			t.State, t.Reason, t.ClosedAt = StateClosed, d.Close, d.At
		} else {
			t.NotBefore = d.NotBefore
		}
	case EvReassigned:
		d, err := decode[ReassignedData](rec)
		if err != nil {
			return err
		}
		t, err := b.task(rec, d.ID)
		if err != nil {
			return err
		}
		t.Team, t.Agent = d.Team, d.Agent
		t.Assigned = append(t.Assigned, d.Assignment)
		delete(b.alerted, d.ID) // the new owner is alerted afresh if still overdue
	case EvOverdue:
		d, err := decode[OverdueData](rec)
		if err != nil {
			return err
		}
		b.alerted[d.ID] = true
	case EvAppointment, EvRescheduled:
		return b.applyAppointment(rec)
	case routing.EvWorkRequested, routing.EvWorkClosed:
		b.applyWork(rec)
	case routing.EvCallWrapped:
		b.applyWrapUp(rec)
	}
	return nil
}

func (b *Book) task(rec *routing.Record, id string) (*Task, error) {
	t, ok := b.tasks[id]
	if !ok {
		return nil, fmt.Errorf("followups: record %d (%s): unknown task %s", rec.Seq, rec.Type, id)
	}
	return t, nil
}

// Get returns a copy of a task.
func (b *Book) Get(id string) (Task, bool) {
	t, ok := b.tasks[id]
	if !ok {
		return Task{}, false
	}
	return copyTask(t), true
}

func copyTask(t *Task) Task {
	c := *t
	c.Attempts = append([]Attempt{}, t.Attempts...)
	c.Assigned = append([]Assignment(nil), t.Assigned...)
	return c
}

// Filter selects tasks for List; empty fields match all.
type Filter struct {
	State    State
	Team     string
	Agent    string
	Customer string
	Source   string
	Overdue  bool
	// DueBy keeps open tasks that may be attempted by then (NotBefore
	// reached): what is due for a dial.
	DueBy time.Time
}

// List returns the tasks matching f at now, due time first.
func (b *Book) List(f Filter, now time.Time) []Task {
	var out []Task
	for _, t := range b.tasks {
		if (f.State != "" && t.State != f.State) || (f.Team != "" && t.Team != f.Team) ||
			(f.Agent != "" && t.Agent != f.Agent) || (f.Customer != "" && t.Customer != f.Customer) ||
			(f.Source != "" && t.Source != f.Source) || (f.Overdue && !t.Overdue(now)) ||
			(!f.DueBy.IsZero() && (t.State != StateOpen || t.NotBefore.After(f.DueBy))) {
			continue
		}
		out = append(out, copyTask(t))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Origin is the work item origin naming a follow-up task.
func Origin(task string) string { return originPrefix + task }

const originPrefix = "followup:"

// applyWork follows the work items dialling tasks: work.requested with a
// follow-up origin marks the task as being dialled, its work.closed frees
// it for the next attempt.
func (b *Book) applyWork(rec *routing.Record) {
	d, err := decode[routing.WorkData](rec)
	if err != nil {
		return // not ours to judge; the engine wrote it
	}
	if rec.Type == routing.EvWorkRequested {
		if id, ok := strings.CutPrefix(d.Origin, originPrefix); ok && b.tasks[id] != nil {
			b.tasks[id].Item = d.ID
			b.items[d.ID] = id
		}
		return
	}
	if id, ok := b.items[d.ID]; ok {
		// A connected item's task waits for the agent's answers (an
		// attempt) before it may be dialled again.
		if t := b.tasks[id]; t != nil && t.Item == d.ID && d.Reason != routing.CloseConnected {
			t.Item = ""
		}
		delete(b.items, d.ID)
	}
}

// TaskOfItem is the task a work item dials ("" if none).
func (b *Book) TaskOfItem(item string) string { return b.items[item] }
