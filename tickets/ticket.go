// Package tickets is the back-office ticket (工单) domain: plain rules over
// records. A ticket's life is new → dispatched (to a team or a person) →
// in progress → resolved → closed, with reopen from resolved or closed.
//
// Every change is a routing.Record (ticket.created, ticket.transition)
// that Desk.Decide returns before anything is acted on; the caller appends
// it to the one event log through the same journal as every other record
// (the pattern of routing/inbox.go's message.handled: a command goes in,
// a record comes out, then the projection applies it). The Book is a
// projection of those records only: Apply replays the log, so a restart
// rebuilds every ticket and deadline. The package has no clock and no ID
// source of its own; both are passed in.
package tickets

import (
	"errors"
	"fmt"
	"time"
)

// State is where a ticket is in its life.
type State string

const (
	StateNew        State = "new"
	StateDispatched State = "dispatched"
	StateInProgress State = "in_progress"
	StateResolved   State = "resolved"
	StateClosed     State = "closed"
)

// States are every state, in life order.
var States = []State{StateNew, StateDispatched, StateInProgress, StateResolved, StateClosed}

// Action is a transition a person asks for.
type Action string

const (
	ActDispatch Action = "dispatch"
	ActStart    Action = "start"
	ActResolve  Action = "resolve"
	ActClose    Action = "close"
	ActReopen   Action = "reopen"
)

// Actions are every action.
var Actions = []Action{ActDispatch, ActStart, ActResolve, ActClose, ActReopen}

// next is the transition table: from a state, an action leads to a state.
// Dispatch from dispatched is a reassignment.
var next = map[State]map[Action]State{
	StateNew:        {ActDispatch: StateDispatched},
	StateDispatched: {ActDispatch: StateDispatched, ActStart: StateInProgress},
	StateInProgress: {ActDispatch: StateDispatched, ActResolve: StateResolved},
	StateResolved:   {ActClose: StateClosed, ActReopen: StateInProgress},
	StateClosed:     {ActReopen: StateInProgress},
}

// ErrIllegalTransition is an action the ticket's state does not allow;
// the API answers it with 409.
var ErrIllegalTransition = errors.New("illegal ticket transition")

// TransitionError names the refused transition; it wraps ErrIllegalTransition.
type TransitionError struct {
	Ticket string
	From   State
	Action Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("ticket %s: cannot %s from %s", e.Ticket, e.Action, e.From)
}

func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }

// FieldError is bad input naming the field; the API answers it with 400.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Step gives the state an action leads to from from, or a *TransitionError.
func Step(id string, from State, a Action) (State, error) {
	to, ok := next[from][a]
	if !ok {
		return from, &TransitionError{Ticket: id, From: from, Action: a}
	}
	return to, nil
}

// Change is one transition as it happened: who, when, what.
type Change struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Action Action    `json:"action"`
	From   State     `json:"from"`
	To     State     `json:"to"`
	Team   string    `json:"team,omitempty"`
	Agent  string    `json:"agent,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// Ticket is the projection of one ticket's records.
type Ticket struct {
	ID           string    `json:"id"`
	Customer     string    `json:"customer"`
	Category     string    `json:"category"`
	Priority     string    `json:"priority"`
	Description  string    `json:"description,omitempty"`
	Calls        []string  `json:"calls,omitempty"`
	Source       string    `json:"source"` // wrapup, desk, api
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	State        State     `json:"state"`
	Team         string    `json:"team,omitempty"`
	Agent        string    `json:"agent,omitempty"`
	DispatchDue  time.Time `json:"dispatch_due"`
	ResolveDue   time.Time `json:"resolve_due,omitempty"`
	DispatchedAt time.Time `json:"dispatched_at,omitempty"`
	ResolvedAt   time.Time `json:"resolved_at,omitempty"`
	History      []Change  `json:"history"`
	// OverdueNow is Overdue at the time the ticket was read (API views).
	OverdueNow bool `json:"overdue"`
}

// Overdue says whether the ticket is past its dispatch SLA at now: still
// new after its dispatch deadline.
func (t *Ticket) Overdue(now time.Time) bool {
	return t.State == StateNew && now.After(t.DispatchDue)
}
