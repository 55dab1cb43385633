package routing

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
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
	for seed := uint64(1); seed <= 300; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			runRandom(t, seed, 250)
		})
	}
}

func runRandom(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, seed*7919))
	m := NewMachine(testConfig(), SequentialIDs(), slog.New(failOnError{t}))
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var (
		channels  []string // inbound channels the PBX still has
		legs      []string // originated legs not yet ended
		answered  = map[string]bool{}
		playbacks []pbx.PlaybackFinished
		timers    []string
		next      int
	)
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	remove := func(s []string, v string) []string {
		if i := slices.Index(s, v); i >= 0 {
			return slices.Delete(s, i, i+1)
		}
		return s
	}
	agents := []string{"a1", "a2"}
	for i := 0; i < steps; i++ {
		now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
		var in any
		switch r := rng.IntN(12); {
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
			in = pbx.DTMFReceived{Channel: pick(channels), Digit: pick([]string{"1", "1", "2", "7"})}
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
			in = pbx.ChannelHungUp{Channel: leg, Cause: pick2(rng, pbx.CauseNoAnswer, pbx.CauseUserBusy)}
		case r == 6 && len(timers) > 0:
			name := pick(timers)
			timers = remove(timers, name)
			in = TimerFired{Name: name}
		case r == 7:
			ops := []string{"sign_in", "ready", "not_ready", "sign_out"}
			in = agentCommand{Op: pick(ops), Agent: pick(agents), Reason: "break"}
		case r == 8 && len(legs) > 0 && rng.IntN(4) == 0:
			in = pbx.CommandFailed{Channel: pick(legs), Command: "originate", Err: "boom"}
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
			in = pbx.Resynced{Channels: live}
		default:
			continue
		}
		out := m.Handle(now, in)
		for _, c := range out.Commands {
			switch c := c.(type) {
			case cmdPlay:
				playbacks = append(playbacks, pbx.PlaybackFinished{PlaybackID: c.PlaybackID, Channel: c.Channel})
			case cmdOriginate:
				legs = append(legs, c.Req.Channel)
			case cmdHangup:
				// The PBX will report the end; model it as immediate.
				channels, legs = remove(channels, c.Channel), remove(legs, c.Channel)
				m.Handle(now, pbx.ChannelHungUp{Channel: c.Channel, Cause: pbx.CauseNormal})
			}
		}
		for _, tm := range out.Timers {
			timers = append(remove(timers, tm.Name), tm.Name)
		}
		checkInvariants(t, m, fmt.Sprintf("step %d (%T %+v)", i, in, in))
		if t.Failed() {
			return
		}
	}
}

func pick2(rng *rand.Rand, a, b pbx.Cause) pbx.Cause {
	if rng.IntN(2) == 0 {
		return a
	}
	return b
}

func checkInvariants(t *testing.T, m *Machine, where string) {
	t.Helper()
	busy := map[string]string{}
	for _, c := range m.calls {
		if c.phase == phaseEnded {
			t.Errorf("%s: ended call %s still live", where, c.id)
		}
		if c.agent != nil {
			if prev, dup := busy[c.agent.id]; dup {
				t.Errorf("%s: agent %s serves two calls: %s and %s", where, c.agent.id, prev, c.id)
			}
			busy[c.agent.id] = c.id
			if c.agent.callID != c.id {
				t.Errorf("%s: call %s has agent %s whose call is %q", where, c.id, c.agent.id, c.agent.callID)
			}
		}
		if c.phase == phaseQueued && !slices.Contains(m.waiting, c) {
			t.Errorf("%s: queued call %s is not waiting", where, c.id)
		}
	}
	for _, c := range m.waiting {
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
	// Nobody waits while a ready agent serving the queue idles.
	for _, c := range m.waiting {
		if c.agent == nil && m.longestIdle(c.queue) != nil {
			t.Errorf("%s: call %s waits while an agent is ready", where, c.id)
		}
	}
}
