package routing

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// talking brings call ch1 to agent a1 and answers it; it returns the
// call ID and a1's leg.
func (h *harness) talking() (callID, leg string) {
	h.t.Helper()
	h.arrive("ch1")
	out := h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})
	leg = find[cmdOriginate](h.t, out).Req.Channel
	h.in(pbx.LegRinging{Channel: leg})
	h.advance(2 * time.Second)
	h.in(pbx.LegAnswered{Channel: leg})
	callID = h.m.agents["a1"].callID
	if callID == "" || h.agent("a1").State != OnCall {
		h.t.Fatalf("a1 not on a call: %+v", h.agent("a1"))
	}
	return callID, leg
}

func (h *harness) wrap(cmd deskCommand) (AgentView, error) {
	cmd.Op = "wrap_up"
	out := h.in(cmd)
	v, _ := out.Reply.(AgentView)
	return v, out.Err
}

func (h *harness) lastRecord(typ string, v any) bool {
	for i := len(h.recs) - 1; i >= 0; i-- {
		if h.recs[i].Type == typ {
			if v != nil {
				_ = json.Unmarshal(h.recs[i].Data, v)
			}
			return true
		}
	}
	return false
}

func deskConfig() *Config {
	cfg := testConfig()
	cfg.Dispositions = []Disposition{{Code: "resolved"}, {Code: "callback", FollowUp: true}}
	cfg.NotReadyReasons = []Reason{{Code: "break", Allowance: Duration(15 * time.Minute)}, {Code: "meal"}}
	cfg.Queues["billing"] = &Queue{WrapUp: Duration(5 * time.Second), RingTimeout: Duration(10 * time.Second), HoldMedia: []string{"sound:hold"}}
	cfg.Agents = append(cfg.Agents, AgentConfig{ID: "a3", Endpoint: "PJSIP/1003", Queues: []QueueMember{{Queue: "billing"}}, Team: "t2"})
	cfg.Teams = map[string]*Team{"t2": {}}
	cfg.Extensions = map[string]*Extension{"8001": {Endpoint: "PJSIP/8001", Name: "Front desk"}}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return cfg
}

func newDeskHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.m = NewMachine(deskConfig(), SequentialIDs(), h.m.log)
	return h
}

