package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
)

// Callbacks (outbound work items): the list, and the desk's answer to a
// preview: accept (the dial starts) or skip with a reason.

// CallbackService is what the callbacks routes need from the routing
// engine (*routing.Engine); found on the AgentService given to New.
type CallbackService interface {
	WorkItems(ctx context.Context, scope routing.Scope) ([]routing.WorkItemView, error)
	AcceptWork(ctx context.Context, r routing.WorkRequest) (routing.WorkItemView, error)
	SkipWork(ctx context.Context, r routing.WorkRequest) (routing.WorkItemView, error)
}

var _ CallbackService = (*routing.Engine)(nil)

var errNoCallbacks = missing(http.StatusNotImplemented, "not_configured", "this server keeps no callbacks")

// callbackViewers: those who run calls, and quality inspectors.
var callbackViewers = allow(auth.Agent, auth.TeamLead, auth.Supervisor, auth.Quality)

type callbackHandlers struct {
	svc CallbackService
	aud auditor
	log *slog.Logger
}

func (s *Server) callbackRoutes() []route {
	h := callbackHandlers{svc: s.opt.callbacks, aud: s.aud, log: s.log}
	return requires(h.svc != nil, errNoCallbacks,
		route{http.MethodGet, "/api/v1/callbacks", h.list, callbackViewers},
		route{http.MethodPost, "/api/v1/desk/callbacks/:id/accept", h.accept, floor},
		route{http.MethodPost, "/api/v1/desk/callbacks/:id/skip", h.skip, floor},
	)
}

// listScope narrows the list: an agent sees their queues' callbacks, a
// team lead their team's queues', supervisors and quality all.
func listScope(p auth.Principal) (routing.Scope, bool) {
	switch p.Role {
	case auth.Supervisor, auth.Quality:
		return routing.Scope{}, true
	case auth.TeamLead:
		if p.Team != "" {
			return routing.Scope{Team: p.Team}, true
		}
	}
	if p.AgentID == "" {
		return routing.Scope{}, false
	}
	return routing.Scope{Agent: p.AgentID}, true
}

func (h callbackHandlers) list(c echo.Context) error {
	scope, ok := listScope(principalOf(c))
	if !ok {
		return c.JSON(http.StatusOK, []routing.WorkItemView{})
	}
	v, err := h.svc.WorkItems(c.Request().Context(), scope)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// callbackAnswer is the body of accept (optional) and skip.
type callbackAnswer struct {
	// Agent: whose preview; default the caller's own.
	Agent string `json:"agent,omitempty"`
	// Reason: why the agent skips it (skip only, required).
	Reason string `json:"reason,omitempty"`
}

// callbackAudit is the audit entry's detail.
type callbackAudit struct {
	Item   string `json:"item"`
	Agent  string `json:"agent"`
	Reason string `json:"reason,omitempty"`
	Call   string `json:"call,omitempty"`
	Error  string `json:"error,omitempty"`
}

func (h callbackHandlers) accept(c echo.Context) error { return h.answer(c, "accept", false) }
func (h callbackHandlers) skip(c echo.Context) error   { return h.answer(c, "skip", true) }

func (h callbackHandlers) answer(c echo.Context, op string, needBody bool) error {
	var req callbackAnswer
	if err := decodeBody(c, &req, needBody); err != nil {
		return err
	}
	id := c.Param("id")
	switch {
	case len(id) > maxTargetLen:
		return badRequest("id", "is longer than %d bytes", maxTargetLen)
	case len(req.Agent) > maxTargetLen:
		return badRequest("agent", "is longer than %d bytes", maxTargetLen)
	case len(req.Reason) > maxReasonLen:
		return badRequest("reason", "is longer than %d bytes", maxReasonLen)
	case op == "skip" && req.Reason == "":
		return badRequest("reason", "is required: why is the callback skipped")
	case op == "accept" && req.Reason != "":
		return badRequest("reason", "is for skip only")
	}
	p := principalOf(c)
	agent, scope, err := actingAgent(p, req.Agent)
	if err != nil {
		return err
	}
	req.Agent = agent
	r := routing.WorkRequest{Item: id, Agent: req.Agent, Reason: req.Reason, By: p.Username, Role: string(p.Role), Scope: scope}
	var v routing.WorkItemView
	if op == "accept" {
		v, err = h.svc.AcceptWork(c.Request().Context(), r)
	} else {
		v, err = h.svc.SkipWork(c.Request().Context(), r)
	}
	d := callbackAudit{Item: id, Agent: req.Agent, Reason: req.Reason, Call: v.Call}
	if err != nil {
		err = callbackError(err)
		d.Error = httpError(err).Message
	}
	if aerr := h.aud.record(c, "desk.callback."+op, req.Agent, err == nil, d); aerr != nil {
		h.log.Warn("audit of a callback answer not written", "item", id, "err", aerr)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// callbackError: an unknown item is 404; the rest as the desk's.
func callbackError(err error) error {
	if errors.Is(err, routing.ErrNoSuchItem) {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no such callback"}
	}
	return deskError(err)
}
