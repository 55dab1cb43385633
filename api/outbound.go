package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
)

// Outbound calls from the desk (click-to-dial) and the trunks' health.

// OutboundService is what click-to-dial and the trunks page need from the
// routing engine (*routing.Engine); found on the AgentService given to New.
type OutboundService interface {
	Dial(ctx context.Context, r routing.DialRequest) (routing.DeskCall, error)
	Trunks(ctx context.Context) (routing.TrunksView, error)
}

var _ OutboundService = (*routing.Engine)(nil)

var errNoOutbound = missing(http.StatusNotImplemented, "not_configured", "this server places no outbound calls")

// trunkViewers: supervisors and admins see every trunk, team leads too
// (their agents' calls go out through them).
var trunkViewers = allow(auth.TeamLead, auth.Supervisor, auth.Admin)

type outboundHandlers struct {
	svc OutboundService
	aud auditor
	log *slog.Logger
	now func() time.Time
}

func (s *Server) outboundRoutes() []route {
	h := outboundHandlers{svc: s.opt.outbound, aud: s.aud, log: s.log, now: s.now}
	return requires(h.svc != nil, errNoOutbound,
		route{http.MethodPost, "/api/v1/desk/dial", h.dial, floor},
		route{http.MethodGet, "/api/v1/trunks", h.trunks, trunkViewers},
	)
}

// dialRequest is the body of POST /api/v1/desk/dial.
type dialRequest struct {
	Number     string `json:"number"`
	CustomerID int64  `json:"customer_id,omitempty"`
	// Agent: whose phone rings first; agents dial for themselves, a lead
	// or supervisor may name an agent (default their own).
	Agent string `json:"agent,omitempty"`
}

// dialAudit is the audit entry's detail of a dial.
type dialAudit struct {
	Agent    string `json:"agent"`
	Number   string `json:"number"`
	Customer int64  `json:"customer_id,omitempty"`
	Call     string `json:"call,omitempty"`
	Error    string `json:"error,omitempty"`
	Code     string `json:"code,omitempty"`
}

func (h outboundHandlers) dial(c echo.Context) error {
	var req dialRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	switch {
	case len(req.Number) > maxTargetLen:
		return badRequest("number", "is longer than %d bytes", maxTargetLen)
	case len(req.Agent) > maxTargetLen:
		return badRequest("agent", "is longer than %d bytes", maxTargetLen)
	case req.CustomerID < 0:
		return badRequest("customer_id", "must be a positive customer ID")
	}
	p := principalOf(c)
	agent, scope, err := actingAgent(p, req.Agent)
	if err != nil {
		return err
	}
	req.Agent = agent
	d := dialAudit{Agent: req.Agent, Number: req.Number, Customer: req.CustomerID}
	v, err := h.svc.Dial(c.Request().Context(), routing.DialRequest{
		Agent: req.Agent, Number: req.Number, Purpose: routing.PurposeManual, Customer: req.CustomerID,
		By: p.Username, Role: string(p.Role), Scope: scope,
	})
	if err != nil {
		err = dialError(err)
		he := httpError(err)
		d.Error, d.Code = he.Message, he.Code
		if aerr := h.aud.record(c, "desk.dial", req.Agent, false, d); aerr != nil {
			h.log.Warn("audit of a refused dial not written", "agent", req.Agent, "err", aerr)
		}
		return err
	}
	d.Call = v.ID
	if aerr := h.aud.record(c, "desk.dial", req.Agent, true, d); aerr != nil {
		h.log.Warn("audit of a dial not written", "agent", req.Agent, "call", v.ID, "err", aerr)
	}
	return c.JSON(http.StatusAccepted, v)
}

// dialError gives the engine's refusals of a dial their status: the
// number's rules 403, the agent's or the hours' 409, the trunks' 503.
func dialError(err error) error {
	var pe *routing.PolicyError
	if !errors.As(err, &pe) {
		return deskError(err)
	}
	status := http.StatusConflict
	switch pe.Code {
	case routing.RefuseDoNotCall, routing.RefuseRestricted:
		status = http.StatusForbidden
	case routing.RefuseNoGroup, routing.RefuseTrunksDown, routing.RefuseGroupFull:
		status = http.StatusServiceUnavailable
	}
	return &Error{Status: status, Code: pe.Code, Message: pe.Message}
}

func (h outboundHandlers) trunks(c echo.Context) error {
	v, err := h.svc.Trunks(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// actingAgent is the agent a desk request acts for (the body's, else the
// caller's own) and the scope the caller has over them.
func actingAgent(p auth.Principal, agent string) (string, routing.Scope, error) {
	if agent == "" {
		agent = p.AgentID
	}
	if agent == "" {
		return "", routing.Scope{}, badRequest("agent", "is required: this account is no agent")
	}
	scope, err := deskScope(p, agent)
	return agent, scope, err
}
