package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
	"switchboard/store"
)

// acdHandlers serves the queues, the calendars' day/night switch, why a
// call went to its agent, and the config reload.
type acdHandlers struct {
	engine acdService
	calls  Reader
	aud    auditor
	log    *slog.Logger
	reload func(ctx context.Context) (version int, err error) // nil: the route answers 501
}

// acdService is what these routes read and change in the engine
// (*routing.Engine).
type acdService interface {
	Queues(ctx context.Context) ([]routing.QueueView, error)
	// Calendars and SetMode are the day/night switch (routing.ErrUnknownCalendar).
	Calendars(ctx context.Context) ([]routing.CalendarView, error)
	SetMode(ctx context.Context, calendar, mode string) (routing.CalendarView, error)
}

var _ acdService = (*routing.Engine)(nil)

func (h acdHandlers) routes() []route {
	return slices.Concat([]route{
		{http.MethodGet, "/api/v1/queues", h.listQueues, signedIn},
		{http.MethodGet, "/api/v1/calls/:id/decisions", h.listDecisions, leads},
		{http.MethodGet, "/api/v1/calendars", h.listCalendars, allow(auth.TeamLead, auth.Supervisor, auth.Admin)},
		{http.MethodPut, "/api/v1/calendars/:name/mode", h.putMode, allow(auth.Supervisor, auth.Admin)},
	}, requires(h.reload != nil, errNoReload,
		route{http.MethodPost, "/api/v1/config/reload", h.reloadConfig, admins}))
}

// queueList is the body of GET /api/v1/queues.
type queueList struct {
	Queues []routing.QueueView `json:"queues"`
}

func (h acdHandlers) listQueues(c echo.Context) error {
	qs, err := h.engine.Queues(c.Request().Context())
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

func (h acdHandlers) listDecisions(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	if _, err := h.calls.Call(ctx, id); err != nil {
		return err
	}
	recs, err := h.calls.Events(ctx, store.EventFilter{CallID: id, TypePrefix: routing.EvCallDecision, Limit: store.MaxLimit})
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

func (h acdHandlers) reloadConfig(c echo.Context) error {
	v, err := h.reload(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, reloadResult{Version: v})
}

// calendarList is the body of GET /api/v1/calendars.
type calendarList struct {
	Calendars []routing.CalendarView `json:"calendars"`
}

func (h acdHandlers) listCalendars(c echo.Context) error {
	cs, err := h.engine.Calendars(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, calendarList{Calendars: cs})
}

// modeRequest is the body of PUT /api/v1/calendars/{name}/mode.
type modeRequest struct {
	Mode string `json:"mode"` // day, night or auto
}

func (h acdHandlers) putMode(c echo.Context) error {
	var req modeRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	if req.Mode == "" {
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: "mode", Message: "required: day, night or auto"}
	}
	// Forcing a centre to night turns every caller away: audited, first
	// (nothing is switched if the entry cannot be written), and a refusal
	// adds a failed entry.
	name := c.Param("name")
	d := modeDetail{Calendar: name, Mode: req.Mode}
	if err := h.aud.record(c, "calendar.mode", name, true, d); err != nil {
		return err
	}
	v, err := h.engine.SetMode(c.Request().Context(), name, req.Mode)
	if err != nil {
		d.Error = httpError(err).Message
		if aerr := h.aud.record(c, "calendar.mode", name, false, d); aerr != nil {
			h.log.Warn("audit of a refused switch not written", "calendar", name, "err", aerr)
		}
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// modeDetail is the audit detail of a day/night switch.
type modeDetail struct {
	Calendar string `json:"calendar"`
	Mode     string `json:"mode"`
	Error    string `json:"error,omitempty"`
}
