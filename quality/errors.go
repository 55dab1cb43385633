package quality

import (
	"errors"
	"fmt"
)

// FieldError is bad input naming the field; the API answers it with 400.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// ErrNotFound is an unknown evaluation (404).
var ErrNotFound = errors.New("evaluation not found")

// ErrIllegalTransition is an evaluation step its state does not allow.
var ErrIllegalTransition = errors.New("illegal evaluation transition")

// TransitionError names the refused step (409); it wraps
// ErrIllegalTransition.
type TransitionError struct {
	ID     string
	From   State
	Action string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("evaluation %s: cannot %s when %s", e.ID, e.Action, e.From)
}

func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }
