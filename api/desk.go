package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

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
	SaveDraft(ctx context.Context, r routing.WrapDraftRequest) (*routing.WrapDraft, error)
	ExtendWrapUp(ctx context.Context, agent string, scope routing.Scope) (routing.DeskView, error)
}

// DeskStore is what the desk reads in the store (*store.Store):
// customers, the caller's past calls and the agent's messages.
type DeskStore interface {
	Call(ctx context.Context, id string) (store.Call, error)
	Calls(ctx context.Context, f store.CallFilter) ([]store.Call, error)
	Messages(ctx context.Context, f store.MessageFilter) ([]store.Message, error)
	Customers(ctx context.Context, f store.CustomerFilter) ([]store.Customer, error)
	Customer(ctx context.Context, id int64) (store.Customer, error)
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

// deskHandlers serves the agent desk; svc and st are both nil when the
// server has none (each route answers 501).
type deskHandlers struct {
	svc DeskService
	st  DeskStore
	now func() time.Time
}

func (s *Server) deskRoutes() []route {
	h := deskHandlers{svc: s.opt.desk, st: s.opt.deskStore, now: s.now}
	cu := customerHandlers{st: s.opt.deskStore, save: s.cfg.Customers, scope: s.scope, aud: s.aud, masks: s.masks, searches: s.search}
	return []route{
		{http.MethodGet, "/api/v1/agents/:id/desk", h.getDesk, floor},
		{http.MethodPost, "/api/v1/calls/:id/wrap-up", h.wrapUp, floor},
		{http.MethodPut, "/api/v1/calls/:id/wrap-up/draft", h.saveDraft, floor},
		{http.MethodPost, "/api/v1/agents/:id/wrap-up/extend", h.extendWrapUp, floor},
		{http.MethodPost, "/api/v1/calls/:id/transfer", h.transfer, floor},
		{http.MethodGet, "/api/v1/customers", cu.listCustomers, floor},
		{http.MethodPost, "/api/v1/customers", cu.createCustomer, floor},
		{http.MethodGet, "/api/v1/customers/:id", cu.getCustomer, floor},
		{http.MethodPut, "/api/v1/customers/:id", cu.putCustomer, floor},
		// Agents see a caller's history on their desk, for the caller
		// they serve; browsing any customer's calls is for leads.
		{http.MethodGet, "/api/v1/customers/:id/contacts", cu.listContacts, leads},
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
	Now          time.Time          `json:"now"`
	Agent        routing.AgentView  `json:"agent"`
	StateSeconds float64            `json:"state_seconds"`
	Call         *deskCall          `json:"call"`
	WrapUpEnds   *time.Time         `json:"wrap_up_ends,omitempty"`
	WrapUpLeft   *float64           `json:"wrap_up_left_seconds,omitempty"`
	WrapUpExtend float64            `json:"wrap_up_extend_seconds,omitempty"`
	Draft        *routing.WrapDraft `json:"draft,omitempty"`
	DefaultPhone string             `json:"default_endpoint,omitempty"`
	Allowance    *float64           `json:"allowance_seconds,omitempty"`
	AllowLeft    *float64           `json:"allowance_left_seconds,omitempty"`
	// Callback is the callback preview the agent is reserved for; its
	// customer and contacts are then the callback number's.
	Callback     *routing.WorkItemView `json:"callback,omitempty"`
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
	// Direction is inbound or outbound; an outbound call also has the
	// number dialled, its purpose, the trunk and the tries so far
	// (docs/outbound.md). Phase is then calling_agent, ringing_agent,
	// dialling, ringing, talking or wrap_up.
	Direction string `json:"direction"`
	Number    string `json:"number,omitempty"`
	Purpose   string `json:"purpose,omitempty"`
	Trunk     string `json:"trunk,omitempty"`
	Attempts  int    `json:"attempts,omitempty"`
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

func (h deskHandlers) getDesk(c echo.Context) error {
	if h.svc == nil {
		return errNoDesk()
	}
	ds, st := h.svc, h.st
	ctx, id := c.Request().Context(), c.Param("id")
	v, err := ds.Desk(ctx, id)
	if err != nil {
		return unknownAgent(principalOf(c), id, err)
	}
	if err := agentScope(principalOf(c), id, v.Agent.Team); err != nil {
		return err
	}
	now := h.now()
	out := deskView{
		Now: now, Agent: v.Agent, StateSeconds: max(0, now.Sub(v.Agent.Since).Seconds()),
		WrapUpEnds: v.WrapUpEnds, WrapUpExtend: v.WrapUpExtendSeconds, Draft: v.Draft, DefaultPhone: v.DefaultEndpoint, Allowance: v.AllowanceSeconds, AllowLeft: v.AllowanceLeftSeconds,
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
		if out.Call, err = h.deskCall(ctx, st, callID, v.Call); err != nil {
			return err
		}
	}
	who := ""
	switch {
	case out.Call != nil:
		who = out.Call.Caller
	case v.Callback != nil:
		out.Callback, who = v.Callback, v.Callback.Number
	}
	if who != "" {
		cs, err := st.Customers(ctx, store.CustomerFilter{Number: normalizeNumber(who), Limit: 1})
		if err != nil {
			return err
		}
		if len(cs) > 0 {
			out.Customer = &cs[0]
		}
		past, err := st.Calls(ctx, store.CallFilter{Caller: who, Limit: defaultContacts + 1})
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
func (h deskHandlers) deskCall(ctx context.Context, st DeskStore, id string, live *routing.DeskCall) (*deskCall, error) {
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
		Direction: row.Direction, Trunk: row.Trunk, Attempts: row.Attempts,
	}
	if dc.Direction == "" {
		dc.Direction = routing.DirectionInbound
	}
	if dc.Direction == routing.DirectionOutbound {
		dc.Number = row.Called
	}
	if row.WaitSeconds != nil {
		dc.WaitSeconds = *row.WaitSeconds
	}
	if live != nil {
		dc.Phase, dc.Caller, dc.Called, dc.Queue = live.Phase, live.Caller, live.Called, live.Queue
		dc.WaitSeconds, dc.QueuedAt, dc.AnsweredAt, dc.Vars = live.WaitSeconds, live.QueuedAt, live.AnsweredAt, live.Vars
		dc.Transferred = live.Transferred
		if live.Direction != "" {
			dc.Direction, dc.Number, dc.Purpose, dc.Trunk, dc.Attempts = live.Direction, live.Number, live.Purpose, live.Trunk, live.Attempts
		}
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

func (h deskHandlers) wrapUp(c echo.Context) error {
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
	if h.svc == nil {
		return errNoDesk()
	}
	ds := h.svc
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

// draftRequest is the body of PUT /api/v1/calls/{id}/wrap-up/draft: what
// the agent has typed so far (disposition may be empty).
type draftRequest struct {
	Agent       string `json:"agent"`
	Disposition string `json:"disposition"`
	Notes       string `json:"notes"`
	FollowUp    *bool  `json:"follow_up"`
}

func (h deskHandlers) saveDraft(c echo.Context) error {
	var req draftRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	switch {
	case len(req.Disposition) > maxTargetLen:
		return badRequest("disposition", "is longer than %d bytes", maxTargetLen)
	case len(req.Agent) > maxTargetLen:
		return badRequest("agent", "is longer than %d bytes", maxTargetLen)
	}
	if err := checkText("notes", req.Notes, maxNotes, true); err != nil {
		return err
	}
	if h.svc == nil {
		return errNoDesk()
	}
	p := principalOf(c)
	scope, err := deskScope(p, req.Agent)
	if err != nil {
		return err
	}
	if req.Agent == "" {
		req.Agent = p.AgentID
	}
	if req.Agent == "" {
		return badRequest("agent", "is required")
	}
	d, err := h.svc.SaveDraft(c.Request().Context(), routing.WrapDraftRequest{
		Agent: req.Agent, Call: c.Param("id"), Disposition: req.Disposition, Notes: req.Notes,
		FollowUp: req.FollowUp, Scope: scope,
	})
	if err != nil {
		return deskError(err)
	}
	return c.JSON(http.StatusOK, d)
}

// extendWrapUp is POST /api/v1/agents/{id}/wrap-up/extend: the queue's
// wrap_up_extend, once per call.
func (h deskHandlers) extendWrapUp(c echo.Context) error {
	if h.svc == nil {
		return errNoDesk()
	}
	id := c.Param("id")
	scope, err := deskScope(principalOf(c), id)
	if err != nil {
		return err
	}
	v, err := h.svc.ExtendWrapUp(c.Request().Context(), id, scope)
	if err != nil {
		return deskError(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"wrap_up_ends": v.WrapUpEnds})
}

// transferRequest is the body of POST /api/v1/calls/{id}/transfer.
type transferRequest struct {
	ToKind string `json:"to_kind"` // agent, queue, extension
	To     string `json:"to"`
}

func (h deskHandlers) transfer(c echo.Context) error {
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
	if h.svc == nil {
		return errNoDesk()
	}
	ds := h.svc
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
