package routing

import (
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// acdHarness is a harness for ACD table tests: flows that queue at once, agents
// a1..aN, and a hand-moved clock.
type acdHarness struct {
	*harness
}

func skills(t testing.TB, s string) *SkillExpr {
	t.Helper()
	e, err := ParseSkillExpr(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// newACD builds a machine whose flow "f" sends each call straight to queue
// "q" (and flow "g" to queue "r"), with agents from spec.
func newACD(t *testing.T, q, r *Queue, agents ...AgentConfig) *acdHarness {
	t.Helper()
	cfg := &Config{
		Routes: map[string]string{"1": "f", "2": "g"},
		Flows: map[string]*Flow{
			"f": {Start: "q", Nodes: map[string]*Node{
				"q":   {Queue: &QueueNode{Queue: "q", NoAgent: "bye", OnTimeout: "bye"}},
				"vip": {Queue: &QueueNode{Queue: "q", Priority: 5}},
				"bye": {Play: &PlayNode{Media: []string{"sound:vm-goodbye"}}},
			}},
			"g": {Start: "r", Nodes: map[string]*Node{
				"r":   {Queue: &QueueNode{Queue: "r", NoAgent: "bye", OnTimeout: "bye"}},
				"bye": {Play: &PlayNode{Media: []string{"sound:vm-goodbye"}}},
			}},
		},
		Queues:       map[string]*Queue{"q": q, "r": r},
		Agents:       agents,
		SharedPhones: []string{"PJSIP/9999"}, // a shared hot desk
	}
	for i := range cfg.Agents {
		if cfg.Agents[i].Endpoint == "" {
			cfg.Agents[i].Endpoint = "PJSIP/" + cfg.Agents[i].ID
		}
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &acdHarness{&harness{t: t, m: NewMachine(cfg, SequentialIDs(), log),
		now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}}
}

func member(qs ...string) []QueueMember {
	var out []QueueMember
	for _, q := range qs {
		out = append(out, QueueMember{Queue: q})
	}
	return out
}

// signInSpaced signs agents in a second apart, so the first is idle longest.
func (h *acdHarness) signInSpaced(ids ...string) {
	for _, id := range ids {
		h.signIn(id)
		h.advance(time.Second)
	}
}

// call brings a call in on number ("1" → queue q, "2" → queue r) and
// returns the agents whose phones the machine rang.
func (h *acdHarness) call(ch, number string) []string {
	h.t.Helper()
	out := h.in(pbx.CallArrived{Channel: ch, Caller: "139" + ch, Called: number})
	return h.rung(out)
}

func (h *acdHarness) rung(out Output) []string {
	var eps []string
	for _, c := range out.Commands {
		if o, ok := c.(cmdOriginate); ok {
			eps = append(eps, o.Req.Endpoint[len("PJSIP/"):])
		}
	}
	return eps
}

// legOf is the pending offer's leg for agent id.
func (h *acdHarness) legOf(id string) string {
	h.t.Helper()
	a := h.m.agents[id]
	if a.offer == nil {
		h.t.Fatalf("agent %s has no offer (state %s)", id, a.state)
	}
	return a.offer.leg
}

// talk answers agent id's offer and ends the call after d.
func (h *acdHarness) talk(id string, d time.Duration) {
	h.t.Helper()
	leg := h.legOf(id)
	c := h.m.acd.offers[leg].call
	h.in(pbx.LegRinging{Channel: leg})
	h.in(pbx.LegAnswered{Channel: leg})
	h.advance(d)
	h.in(pbx.ChannelHungUp{Channel: c.channel})
}

func (h *acdHarness) lastDecision() DecisionData {
	h.t.Helper()
	for i := len(h.recs) - 1; i >= 0; i-- {
		if h.recs[i].Type == EvCallDecision {
			var d DecisionData
			if err := json.Unmarshal(h.recs[i].Data, &d); err != nil {
				h.t.Fatal(err)
			}
			return d
		}
	}
	h.t.Fatal("no decision recorded")
	return DecisionData{}
}

func TestStrategies(t *testing.T) {
	three := []AgentConfig{
		{ID: "a1", Queues: member("q"), Skills: map[string]int{"billing": 2}},
		{ID: "a2", Queues: member("q"), Skills: map[string]int{"billing": 9}},
		{ID: "a3", Queues: member("q"), Skills: map[string]int{"billing": 5}},
	}
	tests := []struct {
		name     string
		queue    Queue
		setup    func(h *acdHarness)
		want     []string
		wantRule string
	}{
		{"longest idle: the first signed in", Queue{Strategy: StrategyLongestIdle}, nil, []string{"a1"}, "queue"},
		{"fewest calls", Queue{Strategy: StrategyFewestCalls}, func(h *acdHarness) {
			h.m.agents["a1"].answered, h.m.agents["a2"].answered, h.m.agents["a3"].answered = 4, 1, 2
		}, []string{"a2"}, "queue"},
		{"least talk time", Queue{Strategy: StrategyLeastTalkTime}, func(h *acdHarness) {
			h.m.agents["a1"].talk, h.m.agents["a2"].talk, h.m.agents["a3"].talk = 90*time.Second, 80*time.Second, 10*time.Second
		}, []string{"a3"}, "queue"},
		{"round robin continues after the last offered", Queue{Strategy: StrategyRoundRobin}, func(h *acdHarness) {
			h.m.acd.queues["q"].rrLast = "a2"
		}, []string{"a3"}, "queue"},
		{"round robin wraps around", Queue{Strategy: StrategyRoundRobin}, func(h *acdHarness) {
			h.m.acd.queues["q"].rrLast = "a3"
		}, []string{"a1"}, "queue"},
		{"top down takes the first in config order", Queue{Strategy: StrategyTopDown}, func(h *acdHarness) {
			h.m.agents["a1"].idleSince = h.now // a1 just became free; still first
		}, []string{"a1"}, "queue"},
		{"ring all rings everyone ready", Queue{Strategy: StrategyRingAll}, nil, []string{"a1", "a2", "a3"}, "queue"},
		{"skill weighted: the highest level of the skills asked", Queue{Strategy: StrategySkillWeighted, Skills: skills(t, "billing")}, nil, []string{"a2"}, "queue"},
		{"skills exclude who lacks them", Queue{Skills: skills(t, "billing>=5")}, nil, []string{"a2"}, "queue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.queue
			h := newACD(t, &q, &Queue{}, three...)
			h.signInSpaced("a1", "a2", "a3")
			if tt.name == "skills exclude who lacks them" {
				// a1 (2) and a3 (5 is enough) — make a3 busy so only a2 fits.
				h.in(agentCommand{Op: "not_ready", Agent: "a3", Reason: "break"})
			}
			if tt.setup != nil {
				tt.setup(h)
			}
			got := h.call("c1", "1")
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("rang %v, want %v", got, tt.want)
			}
			d := h.lastDecision()
			if d.Strategy != q.Strategy && !(q.Strategy == "" && d.Strategy == StrategyLongestIdle) || d.Rule != tt.wantRule || d.ConfigVersion != 1 {
				t.Fatalf("decision %+v", d)
			}
			winners := slices.Clone(d.Winners)
			slices.Sort(winners)
			if !slices.Equal(winners, tt.want) {
				t.Fatalf("decision winners %v, want %v", d.Winners, tt.want)
			}
		})
	}
}

func TestRandomStrategyIsRepeatable(t *testing.T) {
	pick := func() []string {
		h := newACD(t, &Queue{Strategy: StrategyRandom}, &Queue{},
			AgentConfig{ID: "a1", Queues: member("q")}, AgentConfig{ID: "a2", Queues: member("q")},
			AgentConfig{ID: "a3", Queues: member("q")}, AgentConfig{ID: "a4", Queues: member("q")})
		h.signInSpaced("a1", "a2", "a3", "a4")
		var got []string
		for _, ch := range []string{"c1", "c2", "c3"} {
			got = append(got, h.call(ch, "1")...)
		}
		return got
	}
	first := pick()
	if len(first) != 3 {
		t.Fatalf("rang %v", first)
	}
	for range 5 {
		if again := pick(); !slices.Equal(again, first) {
			t.Fatalf("random picks differ between identical runs: %v vs %v", first, again)
		}
	}
}

func TestRingAllFirstAnswerWins(t *testing.T) {
	h := newACD(t, &Queue{Strategy: StrategyRingAll}, &Queue{},
		AgentConfig{ID: "a1", Queues: member("q")}, AgentConfig{ID: "a2", Queues: member("q")})
	h.signInSpaced("a1", "a2")
	h.call("c1", "1")
	l1, l2 := h.legOf("a1"), h.legOf("a2")
	out := h.in(pbx.LegAnswered{Channel: l2})
	if hu := find[cmdHangup](t, out); hu.Channel != l1 {
		t.Fatalf("hung up %s, want the other phone %s", hu.Channel, l1)
	}
	if h.agent("a2").State != OnCall || h.agent("a1").State != Ready {
		t.Fatalf("a1 %s a2 %s", h.agent("a1").State, h.agent("a2").State)
	}
	// The loser's phone answers anyway (the cancel crossed its 200 OK):
	// it is hung up, and nobody gets a second call.
	out = h.in(pbx.LegAnswered{Channel: l1})
	if hu := find[cmdHangup](t, out); hu.Channel != l1 || has[cmdBridge](out) {
		t.Fatalf("late answer: %+v", out.Commands)
	}
}

func TestPenaltyTiers(t *testing.T) {
	zero := 0
	h := newACD(t, &Queue{MaxPenalty: &zero, Escalation: []EscalationStep{{After: Duration(10 * time.Second), MaxPenalty: ptr(1)}}}, &Queue{},
		AgentConfig{ID: "a1", Queues: []QueueMember{{Queue: "q", Penalty: 1}}},
		AgentConfig{ID: "a2", Queues: []QueueMember{{Queue: "q", Penalty: 0}}})
	h.signInSpaced("a1", "a2")
	if got := h.call("c1", "1"); !slices.Equal(got, []string{"a2"}) {
		t.Fatalf("rang %v, want the penalty-0 agent although a1 idles longer", got)
	}
	if got := h.call("c2", "1"); len(got) != 0 {
		t.Fatalf("rang %v, want nobody: a1's penalty is above the queue's max", got)
	}
	h.advance(10 * time.Second)
	out := h.in(TimerFired{Name: "escalate:call-" + callNumber(h, "c2")})
	if got := h.rung(out); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("after the max-penalty step rang %v, want a1", got)
	}
	if d := h.lastDecision(); d.Rule != "escalation[0]" || d.MaxPenalty != 1 {
		t.Fatalf("decision %+v", d)
	}
}

func ptr[T any](v T) *T { return &v }

// callNumber finds the call ID the machine gave channel ch ("1", "2", …).
func callNumber(h *acdHarness, ch string) string {
	c := h.m.byChannel[ch]
	if c == nil {
		h.t.Fatalf("no call on %s", ch)
	}
	return c.id[len("call-"):]
}

func TestEscalationSteps(t *testing.T) {
	tests := []struct {
		name  string
		step  EscalationStep
		check func(h *acdHarness, out Output)
	}{
		{"widen the skills", EscalationStep{Skills: skills(t, "billing>=1")}, func(h *acdHarness, out Output) {
			if got := h.rung(out); !slices.Equal(got, []string{"a1"}) {
				h.t.Fatalf("rang %v, want a1 (billing 3) once the requirement widened", got)
			}
		}},
		{"merge another queue's agents", EscalationStep{AddQueues: []string{"r"}}, func(h *acdHarness, out Output) {
			if got := h.rung(out); !slices.Equal(got, []string{"b1"}) {
				h.t.Fatalf("rang %v, want b1 from the merged group", got)
			}
			if d := h.lastDecision(); !slices.Equal(d.Queues, []string{"q", "r"}) {
				h.t.Fatalf("decision queues %v", d.Queues)
			}
		}},
		{"overflow to another queue", EscalationStep{Overflow: &Target{Queue: "r"}}, func(h *acdHarness, out Output) {
			if got := h.rung(out); !slices.Equal(got, []string{"b1"}) {
				h.t.Fatalf("rang %v, want b1 in queue r", got)
			}
			c := h.m.byChannel["c1"]
			if c.queue != "r" || !c.entry.queuedAt.Equal(h.now.Add(-10*time.Second)) {
				h.t.Fatalf("after overflow queue %s queued at %s", c.queue, c.entry.queuedAt)
			}
		}},
		{"overflow to a flow node", EscalationStep{Overflow: &Target{Node: "bye"}}, func(h *acdHarness, out Output) {
			if p := find[cmdPlay](h.t, out); p.Media[0] != "sound:vm-goodbye" {
				h.t.Fatalf("played %v", p.Media)
			}
			out = h.in(pbx.PlaybackFinished{PlaybackID: find[cmdPlay](h.t, out).PlaybackID})
			if got := h.ended(); got.Outcome != OutcomeOverflow {
				h.t.Fatalf("ended %+v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.step
			st.After = Duration(10 * time.Second)
			h := newACD(t, &Queue{Skills: skills(t, "billing>=5"), Escalation: []EscalationStep{st}}, &Queue{},
				AgentConfig{ID: "a1", Queues: member("q"), Skills: map[string]int{"billing": 3}},
				AgentConfig{ID: "b1", Queues: member("r"), Skills: map[string]int{"billing": 6}})
			h.signInSpaced("a1", "b1")
			if got := h.call("c1", "1"); len(got) != 0 {
				t.Fatalf("rang %v before escalation", got)
			}
			h.advance(10 * time.Second)
			out := h.in(TimerFired{Name: "escalate:call-1"})
			var esc int
			for _, r := range out.Records {
				if r.Type == EvCallEscalated {
					esc++
				}
			}
			if esc != 1 {
				t.Fatalf("escalation records: %d", esc)
			}
			tt.check(h, out)
		})
	}
}

func TestOverflowOnLengthAndServiceLevel(t *testing.T) {
	t.Run("queue full", func(t *testing.T) {
		h := newACD(t, &Queue{MaxLength: 1, OnFull: &Target{Queue: "r"}}, &Queue{JoinEmpty: true},
			AgentConfig{ID: "a1", Queues: member("q")})
		h.signIn("a1")
		h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
		h.call("c1", "1")
		h.call("c2", "1")
		if q1, q2 := h.m.byChannel["c1"].queue, h.m.byChannel["c2"].queue; q1 != "q" || q2 != "r" {
			t.Fatalf("queues %s %s, want the second caller overflowed to r", q1, q2)
		}
	})
	t.Run("live service level under its floor", func(t *testing.T) {
		h := newACD(t, &Queue{OverflowBelowSL: &SLOverflow{Below: 50, MinCalls: 4, To: Target{Queue: "r"}}}, &Queue{JoinEmpty: true},
			AgentConfig{ID: "a1", Queues: member("q")})
		h.signIn("a1")
		for range 4 { // four callers answered late
			h.m.acd.slSample("q", true, time.Minute)
		}
		h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
		h.call("c1", "1")
		if q := h.m.byChannel["c1"].queue; q != "r" {
			t.Fatalf("queue %s, want r", q)
		}
	})
}

func TestCallerOrderAcrossQueues(t *testing.T) {
	t.Run("priority first", func(t *testing.T) {
		h := newACD(t, &Queue{JoinEmpty: true}, &Queue{}, AgentConfig{ID: "a1", Queues: member("q")})
		h.m.cfg.Priority = Priority{VIPNumbers: []string{"139vip"}, VIP: 10}
		h.signIn("a1")
		h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
		h.call("c1", "1")
		h.advance(time.Minute)
		h.call("vip", "1")
		out := h.in(agentCommand{Op: "ready", Agent: "a1"})
		if c := h.m.acd.offers[h.legOf("a1")].call; c.channel != "vip" || len(h.rung(out)) != 1 {
			t.Fatalf("offered %s, want the VIP caller who came later", c.channel)
		}
	})
	t.Run("longest waiting across the agent's queues", func(t *testing.T) {
		h := newACD(t, &Queue{JoinEmpty: true}, &Queue{JoinEmpty: true}, AgentConfig{ID: "a1", Queues: member("q", "r")})
		h.signIn("a1")
		h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
		h.call("c1", "2")
		h.advance(time.Second)
		h.call("c2", "1")
		h.in(agentCommand{Op: "ready", Agent: "a1"})
		if c := h.m.acd.offers[h.legOf("a1")].call; c.channel != "c1" {
			t.Fatalf("offered %s, want c1 from queue r, waiting longest", c.channel)
		}
	})
	t.Run("closest to breaching its service level", func(t *testing.T) {
		h := newACD(t, &Queue{JoinEmpty: true, ServiceLevel: ServiceLevel{Percent: 80, Within: Duration(10 * time.Second)}},
			&Queue{JoinEmpty: true, ServiceLevel: ServiceLevel{Percent: 80, Within: Duration(60 * time.Second)}},
			AgentConfig{ID: "a1", Queues: member("q", "r")})
		h.m.cfg.Ordering = OrderSLRisk
		h.signIn("a1")
		h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
		h.call("c1", "2") // waits 20 s of 60: a third
		h.advance(12 * time.Second)
		h.call("c2", "1") // waits 8 s of 10: four fifths
		h.advance(8 * time.Second)
		h.in(agentCommand{Op: "ready", Agent: "a1"})
		if c := h.m.acd.offers[h.legOf("a1")].call; c.channel != "c2" {
			t.Fatalf("offered %s, want c2, closest to its threshold", c.channel)
		}
	})
}

func TestReservationLease(t *testing.T) {
	h := newACD(t, &Queue{}, &Queue{}, AgentConfig{ID: "a1", Queues: member("q")}, AgentConfig{ID: "a2", Queues: member("q")})
	h.signInSpaced("a1", "a2")
	h.call("c1", "1")
	leg := h.legOf("a1")
	h.advance(5 * time.Second)
	out := h.in(TimerFired{Name: "lease:" + leg})
	if got := h.rung(out); !slices.Equal(got, []string{"a2"}) {
		t.Fatalf("after the lease ran out rang %v, want a2", got)
	}
	if v := h.agent("a1"); v.State != NotReady || v.Reason != "unreachable" {
		t.Fatalf("a1 %s/%s", v.State, v.Reason)
	}
	// A confirmed offer keeps its lease: ringing cancels the lease timer.
	out = h.in(pbx.LegRinging{Channel: h.legOf("a2")})
	if !slices.Contains(out.Cancels, "lease:"+h.legOf("a2")) {
		t.Fatalf("ringing did not end the lease: %v", out.Cancels)
	}
}

func TestTeamMinimumAndApproval(t *testing.T) {
	for _, approval := range []string{ApprovalRefuse, ApprovalLead} {
		t.Run(approval, func(t *testing.T) {
			h := newACD(t, &Queue{}, &Queue{}, AgentConfig{ID: "a1", Queues: member("q")}, AgentConfig{ID: "a2", Queues: member("q")})
			h.m.cfg.Teams = map[string]*Team{"t": {MinReady: 1, Approval: approval}}
			h.m.agents["a1"].team, h.m.agents["a2"].team = "t", "t"
			h.signInSpaced("a1", "a2")
			if _, err := h.agentCmd("not_ready", "a1", "meal"); err != nil {
				t.Fatalf("first meal break: %v", err)
			}
			_, err := h.agentCmd("not_ready", "a2", "meal")
			if approval == ApprovalRefuse {
				if pe, ok := err.(*PolicyError); !ok || pe.Code != "team_min_ready" {
					t.Fatalf("second meal break: %v, want refused", err)
				}
				return
			}
			if err != nil || h.agent("a2").PendingNotReady != "meal" || h.agent("a2").State != Ready {
				t.Fatalf("second meal break: %v %+v, want pending", err, h.agent("a2"))
			}
			if _, err := h.agentCmd("approve", "a2", ""); err != nil || h.agent("a2").State != NotReady {
				t.Fatalf("approve: %v %+v", err, h.agent("a2"))
			}
		})
	}
}

func TestBreakOverrunAlert(t *testing.T) {
	h := newACD(t, &Queue{}, &Queue{}, AgentConfig{ID: "a1", Queues: member("q")})
	h.m.cfg.NotReadyReasons = []Reason{{Code: "break", Allowance: Duration(15 * time.Minute)}}
	h.signIn("a1")
	out := h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
	if len(out.Timers) != 1 || out.Timers[0].Name != "allowance:a1" || !out.Timers[0].At.Equal(h.now.Add(15*time.Minute)) {
		t.Fatalf("timers %+v", out.Timers)
	}
	h.advance(15 * time.Minute)
	out = h.in(TimerFired{Name: "allowance:a1"})
	if len(out.Records) != 2 || out.Records[1].Type != EvAgentAlert {
		t.Fatalf("records %+v", out.Records)
	}
	// Back in time: the timer is cancelled with the break.
	h.in(agentCommand{Op: "ready", Agent: "a1"})
	if out := h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"}); len(out.Timers) != 1 {
		t.Fatal("no allowance timer on the second break")
	}
	if out := h.in(agentCommand{Op: "ready", Agent: "a1"}); !slices.Contains(out.Cancels, "allowance:a1") {
		t.Fatalf("ready did not cancel the allowance: %v", out.Cancels)
	}
}

func TestSecondSignIn(t *testing.T) {
	h := newACD(t, &Queue{}, &Queue{}, AgentConfig{ID: "a1", Queues: member("q")})
	h.signIn("a1")
	if _, err := h.agentCmd("sign_in", "a1", "PJSIP/9999"); !isTransition(err) {
		t.Fatalf("refuse policy: %v", err)
	}
	h.m.cfg.Login.SecondSignIn = LoginTakeOver
	v, err := h.agentCmd("sign_in", "a1", "PJSIP/9999")
	if err != nil || v.(AgentView).Endpoint != "PJSIP/9999" || v.(AgentView).State != Ready {
		t.Fatalf("take over: %v %+v", err, v)
	}
	if r := h.recs[len(h.recs)-1]; r.Type != EvAgentLogin {
		t.Fatalf("last record %s, want agent.login", r.Type)
	}
}

func TestReloadKeepsAgentsAndCallers(t *testing.T) {
	h := newACD(t, &Queue{JoinEmpty: true}, &Queue{}, AgentConfig{ID: "a1", Queues: member("q")}, AgentConfig{ID: "a2", Queues: member("r")})
	h.signInSpaced("a1", "a2")
	h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
	h.call("c1", "1")
	queuedAt := h.m.byChannel["c1"].entry.queuedAt
	// New config: a2 now also serves q, with a skill.
	next := *h.m.cfg
	next.Agents = []AgentConfig{
		{ID: "a1", Endpoint: "PJSIP/a1", Queues: member("q")},
		{ID: "a2", Endpoint: "PJSIP/a2", Queues: member("r", "q"), Skills: map[string]int{"x": 3}},
	}
	out := h.in(reloadCommand{cfg: &next})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if got := h.rung(out); !slices.Equal(got, []string{"a2"}) {
		t.Fatalf("after reload rang %v, want a2 who now serves q", got)
	}
	if h.agent("a1").State != NotReady || h.m.acd.offers[h.legOf("a2")].call.entry.queuedAt != queuedAt {
		t.Fatal("reload changed an agent's state or a caller's place")
	}
	if d := h.lastDecision(); d.ConfigVersion != 2 {
		t.Fatalf("decision under config version %d, want 2", d.ConfigVersion)
	}
	// Removing a signed-in agent is refused, and nothing of it applies.
	bad := next
	bad.Agents = next.Agents[:1]
	bad.Queues = map[string]*Queue{"q": next.Queues["q"], "r": next.Queues["r"]}
	if out := h.in(reloadCommand{cfg: &bad}); out.Err == nil || h.m.Version() != 2 {
		t.Fatalf("reload removing a signed-in agent: %v, version %d", out.Err, h.m.Version())
	}
}

func TestJoinAndLeaveEmpty(t *testing.T) {
	h := newACD(t, &Queue{JoinEmpty: true, LeaveEmpty: true}, &Queue{}, AgentConfig{ID: "a1", Queues: member("q")})
	h.call("c1", "1")
	if c := h.m.byChannel["c1"]; c.phase != phaseQueued {
		t.Fatal("join_empty: the caller did not queue with nobody signed in")
	}
	h.signIn("a1")
	h.in(pbx.ChannelHungUp{Channel: h.legOf("a1"), Cause: pbx.CauseNoAnswer})
	out := h.in(agentCommand{Op: "sign_out", Agent: "a1"})
	if p := find[cmdPlay](t, out); p.Media[0] != "sound:vm-goodbye" {
		t.Fatalf("leave_empty: played %v", p.Media)
	}
}
