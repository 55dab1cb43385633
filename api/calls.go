package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
	"switchboard/store"
)

// callHandlers serves the calls and the event log, read from the store
// and narrowed to the caller's scope.
type callHandlers struct {
	calls Reader
	scope scoper
}

func (h callHandlers) routes() []route {
	callers := allow(auth.Agent, auth.TeamLead, auth.Supervisor, auth.Quality)
	return []route{
		{http.MethodGet, "/api/v1/calls", h.listCalls, callers},
		{http.MethodGet, "/api/v1/calls/:id", h.getCall, callers},
		{http.MethodGet, "/api/v1/calls/:id/events", h.listCallEvents, leads},
		{http.MethodGet, "/api/v1/events", h.listEvents, supervisors},
	}
}

// callList is the body of GET /api/v1/calls.
type callList struct {
	Calls []store.Call `json:"calls"`
}

func (h callHandlers) listCalls(c echo.Context) error {
	q := newQuery(c.QueryParams(), "queue", "agent", "outcome", "direction", "open", "since", "until", "limit")
	f := store.CallFilter{
		Queue: q.str("queue"), Agent: q.str("agent"), Outcome: q.str("outcome"), Direction: q.str("direction"),
		Open: q.boolPtr("open"), Since: q.time("since"), Until: q.time("until"), Limit: q.limit(),
	}
	q.order(f.Since, f.Until)
	if q.err != nil {
		return q.err
	}
	if d := f.Direction; d != "" && d != routing.DirectionInbound && d != routing.DirectionOutbound {
		return badRequest("direction", "must be inbound or outbound")
	}
	if err := h.scope.scopeCallFilter(c, &f); err != nil {
		return err
	}
	calls, err := h.calls.Calls(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if calls == nil {
		calls = []store.Call{}
	}
	return c.JSON(http.StatusOK, callList{Calls: calls})
}

func (h callHandlers) getCall(c echo.Context) error {
	call, err := h.calls.Call(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if err := h.scope.callScope(c, call); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, call)
}

// eventList is the body of the event routes. Next is the after= value that
// reads the following page: the last seq returned, or the after given when
// the page is empty.
type eventList struct {
	Events []routing.Record `json:"events"`
	Next   int64            `json:"next"`
}

func (h callHandlers) listEvents(c echo.Context) error {
	q := newQuery(c.QueryParams(), "call_id", "agent_id", "queue", "type", "after", "limit")
	f := store.EventFilter{
		CallID: q.str("call_id"), AgentID: q.str("agent_id"), Queue: q.str("queue"),
		TypePrefix: q.str("type"), AfterSeq: q.seq("after"), Limit: q.limit(),
	}
	if q.err != nil {
		return q.err
	}
	return h.events(c, f)
}

// listCallEvents is the log of one call; 404 if the call is unknown.
func (h callHandlers) listCallEvents(c echo.Context) error {
	q := newQuery(c.QueryParams(), "type", "after", "limit")
	f := store.EventFilter{
		CallID: c.Param("id"), TypePrefix: q.str("type"), AfterSeq: q.seq("after"), Limit: q.limit(),
	}
	if q.err != nil {
		return q.err
	}
	if _, err := h.calls.Call(c.Request().Context(), f.CallID); err != nil {
		return err
	}
	return h.events(c, f)
}

func (h callHandlers) events(c echo.Context, f store.EventFilter) error {
	evs, err := h.calls.Events(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := eventList{Events: evs, Next: f.AfterSeq}
	if len(evs) > 0 {
		out.Next = evs[len(evs)-1].Seq
	} else {
		out.Events = []routing.Record{}
	}
	return c.JSON(http.StatusOK, out)
}
