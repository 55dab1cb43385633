package routing

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// failOnError turns an engine error log (a refused transition the engine
// drove itself) into a test failure.
type failOnError struct {
	t *testing.T
}

func (h failOnError) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (h failOnError) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	h.t.Errorf("engine logged an error: %s", msg)
	return nil
}
func (h failOnError) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h failOnError) WithGroup(string) slog.Handler      { return h }

// TestMachineInvariantsUnderRandomEvents throws random but plausible PBX
// events, timers and agent commands at the machine, in any order a real
// PBX could produce them, and checks after every step that no agent is
// stuck or double-booked and no call leaks.
func TestMachineInvariantsUnderRandomEvents(t *testing.T) {
	for seed := uint64(1); seed <= 1500; seed++ {
		cfg := testConfig
		switch seed % 3 {
		case 1:
			cfg = richConfig
		case 2:
			cfg = func() *Config {
				// One-digit extensions, so random digits reach them often.
				c := ivrConfig(t)
				c.Extensions["1"], c.Extensions["2"] = c.Extensions["8001"], c.Extensions["8002"]
				c.Flows["main"].Nodes["ext"].Collect.Min, c.Flows["main"].Nodes["ext"].Collect.Max = 1, 1
				return c
			}
		}
		first := runRandom(t, cfg(), seed, 250)
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
		// The same inputs give the same decisions, byte for byte.
		if again := runRandom(t, cfg(), seed, 250); again != first {
			t.Fatalf("seed %d: a second run of the same inputs decided differently", seed)
		}
	}
}

// richConfig exercises every ACD feature at once: strategies, skills,
// penalties, escalation to a merged group and overflow, ring-all, teams.
func richConfig() *Config {
	cfg := testConfig()
	mustSkills := func(s string) *SkillExpr {
		e, err := ParseSkillExpr(s)
		if err != nil {
			panic(err)
		}
		return e
	}
	one := 1
	cfg.Flows["main"].Nodes["menu"].Menu.Options["3"] = "sales"
	cfg.Flows["main"].Nodes["sales"] = &Node{Queue: &QueueNode{Queue: "sales", NoAgent: "closed", Priority: 2}}
	cfg.Queues["support"].Skills = mustSkills("billing>=3")
	cfg.Queues["support"].MaxLength = 3
	cfg.Queues["support"].OnFull = &Target{Queue: "sales"}
	cfg.Queues["support"].Escalation = []EscalationStep{
		{After: Duration(5 * time.Second), Skills: mustSkills("billing>=1"), MaxPenalty: &one},
		{After: Duration(10 * time.Second), AddQueues: []string{"sales"}},
		{After: Duration(20 * time.Second), Overflow: &Target{Node: "goodbye"}},
	}
	cfg.Queues["sales"] = &Queue{Strategy: StrategyRingAll, JoinEmpty: true, LeaveEmpty: true}
	cfg.Agents = []AgentConfig{
		{ID: "a1", Endpoint: "PJSIP/1001", Queues: []QueueMember{{Queue: "support"}, {Queue: "sales", Penalty: 1}}, Skills: map[string]int{"billing": 5}, Team: "t"},
		{ID: "a2", Endpoint: "PJSIP/1002", Queues: []QueueMember{{Queue: "support", Penalty: 1}}, Skills: map[string]int{"billing": 1}, Team: "t"},
		{ID: "a3", Endpoint: "PJSIP/1003", Queues: []QueueMember{{Queue: "sales"}}, Team: "t"},
	}
	cfg.Teams = map[string]*Team{"t": {MinReady: 1, Approval: ApprovalLead}}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return cfg
}

// withTrunks adds two trunks in a group for the agents' click-to-dial, one
// capped at a single channel, so random dials fail over, skip and go down.
func withTrunks(cfg *Config) *Config {
	cfg.Trunks = []Trunk{{Name: "t1", MaxChannels: 1}, {Name: "t2"}}
	cfg.TrunkGroups = map[string]*TrunkGroup{"out": {Order: OrderRoundRobin, Members: []TrunkMember{{Trunk: "t1"}, {Trunk: "t2"}}, MaxCalls: 2}}
	cfg.Outbound.Manual = "out"
	cfg.Outbound.DownAfter = 2
	cfg.Defaults()
	return cfg
}

