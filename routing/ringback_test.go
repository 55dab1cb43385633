package routing

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// ringbackConfig routes 200 straight to a ringback queue (after a
// business-hours check) and 100 to the usual answered menu.
func ringbackConfig(t *testing.T, edit func(*Config)) (*Config, error) {
	t.Helper()
	cfg := testConfig()
	cfg.Routes["200"] = "direct"
	cfg.Calendars = map[string]*Calendar{"always": {Weekly: WeeklyHours{"mon-sun": {"24h"}}}}
	cfg.Flows["direct"] = &Flow{Start: "hours", Nodes: map[string]*Node{
		"hours":  {Time: &TimeNode{Calendar: "always", Open: "wait", Closed: "closed"}},
		"wait":   {Queue: &QueueNode{Queue: "sales", Ringback: true, OnTimeout: "sorry", NoAgent: "closed"}},
		"sorry":  {Play: &PlayNode{Media: []string{"sound:all-busy"}}},
		"closed": {Hangup: &struct{}{}},
	}}
	cfg.Queues["sales"] = &Queue{MaxWait: Duration(30 * time.Second), RingTimeout: Duration(10 * time.Second)}
	cfg.Agents[0].Queues = append(cfg.Agents[0].Queues, QueueMember{Queue: "sales"})
	if edit != nil {
		edit(cfg)
	}
	cfg.Defaults()
	return cfg, cfg.Validate()
}

