package routing

import (
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

func testConfig() *Config {
	cfg := &Config{
		Routes: map[string]string{"100": "main"},
		Flows: map[string]*Flow{"main": {
			Start: "greeting",
			Nodes: map[string]*Node{
				"greeting": {Play: &PlayNode{Media: []string{"sound:hello-world"}, Next: "menu"}},
				"menu": {Menu: &MenuNode{
					Prompt:        []string{"sound:press-1"},
					Options:       map[string]string{"1": "support", "2": "goodbye"},
					Timeout:       Duration(5 * time.Second),
					Attempts:      2,
					InvalidPrompt: []string{"sound:option-is-invalid"},
					OnFailure:     "goodbye",
				}},
				"support": {Queue: &QueueNode{Queue: "support", NoAgent: "closed"}},
				"closed":  {Play: &PlayNode{Media: []string{"sound:nobody"}}},
				"goodbye": {Play: &PlayNode{Media: []string{"sound:vm-goodbye"}, Next: "bye"}},
				"bye":     {Hangup: &struct{}{}},
			},
		}},
		Queues: map[string]*Queue{"support": {WrapUp: Duration(3 * time.Second), RingTimeout: Duration(10 * time.Second)}},
		// Shared phones: a hot desk and a supervisor's.
		SharedPhones: []string{"PJSIP/9999", "PJSIP/1009", "PJSIP/1008"},
		Agents: []AgentConfig{
			{ID: "a1", Endpoint: "PJSIP/1001", Queues: []QueueMember{{Queue: "support"}}},
			{ID: "a2", Endpoint: "PJSIP/1002", Queues: []QueueMember{{Queue: "support"}}},
		},
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return cfg
}

// harness drives a Machine with a hand-moved clock.
type harness struct {
	t    *testing.T
	m    *Machine
	now  time.Time
	recs []*Record
	last Output
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &harness{t: t, m: NewMachine(testConfig(), SequentialIDs(), log),
		now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (h *harness) in(v any) Output {
	h.t.Helper()
	h.last = h.m.Handle(h.now, v)
	h.recs = append(h.recs, h.last.Records...)
	return h.last
}

func (h *harness) advance(d time.Duration) { h.now = h.now.Add(d) }

func (h *harness) agentCmd(op, id, arg string) (any, error) {
	cmd := agentCommand{Op: op, Agent: id}
	if op == "sign_in" {
		cmd.Endpoint = arg
	} else {
		cmd.Reason = arg
	}
	out := h.in(cmd)
	return out.Reply, out.Err
}

func (h *harness) signIn(ids ...string) {
	h.t.Helper()
	for _, id := range ids {
		if _, err := h.agentCmd("sign_in", id, ""); err != nil {
			h.t.Fatalf("sign in %s: %v", id, err)
		}
	}
}

func (h *harness) agent(id string) AgentView { return h.m.agents[id].view() }

// find returns the last command of type T in the last output.
func find[T Command](t *testing.T, out Output) T {
	t.Helper()
	for i := len(out.Commands) - 1; i >= 0; i-- {
		if c, ok := out.Commands[i].(T); ok {
			return c
		}
	}
	var zero T
	t.Fatalf("no %T in %#v", zero, out.Commands)
	return zero
}

func has[T Command](out Output) bool {
	for _, c := range out.Commands {
		if _, ok := c.(T); ok {
			return true
		}
	}
	return false
}

// types lists the non-input record types written so far, in order.
func (h *harness) types() []string {
	var out []string
	for _, r := range h.recs {
		if strings.HasPrefix(r.Type, "call.") {
			out = append(out, r.Type)
		}
	}
	return out
}

func (h *harness) ivrPath() []string {
	var out []string
	for _, r := range h.recs {
		if r.Type == EvCallIVR {
			var d IVRData
			_ = json.Unmarshal(r.Data, &d)
			if d.Input != "" {
				out = append(out, d.Input+">"+d.Node)
			} else {
				out = append(out, d.Node)
			}
		}
	}
	return out
}

func (h *harness) ended() EndedData {
	h.t.Helper()
	for _, r := range h.recs {
		if r.Type == EvCallEnded {
			var d EndedData
			_ = json.Unmarshal(r.Data, &d)
			return d
		}
	}
	h.t.Fatal("no call.ended record")
	return EndedData{}
}

func base() pbx.Base { return pbx.Base{} }

// arrive brings a call in and plays the greeting out; it returns the menu
// prompt's playback ID.
func (h *harness) arrive(ch string) string {
	h.t.Helper()
	out := h.in(pbx.CallArrived{Channel: ch, Caller: "13800000000", Called: "100"})
	if a := find[cmdAnswer](h.t, out); a.Channel != ch {
		h.t.Fatalf("answered %q, want %q", a.Channel, ch)
	}
	greet := find[cmdPlay](h.t, out)
	out = h.in(pbx.PlaybackFinished{PlaybackID: greet.PlaybackID, Channel: ch})
	return find[cmdPlay](h.t, out).PlaybackID
}

func TestAnsweredCall(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1")
	h.arrive("ch1")
	h.advance(2 * time.Second)
	out := h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})
	orig := find[cmdOriginate](t, out)
	if orig.Req.Endpoint != "PJSIP/1001" || orig.Req.Timeout != 10*time.Second {
		t.Fatalf("originate %+v", orig.Req)
	}
	if st := h.agent("a1").State; st != Reserved {
		t.Fatalf("agent state %s, want reserved", st)
	}
	h.in(pbx.LegRinging{Channel: orig.Req.Channel})
	if st := h.agent("a1").State; st != Ringing {
		t.Fatalf("agent state %s, want ringing", st)
	}
	h.advance(4 * time.Second)
	out = h.in(pbx.LegAnswered{Channel: orig.Req.Channel})
	br := find[cmdBridge](t, out)
	if !slices.Equal(br.Channels, []string{"ch1", orig.Req.Channel}) {
		t.Fatalf("bridged %v", br.Channels)
	}
	if st := h.agent("a1").State; st != OnCall {
		t.Fatalf("agent state %s, want on_call", st)
	}
	h.advance(30 * time.Second)
	out = h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	if hu := find[cmdHangup](t, out); hu.Channel != orig.Req.Channel {
		t.Fatalf("hung up %q, want the agent leg", hu.Channel)
	}
	if !has[cmdDestroyBridge](out) {
		t.Fatal("bridge not destroyed")
	}
	if got := h.ended(); got.Outcome != OutcomeAnswered || got.HangupBy != "caller" {
		t.Fatalf("ended %+v", got)
	}
	if st := h.agent("a1").State; st != WrapUp {
		t.Fatalf("agent state %s, want wrap_up", st)
	}
	if len(out.Timers) != 1 || out.Timers[0].Name != "wrapup:a1" || !out.Timers[0].At.Equal(h.now.Add(3*time.Second)) {
		t.Fatalf("timers %+v", out.Timers)
	}
	h.in(TimerFired{Name: "wrapup:a1"})
	if st := h.agent("a1").State; st != Ready {
		t.Fatalf("agent state %s after wrap-up, want ready", st)
	}
	want := []string{EvCallArrived, EvCallIVR, EvCallIVR, EvCallIVR, EvCallQueued, EvCallDecision, EvCallOffered, EvCallAnswered, EvCallEnded}
	if got := h.types(); !slices.Equal(got, want) {
		t.Fatalf("records\n got %v\nwant %v", got, want)
	}
	if got := h.ivrPath(); !slices.Equal(got, []string{"greeting", "menu", "1>support"}) {
		t.Fatalf("ivr path %v", got)
	}
	// The agent leg's own hang-up arrives after we ended the call: ignored.
	out = h.in(pbx.ChannelHungUp{Channel: orig.Req.Channel, Cause: pbx.CauseNormal})
	if len(out.Commands) != 0 || h.agent("a1").State != Ready {
		t.Fatalf("late leg hang-up acted on: %+v", out.Commands)
	}
}

func TestCallerHangupEnds(t *testing.T) {
	tests := []struct {
		name    string
		signIn  bool
		steps   func(h *harness)
		outcome string
		agent   AgentState
	}{
		{name: "in the IVR", steps: func(h *harness) {}, outcome: OutcomeAbandonedIVR},
		{name: "waiting in queue", signIn: true, steps: func(h *harness) {
			h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
			h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})
		}, outcome: OutcomeAbandonedQueue, agent: NotReady},
		{name: "while an agent rings", signIn: true, steps: func(h *harness) {
			out := h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})
			h.in(pbx.LegRinging{Channel: find[cmdOriginate](h.t, out).Req.Channel})
		}, outcome: OutcomeAbandonedRinging, agent: Ready},
		{name: "after the no-agent branch", steps: func(h *harness) {
			h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})
		}, outcome: OutcomeNoAgent, agent: SignedOut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.signIn {
				h.signIn("a1")
			}
			h.arrive("ch1")
			tt.steps(h)
			out := h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
			if got := h.ended(); got.Outcome != tt.outcome || got.HangupBy != "caller" {
				t.Fatalf("ended %+v, want outcome %s", got, tt.outcome)
			}
			if tt.outcome == OutcomeAbandonedRinging && !has[cmdHangup](out) {
				t.Fatal("the ringing agent leg was not hung up")
			}
			if st := h.agent("a1").State; st != tt.agent {
				t.Fatalf("agent state %s, want %s", st, tt.agent)
			}
			if len(h.m.calls) != 0 || len(h.m.acd.waiting) != 0 {
				t.Fatalf("call state leaked: %d calls, %d waiting", len(h.m.calls), len(h.m.acd.waiting))
			}
		})
	}
}

