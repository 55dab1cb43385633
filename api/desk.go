package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
	"switchboard/store"
)

// The agent desk: the screen pop (one call gives the page everything),
// wrap-up, blind transfer, and the customers an agent keeps.

// DeskService is what the desk needs from the routing engine
// (*routing.Engine); the AgentService given to New provides it when it has
// these methods.
type DeskService interface {
	Desk(ctx context.Context, id string) (routing.DeskView, error)
	WrapUp(ctx context.Context, r routing.WrapUpRequest) (routing.AgentView, error)
	Transfer(ctx context.Context, r routing.TransferRequest) (routing.DeskCall, error)
}

// DeskStore is what the desk reads and writes in the store (*store.Store):
// customers, the caller's past calls and the agent's messages.
type DeskStore interface {
	Call(ctx context.Context, id string) (store.Call, error)
	Calls(ctx context.Context, f store.CallFilter) ([]store.Call, error)
	Messages(ctx context.Context, f store.MessageFilter) ([]store.Message, error)
	Customers(ctx context.Context, f store.CustomerFilter) ([]store.Customer, error)
	Customer(ctx context.Context, id int64) (store.Customer, error)
	CreateCustomer(ctx context.Context, c store.Customer, now time.Time) (store.Customer, error)
	UpdateCustomer(ctx context.Context, c store.Customer, now time.Time) (store.Customer, error)
}

var (
	_ DeskService = (*routing.Engine)(nil)
	_ DeskStore   = (*store.Store)(nil)
)

// Codes of desk errors.
const (
	CodeNumberTaken = "number_taken" // 409: another customer has the number
	CodeNotYourCall = "not_your_call"
)

// Limits on desk input.
const (
	maxNotes        = 4000 // wrap-up and customer notes
	maxName         = 200
	maxNumbers      = 10
	maxTags         = 20
	maxTag          = 40
	maxContacts     = 50
	defaultContacts = 10
	maxTargetLen    = 100
)

func (s *Server) deskRoutes() []route {
	return []route{
		{http.MethodGet, "/api/v1/agents/:id/desk", s.getDesk, floor},
		{http.MethodPost, "/api/v1/calls/:id/wrap-up", s.wrapUp, floor},
		{http.MethodPost, "/api/v1/calls/:id/transfer", s.transfer, floor},
		{http.MethodGet, "/api/v1/customers", s.listCustomers, floor},
		{http.MethodPost, "/api/v1/customers", s.createCustomer, floor},
		{http.MethodGet, "/api/v1/customers/:id", s.getCustomer, floor},
		{http.MethodPut, "/api/v1/customers/:id", s.putCustomer, floor},
		// Agents see a caller's history on their desk, for the caller
		// they serve; browsing any customer's calls is for leads.
		{http.MethodGet, "/api/v1/customers/:id/contacts", s.listContacts, leads},
	}
}

// deskError maps the engine's call errors; the rest go to httpError.
func deskError(err error) error {
	switch {
	case errors.Is(err, routing.ErrUnknownCall):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no agent holds this call (unknown, or over and wrapped up)"}
	case errors.Is(err, routing.ErrNotYourCall):
		return &Error{Status: http.StatusForbidden, Code: CodeNotYourCall, Message: err.Error()}
	}
	return err
}

// deskScope narrows whose calls p may wrap up or transfer: an agent their
// own, a team lead their own and their team's, a supervisor anyone's.
// agent is the agent the request names, if any.
func deskScope(p auth.Principal, agent string) (routing.Scope, error) {
	switch p.Role {
	case auth.Supervisor:
		return routing.Scope{}, nil
	case auth.TeamLead:
		if p.AgentID != "" && agent == p.AgentID {
			return routing.Scope{Agent: p.AgentID}, nil
		}
		if p.Team == "" {
			return routing.Scope{}, forbidden("team leads without a team act only on their own calls")
		}
		return routing.Scope{Team: p.Team}, nil
	case auth.Agent:
		if p.AgentID == "" || (agent != "" && agent != p.AgentID) {
			return routing.Scope{}, forbidden("agents may act only on their own calls")
		}
		return routing.Scope{Agent: p.AgentID}, nil
	}
	return routing.Scope{}, forbidden("role " + string(p.Role) + " may not act on calls")
}

