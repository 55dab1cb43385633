package routing

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// connect brings call ch to agent a1 and returns the call ID and the
// agent's leg.
func (h *harness) connect(ch string) (callID, leg string) {
	h.t.Helper()
	h.arrive(ch)
	out := h.in(pbx.DTMFReceived{Channel: ch, Digit: "1"})
	orig := find[cmdOriginate](h.t, out)
	h.in(pbx.LegAnswered{Channel: orig.Req.Channel})
	return h.m.byChannel[ch].id, orig.Req.Channel
}

func (h *harness) supervise(call, mode, endpoint string) (SupervisionView, cmdSnoop, error) {
	h.t.Helper()
	out := h.in(superviseCommand{Op: "supervise", Call: call, Mode: mode, Endpoint: endpoint, By: "lead1"})
	if out.Err != nil {
		if len(out.Commands) != 0 {
			h.t.Fatalf("refused supervise acted: %+v", out.Commands)
		}
		return SupervisionView{}, cmdSnoop{}, out.Err
	}
	return out.Reply.(SupervisionView), find[cmdSnoop](h.t, out), nil
}

func (h *harness) supervisionEnds() []SupervisionEndedData {
	var out []SupervisionEndedData
	for _, r := range h.recs {
		if r.Type == EvCallSupervisionEnded {
			var d SupervisionEndedData
			if err := json.Unmarshal(r.Data, &d); err != nil {
				h.t.Fatal(err)
			}
			out = append(out, d)
		}
	}
	return out
}

func TestSuperviseModes(t *testing.T) {
	for _, mode := range []pbx.SnoopMode{pbx.SnoopListen, pbx.SnoopWhisper, pbx.SnoopBarge} {
		t.Run(mode.String(), func(t *testing.T) {
			h := newHarness(t)
			h.signIn("a1")
			callID, leg := h.connect("ch1")
			bridge := h.m.calls[callID].bridge

			v, sn, err := h.supervise(callID, mode.String(), "PJSIP/1009")
			if err != nil {
				t.Fatal(err)
			}
			want := pbx.Snoop{Channel: v.Leg, Target: leg, Endpoint: "PJSIP/1009", CallerID: "a1",
				Timeout: superviseRing, Mode: mode, Bridge: bridge}
			if sn.Req != want || sn.Call != callID {
				t.Fatalf("snoop %+v\nwant %+v", sn.Req, want)
			}
			if v.Agent != "a1" || v.By != "lead1" || v.Mode != mode.String() {
				t.Fatalf("view %+v", v)
			}
			// The supervisor's leg reports like a leg; its events belong to the call.
			h.in(pbx.LegRinging{Channel: v.Leg})
			if out := h.in(pbx.LegAnswered{Channel: v.Leg}); len(out.Commands) != 0 {
				t.Fatalf("answered supervisor acted on: %+v", out.Commands)
			}
			if r := h.last.Records[0]; r.CallID != callID {
				t.Fatalf("supervisor's event not filed under the call: %+v", r)
			}
			if st := h.agent("a1").State; st != OnCall {
				t.Fatalf("agent %s", st)
			}
			h.advance(12 * time.Second)
			h.in(pbx.ChannelHungUp{Channel: v.Leg, Cause: pbx.CauseNormal})
			ends := h.supervisionEnds()
			if len(ends) != 1 || ends[0] != (SupervisionEndedData{By: "lead1", Mode: mode.String(), Endpoint: "PJSIP/1009",
				Leg: v.Leg, Cause: "normal", Answered: true, Seconds: 12}) {
				t.Fatalf("ends %+v", ends)
			}
			// The call goes on, untouched.
			if h.m.calls[callID].phase != phaseBridged || len(h.m.supervisors.legs) != 0 {
				t.Fatal("call disturbed by the supervisor leaving")
			}
			want2 := []string{EvCallArrived, EvCallIVR, EvCallIVR, EvCallIVR, EvCallQueued, EvCallDecision, EvCallOffered, EvCallAnswered, EvCallSupervised, EvCallSupervisionEnded}
			if got := h.types(); !slices.Equal(got, want2) {
				t.Fatalf("records\n got %v\nwant %v", got, want2)
			}
		})
	}
}

func TestSuperviseEndsWithTheTalk(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1")
	callID, _ := h.connect("ch1")
	v, _, err := h.supervise(callID, "listen", "PJSIP/1009")
	if err != nil {
		t.Fatal(err)
	}
	ringing, _, err := h.supervise(callID, "barge", "PJSIP/1008")
	if err != nil {
		t.Fatal(err)
	}
	h.in(pbx.LegAnswered{Channel: v.Leg})
	out := h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	var hung []string
	for _, c := range out.Commands {
		if hu, ok := c.(cmdHangup); ok {
			hung = append(hung, hu.Channel)
		}
	}
	if !slices.Contains(hung, v.Leg) || !slices.Contains(hung, ringing.Leg) {
		t.Fatalf("supervisors not hung up with the call: %v", hung)
	}
	h.in(pbx.ChannelHungUp{Channel: v.Leg, Cause: pbx.CauseNormal})
	// The ringing one answers after all: hung up at once, then ends.
	if out := h.in(pbx.LegAnswered{Channel: ringing.Leg}); find[cmdHangup](t, out).Channel != ringing.Leg {
		t.Fatal("late supervisor not hung up")
	}
	h.in(pbx.ChannelHungUp{Channel: ringing.Leg, Cause: pbx.CauseNormal})
	ends := h.supervisionEnds()
	if len(ends) != 2 || !ends[0].Answered || !ends[1].Answered || len(h.m.supervisors.legs) != 0 {
		t.Fatalf("ends %+v, left %d", ends, len(h.m.supervisors.legs))
	}
}

