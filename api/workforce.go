package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/report"
	"switchboard/workforce"
)

// Workforce (排班 / 考勤): teams' monthly schedules (a lead builds and
// publishes their team's, a supervisor any and may publish past the
// deadline with a reason), an agent's own published shifts on the desk,
// excused problem time, the adherence/attendance report and the floor
// now. The workforce service decides and writes the records through the
// engine; handlers check access and input, and audit changes.

// WorkforceService is what the workforce routes need (*workforce.Service).
type WorkforceService interface {
	Shifts() []workforce.ShiftConfig
	Holidays(month string) map[string]string
	Get(team, month string) (workforce.Schedule, error)
	List(month string) []workforce.Schedule
	Check(team, month string, entries []workforce.Entry) []error
	Save(ctx context.Context, team, month string, entries []workforce.Entry, by string) (workforce.Schedule, error)
	Publish(ctx context.Context, team, month, by string, override bool, reason string) (workforce.Schedule, error)
	Excuse(ctx context.Context, agent string, from, to time.Time, reason, by string) (workforce.ExcusedData, error)
	Mine(agent, month string) ([]workforce.Day, error)
	Report(month, group, team string) (*report.Table, error)
	Floor() []workforce.FloorTeam
}

var _ WorkforceService = (*workforce.Service)(nil)

var errNoWorkforce = missing(http.StatusNotImplemented, "not_configured", "this server keeps no schedules")

// CodeDeadline: a floor deadline passed (409); a supervisor may override.
const CodeDeadline = "deadline_passed"

// Limits on workforce input.
const (
	maxScheduleBody = 1 << 20
	maxImportErrors = 200
)

var monthRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)

type workforceHandlers struct {
	svc    WorkforceService
	agents agentReader
	aud    auditor
}

func workforceRoutes(s *Server) []route {
	h := workforceHandlers{svc: s.cfg.Workforce, agents: s.agents, aud: s.aud}
	return requires(h.svc != nil, errNoWorkforce,
		route{http.MethodGet, "/api/v1/schedules/shifts", h.shifts, signedIn},
		route{http.MethodGet, "/api/v1/schedules/mine", h.mine, floor},
		route{http.MethodGet, "/api/v1/schedules", h.list, leads},
		route{http.MethodGet, "/api/v1/schedules/:team/:month", h.get, leads},
		route{http.MethodPut, "/api/v1/schedules/:team/:month", h.save, leads},
		route{http.MethodPost, "/api/v1/schedules/:team/:month/import", h.importCSV, leads},
		route{http.MethodPost, "/api/v1/schedules/:team/:month/publish", h.publish, leads},
		route{http.MethodPost, "/api/v1/workforce/excuses", h.excuse, leads},
		route{http.MethodGet, "/api/v1/workforce/adherence", h.adherence, leads},
		route{http.MethodGet, "/api/v1/workforce/floor", h.floor, leads},
	)
}

// teamMonth reads the path's team and month; a lead acts on their own team.
func (h workforceHandlers) teamMonth(c echo.Context) (string, string, error) {
	team, month := c.Param("team"), c.Param("month")
	switch {
	case team == "" || len(team) > maxTargetLen:
		return "", "", badRequest("team", "must be 1-%d bytes", maxTargetLen)
	case !monthRE.MatchString(month):
		return "", "", badRequest("month", "must be YYYY-MM")
	}
	if p := principalOf(c); p.Role == auth.TeamLead && p.Team != team {
		return "", "", forbidden("a team lead manages their own team's schedule")
	}
	return team, month, nil
}

func (h workforceHandlers) shifts(c echo.Context) error {
	month := c.QueryParam("month")
	if month != "" && !monthRE.MatchString(month) {
		return badRequest("month", "must be YYYY-MM")
	}
	out := map[string]any{"shifts": h.svc.Shifts()}
	if month != "" {
		out["holidays"] = h.svc.Holidays(month)
	}
	return c.JSON(http.StatusOK, out)
}

func (h workforceHandlers) list(c echo.Context) error {
	q := newQuery(c.QueryParams(), "month")
	if q.err != nil {
		return q.err
	}
	month := q.str("month")
	if month != "" && !monthRE.MatchString(month) {
		return badRequest("month", "must be YYYY-MM")
	}
	p := principalOf(c)
	out := []workforce.Schedule{}
	for _, s := range h.svc.List(month) {
		if p.Role != auth.TeamLead || s.Team == p.Team {
			out = append(out, s)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"schedules": out})
}

