package api

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"switchboard/routing"
	"switchboard/store"
)

// queueList is the body of GET /api/v1/queues.
type queueList struct {
	Queues []routing.QueueView `json:"queues"`
}

func (s *Server) listQueues(c echo.Context) error {
	qs, err := s.agents.Queues(c.Request().Context())
	if err != nil {
		return err
	}
	if qs == nil {
		qs = []routing.QueueView{}
	}
	return c.JSON(http.StatusOK, queueList{Queues: qs})
}

// decisionList is the body of GET /api/v1/calls/{id}/decisions: "why this
// agent", every assignment of the call in order.
type decisionList struct {
	CallID    string     `json:"call_id"`
	Decisions []decision `json:"decisions"`
}

type decision struct {
	Seq  int64 `json:"seq"`
	Time any   `json:"time"`
	routing.DecisionData
}

func (s *Server) listDecisions(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	if _, err := s.store.Call(ctx, id); err != nil {
		return err
	}
	recs, err := s.store.Events(ctx, store.EventFilter{CallID: id, TypePrefix: routing.EvCallDecision, Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	out := decisionList{CallID: id, Decisions: []decision{}}
	for _, r := range recs {
		d := decision{Seq: r.Seq, Time: r.Time}
		if err := json.Unmarshal(r.Data, &d.DecisionData); err != nil {
			return fmt.Errorf("decision record %d: %w", r.Seq, err)
		}
		out.Decisions = append(out.Decisions, d)
	}
	return c.JSON(http.StatusOK, out)
}

// reloadResult is the body of POST /api/v1/config/reload.
type reloadResult struct {
	Version int `json:"version"`
}

func (s *Server) reloadConfig(c echo.Context) error {
	v, err := s.cfg.Reload(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reloadResult{Version: v})
}

// calendarList is the body of GET /api/v1/calendars.
type calendarList struct {
	Calendars []routing.CalendarView `json:"calendars"`
}

func (s *Server) listCalendars(c echo.Context) error {
	cs, err := s.agents.Calendars(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, calendarList{Calendars: cs})
}

// modeRequest is the body of PUT /api/v1/calendars/{name}/mode.
type modeRequest struct {
	Mode string `json:"mode"` // day, night or auto
}

func (s *Server) putMode(c echo.Context) error {
	var req modeRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	if req.Mode == "" {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: "mode", Message: "required: day, night or auto"}
	}
	v, err := s.agents.SetMode(c.Request().Context(), c.Param("name"), req.Mode)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