func TestSuperviseRefused(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1", "a2")
	callID, _ := h.connect("ch1")
	if _, _, err := h.supervise(callID, "listen", "PJSIP/1009"); err != nil {
		t.Fatal(err)
	}
	h.arrive("ch2") // in the menu: not connected
	queued := h.m.byChannel["ch2"].id
	var field *FieldError
	var policy *PolicyError
	for _, tt := range []struct {
		name, call, mode, endpoint string
		check                      func(error) bool
	}{
		{"bad mode", callID, "spy", "PJSIP/1009", func(err error) bool { return errors.As(err, &field) && field.Field == "mode" }},
		{"no endpoint", callID, "listen", "", func(err error) bool { return errors.As(err, &field) && field.Field == "endpoint" }},
		{"bad endpoint", callID, "listen", "1009", func(err error) bool { return errors.As(err, &field) && field.Field == "endpoint" }},
		{"unknown call", "call-nope", "listen", "PJSIP/1009", func(err error) bool { return errors.Is(err, ErrUnknownCall) }},
		{"not connected", queued, "listen", "PJSIP/1009", func(err error) bool { return errors.As(err, &policy) && policy.Code == "not_connected" }},
		{"twice", callID, "whisper", "PJSIP/1009", func(err error) bool { return errors.As(err, &policy) && policy.Code == "already_supervising" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := h.supervise(tt.call, tt.mode, tt.endpoint)
			if !tt.check(err) {
				t.Fatalf("error %v (%T)", err, err)
			}
		})
	}
}

func TestSuperviseSnoopFailed(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1")
	callID, _ := h.connect("ch1")
	v, _, err := h.supervise(callID, "whisper", "PJSIP/1009")
	if err != nil {
		t.Fatal(err)
	}
	h.in(pbx.CommandFailed{Channel: v.Leg, Command: "snoop", Err: "404 Not Found: Channel not found"})
	ends := h.supervisionEnds()
	if len(ends) != 1 || ends[0].Answered || ends[0].Cause != "failed: 404 Not Found: Channel not found" {
		t.Fatalf("ends %+v", ends)
	}
	if h.m.calls[callID].phase != phaseBridged {
		t.Fatal("a failed snoop ended the call")
	}
}

func TestSuperviseLegGoneAfterLinkDrop(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1")
	callID, leg := h.connect("ch1")
	v, _, err := h.supervise(callID, "listen", "PJSIP/1009")
	if err != nil {
		t.Fatal(err)
	}
	h.in(pbx.LegAnswered{Channel: v.Leg})
	h.advance(time.Second)
	out := h.in(pbx.Resynced{Channels: []pbx.ChannelInfo{{Channel: "ch1", State: "Up"}, {Channel: leg, State: "Up"}}})
	if ends := h.supervisionEnds(); len(ends) != 1 || ends[0].Cause != "gone_after_link_drop" {
		t.Fatalf("ends %+v", ends)
	}
	if has[cmdHangup](out) {
		t.Fatalf("resync hung something up: %+v", out.Commands)
	}
	// A supervisor's leg the PBX still has is not hung up as unknown.
	v2, _, _ := h.supervise(callID, "listen", "PJSIP/1008")
	h.in(pbx.LegAnswered{Channel: v2.Leg})
	out = h.in(pbx.Resynced{Channels: []pbx.ChannelInfo{{Channel: "ch1"}, {Channel: leg}, {Channel: v2.Leg}}})
	if has[cmdHangup](out) || len(h.m.supervisors.legs) != 1 {
		t.Fatalf("live supervisor dropped at resync: %+v", out.Commands)
	}
}

// A blind transfer takes the agent off the call: their supervisors go too.
func TestSuperviseEndsWithTransfer(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1")
	callID, _ := h.connect("ch1")
	v, _, err := h.supervise(callID, "whisper", "PJSIP/1009")
	if err != nil {
		t.Fatal(err)
	}
	h.in(pbx.LegAnswered{Channel: v.Leg})
	out := h.in(deskCommand{Op: "transfer", Call: callID, ToKind: TransferQueue, To: "support"})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	hung := false
	for _, c := range out.Commands {
		if hu, ok := c.(cmdHangup); ok && hu.Channel == v.Leg {
			hung = true
		}
	}
	if !hung {
		t.Fatalf("supervisor not hung up at the transfer: %+v", out.Commands)
	}
	h.in(pbx.ChannelHungUp{Channel: v.Leg, Cause: pbx.CauseNormal})
	if ends := h.supervisionEnds(); len(ends) != 1 || len(h.m.supervisors.legs) != 0 {
		t.Fatalf("ends %+v", ends)
	}
}
