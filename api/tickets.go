package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/report"
	"switchboard/tickets"
)

// Tickets (工单): create (desk, CRM), list, get and transition, scoped by
// role like calls: an agent sees the tickets assigned to them or their
// team and those they opened, a team lead their team's and every new one
// (the dispatch pool they dispatch from), supervisors and quality
// inspectors all. The tickets service decides and writes the
// records through the engine; handlers only check access and input.

// TicketService is what the ticket routes need (*tickets.Service).
type TicketService interface {
	Create(ctx context.Context, n tickets.NewTicket) (tickets.Ticket, error)
	Transition(ctx context.Context, r tickets.TransitionRequest) (tickets.Ticket, error)
	Get(id string) (tickets.Ticket, bool)
	List(f tickets.Filter) []tickets.Ticket
	Categories() []tickets.CategoryConfig
	Report(group, period, from, to string) (*report.Table, error)
}

var _ TicketService = (*tickets.Service)(nil)

var errNoTickets = missing(http.StatusNotImplemented, "not_configured", "this server keeps no tickets")

var (
	// ticketViewers: those who run calls, and quality inspectors.
	ticketViewers = allow(auth.Agent, auth.TeamLead, auth.Supervisor, auth.Quality)
	// ticketOpeners: the floor, and admins' API tokens (a CRM).
	ticketOpeners = allow(auth.Agent, auth.TeamLead, auth.Supervisor, auth.Admin)
)

// Limits on ticket input.
const (
	maxTicketCalls = 20
	defaultTickets = 50
)

type ticketHandlers struct {
	svc    TicketService
	agents agentReader
	aud    auditor
}

func (s *Server) ticketRoutes() []route {
	h := ticketHandlers{svc: s.cfg.Tickets, agents: s.agents, aud: s.aud}
	return requires(h.svc != nil, errNoTickets,
		route{http.MethodGet, "/api/v1/tickets", h.list, ticketViewers},
		route{http.MethodPost, "/api/v1/tickets", h.create, ticketOpeners},
		route{http.MethodGet, "/api/v1/tickets/categories", h.categories, signedIn},
		route{http.MethodGet, "/api/v1/tickets/report", h.report, reporters},
		route{http.MethodGet, "/api/v1/tickets/:id", h.get, ticketViewers},
		route{http.MethodPost, "/api/v1/tickets/:id/transitions", h.transition, floor},
	)
}

// actor is who a record names: the agent ID of those who take calls (so
// an agent's own tickets are found by it), else the username.
func actor(p auth.Principal) string {
	if p.AgentID != "" {
		return p.AgentID
	}
	return p.Username
}

// ticketScope decides what p may see of tickets.
type ticketScope struct {
	all   bool
	lead  bool // sees new tickets, to dispatch them
	agent string
	team  string
	peers []string // a lead's team's agents
}

func (h ticketHandlers) scope(ctx context.Context, p auth.Principal) (ticketScope, error) {
	switch p.Role {
	case auth.Supervisor, auth.Quality, auth.Admin:
		return ticketScope{all: true}, nil
	case auth.TeamLead:
		peers, err := scoper{agents: h.agents}.teamAgents(ctx, p.Team)
		return ticketScope{lead: true, agent: p.AgentID, team: p.Team, peers: peers}, err
	}
	return ticketScope{agent: p.AgentID, team: p.Team}, nil
}

func (sc ticketScope) sees(t tickets.Ticket) bool {
	switch {
	case sc.all, sc.lead && t.State == tickets.StateNew:
		return true
	case sc.agent != "" && (t.Agent == sc.agent || t.CreatedBy == sc.agent):
		return true
	case sc.team != "" && t.Team == sc.team:
		return true
	}
	return t.Agent != "" && slices.Contains(sc.peers, t.Agent) || slices.Contains(sc.peers, t.CreatedBy)
}

// ticketPage is the body of GET /api/v1/tickets.
type ticketPage struct {
	Tickets []tickets.Ticket `json:"tickets"`
	Total   int              `json:"total"`
}

