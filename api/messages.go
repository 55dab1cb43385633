package api

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/routing"
	"switchboard/store"
)

// Messages (留言) a caller left for an agent, an extension or a group.
//
// Access: a message is its target's (the agent, or the agents of the target
// group), their team lead's and the supervisors' (messageScope); playing
// a recording is audited.

// MessageStore is what the message routes need from the store: the
// messages table and the journal, where marking a message handled is a
// message.handled record. The Reader given to New provides it when it has
// these methods (*store.Store does).
type MessageStore interface {
	Messages(ctx context.Context, f store.MessageFilter) ([]store.Message, error)
	Message(ctx context.Context, id string) (store.Message, error)
	Append(ctx context.Context, recs ...*routing.Record) error
}

var _ MessageStore = (*store.Store)(nil)

// CodeAlreadyHandled: POST .../handled on a message handled before.
const CodeAlreadyHandled = "already_handled"

func (s *Server) messageRoutes() []route {
	return []route{
		{http.MethodGet, "/api/v1/messages", s.listMessages, floor},
		{http.MethodGet, "/api/v1/messages/:id", s.getMessage, floor},
		{http.MethodPost, "/api/v1/messages/:id/handled", s.markMessageHandled, floor},
		{http.MethodGet, "/api/v1/messages/:id/recording", s.getMessageRecording, floor},
	}
}

// messageList is the body of GET /api/v1/messages.
type messageList struct {
	Messages []store.Message `json:"messages"`
}

func (s *Server) listMessages(c echo.Context) error {
	q := newQuery(c.QueryParams(), "target", "handled", "limit")
	f := store.MessageFilter{Target: q.str("target"), Handled: q.boolPtr("handled"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	if s.opt.messages == nil {
		return errNoMessages()
	}
	ms := s.opt.messages
	ctx := c.Request().Context()
	list, err := ms.Messages(ctx, f)
	if err != nil {
		return err
	}
	mine := []store.Message{}
	for _, m := range list {
		ok, err := s.scope.messageInScope(ctx, principalOf(c), m)
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

func (s *Server) getMessage(c echo.Context) error {
	if s.opt.messages == nil {
		return errNoMessages()
	}
	ms := s.opt.messages
	m, err := ms.Message(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.scope.messageScope(c, m); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// handledRequest is the body of POST /api/v1/messages/{id}/handled.
type handledRequest struct {
	By   string `json:"by"`
	Note string `json:"note"`
}

// maxNote bounds a handling note.
const maxNote = 2000

// markMessageHandled appends message.handled. The store checks, in the
// same transaction as the write, that the message exists and was not
// handled before, so two clients marking it at once get one 200 and one
// 409.
func (s *Server) markMessageHandled(c echo.Context) error {
	var req handledRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	req.By = strings.TrimSpace(req.By)
	if p := principalOf(c); req.By == "" {
		req.By = p.AgentID
		if req.By == "" {
			req.By = p.Username
		}
	}
	switch {
	case req.By == "":
		return badRequest("by", "is required: who dealt with the message")
	case len(req.Note) > maxNote:
		return badRequest("note", "must be at most %d bytes", maxNote)
	}
	if s.opt.messages == nil {
		return errNoMessages()
	}
	ms := s.opt.messages
	ctx := c.Request().Context()
	id := c.Param("id")
	m, err := ms.Message(ctx, id)
	if err != nil {
		return err
	}
	if err := s.scope.messageScope(c, m); err != nil {
		return err
	}
	if m.HandledAt != nil {
		return alreadyHandled(m)
	}
	data, err := json.Marshal(routing.MessageHandledData{Recording: id, By: req.By, Note: req.Note})
	if err != nil {
		return err
	}
	rec := &routing.Record{Time: s.now(), Type: routing.EvMessageHandled, CallID: m.CallID, Data: data}
	if err := ms.Append(ctx, rec); err != nil {
		if errors.Is(err, store.ErrAlreadyHandled) {
			if m, err := ms.Message(ctx, id); err == nil {
				return alreadyHandled(m)
			}
			return &Error{Status: http.StatusConflict, Code: CodeAlreadyHandled, Message: "the message was handled already"}
		}
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
func (s *Server) getMessageRecording(c echo.Context) error {
	if s.opt.messages == nil {
		return errNoMessages()
	}
	ms := s.opt.messages
	ctx := c.Request().Context()
	m, err := ms.Message(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.scope.messageScope(c, m); err != nil {
		return err
	}
	if s.cfg.Recordings == nil {
		return errNoRecordings()
	}
	if err := s.aud.record(c, "recording.play", "message:"+m.ID, true, nil); err != nil {
		return err
	}
	body, err := s.cfg.Recordings.FetchRecording(ctx, m.ID)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "the PBX has no recording " + m.ID}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case err != nil:
		s.log.Error("recording not fetched", "message", m.ID, "err", err)
		return &Error{Status: http.StatusBadGateway, Code: "pbx_error", Message: "the PBX did not hand out the recording"}
	}
	defer body.Close()
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": m.ID + ".wav"}))
	return c.Stream(http.StatusOK, "audio/wav", body)
}

// now is the time of a record the API appends: UTC, no monotonic reading,
// as the log stores it.
func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC().Round(0)
	}
	return time.Now().UTC().Round(0)
}
