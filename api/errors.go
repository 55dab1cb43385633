package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"switchboard/auth"
	"switchboard/routing"
	"switchboard/store"
)

// Error codes in error responses.
const (
	CodeBadRequest        = "bad_request"
	CodeNotFound          = "not_found"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodeInvalidTransition = "invalid_transition"
	CodePayloadTooLarge   = "payload_too_large"
	CodeUnavailable       = "unavailable"
	CodeInternal          = "internal"
)

// Error is an error with its HTTP form. Handlers return it for problems they
// find themselves (bad query parameters, bad bodies); errors from the engine
// and the store are mapped in httpError.
type Error struct {
	Status  int
	Code    string
	Message string
	Field   string // the body field or query parameter at fault, if one is
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// errorBody is the JSON every error response carries.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func badRequest(field, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: field, Message: fmt.Sprintf(format, args...)}
}

// handleError is the one Echo HTTPErrorHandler: it writes err as the JSON
// error body with the status httpError picks.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		s.log.Debug("error after response was sent", "path", c.Request().URL.Path, "err", err)
		return
	}
	e := httpError(err)
	var lim *auth.LimitedError
	if errors.As(err, &lim) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(lim.RetryAfter.Seconds()))))
	}
	if e.Status >= http.StatusInternalServerError {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path,
			"route", c.Path(), "status", e.Status, "err", err)
	}
	body := errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}}
	var werr error
	if c.Request().Method == http.MethodHead {
		werr = c.NoContent(e.Status)
	} else {
		werr = c.JSON(e.Status, body)
	}
	if werr != nil {
		s.log.Debug("writing error response failed", "err", werr)
	}
}

// httpError maps an error to its HTTP form. Anything unknown is a 500 with a
// generic message: the details go to the log, not to the client.
func httpError(err error) *Error {
	var (
		apiErr   *Error
		fieldErr *routing.FieldError
		transErr *routing.TransitionError
		polErr   *routing.PolicyError
		cfgErr   *routing.ConfigError
		maxErr   *http.MaxBytesError
		echoErr  *echo.HTTPError
		authErr  *auth.FieldError
		limErr   *auth.LimitedError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &authErr):
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: authErr.Field, Message: authErr.Reason}
	case errors.Is(err, auth.ErrBadCredentials):
		return &Error{Status: http.StatusUnauthorized, Code: CodeBadCredentials, Message: "wrong username or password"}
	case errors.As(err, &limErr):
		return &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited,
			Message: "too many failed sign-ins; try again in " + limErr.RetryAfter.Round(time.Second).String()}
	case errors.Is(err, auth.ErrNoSession):
		return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: "session expired or token unknown; sign in again"}
	case errors.Is(err, auth.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	case errors.Is(err, auth.ErrTooManyTokens):
		return &Error{Status: http.StatusConflict, Code: "too_many_tokens", Message: err.Error()}
	case errors.As(err, &fieldErr):
		return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Field: fieldErr.Field, Message: fieldErr.Reason}
	case errors.As(err, &transErr):
		return &Error{Status: http.StatusConflict, Code: CodeInvalidTransition, Message: transErr.Error()}
	case errors.As(err, &polErr):
		status := http.StatusConflict
		if polErr.Code == routing.CodeEndpointNotDeclared {
			status = http.StatusForbidden // not a state to wait out: never allowed
		}
		return &Error{Status: status, Code: polErr.Code, Field: polErr.Field, Message: polErr.Message}
	case errors.As(err, &cfgErr):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_config", Field: "config", Message: cfgErr.Err.Error()}
	case errors.Is(err, routing.ErrUnknownAgent), errors.Is(err, routing.ErrUnknownCalendar), errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()}
	case errors.Is(err, routing.ErrStopped):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "the routing engine is stopped"}
	case errors.As(err, &maxErr):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodePayloadTooLarge,
			Message: fmt.Sprintf("request body is larger than %d bytes", maxErr.Limit)}
	case errors.As(err, &echoErr):
		return echoHTTPError(echoErr)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "request cancelled or timed out"}
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}
}

// echoHTTPError maps Echo's own errors (no route, wrong method).
func echoHTTPError(e *echo.HTTPError) *Error {
	out := &Error{Status: e.Code, Message: strings.ToLower(http.StatusText(e.Code))}
	switch e.Code {
	case http.StatusNotFound:
		out.Code, out.Message = CodeNotFound, "no such route"
	case http.StatusMethodNotAllowed:
		out.Code, out.Message = CodeMethodNotAllowed, "method not allowed on this route"
	case http.StatusRequestEntityTooLarge:
		out.Code = CodePayloadTooLarge
	case http.StatusServiceUnavailable:
		out.Code = CodeUnavailable
	default:
		if e.Code >= 500 || e.Code < 400 {
			return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}
		}
		out.Code = CodeBadRequest
	}
	return out
}

// bodyError turns what json.Decoder reports into a 400 naming the field
// when the decoder says which, or a 413 for a body over the limit.
func bodyError(err error) error {
	var (
		maxErr    *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return err
	case errors.As(err, &syntaxErr):
		return badRequest("", "malformed JSON at byte %d", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "truncated JSON body")
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badRequest("", "body must be a JSON object, not %s", typeErr.Value)
		}
		return badRequest(typeErr.Field, "must be %s, not %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badRequest(strings.Trim(name, `"`), "unknown field")
	}
	return badRequest("", "bad JSON body: %v", err)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	}
	return "a number"
}
