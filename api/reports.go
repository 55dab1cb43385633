package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/report"
	"switchboard/store"
)

// ReportService is what the report routes need: report tables and the
// export schedules' runs.
type ReportService interface {
	Build(ctx context.Context, req report.Request) (*report.Table, error)
	ExportRuns(ctx context.Context, schedule string, limit int) ([]store.ExportRun, error)
}

// CodeNotAvailable is the error code of a grouping whose data the engine
// does not produce yet (trunks, dispositions).
const CodeNotAvailable = "not_available"

// reportHandlers serves the report and export routes; svc is nil when
// reports are not configured (they answer 503; the catalogue and the page
// still load).
type reportHandlers struct {
	svc ReportService
	aud auditor
	log *slog.Logger
}

func (s *Server) reportRoutes() []route {
	h := reportHandlers{svc: s.cfg.Reports, aud: s.aud, log: s.log}
	return []route{
		{http.MethodGet, "/api/v1/reports", listReports, reporters},
		{http.MethodGet, "/api/v1/reports/:name", h.getReport, reporters},
		{http.MethodGet, "/api/v1/exports/runs", h.listExportRuns, allow(auth.Supervisor, auth.Admin)},
		{http.MethodGet, "/ui/reports", getReportsPage, public},
		{http.MethodGet, "/ui/reports/reports.js", getReportsJS, public},
	}
}

// reporters: who reads reports (team leads see every team's figures:
// reports are aggregates, with no caller numbers).
var reporters = allow(auth.TeamLead, auth.Supervisor, auth.Quality, auth.Admin)

// reportCatalog is the body of GET /api/v1/reports.
type reportCatalog struct {
	Reports     []report.Definition `json:"reports"`
	Periods     []string            `json:"periods"`
	Unavailable []string            `json:"unavailable_groups"`
	MaxDays     int                 `json:"max_days"`
}

func listReports(c echo.Context) error {
	return c.JSON(http.StatusOK, reportCatalog{Reports: report.Reports, Periods: report.Periods,
		Unavailable: report.UnavailableGroups, MaxDays: report.MaxDays})
}

func (h reportHandlers) reportService() (ReportService, error) {
	if h.svc == nil {
		return nil, errNoReports()
	}
	return h.svc, nil
}

func (h reportHandlers) getReport(c echo.Context) error {
	q := newQuery(c.QueryParams(), "group", "period", "from", "to", "format", "lang")
	if q.err != nil {
		return q.err
	}
	// Headers in the language asked for, else the user's.
	lang := q.str("lang")
	if lang == "" {
		lang = principalOf(c).Lang
	} else if !slices.Contains(report.Languages, lang) {
		return badRequest("lang", "must be one of %s", strings.Join(report.Languages, ", "))
	}
	rs, err := h.reportService()
	if err != nil {
		return err
	}
	format := q.str("format")
	if format != "" && format != "json" {
		if err := report.CheckFormat(format); err != nil {
			return reportError(err)
		}
	}
	t, err := rs.Build(c.Request().Context(), report.Request{
		Report: c.Param("name"), Group: q.str("group"), Period: q.str("period"), From: q.str("from"), To: q.str("to"),
	})
	if err != nil {
		return reportError(err)
	}
	t = t.Localized(lang)
	if format == "" || format == "json" {
		return c.JSON(http.StatusOK, t)
	}
	name := fmt.Sprintf("%s-%s-%s_%s.%s", t.Report, t.Group, t.From, t.To, format)
	if err := h.aud.record(c, "export.download", name, true, map[string]string{"query": c.Request().URL.RawQuery}); err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set(echo.HeaderContentType, report.ContentType(format))
	hdr.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if err := report.Write(c.Response(), t, format); err != nil {
		h.log.Warn("report download failed midway", "report", t.Report, "err", err)
	}
	return nil
}

// reportError maps the report package's request errors to 400s naming the
// parameter ("report" for the path's name).
func reportError(err error) error {
	var fe *report.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	e := badRequest(fe.Field, "%s", fe.Message)
	if errors.Is(err, report.ErrNotAvailable) {
		e.Code = CodeNotAvailable
	}
	return e
}

// exportRunList is the body of GET /api/v1/exports/runs.
type exportRunList struct {
	Runs []store.ExportRun `json:"runs"`
}

func (h reportHandlers) listExportRuns(c echo.Context) error {
	q := newQuery(c.QueryParams(), "schedule", "limit")
	limit := 100
	if v := q.str("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxLimit {
			q.fail(badRequest("limit", "must be a whole number from 1 to %d", store.MaxLimit))
		}
		limit = n
	}
	if q.err != nil {
		return q.err
	}
	rs, err := h.reportService()
	if err != nil {
		return err
	}
	runs, err := rs.ExportRuns(c.Request().Context(), q.str("schedule"), limit)
	if err != nil {
		return err
	}
	if runs == nil {
		runs = []store.ExportRun{}
	}
	return c.JSON(http.StatusOK, exportRunList{Runs: runs})
}
