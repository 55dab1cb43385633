package api

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/routing"
	"switchboard/routing/pbx"
	"switchboard/store"
)

// Messages (留言) a caller left for an agent, an extension or a group.
//
// Access: a message is its target's (the agent, or the agents of the target
// group), their team lead's and the supervisors' (messageScope); playing
// a recording is audited.

// MessageStore is what the message routes read from the store: the
// messages table. The Reader given to New provides it when it has these
// methods (*store.Store does).
type MessageStore interface {
	Messages(ctx context.Context, f store.MessageFilter) ([]store.Message, error)
	Message(ctx context.Context, id string) (store.Message, error)
}

var _ MessageStore = (*store.Store)(nil)

// MessageMarker marks a message handled: the engine writes message.handled,
// so the record reaches the log and the live feed like every other state
// change. The AgentService given to New provides it when it has this
// method (*routing.Engine does).
type MessageMarker interface {
	MarkMessageHandled(ctx context.Context, r routing.MessageHandledRequest) error
}

var _ MessageMarker = (*routing.Engine)(nil)

// CodeAlreadyHandled: POST .../handled on a message handled before.
const CodeAlreadyHandled = "already_handled"

// messageHandlers serves the message routes; msgs is nil on a server that
// keeps no messages (501), recordings nil when the PBX driver hands out
// none (501 on playback).
type messageHandlers struct {
	msgs       MessageStore
	marker     MessageMarker // nil: POST .../handled answers 501
	recordings pbx.RecordingFetcher
	scope      scoper
	aud        auditor
	log        *slog.Logger
}

func (s *Server) messageRoutes() []route {
	h := messageHandlers{msgs: s.opt.messages, marker: s.opt.marker, recordings: s.cfg.Recordings, scope: s.scope, aud: s.aud, log: s.log}
	return []route{
		{http.MethodGet, "/api/v1/messages", h.listMessages, floor},
		{http.MethodGet, "/api/v1/messages/:id", h.getMessage, floor},
		{http.MethodPost, "/api/v1/messages/:id/handled", h.markMessageHandled, floor},
		{http.MethodGet, "/api/v1/messages/:id/recording", h.getMessageRecording, floor},
	}
}

// messageList is the body of GET /api/v1/messages.
type messageList struct {
	Messages []store.Message `json:"messages"`
}

func (h messageHandlers) listMessages(c echo.Context) error {
	q := newQuery(c.QueryParams(), "target", "handled", "limit")
	f := store.MessageFilter{Target: q.str("target"), Handled: q.boolPtr("handled"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	if h.msgs == nil {
		return errNoMessages()
	}
	ms := h.msgs
	ctx := c.Request().Context()
	list, err := ms.Messages(ctx, f)
	if err != nil {
		return err
	}
	mine := []store.Message{}
	for _, m := range list {
		ok, err := h.scope.messageInScope(ctx, principalOf(c), m)
		if err != nil {
			return err
		}
		if ok {
			mine = append(mine, m)
		}
	}
	list = mine
	return c.JSON(http.StatusOK, messageList{Messages: list})
}

func (h messageHandlers) getMessage(c echo.Context) error {
	if h.msgs == nil {
		return errNoMessages()
	}
	ms := h.msgs
	m, err := ms.Message(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.scope.messageScope(c, m); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// handledRequest is the body of POST /api/v1/messages/{id}/handled.
type handledRequest struct {
	// By may be left out: it is the session's agent or user name, and
	// refused if it names anyone else.
	By   string `json:"by"`
	Note string `json:"note"`
}

// maxNote bounds a handling note.
const maxNote = 2000

// markMessageHandled has the engine write message.handled. The store says
// whether the message exists and was handled before; the engine, which
// writes the record, refuses a second marking the store may not show yet,
// so two clients marking it at once get one 200 and one 409.
func (h messageHandlers) markMessageHandled(c echo.Context) error {
	var req handledRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	// Who handled it is the session's: its agent or its user (or token)
	// name. A "by" naming anyone else is refused, not believed.
	p := principalOf(c)
	own := p.AgentID
	if own == "" {
		own = p.Username
	}
	switch by := strings.TrimSpace(req.By); {
	case by == "":
		req.By = own
	case by == p.Username || (p.AgentID != "" && by == p.AgentID):
		req.By = by
	default:
		return badRequest("by", "must be you (%s): who handled a message is taken from your session", own)
	}
	switch {
	case req.By == "":
		return badRequest("by", "is required: who dealt with the message")
	case len(req.Note) > maxNote:
		return badRequest("note", "must be at most %d bytes", maxNote)
	}
	if h.msgs == nil {
		return errNoMessages()
	}
	if h.marker == nil {
		return errNoMarker()
	}
	ms := h.msgs
	ctx := c.Request().Context()
	id := c.Param("id")
	m, err := ms.Message(ctx, id)
	if err != nil {
		return err
	}
	if err := h.scope.messageScope(c, m); err != nil {
		return err
	}
	if m.HandledAt != nil {
		return alreadyHandled(m)
	}
	err = h.marker.MarkMessageHandled(ctx, routing.MessageHandledRequest{Message: id, Call: m.CallID, By: req.By, Note: req.Note})
	if errors.Is(err, routing.ErrMessageHandled) {
		if m, err := ms.Message(ctx, id); err == nil {
			return alreadyHandled(m) // names who, once the store holds it
		}
		return alreadyHandled(store.Message{})
	}
	if err != nil {
		return err
	}
	if m, err = ms.Message(ctx, id); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func alreadyHandled(m store.Message) *Error {
	msg := "the message was handled already"
	if m.HandledAt != nil {
		msg = "the message was handled by " + m.HandledBy + " at " + m.HandledAt.UTC().Format(time.RFC3339)
	}
	return &Error{Status: http.StatusConflict, Code: CodeAlreadyHandled, Message: msg}
}

// getMessageRecording streams the message's audio from the PBX.
func (h messageHandlers) getMessageRecording(c echo.Context) error {
	if h.msgs == nil {
		return errNoMessages()
	}
	ms := h.msgs
	ctx := c.Request().Context()
	m, err := ms.Message(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.scope.messageScope(c, m); err != nil {
		return err
	}
	if h.recordings == nil {
		return errNoRecordings()
	}
	if err := h.aud.record(c, "recording.play", "message:"+m.ID, true, nil); err != nil {
		return err
	}
	body, err := h.recordings.FetchRecording(ctx, m.ID)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "the PBX has no recording " + m.ID}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case err != nil:
		h.log.Error("recording not fetched", "message", m.ID, "err", err)
		return &Error{Status: http.StatusBadGateway, Code: "pbx_error", Message: "the PBX did not hand out the recording"}
	}
	defer body.Close()
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": m.ID + ".wav"}))
	return c.Stream(http.StatusOK, "audio/wav", body)
}
