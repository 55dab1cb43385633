package api

import (
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"switchboard/routing"
)

// agentList is the body of GET /api/v1/agents.
type agentList struct {
	Agents []routing.AgentView `json:"agents"`
}

func (s *Server) listAgents(c echo.Context) error {
	as, err := s.agents.Agents(c.Request().Context())
	if err != nil {
		return err
	}
	if as == nil {
		as = []routing.AgentView{}
	}
	return c.JSON(http.StatusOK, agentList{Agents: as})
}

func (s *Server) getAgent(c echo.Context) error {
	a, err := s.agents.Agent(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
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

func (s *Server) signIn(c echo.Context) error {
	var req signInRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if req.Endpoint != "" && (len(req.Endpoint) > maxEndpointLen || !endpointPattern.MatchString(req.Endpoint)) {
		return badRequest("endpoint", "must look like TECH/resource, e.g. PJSIP/1001")
	}
	a, err := s.agents.SignIn(c.Request().Context(), c.Param("id"), req.Endpoint)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Server) signOut(c echo.Context) error {
	a, err := s.agents.SignOut(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

// stateRequest is the body of PUT .../state.
type stateRequest struct {
	State  string `json:"state"`  // "ready" or "not_ready"
	Reason string `json:"reason"` // required for not_ready
}

const maxReasonLen = 100

func (s *Server) putAgentState(c echo.Context) error {
	var req stateRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	ctx, id := c.Request().Context(), c.Param("id")
	var (
		a   routing.AgentView
		err error
	)
	switch req.State {
	case routing.Ready.String():
		a, err = s.agents.SetReady(ctx, id)
	case routing.NotReady.String():
		switch {
		case req.Reason == "":
			return badRequest("reason", "is required for not_ready")
		case len(req.Reason) > maxReasonLen:
			return badRequest("reason", "is longer than %d bytes", maxReasonLen)
		}
		a, err = s.agents.SetNotReady(ctx, id, req.Reason)
	case "":
		return badRequest("state", "is required: ready or not_ready")
	default:
		return badRequest("state", "must be ready or not_ready")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}
