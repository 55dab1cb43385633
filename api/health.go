package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// getHealth answers 200 {"status":"ok", ...details} or 503 with status
// "unavailable" when the health callback says not ok.
func (s *Server) getHealth(c echo.Context) error {
	details, ok := s.health(c.Request().Context())
	body := make(map[string]any, len(details)+1)
	for k, v := range details {
		body[k] = v
	}
	code := http.StatusOK
	body["status"] = "ok"
	if !ok {
		code = http.StatusServiceUnavailable
		body["status"] = "unavailable"
	}
	return c.JSON(code, body)
}
