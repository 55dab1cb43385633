package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/quality"
	"switchboard/report"
	"switchboard/store"
)

// Quality inspection (质检): scoring forms, evaluations of recordings
// (scored by inspectors, acknowledged or disputed by the agent, disputes
// settled by a lead) and the monthly sampling. Scoped like recordings:
// inspectors and supervisors all, team leads their team's, agents their
// own scored evaluations. The quality service decides and writes the
// records through the engine; handlers check access and input, and audit.

// QualityService is what the quality routes need (*quality.Service).
type QualityService interface {
	Forms() []quality.Form
	Form(id string, v int) (quality.Form, bool)
	Score(ctx context.Context, r quality.ScoreRequest) (quality.Evaluation, error)
	Acknowledge(ctx context.Context, r quality.StepRequest) (quality.Evaluation, error)
	Dispute(ctx context.Context, r quality.StepRequest) (quality.Evaluation, error)
	Settle(ctx context.Context, r quality.StepRequest) (quality.Evaluation, error)
	Get(id string) (quality.Evaluation, bool)
	List(f quality.Filter) []quality.Evaluation
	Sample(ctx context.Context, in quality.SampleInput) (quality.SampledData, error)
	Sampled(month string) (quality.SampledData, bool)
	SamplingConfig() quality.SamplingConfig
	Report(group, period, from, to string, now time.Time, loc *time.Location) (*report.Table, error)
}

var _ QualityService = (*quality.Service)(nil)

var errNoQuality = missing(http.StatusNotImplemented, "not_configured", "this server does no quality inspection")

var (
	evalViewers = allow(auth.Agent, auth.TeamLead, auth.Supervisor, auth.Quality)
	// scorers: inspectors, supervisors, and leads on their own team.
	scorers  = allow(auth.Quality, auth.Supervisor, auth.TeamLead)
	samplers = allow(auth.Quality, auth.Supervisor)
)

// Limits on quality input.
const (
	maxAnswers     = 200
	maxSamplePages = 200 // pages of store.MaxLimit read for a month's draw
)

type qualityHandlers struct {
	svc   QualityService
	index RecordingIndex
	calls Reader
	scope scoper
	aud   auditor
	now   func() time.Time
}

func qualityRoutes(s *Server) []route {
	h := qualityHandlers{svc: s.cfg.Quality, index: s.opt.recordings, calls: s.store, scope: s.scope, aud: s.aud, now: s.now}
	return requires(h.svc != nil, errNoQuality,
		route{http.MethodGet, "/api/v1/quality/forms", h.forms, signedIn},
		route{http.MethodGet, "/api/v1/quality/forms/:id", h.form, signedIn},
		route{http.MethodGet, "/api/v1/quality/evaluations", h.list, evalViewers},
		route{http.MethodPost, "/api/v1/quality/evaluations", h.create, scorers},
		route{http.MethodGet, "/api/v1/quality/evaluations/:id", h.get, evalViewers},
		route{http.MethodPost, "/api/v1/quality/evaluations/:id/score", h.rescore, scorers},
		route{http.MethodPost, "/api/v1/quality/evaluations/:id/acknowledge", h.acknowledge, allow(auth.Agent, auth.TeamLead)},
		route{http.MethodPost, "/api/v1/quality/evaluations/:id/dispute", h.dispute, allow(auth.Agent, auth.TeamLead)},
		route{http.MethodPost, "/api/v1/quality/evaluations/:id/settle", h.settle, allow(auth.TeamLead, auth.Supervisor)},
		route{http.MethodGet, "/api/v1/quality/report", h.report, allow(auth.Quality, auth.Supervisor, auth.Admin)},
		route{http.MethodGet, "/api/v1/quality/sampling", h.sampling, allow(auth.Quality, auth.Supervisor, auth.TeamLead)},
		route{http.MethodPost, "/api/v1/quality/sampling", h.sample, samplers},
	)
}

func (h qualityHandlers) forms(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"forms": h.svc.Forms()})
}

func (h qualityHandlers) form(c echo.Context) error {
	q := newQuery(c.QueryParams(), "version")
	v := 0
	if s := q.str("version"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return badRequest("version", "must be a whole number from 1")
		}
		v = n
	}
	if q.err != nil {
		return q.err
	}
	f, ok := h.svc.Form(c.Param("id"), v)
	if !ok {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no form " + strconv.Quote(c.Param("id"))}
	}
	return c.JSON(http.StatusOK, f)
}

// evalScope is what p may see of evaluations.
type evalScope struct {
	all   bool
	agent string
	team  string
	peers []string // a lead's team's agents
}

func (h qualityHandlers) evalScope(ctx context.Context, p auth.Principal) (evalScope, error) {
	switch p.Role {
	case auth.Supervisor, auth.Quality:
		return evalScope{all: true}, nil
	case auth.TeamLead:
		peers, err := h.scope.teamAgents(ctx, p.Team)
		return evalScope{agent: p.AgentID, team: p.Team, peers: peers}, err
	}
	return evalScope{agent: p.AgentID}, nil
}

