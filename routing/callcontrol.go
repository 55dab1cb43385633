package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"switchboard/routing/pbx"
)

// Desk call controls on a connected inbound call: hang up, hold and
// resume (the caller leaves the agent's bridge for music on hold), mute
// and unmute the agent's leg. Each writes its record first, then drives
// the PBX through pbx.CallControls. Hold time is recorded on call.resumed,
// which the calls table sums into hold_seconds (and so into AHT).

// Call control operations.
const (
	ControlHold   = "hold"
	ControlResume = "resume"
	ControlMute   = "mute"
	ControlUnmute = "unmute"
	ControlHangup = "hangup"
)

// Why a hold ended, on call.resumed.
const (
	ResumedByAgent  = "resumed"
	ResumedOnEnd    = "ended"       // the talk ended while the caller was held
	ResumedOnHandOn = "transferred" // a transfer took the call while held
)

// ErrControlUnsupported: the PBX driver has no call controls (FreeSWITCH
// today); nothing was recorded.
var ErrControlUnsupported = fmt.Errorf("hold and mute: %w", pbx.ErrUnsupported)

// CallStateError is a control the call's state does not allow: hold
// while not connected or already held, resume while not held.
type CallStateError struct {
	Call  string
	Op    string
	State string // not_connected, held, talking, muted, unmuted
}

func (e *CallStateError) Error() string {
	return fmt.Sprintf("call %s is %s: cannot %s", e.Call, e.State, e.Op)
}

// controlCommand is a ControlRequest in the engine loop (logged).
type controlCommand struct {
	Op        string `json:"op"`
	Call      string `json:"call"`
	By        string `json:"by"`
	OnlyAgent string `json:"only_agent,omitempty"`
	OnlyTeam  string `json:"only_team,omitempty"`
}

// ControlRequest is one desk control on a call, asked by By within Scope.
type ControlRequest struct {
	Call  string
	By    string
	Scope Scope
}

// ControlState is a call's hold and mute state as the desk shows it.
type ControlState struct {
	CallID string `json:"call_id"`
	Held   bool   `json:"held"`
	// HeldSince is when the current hold began.
	HeldSince *time.Time `json:"held_since,omitempty"`
	// HoldSeconds is the hold time so far, the current hold included.
	HoldSeconds float64 `json:"hold_seconds"`
	Holds       int     `json:"holds"`
	Muted       bool    `json:"muted"`
}

// callControl is what the controls keep of one connected call.
type callControl struct {
	heldAt time.Time // zero: not held
	held   time.Duration
	holds  int
	muted  bool
}

// controls owns hold and mute state of connected calls, by call ID, until
// the talk ends.
type controls struct {
	*effects
	calls map[string]*call // the machine's, read only
	state map[string]*callControl
	// mohClass is the music-on-hold class for a call's caller.
	mohClass func(c *call) string
}

func newControls(fx *effects, calls map[string]*call, moh func(c *call) string) *controls {
	return &controls{effects: fx, calls: calls, state: map[string]*callControl{}, mohClass: moh}
}

func (ct *controls) command(cmd controlCommand) (any, error) {
	switch cmd.Op {
	case ControlHold, ControlResume, ControlMute, ControlUnmute, ControlHangup:
	default:
		return nil, &FieldError{Field: "op", Reason: "must be hold, resume, mute, unmute or hangup"}
	}
	if cmd.By == "" {
		return nil, &FieldError{Field: "by", Reason: "required: who asks"}
	}
	c := ct.calls[cmd.Call]
	if c == nil || c.phase == phaseEnded {
		return nil, ErrUnknownCall
	}
	if c.agent != nil && !inScope(c.agent, cmd.OnlyAgent, cmd.OnlyTeam) {
		return nil, ErrNotYourCall
	}
	if c.phase != phaseBridged || c.agent == nil || c.bridge == "" || c.leg == "" {
		return nil, &CallStateError{Call: c.id, Op: cmd.Op, State: "not_connected"}
	}
	if c.out != nil {
		// The legs are the other way round (outbound.go); not yet.
		return nil, &PolicyError{Code: "not_supported", Message: "outbound call " + c.id + " has no desk controls yet"}
	}
	st := ct.state[c.id]
	if st == nil {
		st = &callControl{}
	}
	if err := st.allows(c.id, cmd.Op); err != nil {
		return nil, err
	}
	ct.state[c.id] = st
	base := Record{CallID: c.id, Queue: c.queue, AgentID: c.agent.id}
	switch cmd.Op {
	case ControlHold:
		r := base
		r.Type = EvCallHeld
		ct.record(&r, HoldData{By: cmd.By, Agent: c.agent.id})
		st.heldAt = ct.now
		st.holds++
		ct.emit(cmdHold{Call: c.id, Bridge: c.bridge, Channel: c.channel, Class: ct.mohClass(c)})
	case ControlResume:
		ct.resume(c, st, cmd.By, ResumedByAgent)
		ct.emit(cmdResume{Call: c.id, Bridge: c.bridge, Channel: c.channel})
	case ControlMute, ControlUnmute:
		r := base
		r.Type = EvCallMuted
		if cmd.Op == ControlUnmute {
			r.Type = EvCallUnmuted
		}
		ct.record(&r, MuteData{By: cmd.By, Agent: c.agent.id, Leg: c.leg})
		st.muted = cmd.Op == ControlMute
		ct.emit(cmdMute{Call: c.id, Channel: c.leg, On: st.muted})
	case ControlHangup:
		// The agent's leg goes, as if they hung up their phone: the
		// PBX's hang-up event ends the talk (and may start a survey).
		ct.emit(cmdHangup{Call: c.id, Channel: c.leg, Cause: pbx.CauseNormal})
	}
	return ct.view(c), nil
}

