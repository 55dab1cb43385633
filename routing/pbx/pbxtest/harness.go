// Package pbxtest is the conformance suite every routing/pbx driver runs:
// the same call scenarios (answer, DTMF menu, agent legs, bridges,
// hang-ups from either side, no answer, busy, abandon, a dropped link)
// with the same assertions on the pbx.Event sequence. A driver's test
// supplies a Harness over its PBX (the real Asterisk testbed for ari, the
// fake FreeSWITCH for esl) and calls Run; a scenario added here runs on
// every driver.
package pbxtest

import (
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// Harness makes a rig for one scenario.
type Harness interface {
	// Start prepares a PBX and a driver for it (not yet running: the suite
	// calls Run). Cleanups go on t.
	Start(t *testing.T) Rig
}

// Rig is one PBX with a driver, for one scenario.
type Rig interface {
	// Switch is the driver under test.
	Switch() pbx.Switch
	// Call places an inbound call that runs steps once answered.
	Call(t *testing.T, c Call)
	// Phone readies agent phone n (1…9) to answer the way mode says and
	// returns the endpoint to originate to.
	Phone(t *testing.T, n int, mode PhoneMode) string
	// DropLink breaks the driver's connection to the PBX for real (the
	// socket is closed under it); calls stay up on the PBX.
	DropLink(t *testing.T)
	// Media is a short prompt the PBX has.
	Media() string
}

// Call is a scripted caller.
type Call struct {
	From   string // caller ID number
	Number string // dialled number
	Steps  []Step // after the answer; the last is HangUp or WaitHangup
}

// Step is one action of a caller, after the answer.
type Step struct {
	Kind  StepKind
	Pause time.Duration // Pause, WaitHangup: how long
	Digit string        // Digit
}

// StepKind says what a Step does.
type StepKind int

const (
	StepPause StepKind = iota
	StepDigit
	StepHangUp
	// StepWaitHangup: the caller waits up to Pause for the PBX to hang up.
	StepWaitHangup
)

// Pause waits d.
func Pause(d time.Duration) Step { return Step{Kind: StepPause, Pause: d} }

// Digit presses one DTMF digit.
func Digit(d string) Step { return Step{Kind: StepDigit, Digit: d} }

// HangUp hangs up from the caller's side.
func HangUp() Step { return Step{Kind: StepHangUp} }

// WaitHangup waits up to d for the PBX to hang up.
func WaitHangup(d time.Duration) Step { return Step{Kind: StepWaitHangup, Pause: d} }

// PhoneMode is how an agent phone treats a call.
type PhoneMode struct {
	Kind       PhoneKind
	Ring, Talk time.Duration
}

// PhoneKind says how a phone answers.
type PhoneKind int

const (
	PhoneAnswer PhoneKind = iota
	PhoneNeverAnswer
	PhoneBusy
)

// Answer rings for ring then answers; with talk > 0 it hangs up after talk.
func Answer(ring, talk time.Duration) PhoneMode {
	return PhoneMode{Kind: PhoneAnswer, Ring: ring, Talk: talk}
}

// NeverAnswer rings until the originate times out.
var NeverAnswer = PhoneMode{Kind: PhoneNeverAnswer}

// Busy refuses with 486 Busy Here.
var Busy = PhoneMode{Kind: PhoneBusy}
