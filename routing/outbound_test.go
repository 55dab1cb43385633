package routing

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

func outConfig() *Config {
	cfg := deskConfig()
	cfg.Trunks = []Trunk{{Name: "bad"}, {Name: "silent"}, {Name: "good", MaxChannels: 1}}
	cfg.TrunkGroups = map[string]*TrunkGroup{"out": {Members: []TrunkMember{
		{Trunk: "bad", Priority: 1}, {Trunk: "silent", Priority: 2}, {Trunk: "good", Priority: 3},
	}, MaxCalls: 2}}
	cfg.Outbound.Manual = "out"
	cfg.Outbound.DoNotCall = []string{"0301234567"}
	cfg.Outbound.Numbers.CountryCode, cfg.Outbound.Numbers.NationalPrefix, cfg.Outbound.Numbers.InternationalPrefix = "49", "0", "00"
	cfg.Outbound.RestrictedPrefixes = []RestrictedPrefix{
		{Prefix: "+49900", Why: WhyPremium, Roles: []string{"supervisor"}},
		{Prefix: "+", Why: WhyInternational, Roles: []string{"supervisor"}},
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return cfg
}

func newOutHarness(t *testing.T, cfg *Config) *harness {
	h := newHarness(t)
	h.m = NewMachine(cfg, SequentialIDs(), h.m.log)
	return h
}

func (h *harness) dial(agent, number string) (*DeskCall, error) {
	out := h.in(dialCommand{Op: "dial", Agent: agent, Number: number, Role: "agent"})
	v, _ := out.Reply.(*DeskCall)
	return v, out.Err
}

// agentAnswers rings and answers the agent's own phone; it returns the
// first trunk leg dialled.
func (h *harness) agentAnswers(c *DeskCall) cmdOriginate {
	h.t.Helper()
	leg := h.m.calls[c.ID].channel
	h.in(pbx.LegRinging{Channel: leg})
	out := h.in(pbx.LegAnswered{Channel: leg})
	return find[cmdOriginate](h.t, out)
}

func (h *harness) attempts() []TrunkAttemptData {
	var out []TrunkAttemptData
	for _, r := range h.recs {
		if r.Type == EvCallTrunkAttempt {
			d, _ := Decode[TrunkAttemptData](r)
			out = append(out, d)
		}
	}
	return out
}

func TestNumberRules(t *testing.T) {
	e164 := NumberPlan{CountryCode: "49", NationalPrefix: "0", InternationalPrefix: "00", MinDigits: 3, MaxDigits: 15}
	national := NumberPlan{MinDigits: 3, MaxDigits: 12}
	for _, tt := range []struct {
		plan       NumberPlan
		in, want   string
		wantReason string
	}{
		{e164, "030 1234-567", "+49301234567", ""},
		{e164, "0044 20 7946 0000", "+442079460000", ""},
		{e164, "+1 (555) 010-0000", "+15550100000", ""},
		{e164, "15112345678", "+4915112345678", ""},
		{e164, "", "", NumberEmpty},
		{e164, "  ", "", NumberEmpty},
		{e164, "call me", "", NumberLetters},
		{e164, "030x123", "", NumberLetters},
		{e164, "12+3", "", NumberLetters},
		{e164, "12", "", NumberTooShort},
		{e164, "000 0", "", NumberBadCode}, // the fuzzer's: "00" then "0" is no country
		{e164, "+0301234", "", NumberBadCode},
		{e164, "1234567890123456", "", NumberTooLong},
		{e164, "0301234567890123", "", NumberTooLong},
		{national, "010-6512 3456", "01065123456", ""},
		{national, "1234567890123", "", NumberTooLong},
	} {
		got, err := tt.plan.Normalise(tt.in)
		if tt.wantReason == "" {
			if err != nil || got != tt.want {
				t.Errorf("%q: %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || err.Field != "number" || len(err.Reason) < len(tt.wantReason) || err.Reason[:len(tt.wantReason)] != tt.wantReason {
			t.Errorf("%q: %q, %v; want a number error %q", tt.in, got, err, tt.wantReason)
		}
	}
}

func TestFailoverClassification(t *testing.T) {
	for _, tt := range []struct {
		sip      int
		cause    pbx.Cause
		failover bool
		why      string
	}{
		{503, 34, true, "sip_503"}, {500, 0, true, "sip_500"}, {408, 0, true, "sip_408"}, {404, 1, true, "sip_404"},
		{486, 17, false, "busy"}, {480, 0, false, "no_answer"}, {487, 0, false, "cancelled"}, {603, 21, false, "rejected"},
		{0, 34, true, "cause_34"}, {0, 38, true, "cause_38"}, {0, 41, true, "cause_41"}, {0, 42, true, "cause_42"},
		{0, 27, true, "cause_27"}, {0, 18, true, "cause_18"}, {0, 102, true, "cause_102"}, {0, 1, true, "cause_1"},
		{0, 3, true, "cause_3"}, {0, 47, true, "cause_47"},
		{0, 17, false, "busy"}, {0, 19, false, "no_answer"}, {0, 21, false, "rejected"}, {0, 16, false, "normal"},
	} {
		f, why := classifyEnd(tt.sip, tt.cause)
		if f != tt.failover || why != tt.why {
			t.Errorf("sip %d cause %d: failover %v %q, want %v %q", tt.sip, tt.cause, f, why, tt.failover, tt.why)
		}
	}
}

// 503 on the first trunk, silence on the second, the third connects: the
// call is bridged through it and the records name both failovers.
func TestDialFailsOverToTheGoodTrunk(t *testing.T) {
	h := newOutHarness(t, outConfig())
	h.signIn("a1")
	c, err := h.dial("a1", "030 5555 1234")
	if err != nil {
		t.Fatal(err)
	}
	if got := find[cmdOriginate](t, h.last).Req; got.Endpoint != "PJSIP/1001" || got.Trunk != "" {
		t.Fatalf("first the agent's phone: %+v", got)
	}
	if h.agent("a1").State != Reserved {
		t.Fatalf("agent %s, want reserved", h.agent("a1").State)
	}
	o := h.agentAnswers(c)
	if o.Req.Trunk != "bad" || o.Req.Number != "+493055551234" {
		t.Fatalf("first try: %+v", o.Req)
	}
	if h.agent("a1").State != OnCall {
		t.Fatalf("agent %s after answering, want on_call", h.agent("a1").State)
	}
	out := h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, Cause: 34, SIPCode: 503})
	o2 := find[cmdOriginate](t, out)
	if o2.Req.Trunk != "silent" {
		t.Fatalf("second try through %q, want silent", o2.Req.Trunk)
	}
	h.advance(5 * time.Second) // invite_timeout: no 1xx
	out = h.in(TimerFired{Name: "invite:" + c.ID})
	if hu := find[cmdHangup](t, out); hu.Channel != o2.Req.Channel {
		t.Fatalf("the silent leg is not hung up: %+v", out.Commands)
	}
	o3 := find[cmdOriginate](t, out)
	if o3.Req.Trunk != "good" || o3.Req.Number != "+493055551234" {
		t.Fatalf("third try: %+v", o3.Req)
	}
	// The silent leg's late hang-up changes nothing.
	h.in(pbx.ChannelHungUp{Channel: o2.Req.Channel, Cause: 16})
	h.in(pbx.LegRinging{Channel: o3.Req.Channel})
	h.advance(time.Second)
	out = h.in(pbx.LegAnswered{Channel: o3.Req.Channel})
	br := find[cmdBridge](t, out)
	if len(br.Channels) != 2 || br.Channels[1] != o3.Req.Channel {
		t.Fatalf("bridge %+v", br)
	}
	at := h.attempts()
	if len(at) != 3 || at[0].Why != "sip_503" || !at[0].Failover || at[1].Why != "invite_timeout" || !at[1].Failover ||
		at[2].Result != AttemptAnswered || at[2].Trunk != "good" || at[2].Try != 3 {
		t.Fatalf("attempts %+v", at)
	}
	h.advance(30 * time.Second)
	h.in(pbx.ChannelHungUp{Channel: o3.Req.Channel, Cause: 16})
	var ended EndedData
	h.lastRecord(EvCallEnded, &ended)
	if ended.Direction != DirectionOutbound || ended.Trunk != "good" || ended.Attempts != 3 || ended.TalkSeconds != 30 || ended.HangupBy != "callee" {
		t.Fatalf("ended %+v", ended)
	}
	if h.agent("a1").State != WrapUp {
		t.Fatalf("agent %s, want wrap_up", h.agent("a1").State)
	}
	if _, err := h.wrap(deskCommand{Agent: "a1", Call: c.ID, Disposition: "resolved"}); err != nil {
		t.Fatalf("wrap-up of an outbound call: %v", err)
	}
	var w WrapUpData
	if !h.lastRecord(EvCallWrapped, &w) || w.Disposition != "resolved" || h.agent("a1").State != Ready {
		t.Fatalf("wrapped %+v, agent %s", w, h.agent("a1").State)
	}
	// The trunks that failed once are degraded.
	v := h.m.trunks.view()
	if v.Trunks[0].State != TrunkDegraded || v.Trunks[1].State != TrunkDegraded || v.Trunks[2].State != TrunkUp {
		t.Fatalf("trunks %+v", v.Trunks)
	}
}

func TestDialBusyDoesNotFailOver(t *testing.T) {
	h := newOutHarness(t, outConfig())
	h.signIn("a1")
	c, _ := h.dial("a1", "0305551234")
	o := h.agentAnswers(c)
	out := h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, Cause: 17, SIPCode: 486})
	if has[cmdOriginate](out) {
		t.Fatal("busy dialled another trunk")
	}
	var ended EndedData
	h.lastRecord(EvCallEnded, &ended)
	if ended.Outcome != OutcomeBusy || h.agent("a1").State != WrapUp {
		t.Fatalf("ended %+v, agent %s", ended, h.agent("a1").State)
	}
	if h.m.trunks.byName["bad"].health != TrunkUp {
		t.Fatal("the callee's busy counted against the trunk")
	}
}