func TestWrapUp(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name      string
		cmd       deskCommand // Call is filled in
		hangUp    bool        // the call ended before the wrap-up
		wantErr   error
		wantField string
		state     AgentState
		reason    string
		follow    bool
	}{
		{name: "ready after wrap-up", cmd: deskCommand{Agent: "a1", Disposition: "resolved", Notes: "<b>ok</b>"}, hangUp: true, state: Ready},
		{name: "not ready with a reason", cmd: deskCommand{Agent: "a1", Disposition: "callback", NotReady: "meal"}, hangUp: true, state: NotReady, reason: "meal", follow: true},
		{name: "follow-up overrides the default", cmd: deskCommand{Agent: "a1", Disposition: "callback", FollowUp: &no}, hangUp: true, state: Ready},
		{name: "follow-up asked for", cmd: deskCommand{Agent: "a1", Disposition: "resolved", FollowUp: &yes}, hangUp: true, state: Ready, follow: true},
		{name: "holder found without agent", cmd: deskCommand{Disposition: "resolved"}, hangUp: true, state: Ready},
		{name: "during the call: recorded, still on call", cmd: deskCommand{Agent: "a1", Disposition: "resolved"}, state: OnCall},
		{name: "unknown disposition", cmd: deskCommand{Agent: "a1", Disposition: "bogus"}, hangUp: true, wantField: "disposition", state: WrapUp},
		{name: "unknown not-ready reason", cmd: deskCommand{Agent: "a1", Disposition: "resolved", NotReady: "nap"}, hangUp: true, wantField: "not_ready", state: WrapUp},
		{name: "another agent's call", cmd: deskCommand{Agent: "a2", Disposition: "resolved"}, hangUp: true, wantErr: ErrNotYourCall, state: WrapUp},
		{name: "scope: agent only", cmd: deskCommand{Disposition: "resolved", OnlyAgent: "a2"}, hangUp: true, wantErr: ErrNotYourCall, state: WrapUp},
		{name: "scope: other team", cmd: deskCommand{Disposition: "resolved", OnlyTeam: "t2"}, hangUp: true, wantErr: ErrNotYourCall, state: WrapUp},
		{name: "unknown agent", cmd: deskCommand{Agent: "zz", Disposition: "resolved"}, hangUp: true, wantErr: ErrUnknownAgent, state: WrapUp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newDeskHarness(t)
			h.signIn("a1", "a2")
			id, _ := h.talking()
			if tt.hangUp {
				h.advance(10 * time.Second)
				h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
			}
			tt.cmd.Call = id
			before := len(h.recs)
			v, err := h.wrap(tt.cmd)
			var fe *FieldError
			switch {
			case tt.wantField != "":
				if !errors.As(err, &fe) || fe.Field != tt.wantField {
					t.Fatalf("err %v, want field %s", err, tt.wantField)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			}
			if st := h.agent("a1"); st.State != tt.state || st.Reason != tt.reason {
				t.Fatalf("a1 %s/%s, want %s/%s", st.State, st.Reason, tt.state, tt.reason)
			}
			var d WrapUpData
			wrapped := false
			for _, r := range h.recs[before:] {
				if r.Type == EvCallWrapped {
					wrapped = true
					_ = json.Unmarshal(r.Data, &d)
					if r.CallID != id || r.AgentID != "a1" {
						t.Fatalf("record %+v", r)
					}
				}
			}
			if wrapped != (err == nil) {
				t.Fatalf("call.wrapped written %v with err %v", wrapped, err)
			}
			if err == nil {
				if d.Disposition != tt.cmd.Disposition || d.Notes != tt.cmd.Notes || d.FollowUp != tt.follow || d.Agent != "a1" {
					t.Fatalf("wrapped %+v", d)
				}
				if v.ID != "a1" {
					t.Fatalf("reply %+v", v)
				}
				if tt.state != WrapUp && !slices.Contains(h.last.Cancels, "wrapup:a1") && tt.hangUp {
					t.Fatalf("wrap-up timer not cancelled: %v", h.last.Cancels)
				}
			}
		})
	}
}

func TestWrapUpAfterTimerAndUnknownCall(t *testing.T) {
	h := newDeskHarness(t)
	h.signIn("a1")
	id, _ := h.talking()
	h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	h.in(TimerFired{Name: "wrapup:a1"})
	if h.agent("a1").State != Ready {
		t.Fatal("wrap-up did not end by itself")
	}
	// Late: recorded, the agent stays ready.
	if _, err := h.wrap(deskCommand{Agent: "a1", Call: id, Disposition: "resolved"}); err != nil {
		t.Fatal(err)
	}
	if !h.lastRecord(EvCallWrapped, nil) || h.agent("a1").State != Ready {
		t.Fatal("late wrap-up not recorded")
	}
	if _, err := h.wrap(deskCommand{Call: "nope", Disposition: "resolved"}); !errors.Is(err, ErrUnknownCall) {
		t.Fatalf("unknown call: %v", err)
	}
	if _, err := h.wrap(deskCommand{Agent: "a1", Call: "nope", Disposition: "resolved"}); !errors.Is(err, ErrUnknownCall) {
		t.Fatalf("unknown call with agent: %v", err)
	}
}