func (sc evalScope) sees(e quality.Evaluation) bool {
	switch {
	case sc.all:
		return true
	case sc.agent != "" && e.Agent == sc.agent:
		return e.State != quality.StateDue // an agent learns of an evaluation once scored
	case sc.team != "" && e.Team == sc.team, slices.Contains(sc.peers, e.Agent):
		return true
	}
	return false
}

// evalPage is GET /api/v1/quality/evaluations' body.
type evalPage struct {
	Evaluations []quality.Evaluation `json:"evaluations"`
	Total       int                  `json:"total"`
}

func (h qualityHandlers) list(c echo.Context) error {
	q := newQuery(c.QueryParams(), "state", "agent", "inspector", "month", "limit", "offset")
	f := quality.Filter{State: quality.State(q.str("state")), Agent: q.str("agent"), Inspector: q.str("inspector"), Month: q.str("month")}
	limit := q.limit()
	if limit == 0 {
		limit = store.DefaultLimit
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
	if f.State != "" && !slices.Contains(quality.States, f.State) {
		return badRequest("state", "must be one of due, scored, acknowledged, disputed, settled")
	}
	if f.Month != "" {
		if _, err := time.Parse("2006-01", f.Month); err != nil {
			return badRequest("month", "must be a month such as 2026-11")
		}
	}
	sc, err := h.evalScope(c.Request().Context(), principalOf(c))
	if err != nil {
		return err
	}
	out := []quality.Evaluation{}
	for _, e := range h.svc.List(f) {
		if sc.sees(e) {
			out = append(out, e)
		}
	}
	page := evalPage{Total: len(out), Evaluations: []quality.Evaluation{}}
	if offset < len(out) {
		page.Evaluations = out[offset:min(len(out), offset+limit)]
	}
	return c.JSON(http.StatusOK, page)
}

// visible is the evaluation id names if p may see it; else a 404.
func (h qualityHandlers) visible(c echo.Context) (quality.Evaluation, evalScope, error) {
	id := c.Param("id")
	if len(id) > maxTargetLen {
		return quality.Evaluation{}, evalScope{}, badRequest("id", "is longer than %d bytes", maxTargetLen)
	}
	sc, err := h.evalScope(c.Request().Context(), principalOf(c))
	if err != nil {
		return quality.Evaluation{}, sc, err
	}
	e, ok := h.svc.Get(id)
	if !ok || !sc.sees(e) {
		return quality.Evaluation{}, sc, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no evaluation " + strconv.Quote(id)}
	}
	return e, sc, nil
}

func (h qualityHandlers) get(c echo.Context) error {
	e, _, err := h.visible(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, e)
}

// scoreRequest is the body of POST /api/v1/quality/evaluations (with
// recording) and .../{id}/score (without).
type scoreRequest struct {
	Recording string            `json:"recording,omitempty"`
	Form      string            `json:"form,omitempty"`
	Answers   map[string]int    `json:"answers"`
	Comments  []quality.Comment `json:"comments,omitempty"`
}

func (r *scoreRequest) check() error {
	switch {
	case len(r.Recording) > maxTargetLen:
		return badRequest("recording", "is longer than %d bytes", maxTargetLen)
	case len(r.Form) > maxTargetLen:
		return badRequest("form", "is longer than %d bytes", maxTargetLen)
	case len(r.Answers) == 0:
		return badRequest("answers", "required: a value for every item of the form")
	case len(r.Answers) > maxAnswers:
		return badRequest("answers", "at most %d", maxAnswers)
	case len(r.Comments) > quality.MaxComments:
		return badRequest("comments", "at most %d", quality.MaxComments)
	}
	return nil
}

// qualityAudit is the audit entry's detail.
type qualityAudit struct {
	Recording string  `json:"recording,omitempty"`
	Agent     string  `json:"agent,omitempty"`
	Score     float64 `json:"score,omitempty"`
	Outcome   string  `json:"outcome,omitempty"`
	Month     string  `json:"month,omitempty"`
	Error     string  `json:"error,omitempty"`
}

func (h qualityHandlers) create(c echo.Context) error {
	var req scoreRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	if req.Recording == "" {
		return badRequest("recording", "required")
	}
	ref, err := h.recording(c, req.Recording)
	if err != nil {
		return err
	}
	p := principalOf(c)
	return h.saved(c, "quality.score", quality.ScoreRequest{Recording: ref, Form: req.Form, Answers: req.Answers,
		Comments: req.Comments, By: actor(p)}, http.StatusCreated)
}

// recording is the recording id names, if p may evaluate it: a lead only
// their team's (403 naming the field), no one a deleted one.
func (h qualityHandlers) recording(c echo.Context, id string) (quality.RecordingRef, error) {
	if h.index == nil {
		return quality.RecordingRef{}, errNoRecordingIndex()
	}
	r, err := h.index.Recording(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return quality.RecordingRef{}, &Error{Status: http.StatusNotFound, Code: CodeNotFound, Field: "recording", Message: "no recording " + strconv.Quote(id)}
	}
	if err != nil {
		return quality.RecordingRef{}, err
	}
	p := principalOf(c)
	ok, err := h.scope.agentInScope(c.Request().Context(), p, r.Agent)
	if err != nil {
		return quality.RecordingRef{}, err
	}
	if !ok && p.Role == auth.TeamLead && p.Team != "" && r.Team == p.Team {
		ok = true
	}
	if !ok || (p.Role == auth.TeamLead && r.Agent == p.AgentID) {
		return quality.RecordingRef{}, &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "recording",
			Message: "recording " + id + " is not one you may evaluate (another team's, or your own)"}
	}
	if r.DeletedAt != nil {
		return quality.RecordingRef{}, badRequest("recording", "recording %s was deleted", id)
	}
	return quality.RecordingRef{ID: r.ID, Call: r.CallID, Agent: r.Agent, Team: r.Team, Queue: r.Queue}, nil
}