// deskView is the body of GET /api/v1/agents/{id}/desk.
type deskView struct {
	Now          time.Time             `json:"now"`
	Agent        routing.AgentView     `json:"agent"`
	StateSeconds float64               `json:"state_seconds"`
	Call         *deskCall             `json:"call"`
	WrapUpEnds   *time.Time            `json:"wrap_up_ends,omitempty"`
	WrapUpLeft   *float64              `json:"wrap_up_left_seconds,omitempty"`
	Allowance    *float64              `json:"allowance_seconds,omitempty"`
	AllowLeft    *float64              `json:"allowance_left_seconds,omitempty"`
	Customer     *store.Customer       `json:"customer"`
	Contacts     []contact             `json:"contacts"`
	OpenMessages int                   `json:"open_messages"`
	Reasons      []routing.ReasonView  `json:"reasons"`
	Dispositions []routing.Disposition `json:"dispositions"`
	Targets      routing.Targets       `json:"targets"`
}

// deskCall is the call on the desk: live from the engine, with its IVR
// path from the calls table, or the call just ended during wrap-up.
type deskCall struct {
	ID          string            `json:"id"`
	Phase       string            `json:"phase"` // offered, ringing, talking, wrap_up
	Caller      string            `json:"caller"`
	Called      string            `json:"called"`
	Queue       string            `json:"queue"`
	IVRPath     []string          `json:"ivr_path"`
	Digits      string            `json:"digits"` // the keys pressed, one group per IVR step
	Vars        map[string]string `json:"vars,omitempty"`
	WaitSeconds float64           `json:"wait_seconds"`
	QueuedAt    *time.Time        `json:"queued_at"`
	AnsweredAt  *time.Time        `json:"answered_at"`
	Transferred bool              `json:"transferred"`
	Disposition string            `json:"disposition"`
	Notes       string            `json:"notes"`
	FollowUp    bool              `json:"follow_up"`
}

// contact is one past call of a customer's number.
type contact struct {
	ID          string     `json:"id"`
	Caller      string     `json:"caller"`
	At          *time.Time `json:"at"`
	Queue       string     `json:"queue"`
	Agent       string     `json:"agent"`
	Outcome     string     `json:"outcome"`
	Disposition string     `json:"disposition"`
	Notes       string     `json:"notes"`
	FollowUp    bool       `json:"follow_up"`
}

func contactOf(c store.Call) contact {
	at := c.ArrivedAt
	if at == nil {
		at = c.QueuedAt
	}
	return contact{ID: c.ID, Caller: c.Caller, At: at, Queue: c.Queue, Agent: c.Agent, Outcome: c.Outcome,
		Disposition: c.Disposition, Notes: c.Notes, FollowUp: c.FollowUp}
}

