package api

import (
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// The web UI: plain HTML, CSS and our own JS, embedded, no CDN. Pages are
// public files: each checks the session through the API (common.js) and
// the API enforces every permission.
//
//go:embed ui
var uiFS embed.FS

var (
	reportsHTML = mustRead("ui/reports.html")
	reportsJS   = mustRead("ui/reports.js")
)

func mustRead(name string) []byte {
	b, err := fs.ReadFile(uiFS, name)
	if err != nil {
		panic(err)
	}
	return b
}

// uiCSP keeps pages to our own scripts: no inline script, no other origin.
const uiCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; media-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func uiHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", uiCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}

func (s *Server) uiRoutes() []route {
	return []route{
		{http.MethodGet, "/", redirectToUI, public},
		{http.MethodGet, "/ui", redirectToUI, public},
		{http.MethodGet, "/ui/*", getUIFile, public},
	}
}

func redirectToUI(c echo.Context) error { return c.Redirect(http.StatusFound, "/ui/home") }

// getUIFile serves /ui/<name>: <name>.html for a page, or the file itself.
func getUIFile(c echo.Context) error {
	name := c.Param("*")
	if name == "" {
		name = "home"
	}
	if strings.Contains(name, "/") || strings.HasPrefix(name, ".") {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no such page"}
	}
	if path.Ext(name) == "" {
		name += ".html"
	}
	b, err := fs.ReadFile(uiFS, "ui/"+name)
	if err != nil {
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "no such page"}
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = echo.MIMEOctetStream
	}
	uiHeaders(c)
	return c.Blob(http.StatusOK, ct, b)
}

func getReportsPage(c echo.Context) error {
	uiHeaders(c)
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, reportsHTML)
}

func getReportsJS(c echo.Context) error {
	uiHeaders(c)
	return c.Blob(http.StatusOK, echo.MIMEApplicationJavaScriptCharsetUTF8, reportsJS)
}
