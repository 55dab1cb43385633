// Package routing owns every decision Switchboard takes about a call and an
// agent: the IVR flow, the ACD (queues, strategies, skills, escalation,
// overflow), the agents' state machine, the desk's commands and
// supervision. It may import only the standard library and routing/pbx (the
// seam to a PBX driver); store, api, live and the drivers import it, never
// the other way round.
//
// Two layers:
//   - Machine (machine.go) is pure and deterministic: clock and IDs are
//     injected, Handle takes one input (a PBX event, a command, a fired
//     timer) and returns records, commands and timers, so any day replays
//     byte for byte from the log. It dispatches to its parts, each a type
//     with its own state and the narrow interfaces it consumes: the roster
//     (roster.go: agents, wrap-up, allowances, limits), the acd (acd.go,
//     queue.go, decide.go, strategy.go), the desk (desk.go), supervisors
//     (supervise.go), calendars (calendar_mode.go), and the IVR steps (the
//     step interface in step.go, one step_KIND.go file per step kind;
//     a new kind is one new file and one entry in stepKinds). What they
//     all share to act (time, records, commands, timers) is effects.go.
//   - Engine (engine.go) is the one goroutine that owns a Machine: it
//     writes each input and the records it produced to the Journal before
//     the commands are executed (executor.go), and sets the timers.
//
// The log's record types and their payloads are registered once in
// records.go (journal.go names them); readers decode through that registry.
// Configuration types live in config*.go: a file is decoded over NewConfig
// and each section's defaults, so an explicit zero stays zero.
package routing