func TestDialSkipsATrunkAtMaxChannels(t *testing.T) {
	cfg := outConfig()
	cfg.TrunkGroups["out"].Members = cfg.TrunkGroups["out"].Members[2:] // good only, 1 channel
	cfg.TrunkGroups["out"].Members = append(cfg.TrunkGroups["out"].Members, TrunkMember{Trunk: "bad", Priority: 9, Weight: 1})
	h := newOutHarness(t, cfg)
	h.signIn("a1", "a2")
	c1, _ := h.dial("a1", "0305551234")
	if o := h.agentAnswers(c1); o.Req.Trunk != "good" {
		t.Fatalf("first call through %q", o.Req.Trunk)
	}
	c2, _ := h.dial("a2", "0305551235")
	o := h.agentAnswers(c2)
	if o.Req.Trunk != "bad" {
		t.Fatalf("second call through %q, want bad (good is at max_channels)", o.Req.Trunk)
	}
	at := h.attempts()
	if sk := at[len(at)-1]; sk.Result != AttemptSkipped || sk.Why != "max_channels" || sk.Trunk != "good" || sk.Leg != "" {
		t.Fatalf("skip %+v", sk)
	}
	// The group's cap of 2 calls refuses a third, nothing dialled.
	h.signIn("a3")
	if _, err := h.dial("a3", "0305551236"); !isPolicy(err, RefuseGroupFull) || has[cmdOriginate](h.last) {
		t.Fatalf("third call: %v, %+v", err, h.last.Commands)
	}
}