// allows is the state rule of the controls.
func (st *callControl) allows(call, op string) error {
	held := !st.heldAt.IsZero()
	switch {
	case op == ControlHold && held:
		return &CallStateError{Call: call, Op: op, State: "held"}
	case op == ControlResume && !held:
		return &CallStateError{Call: call, Op: op, State: "talking"}
	case op == ControlMute && st.muted:
		return &CallStateError{Call: call, Op: op, State: "muted"}
	case op == ControlUnmute && !st.muted:
		return &CallStateError{Call: call, Op: op, State: "unmuted"}
	}
	return nil
}

// resume records the end of the current hold.
func (ct *controls) resume(c *call, st *callControl, by, reason string) {
	d := ct.now.Sub(st.heldAt)
	st.held += d
	st.heldAt = time.Time{}
	ct.record(&Record{Type: EvCallResumed, CallID: c.id, Queue: c.queue, AgentID: agentID(c.agent)},
		HoldData{By: by, Agent: agentID(c.agent), Seconds: d.Seconds(), Reason: reason})
}

// talkEnded closes a hold still running when the agent leaves the call
// (it ended, or was transferred) and forgets the call's controls. The
// caller's music stops: a survey or a queue may play to them next.
func (ct *controls) talkEnded(c *call, reason string) {
	st := ct.state[c.id]
	if st == nil {
		return
	}
	delete(ct.state, c.id)
	if !st.heldAt.IsZero() {
		ct.resume(c, st, "", reason)
		ct.emit(cmdStopMOH{Call: c.id, Channel: c.channel})
	}
}

// held is a connected call's hold time so far.
func (ct *controls) view(c *call) ControlState {
	v := ControlState{CallID: c.id}
	if st := ct.state[c.id]; st != nil {
		v.Holds, v.Muted, v.HoldSeconds = st.holds, st.muted, st.held.Seconds()
		if !st.heldAt.IsZero() {
			t := st.heldAt
			v.Held, v.HeldSince = true, &t
			v.HoldSeconds += ct.now.Sub(t).Seconds()
		}
	}
	return v
}

// cmdHold takes the caller out of the bridge onto music on hold; cmdResume
// puts them back; cmdMute mutes (On) or unmutes the agent's leg. They run
// in the call's order.
type cmdHold struct{ Call, Bridge, Channel, Class string }
type cmdResume struct{ Call, Bridge, Channel string }
type cmdMute struct {
	Call, Channel string
	On            bool
}

func (c cmdHold) Key() string   { return c.Call }
func (c cmdResume) Key() string { return c.Call }
func (c cmdMute) Key() string   { return c.Call }
func (cmdHold) Name() string    { return "hold" }
func (cmdResume) Name() string  { return "resume" }
func (c cmdMute) Name() string {
	if c.On {
		return "mute"
	}
	return "unmute"
}

func callControlsOf(sw pbx.Switch) (pbx.CallControls, error) {
	cc, ok := sw.(pbx.CallController)
	if !ok {
		return nil, ErrControlUnsupported
	}
	return cc.CallControls(), nil
}

func (c cmdHold) Exec(ctx context.Context, sw pbx.Switch) error {
	cc, err := callControlsOf(sw)
	if err != nil {
		return err
	}
	return cc.Hold(ctx, c.Bridge, c.Channel, c.Class)
}
func (c cmdResume) Exec(ctx context.Context, sw pbx.Switch) error {
	cc, err := callControlsOf(sw)
	if err != nil {
		return err
	}
	return cc.Resume(ctx, c.Bridge, c.Channel)
}
func (c cmdMute) Exec(ctx context.Context, sw pbx.Switch) error {
	cc, err := callControlsOf(sw)
	if err != nil {
		return err
	}
	if c.On {
		return cc.Mute(ctx, c.Channel)
	}
	return cc.Unmute(ctx, c.Channel)
}

// CallControls are the desk's controls on live calls, through the engine.
type CallControls struct {
	e *Engine
	// pbx: the driver has pbx.CallControls; without, hold and mute answer
	// ErrControlUnsupported before anything is recorded (hang-up works).
	pbx bool
}

// NewCallControls is e's desk call controls; hasPBX says whether its PBX
// driver implements pbx.CallController.
func NewCallControls(e *Engine, hasPBX bool) *CallControls {
	return &CallControls{e: e, pbx: hasPBX}
}

// Do runs control op (hold, resume, mute, unmute, hangup) on r.Call.
// Errors: ErrUnknownCall, ErrNotYourCall, *CallStateError, *FieldError,
// *PolicyError, ErrControlUnsupported.
func (cc *CallControls) Do(ctx context.Context, op string, r ControlRequest) (ControlState, error) {
	if !cc.pbx && op != ControlHangup {
		return ControlState{}, ErrControlUnsupported
	}
	v, err := cc.e.doInput(ctx, controlCommand{Op: op, Call: r.Call, By: r.By, OnlyAgent: r.Scope.Agent, OnlyTeam: r.Scope.Team})
	if err != nil {
		return ControlState{}, err
	}
	s, ok := v.(ControlState)
	if !ok {
		return ControlState{}, errors.New("routing: control reply of wrong type")
	}
	return s, nil
}
