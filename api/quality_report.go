package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/report"
)

// report is GET /api/v1/quality/report: the quality summary (average and
// per-section scores, critical failures, trend, training needs) by agent
// or team for a period (this_week, last_month...), as JSON or downloaded
// as CSV/XLSX (audited like report downloads). Inspectors, supervisors
// and admins: it covers every team.
func (h qualityHandlers) report(c echo.Context) error {
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
	t, err := h.svc.Report(q.str("group"), q.str("period"), q.str("from"), q.str("to"), h.now(), time.Local)
	if err != nil {
		return reportError(err)
	}
	if format == "" || format == "json" {
		return c.JSON(http.StatusOK, t)
	}
	name := fmt.Sprintf("quality-%s-%s_%s.%s", t.Group, t.From, t.To, format)
	if err := h.aud.record(c, "export.download", name, true, map[string]string{"query": c.Request().URL.RawQuery}); err != nil {
		return err
	}
	hdr := c.Response().Header()
	hdr.Set(echo.HeaderContentType, report.ContentType(format))
	hdr.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)
	return report.Write(c.Response(), t, format)
}
