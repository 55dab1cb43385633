package pbxtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// Scenario is one conformance case.
type Scenario struct {
	Name string
	Run  func(t *testing.T, s *Session)
}

// Session is a scenario in progress: the rig, its driver running, and the
// events it delivered.
type Session struct {
	Rig
	rec *recorder
	ctx context.Context
}

// Scenarios is the suite, in the order Run runs it.
var Scenarios = []Scenario{
	{"AnswerPlayHangup", answerPlayHangup},
	{"DTMFMenu", dtmfMenu},
	{"AgentAnswersCallerHangsUp", agentAnswersCallerHangsUp},
	{"AgentHangsUp", agentHangsUp},
	{"AgentNoAnswer", agentNoAnswer},
	{"AgentBusy", agentBusy},
	{"CallerAbandons", callerAbandons},
	{"LinkDropsMidCall", linkDropsMidCall},
	{"MusicOnHold", musicOnHold},
}

// Run runs every scenario against h, each as a subtest with a fresh rig.
func Run(t *testing.T, h Harness) {
	for _, sc := range Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			rig := h.Start(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			t.Cleanup(cancel)
			s := &Session{Rig: rig, rec: run(t, rig.Switch()), ctx: ctx}
			// The driver is connected once it says what the PBX holds.
			s.rec.expect(linkTimeout, "first Resynced", isResynced)
			sc.Run(t, s)
		})
	}
}

const (
	linkTimeout  = 30 * time.Second
	eventTimeout = 15 * time.Second
	caller       = "5550100"
)

// newID is a fresh channel ID (a UUID: FreeSWITCH's origination_uuid and
// Asterisk's channelId both take it).
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Session) must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// arrive places c and waits for its CallArrived; it checks what the
// driver reports about the caller and answers the call.
func (s *Session) arrive(t *testing.T, c Call) string {
	t.Helper()
	s.Call(t, c)
	ev := s.rec.expect(eventTimeout, "CallArrived for "+c.Number, arrived(c.Number)).(pbx.CallArrived)
	if ev.Channel == "" || ev.Caller != c.From || ev.Args == nil || ev.Node == "" {
		t.Errorf("CallArrived %+v: want a channel, caller %q, non-nil args, a node", ev, c.From)
	}
	s.must(t, "answer", s.Switch().Answer(s.ctx, ev.Channel))
	return ev.Channel
}

// hangupAndExpect hangs ch up and waits for its end.
func (s *Session) hangupAndExpect(t *testing.T, ch string) pbx.ChannelHungUp {
	t.Helper()
	s.must(t, "hangup", s.Switch().Hangup(s.ctx, ch, 0))
	return s.rec.expect(eventTimeout, "ChannelHungUp of "+ch, hungUp(ch)).(pbx.ChannelHungUp)
}

// originate calls phone n on a new leg and returns the leg's ID.
func (s *Session) originate(t *testing.T, n int, mode PhoneMode, timeout time.Duration, related string) string {
	t.Helper()
	endpoint := s.Phone(t, n, mode)
	leg := newID()
	s.must(t, "originate", s.Switch().Originate(s.ctx, pbx.Originate{
		Channel: leg, Endpoint: endpoint, CallerID: caller, Timeout: timeout, Related: related,
	}))
	return leg
}

// answerPlayHangup: a call arrives, is answered, hears a prompt to its
// end, and the switch hangs it up with normal clearing. Hanging up a
// channel that is gone is not an error.
func answerPlayHangup(t *testing.T, s *Session) {
	ch := s.arrive(t, Call{From: caller, Number: "100", Steps: []Step{WaitHangup(20 * time.Second)}})
	pb := newID()
	s.must(t, "play", s.Switch().Play(s.ctx, ch, pb, s.Media()))
	fin := s.rec.expect(eventTimeout, "PlaybackFinished", playbackDone(pb)).(pbx.PlaybackFinished)
	if fin.Channel != ch || fin.Failed {
		t.Errorf("PlaybackFinished %+v: want channel %s, not failed", fin, ch)
	}
	if h := s.hangupAndExpect(t, ch); h.Cause != pbx.CauseNormal {
		t.Errorf("hang-up cause %v, want normal", h.Cause)
	}
	s.must(t, "hangup of a gone channel", s.Switch().Hangup(s.ctx, ch, 0))
	s.must(t, "answer of a gone channel", s.Switch().Answer(s.ctx, ch))
}