func TestTransfer(t *testing.T) {
	tests := []struct {
		name     string
		cmd      deskCommand
		prepare  func(h *harness)
		wantErr  error
		field    string
		policy   string
		check    func(t *testing.T, h *harness, out Output, id, leg string)
		noChange bool
	}{
		{name: "to a queue: caller waits there with hold media, first agent in wrap-up",
			cmd: deskCommand{ToKind: TransferQueue, To: "billing"},
			check: func(t *testing.T, h *harness, out Output, id, leg string) {
				c := h.m.calls[id]
				if c == nil || c.queue != "billing" || c.phase != phaseQueued || !c.transferred {
					t.Fatalf("call %+v", c)
				}
				// The bridge goes before the agent's leg, and hold media
				// after both, in the call's order.
				var order []string
				for _, cmd := range out.Commands {
					order = append(order, cmd.Name()+"@"+cmd.Key())
				}
				want := []string{"destroy_bridge@" + id, "hangup@" + id, "play@" + id}
				if len(order) < 3 || !slices.Equal(order[:3], want) {
					t.Fatalf("commands %v, want %v first", order, want)
				}
				if p := out.Commands[2].(cmdInCall).Cmd.(cmdPlay); p.Channel != "ch1" || p.Media[0] != "sound:hold" {
					t.Fatalf("hold %+v", p)
				}
				if h.agent("a1").State != WrapUp {
					t.Fatalf("a1 %s", h.agent("a1").State)
				}
				// a3 serves billing: offered, answers; same call ID.
				o := find[cmdOriginate](t, out)
				if o.Req.Endpoint != "PJSIP/1003" {
					t.Fatalf("offered to %s", o.Req.Endpoint)
				}
				h.in(pbx.LegAnswered{Channel: o.Req.Channel})
				if h.agent("a3").State != OnCall || h.agent("a3").CallID != id {
					t.Fatalf("a3 %+v", h.agent("a3"))
				}
				// a1's leg hanging up late changes nothing.
				h.in(pbx.ChannelHungUp{Channel: leg, Cause: pbx.CauseNormal})
				if h.agent("a3").State != OnCall {
					t.Fatal("a1's leg ended a3's call")
				}
				h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
				if h.agent("a3").State != WrapUp {
					t.Fatal("a3 not in wrap-up")
				}
			}},
		{name: "to an agent: their phone rings, the caller waits in the call's queue",
			cmd: deskCommand{ToKind: TransferAgent, To: "a2"},
			check: func(t *testing.T, h *harness, out Output, id, leg string) {
				o := find[cmdOriginate](t, out)
				if o.Req.Endpoint != "PJSIP/1002" || o.Call != id {
					t.Fatalf("originate %+v", o)
				}
				if h.agent("a2").State != Reserved || h.agent("a1").State != WrapUp {
					t.Fatalf("a1 %s a2 %s", h.agent("a1").State, h.agent("a2").State)
				}
				var dd DecisionData
				h.lastRecord(EvCallDecision, &dd)
				if dd.Trigger != "transfer" || !slices.Equal(dd.Winners, []string{"a2"}) {
					t.Fatalf("decision %+v", dd)
				}
				// a2 does not answer: a2 not ready, the call waits on.
				h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, Cause: pbx.CauseNoAnswer})
				if h.agent("a2").State != NotReady || h.m.calls[id].phase != phaseQueued {
					t.Fatalf("a2 %s call phase %d", h.agent("a2").State, h.m.calls[id].phase)
				}
			}},
		{name: "to an extension: dialled; no answer sends the caller back to the queue",
			cmd: deskCommand{ToKind: TransferExtension, To: "8001"},
			check: func(t *testing.T, h *harness, out Output, id, leg string) {
				o := find[cmdOriginate](t, out)
				if o.Req.Endpoint != "PJSIP/8001" || o.Req.Timeout != transferDialTimeout {
					t.Fatalf("originate %+v", o.Req)
				}
				h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, Cause: pbx.CauseNoAnswer})
				c := h.m.calls[id]
				if c == nil || c.phase != phaseQueued || c.queue != "support" || c.xfer != nil {
					t.Fatalf("call after a failed extension %+v", c)
				}
			}},
		{name: "to an extension that answers",
			cmd: deskCommand{ToKind: TransferExtension, To: "8001"},
			check: func(t *testing.T, h *harness, out Output, id, leg string) {
				o := find[cmdOriginate](t, out)
				out = h.in(pbx.LegAnswered{Channel: o.Req.Channel})
				if br := find[cmdBridge](t, out); !slices.Equal(br.Channels, []string{"ch1", o.Req.Channel}) {
					t.Fatalf("bridge %+v", br)
				}
				h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, Cause: pbx.CauseNormal})
				if got := h.ended(); got.Outcome != OutcomeAnswered {
					t.Fatalf("ended %+v", got)
				}
			}},
		{name: "unknown queue", cmd: deskCommand{ToKind: TransferQueue, To: "nope"}, field: "to", noChange: true},
		{name: "unknown kind", cmd: deskCommand{ToKind: "trunk", To: "x"}, field: "to_kind", noChange: true},
		{name: "missing kind", cmd: deskCommand{To: "x"}, field: "to_kind", noChange: true},
		{name: "unknown extension", cmd: deskCommand{ToKind: TransferExtension, To: "9"}, field: "to", noChange: true},
		{name: "to oneself", cmd: deskCommand{ToKind: TransferAgent, To: "a1"}, field: "to", noChange: true},
		{name: "agent not ready", cmd: deskCommand{ToKind: TransferAgent, To: "a3"},
			prepare: func(h *harness) { h.agentCmd("sign_out", "a3", "") }, policy: "agent_not_ready", noChange: true},
		{name: "queue with nobody signed in", cmd: deskCommand{ToKind: TransferQueue, To: "billing"},
			prepare: func(h *harness) { h.agentCmd("sign_out", "a3", "") }, policy: "queue_empty", noChange: true},
		{name: "another agent's call", cmd: deskCommand{ToKind: TransferQueue, To: "billing", OnlyAgent: "a2"}, wantErr: ErrNotYourCall, noChange: true},
		{name: "another team's call", cmd: deskCommand{ToKind: TransferQueue, To: "billing", OnlyTeam: "t2"}, wantErr: ErrNotYourCall, noChange: true},
		{name: "unknown call", cmd: deskCommand{Call: "nope", ToKind: TransferQueue, To: "billing"}, wantErr: ErrUnknownCall, noChange: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newDeskHarness(t)
			h.signIn("a1")
			id, leg := h.talking()
			h.signIn("a2", "a3")
			if tt.prepare != nil {
				tt.prepare(h)
			}
			tt.cmd.Op = "transfer"
			if tt.cmd.Call == "" {
				tt.cmd.Call = id
			}
			before := len(h.recs)
			out := h.in(tt.cmd)
			var (
				fe *FieldError
				pe *PolicyError
			)
			switch {
			case tt.field != "":
				if !errors.As(out.Err, &fe) || fe.Field != tt.field {
					t.Fatalf("err %v, want field %s", out.Err, tt.field)
				}
			case tt.policy != "":
				if !errors.As(out.Err, &pe) || pe.Code != tt.policy {
					t.Fatalf("err %v, want %s", out.Err, tt.policy)
				}
			case tt.wantErr != nil:
				if !errors.Is(out.Err, tt.wantErr) {
					t.Fatalf("err %v, want %v", out.Err, tt.wantErr)
				}
			case out.Err != nil:
				t.Fatal(out.Err)
			}
			if tt.noChange {
				if len(out.Commands) != 0 || h.agent("a1").State != OnCall || h.m.calls[id].phase != phaseBridged {
					t.Fatalf("a refused transfer changed things: %+v %s", out.Commands, h.agent("a1").State)
				}
				for _, r := range h.recs[before:] {
					if r.Type != EvCommand {
						t.Fatalf("refused transfer wrote %s", r.Type)
					}
				}
				return
			}
			var td TransferData
			if !h.lastRecord(EvCallTransferred, &td) || td.From != "a1" || td.ToKind != tt.cmd.ToKind || td.To != tt.cmd.To {
				t.Fatalf("transfer record %+v", td)
			}
			if dc, ok := out.Reply.(*DeskCall); !ok || dc.ID != id || !dc.Transferred {
				t.Fatalf("reply %+v", out.Reply)
			}
			tt.check(t, h, out, id, leg)
		})
	}
}