func TestOfferFailsThenNextAgent(t *testing.T) {
	for _, tt := range []struct {
		name   string
		fail   func(h *harness, leg string)
		reason string
	}{
		{"no answer", func(h *harness, leg string) {
			h.in(pbx.LegRinging{Channel: leg})
			h.in(pbx.ChannelHungUp{Channel: leg, Cause: pbx.CauseNoAnswer})
		}, "no_answer"},
		{"busy", func(h *harness, leg string) {
			h.in(pbx.ChannelHungUp{Channel: leg, Cause: pbx.CauseUserBusy})
		}, "busy"},
		{"pbx never reports the leg", func(h *harness, leg string) {
			h.advance(15 * time.Second)
			out := h.in(TimerFired{Name: "ring:" + leg})
			if hu := find[cmdHangup](h.t, out); hu.Channel != leg {
				h.t.Fatalf("hung up %q, want the stuck leg", hu.Channel)
			}
		}, "no_answer"},
		{"originate refused", func(h *harness, leg string) {
			h.in(pbx.CommandFailed{Channel: leg, Command: "originate", Err: "boom"})
		}, "no_answer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.signIn("a1")
			h.advance(time.Second)
			h.signIn("a2") // a1 has been idle longer: offered first
			h.arrive("ch1")
			out := h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})
			first := find[cmdOriginate](t, out)
			if first.Req.Endpoint != "PJSIP/1001" {
				t.Fatalf("first offer to %s, want the longest idle PJSIP/1001", first.Req.Endpoint)
			}
			tt.fail(h, first.Req.Channel)
			second := find[cmdOriginate](t, h.last)
			if second.Req.Endpoint != "PJSIP/1002" {
				t.Fatalf("second offer to %s, want PJSIP/1002", second.Req.Endpoint)
			}
			if v := h.agent("a1"); v.State != NotReady || v.Reason != tt.reason {
				t.Fatalf("first agent %s/%s, want not_ready/%s", v.State, v.Reason, tt.reason)
			}
			h.in(pbx.LegAnswered{Channel: second.Req.Channel})
			if h.agent("a2").State != OnCall {
				t.Fatalf("second agent %s", h.agent("a2").State)
			}
			want := []string{EvCallArrived, EvCallIVR, EvCallIVR, EvCallIVR, EvCallQueued, EvCallDecision, EvCallOffered, EvCallOfferFailed, EvCallDecision, EvCallOffered, EvCallAnswered}
			if got := h.types(); !slices.Equal(got, want) {
				t.Fatalf("records\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestMenuBranches(t *testing.T) {
	tests := []struct {
		name  string
		steps func(h *harness, prompt string)
		path  []string
		ended string // outcome if the call ends
	}{
		{"invalid digit then valid", func(h *harness, prompt string) {
			out := h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "7"})
			if p := find[cmdPlay](h.t, out); p.Media[0] != "sound:option-is-invalid" {
				h.t.Fatalf("played %v after an invalid digit", p.Media)
			}
			if !has[cmdStopPlayback](out) {
				h.t.Fatal("the prompt was not stopped on barge-in")
			}
			h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "2"})
		}, []string{"greeting", "menu", "invalid>menu", "2>goodbye"}, ""},
		{"timeout twice then failure", func(h *harness, prompt string) {
			out := h.in(pbx.PlaybackFinished{PlaybackID: prompt, Channel: "ch1"})
			if len(out.Timers) != 1 || out.Timers[0].Name != "menu:call-1" {
				h.t.Fatalf("timers %+v", out.Timers)
			}
			out = h.in(TimerFired{Name: "menu:call-1"})
			again := find[cmdPlay](h.t, out)
			if again.Media[0] != "sound:press-1" {
				h.t.Fatalf("replayed %v, want the prompt", again.Media)
			}
			h.in(pbx.PlaybackFinished{PlaybackID: again.PlaybackID, Channel: "ch1"})
			out = h.in(TimerFired{Name: "menu:call-1"})
			bye := find[cmdPlay](h.t, out)
			out = h.in(pbx.PlaybackFinished{PlaybackID: bye.PlaybackID, Channel: "ch1"})
			if hu := find[cmdHangup](h.t, out); hu.Channel != "ch1" {
				h.t.Fatalf("hung up %q", hu.Channel)
			}
		}, []string{"greeting", "menu", "timeout>menu", "timeout>goodbye", "bye"}, OutcomeFlowEnded},
		{"no agent signed in", func(h *harness, prompt string) {
			out := h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})
			p := find[cmdPlay](h.t, out)
			out = h.in(pbx.PlaybackFinished{PlaybackID: p.PlaybackID, Channel: "ch1"})
			find[cmdHangup](h.t, out)
		}, []string{"greeting", "menu", "1>support", "no_agent>closed"}, OutcomeNoAgent},
		{"a stale timer after the digit does nothing", func(h *harness, prompt string) {
			h.in(pbx.PlaybackFinished{PlaybackID: prompt, Channel: "ch1"})
			h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "2"})
			out := h.in(TimerFired{Name: "menu:call-1"})
			if len(out.Commands) != 0 {
				h.t.Fatalf("stale timer acted: %+v", out.Commands)
			}
		}, []string{"greeting", "menu", "2>goodbye"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			prompt := h.arrive("ch1")
			tt.steps(h, prompt)
			if got := h.ivrPath(); !slices.Equal(got, tt.path) {
				t.Fatalf("ivr path\n got %v\nwant %v", got, tt.path)
			}
			if tt.ended != "" {
				if got := h.ended(); got.Outcome != tt.ended || got.HangupBy != "switchboard" {
					t.Fatalf("ended %+v, want %s", got, tt.ended)
				}
			}
		})
	}
}