func runRandom(t *testing.T, cfg *Config, seed uint64, steps int) string {
	rng := rand.New(rand.NewPCG(seed, seed*7919))
	cfg = withTrunks(cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	m := NewMachine(cfg, SequentialIDs(), slog.New(failOnError{t}))
	var log strings.Builder
	pending := map[string]time.Time{} // timers the machine has set
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var (
		channels   []string // inbound channels the PBX still has
		legs       []string // originated legs not yet ended
		answered   = map[string]bool{}
		playbacks  []pbx.PlaybackFinished
		recordings []pbx.RecordingFinished
		next       int
	)
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	remove := func(s []string, v string) []string {
		if i := slices.Index(s, v); i >= 0 {
			return slices.Delete(s, i, i+1)
		}
		return s
	}
	agents := []string{"a1", "a2", "a3"}
	for i := 0; i < steps; i++ {
		now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
		var in any
		// Weighted: few arrivals and hang-ups, many steps inside calls.
		r := [...]int{0, 0, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 6, 6, 6, 7, 7, 7, 8, 9, 1, 2, 3, 4}[rng.IntN(30)]
		switch {
		case r == 0 || len(channels) == 0 && r < 6:
			next++
			ch := fmt.Sprintf("ch%d", next)
			channels = append(channels, ch)
			in = pbx.CallArrived{Channel: ch, Caller: "1", Called: "100"}
		case r == 1 && len(channels) > 0:
			ch := pick(channels)
			channels = remove(channels, ch)
			in = pbx.ChannelHungUp{Channel: ch, Cause: pbx.CauseNormal}
		case r == 2 && len(channels) > 0:
			in = pbx.DTMFReceived{Channel: pick(append(slices.Clone(channels), legs...)), Digit: pick([]string{"1", "1", "2", "3", "7", "8", "0", "#"})}
		case r == 3 && len(recordings) > 0 && rng.IntN(2) == 0:
			j := rng.IntN(len(recordings))
			in = recordings[j]
			recordings = slices.Delete(recordings, j, j+1)
		case r == 3 && len(playbacks) > 0:
			j := rng.IntN(len(playbacks))
			in = playbacks[j]
			playbacks = slices.Delete(playbacks, j, j+1)
		case r == 4 && len(legs) > 0:
			leg := pick(legs)
			if answered[leg] {
				in = pbx.ChannelHungUp{Channel: leg, Cause: pbx.CauseNormal}
				legs = remove(legs, leg)
			} else if rng.IntN(2) == 0 {
				answered[leg] = true
				in = pbx.LegAnswered{Channel: leg}
			} else {
				in = pbx.LegRinging{Channel: leg}
			}
		case r == 5 && len(legs) > 0:
			leg := pick(legs)
			legs = remove(legs, leg)
			in = pbx.ChannelHungUp{Channel: leg, Cause: pick2(rng, pbx.CauseNoAnswer, pbx.CauseUserBusy),
				SIPCode: []int{0, 0, 503, 486}[rng.IntN(4)]}
		case r == 6 && len(pending) > 0:
			names := sortedKeys(pending)
			name := pick(names)
			// Time runs to the timer, as it would.
			if at := pending[name]; at.After(now) {
				now = at
			}
			delete(pending, name)
			in = TimerFired{Name: name}
		case r == 7 && rng.IntN(3) == 0 && len(m.calls)+len(m.agents) > 0:
			// The desk: wrap-ups and transfers of any call, live or being
			// wrapped up, by anyone.
			ids := sortedKeys(m.calls)
			for _, a := range agents {
				if ag := m.agents[a]; ag != nil {
					ids = append(ids, ag.callID, ag.lastCall)
				}
			}
			id := pick(ids)
			if rng.IntN(4) == 0 {
				// Reading the desk changes nothing and logs nothing.
				out := m.Handle(now, deskCommand{Op: "desk", Agent: pick(agents)})
				if len(out.Records)+len(out.Commands)+len(out.Timers)+len(out.Cancels) != 0 {
					t.Fatalf("seed %d step %d: the desk view acted: %+v", seed, i, out)
				}
				continue
			}
			if rng.IntN(2) == 0 {
				in = deskCommand{Op: "wrap_up", Call: id, Agent: pick(append([]string{""}, agents...)),
					Disposition: pick([]string{"resolved", "callback", "bogus"}), NotReady: pick([]string{"", "break"})}
			} else {
				kind := pick([]string{TransferQueue, TransferAgent, TransferExtension})
				to := pick(append(append([]string{"support", "sales", "8001", "1"}, agents...), sortedKeys(m.acd.queues)...))
				in = deskCommand{Op: "transfer", Call: id, ToKind: kind, To: to}
			}
		case r == 7:
			ops := []string{"sign_in", "sign_in", "ready", "not_ready", "sign_out", "approve", "refuse"}
			in = agentCommand{Op: pick(ops), Agent: pick(agents), Reason: "break"}
		case r == 8 && len(m.calls) > 0 && rng.IntN(2) == 0:
			// A supervisor asks to listen to, whisper to or barge into a
			// talking call mostly, sometimes any (refused: not connected).
			ids := sortedKeys(m.calls)
			var talking []string
			for _, id := range ids {
				if m.calls[id].phase == phaseBridged {
					talking = append(talking, id)
				}
			}
			if len(talking) > 0 && rng.IntN(4) > 0 {
				ids = talking
			}
			in = superviseCommand{Op: "supervise", Call: pick(ids), Mode: pick([]string{"listen", "whisper", "barge"}),
				Endpoint: pick([]string{"PJSIP/1008", "PJSIP/1009"}), By: "lead"}
		case r == 8 && len(legs) > 0 && rng.IntN(4) == 0:
			in = pbx.CommandFailed{Channel: pick(legs), Command: "originate", Err: "boom"}
		case r == 9 && rng.IntN(3) == 0:
			// An agent's click-to-dial (sometimes a number refused).
			in = dialCommand{Op: "dial", Agent: pick(agents), Number: pick([]string{"0301234567", "0301234568", "x1"}), Role: "agent"}
		case r == 9 && rng.IntN(4) == 0:
			// The PBX's view of a trunk or a phone changed.
			peer := pick([]string{"t1", "t2", "PJSIP/1001", "PJSIP/1002"})
			in = pbx.PeerState{Peer: peer, Trunk: peer[0] == 't', Reachable: rng.IntN(2) == 0}
		case r == 9 && rng.IntN(5) == 0:
			// The link dropped; some channels died meanwhile.
			var live []pbx.ChannelInfo
			for _, ch := range append(slices.Clone(channels), legs...) {
				if rng.IntN(4) > 0 {
					live = append(live, pbx.ChannelInfo{Channel: ch})
				} else {
					channels, legs = remove(channels, ch), remove(legs, ch)
				}
			}
			if rng.IntN(2) == 0 {
				in = pbx.Resynced{Channels: live}
			} else {
				in = Audit{Channels: live, Taken: now}
			}
		default:
			continue
		}
		out := m.Handle(now, in)
		apply := func(out Output) {
			for _, r := range out.Records {
				if !strings.HasPrefix(r.Type, EvPBX) {
					fmt.Fprintf(&log, "%s %s %s %s\n", r.Type, r.CallID, r.AgentID, r.Data)
				}
			}
			for _, name := range out.Cancels {
				delete(pending, name)
			}
			for _, tm := range out.Timers {
				pending[tm.Name] = tm.At
			}
		}
		apply(out)
		for _, r := range out.Records {
			if r.Type == EvAgentRepaired && strings.Contains(string(r.Data), "with no") {
				t.Errorf("seed %d step %d: the watchdog found an impossible agent state: %s", seed, i, r.Data)
			}
		}
		for _, c := range out.Commands {
			switch c := c.(type) {
			case cmdPlay:
				playbacks = append(playbacks, pbx.PlaybackFinished{PlaybackID: c.PlaybackID, Channel: c.Channel})
			case cmdOriginate:
				legs = append(legs, c.Req.Channel)
			case cmdSnoop:
				legs = append(legs, c.Req.Channel)
			case cmdRecord:
				recordings = append(recordings, pbx.RecordingFinished{Channel: c.Rec.Channel, Name: c.Rec.Name, Duration: time.Second})
			case cmdHangup:
				// The PBX will report the end; model it as immediate.
				channels, legs = remove(channels, c.Channel), remove(legs, c.Channel)
				apply(m.Handle(now, pbx.ChannelHungUp{Channel: c.Channel, Cause: pbx.CauseNormal}))
			}
		}
		checkInvariants(t, m, pending, fmt.Sprintf("seed %d step %d (%T %+v)", seed, i, in, in))
		if t.Failed() {
			return log.String()
		}
	}
	return log.String()
}

func pick2(rng *rand.Rand, a, b pbx.Cause) pbx.Cause {
	if rng.IntN(2) == 0 {
		return a
	}
	return b
}

func checkInvariants(t *testing.T, m *Machine, pending map[string]time.Time, where string) {
	t.Helper()
	// Nothing can be forgotten: every offer has its ring timer, every
	// unconfirmed offer its lease, every waiting caller their max wait.
	for leg, o := range m.acd.offers {
		if _, ok := pending["ring:"+leg]; !ok {
			t.Errorf("%s: offer %s has no ring timer", where, leg)
		}
		if _, ok := pending["lease:"+leg]; !ok && !o.ringing {
			t.Errorf("%s: unconfirmed offer %s has no lease", where, leg)
		}
	}
	for _, c := range m.acd.waiting {
		if _, ok := pending["maxwait:"+c.id]; !ok {
			t.Errorf("%s: waiting call %s has no max wait", where, c.id)
		}
	}
	busy := map[string]string{}
	for _, c := range m.calls {
		if c.phase == phaseEnded {
			t.Errorf("%s: ended call %s still live", where, c.id)
		}
		holders := []*agent{}
		if c.agent != nil && (c.phase == phaseBridged || c.out != nil) {
			holders = append(holders, c.agent)
		}
		if o := c.out; o != nil {
			// An outbound call waits on a timer at every step: the agent's
			// phone, the trunk's 1xx, the callee's ringing.
			if _, ok := pending["outagent:"+c.id]; !ok && !o.agentAnswered {
				t.Errorf("%s: outbound call %s rings its agent with no timer", where, c.id)
			}
			if _, ok := pending["invite:"+c.id]; !ok && o.trunkLeg != "" && !o.trunkRinging && c.phase != phaseBridged {
				t.Errorf("%s: outbound call %s dials a trunk with no invite timer", where, c.id)
			}
			if _, ok := pending["outring:"+c.id]; !ok && o.trunkLeg != "" && c.phase != phaseBridged {
				t.Errorf("%s: outbound call %s rings the callee with no ring timer", where, c.id)
			}
		}
		for _, o := range c.entry.offers {
			holders = append(holders, o.agent)
			if o.agent.offer != o {
				t.Errorf("%s: offer %s of call %s is not its agent's", where, o.leg, c.id)
			}
		}
		for _, a := range holders {
			if prev, dup := busy[a.id]; dup {
				t.Errorf("%s: agent %s serves two calls: %s and %s", where, a.id, prev, c.id)
			}
			busy[a.id] = c.id
			if a.callID != c.id {
				t.Errorf("%s: call %s has agent %s whose call is %q", where, c.id, a.id, a.callID)
			}
		}
		if c.phase == phaseQueued && !slices.Contains(m.acd.waiting, c) {
			t.Errorf("%s: queued call %s is not waiting", where, c.id)
		}
	}
	for _, ts := range m.trunks.byName {
		n := 0
		for _, c := range m.calls {
			if c.out != nil && c.out.trunkLeg != "" && c.out.trunk == ts {
				n++
			}
		}
		if ts.inUse != n {
			t.Errorf("%s: trunk %s counts %d channels, %d legs are up", where, ts.name, ts.inUse, n)
		}
	}
	// A supervisor is only ever on a live call's talk: the end of the talk
	// hangs them up (and the model reports that at once).
	for leg, s := range m.supervisors.legs {
		if m.calls[s.call.id] != s.call || s.call.phase != phaseBridged || !slices.Contains(s.call.supervisors, s) {
			t.Errorf("%s: supervisor leg %s outlived the talk of call %s", where, leg, s.call.id)
		}
	}
	for _, c := range m.acd.waiting {
		if c.phase != phaseQueued {
			t.Errorf("%s: call %s waits in phase %d", where, c.id, c.phase)
		}
	}
	for _, a := range m.agents {
		switch a.state {
		case Reserved, Ringing, OnCall:
			if busy[a.id] == "" {
				t.Errorf("%s: agent %s is %s with no call", where, a.id, a.state)
			}
		default:
			if busy[a.id] != "" {
				t.Errorf("%s: agent %s is %s but holds call %s", where, a.id, a.state, busy[a.id])
			}
		}
	}
	// Nobody waits while a ready agent who can take the call idles.
	for _, c := range m.acd.waiting {
		if len(c.entry.offers) > 0 {
			continue
		}
		for _, a := range m.agents {
			if _, why := m.acd.eligible(a, c); why == "" {
				t.Errorf("%s: call %s waits while agent %s is ready for it", where, c.id, a.id)
			}
		}
	}
}
