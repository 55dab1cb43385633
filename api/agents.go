package api

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
)

// Agents: everyone on the floor sees and acts on the agents in their
// scope (agentScope: agents themselves, team leads their team,
// supervisors all). An action on someone else's agent is a forced one:
// it needs a reason where the state needs one, and is audited (before
// and after) before it happens, as are approvals and refusals.

// agentHandlers serves the agent routes: they act through the engine.
type agentHandlers struct {
	agents agentCommands
	aud    auditor
	log    *slog.Logger
	teams  teamDirectory // why a lead sees nobody
}

// agentCommands is what the agent routes read and change in the engine
// (*routing.Engine).
type agentCommands interface {
	Agents(ctx context.Context) ([]routing.AgentView, error)
	Agent(ctx context.Context, id string) (routing.AgentView, error)
	// SignIn signs an agent in at endpoint ("" for the agent's default).
	SignIn(ctx context.Context, id, endpoint string) (routing.AgentView, error)
	// SignOut signs an agent out; a sign-out by someone else names by and
	// reason, which go on the record and the agent's view (the desk says
	// who and why); the agent's own passes "".
	SignOut(ctx context.Context, id, by, reason string) (routing.AgentView, error)
	SetReady(ctx context.Context, id string) (routing.AgentView, error)
	SetNotReady(ctx context.Context, id, reason string) (routing.AgentView, error)
	// Approve and Refuse settle a pending not-ready request (team lead).
	Approve(ctx context.Context, id string) (routing.AgentView, error)
	Refuse(ctx context.Context, id string) (routing.AgentView, error)
	// Withdraw takes back the agent's own pending not-ready request.
	Withdraw(ctx context.Context, id string) (routing.AgentView, error)
}

var _ agentCommands = (*routing.Engine)(nil)

func (h agentHandlers) routes() []route {
	return []route{
		{http.MethodGet, "/api/v1/agents", h.listAgents, floor},
		{http.MethodGet, "/api/v1/agents/:id", h.getAgent, floor},
		{http.MethodPost, "/api/v1/agents/:id/sign-in", h.signIn, floor},
		{http.MethodPost, "/api/v1/agents/:id/sign-out", h.signOut, floor},
		{http.MethodPut, "/api/v1/agents/:id/state", h.putAgentState, floor},
		{http.MethodPost, "/api/v1/agents/:id/approve", h.approve, leads},
		{http.MethodPost, "/api/v1/agents/:id/refuse", h.refuse, leads},
		{http.MethodPost, "/api/v1/agents/:id/withdraw", h.withdraw, floor},
	}
}

// agentList is the body of GET /api/v1/agents.
type agentList struct {
	Agents []routing.AgentView `json:"agents"`
	// Notice says why a team lead sees none of their team (teams.go).
	Notice *notice `json:"notice,omitempty"`
}

func (h agentHandlers) listAgents(c echo.Context) error {
	as, err := h.agents.Agents(c.Request().Context())
	if err != nil {
		return err
	}
	p := principalOf(c)
	out := make([]routing.AgentView, 0, len(as))
	for _, a := range as {
		if agentScope(p, a.ID, a.Team) == nil {
			out = append(out, a)
		}
	}
	d, _ := h.teams.of(as)
	return c.JSON(http.StatusOK, agentList{Agents: out, Notice: leadNotice(p, d)})
}

