package store

import "errors"

// Errors the store returns. Callers test them with errors.Is.
var (
	// ErrNotFound is returned when a looked-up row does not exist
	// (sql.ErrNoRows is never returned to callers).
	ErrNotFound = errors.New("not found")
	// ErrBadRecord is returned by Append for a record it refuses to log
	// (no type, data that is not JSON); nothing of that Append is written.
	ErrBadRecord = errors.New("bad record")
	// ErrAlreadyHandled is returned by Append for a message.handled record
	// of a message that was handled before; nothing of that Append is
	// written.
	ErrAlreadyHandled = errors.New("message already handled")
)