func (h ticketHandlers) list(c echo.Context) error {
	q := newQuery(c.QueryParams(), "state", "category", "team", "agent", "customer", "overdue", "limit", "offset")
	f := tickets.Filter{State: tickets.State(q.str("state")), Category: q.str("category"), Team: q.str("team"),
		Agent: q.str("agent"), Customer: q.str("customer")}
	if o := q.boolPtr("overdue"); o != nil {
		f.Overdue = *o
	}
	limit := q.limit()
	if limit == 0 {
		limit = defaultTickets
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
	if f.State != "" && !slices.Contains(tickets.States, f.State) {
		return badRequest("state", "must be one of %s", joinStates())
	}
	if f.Category != "" && !h.knownCategory(f.Category) {
		return badRequest("category", "unknown category %q", f.Category)
	}
	p := principalOf(c)
	sc, err := h.scope(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := []tickets.Ticket{}
	for _, t := range h.svc.List(f) {
		if sc.sees(t) {
			out = append(out, t)
		}
	}
	page := ticketPage{Total: len(out), Tickets: []tickets.Ticket{}}
	if offset < len(out) {
		page.Tickets = out[offset:min(len(out), offset+limit)]
	}
	return c.JSON(http.StatusOK, page)
}

func joinStates() string {
	s := make([]string, len(tickets.States))
	for i, st := range tickets.States {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}

func (h ticketHandlers) knownCategory(name string) bool {
	for _, c := range h.svc.Categories() {
		if c.Name == name {
			return true
		}
	}
	return false
}

func (h ticketHandlers) categories(c echo.Context) error {
	return c.JSON(http.StatusOK, h.svc.Categories())
}

// visible is the ticket id names if p may see it; else a 404, so ids
// outside one's scope cannot be told from unknown ones.
func (h ticketHandlers) visible(c echo.Context, id string) (tickets.Ticket, ticketScope, error) {
	sc, err := h.scope(c.Request().Context(), principalOf(c))
	if err != nil {
		return tickets.Ticket{}, sc, err
	}
	t, ok := h.svc.Get(id)
	if !ok || !sc.sees(t) {
		return tickets.Ticket{}, sc, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no ticket " + strconv.Quote(id)}
	}
	return t, sc, nil
}

func (h ticketHandlers) get(c echo.Context) error {
	id := c.Param("id")
	if len(id) > maxTargetLen {
		return badRequest("id", "is longer than %d bytes", maxTargetLen)
	}
	t, _, err := h.visible(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// ticketRequest is the body of POST /api/v1/tickets.
type ticketRequest struct {
	Customer    string   `json:"customer"`
	Category    string   `json:"category"`
	Priority    string   `json:"priority,omitempty"`
	Description string   `json:"description,omitempty"`
	Calls       []string `json:"calls,omitempty"`
	// Source: desk (the agent desk's form) or api (a CRM; the default).
	Source string `json:"source,omitempty"`
}

// check refuses bad input naming the field; the domain checks the rest.
func (r *ticketRequest) check() error {
	switch {
	case len(r.Customer) > maxTargetLen:
		return badRequest("customer", "is longer than %d bytes", maxTargetLen)
	case len(r.Category) > maxTargetLen:
		return badRequest("category", "is longer than %d bytes", maxTargetLen)
	case len(r.Description) > maxNotes:
		return badRequest("description", "is longer than %d bytes", maxNotes)
	case len(r.Calls) > maxTicketCalls:
		return badRequest("calls", "at most %d calls", maxTicketCalls)
	}
	for _, id := range r.Calls {
		if id == "" || len(id) > maxTargetLen {
			return badRequest("calls", "a call ID is empty or longer than %d bytes", maxTargetLen)
		}
	}
	switch r.Source {
	case "":
		r.Source = "api"
	case "desk", "api":
	default:
		return badRequest("source", "must be desk or api")
	}
	return nil
}

// ticketAudit is the audit entry's detail.
type ticketAudit struct {
	Category string `json:"category,omitempty"`
	Action   string `json:"action,omitempty"`
	Team     string `json:"team,omitempty"`
	Agent    string `json:"agent,omitempty"`
	Error    string `json:"error,omitempty"`
}

func (h ticketHandlers) create(c echo.Context) error {
	var req ticketRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	p := principalOf(c)
	t, err := h.svc.Create(c.Request().Context(), tickets.NewTicket{Customer: req.Customer, Category: req.Category,
		Priority: req.Priority, Description: req.Description, Calls: req.Calls, Source: req.Source, By: actor(p)})
	if err != nil {
		h.aud.refused(c, "ticket.create", "", err, ticketAudit{Category: req.Category, Error: err.Error()})
		return ticketError(err)
	}
	if err := h.aud.record(c, "ticket.create", t.ID, true, ticketAudit{Category: t.Category}); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

// transitionRequest is the body of POST /api/v1/tickets/{id}/transitions.
type transitionRequest struct {
	Action string `json:"action"`
	Team   string `json:"team,omitempty"`
	Agent  string `json:"agent,omitempty"`
	Note   string `json:"note,omitempty"`
}

// leadActions are the transitions only team leads and supervisors make.
var leadActions = []tickets.Action{tickets.ActDispatch, tickets.ActClose, tickets.ActReopen}

func (h ticketHandlers) transition(c echo.Context) error {
	var req transitionRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	id := c.Param("id")
	switch {
	case len(id) > maxTargetLen:
		return badRequest("id", "is longer than %d bytes", maxTargetLen)
	case !slices.Contains(tickets.Actions, tickets.Action(req.Action)):
		return badRequest("action", "must be one of dispatch, start, resolve, close, reopen")
	case len(req.Team) > maxTargetLen:
		return badRequest("team", "is longer than %d bytes", maxTargetLen)
	case len(req.Agent) > maxTargetLen:
		return badRequest("agent", "is longer than %d bytes", maxTargetLen)
	case len(req.Note) > maxNotes:
		return badRequest("note", "is longer than %d bytes", maxNotes)
	case req.Action != string(tickets.ActDispatch) && (req.Team != "" || req.Agent != ""):
		return badRequest("team", "team and agent are for dispatch only")
	}
	ctx := c.Request().Context()
	p := principalOf(c)
	t, sc, err := h.visible(c, id)
	if err != nil {
		return err
	}
	act := tickets.Action(req.Action)
	if p.Role == auth.Agent && slices.Contains(leadActions, act) {
		return forbidden("only team leads and supervisors " + req.Action + " tickets")
	}
	if p.Role == auth.Agent && t.Agent != p.AgentID && (t.Team == "" || t.Team != p.Team) {
		return forbidden("ticket " + t.ID + " is not assigned to you or your team")
	}
	if act == tickets.ActDispatch {
		if err := h.checkTarget(ctx, sc, req.Team, req.Agent); err != nil {
			return err
		}
	}
	out, err := h.svc.Transition(ctx, tickets.TransitionRequest{ID: t.ID, Action: act, By: actor(p),
		Team: req.Team, Agent: req.Agent, Note: req.Note})
	detail := ticketAudit{Action: req.Action, Team: req.Team, Agent: req.Agent}
	if err != nil {
		detail.Error = err.Error()
		h.aud.refused(c, "ticket.transition", t.ID, err, detail)
		return ticketError(err)
	}
	if err := h.aud.record(c, "ticket.transition", t.ID, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// checkTarget: a dispatch goes to a known team or agent, a lead's to
// their own team or its agents.
func (h ticketHandlers) checkTarget(ctx context.Context, sc ticketScope, team, agent string) error {
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
	switch {
	case (team == "") == (agent == ""):
		return badRequest("team", "dispatch names a team or an agent, one of them")
	case team != "" && !teams[team]:
		return badRequest("team", "unknown team %q", team)
	case agent != "":
		at, ok := agentTeam[agent]
		if !ok {
			return badRequest("agent", "unknown agent %q", agent)
		}
		if !sc.all && at != sc.team {
			return forbidden("a team lead dispatches to their own team's agents")
		}
	case !sc.all && team != sc.team:
		return forbidden("a team lead dispatches to their own team")
	}
	return nil
}

// ticketError maps the domain's errors: field → 400, transition → 409,
// unknown → 404.
func ticketError(err error) error {
	var fe *tickets.FieldError
	var te *tickets.TransitionError
	switch {
	case errors.As(err, &fe):
		return badRequest(fe.Field, "%s", fe.Reason)
	case errors.As(err, &te):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Field: "action", Message: te.Error()}
	case errors.Is(err, tickets.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	}
	return err
}

// report is GET /api/v1/tickets/report: the ticket report (created,
// dispatched within SLA, overdue, resolution time) by category or team,
// as JSON or downloaded as CSV/XLSX (audited like report downloads).
func (h ticketHandlers) report(c echo.Context) error {
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
	t, err := h.svc.Report(q.str("group"), q.str("period"), q.str("from"), q.str("to"))
	if err != nil {
		return reportError(err)
	}
	if format == "" || format == "json" {
		return c.JSON(http.StatusOK, t)
	}
	name := fmt.Sprintf("tickets-%s-%s_%s.%s", t.Group, t.From, t.To, format)
	if err := h.aud.record(c, "export.download", name, true, map[string]string{"query": c.Request().URL.RawQuery}); err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set(echo.HeaderContentType, report.ContentType(format))
	hdr.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	return report.Write(c.Response(), t, format)
}