func isPolicy(err error, code string) bool {
	var pe *PolicyError
	return errors.As(err, &pe) && pe.Code == code
}

// Three carrier failures mark a trunk down; it is skipped, probed after
// probe_after, and a good probe brings it back.
func TestTrunkDownAfterFailuresThenProbe(t *testing.T) {
	cfg := outConfig()
	cfg.TrunkGroups["out"].MaxCalls = 0
	h := newOutHarness(t, cfg)
	h.signIn("a1")
	for i := 0; i < 3; i++ {
		c, err := h.dial("a1", "0305551234")
		if err != nil {
			t.Fatal(err)
		}
		o := h.agentAnswers(c)
		if o.Req.Trunk != "bad" {
			t.Fatalf("try %d through %q", i, o.Req.Trunk)
		}
		h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, SIPCode: 503})
		o2 := find[cmdOriginate](t, h.last)
		h.in(pbx.LegRinging{Channel: o2.Req.Channel})
		h.in(pbx.ChannelHungUp{Channel: o2.Req.Channel, SIPCode: 486}) // callee busy on silent
		h.in(TimerFired{Name: "wrapup:a1"})
	}
	var st TrunkStateData
	h.lastRecord(EvTrunkState, &st)
	if st.Trunk != "bad" || st.To != TrunkDown || st.Reason != "failures" || st.Failures != 3 {
		t.Fatalf("trunk.state %+v", st)
	}
	c, _ := h.dial("a1", "0305551234")
	if o := h.agentAnswers(c); o.Req.Trunk != "silent" {
		t.Fatalf("down trunk dialled: %+v", o.Req)
	}
	if at := h.attempts(); at[len(at)-1].Why != "down" {
		t.Fatalf("skip %+v", at[len(at)-1])
	}
	h.in(pbx.ChannelHungUp{Channel: find[cmdOriginate](t, h.last).Req.Channel, SIPCode: 486})
	h.in(TimerFired{Name: "wrapup:a1"})

	h.advance(31 * time.Second) // past probe_after
	c, _ = h.dial("a1", "0305551234")
	o := h.agentAnswers(c)
	if o.Req.Trunk != "bad" {
		t.Fatalf("no probe: %+v", o.Req)
	}
	h.in(pbx.LegRinging{Channel: o.Req.Channel})
	h.in(pbx.LegAnswered{Channel: o.Req.Channel})
	h.lastRecord(EvTrunkState, &st)
	if st.Trunk != "bad" || st.To != TrunkUp || st.Reason != "call_ok" {
		t.Fatalf("after a good probe %+v", st)
	}
	if at := h.attempts(); !at[len(at)-1].Probe {
		t.Fatalf("the probe is not marked: %+v", at[len(at)-1])
	}
}

