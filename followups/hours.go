package followups

import (
	"fmt"
	"time"

	"switchboard/routing"
)

// DefaultSlot is how long one appointment holds its agent when the config
// says nothing (followups.appointment_slot).
const DefaultSlot = 30 * time.Minute

// ConflictError refuses an appointment that overlaps another open one of
// the same agent; the API answers it with 409 naming the other.
type ConflictError struct {
	Agent string
	With  string    // the other appointment's id
	At    time.Time // its time
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("agent %s already has appointment %s at %s", e.Agent, e.With, e.At.Format(time.RFC3339))
}

// SetHours limits appointments to cal's open hours (nil: any time).
func (b *Book) SetHours(name string, cal *routing.Calendar) { b.hoursName, b.hours = name, cal }

// slot is how long an appointment holds its agent.
func (b *Book) slot() time.Duration {
	if b.r.slot > 0 {
		return b.r.slot
	}
	return DefaultSlot
}

// checkTime: at is in the future, within the allowed hours, and free in
// agent's appointments (skip is the appointment being moved).
func (b *Book) checkTime(at time.Time, agent, skip string, now time.Time) error {
	switch {
	case !at.After(now):
		return &FieldError{Field: "at", Reason: "must be in the future"}
	case b.hours != nil && !b.hours.Open(at):
		return &FieldError{Field: "at", Reason: fmt.Sprintf("is outside the allowed hours (calendar %s)", b.hoursName)}
	}
	if c := b.conflict(at, agent, skip); c != nil {
		return c
	}
	return nil
}

// conflict is the open appointment of agent within one slot of at, if any.
func (b *Book) conflict(at time.Time, agent, skip string) *ConflictError {
	if agent == "" {
		return nil // a team's appointment holds no one
	}
	var hit *Appointment
	for _, a := range b.appts {
		if a.ID == skip || a.Agent != agent {
			continue
		}
		if t := b.tasks[a.Task]; t != nil && t.State == StateClosed {
			continue
		}
		if d := a.At.Sub(at); d < b.slot() && d > -b.slot() && (hit == nil || a.ID < hit.ID) {
			hit = a
		}
	}
	if hit == nil {
		return nil
	}
	return &ConflictError{Agent: agent, With: hit.ID, At: hit.At}
}

// Slot is one time the booking picker offers.
type Slot struct {
	At   time.Time `json:"at"`
	Free bool      `json:"free"`
	// Reason says why a slot is not free ("" when it is).
	Reason string `json:"reason,omitempty"`
}

// Slots are the bookable times of day (a date in the rules' zone) for
// agent at now: every slot-length step the allowed hours are open and
// that is still to come, each free or with the reason it is taken.
func (b *Book) Slots(day time.Time, agent string, now time.Time) []Slot {
	l := day.In(b.r.loc)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, b.r.loc)
	end := start.AddDate(0, 0, 1)
	out := []Slot{}
	for t := start; t.Before(end) && len(out) < 24*60; t = t.Add(b.slot()) {
		if !t.After(now) || (b.hours != nil && !b.hours.Open(t)) {
			continue
		}
		s := Slot{At: t, Free: true}
		if c := b.conflict(t, agent, ""); c != nil {
			s.Free, s.Reason = false, c.Error()
		}
		out = append(out, s)
	}
	return out
}
