package routing

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// bigMachine builds a call center of n agents, n/10 queues (each asking
// for one of 200 skills) and signs everyone in, ready.
func bigMachine(tb testing.TB, n int) *Machine {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	nq := max(n/10, 1)
	cfg := &Config{
		Routes: map[string]string{"default": "f"},
		Flows:  map[string]*Flow{"f": {Start: "q0", Nodes: map[string]*Node{}}},
		Queues: map[string]*Queue{},
	}
	for q := range nq {
		name := "q" + strconv.Itoa(q)
		sk, err := ParseSkillExpr(fmt.Sprintf("s%d>=3", rng.IntN(200)))
		if err != nil {
			tb.Fatal(err)
		}
		cfg.Queues[name] = &Queue{Skills: sk}
		cfg.Flows["f"].Nodes[name] = &Node{Queue: &QueueNode{Queue: name}}
	}
	for i := range n {
		ac := AgentConfig{ID: "a" + strconv.Itoa(i), Endpoint: "PJSIP/" + strconv.Itoa(i), Skills: map[string]int{}}
		for range 3 {
			q := "q" + strconv.Itoa(rng.IntN(nq))
			if !slicesContainsQueue(ac.Queues, q) {
				ac.Queues = append(ac.Queues, QueueMember{Queue: q, Penalty: rng.IntN(2)})
			}
		}
		for range 5 {
			ac.Skills["s"+strconv.Itoa(rng.IntN(200))] = 1 + rng.IntN(10)
		}
		cfg.Agents = append(cfg.Agents, ac)
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	m := NewMachine(cfg, SequentialIDs(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i, ac := range cfg.Agents {
		if out := m.Handle(now.Add(time.Duration(i)*time.Millisecond), agentCommand{Op: "sign_in", Agent: ac.ID}); out.Err != nil {
			tb.Fatal(out.Err)
		}
	}
	return m
}

func slicesContainsQueue(ms []QueueMember, q string) bool {
	for _, m := range ms {
		if m.Queue == q {
			return true
		}
	}
	return false
}

// BenchmarkDecide is one routing decision: the candidates of a call's
// queue among all signed-in agents, filtered by state, membership,
// penalty and skills, ranked, and the decision record written.
//
//	go test -run XXX -bench BenchmarkDecide -benchtime 2s -cpu 1 ./routing/
func BenchmarkDecide(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run("agents="+strconv.Itoa(n), func(b *testing.B) {
			m := bigMachine(b, n)
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			calls := make([]*call, 64)
			for i := range calls {
				q := "q" + strconv.Itoa(i%len(m.acd.queues))
				calls[i] = &call{id: "c" + strconv.Itoa(i), phase: phaseQueued, queue: q,
					entry: queueEntry{skills: []*SkillExpr{m.acd.queues[q].cfg.Skills}, maxPenalty: -1, rule: "queue", queuedAt: now}}
			}
			var out Output
			m.now, m.out = now, &out
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				c := calls[i%len(calls)]
				tier, winners, excluded := m.acd.choose(c)
				if len(winners) > 0 {
					m.acd.recordDecision(c, m.acd.queues[c.queue], "queued", tier, winners, excluded)
				}
				if len(out.Records) > 1024 {
					out.Records = out.Records[:0]
				}
			}
		})
	}
}

// BenchmarkEngineEvents is the machine's throughput on whole calls: each
// call is 8 inputs (arrival, greeting done, digit, ringing, answered,
// caller hang-up, leg hang-up, wrap-up timer), with every record encoded.
//
//	go test -run XXX -bench BenchmarkEngineEvents -benchtime 2s -cpu 1 ./routing/
func BenchmarkEngineEvents(b *testing.B) {
	cfg := testConfig()
	for i := 3; i <= 50; i++ {
		cfg.Agents = append(cfg.Agents, AgentConfig{ID: "a" + strconv.Itoa(i), Endpoint: "PJSIP/" + strconv.Itoa(i), Queues: []QueueMember{{Queue: "support"}}})
	}
	m := NewMachine(cfg, SequentialIDs(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, ac := range cfg.Agents {
		m.Handle(now, agentCommand{Op: "sign_in", Agent: ac.ID})
	}
	events := 0
	step := func(in any) Output {
		now = now.Add(time.Millisecond)
		events++
		return m.Handle(now, in)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if !wholeCall(step, "ch"+strconv.Itoa(i), "1") {
			b.Fatal("no agent offered")
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// wholeCall steps one call on channel ch through the machine: arrival,
// greeting done, digit 1, the agent's phone rings and answers, the caller
// hangs up, then the leg, then the wrap-up timer. False if no agent was
// offered.
func wholeCall(step func(any) Output, ch, caller string) bool {
	out := step(pbx.CallArrived{Channel: ch, Caller: caller, Called: "100"})
	greet := lastOf[cmdPlay](out)
	step(pbx.PlaybackFinished{PlaybackID: greet.PlaybackID, Channel: ch})
	out = step(pbx.DTMFReceived{Channel: ch, Digit: "1"})
	orig := lastOf[cmdOriginate](out)
	if orig.Req.Channel == "" {
		return false
	}
	step(pbx.LegRinging{Channel: orig.Req.Channel})
	step(pbx.LegAnswered{Channel: orig.Req.Channel})
	out = step(pbx.ChannelHungUp{Channel: ch, Cause: pbx.CauseNormal})
	step(pbx.ChannelHungUp{Channel: orig.Req.Channel, Cause: pbx.CauseNormal})
	for _, t := range out.Timers {
		step(TimerFired{Name: t.Name})
	}
	return true
}

// BenchmarkAgentFreeToOffer: an agent becomes ready while callers wait;
// the time until the machine emits the originate to that agent's phone.
// Each op is one ready→offer plus the busy reply that frees the call again.
//
//	go test -run XXX -bench BenchmarkAgentFreeToOffer -benchtime 2s -cpu 1 ./routing/
func BenchmarkAgentFreeToOffer(b *testing.B) {
	m := bigMachine(b, 10000)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a := m.agents["a0"]
	q := a.queues[0]
	for _, x := range m.acd.queues[q].members {
		m.Handle(now, agentCommand{Op: "not_ready", Agent: x.id, Reason: "break"})
	}
	a.skills = map[string]int{}
	for _, s := range m.acd.queues[q].cfg.Skills.Skills() {
		a.skills[s] = 10
	}
	for i := range 100 { // a hundred callers waiting
		c := &call{id: "w" + strconv.Itoa(i), channel: "w" + strconv.Itoa(i), phase: phaseQueued, queue: q,
			entry: queueEntry{skills: []*SkillExpr{m.acd.queues[q].cfg.Skills}, maxPenalty: -1, rule: "queue", queuedAt: now.Add(time.Duration(i))}}
		m.calls[c.id], m.byChannel[c.channel] = c, c
		m.acd.waiting = append(m.acd.waiting, c)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		now = now.Add(time.Millisecond)
		out := m.Handle(now, agentCommand{Op: "ready", Agent: a.id})
		orig := lastOf[cmdOriginate](out)
		if orig.Req.Channel == "" {
			b.Fatal("no offer")
		}
		m.Handle(now, pbx.ChannelHungUp{Channel: orig.Req.Channel, Cause: pbx.CauseUserBusy})
	}
}

func lastOf[T Command](out Output) T {
	var zero T
	for i := len(out.Commands) - 1; i >= 0; i-- {
		if c, ok := out.Commands[i].(T); ok {
			return c
		}
	}
	return zero
}