func TestPeerStateMarksTrunksAndPhones(t *testing.T) {
	h := newOutHarness(t, outConfig())
	h.signIn("a1", "a2")
	h.in(pbx.PeerState{Peer: "bad", Trunk: true, Detail: "Unreachable"})
	var st TrunkStateData
	if !h.lastRecord(EvTrunkState, &st) || st.To != TrunkDown || st.Reason != "peer_unreachable" {
		t.Fatalf("trunk.state %+v", st)
	}
	h.advance(time.Hour) // no probe while the PBX says unreachable
	c, _ := h.dial("a1", "0305551234")
	if o := h.agentAnswers(c); o.Req.Trunk != "silent" {
		t.Fatalf("unreachable trunk dialled: %+v", o.Req)
	}
	h.in(pbx.PeerState{Peer: "bad", Trunk: true, Reachable: true, Detail: "Reachable"})
	if h.lastRecord(EvTrunkState, &st); st.To != TrunkUp || st.Reason != "peer_reachable" {
		t.Fatalf("trunk.state %+v", st)
	}

	// a2's phone goes unreachable: flagged, and not offered a call.
	h.in(pbx.PeerState{Peer: "PJSIP/1002", Detail: "Unreachable"})
	var dev DeviceData
	if !h.lastRecord(EvAgentDevice, &dev) || dev.Reachable || !h.agent("a2").DeviceUnreachable {
		t.Fatalf("device %+v, agent %+v", dev, h.agent("a2"))
	}
	h.arrive("ch9")
	out := h.in(pbx.DTMFReceived{Channel: "ch9", Digit: "1"})
	if has[cmdOriginate](out) {
		t.Fatalf("a2 offered a call on an unreachable phone: %+v", out.Commands)
	}
	out = h.in(pbx.PeerState{Peer: "PJSIP/1002", Reachable: true})
	if o := find[cmdOriginate](t, out); o.Req.Endpoint != "PJSIP/1002" {
		t.Fatalf("reachable again, a2 not offered the waiting call: %+v", o.Req)
	}
	if h.agent("a2").DeviceUnreachable {
		t.Fatal("still flagged")
	}
}