func (s *Server) getDesk(c echo.Context) error {
	if s.opt.desk == nil {
		return errNoDesk()
	}
	ds, st := s.opt.desk, s.opt.deskStore
	ctx, id := c.Request().Context(), c.Param("id")
	v, err := ds.Desk(ctx, id)
	if err != nil {
		return err
	}
	if err := agentScope(principalOf(c), id, v.Agent.Team); err != nil {
		return err
	}
	now := s.now()
	out := deskView{
		Now: now, Agent: v.Agent, StateSeconds: max(0, now.Sub(v.Agent.Since).Seconds()),
		WrapUpEnds: v.WrapUpEnds, Allowance: v.AllowanceSeconds, AllowLeft: v.AllowanceLeftSeconds,
		Reasons: v.Reasons, Dispositions: v.Dispositions, Targets: v.Targets, Contacts: []contact{},
	}
	if v.WrapUpEnds != nil {
		left := max(0, v.WrapUpEnds.Sub(now).Seconds())
		out.WrapUpLeft = &left
	}
	callID := v.Agent.CallID
	if v.Call != nil {
		callID = v.Call.ID
	}
	if callID != "" {
		if out.Call, err = s.deskCall(ctx, st, callID, v.Call); err != nil {
			return err
		}
	}
	if out.Call != nil && out.Call.Caller != "" {
		cs, err := st.Customers(ctx, store.CustomerFilter{Number: normalizeNumber(out.Call.Caller), Limit: 1})
		if err != nil {
			return err
		}
		if len(cs) > 0 {
			out.Customer = &cs[0]
		}
		past, err := st.Calls(ctx, store.CallFilter{Caller: out.Call.Caller, Limit: defaultContacts + 1})
		if err != nil {
			return err
		}
		for _, p := range past {
			if p.ID != callID && len(out.Contacts) < defaultContacts {
				out.Contacts = append(out.Contacts, contactOf(p))
			}
		}
	}
	open := false
	msgs, err := st.Messages(ctx, store.MessageFilter{Target: id, Handled: &open, Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	out.OpenMessages = len(msgs)
	return c.JSON(http.StatusOK, out)
}

// deskCall joins the engine's live view of a call (nil in wrap-up) with
// its row in the calls table.
func (s *Server) deskCall(ctx context.Context, st DeskStore, id string, live *routing.DeskCall) (*deskCall, error) {
	row, err := st.Call(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if live == nil && err != nil {
		return nil, nil // the agent's call is not in the log (restored state)
	}
	dc := &deskCall{
		ID: id, Phase: "wrap_up", Caller: row.Caller, Called: row.Called, Queue: row.Queue,
		IVRPath: row.IVRPath, QueuedAt: row.QueuedAt, AnsweredAt: row.AnsweredAt,
		Transferred: row.Transfers > 0, Disposition: row.Disposition, Notes: row.Notes, FollowUp: row.FollowUp,
	}
	if row.WaitSeconds != nil {
		dc.WaitSeconds = *row.WaitSeconds
	}
	if live != nil {
		dc.Phase, dc.Caller, dc.Called, dc.Queue = live.Phase, live.Caller, live.Called, live.Queue
		dc.WaitSeconds, dc.QueuedAt, dc.AnsweredAt, dc.Vars = live.WaitSeconds, live.QueuedAt, live.AnsweredAt, live.Vars
		dc.Transferred = live.Transferred
	}
	if dc.IVRPath == nil {
		dc.IVRPath = []string{}
	}
	dc.Digits = digitsOf(dc.IVRPath)
	return dc, nil
}

// digitsOf picks the keys pressed out of an IVR path: menu choices
// ("1→support") and what collect and directory steps gathered
// ("42#→check"), one group per step, space separated.
func digitsOf(path []string) string {
	var groups []string
	for _, step := range path {
		in, _, ok := strings.Cut(step, "→")
		if ok && in != "" && strings.Trim(in, "0123456789*#") == "" {
			groups = append(groups, in)
		}
	}
	return strings.Join(groups, " ")
}

// wrapUpRequest is the body of POST /api/v1/calls/{id}/wrap-up.
type wrapUpRequest struct {
	// Agent whose wrap-up it is; empty: the caller's own (agents) or
	// whoever holds the call (leads).
	Agent       string `json:"agent"`
	Disposition string `json:"disposition"`
	Notes       string `json:"notes"`
	// FollowUp: null takes the disposition's default.
	FollowUp *bool `json:"follow_up"`
	// NotReady: after wrap-up, not ready with this reason ("" = ready).
	NotReady string `json:"not_ready"`
}

func (s *Server) wrapUp(c echo.Context) error {
	var req wrapUpRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	switch {
	case req.Disposition == "":
		return badRequest("disposition", "is required")
	case len(req.Disposition) > maxTargetLen:
		return badRequest("disposition", "is longer than %d bytes", maxTargetLen)
	case len(req.NotReady) > maxReasonLen:
		return badRequest("not_ready", "is longer than %d bytes", maxReasonLen)
	case len(req.Agent) > maxTargetLen:
		return badRequest("agent", "is longer than %d bytes", maxTargetLen)
	}
	if err := checkText("notes", req.Notes, maxNotes, true); err != nil {
		return err
	}
	if s.opt.desk == nil {
		return errNoDesk()
	}
	ds := s.opt.desk
	p := principalOf(c)
	scope, err := deskScope(p, req.Agent)
	if err != nil {
		return err
	}
	if p.Role == auth.Agent && req.Agent == "" {
		req.Agent = p.AgentID
	}
	a, err := ds.WrapUp(c.Request().Context(), routing.WrapUpRequest{
		Agent: req.Agent, Call: c.Param("id"), Disposition: req.Disposition, Notes: req.Notes,
		FollowUp: req.FollowUp, NotReady: req.NotReady, By: p.Username, Scope: scope,
	})
	if err != nil {
		return deskError(err)
	}
	return c.JSON(http.StatusOK, a)
}

// transferRequest is the body of POST /api/v1/calls/{id}/transfer.
type transferRequest struct {
	ToKind string `json:"to_kind"` // agent, queue, extension
	To     string `json:"to"`
}

func (s *Server) transfer(c echo.Context) error {
	var req transferRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	switch req.ToKind {
	case routing.TransferAgent, routing.TransferQueue, routing.TransferExtension:
	case "":
		return badRequest("to_kind", "is required: agent, queue or extension")
	default:
		return badRequest("to_kind", "must be agent, queue or extension")
	}
	switch {
	case strings.TrimSpace(req.To) == "":
		return badRequest("to", "is required")
	case len(req.To) > maxTargetLen:
		return badRequest("to", "is longer than %d bytes", maxTargetLen)
	}
	if s.opt.desk == nil {
		return errNoDesk()
	}
	ds := s.opt.desk
	p := principalOf(c)
	scope, err := deskScope(p, "")
	if err != nil {
		return err
	}
	dc, err := ds.Transfer(c.Request().Context(), routing.TransferRequest{
		Call: c.Param("id"), ToKind: req.ToKind, To: req.To, By: p.Username, Scope: scope,
	})
	if err != nil {
		return deskError(err)
	}
	return c.JSON(http.StatusOK, dc)
}

// customerRequest is the body of POST /api/v1/customers and PUT
// /api/v1/customers/{id}: the whole record. Text is kept as typed (HTML
// included); pages escape it.
type customerRequest struct {
	Name    string   `json:"name"`
	Numbers []string `json:"numbers"`
	Notes   string   `json:"notes"`
	Tags    []string `json:"tags"`
}

// customer validates the body and returns it as the store takes it.
func (r customerRequest) customer(by string) (store.Customer, error) {
	c := store.Customer{Name: strings.TrimSpace(r.Name), Notes: r.Notes, UpdatedBy: by, Numbers: []string{}, Tags: []string{}}
	if c.Name == "" {
		return c, badRequest("name", "is required")
	}
	if err := checkText("name", c.Name, maxName, false); err != nil {
		return c, err
	}
	if err := checkText("notes", c.Notes, maxNotes, true); err != nil {
		return c, err
	}
	if len(r.Numbers) > maxNumbers {
		return c, badRequest("numbers", "at most %d numbers", maxNumbers)
	}
	for _, n := range r.Numbers {
		norm := normalizeNumber(n)
		if !validNumber(norm) {
			return c, badRequest("numbers", "%q is not a phone number (digits, optionally a leading +; masked numbers cannot be saved)", n)
		}
		c.Numbers = append(c.Numbers, norm)
	}
	if len(r.Tags) > maxTags {
		return c, badRequest("tags", "at most %d tags", maxTags)
	}
	for _, t := range r.Tags {
		t = strings.TrimSpace(t)
		if t == "" {
			return c, badRequest("tags", "a tag is empty")
		}
		if err := checkText("tags", t, maxTag, false); err != nil {
			return c, err
		}
		c.Tags = append(c.Tags, t)
	}
	return c, nil
}

// checkText refuses text that is too long, not UTF-8, or holds control
// characters (newlines and tabs allowed where multiline).
func checkText(field, s string, limit int, multiline bool) error {
	switch {
	case len(s) > limit:
		return badRequest(field, "is longer than %d bytes", limit)
	case !utf8.ValidString(s):
		return badRequest(field, "is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
			return badRequest(field, "holds a control character")
		}
	}
	return nil
}

// normalizeNumber drops the spaces, dashes, dots and brackets people type
// in numbers.
func normalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

func validNumber(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if len(d) < 3 || len(d) > 20 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

func customerError(err error) error {
	var taken *store.NumberTakenError
	if errors.As(err, &taken) {
		return &Error{Status: http.StatusConflict, Code: CodeNumberTaken, Field: "numbers", Message: taken.Error()}
	}
	return err
}

// customerList is the body of GET /api/v1/customers.
type customerList struct {
	Customers []store.Customer `json:"customers"`
}

func (s *Server) listCustomers(c echo.Context) error {
	q := newQuery(c.QueryParams(), "number", "q", "limit")
	f := store.CustomerFilter{Number: normalizeNumber(q.str("number")), Name: q.str("q"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	if s.opt.desk == nil {
		return errNoDesk()
	}
	st := s.opt.deskStore
	cs, err := st.Customers(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []store.Customer{}
	}
	return c.JSON(http.StatusOK, customerList{Customers: cs})
}

// customerID parses the path's id; one that is not a number is no
// customer (404).
func customerID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "customer " + c.Param("id") + ": not found"}
	}
	return id, nil
}

func (s *Server) getCustomer(c echo.Context) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	if s.opt.desk == nil {
		return errNoDesk()
	}
	st := s.opt.deskStore
	cu, err := st.Customer(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cu)
}

func (s *Server) createCustomer(c echo.Context) error {
	var req customerRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	cu, err := req.customer(principalOf(c).Username)
	if err != nil {
		return err
	}
	if s.opt.desk == nil {
		return errNoDesk()
	}
	st := s.opt.deskStore
	cu, err = st.CreateCustomer(c.Request().Context(), cu, s.now())
	if err != nil {
		return customerError(err)
	}
	return c.JSON(http.StatusCreated, cu)
}

func (s *Server) putCustomer(c echo.Context) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	var req customerRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	cu, err := req.customer(principalOf(c).Username)
	if err != nil {
		return err
	}
	cu.ID = id
	if s.opt.desk == nil {
		return errNoDesk()
	}
	st := s.opt.deskStore
	cu, err = st.UpdateCustomer(c.Request().Context(), cu, s.now())
	if err != nil {
		return customerError(err)
	}
	return c.JSON(http.StatusOK, cu)
}

// contactList is the body of GET /api/v1/customers/{id}/contacts.
type contactList struct {
	Contacts []contact `json:"contacts"`
}

// listContacts is a customer's last calls, from any of their numbers,
// newest first.
func (s *Server) listContacts(c echo.Context) error {
	id, err := customerID(c)
	if err != nil {
		return err
	}
	q := newQuery(c.QueryParams(), "limit")
	limit := q.limit()
	if q.err != nil {
		return q.err
	}
	if limit <= 0 || limit > maxContacts {
		limit = min(max(limit, defaultContacts), maxContacts)
	}
	if s.opt.desk == nil {
		return errNoDesk()
	}
	st := s.opt.deskStore
	ctx := c.Request().Context()
	cu, err := st.Customer(ctx, id)
	if err != nil {
		return err
	}
	var all []store.Call
	for _, n := range cu.Numbers {
		calls, err := st.Calls(ctx, store.CallFilter{Caller: n, Limit: limit})
		if err != nil {
			return err
		}
		all = append(all, calls...)
	}
	// Newest first across numbers.
	sortCallsNewestFirst(all)
	out := contactList{Contacts: []contact{}}
	for i := 0; i < len(all) && i < limit; i++ {
		out.Contacts = append(out.Contacts, contactOf(all[i]))
	}
	return c.JSON(http.StatusOK, out)
}

func sortCallsNewestFirst(calls []store.Call) {
	at := func(c store.Call) time.Time {
		if c.ArrivedAt != nil {
			return *c.ArrivedAt
		}
		if c.QueuedAt != nil {
			return *c.QueuedAt
		}
		return time.Time{}
	}
	slices.SortStableFunc(calls, func(x, y store.Call) int { return at(y).Compare(at(x)) })
}
