package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/workforce"
)

// Shift swaps (换班): an agent asks to swap their published shift with
// another agent's; the lead of each agent's team approves (a supervisor
// for all); a rule that refuses names itself (409 rule_refused, the rule
// in field). Records through the workforce service; audited.

// SwapService is what the swap routes need (*workforce.Service).
type SwapService interface {
	RequestSwap(ctx context.Context, a, aDate, b, bDate, by string) (workforce.Swap, error)
	DecideSwap(ctx context.Context, id, decision string, teams []string, by string) (workforce.Swap, error)
	Swap(id string) (workforce.Swap, error)
	Swaps(team string) []workforce.Swap
}

var _ SwapService = (*workforce.Service)(nil)

// CodeRule: a swap rule refused the request (409, the rule in field).
const CodeRule = "rule_refused"

type swapHandlers struct {
	svc   SwapService
	leave leaveHandlers
	aud   auditor
}

func swapRoutes(s *Server) []route {
	var svc SwapService
	if s.cfg.Workforce != nil {
		svc, _ = s.cfg.Workforce.(SwapService)
	}
	h := swapHandlers{svc: svc, leave: leaveHandlers{agents: s.agents, aud: s.aud}, aud: s.aud}
	return requires(h.svc != nil, errNoWorkforce,
		route{http.MethodGet, "/api/v1/swaps", h.list, floor},
		route{http.MethodPost, "/api/v1/swaps", h.request, floor},
		route{http.MethodPost, "/api/v1/swaps/:id/decision", h.decide, leads},
	)
}

func (h swapHandlers) list(c echo.Context) error {
	p := principalOf(c)
	var ss []workforce.Swap
	switch p.Role {
	case auth.Agent:
		for _, s := range h.svc.Swaps("") {
			if s.A == p.AgentID || s.B == p.AgentID {
				ss = append(ss, s)
			}
		}
	case auth.TeamLead:
		ss = h.svc.Swaps(p.Team)
	default:
		ss = h.svc.Swaps("")
	}
	if ss == nil {
		ss = []workforce.Swap{}
	}
	return c.JSON(http.StatusOK, map[string]any{"swaps": ss})
}

// swapRequest is the body of POST /api/v1/swaps.
type swapRequest struct {
	Agent    string `json:"agent,omitempty"` // default the caller's own
	Date     string `json:"date"`
	With     string `json:"with"`
	WithDate string `json:"with_date"`
}

func (h swapHandlers) request(c echo.Context) error {
	var req swapRequest
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
	case req.With == "" || len(req.With) > maxTargetLen:
		return badRequest("with", "required (1-%d bytes)", maxTargetLen)
	case len(req.Date) != 10:
		return badRequest("date", "must be YYYY-MM-DD")
	case len(req.WithDate) != 10:
		return badRequest("with_date", "must be YYYY-MM-DD")
	}
	if err := h.leave.inScope(c, p, req.Agent); err != nil {
		return err
	}
	sw, err := h.svc.RequestSwap(c.Request().Context(), req.Agent, req.Date, req.With, req.WithDate, actor(p))
	if err != nil {
		h.aud.refused(c, "swap.request", req.Agent, err, map[string]string{"error": err.Error()})
		return workforceError(err)
	}
	if err := h.aud.record(c, "swap.request", sw.ID, true, sw.SwapData); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, sw)
}

func (h swapHandlers) decide(c echo.Context) error {
	var req leaveDecision
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	id := c.Param("id")
	if len(id) > maxTargetLen {
		return badRequest("id", "is longer than %d bytes", maxTargetLen)
	}
	if req.Decision != "approve" && req.Decision != "refuse" {
		return badRequest("decision", "must be approve or refuse")
	}
	p := principalOf(c)
	sw, err := h.svc.Swap(id)
	if err != nil {
		return workforceError(err)
	}
	teams := sw.Need
	if p.Role == auth.TeamLead {
		if !slices.Contains(sw.Need, p.Team) {
			return forbidden("a team lead decides swaps of their own team's agents")
		}
		teams = []string{p.Team}
	}
	out, err := h.svc.DecideSwap(c.Request().Context(), id, req.Decision, teams, actor(p))
	detail := map[string]string{"decision": req.Decision}
	if err != nil {
		detail["error"] = err.Error()
		h.aud.refused(c, "swap.decide", id, err, detail)
		return workforceError(err)
	}
	if err := h.aud.record(c, "swap.decide", id, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