func (h qualityHandlers) rescore(c echo.Context) error {
	var req scoreRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	if req.Recording != "" {
		return badRequest("recording", "an evaluation's recording is fixed; leave it out")
	}
	e, sc, err := h.visible(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	if !sc.all && (e.Agent == p.AgentID || !slices.Contains(sc.peers, e.Agent) && e.Team != p.Team) {
		return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Field: "id", Message: "evaluation " + e.ID + " is not one you may score"}
	}
	return h.saved(c, "quality.score", quality.ScoreRequest{ID: e.ID, Form: req.Form, Answers: req.Answers,
		Comments: req.Comments, By: actor(p)}, http.StatusOK)
}

func (h qualityHandlers) saved(c echo.Context, action string, r quality.ScoreRequest, status int) error {
	e, err := h.svc.Score(c.Request().Context(), r)
	detail := qualityAudit{Recording: r.Recording.ID, Agent: r.Recording.Agent}
	if err != nil {
		detail.Error = err.Error()
		h.aud.refused(c, action, r.ID, err, detail)
		return qualityError(err)
	}
	detail.Recording, detail.Agent, detail.Score = e.Recording, e.Agent, e.Score
	if err := h.aud.record(c, action, e.ID, true, detail); err != nil {
		return err
	}
	return c.JSON(status, e)
}

// stepRequest is the body of acknowledge, dispute and settle.
type stepRequest struct {
	Reason  string   `json:"reason,omitempty"`
	Outcome string   `json:"outcome,omitempty"`
	Score   *float64 `json:"score,omitempty"`
}

func (h qualityHandlers) acknowledge(c echo.Context) error {
	return h.step(c, "quality.acknowledge", h.svc.Acknowledge, true)
}

func (h qualityHandlers) dispute(c echo.Context) error {
	return h.step(c, "quality.dispute", h.svc.Dispute, true)
}

func (h qualityHandlers) settle(c echo.Context) error {
	return h.step(c, "quality.settle", h.svc.Settle, false)
}

// step runs an agent's (own: the evaluated agent only) or a lead's
// (settle: their team's, not their own) step.
func (h qualityHandlers) step(c echo.Context, action string, do func(context.Context, quality.StepRequest) (quality.Evaluation, error), own bool) error {
	var req stepRequest
	if err := decodeBody(c, &req, !own); err != nil {
		return err
	}
	switch {
	case len(req.Reason) > quality.MaxReason:
		return badRequest("reason", "at most %d bytes", quality.MaxReason)
	case own && (req.Outcome != "" || req.Score != nil):
		return badRequest("outcome", "outcome and score are for settling a dispute")
	case !own && req.Outcome == quality.Changed && req.Score == nil:
		return badRequest("score", "required when the outcome is changed")
	case !own && req.Outcome == quality.Upheld && req.Score != nil:
		return badRequest("score", "an upheld score is not changed; leave score out")
	}
	e, _, err := h.visible(c)
	if err != nil {
		return err
	}
	p := principalOf(c)
	if own && (p.AgentID == "" || e.Agent != p.AgentID) {
		return forbidden("only the evaluated agent answers evaluation " + e.ID)
	}
	if !own && p.Role == auth.TeamLead && e.Agent == p.AgentID {
		return forbidden("a lead does not settle a dispute of their own evaluation")
	}
	r := quality.StepRequest{ID: e.ID, By: actor(p), Reason: req.Reason, Outcome: req.Outcome}
	if req.Score != nil {
		r.Score = *req.Score
	}
	out, err := do(c.Request().Context(), r)
	detail := qualityAudit{Agent: e.Agent, Outcome: req.Outcome}
	if err != nil {
		detail.Error = err.Error()
		h.aud.refused(c, action, e.ID, err, detail)
		return qualityError(err)
	}
	detail.Score = out.Score
	if err := h.aud.record(c, action, e.ID, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// qualityError maps the domain's errors: field → 400, transition → 409,
// unknown → 404.
func qualityError(err error) error {
	var fe *quality.FieldError
	var te *quality.TransitionError
	switch {
	case errors.As(err, &fe):
		return badRequest(fe.Field, "%s", fe.Reason)
	case errors.As(err, &te):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Message: te.Error()}
	case errors.Is(err, quality.ErrAlreadySampled):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Field: "month", Message: err.Error()}
	case errors.Is(err, quality.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	}
	return err
}
