package routing

import (
	"errors"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// The state rules of the desk's call controls: each step's op, from the
// state the steps before left, is allowed (and writes its record and PBX
// command) or refused with the state named, changing nothing.
func TestCallControlRules(t *testing.T) {
	type step struct {
		op      string
		state   string // refused: the CallStateError state
		record  string // allowed: the record written
		command string // allowed: the PBX command emitted
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"hold then resume", []step{{op: ControlHold, record: EvCallHeld, command: "hold"}, {op: ControlResume, record: EvCallResumed, command: "resume"}}},
		{"resume while talking", []step{{op: ControlResume, state: "talking"}}},
		{"hold twice", []step{{op: ControlHold, record: EvCallHeld, command: "hold"}, {op: ControlHold, state: "held"}}},
		{"mute then unmute", []step{{op: ControlMute, record: EvCallMuted, command: "mute"}, {op: ControlUnmute, record: EvCallUnmuted, command: "unmute"}}},
		{"mute twice", []step{{op: ControlMute, record: EvCallMuted, command: "mute"}, {op: ControlMute, state: "muted"}}},
		{"unmute while unmuted", []step{{op: ControlUnmute, state: "unmuted"}}},
		{"muted and held", []step{{op: ControlMute, record: EvCallMuted, command: "mute"}, {op: ControlHold, record: EvCallHeld, command: "hold"}, {op: ControlUnmute, record: EvCallUnmuted, command: "unmute"}}},
		{"hangup", []step{{op: ControlHangup, command: "hangup"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newDeskHarness(t)
			h.signIn("a1")
			id, _ := h.talking()
			for i, s := range tt.steps {
				before := len(h.recs)
				out := h.in(controlCommand{Op: s.op, Call: id, By: "a1", OnlyAgent: "a1"})
				if s.state != "" {
					var se *CallStateError
					if !errors.As(out.Err, &se) || se.State != s.state || se.Op != s.op {
						t.Fatalf("step %d %s: err %v, want state %s", i, s.op, out.Err, s.state)
					}
					if len(out.Commands) != 0 || len(h.recs)-before != 1 {
						t.Fatalf("step %d: a refused control changed things: %+v", i, out.Commands)
					}
					continue
				}
				if out.Err != nil {
					t.Fatalf("step %d %s: %v", i, s.op, out.Err)
				}
				if s.record != "" && h.recs[len(h.recs)-1].Type != s.record {
					t.Fatalf("step %d: last record %s, want %s", i, h.recs[len(h.recs)-1].Type, s.record)
				}
				if len(out.Commands) != 1 || out.Commands[0].Name() != s.command {
					t.Fatalf("step %d: commands %+v, want %s", i, out.Commands, s.command)
				}
			}
		})
	}
}

func TestCallControlRefusals(t *testing.T) {
	h := newDeskHarness(t)
	h.arrive("ch1")
	queued := h.m.byChannel["ch1"].id
	var se *CallStateError
	if err := h.in(controlCommand{Op: ControlHold, Call: queued, By: "x"}).Err; !errors.As(err, &se) || se.State != "not_connected" {
		t.Fatalf("hold while not connected: %v", err)
	}
	if err := h.in(controlCommand{Op: ControlHold, Call: "nope", By: "x"}).Err; !errors.Is(err, ErrUnknownCall) {
		t.Fatalf("unknown call: %v", err)
	}
	h2 := newDeskHarness(t)
	h2.signIn("a1")
	id, _ := h2.talking()
	if err := h2.in(controlCommand{Op: ControlHold, Call: id, By: "a2", OnlyAgent: "a2"}).Err; !errors.Is(err, ErrNotYourCall) {
		t.Fatalf("another agent's call: %v", err)
	}
	var fe *FieldError
	if err := h2.in(controlCommand{Op: "park", Call: id, By: "a1"}).Err; !errors.As(err, &fe) || fe.Field != "op" {
		t.Fatalf("bad op: %v", err)
	}
}

// Hold time is recorded on call.resumed: each hold's seconds, and a hold
// still running when the talk ends closes with it.
func TestHoldTimeRecorded(t *testing.T) {
	h := newDeskHarness(t)
	h.signIn("a1")
	id, leg := h.talking()
	h.in(controlCommand{Op: ControlHold, Call: id, By: "a1"})
	h.advance(7 * time.Second)
	h.in(controlCommand{Op: ControlResume, Call: id, By: "a1"})
	var d HoldData
	if !h.lastRecord(EvCallResumed, &d) || d.Seconds != 7 || d.Reason != ResumedByAgent {
		t.Fatalf("resumed %+v", d)
	}
	h.in(controlCommand{Op: ControlHold, Call: id, By: "a1"})
	h.advance(3 * time.Second)
	if v, _ := h.in(deskCommand{Op: "desk", Agent: "a1"}).Reply.(DeskView); v.Call == nil || v.Call.Controls == nil ||
		!v.Call.Controls.Held || v.Call.Controls.HoldSeconds != 10 || v.Call.Controls.Holds != 2 {
		t.Fatalf("desk view %+v", v.Call)
	}
	out := h.in(pbx.ChannelHungUp{Channel: leg, Cause: pbx.CauseNormal})
	if !h.lastRecord(EvCallResumed, &d) || d.Seconds != 3 || d.Reason != ResumedOnEnd {
		t.Fatalf("hold at the end %+v", d)
	}
	if find[cmdStopMOH](t, out).Channel != "ch1" {
		t.Fatal("the caller's music was not stopped")
	}
}
