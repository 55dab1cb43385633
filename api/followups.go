package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/followups"
	"switchboard/report"
)

// Follow-ups (回访) and appointments: a lead opens a follow-up by hand
// (wrap-ups and closed tickets open theirs through the service), the desk
// records each dial's outcome and the answers, leads and supervisors
// reassign; appointments are booked and rescheduled. Scoped like tickets:
// an agent sees the tasks assigned to them or their team, a team lead
// their team's, supervisors and quality inspectors all. The service
// decides and writes the records through the engine; handlers only check
// access and input.

// FollowUpService is what the follow-up routes need (*followups.Service).
type FollowUpService interface {
	Create(ctx context.Context, n followups.NewTask) (followups.Task, error)
	Attempt(ctx context.Context, r followups.AttemptRequest) (followups.Task, error)
	Reassign(ctx context.Context, r followups.ReassignRequest) (followups.Task, error)
	Get(id string) (followups.Task, bool)
	List(f followups.Filter) []followups.Task
	BookAppointment(ctx context.Context, n followups.NewAppointment) (followups.Appointment, error)
	Reschedule(ctx context.Context, id string, at time.Time, by string) (followups.Appointment, error)
	Appointment(id string) (followups.Appointment, bool)
	Appointments(customer string) []followups.Appointment
	Slots(day time.Time, agent string) []followups.Slot
	Now() time.Time
	Report(group, period, from, to string, teams map[string]string) (*report.Table, error)
}

var _ FollowUpService = (*followups.Service)(nil)

var errNoFollowUps = missing(http.StatusNotImplemented, "not_configured", "this server keeps no follow-ups")

// followupViewers: those who run calls, and quality inspectors.
var followupViewers = allow(auth.Agent, auth.TeamLead, auth.Supervisor, auth.Quality)

const defaultFollowUps = 50

type followupHandlers struct {
	svc    FollowUpService
	agents agentReader
	aud    auditor
}

func followupRoutes(s *Server) []route {
	h := followupHandlers{svc: s.cfg.FollowUps, agents: s.agents, aud: s.aud}
	return requires(h.svc != nil, errNoFollowUps,
		route{http.MethodGet, "/api/v1/followups", h.list, followupViewers},
		route{http.MethodPost, "/api/v1/followups", h.create, leads},
		route{http.MethodGet, "/api/v1/followups/report", h.report, reporters},
		route{http.MethodGet, "/api/v1/followups/:id", h.get, followupViewers},
		route{http.MethodPost, "/api/v1/followups/:id/attempts", h.attempt, floor},
		route{http.MethodPost, "/api/v1/followups/:id/reassign", h.reassign, leads},
		route{http.MethodGet, "/api/v1/appointments", h.appointments, followupViewers},
		route{http.MethodPost, "/api/v1/appointments", h.book, floor},
		route{http.MethodGet, "/api/v1/appointments/slots", h.slots, followupViewers},
		route{http.MethodPost, "/api/v1/appointments/:id/reschedule", h.reschedule, floor},
	)
}

// followupScope decides what p may see of follow-ups.
type followupScope struct {
	all   bool
	agent string
	team  string
	peers []string // a lead's team's agents
}

func (h followupHandlers) scope(ctx context.Context, p auth.Principal) (followupScope, error) {
	switch p.Role {
	case auth.Supervisor, auth.Quality, auth.Admin:
		return followupScope{all: true}, nil
	case auth.TeamLead:
		peers, err := scoper{agents: h.agents}.teamAgents(ctx, p.Team)
		return followupScope{agent: p.AgentID, team: p.Team, peers: peers}, err
	}
	return followupScope{agent: p.AgentID, team: p.Team}, nil
}

func (sc followupScope) sees(team, agent string) bool {
	switch {
	case sc.all:
		return true
	case sc.agent != "" && agent == sc.agent:
		return true
	case sc.team != "" && team == sc.team:
		return true
	}
	return agent != "" && slices.Contains(sc.peers, agent)
}

// followupPage is the body of GET /api/v1/followups.
type followupPage struct {
	FollowUps []followups.Task `json:"followups"`
	Total     int              `json:"total"`
}