func (h agentHandlers) getAgent(c echo.Context) error {
	a, err := h.scopedAgent(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

// scopedAgent loads the agent of the route's :id and checks the caller may
// act on them, before anything else about the request is looked at. An agent asking about someone else is refused before the
// lookup, so they cannot probe which IDs exist.
func (h agentHandlers) scopedAgent(c echo.Context) (routing.AgentView, error) {
	p, id := principalOf(c), c.Param("id")
	if p.Role == auth.Agent && p.AgentID != id {
		return routing.AgentView{}, agentScope(p, id, "")
	}
	a, err := h.agents.Agent(c.Request().Context(), id)
	if err != nil {
		return routing.AgentView{}, unknownAgent(p, id, err)
	}
	if err := agentScope(p, a.ID, a.Team); err != nil {
		return routing.AgentView{}, err
	}
	return a, nil
}

// forced reports whether the caller acts on an agent other than their own.
func forced(c echo.Context) bool { return principalOf(c).AgentID != c.Param("id") }

// forceDetail is an audit entry's detail for an action on an agent.
type forceDetail struct {
	Agent  string `json:"agent"`
	Team   string `json:"team,omitempty"`
	Before string `json:"before"` // the state (and reason) before, e.g. "not_ready(break)"
	After  string `json:"after"`  // the state asked for
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"` // set on the entry of a refused action
}

func stateText(st routing.AgentState, reason string) string {
	if reason != "" {
		return st.String() + "(" + reason + ")"
	}
	return st.String()
}

// audited runs act on agent a as audited action: the entry is written
// first (nothing happens if it cannot be), and a refusal by the engine
// adds a failed entry.
func (h agentHandlers) audited(c echo.Context, action string, d forceDetail, act func() (routing.AgentView, error)) error {
	if err := h.aud.record(c, action, d.Agent, true, d); err != nil {
		return err
	}
	v, err := act()
	if err != nil {
		d.Error = httpError(err).Message
		if aerr := h.aud.record(c, action, d.Agent, false, d); aerr != nil {
			h.log.Warn("audit of a refused action not written", "action", action, "agent", d.Agent, "err", aerr)
		}
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// signInRequest is the (optional) body of POST .../sign-in.
type signInRequest struct {
	// Endpoint is where the agent's calls ring, "TECH/resource"
	// ("PJSIP/1001"); empty for the agent's configured default.
	Endpoint string `json:"endpoint"`
}

// endpointPattern is what a PBX endpoint looks like: a technology name, a
// slash and a resource with no spaces ("PJSIP/1001", "Local/1001@agents",
// "sofia/internal/1001").
var endpointPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*/[^\s/][^\s]*$`)

const maxEndpointLen = 256

func (h agentHandlers) signIn(c echo.Context) error {
	a, err := h.scopedAgent(c)
	if err != nil {
		return err
	}
	var req signInRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if req.Endpoint != "" && (len(req.Endpoint) > maxEndpointLen || !endpointPattern.MatchString(req.Endpoint)) {
		return badRequest("endpoint", "must look like TECH/resource, e.g. PJSIP/1001")
	}
	act := func() (routing.AgentView, error) {
		return h.agents.SignIn(c.Request().Context(), a.ID, req.Endpoint)
	}
	if !forced(c) {
		return respond(c, act)
	}
	return h.audited(c, "agent.force_state", forceDetail{Agent: a.ID, Team: a.Team,
		Before: stateText(a.State, a.Reason), After: routing.Ready.String()}, act)
}

// signOutRequest is the (optional) body of POST .../sign-out.
type signOutRequest struct {
	// Reason is required when signing someone else out.
	Reason string `json:"reason"`
}

func (h agentHandlers) signOut(c echo.Context) error {
	a, err := h.scopedAgent(c)
	if err != nil {
		return err
	}
	var req signOutRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if len(req.Reason) > maxReasonLen {
		return badRequest("reason", "is longer than %d bytes", maxReasonLen)
	}
	if !forced(c) {
		return respond(c, func() (routing.AgentView, error) { return h.agents.SignOut(c.Request().Context(), a.ID, "", "") })
	}
	if strings.TrimSpace(req.Reason) == "" {
		return badRequest("reason", "is required to sign someone else out")
	}
	by := principalOf(c).Username
	act := func() (routing.AgentView, error) {
		return h.agents.SignOut(c.Request().Context(), a.ID, by, req.Reason)
	}
	return h.audited(c, "agent.force_sign_out", forceDetail{Agent: a.ID, Team: a.Team,
		Before: stateText(a.State, a.Reason), After: routing.SignedOut.String(), Reason: req.Reason}, act)
}

// withdraw takes back a pending not-ready request (the agent's own, or
// for an agent in the caller's scope).
func (h agentHandlers) withdraw(c echo.Context) error {
	a, err := h.scopedAgent(c)
	if err != nil {
		return err
	}
	return respond(c, func() (routing.AgentView, error) { return h.agents.Withdraw(c.Request().Context(), a.ID) })
}

// stateRequest is the body of PUT .../state.
type stateRequest struct {
	State  string `json:"state"`  // "ready" or "not_ready"
	Reason string `json:"reason"` // required for not_ready
}

const maxReasonLen = 100

func (h agentHandlers) putAgentState(c echo.Context) error {
	a, err := h.scopedAgent(c)
	if err != nil {
		return err
	}
	var req stateRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var act func(id string) (routing.AgentView, error)
	switch req.State {
	case routing.Ready.String():
		act = func(id string) (routing.AgentView, error) { return h.agents.SetReady(ctx, id) }
	case routing.NotReady.String():
		switch {
		case req.Reason == "":
			return badRequest("reason", "is required for not_ready")
		case len(req.Reason) > maxReasonLen:
			return badRequest("reason", "is longer than %d bytes", maxReasonLen)
		}
		act = func(id string) (routing.AgentView, error) { return h.agents.SetNotReady(ctx, id, req.Reason) }
	case "":
		return badRequest("state", "is required: ready or not_ready")
	default:
		return badRequest("state", "must be ready or not_ready")
	}
	if len(req.Reason) > maxReasonLen {
		return badRequest("reason", "is longer than %d bytes", maxReasonLen)
	}
	run := func() (routing.AgentView, error) { return act(a.ID) }
	if !forced(c) {
		return respond(c, run)
	}
	return h.audited(c, "agent.force_state", forceDetail{Agent: a.ID, Team: a.Team,
		Before: stateText(a.State, a.Reason), After: req.State, Reason: req.Reason}, run)
}

// approve and refuse settle an agent's pending not-ready request; team
// leads only for their team. Both are audited.
func (h agentHandlers) approve(c echo.Context) error { return h.decide(c, "agent.approve", true) }
func (h agentHandlers) refuse(c echo.Context) error  { return h.decide(c, "agent.refuse", false) }

func (h agentHandlers) decide(c echo.Context, action string, approve bool) error {
	a, err := h.scopedAgent(c)
	if err != nil {
		return err
	}
	d := forceDetail{Agent: a.ID, Team: a.Team, Before: stateText(a.State, a.Reason), Reason: a.PendingNotReady}
	if approve {
		d.After = routing.NotReady.String()
	} else {
		d.After = a.State.String()
	}
	return h.audited(c, action, d, func() (routing.AgentView, error) {
		if approve {
			return h.agents.Approve(c.Request().Context(), a.ID)
		}
		return h.agents.Refuse(c.Request().Context(), a.ID)
	})
}

func respond(c echo.Context, act func() (routing.AgentView, error)) error {
	v, err := act()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