// musicOnHold: a driver with pbx.MusicOnHold plays the PBX's class
// "default" to a waiting caller until stopped: the music reports no end
// of its own, and once stopped the channel plays a prompt to its end (on
// FreeSWITCH a prompt would otherwise queue behind the endless stream).
// Stopping it on a channel that is gone is not an error.
func musicOnHold(t *testing.T, s *Session) {
	moh, ok := s.Switch().(pbx.MusicOnHold)
	if !ok {
		t.Fatalf("%T has no music on hold", s.Switch())
	}
	ch := s.arrive(t, Call{From: caller, Number: "100", Steps: []Step{WaitHangup(20 * time.Second)}})
	s.must(t, "start music on hold", moh.StartMOH(s.ctx, ch, "default"))
	// The music must still be on a while later: nothing to await, so a
	// bounded look at what arrived meanwhile.
	time.Sleep(1500 * time.Millisecond)
	s.rec.none("end of the music", func(ev pbx.Event) bool {
		switch ev := ev.(type) {
		case pbx.PlaybackFinished:
			return ev.Channel == ch
		case pbx.ChannelHungUp:
			return ev.Channel == ch
		}
		return false
	})
	s.must(t, "stop music on hold", moh.StopMOH(s.ctx, ch))
	pb := newID()
	s.must(t, "play after the music", s.Switch().Play(s.ctx, ch, pb, s.Media()))
	if fin := s.rec.expect(eventTimeout, "PlaybackFinished after the music", playbackDone(pb)).(pbx.PlaybackFinished); fin.Failed {
		t.Errorf("prompt after the music failed: %+v", fin)
	}
	s.hangupAndExpect(t, ch)
	s.must(t, "stop music on hold of a gone channel", moh.StopMOH(s.ctx, ch))
}

// dtmfMenu: digits reach the engine in the order pressed, on the
// caller's channel, while a prompt plays.
func dtmfMenu(t *testing.T, s *Session) {
	ch := s.arrive(t, Call{From: caller, Number: "101", Steps: []Step{
		Pause(time.Second), Digit("1"), Pause(300 * time.Millisecond), Digit("2"),
		Pause(300 * time.Millisecond), Digit("#"), WaitHangup(20 * time.Second),
	}})
	s.must(t, "play", s.Switch().Play(s.ctx, ch, newID(), s.Media()))
	for _, want := range []string{"1", "2", "#"} {
		ev := s.rec.expect(eventTimeout, "DTMF "+want, dtmf(ch)).(pbx.DTMFReceived)
		if ev.Digit != want {
			t.Fatalf("DTMF %q, want %q (digits out of order?)", ev.Digit, want)
		}
	}
	s.hangupAndExpect(t, ch)
}

// agentAnswersCallerHangsUp: the agent leg rings, answers, is bridged to
// the caller; the caller hangs up (normal clearing) and the leg is hung
// up after it.
func agentAnswersCallerHangsUp(t *testing.T, s *Session) {
	ch := s.arrive(t, Call{From: caller, Number: "102", Steps: []Step{Pause(4 * time.Second), HangUp()}})
	leg := s.originate(t, 1, Answer(300*time.Millisecond, 0), 10*time.Second, ch)
	s.rec.expect(eventTimeout, "LegRinging", ringing(leg))
	s.rec.expect(eventTimeout, "LegAnswered", answered(leg))
	bridge := newID()
	s.must(t, "bridge", s.Switch().Bridge(s.ctx, bridge, ch, leg))
	h := s.rec.expect(eventTimeout, "caller's ChannelHungUp", hungUp(ch)).(pbx.ChannelHungUp)
	if h.Cause != pbx.CauseNormal {
		t.Errorf("caller hang-up cause %v, want normal", h.Cause)
	}
	s.hangupAndExpect(t, leg)
	s.must(t, "destroy bridge", s.Switch().DestroyBridge(s.ctx, bridge))
}

