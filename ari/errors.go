package ari

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrRunning is returned by Run when another Run of the same Driver is going.
var ErrRunning = errors.New("ari: driver already running")

// StatusError is a non-2xx answer from ARI. Message is ARI's own
// explanation ({"message": "Channel not found"}), or the raw body.
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string {
	text := http.StatusText(e.Status)
	if e.Message == "" {
		return fmt.Sprintf("%d %s", e.Status, text)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, text, e.Message)
}

func newStatusError(status int, body []byte) *StatusError {
	var m struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &m) == nil {
		msg = m.Message
		if msg == "" {
			msg = m.Error
		}
	}
	if msg == "" {
		msg = strings.TrimSpace(string(body))
		if len(msg) > 200 {
			msg = msg[:200]
		}
	}
	return &StatusError{Status: status, Message: msg}
}

// hasStatus reports whether err is a StatusError with one of the codes.
func hasStatus(err error, codes ...int) bool {
	var se *StatusError
	if !errors.As(err, &se) {
		return false
	}
	for _, c := range codes {
		if se.Status == c {
			return true
		}
	}
	return false
}
