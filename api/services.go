package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// The services a server may be built without are decided here, once, in
// New: a handler finds its service in a typed field (nil: not there) or is
// never reached, because its route answers the service's "not configured"
// error instead.

// optional holds the services found on the AgentService and Reader given
// to New, each decided once rather than by a type assertion per request.
type optional struct {
	desk       DeskService // with deskStore, or both nil
	deskStore  DeskStore
	messages   MessageStore
	marker     MessageMarker
	supervisor CallSupervisor
	outbound   OutboundService
	callbacks  CallbackService
	recordings RecordingIndex
}

func findOptional(agents AgentService, st Reader) optional {
	var o optional
	ds, ok := agents.(DeskService)
	dst, ok2 := st.(DeskStore)
	if ok && ok2 {
		o.desk, o.deskStore = ds, dst
	}
	o.messages, _ = st.(MessageStore)
	o.marker, _ = agents.(MessageMarker)
	o.supervisor, _ = agents.(CallSupervisor)
	o.outbound, _ = agents.(OutboundService)
	o.callbacks, _ = agents.(CallbackService)
	o.recordings, _ = st.(RecordingIndex)
	return o
}

// The errors of routes whose service the server was built without; each
// call makes a new *Error.
var (
	errNoDesk       = missing(http.StatusNotImplemented, "not_configured", "this server has no agent desk")
	errNoMessages   = missing(http.StatusNotImplemented, "not_configured", "this server keeps no messages")
	errNoMarker     = missing(http.StatusNotImplemented, "not_configured", "this server's engine does not mark messages handled")
	errNoAccounts   = missing(http.StatusServiceUnavailable, CodeUnavailable, "accounts are not configured")
	errNoAudit      = missing(http.StatusServiceUnavailable, CodeUnavailable, "the audit log is not configured")
	errNoConfigEdit = missing(http.StatusNotImplemented, "not_configured", "this server does not edit its configuration")
	errNoReload     = missing(http.StatusNotImplemented, "not_configured", "this server has no config file to reload")
	errNoReports    = missing(http.StatusServiceUnavailable, CodeUnavailable, "reports are not configured")
	errNoRecordings = missing(http.StatusNotImplemented, "not_configured", "the PBX driver does not hand out recordings")
)

func missing(status int, code, msg string) func() error {
	return func() error { return &Error{Status: status, Code: code, Message: msg} }
}

// requires gates routes on a service decided at construction: with have
// false each route's handler answers missing() (after authz, as before).
func requires(have bool, missing func() error, rs ...route) []route {
	if have {
		return rs
	}
	for i := range rs {
		rs[i].handler = func(echo.Context) error { return missing() }
	}
	return rs
}