// agentHangsUp: the agent ends a bridged call: the leg's end comes first;
// then the caller's channel is hung up.
func agentHangsUp(t *testing.T, s *Session) {
	ch := s.arrive(t, Call{From: caller, Number: "103", Steps: []Step{WaitHangup(30 * time.Second)}})
	leg := s.originate(t, 1, Answer(300*time.Millisecond, 2*time.Second), 10*time.Second, ch)
	s.rec.expect(eventTimeout, "LegAnswered", answered(leg))
	bridge := newID()
	s.must(t, "bridge", s.Switch().Bridge(s.ctx, bridge, ch, leg))
	h := s.rec.expect(eventTimeout, "agent's ChannelHungUp", hungUp(leg)).(pbx.ChannelHungUp)
	if h.Cause != pbx.CauseNormal {
		t.Errorf("agent hang-up cause %v, want normal", h.Cause)
	}
	s.must(t, "destroy bridge", s.Switch().DestroyBridge(s.ctx, bridge))
	s.hangupAndExpect(t, ch)
}

// agentNoAnswer: the leg rings past the originate timeout and ends with a
// no-answer cause, never answered.
func agentNoAnswer(t *testing.T, s *Session) {
	ch := s.arrive(t, Call{From: caller, Number: "104", Steps: []Step{WaitHangup(30 * time.Second)}})
	leg := s.originate(t, 1, NeverAnswer, 2*time.Second, ch)
	s.rec.expect(eventTimeout, "LegRinging", ringing(leg))
	h := s.rec.expect(eventTimeout, "leg's ChannelHungUp", hungUp(leg)).(pbx.ChannelHungUp)
	if h.Cause.String() != "no_answer" {
		t.Errorf("no-answer cause %d (%v), want 18 or 19", h.Cause, h.Cause)
	}
	s.rec.none("LegAnswered of the unanswered leg", answered(leg))
	s.hangupAndExpect(t, ch)
}

// agentBusy: the phone answers 486; the leg ends with user busy (17).
func agentBusy(t *testing.T, s *Session) {
	ch := s.arrive(t, Call{From: caller, Number: "105", Steps: []Step{WaitHangup(30 * time.Second)}})
	leg := s.originate(t, 1, Busy, 10*time.Second, ch)
	h := s.rec.expect(eventTimeout, "leg's ChannelHungUp", hungUp(leg)).(pbx.ChannelHungUp)
	if h.Cause != pbx.CauseUserBusy {
		t.Errorf("busy cause %d (%v), want 17", h.Cause, h.Cause)
	}
	s.rec.none("LegAnswered of the busy leg", answered(leg))
	s.hangupAndExpect(t, ch)
}

// callerAbandons: the caller hangs up while the agent's phone rings; the
// ringing leg is then hung up.
func callerAbandons(t *testing.T, s *Session) {
	ch := s.arrive(t, Call{From: caller, Number: "106", Steps: []Step{Pause(2 * time.Second), HangUp()}})
	leg := s.originate(t, 1, NeverAnswer, 20*time.Second, ch)
	s.rec.expect(eventTimeout, "LegRinging", ringing(leg))
	h := s.rec.expect(eventTimeout, "caller's ChannelHungUp", hungUp(ch)).(pbx.ChannelHungUp)
	if h.Cause != pbx.CauseNormal {
		t.Errorf("abandon cause %v, want normal", h.Cause)
	}
	s.hangupAndExpect(t, leg)
	s.rec.none("LegAnswered of the abandoned leg", answered(leg))
}

// linkDropsMidCall: the link to the PBX drops with a call up; the driver
// says LinkDown, reconnects by itself and says Resynced listing the call,
// which it can still control.
func linkDropsMidCall(t *testing.T, s *Session) {
	ch := s.arrive(t, Call{From: caller, Number: "107", Steps: []Step{WaitHangup(40 * time.Second)}})
	s.DropLink(t)
	s.rec.expect(linkTimeout, "LinkDown", isLinkDown)
	rs := s.rec.expect(linkTimeout, "Resynced after the drop", isResynced).(pbx.Resynced)
	found := false
	for _, c := range rs.Channels {
		if c.Channel == ch {
			found = true
			if c.State != "Up" {
				t.Errorf("resynced channel %+v: want state Up", c)
			}
		}
	}
	if !found {
		t.Fatalf("Resynced %+v does not list the live call %s", rs, ch)
	}
	s.hangupAndExpect(t, ch)
}
