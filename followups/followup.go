// Package followups is the follow-up (回访) and appointment domain: plain
// rules over records. A follow-up task is opened from a wrap-up that asks
// for one, from a closed ticket, by a lead by hand, or by a customer's
// appointment; it is due (by default) 72 h after the problem was
// resolved, takes attempts with outcomes, and closes when the customer is
// reached, when the configured number (3–5) of attempts failed, or on a
// wrong number.
//
// Every change is a routing.Record (followup.*) that the Book decides and
// the caller appends to the one event log through routing.Decide before
// the Book applies it (the tickets pattern). The Book is a projection of
// those records only: a restart rebuilds every task, deadline and
// attempt. The package has no clock and no ID source of its own.
package followups

import (
	"errors"
	"fmt"
	"time"
)

// Outcome is what one dial of a follow-up came to.
type Outcome string

const (
	NoAnswer    Outcome = "no_answer"
	Busy        Outcome = "busy"
	WrongNumber Outcome = "wrong_number"
	Reached     Outcome = "reached"
)

// Outcomes are every outcome.
var Outcomes = []Outcome{NoAnswer, Busy, WrongNumber, Reached}

// Result is what a reached customer said.
type Result string

const (
	Satisfied    Result = "satisfied" // with a satisfaction 1–5
	NotSatisfied Result = "not_satisfied"
	CallLater    Result = "call_later" // with the time to call again
)

// Results are every result of a reached follow-up.
var Results = []Result{Satisfied, NotSatisfied, CallLater}

// State is open (still to be reached) or closed.
type State string

const (
	StateOpen   State = "open"
	StateClosed State = "closed"
)

// CloseReason is why a task closed.
type CloseReason string

const (
	ClosedReached     CloseReason = "reached"
	ClosedAttempts    CloseReason = "attempts" // the allowed failed attempts were used
	ClosedWrongNumber CloseReason = "wrong_number"
)

// Sources a task comes from.
const (
	SourceWrapUp      = "wrapup"
	SourceTicket      = "ticket"
	SourceLead        = "lead"
	SourceAppointment = "appointment"
)

// ErrNotFound is an unknown task or appointment (404).
var ErrNotFound = errors.New("follow-up not found")

// ErrClosed is an attempt or change on a closed task; the API answers 409.
var ErrClosed = errors.New("follow-up is closed")

// ClosedError names the closed task; it wraps ErrClosed.
type ClosedError struct {
	Task   string
	Reason CloseReason
}

func (e *ClosedError) Error() string {
	return fmt.Sprintf("follow-up %s is closed (%s)", e.Task, e.Reason)
}

func (e *ClosedError) Unwrap() error { return ErrClosed }

// FieldError is bad input naming the field; the API answers it with 400.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Attempt is one dial of a task and what came of it.
type Attempt struct {
	At           time.Time `json:"at"`
	By           string    `json:"by"`
	Outcome      Outcome   `json:"outcome"`
	Result       Result    `json:"result,omitempty"`
	Satisfaction int       `json:"satisfaction,omitempty"` // 1–5, with Satisfied
	Later        time.Time `json:"later,omitempty"`        // with CallLater
	Notes        string    `json:"notes,omitempty"`
	Call         string    `json:"call,omitempty"` // the outbound call, if known
}

// Failed says whether the attempt counts against the allowed attempts.
func (a Attempt) Failed() bool { return a.Outcome == NoAnswer || a.Outcome == Busy }

// Assignment is one (re)assignment of a task.
type Assignment struct {
	At    time.Time `json:"at"`
	By    string    `json:"by"`
	Team  string    `json:"team,omitempty"`
	Agent string    `json:"agent,omitempty"`
}

// Task is the projection of one follow-up's records.
type Task struct {
	ID          string    `json:"id"`
	Customer    string    `json:"customer"`
	Call        string    `json:"call,omitempty"` // the original call
	Ticket      string    `json:"ticket,omitempty"`
	Appointment string    `json:"appointment,omitempty"`
	Disposition string    `json:"disposition,omitempty"`
	Source      string    `json:"source"`
	Team        string    `json:"team,omitempty"`
	Agent       string    `json:"agent,omitempty"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	ResolvedAt  time.Time `json:"resolved_at"`
	Due         time.Time `json:"due"`
	// NotBefore is the earliest time the next attempt may be made (retry
	// spacing, a customer's "call later", an appointment's window).
	NotBefore   time.Time    `json:"not_before"`
	MaxAttempts int          `json:"max_attempts"`
	RetryAfter  Seconds      `json:"retry_after"`
	State       State        `json:"state"`
	Reason      CloseReason  `json:"close_reason,omitempty"`
	ClosedAt    time.Time    `json:"closed_at,omitempty"`
	Attempts    []Attempt    `json:"attempts"`
	Assigned    []Assignment `json:"assignments,omitempty"`
	// Item is the outbound work item dialling the task now (work.requested
	// with origin "followup:ID", until its work.closed).
	Item string `json:"work_item,omitempty"`
	// OverdueNow is Overdue at the time the task was read (API views).
	OverdueNow bool `json:"overdue"`
}

// Seconds is a duration carried in records as whole seconds.
type Seconds int64

// D is s as a time.Duration.
func (s Seconds) D() time.Duration { return time.Duration(s) * time.Second }

// Failed is how many attempts count against MaxAttempts.
func (t *Task) Failed() int {
	n := 0
	for _, a := range t.Attempts {
		if a.Failed() {
			n++
		}
	}
	return n
}

// Overdue says whether the task is past due at now and not closed.
func (t *Task) Overdue(now time.Time) bool {
	return t.State == StateOpen && now.After(t.Due)
}

// Closing is what the closing rule says after attempt a on t (a not yet
// part of t): the close reason, or "" with when the next attempt may be
// made. It is the one place the rule lives.
func Closing(t *Task, a Attempt) (CloseReason, time.Time) {
	switch a.Outcome {
	case WrongNumber:
		return ClosedWrongNumber, time.Time{}
	case Reached:
		if a.Result == CallLater {
			return "", a.Later
		}
		return ClosedReached, time.Time{}
	}
	if t.Failed()+1 >= t.MaxAttempts {
		return ClosedAttempts, time.Time{}
	}
	return "", a.At.Add(t.RetryAfter.D())
}
