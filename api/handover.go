package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/workforce"
)

// Handover log (交接日志): a team lead writes their team's entry at the
// end of a shift (text and structured items: open tickets, incidents,
// equipment faults); the incoming lead acknowledges it. Supervisors read
// and write for any team. Records through the workforce service; audited.

// HandoverService is what the handover routes need (*workforce.Service).
type HandoverService interface {
	WriteHandover(ctx context.Context, d workforce.HandoverData) (workforce.Handover, error)
	AckHandover(ctx context.Context, id, by string) (workforce.Handover, error)
	Handover(id string) (workforce.Handover, error)
	Handovers(team string) []workforce.Handover
}

var _ HandoverService = (*workforce.Service)(nil)

type handoverHandlers struct {
	svc HandoverService
	aud auditor
}

func handoverRoutes(s *Server) []route {
	var svc HandoverService
	if s.cfg.Workforce != nil {
		svc, _ = s.cfg.Workforce.(HandoverService)
	}
	h := handoverHandlers{svc: svc, aud: s.aud}
	return requires(h.svc != nil, errNoWorkforce,
		route{http.MethodGet, "/api/v1/handovers", h.list, leads},
		route{http.MethodPost, "/api/v1/handovers", h.write, leads},
		route{http.MethodPost, "/api/v1/handovers/:id/ack", h.ack, leads},
	)
}

func (h handoverHandlers) list(c echo.Context) error {
	q := newQuery(c.QueryParams(), "team")
	if q.err != nil {
		return q.err
	}
	team := q.str("team")
	if p := principalOf(c); p.Role == auth.TeamLead {
		if team != "" && team != p.Team {
			return forbidden("a team lead reads their own team's handover log")
		}
		team = p.Team
	}
	return c.JSON(http.StatusOK, map[string]any{"handovers": h.svc.Handovers(team)})
}

// handoverRequest is the body of POST /api/v1/handovers.
type handoverRequest struct {
	Team  string                   `json:"team,omitempty"` // default the lead's own
	Date  string                   `json:"date"`
	Shift string                   `json:"shift"`
	Text  string                   `json:"text,omitempty"`
	Items []workforce.HandoverItem `json:"items,omitempty"`
}

func (h handoverHandlers) write(c echo.Context) error {
	var req handoverRequest
	if err := decodeBodyLimit(c, &req, 256<<10); err != nil {
		return err
	}
	p := principalOf(c)
	if req.Team == "" {
		req.Team = p.Team
	}
	if p.Role == auth.TeamLead && req.Team != p.Team {
		return forbidden("a team lead writes their own team's handover log")
	}
	hd, err := h.svc.WriteHandover(c.Request().Context(), workforce.HandoverData{Team: req.Team, Date: req.Date,
		Shift: req.Shift, Text: req.Text, Items: req.Items, By: actor(p)})
	if err != nil {
		h.aud.refused(c, "handover.write", req.Team, err, map[string]string{"error": err.Error()})
		return workforceError(err)
	}
	if err := h.aud.record(c, "handover.write", hd.ID, true, map[string]any{"team": hd.Team, "date": hd.Date, "shift": hd.Shift, "items": len(hd.Items)}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, hd)
}

func (h handoverHandlers) ack(c echo.Context) error {
	id := c.Param("id")
	if len(id) > maxTargetLen {
		return badRequest("id", "is longer than %d bytes", maxTargetLen)
	}
	p := principalOf(c)
	hd, err := h.svc.Handover(id)
	if err != nil {
		return workforceError(err)
	}
	if p.Role == auth.TeamLead && hd.Team != p.Team {
		return forbidden("a team lead acknowledges their own team's handover log")
	}
	out, err := h.svc.AckHandover(c.Request().Context(), id, actor(p))
	if err != nil {
		h.aud.refused(c, "handover.ack", id, err, map[string]string{"error": err.Error()})
		return workforceError(err)
	}
	if err := h.aud.record(c, "handover.ack", id, true, nil); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
