package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
)

// decodeBody decodes the request body, one JSON object, into v: at most
// maxBody bytes, no unknown fields, nothing after the object. An empty body
// is an error if required, else leaves v as it is.
func decodeBody(c echo.Context, v any, required bool) error {
	r := http.MaxBytesReader(c.Response(), c.Request().Body, maxBody)
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			if required {
				return badRequest("", "a JSON body is required")
			}
			return nil
		}
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return err
		}
		return badRequest("", "the body must hold exactly one JSON object")
	}
	return nil
}
