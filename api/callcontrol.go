package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"switchboard/routing"
)

// Desk call controls: hold, resume, mute, unmute and hang up a connected
// call, by the agent on it, a lead of their team or a supervisor.

// CallControlService is the engine's desk call controls
// (*routing.CallControls). Errors: routing.ErrUnknownCall,
// routing.ErrNotYourCall, *routing.CallStateError, *routing.PolicyError,
// routing.ErrControlUnsupported.
type CallControlService interface {
	Do(ctx context.Context, op string, r routing.ControlRequest) (routing.ControlState, error)
}

var _ CallControlService = (*routing.CallControls)(nil)

// CodeInvalidCallState is a control the call's state does not allow (409).
const CodeInvalidCallState = "invalid_call_state"

var errNoCallControls = missing(http.StatusNotImplemented, "not_configured", "this server has no desk call controls")

func callControlRoutes(s *Server) []route {
	svc := s.cfg.CallControls
	var rs []route
	for _, op := range []string{routing.ControlHold, routing.ControlResume, routing.ControlMute, routing.ControlUnmute, routing.ControlHangup} {
		rs = append(rs, route{http.MethodPost, "/api/v1/calls/:id/" + op, callControl(svc, op), floor})
	}
	return requires(svc != nil, errNoCallControls, rs...)
}

func callControl(svc CallControlService, op string) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := principalOf(c)
		scope, err := deskScope(p, "")
		if err != nil {
			return err
		}
		st, err := svc.Do(c.Request().Context(), op, routing.ControlRequest{Call: c.Param("id"), By: p.Username, Scope: scope})
		if err != nil {
			return callControlError(err)
		}
		return c.JSON(http.StatusOK, st)
	}
}

func callControlError(err error) error {
	var se *routing.CallStateError
	switch {
	case errors.As(err, &se):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidCallState, Message: se.Error()}
	case errors.Is(err, routing.ErrControlUnsupported):
		return &Error{Status: http.StatusNotImplemented, Code: "not_supported", Message: "this PBX cannot hold or mute calls"}
	}
	return deskError(err)
}