func TestLegAnsweredAfterCallGoneIsHungUp(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1")
	h.arrive("ch1")
	leg := find[cmdOriginate](t, h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})).Req.Channel
	h.in(pbx.ChannelHungUp{Channel: "ch1"})
	out := h.in(pbx.LegAnswered{Channel: leg})
	if hu := find[cmdHangup](t, out); hu.Channel != leg {
		t.Fatalf("hung up %q, want the orphan leg %q", hu.Channel, leg)
	}
	if st := h.agent("a1").State; st != Ready {
		t.Fatalf("agent %s, want ready", st)
	}
}

func TestResyncEndsCallsTheLinkLost(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1", "a2")
	h.arrive("ch1")
	leg := find[cmdOriginate](t, h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})).Req.Channel
	h.in(pbx.LegAnswered{Channel: leg})
	h.arrive("ch2")
	h.in(pbx.LinkDown{})
	// After the reconnect only the second caller is still there.
	out := h.in(pbx.Resynced{Channels: []pbx.ChannelInfo{{Channel: "ch2", State: "Up"}, {Channel: "stray", State: "Up"}}})
	if got := h.ended(); got.Outcome != OutcomeAnswered || got.Cause != "gone_after_link_drop" {
		t.Fatalf("ended %+v", got)
	}
	if h.agent("a1").State != WrapUp {
		t.Fatalf("agent a1 %s, want wrap_up", h.agent("a1").State)
	}
	var hungStray bool
	for _, c := range out.Commands {
		if hu, ok := c.(cmdHangup); ok && hu.Channel == "stray" {
			hungStray = true
		}
	}
	if !hungStray {
		t.Fatal("a channel nobody owns was left in the application")
	}
	if _, ok := h.m.byChannel["ch2"]; !ok {
		t.Fatal("the surviving call was dropped")
	}
}