func (h workforceHandlers) get(c echo.Context) error {
	team, month, err := h.teamMonth(c)
	if err != nil {
		return err
	}
	s, err := h.svc.Get(team, month)
	if err != nil {
		return workforceError(err)
	}
	return c.JSON(http.StatusOK, s)
}

// mine is the signed-in agent's published shifts of a month (default the
// current one is the client's to pick: month is required).
func (h workforceHandlers) mine(c echo.Context) error {
	p := principalOf(c)
	month := c.QueryParam("month")
	if !monthRE.MatchString(month) {
		return badRequest("month", "must be YYYY-MM")
	}
	agent := p.AgentID
	if agent == "" {
		return forbidden("only users who are agents have shifts")
	}
	days, err := h.svc.Mine(agent, month)
	if err != nil {
		return workforceError(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"agent": agent, "month": month, "days": days, "holidays": h.svc.Holidays(month)})
}

// scheduleRequest is the body of PUT /api/v1/schedules/{team}/{month}.
type scheduleRequest struct {
	Entries []workforce.Entry `json:"entries"`
}

type scheduleAudit struct {
	Entries  int    `json:"entries,omitempty"`
	Override bool   `json:"override,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Error    string `json:"error,omitempty"`
}

func (h workforceHandlers) save(c echo.Context) error {
	team, month, err := h.teamMonth(c)
	if err != nil {
		return err
	}
	var req scheduleRequest
	if err := decodeBodyLimit(c, &req, maxScheduleBody); err != nil {
		return err
	}
	if len(req.Entries) > workforce.MaxImportLines {
		return badRequest("entries", "at most %d entries", workforce.MaxImportLines)
	}
	return h.store(c, team, month, req.Entries)
}

func (h workforceHandlers) store(c echo.Context, team, month string, entries []workforce.Entry) error {
	target := team + "/" + month
	s, err := h.svc.Save(c.Request().Context(), team, month, entries, actor(principalOf(c)))
	if err != nil {
		h.aud.refused(c, "schedule.save", target, err, scheduleAudit{Entries: len(entries), Error: err.Error()})
		return workforceError(err)
	}
	if err := h.aud.record(c, "schedule.save", target, true, scheduleAudit{Entries: len(entries)}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

// importErrors is the body of a refused import: the first problem as the
// error, and every line's.
type importErrors struct {
	Error errorDetail            `json:"error"`
	Lines []*workforce.LineError `json:"lines"`
}

// importCSV replaces the draft with a CSV "agent,date,shift"; any bad
// line refuses the whole import (nothing half-applied), listing each.
func (h workforceHandlers) importCSV(c echo.Context) error {
	team, month, err := h.teamMonth(c)
	if err != nil {
		return err
	}
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxScheduleBody)
	raw, err := io.ReadAll(body)
	if err != nil {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodePayloadTooLarge, Field: "body", Message: "at most 1 MiB"}
	}
	entries, lines, errs := workforce.ParseCSV(strings.NewReader(string(raw)))
	for _, e := range h.svc.Check(team, month, entries) {
		var fe *workforce.FieldError
		if !errors.As(e, &fe) {
			continue
		}
		le := &workforce.LineError{Field: fe.Field, Reason: fe.Reason}
		var i int
		var rest string
		if n, _ := fmt.Sscanf(fe.Field, "entries[%d]%s", &i, &rest); n >= 1 && i < len(lines) {
			le.Line, le.Field = lines[i], strings.TrimPrefix(rest, ".")
			if le.Field == "" {
				le.Field = "line"
			}
		}
		errs = append(errs, le)
	}
	if len(errs) > 0 {
		errs = errs[:min(len(errs), maxImportErrors)]
		h.aud.refused(c, "schedule.import", team+"/"+month, errs[0], scheduleAudit{Entries: len(entries), Error: errs[0].Error()})
		return c.JSON(http.StatusBadRequest, importErrors{Error: errorDetail{Code: CodeBadRequest, Field: "body",
			Message: fmt.Sprintf("%d problem(s); first: %s", len(errs), errs[0].Error())}, Lines: errs})
	}
	return h.store(c, team, month, entries)
}

// publishRequest is the body of POST …/publish.
type publishRequest struct {
	Override bool   `json:"override,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

func (h workforceHandlers) publish(c echo.Context) error {
	team, month, err := h.teamMonth(c)
	if err != nil {
		return err
	}
	var req publishRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	p := principalOf(c)
	switch {
	case len(req.Reason) > maxNotes:
		return badRequest("reason", "is longer than %d bytes", maxNotes)
	case req.Override && p.Role != auth.Supervisor:
		return forbidden("only a supervisor publishes past the deadline")
	}
	target := team + "/" + month
	detail := scheduleAudit{Override: req.Override, Reason: req.Reason}
	s, err := h.svc.Publish(c.Request().Context(), team, month, actor(p), req.Override, req.Reason)
	if err != nil {
		detail.Error = err.Error()
		h.aud.refused(c, "schedule.publish", target, err, detail)
		return workforceError(err)
	}
	if err := h.aud.record(c, "schedule.publish", target, true, detail); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s)
}

