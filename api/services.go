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
	supervisor CallSupervisor
}

func findOptional(agents AgentService, st Reader) optional {
	var o optional
	ds, ok := agents.(DeskService)
	dst, ok2 := st.(DeskStore)
	if ok && ok2 {
		o.desk, o.deskStore = ds, dst
	}
	o.messages, _ = st.(MessageStore)
	o.supervisor, _ = agents.(CallSupervisor)
	return o
}

// The errors of routes whose service the server was built without. Each is
// a func so every request gets its own *Error.
func errNoDesk() error {
	return &Error{Status: http.StatusNotImplemented, Code: "not_configured", Message: "this server has no agent desk"}
}

func errNoMessages() error {
	return &Error{Status: http.StatusNotImplemented, Code: "not_configured", Message: "this server keeps no messages"}
}

func errNoAccounts() error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "accounts are not configured"}
}

func errNoAudit() error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "the audit log is not configured"}
}

func errNoConfigEdit() error {
	return &Error{Status: http.StatusNotImplemented, Code: "not_configured", Message: "this server does not edit its configuration"}
}

func errNoReload() error {
	return &Error{Status: http.StatusNotImplemented, Code: "not_configured", Message: "this server has no config file to reload"}
}

func errNoReports() error {
	return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "reports are not configured"}
}

func errNoRecordings() error {
	return &Error{Status: http.StatusNotImplemented, Code: "not_configured", Message: "the PBX driver does not hand out recordings"}
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
