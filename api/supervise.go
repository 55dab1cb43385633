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

// Listen, whisper and barge: a team lead (on their team's calls) or a
// supervisor has their phone called onto a live call.

// CallSupervisor is the engine's supervise command (*routing.Engine). The
// AgentService given to New provides it when its PBX can; without it the
// routes answer 501. Errors: routing.ErrUnknownCall, *routing.FieldError,
// *routing.PolicyError.
type CallSupervisor interface {
	Supervise(ctx context.Context, callID, mode, endpoint, by string) (routing.SupervisionView, error)
}

var _ CallSupervisor = (*routing.Engine)(nil)

// superviseHandlers serves listen, whisper and barge; sv is nil when the
// PBX cannot (the routes answer 501).
type superviseHandlers struct {
	sv     CallSupervisor
	agents agentReader
	aud    auditor
	log    *slog.Logger
}

func (s *Server) superviseRoutes() []route {
	h := superviseHandlers{sv: s.opt.supervisor, agents: s.agents, aud: s.aud, log: s.log}
	return []route{h.route("listen"), h.route("whisper"), h.route("barge")}
}

// route is POST /api/v1/calls/{id}/{mode}; without a supervisor (a PBX
// that cannot) it answers 501.
func (h superviseHandlers) route(mode string) route {
	r := route{http.MethodPost, "/api/v1/calls/:id/" + mode, h.supervise(mode), leads}
	return requires(h.sv != nil, func() error {
		return &Error{Status: http.StatusNotImplemented, Code: "not_implemented", Message: "this PBX cannot " + mode + " on calls"}
	}, r)[0]
}

// superviseRequest is the (optional) body of the supervise routes.
type superviseRequest struct {
	// Endpoint is the phone to call the supervisor on; empty: the phone
	// their own agent is signed in on.
	Endpoint string `json:"endpoint"`
}

// supervise handles POST /api/v1/calls/{id}/{mode}: checked, audited as
// call.<mode>, then handed to the engine; the phone rings after the reply.
func (h superviseHandlers) supervise(mode string) echo.HandlerFunc {
	action := "call." + mode
	return func(c echo.Context) error {
		var req superviseRequest
		if err := decodeBody(c, &req, false); err != nil {
			return err
		}
		if req.Endpoint != "" && (len(req.Endpoint) > maxEndpointLen || !endpointPattern.MatchString(req.Endpoint)) {
			return badRequest("endpoint", "must look like TECH/resource, e.g. PJSIP/1001")
		}
		ctx, p, callID := c.Request().Context(), principalOf(c), c.Param("id")
		agent, err := h.callAgent(ctx, p, callID)
		if err != nil {
			return err
		}
		if req.Endpoint == "" {
			if req.Endpoint, err = h.ownPhone(ctx, p); err != nil {
				return err
			}
		}
		detail := map[string]string{"mode": mode, "endpoint": req.Endpoint, "agent": agent.ID}
		if err := h.aud.record(c, action, callID, true, detail); err != nil {
			return err
		}
		v, err := h.sv.Supervise(ctx, callID, mode, req.Endpoint, p.Username)
		if err != nil {
			detail["error"] = httpError(err).Message
			if aerr := h.aud.record(c, action, callID, false, detail); aerr != nil {
				h.log.Warn("audit of a failed supervise not written", "call", callID, "err", aerr)
			}
			if errors.Is(err, routing.ErrUnknownCall) {
				return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no live call " + callID}
			}
			return err
		}
		return c.JSON(http.StatusAccepted, v)
	}
}

// callAgent finds the agent talking on call id and checks the caller may
// supervise them: team leads their team's agents, supervisors anyone. A
// call no agent is on is only a supervisor's to try (a call bridged to an
// extension); the engine says if it is live.
func (h superviseHandlers) callAgent(ctx context.Context, p auth.Principal, id string) (routing.AgentView, error) {
	as, err := h.agents.Agents(ctx)
	if err != nil {
		return routing.AgentView{}, err
	}
	for _, a := range as {
		if a.CallID == id && a.State == routing.OnCall {
			if p.AgentID == a.ID {
				return a, forbidden("you cannot supervise your own call")
			}
			return a, agentScope(p, a.ID, a.Team)
		}
	}
	if p.Role != auth.Supervisor {
		return routing.AgentView{}, &Error{Status: http.StatusNotFound, Code: CodeNotFound,
			Message: "no agent of your team is talking on call " + id}
	}
	return routing.AgentView{}, nil
}

// ownPhone is the phone the caller's own agent is signed in on.
func (h superviseHandlers) ownPhone(ctx context.Context, p auth.Principal) (string, error) {
	required := badRequest("endpoint", "is required: you are not signed in on a phone")
	if p.AgentID == "" {
		return "", required
	}
	a, err := h.agents.Agent(ctx, p.AgentID)
	if errors.Is(err, routing.ErrUnknownAgent) {
		return "", required
	}
	if err != nil {
		return "", err
	}
	if a.State == routing.SignedOut || a.Endpoint == "" {
		return "", required
	}
	return a.Endpoint, nil
}