// excuseRequest is the body of POST /api/v1/workforce/excuses.
type excuseRequest struct {
	Agent  string    `json:"agent"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Reason string    `json:"reason"`
}

func (h workforceHandlers) excuse(c echo.Context) error {
	var req excuseRequest
	if err := decodeBody(c, &req, true); err != nil {
		return err
	}
	switch {
	case req.Agent == "" || len(req.Agent) > maxTargetLen:
		return badRequest("agent", "must be 1-%d bytes", maxTargetLen)
	case len(req.Reason) > maxNotes:
		return badRequest("reason", "is longer than %d bytes", maxNotes)
	case req.From.IsZero():
		return badRequest("from", "required (RFC 3339)")
	case req.To.IsZero():
		return badRequest("to", "required (RFC 3339)")
	}
	ctx := c.Request().Context()
	p := principalOf(c)
	if p.Role == auth.TeamLead {
		peers, err := scoper{agents: h.agents}.teamAgents(ctx, p.Team)
		if err != nil {
			return err
		}
		if !containsStr(peers, req.Agent) {
			return forbidden("a team lead excuses their own team's agents")
		}
	}
	x, err := h.svc.Excuse(ctx, req.Agent, req.From, req.To, req.Reason, actor(p))
	if err != nil {
		h.aud.refused(c, "schedule.excuse", req.Agent, err, map[string]string{"error": err.Error()})
		return workforceError(err)
	}
	if err := h.aud.record(c, "schedule.excuse", req.Agent, true, x); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, x)
}

func containsStr(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}

// adherence is GET /api/v1/workforce/adherence: adherence and attendance
// of a month by agent, team or day, as JSON or CSV/XLSX (audited like
// report downloads). A lead sees their team's.
func (h workforceHandlers) adherence(c echo.Context) error {
	q := newQuery(c.QueryParams(), "month", "group", "team", "format")
	if q.err != nil {
		return q.err
	}
	month, team, format := q.str("month"), q.str("team"), q.str("format")
	if !monthRE.MatchString(month) {
		return badRequest("month", "must be YYYY-MM")
	}
	if p := principalOf(c); p.Role == auth.TeamLead {
		if team != "" && team != p.Team {
			return forbidden("a team lead sees their own team's adherence")
		}
		team = p.Team
	}
	if format != "" && format != "json" {
		if err := report.CheckFormat(format); err != nil {
			return reportError(err)
		}
	}
	t, err := h.svc.Report(month, q.str("group"), team)
	if err != nil {
		return workforceError(err)
	}
	if format == "" || format == "json" {
		return c.JSON(http.StatusOK, t)
	}
	name := fmt.Sprintf("adherence-%s-%s.%s", t.Group, month, format)
	if err := h.aud.record(c, "export.download", name, true, map[string]string{"query": c.Request().URL.RawQuery}); err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set(echo.HeaderContentType, report.ContentType(format))
	hdr.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	return report.Write(c.Response(), t, format)
}

func (h workforceHandlers) floor(c echo.Context) error {
	p := principalOf(c)
	out := []workforce.FloorTeam{}
	for _, t := range h.svc.Floor() {
		if p.Role != auth.TeamLead || t.Team == p.Team {
			out = append(out, t)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"teams": out})
}

// workforceError maps the domain's errors: field → 400, state → 409,
// deadline → 409 naming the rule, unknown → 404.
func workforceError(err error) error {
	var fe *workforce.FieldError
	var se *workforce.StateError
	var de *workforce.DeadlineError
	if e := leaveError(err); e != nil {
		return e
	}
	switch {
	case errors.As(err, &fe):
		return badRequest(fe.Field, "%s", fe.Reason)
	case errors.As(err, &se):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Field: "month", Message: se.Error()}
	case errors.As(err, &de):
		return &Error{Status: http.StatusConflict, Code: CodeDeadline, Field: de.Rule, Message: de.Error()}
	case errors.Is(err, workforce.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	}
	return err
}
