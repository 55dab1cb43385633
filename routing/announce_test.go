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

// announceHarness is the test config's support queue with music on hold
// and announcements every 30 s (the first after 10 s).
func announceHarness(t *testing.T, tweak func(q *Queue, n *QueueNode)) *harness {
	t.Helper()
	cfg := testConfig()
	q := cfg.Queues["support"]
	q.MOH = "default"
	q.Announce = &Announce{First: Duration(10 * time.Second), Every: Duration(30 * time.Second)}
	// A callback step for the tests that offer one.
	cfg.Flows["main"].Nodes["cb"] = &Node{Callback: &CallbackNode{Queue: "support", Next: "bye"}}
	if tweak != nil {
		tweak(q, cfg.Flows["main"].Nodes["support"].Queue)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return &harness{t: t, m: NewMachine(cfg, SequentialIDs(), log), now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

// queueCall brings a caller through the menu into the support queue.
func (h *harness) queueCall(ch string) Output {
	h.t.Helper()
	h.arrive(ch)
	return h.in(pbx.DTMFReceived{Channel: ch, Digit: "1"})
}

// talk has a1 answer the call on ch (the offer must be out) and talk for d,
// then the caller hangs up; a1 goes to wrap-up.
func (h *harness) answerOffer(out Output) string {
	h.t.Helper()
	leg := find[cmdOriginate](h.t, out).Req.Channel
	h.in(pbx.LegRinging{Channel: leg})
	h.in(pbx.LegAnswered{Channel: leg})
	return leg
}

func (h *harness) lastAnnounced() AnnouncedData {
	h.t.Helper()
	for i := len(h.recs) - 1; i >= 0; i-- {
		if h.recs[i].Type == EvCallAnnounced {
			var d AnnouncedData
			if err := json.Unmarshal(h.recs[i].Data, &d); err != nil {
				h.t.Fatal(err)
			}
			return d
		}
	}
	h.t.Fatal("no call.announced record")
	return AnnouncedData{}
}

func TestAnnouncePositionAndExpectedWait(t *testing.T) {
	h := announceHarness(t, nil)
	h.signIn("a1")

	// One handled call: 120 s of talk (+ the queue's 3 s wrap-up) is the
	// handle time the estimate uses.
	out := h.queueCall("ch1")
	if moh := find[cmdStartMOH](t, out); moh.Channel != "ch1" || moh.Class != "default" {
		t.Fatalf("music on hold %+v", moh)
	}
	if has[cmdPlay](out) {
		t.Fatal("hold media played beside the music on hold")
	}
	leg := find[cmdOriginate](t, out).Req.Channel
	h.in(pbx.LegRinging{Channel: leg})
	out = h.in(pbx.LegAnswered{Channel: leg})
	stop := slices.IndexFunc(out.Commands, func(c Command) bool { _, ok := c.(cmdStopMOH); return ok })
	bridge := slices.IndexFunc(out.Commands, func(c Command) bool { _, ok := c.(cmdBridge); return ok })
	if stop < 0 || bridge < 0 || stop > bridge {
		t.Fatalf("music must stop before the bridge: %#v", out.Commands)
	}
	h.advance(120 * time.Second)
	h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	h.advance(3 * time.Second)
	h.in(TimerFired{Name: "wrapup:a1"})

	// a1 takes ch2; ch3 and ch4 wait behind nobody but each other.
	h.answerOffer(h.queueCall("ch2"))
	h.queueCall("ch3")
	h.advance(time.Second)
	out = h.queueCall("ch4")
	if n := len(out.Timers); n == 0 || out.Timers[len(out.Timers)-1].Name != "announce:"+h.m.byChannel["ch4"].id {
		t.Fatalf("no announcement armed for ch4: %+v", out.Timers)
	}

	for _, tc := range []struct {
		ch       string
		position int
		ewt      int
		media    []string
	}{
		// 1 × 123 s ÷ 1 staffed agent = 123 s → "3 minutes" (rounded up).
		{"ch3", 1, 123, []string{"sound:queue-youarenext", "sound:queue-holdtime", "number:3", "sound:queue-minutes", "sound:queue-thankyou"}},
		{"ch4", 2, 246, []string{"sound:queue-thereare", "number:2", "sound:queue-callswaiting", "sound:queue-holdtime", "number:5", "sound:queue-minutes", "sound:queue-thankyou"}},
	} {
		c := h.m.byChannel[tc.ch]
		out = h.in(TimerFired{Name: "announce:" + c.id})
		d := h.lastAnnounced()
		if d.Position != tc.position || d.ExpectedWait != tc.ewt || d.Staffed != 1 || d.HandleTime != 123 || !d.Said {
			t.Errorf("%s announced %+v, want position %d, wait %d s", tc.ch, d, tc.position, tc.ewt)
		}
		play := find[cmdPlay](t, out)
		if !slices.Equal(play.Media, tc.media) {
			t.Errorf("%s hears %v, want %v", tc.ch, play.Media, tc.media)
		}
		if !has[cmdStopMOH](out) {
			t.Errorf("%s: the music was not stopped for the announcement", tc.ch)
		}
		if next := out.Timers[len(out.Timers)-1]; next.Name != "announce:"+c.id || !next.At.Equal(h.now.Add(30*time.Second)) {
			t.Errorf("%s: next announcement %+v, want in 30 s", tc.ch, next)
		}
		// When the announcement ends the music comes back.
		out = h.in(pbx.PlaybackFinished{PlaybackID: play.PlaybackID, Channel: tc.ch})
		if moh := find[cmdStartMOH](t, out); moh.Channel != tc.ch {
			t.Errorf("%s: music resumed on %q", tc.ch, moh.Channel)
		}
	}

	// ch3 hangs up: ch4 moves up to first in line.
	h.in(pbx.ChannelHungUp{Channel: "ch3", Cause: pbx.CauseNormal})
	h.in(TimerFired{Name: "announce:" + h.m.byChannel["ch4"].id})
	if d := h.lastAnnounced(); d.Position != 1 || d.ExpectedWait != 123 {
		t.Errorf("after ch3 left, ch4 announced %+v", d)
	}
	// A caller who left the queue is not announced to again.
	id := h.m.byChannel["ch4"].id
	h.in(pbx.ChannelHungUp{Channel: "ch4", Cause: pbx.CauseNormal})
	if out := h.in(TimerFired{Name: "announce:" + id}); len(out.Commands) != 0 || slices.ContainsFunc(out.Records, func(r *Record) bool { return r.Type == EvCallAnnounced }) {
		t.Errorf("announced to a caller who hung up: %+v", out)
	}
}

func TestAnnounceEstimates(t *testing.T) {
	tests := []struct {
		name   string
		tweak  func(q *Queue, n *QueueNode)
		setup  func(h *harness) // before ch9 queues
		want   AnnouncedData
		media  []string
		silent bool
	}{
		{
			name:  "no handled calls yet: the place only",
			setup: func(h *harness) { h.signIn("a1"); h.answerOffer(h.queueCall("ch1")) },
			want:  AnnouncedData{Position: 1, Staffed: 1},
			media: []string{"sound:queue-youarenext", "sound:queue-thankyou"},
		},
		{
			name: "a short handle time is less than a minute",
			setup: func(h *harness) {
				h.signIn("a1")
				h.answerOffer(h.queueCall("ch1"))
				h.advance(17 * time.Second)
				h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
				h.advance(3 * time.Second)
				h.in(TimerFired{Name: "wrapup:a1"})
				h.answerOffer(h.queueCall("ch2"))
			},
			want:  AnnouncedData{Position: 1, Staffed: 1, HandleTime: 20, ExpectedWait: 20, LessThanOne: true},
			media: []string{"sound:queue-youarenext", "sound:queue-holdtime", "sound:queue-less-than", "number:1", "sound:queue-minute", "sound:queue-thankyou"},
		},
		{
			name: "nobody staffed (on a break): no estimate",
			setup: func(h *harness) {
				h.signIn("a1")
				if _, err := h.agentCmd("not_ready", "a1", "break"); err != nil {
					h.t.Fatal(err)
				}
			},
			tweak: func(q *Queue, _ *QueueNode) { q.JoinEmpty = true },
			want:  AnnouncedData{Position: 1},
			media: []string{"sound:queue-youarenext", "sound:queue-thankyou"},
		},
		{
			name:  "the callback offer follows when the queue step has a callback digit",
			setup: func(h *harness) { h.signIn("a1"); h.answerOffer(h.queueCall("ch1")) },
			tweak: func(q *Queue, n *QueueNode) {
				q.Announce.CallbackOffer = []string{"sound:press-1-callback"}
				q.Announce.Prompts = map[string]string{"you_are_next": "sound:custom/zh-next"}
				n.CallbackDigit, n.OnCallback = "1", "cb"
			},
			want:  AnnouncedData{Position: 1, Staffed: 1, Offer: true},
			media: []string{"sound:custom/zh-next", "sound:queue-thankyou", "sound:press-1-callback"},
		},
		{
			name: "the position can be left out",
			setup: func(h *harness) {
				h.signIn("a1")
				h.answerOffer(h.queueCall("ch1"))
			},
			tweak: func(q *Queue, _ *QueueNode) { no := false; q.Announce.Position = &no },
			want:  AnnouncedData{Staffed: 1},
			// No estimate (no handled calls) and no position: nothing said.
			silent: true,
		},
		{
			name: "an agent's phone rings for the caller: not interrupted",
			setup: func(h *harness) {
				h.signIn("a1")
			},
			want:   AnnouncedData{Position: 1, Staffed: 1, Skipped: "ringing"},
			silent: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := announceHarness(t, tt.tweak)
			tt.setup(h)
			h.queueCall("ch9")
			c := h.m.byChannel["ch9"]
			h.advance(10 * time.Second)
			out := h.in(TimerFired{Name: "announce:" + c.id})
			got := h.lastAnnounced()
			tt.want.Queue, tt.want.Said = "support", !tt.silent
			if tt.want.Minutes == 0 {
				tt.want.Minutes = got.Minutes
			}
			if got != tt.want {
				t.Errorf("announced %+v\n          want %+v", got, tt.want)
			}
			if tt.silent {
				if has[cmdPlay](out) || has[cmdStopMOH](out) {
					t.Errorf("silent announcement played or stopped the music: %#v", out.Commands)
				}
				return
			}
			if play := find[cmdPlay](t, out); !slices.Equal(play.Media, tt.media) {
				t.Errorf("hears %v, want %v", play.Media, tt.media)
			}
		})
	}
}

func TestHoldConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		tweak func(q *Queue)
		key   string
	}{
		{"moh and hold media", func(q *Queue) { q.MOH, q.HoldMedia = "default", []string{"sound:x"} }, "queues.support.moh"},
		{"moh class", func(q *Queue) { q.MOH = "de fault/../x" }, "queues.support.moh"},
		{"too often", func(q *Queue) { q.Announce = &Announce{Every: Duration(time.Second)} }, "queues.support.announce.every"},
		{"says nothing", func(q *Queue) {
			no := false
			q.Announce = &Announce{Every: Duration(time.Minute), Position: &no, ExpectedWait: &no}
		}, "queues.support.announce"},
		{"unknown prompt", func(q *Queue) {
			q.Announce = &Announce{Every: Duration(time.Minute), Prompts: map[string]string{"youarenext": "sound:x"}}
		}, "queues.support.announce.prompts.youarenext"},
		{"negative first", func(q *Queue) { q.Announce = &Announce{Every: Duration(time.Minute), First: -1} }, "queues.support.announce.first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.tweak(cfg.Queues["support"])
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.key+":") {
				t.Fatalf("error %v, want one naming %s", err, tt.key)
			}
		})
	}
}
