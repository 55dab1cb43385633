package followups

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"switchboard/routing"
)

// Record types the follow-ups write to the event log; all start with
// "followup." so a restart restores them by one prefix.
const (
	EvCreated     = "followup.created"     // CreatedData
	EvAttempt     = "followup.attempt"     // AttemptData
	EvReassigned  = "followup.reassigned"  // ReassignedData
	EvOverdue     = "followup.overdue"     // OverdueData
	EvAppointment = "followup.appointment" // AppointmentData
	EvRescheduled = "followup.rescheduled" // RescheduledData
)

// CreatedData is followup.created: the task as opened, its deadline and
// its rules included, so replay needs no config.
type CreatedData struct {
	ID          string    `json:"id"`
	Customer    string    `json:"customer"`
	Call        string    `json:"call,omitempty"`
	Ticket      string    `json:"ticket,omitempty"`
	Appointment string    `json:"appointment,omitempty"`
	Disposition string    `json:"disposition,omitempty"`
	Source      string    `json:"source"`
	Team        string    `json:"team,omitempty"`
	Agent       string    `json:"agent,omitempty"`
	By          string    `json:"by"`
	ResolvedAt  time.Time `json:"resolved_at"`
	Due         time.Time `json:"due"`
	NotBefore   time.Time `json:"not_before"`
	MaxAttempts int       `json:"max_attempts"`
	RetryAfter  Seconds   `json:"retry_after"`
}

// AttemptData is followup.attempt: the attempt and what the closing rule
// decided of it (Close, else NotBefore for the next one).
type AttemptData struct {
	ID string `json:"id"`
	Attempt
	Close     CloseReason `json:"close,omitempty"`
	NotBefore time.Time   `json:"not_before,omitempty"`
}

// ReassignedData is followup.reassigned.
type ReassignedData struct {
	ID string `json:"id"`
	Assignment
}

// OverdueData is followup.overdue: once, when an open task passes its
// due time (the supervisor's alert on the live feed).
type OverdueData struct {
	ID       string    `json:"id"`
	Customer string    `json:"customer"`
	Team     string    `json:"team,omitempty"`
	Agent    string    `json:"agent,omitempty"`
	Due      time.Time `json:"due"`
}

// AppointmentData is followup.appointment: a customer's appointment and
// the task that calls them on its morning.
type AppointmentData struct {
	ID       string    `json:"id"`
	Task     string    `json:"task"`
	Customer string    `json:"customer"`
	At       time.Time `json:"at"`
	Topic    string    `json:"topic,omitempty"`
	Team     string    `json:"team,omitempty"`
	Agent    string    `json:"agent,omitempty"`
	By       string    `json:"by"`
	// Call is the call it was booked from; Callback: the task dials at
	// the appointment's time, not in its morning window.
	Call     string `json:"call,omitempty"`
	Callback bool   `json:"callback,omitempty"`
}

// RescheduledData is followup.rescheduled: the appointment moved, and
// its task's window with it.
type RescheduledData struct {
	ID        string    `json:"id"`
	Task      string    `json:"task"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	By        string    `json:"by"`
	NotBefore time.Time `json:"not_before"`
	Due       time.Time `json:"due"`
}

// The records join the log's registry of record types (routing may not
// import followups, so followups registers itself).
func init() {
	routing.Records[EvCreated] = reflect.TypeFor[CreatedData]()
	routing.Records[EvAttempt] = reflect.TypeFor[AttemptData]()
	routing.Records[EvReassigned] = reflect.TypeFor[ReassignedData]()
	routing.Records[EvOverdue] = reflect.TypeFor[OverdueData]()
	routing.Records[EvAppointment] = reflect.TypeFor[AppointmentData]()
	routing.Records[EvRescheduled] = reflect.TypeFor[RescheduledData]()
}

func record(typ string, now time.Time, v any) (*routing.Record, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("followups: encode %s: %w", typ, err)
	}
	rec := &routing.Record{Time: now, Type: typ}
	rec.SetPayload(v, data)
	return rec, nil
}