func TestAgentCancelsWhileTheNumberRings(t *testing.T) {
	h := newOutHarness(t, outConfig())
	h.signIn("a1")
	c, _ := h.dial("a1", "0305551234")
	o := h.agentAnswers(c)
	h.in(pbx.LegRinging{Channel: o.Req.Channel})
	out := h.in(pbx.ChannelHungUp{Channel: h.m.calls[c.ID].channel, Cause: 16})
	if hu := find[cmdHangup](t, out); hu.Channel != o.Req.Channel {
		t.Fatalf("the trunk leg still rings: %+v", out.Commands)
	}
	var ended EndedData
	h.lastRecord(EvCallEnded, &ended)
	at := h.attempts()
	if ended.Outcome != OutcomeCancelled || at[len(at)-1].Result != AttemptAborted || h.agent("a1").State != WrapUp {
		t.Fatalf("ended %+v, attempt %+v, agent %s", ended, at[len(at)-1], h.agent("a1").State)
	}
	if h.m.trunks.byName["bad"].inUse != 0 || h.m.trunks.groups["out"].calls != 0 {
		t.Fatal("channels leak")
	}
}

func TestAgentPhoneNotAnsweredFreesTheAgent(t *testing.T) {
	h := newOutHarness(t, outConfig())
	h.signIn("a1")
	c, _ := h.dial("a1", "0305551234")
	h.in(pbx.LegRinging{Channel: h.m.calls[c.ID].channel})
	out := h.in(pbx.ChannelHungUp{Channel: h.m.calls[c.ID].channel, Cause: 19})
	if has[cmdOriginate](out) {
		t.Fatal("dialled out without the agent")
	}
	var ended EndedData
	if h.lastRecord(EvCallEnded, &ended); ended.Outcome != OutcomeAgentMissed || h.agent("a1").State != Ready {
		t.Fatalf("ended %+v, agent %s", ended, h.agent("a1").State)
	}
}

func TestAgentHangsUpAfterTalking(t *testing.T) {
	h := newOutHarness(t, outConfig())
	h.signIn("a1")
	c, _ := h.dial("a1", "0305551234")
	o := h.agentAnswers(c)
	h.in(pbx.LegAnswered{Channel: o.Req.Channel})
	if v := h.m.desk.view(h.m.agents["a1"]); v.Call == nil || v.Call.Phase != "talking" || v.Call.Trunk != "bad" || v.Call.Direction != DirectionOutbound {
		t.Fatalf("desk %+v", v.Call)
	}
	h.advance(10 * time.Second)
	out := h.in(pbx.ChannelHungUp{Channel: h.m.calls[c.ID].channel, Cause: 16})
	if hu := find[cmdHangup](t, out); hu.Channel != o.Req.Channel || !has[cmdDestroyBridge](out) {
		t.Fatalf("callee leg not hung up: %+v", out.Commands)
	}
	var ended EndedData
	if h.lastRecord(EvCallEnded, &ended); ended.HangupBy != "agent" || ended.TalkSeconds != 10 {
		t.Fatalf("ended %+v", ended)
	}
}

