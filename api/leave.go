package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/workforce"
)

// Leave requests (请假): an agent files their own from the schedule page;
// a team lead approves or refuses their team's within leave.lead_days a
// month, a supervisor anyone's within leave.supervisor_days; the agent
// may withdraw a pending one. Every request and decision is a record
// (through the workforce service) and audited.

// LeaveService is what the leave routes need (*workforce.Service).
type LeaveService interface {
	RequestLeave(ctx context.Context, agent, from, to, reason, by string) (workforce.Leave, error)
	DecideLeave(ctx context.Context, id string, decision workforce.LeaveState, by, role, note string) (workforce.Leave, error)
	Leave(id string) (workforce.Leave, error)
	Leaves(agent, team string) []workforce.Leave
}

var _ LeaveService = (*workforce.Service)(nil)

// CodeLimit: approving would pass the approver's limit (409, the rule in
// field).
const CodeLimit = "limit_exceeded"

type leaveHandlers struct {
	svc    LeaveService
	agents agentReader
	aud    auditor
}

func leaveRoutes(s *Server) []route {
	var svc LeaveService
	if s.cfg.Workforce != nil {
		svc, _ = s.cfg.Workforce.(LeaveService)
	}
	h := leaveHandlers{svc: svc, agents: s.agents, aud: s.aud}
	return requires(h.svc != nil, errNoWorkforce,
		route{http.MethodGet, "/api/v1/leave", h.list, floor},
		route{http.MethodPost, "/api/v1/leave", h.request, floor},
		route{http.MethodPost, "/api/v1/leave/:id/decision", h.decide, floor},
	)
}

func (h leaveHandlers) list(c echo.Context) error {
	q := newQuery(c.QueryParams(), "state")
	if q.err != nil {
		return q.err
	}
	st := workforce.LeaveState(q.str("state"))
	switch st {
	case "", workforce.LeavePending, workforce.LeaveApproved, workforce.LeaveRefused, workforce.LeaveWithdrawn:
	default:
		return badRequest("state", "must be pending, approved, refused or withdrawn")
	}
	p := principalOf(c)
	var ls []workforce.Leave
	switch p.Role {
	case auth.Agent:
		ls = h.svc.Leaves(p.AgentID, "")
	case auth.TeamLead:
		ls = h.svc.Leaves("", p.Team)
	default:
		ls = h.svc.Leaves("", "")
	}
	out := []workforce.Leave{}
	for _, l := range ls {
		if st == "" || l.State == st {
			out = append(out, l)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"leave": out})
}

// leaveRequest is the body of POST /api/v1/leave.
type leaveRequest struct {
	Agent  string `json:"agent,omitempty"` // default the caller's own
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason,omitempty"`
}

func (h leaveHandlers) request(c echo.Context) error {
	var req leaveRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	p := principalOf(c)
	if req.Agent == "" {
		req.Agent = p.AgentID
	}
	switch {
	case req.Agent == "" || len(req.Agent) > maxTargetLen:
		return badRequest("agent", "required (1-%d bytes)", maxTargetLen)
	case len(req.From) > 10:
		return badRequest("from", "must be YYYY-MM-DD")
	case len(req.To) > 10:
		return badRequest("to", "must be YYYY-MM-DD")
	case len(req.Reason) > maxNotes:
		return badRequest("reason", "is longer than %d bytes", maxNotes)
	}
	if err := h.inScope(c, p, req.Agent); err != nil {
		return err
	}
	l, err := h.svc.RequestLeave(c.Request().Context(), req.Agent, req.From, req.To, req.Reason, actor(p))
	if err != nil {
		h.aud.refused(c, "leave.request", req.Agent, err, map[string]string{"from": req.From, "to": req.To, "error": err.Error()})
		return workforceError(err)
	}
	if err := h.aud.record(c, "leave.request", l.ID, true, l.LeaveData); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, l)
}

// inScope: an agent acts on themself, a lead on their team's agents.
func (h leaveHandlers) inScope(c echo.Context, p auth.Principal, agent string) error {
	switch p.Role {
	case auth.Agent:
		if agent != p.AgentID {
			return forbidden("an agent acts on their own leave")
		}
	case auth.TeamLead:
		peers, err := scoper{agents: h.agents}.teamAgents(c.Request().Context(), p.Team)
		if err != nil {
			return err
		}
		if !containsStr(peers, agent) && agent != p.AgentID {
			return forbidden("a team lead acts on their own team's leave")
		}
	}
	return nil
}

// leaveDecision is the body of POST /api/v1/leave/{id}/decision.
type leaveDecision struct {
	Decision string `json:"decision"` // approve | refuse | withdraw
	Note     string `json:"note,omitempty"`
}

func (h leaveHandlers) decide(c echo.Context) error {
	var req leaveDecision
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	id := c.Param("id")
	if len(id) > maxTargetLen {
		return badRequest("id", "is longer than %d bytes", maxTargetLen)
	}
	if len(req.Note) > maxNotes {
		return badRequest("note", "is longer than %d bytes", maxNotes)
	}
	var d workforce.LeaveState
	switch req.Decision {
	case "approve":
		d = workforce.LeaveApproved
	case "refuse":
		d = workforce.LeaveRefused
	case "withdraw":
		d = workforce.LeaveWithdrawn
	default:
		return badRequest("decision", "must be approve, refuse or withdraw")
	}
	p := principalOf(c)
	l, err := h.svc.Leave(id)
	if err == nil {
		err = h.inScope(c, p, l.Agent)
	}
	if err != nil {
		return workforceError(err)
	}
	switch {
	case d == workforce.LeaveWithdrawn && l.Agent != p.AgentID:
		return forbidden("only the agent withdraws their request")
	case d != workforce.LeaveWithdrawn && p.Role == auth.Agent:
		return forbidden("team leads and supervisors decide leave")
	case d != workforce.LeaveWithdrawn && l.Agent == p.AgentID:
		return forbidden("nobody approves their own leave")
	}
	out, err := h.svc.DecideLeave(c.Request().Context(), id, d, actor(p), string(p.Role), req.Note)
	detail := map[string]string{"decision": req.Decision, "agent": l.Agent}
	if err != nil {
		detail["error"] = err.Error()
		h.aud.refused(c, "leave.decide", id, err, detail)
		return workforceError(err)
	}
	if err := h.aud.record(c, "leave.decide", id, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// leaveError maps leave's own errors; workforceError the rest.
func leaveError(err error) error {
	var le *workforce.LimitError
	var se *workforce.LeaveStateError
	var re *workforce.RuleError
	var ae *workforce.AckedError
	switch {
	case errors.As(err, &ae):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Message: ae.Error()}
	case errors.As(err, &re):
		return &Error{Status: http.StatusConflict, Code: CodeRule, Field: re.Rule, Message: re.Error()}
	case errors.Is(err, workforce.ErrNoSwap), errors.Is(err, workforce.ErrNoHandover):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	case errors.As(err, &le):
		return &Error{Status: http.StatusConflict, Code: CodeLimit, Field: le.Rule, Message: le.Error()}
	case errors.As(err, &se):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Field: "decision", Message: se.Error()}
	case errors.Is(err, workforce.ErrNoLeave):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	}
	return nil
}