func (h followupHandlers) list(c echo.Context) error {
	q := newQuery(c.QueryParams(), "state", "team", "agent", "customer", "source", "overdue", "dialable", "mine", "limit", "offset")
	f := followups.Filter{State: followups.State(q.str("state")), Team: q.str("team"), Agent: q.str("agent"),
		Customer: q.str("customer"), Source: q.str("source")}
	if o := q.boolPtr("overdue"); o != nil {
		f.Overdue = *o
	}
	if d := q.boolPtr("dialable"); d != nil && *d {
		f.DueBy = h.svc.Now()
	}
	mine := q.boolPtr("mine")
	limit := q.limit()
	if limit == 0 {
		limit = defaultFollowUps
	}
	offset := 0
	if s := q.str("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			q.fail(badRequest("offset", "must be a whole number, 0 or more"))
		}
		offset = n
	}
	if q.err != nil {
		return q.err
	}
	switch f.State {
	case "", followups.StateOpen, followups.StateClosed:
	default:
		return badRequest("state", "must be open or closed")
	}
	switch f.Source {
	case "", followups.SourceWrapUp, followups.SourceTicket, followups.SourceLead, followups.SourceAppointment:
	default:
		return badRequest("source", "must be one of wrapup, ticket, lead, appointment")
	}
	p := principalOf(c)
	sc, err := h.scope(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := []followups.Task{}
	for _, t := range h.svc.List(f) {
		if !sc.sees(t.Team, t.Agent) {
			continue
		}
		if mine != nil && *mine && t.Agent != p.AgentID && (t.Agent != "" || t.Team != p.Team) {
			continue
		}
		out = append(out, t)
	}
	page := followupPage{Total: len(out), FollowUps: []followups.Task{}}
	if offset < len(out) {
		page.FollowUps = out[offset:min(len(out), offset+limit)]
	}
	return c.JSON(http.StatusOK, page)
}

// visible is the task id names if p may see it; else a 404.
func (h followupHandlers) visible(c echo.Context, id string) (followups.Task, followupScope, error) {
	if len(id) > maxTargetLen {
		return followups.Task{}, followupScope{}, badRequest("id", "is longer than %d bytes", maxTargetLen)
	}
	sc, err := h.scope(c.Request().Context(), principalOf(c))
	if err != nil {
		return followups.Task{}, sc, err
	}
	t, ok := h.svc.Get(id)
	if !ok || !sc.sees(t.Team, t.Agent) {
		return followups.Task{}, sc, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no follow-up " + strconv.Quote(id)}
	}
	return t, sc, nil
}

