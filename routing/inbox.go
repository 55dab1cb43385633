package routing

import (
	"context"
	"errors"
	"time"
)

// ErrMessageHandled is a second marking of a message as handled.
var ErrMessageHandled = errors.New("message already handled")

// MessageHandledRequest marks a caller's message (by its recording name)
// handled: who dealt with it and a note. Call is the message's call, so
// the record lands on it.
type MessageHandledRequest struct {
	Message string
	Call    string
	By      string
	Note    string
}

// messageCommand is a MessageHandledRequest in the engine loop.
type messageCommand struct {
	Recording string `json:"recording"`
	Call      string `json:"call,omitempty"`
	By        string `json:"by"`
	Note      string `json:"note,omitempty"`
}

// inbox writes message.handled for the API. Whether a message exists and
// was handled before this run is the store's to say (the API asks it
// first); the inbox remembers what it marked in this run, which the store
// may not hold yet while the engine's batch is being written, so two
// clients at once get one message.handled and one ErrMessageHandled.
type inbox struct {
	*effects
	handled map[string]time.Time // recording → when marked, this run
}

// handledKeep bounds the inbox's memory: past it, markings older than a
// day are forgotten (the store has long held them by then).
const handledKeep = 100_000

func (ib *inbox) markHandled(cmd messageCommand) error {
	switch {
	case cmd.Recording == "":
		return &FieldError{Field: "message", Reason: "required"}
	case cmd.By == "":
		return &FieldError{Field: "by", Reason: "required: who dealt with the message"}
	}
	if _, ok := ib.handled[cmd.Recording]; ok {
		return ErrMessageHandled
	}
	ib.record(&Record{Type: EvMessageHandled, CallID: cmd.Call},
		MessageHandledData{Recording: cmd.Recording, By: cmd.By, Note: cmd.Note})
	if len(ib.handled) >= handledKeep {
		for id, at := range ib.handled {
			if ib.now.Sub(at) > 24*time.Hour {
				delete(ib.handled, id)
			}
		}
	}
	ib.handled[cmd.Recording] = ib.now
	return nil
}

// MarkMessageHandled writes message.handled through the engine, so the
// record reaches the log and the live feed like every other state change.
// The caller has checked in the store that the message exists and is not
// handled. Errors: *FieldError (message, by), ErrMessageHandled.
func (e *Engine) MarkMessageHandled(ctx context.Context, r MessageHandledRequest) error {
	_, err := e.doInput(ctx, messageCommand{Recording: r.Message, Call: r.Call, By: r.By, Note: r.Note})
	return err
}
