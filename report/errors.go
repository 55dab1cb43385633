package report

import "errors"

// FieldError is a bad request naming the parameter at fault (report,
// group, period, from, to, format); the API answers it with 400.
type FieldError struct {
	Field   string
	Message string
	Err     error // ErrNotAvailable for groupings without data yet
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func (e *FieldError) Unwrap() error { return e.Err }

// ErrNotAvailable marks a grouping whose data the engine does not produce
// yet (teams, trunks, dispositions); it comes wrapped in a FieldError.
var ErrNotAvailable = errors.New("not available yet")
