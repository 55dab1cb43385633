package esl

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels; match with errors.Is.
var (
	// ErrRunning is returned by Run when another Run of the same Driver is going.
	ErrRunning = errors.New("esl: driver already running")
	// ErrAuth: FreeSWITCH refused the password (auth → "-ERR invalid").
	ErrAuth = errors.New("esl: authentication failed")
	// ErrClosed: the connection is closed (by us, or FreeSWITCH dropped it).
	ErrClosed = errors.New("esl: connection closed")
	// ErrNoSuchChannel: the command named a channel FreeSWITCH does not have
	// (any of its several wordings: "-ERR No such channel!", "-ERR invalid
	// uuid", "-ERR Cannot locate session!", "-ERR invalid session id [...]",
	// uuid_answer's bare "-ERROR").
	ErrNoSuchChannel = errors.New("esl: no such channel")
	// ErrHeartbeat: the link was silent for longer than the heartbeat allows.
	ErrHeartbeat = errors.New("esl: heartbeat timeout")
)

// FrameError is a message that is not valid Event Socket framing (garbage,
// a bad or oversized Content-Length, an event without Event-Name).
type FrameError struct {
	Reason string
}

func (e *FrameError) Error() string { return "esl: malformed message: " + e.Reason }

// ReplyError is a "-ERR …" answer to a command: Command is what we sent
// (first line), Reply what FreeSWITCH said.
type ReplyError struct {
	Command string
	Reply   string
}

func (e *ReplyError) Error() string {
	return fmt.Sprintf("esl: %s: %s", e.Command, e.Reply)
}

// Is reports ErrNoSuchChannel for FreeSWITCH's unknown-UUID wordings.
func (e *ReplyError) Is(target error) bool {
	return target == ErrNoSuchChannel && noSuchChannel(e.Reply)
}

// noSuchChannel recognises the replies the captures show for a bogus UUID
// (fixtures error_unknown_uuid).
func noSuchChannel(reply string) bool {
	r := strings.ToLower(strings.TrimSpace(reply))
	switch {
	case r == "-error": // uuid_answer
		return true
	case strings.Contains(r, "no such channel"),
		strings.Contains(r, "invalid uuid"),
		strings.Contains(r, "cannot locate session"),
		strings.Contains(r, "invalid session id"):
		return true
	}
	return false
}

// LinkError says why a connection ended: FreeSWITCH closed it (with or
// without a disconnect notice), a read failed, or the heartbeat expired.
type LinkError struct {
	Op  string // "read", "write", "dial", "heartbeat"
	Err error
}

func (e *LinkError) Error() string { return "esl: " + e.Op + ": " + e.Err.Error() }
func (e *LinkError) Unwrap() []error {
	return []error{ErrClosed, e.Err}
}

// replyError returns a *ReplyError for a "-ERR"/"-ERROR" reply, or nil.
func replyError(command, reply string) error {
	if strings.HasPrefix(strings.TrimSpace(reply), "-") {
		return &ReplyError{Command: command, Reply: strings.TrimSpace(reply)}
	}
	return nil
}