func TestDeskView(t *testing.T) {
	h := newDeskHarness(t)
	h.signIn("a1")
	h.arrive("ch1")
	h.advance(time.Second)
	out := h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})
	leg := find[cmdOriginate](t, out).Req.Channel
	desk := func() DeskView {
		out := h.in(deskCommand{Op: "desk", Agent: "a1"})
		if out.Err != nil || len(out.Records) != 0 {
			t.Fatalf("desk: %v, %d records", out.Err, len(out.Records))
		}
		return out.Reply.(DeskView)
	}
	h.advance(500 * time.Millisecond)
	v := desk()
	if v.Call == nil || v.Call.Phase != "offered" || v.Call.Caller != "13800000000" || v.Call.Queue != "support" || v.Call.WaitSeconds != 0.5 {
		t.Fatalf("offered %+v", v.Call)
	}
	h.in(pbx.LegRinging{Channel: leg})
	if v = desk(); v.Call.Phase != "ringing" {
		t.Fatalf("ringing %+v", v.Call)
	}
	h.advance(2 * time.Second)
	h.in(pbx.LegAnswered{Channel: leg})
	if v = desk(); v.Call.Phase != "talking" || v.Call.WaitSeconds != 2.5 {
		t.Fatalf("talking %+v", v.Call)
	}
	h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	v = desk()
	if v.Call != nil || v.Agent.State != WrapUp || v.Agent.CallID == "" || v.WrapUpEnds == nil || !v.WrapUpEnds.Equal(h.now.Add(3*time.Second)) {
		t.Fatalf("wrap-up %+v ends %v", v, v.WrapUpEnds)
	}
	if len(v.Dispositions) != 2 || v.Dispositions[1].Code != "callback" || !v.Dispositions[1].FollowUp || v.Dispositions[0].Zh != "resolved" {
		t.Fatalf("dispositions %+v", v.Dispositions)
	}
	// a2 and a3 are signed out: no transfer to them is offered.
	if !slices.Equal(v.Targets.Queues, []string{"billing", "support"}) || len(v.Targets.Agents) != 0 || v.Targets.Extensions[0].Number != "8001" {
		t.Fatalf("targets %+v", v.Targets)
	}
	h.signIn("a3")
	if v = desk(); len(v.Targets.Agents) != 1 || v.Targets.Agents[0].ID != "a3" || v.Targets.Agents[0].State != Ready {
		t.Fatalf("targets with a3 signed in %+v", v.Targets.Agents)
	}
	h.agentCmd("not_ready", "a1", "break")
	h.advance(5 * time.Minute)
	v = desk()
	if v.AllowanceLeftSeconds == nil || *v.AllowanceLeftSeconds != 600 || *v.AllowanceSeconds != 900 {
		t.Fatalf("allowance %v %v", v.AllowanceSeconds, v.AllowanceLeftSeconds)
	}
	if out := h.in(deskCommand{Op: "desk", Agent: "zz"}); !errors.Is(out.Err, ErrUnknownAgent) {
		t.Fatalf("unknown agent: %v", out.Err)
	}
}

func TestDispositionsConfig(t *testing.T) {
	tests := []struct {
		name string
		ds   []Disposition
		want string // "" = valid
	}{
		{name: "defaults", ds: nil},
		{name: "ok", ds: []Disposition{{Code: "resolved", Zh: "已解决", En: "Resolved"}, {Code: "call-back_2"}}},
		{name: "empty code", ds: []Disposition{{Zh: "x"}}, want: "dispositions[0].code: required"},
		{name: "bad code", ds: []Disposition{{Code: "Re solved"}}, want: "dispositions[0].code: \"Re solved\" must be"},
		{name: "duplicate", ds: []Disposition{{Code: "a"}, {Code: "a"}}, want: "dispositions[1].code: duplicate"},
		{name: "long label", ds: []Disposition{{Code: "a", En: strings.Repeat("x", 101)}}, want: "dispositions[0].en: longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Dispositions = tt.ds
			cfg.Defaults()
			err := cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(cfg.Dispositions) == 0 || cfg.Dispositions[0].Zh == "" || cfg.Dispositions[0].En == "" {
					t.Fatalf("labels not defaulted: %+v", cfg.Dispositions)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}
