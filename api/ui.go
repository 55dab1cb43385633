package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// The reports page: plain HTML and our own JS (SVG charts, no CDN). The UI
// shell will fold it in later.
var (
	//go:embed ui/reports.html
	reportsHTML []byte
	//go:embed ui/reports.js
	reportsJS []byte
)

func getReportsPage(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, reportsHTML)
}

func getReportsJS(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJavaScriptCharsetUTF8, reportsJS)
}

func (s *Server) uiRoutes() []route { return nil }