func (h followupHandlers) get(c echo.Context) error {
	t, _, err := h.visible(c, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// followupRequest is the body of POST /api/v1/followups.
type followupRequest struct {
	Customer    string    `json:"customer"`
	Call        string    `json:"call,omitempty"`
	Disposition string    `json:"disposition,omitempty"`
	Team        string    `json:"team,omitempty"`
	Agent       string    `json:"agent,omitempty"`
	Due         time.Time `json:"due,omitempty"`
}

func (r *followupRequest) check() error {
	for _, f := range []struct{ name, v string }{{"customer", r.Customer}, {"call", r.Call},
		{"disposition", r.Disposition}, {"team", r.Team}, {"agent", r.Agent}} {
		if len(f.v) > maxTargetLen {
			return badRequest(f.name, "is longer than %d bytes", maxTargetLen)
		}
	}
	return nil
}

// followupAudit is the audit entry's detail.
type followupAudit struct {
	Outcome string `json:"outcome,omitempty"`
	Result  string `json:"result,omitempty"`
	Team    string `json:"team,omitempty"`
	Agent   string `json:"agent,omitempty"`
	Error   string `json:"error,omitempty"`
}

func (h followupHandlers) create(c echo.Context) error {
	var req followupRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	p := principalOf(c)
	sc, err := h.scope(ctx, p)
	if err != nil {
		return err
	}
	if req.Team == "" && req.Agent == "" && !sc.all {
		req.Team = p.Team // a lead's task goes to their team
	}
	if err := h.checkTarget(ctx, sc, req.Team, req.Agent, false); err != nil {
		return err
	}
	t, err := h.svc.Create(ctx, followups.NewTask{Customer: req.Customer, Call: req.Call, Disposition: req.Disposition,
		Source: followups.SourceLead, Team: req.Team, Agent: req.Agent, By: actor(p), Due: req.Due})
	detail := followupAudit{Team: req.Team, Agent: req.Agent}
	if err != nil {
		detail.Error = err.Error()
		h.aud.refused(c, "followup.create", "", err, detail)
		return followupError(err)
	}
	if err := h.aud.record(c, "followup.create", t.ID, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

// attemptRequest is the body of POST /api/v1/followups/{id}/attempts.
type attemptRequest struct {
	Outcome      string    `json:"outcome"`
	Result       string    `json:"result,omitempty"`
	Satisfaction int       `json:"satisfaction,omitempty"`
	Later        time.Time `json:"later,omitempty"`
	Notes        string    `json:"notes,omitempty"`
	Call         string    `json:"call,omitempty"`
}

func (h followupHandlers) attempt(c echo.Context) error {
	var req attemptRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	switch {
	case len(req.Notes) > maxNotes:
		return badRequest("notes", "is longer than %d bytes", maxNotes)
	case len(req.Call) > maxTargetLen:
		return badRequest("call", "is longer than %d bytes", maxTargetLen)
	}
	t, _, err := h.visible(c, c.Param("id"))
	if err != nil {
		return err
	}
	p := principalOf(c)
	if p.Role == auth.Agent && t.Agent != p.AgentID && (t.Agent != "" || t.Team != p.Team) {
		return forbidden("follow-up " + t.ID + " is not assigned to you or your team")
	}
	out, err := h.svc.Attempt(c.Request().Context(), followups.AttemptRequest{ID: t.ID, By: actor(p),
		Outcome: followups.Outcome(req.Outcome), Result: followups.Result(req.Result), Satisfaction: req.Satisfaction,
		Later: req.Later, Notes: req.Notes, Call: req.Call})
	detail := followupAudit{Outcome: req.Outcome, Result: req.Result}
	if err != nil {
		detail.Error = err.Error()
		h.aud.refused(c, "followup.attempt", t.ID, err, detail)
		return followupError(err)
	}
	if err := h.aud.record(c, "followup.attempt", t.ID, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// reassignRequest is the body of POST /api/v1/followups/{id}/reassign.
type reassignRequest struct {
	Team  string `json:"team,omitempty"`
	Agent string `json:"agent,omitempty"`
}

func (h followupHandlers) reassign(c echo.Context) error {
	var req reassignRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	t, sc, err := h.visible(c, c.Param("id"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := h.checkTarget(ctx, sc, req.Team, req.Agent, true); err != nil {
		return err
	}
	out, err := h.svc.Reassign(ctx, followups.ReassignRequest{ID: t.ID, By: actor(principalOf(c)), Team: req.Team, Agent: req.Agent})
	detail := followupAudit{Team: req.Team, Agent: req.Agent}
	if err != nil {
		detail.Error = err.Error()
		h.aud.refused(c, "followup.reassign", t.ID, err, detail)
		return followupError(err)
	}
	if err := h.aud.record(c, "followup.reassign", t.ID, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// checkTarget: a task goes to a known team or agent, a lead's to their
// own team or its agents; one names exactly one when required.
func (h followupHandlers) checkTarget(ctx context.Context, sc followupScope, team, agent string, required bool) error {
	switch {
	case len(team) > maxTargetLen:
		return badRequest("team", "is longer than %d bytes", maxTargetLen)
	case len(agent) > maxTargetLen:
		return badRequest("agent", "is longer than %d bytes", maxTargetLen)
	case team != "" && agent != "", required && team == "" && agent == "":
		return badRequest("team", "name a team or an agent, one of them")
	case team == "" && agent == "":
		return nil
	}
	views, err := h.agents.Agents(ctx)
	if err != nil {
		return err
	}
	teams := map[string]bool{}
	agentTeam := map[string]string{}
	for _, v := range views {
		agentTeam[v.ID] = v.Team
		if v.Team != "" {
			teams[v.Team] = true
		}
	}
	if agent != "" {
		at, ok := agentTeam[agent]
		switch {
		case !ok:
			return badRequest("agent", "unknown agent %q", agent)
		case !sc.all && at != sc.team:
			return forbidden("a team lead assigns to their own team's agents")
		}
		return nil
	}
	switch {
	case !teams[team]:
		return badRequest("team", "unknown team %q", team)
	case !sc.all && team != sc.team:
		return forbidden("a team lead assigns to their own team")
	}
	return nil
}

// followupError maps the domain's errors: field → 400, closed or a
// taken time → 409, unknown → 404.
func followupError(err error) error {
	var fe *followups.FieldError
	var ce *followups.ClosedError
	var cf *followups.ConflictError
	switch {
	case errors.As(err, &fe):
		return badRequest(fe.Field, "%s", fe.Reason)
	case errors.As(err, &ce):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Field: "id", Message: ce.Error()}
	case errors.Is(err, followups.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	case errors.As(err, &cf):
		return &Error{Status: http.StatusConflict, Code: "appointment_conflict", Field: "at", Message: cf.Error()}
	}
	return err
}

// appointmentPage is the body of GET /api/v1/appointments.
type appointmentPage struct {
	Appointments []followups.Appointment `json:"appointments"`
}

func (h followupHandlers) appointments(c echo.Context) error {
	q := newQuery(c.QueryParams(), "customer")
	if q.err != nil {
		return q.err
	}
	sc, err := h.scope(c.Request().Context(), principalOf(c))
	if err != nil {
		return err
	}
	out := []followups.Appointment{}
	for _, a := range h.svc.Appointments(q.str("customer")) {
		if sc.sees(a.Team, a.Agent) {
			out = append(out, a)
		}
	}
	return c.JSON(http.StatusOK, appointmentPage{Appointments: out})
}

// appointmentRequest is the body of POST /api/v1/appointments.
type appointmentRequest struct {
	Customer string    `json:"customer"`
	At       time.Time `json:"at"`
	Topic    string    `json:"topic,omitempty"`
	Team     string    `json:"team,omitempty"`
	Agent    string    `json:"agent,omitempty"`
	// Call books from a call (its customer, its caller dialled);
	// FollowUp from a follow-up task (its customer and call): the desk's
	// way, since the number it shows may be masked.
	Call     string `json:"call,omitempty"`
	FollowUp string `json:"followup,omitempty"`
	// Callback dials at At itself rather than in the morning window.
	Callback bool `json:"callback,omitempty"`
}

func (h followupHandlers) book(c echo.Context) error {
	var req appointmentRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	switch {
	case len(req.Customer) > maxTargetLen:
		return badRequest("customer", "is longer than %d bytes", maxTargetLen)
	case len(req.Topic) > maxNotes:
		return badRequest("topic", "is longer than %d bytes", maxNotes)
	case len(req.Call) > maxTargetLen:
		return badRequest("call", "is longer than %d bytes", maxTargetLen)
	case req.Customer != "" && (req.Call != "" || req.FollowUp != ""), req.Call != "" && req.FollowUp != "":
		return badRequest("customer", "name a customer, a call or a follow-up, one of them")
	case req.Customer == "" && req.Call == "" && req.FollowUp == "":
		return badRequest("customer", "required (or a call or a follow-up)")
	}
	if req.FollowUp != "" {
		t, _, err := h.visible(c, req.FollowUp)
		if err != nil {
			return err
		}
		req.Customer, req.Call = t.Customer, t.Call
	}
	ctx := c.Request().Context()
	p := principalOf(c)
	sc, err := h.scope(ctx, p)
	if err != nil {
		return err
	}
	if p.Role == auth.Agent && req.Team == "" && req.Agent == "" {
		req.Agent = p.AgentID // an agent books their own call-back
	}
	if p.Role == auth.Agent && req.Agent != "" && req.Agent != p.AgentID {
		return forbidden("an agent books appointments for themselves or their team")
	}
	if err := h.checkTarget(ctx, sc, req.Team, req.Agent, true); err != nil {
		return err
	}
	a, err := h.svc.BookAppointment(ctx, followups.NewAppointment{Customer: req.Customer, At: req.At, Topic: req.Topic,
		Team: req.Team, Agent: req.Agent, By: actor(p), Call: req.Call, Callback: req.Callback})
	if err != nil {
		h.aud.refused(c, "appointment.create", "", err, followupAudit{Team: req.Team, Agent: req.Agent, Error: err.Error()})
		return followupError(err)
	}
	if err := h.aud.record(c, "appointment.create", a.ID, true, followupAudit{Team: a.Team, Agent: a.Agent}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, a)
}

// slotPage is the body of GET /api/v1/appointments/slots.
type slotPage struct {
	Date  string           `json:"date"`
	Agent string           `json:"agent,omitempty"`
	Slots []followups.Slot `json:"slots"`
}

// slots is the booking picker's times of a day: within the allowed
// hours, still to come, each free or taken with the reason (the agent's
// own by default).
func (h followupHandlers) slots(c echo.Context) error {
	q := newQuery(c.QueryParams(), "date", "agent")
	if q.err != nil {
		return q.err
	}
	day, err := time.ParseInLocation(time.DateOnly, q.str("date"), time.Local)
	if err != nil {
		return badRequest("date", "want YYYY-MM-DD")
	}
	p := principalOf(c)
	agent := q.str("agent")
	if agent == "" {
		agent = p.AgentID
	}
	if len(agent) > maxTargetLen {
		return badRequest("agent", "is longer than %d bytes", maxTargetLen)
	}
	if p.Role == auth.Agent && agent != p.AgentID {
		return forbidden("an agent sees their own appointment times")
	}
	return c.JSON(http.StatusOK, slotPage{Date: q.str("date"), Agent: agent, Slots: h.svc.Slots(day.Add(12*time.Hour), agent)})
}

// rescheduleRequest is the body of POST /api/v1/appointments/{id}/reschedule.
type rescheduleRequest struct {
	At time.Time `json:"at"`
}

func (h followupHandlers) reschedule(c echo.Context) error {
	var req rescheduleRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	id := c.Param("id")
	if len(id) > maxTargetLen {
		return badRequest("id", "is longer than %d bytes", maxTargetLen)
	}
	sc, err := h.scope(c.Request().Context(), principalOf(c))
	if err != nil {
		return err
	}
	a, ok := h.svc.Appointment(id)
	if !ok || !sc.sees(a.Team, a.Agent) {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no appointment " + strconv.Quote(id)}
	}
	out, err := h.svc.Reschedule(c.Request().Context(), id, req.At, actor(principalOf(c)))
	if err != nil {
		h.aud.refused(c, "appointment.reschedule", id, err, followupAudit{Error: err.Error()})
		return followupError(err)
	}
	if err := h.aud.record(c, "appointment.reschedule", id, true, followupAudit{}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// report is GET /api/v1/followups/report: coverage (followed up within
// 72 h of the wrap-up) and follow-up results by agent or team, as JSON or
// downloaded as CSV/XLSX (audited like report downloads).
func (h followupHandlers) report(c echo.Context) error {
	q := newQuery(c.QueryParams(), "group", "period", "from", "to", "format")
	if q.err != nil {
		return q.err
	}
	format := q.str("format")
	if format != "" && format != "json" {
		if err := report.CheckFormat(format); err != nil {
			return reportError(err)
		}
	}
	views, err := h.agents.Agents(c.Request().Context())
	if err != nil {
		return err
	}
	teams := map[string]string{}
	for _, v := range views {
		teams[v.ID] = v.Team
	}
	t, err := h.svc.Report(q.str("group"), q.str("period"), q.str("from"), q.str("to"), teams)
	if err != nil {
		return reportError(err)
	}
	if format == "" || format == "json" {
		return c.JSON(http.StatusOK, t)
	}
	name := fmt.Sprintf("followups-%s-%s_%s.%s", t.Group, t.From, t.To, format)
	if err := h.aud.record(c, "export.download", name, true, map[string]string{"query": c.Request().URL.RawQuery}); err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set(echo.HeaderContentType, report.ContentType(format))
	hdr.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	return report.Write(c.Response(), t, format)
}
