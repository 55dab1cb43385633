// Package api is Switchboard's HTTP transport: the REST API under /api/v1/
// (agents, calls, messages, the desk, reports, the event log and its live
// feed), /healthz, /metrics, the UI and the OpenAPI document that
// describes them.
//
// It owns the translation between HTTP and the services behind it, and
// nothing else: the routing engine (agent, desk, supervision and mode
// commands; every state change is the engine's), the store's readers
// (projections of the event log, accounts, audit), and auth (who asks,
// what their role may reach). Each service is an interface declared here,
// where it is consumed, and decided once in New (services.go).
//
// It may import echo, prometheus, auth, live, report, routing (and
// routing/pbx for its recording fetcher) and store for their value types;
// it must not import the PBX drivers or cmd. It never appends to the event
// log itself: a state change is a command to the engine (marking a message
// handled too, through MessageMarker), whose records reach the journal and
// the live feed like every other step.
package api