func TestAgentCommands(t *testing.T) {
	h := newHarness(t)
	if _, err := h.agentCmd("get", "nobody", ""); err != ErrUnknownAgent {
		t.Fatalf("unknown agent: %v", err)
	}
	if _, err := h.agentCmd("sign_in", "a1", "bogus"); !isField(err, "endpoint") {
		t.Fatalf("bad endpoint: %v", err)
	}
	if _, err := h.agentCmd("ready", "a1", ""); !isTransition(err) {
		t.Fatalf("ready while signed out: %v", err)
	}
	h.signIn("a1")
	if _, err := h.agentCmd("not_ready", "a1", "nap"); !isField(err, "reason") {
		t.Fatalf("unknown reason: %v", err)
	}
	v, err := h.agentCmd("not_ready", "a1", "meal")
	if err != nil || v.(AgentView).State != NotReady || v.(AgentView).Reason != "meal" {
		t.Fatalf("not ready: %v %+v", err, v)
	}
	if _, err := h.agentCmd("sign_in", "a1", "PJSIP/1009"); !isTransition(err) {
		t.Fatalf("second sign-in on another phone: %v", err)
	}
	if _, err := h.agentCmd("sign_out", "a1", ""); err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, r := range h.recs {
		if r.Type == EvAgentState {
			var d AgentStateData
			_ = json.Unmarshal(r.Data, &d)
			states = append(states, d.To)
		}
	}
	if want := []string{"ready", "not_ready", "signed_out"}; !slices.Equal(states, want) {
		t.Fatalf("agent.state records %v, want %v", states, want)
	}
}

func isField(err error, field string) bool {
	fe, ok := err.(*FieldError)
	return ok && fe.Field == field
}

func isTransition(err error) bool {
	_, ok := err.(*TransitionError)
	return ok
}

func TestBridgeFailureEndsTheCall(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1")
	h.arrive("ch1")
	leg := find[cmdOriginate](t, h.in(pbx.DTMFReceived{Channel: "ch1", Digit: "1"})).Req.Channel
	br := find[cmdBridge](t, h.in(pbx.LegAnswered{Channel: leg}))
	out := h.in(pbx.CommandFailed{Channel: channelOf(br), Command: br.Name(), Err: "409"})
	hung := map[string]bool{}
	for _, c := range out.Commands {
		if hu, ok := c.(cmdHangup); ok {
			hung[hu.Channel] = true
		}
	}
	if !hung["ch1"] || !hung[leg] {
		t.Fatalf("after a failed bridge hung up %v, want the caller and the agent leg", hung)
	}
	if got := h.ended(); got.Outcome != OutcomeLost {
		t.Fatalf("ended %+v", got)
	}
	if st := h.agent("a1").State; st != WrapUp {
		t.Fatalf("agent %s, want wrap_up", st)
	}
}