func TestDialRefusals(t *testing.T) {
	cfg := outConfig()
	cfg.Calendars = map[string]*Calendar{}
	h := newOutHarness(t, cfg)
	h.signIn("a1")
	for _, tt := range []struct {
		number, role string
		check        func(error) bool
	}{
		{"", "agent", func(err error) bool { return isField(err, "number") }},
		{"abc", "agent", func(err error) bool { return isField(err, "number") }},
		{"030 1234567", "agent", func(err error) bool { return isPolicy(err, RefuseDoNotCall) }},
		{"0900 123456", "agent", func(err error) bool { return isPolicy(err, RefuseRestricted) }},
		{"0044 20 7946 0000", "agent", func(err error) bool { return isPolicy(err, RefuseRestricted) }},
	} {
		out := h.in(dialCommand{Op: "dial", Agent: "a1", Number: tt.number, Role: tt.role})
		if !tt.check(out.Err) || has[cmdOriginate](out) || h.agent("a1").State != Ready {
			t.Errorf("%q as %s: %v, %+v", tt.number, tt.role, out.Err, out.Commands)
		}
	}
	// A supervisor may dial abroad.
	if out := h.in(dialCommand{Op: "dial", Agent: "a1", Number: "0044 20 7946 0000", Role: "supervisor"}); out.Err != nil {
		t.Fatalf("supervisor abroad: %v", out.Err)
	}
	// All trunks down.
	h2 := newOutHarness(t, outConfig())
	h2.signIn("a1")
	for _, tr := range []string{"bad", "silent", "good"} {
		h2.in(pbx.PeerState{Peer: tr, Trunk: true})
	}
	if _, err := h2.dial("a1", "0305551234"); !isPolicy(err, RefuseTrunksDown) || has[cmdOriginate](h2.last) {
		t.Fatalf("all down: %v", err)
	}
}

// The group's order per call: priority is fixed, round robin moves its
// start by one, weight rotates in proportion (3:1), all without rand.
func TestTrunkGroupOrder(t *testing.T) {
	names := func(ts []*trunkState) string {
		s := ""
		for _, x := range ts {
			s += x.name[:1]
		}
		return s
	}
	run := func(order string, weights []int, n int) []string {
		c := outConfig()
		g := c.TrunkGroups["out"]
		g.Order = order
		for i, w := range weights {
			g.Members[i].Weight = w
		}
		m := NewMachine(c, SequentialIDs(), newHarness(t).m.log)
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, names(m.trunks.order("out")))
		}
		return out
	}
	if got := fmt.Sprint(run(OrderPriority, []int{1, 1, 1}, 2)); got != "[bsg bsg]" {
		t.Errorf("priority %s", got)
	}
	if got := fmt.Sprint(run(OrderRoundRobin, []int{1, 1, 1}, 4)); got != "[bsg sgb gbs bsg]" {
		t.Errorf("round robin %s", got)
	}
	// Weights 3:1:0: of four calls three start on bad, one on silent; good
	// (weight 0) is only ever a fallback.
	if got := fmt.Sprint(run(OrderWeight, []int{3, 1, 0}, 4)); got != "[bsg bsg sbg bsg]" {
		t.Errorf("weight %s", got)
	}
}

// Whatever is typed, Normalise gives a number the drivers may dial
// (digits, an optional leading +, within the plan's length) or a refusal
// naming the field.
func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"030 1234567", "+1 (555) 010-0000", "0044 20", "x", "", "++1", "0" + string(rune(0x663))} {
		f.Add(s)
	}
	p := NumberPlan{CountryCode: "49", NationalPrefix: "0", InternationalPrefix: "00", MinDigits: 3, MaxDigits: 15}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := p.Normalise(in)
		if err != nil {
			if err.Field != "number" || err.Reason == "" || n != "" {
				t.Fatalf("%q: %q %+v", in, n, err)
			}
			return
		}
		digits := strings.TrimPrefix(n, "+")
		if !strings.HasPrefix(n, "+") || len(digits) < 3 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("%q became %q", in, n)
		}
	})
}