func newRingback(t *testing.T) *harness {
	t.Helper()
	cfg, err := ringbackConfig(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, m: NewMachine(cfg, SequentialIDs(), slog.New(slog.NewTextHandler(io.Discard, nil))),
		now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

// commandNames lists what the PBX was asked to do, in order; a command
// run in its call's order is named by what it runs.
func commandNames(outs ...Output) []string {
	var names []string
	for _, out := range outs {
		for _, c := range out.Commands {
			names = append(names, c.Name())
		}
	}
	return names
}

func TestRingbackQueueAnswersOnlyWhenAgentAnswers(t *testing.T) {
	h := newRingback(t)
	h.signIn("a1")
	arrived := h.in(pbx.CallArrived{Channel: "ch1", Caller: "13800000000", Called: "200"})
	if r := find[cmdRing](t, arrived); r.Channel != "ch1" {
		t.Fatalf("rang %q, want ch1", r.Channel)
	}
	orig := find[cmdOriginate](t, arrived)
	var data CallArrivedData
	if !h.lastRecord(EvCallArrived, &data) || !data.Ringing {
		t.Fatalf("call.arrived %+v, want ringing", data)
	}
	h.advance(3 * time.Second)
	ringing := h.in(pbx.LegRinging{Channel: orig.Req.Channel})
	h.advance(4 * time.Second)
	answered := h.in(pbx.LegAnswered{Channel: orig.Req.Channel})
	before := commandNames(arrived, ringing)
	if slices.Contains(before, "answer") || slices.Contains(before, "play") {
		t.Fatalf("before the agent answered the caller got %v", before)
	}
	// The caller is answered now, in the call's order ahead of the bridge.
	if got := commandNames(answered); !slices.Equal(got, []string{"answer", "bridge"}) {
		t.Fatalf("on the agent's answer: %v, want [answer bridge]", got)
	}
	if in := answered.Commands[0].(cmdInCall); in.Key() != answered.Commands[1].Key() || in.Cmd != (cmdAnswer{Channel: "ch1"}) {
		t.Fatalf("answer %+v does not run in the bridge's order", in)
	}
	h.advance(20 * time.Second)
	hung := h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	if slices.Contains(commandNames(hung), "answer") {
		t.Fatal("answered twice")
	}
	if e := h.ended(); e.Outcome != OutcomeAnswered {
		t.Fatalf("outcome %q", e.Outcome)
	}
}

func TestRingbackCallerGivesUpWhileRinging(t *testing.T) {
	h := newRingback(t)
	h.signIn("a1")
	if _, err := h.agentCmd("not_ready", "a1", "break"); err != nil {
		t.Fatal(err)
	}
	arrived := h.in(pbx.CallArrived{Channel: "ch1", Caller: "13800000000", Called: "200"})
	if has[cmdOriginate](arrived) {
		t.Fatal("offered with nobody ready")
	}
	h.advance(12 * time.Second)
	gone := h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	if got := commandNames(arrived, gone); slices.Contains(got, "answer") || slices.Contains(got, "play") {
		t.Fatalf("a caller who gave up was answered or played to: %v", got)
	}
	if e := h.ended(); e.Outcome != OutcomeAbandonedQueue || e.HangupBy != "caller" {
		t.Fatalf("ended %+v, want abandoned in queue by the caller", e)
	}
}

func TestRingbackAnswersBeforeAStepThatPlays(t *testing.T) {
	h := newRingback(t)
	h.signIn("a1")
	if _, err := h.agentCmd("not_ready", "a1", "break"); err != nil {
		t.Fatal(err)
	}
	h.in(pbx.CallArrived{Channel: "ch1", Caller: "13800000000", Called: "200"})
	h.advance(30 * time.Second)
	out := h.in(TimerFired{Name: "maxwait:call-1"})
	if got := commandNames(out); !slices.Equal(got, []string{"answer", "play"}) {
		t.Fatalf("at max wait: %v, want the answer, then the sorry prompt", got)
	}
	if a := find[cmdAnswer](t, out); a.Channel != "ch1" {
		t.Fatalf("answered %q", a.Channel)
	}
}

func TestRingbackNoAgentHangsUpUnanswered(t *testing.T) {
	h := newRingback(t)
	out := h.in(pbx.CallArrived{Channel: "ch1", Caller: "13800000000", Called: "200"})
	// Nobody signed in: the no-agent branch hangs up without answering.
	if got := commandNames(out); !slices.Equal(got, []string{"ring", "hangup"}) {
		t.Fatalf("commands %v, want [ring hangup]", got)
	}
}

func TestAnsweredFlowStillAnswersOnArrival(t *testing.T) {
	h := newRingback(t)
	out := h.in(pbx.CallArrived{Channel: "ch1", Caller: "13800000000", Called: "100"})
	if got := commandNames(out); !slices.Equal(got, []string{"answer", "play"}) {
		t.Fatalf("commands %v", got)
	}
	var data CallArrivedData
	if !h.lastRecord(EvCallArrived, &data) || data.Ringing {
		t.Fatalf("call.arrived %+v", data)
	}
}

func TestRingbackConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"hold media", func(c *Config) { c.Queues["sales"].HoldMedia = []string{"sound:music"} },
			`flows.direct.nodes.wait.queue.ringback: queue "sales" has hold_media`},
		{"after a menu", func(c *Config) { c.Flows["main"].Nodes["support"].Queue.Ringback = true },
			"flows.main.nodes.support.queue.ringback: only for a queue the caller reaches before anything plays"},
		{"also after a prompt", func(c *Config) {
			c.Flows["direct"].Nodes["again"] = &Node{Play: &PlayNode{Media: []string{"sound:hold-on"}, Next: "wait"}}
		}, `flows.direct.nodes.wait.queue.ringback: node "again" leads here after the caller was answered`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ringbackConfig(t, tc.edit)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := ringbackConfig(t, nil); err != nil {
		t.Fatalf("valid ringback config refused: %v", err)
	}
}

// answerOnly is a PBX driver without pbx.Ringer.
type answerOnly struct {
	pbx.Switch
	answered []string
}

func (a *answerOnly) Answer(_ context.Context, ch string) error {
	a.answered = append(a.answered, ch)
	return nil
}

func TestRingFallsBackToAnswer(t *testing.T) {
	sw := &answerOnly{}
	if err := (cmdRing{Channel: "ch1"}).Exec(t.Context(), sw); err != nil || !slices.Equal(sw.answered, []string{"ch1"}) {
		t.Fatalf("ring on a driver that cannot: %v, answered %v", err, sw.answered)
	}
}
