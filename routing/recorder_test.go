package routing

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

func TestRecordingPolicyRecords(t *testing.T) {
	tests := []struct {
		name string
		p    RecordingPolicy
		want int // of 10000 call IDs
		tol  int
	}{
		{"none", RecordingPolicy{Mode: RecordNone}, 0, 0},
		{"unset", RecordingPolicy{}, 0, 0},
		{"all", RecordingPolicy{Mode: RecordAll}, 10000, 0},
		{"sample 20%", RecordingPolicy{Mode: RecordSample, Share: 0.2}, 2000, 200},
		{"sample 50%", RecordingPolicy{Mode: RecordSample, Share: 0.5}, 5000, 250},
		{"sample all", RecordingPolicy{Mode: RecordSample, Share: 1}, 10000, 0},
		{"sample 0", RecordingPolicy{Mode: RecordSample, Share: 0}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for i := range 10000 {
				id := fmt.Sprintf("call-%d", i)
				got := tt.p.Records(id)
				if got != tt.p.Records(id) {
					t.Fatalf("%s: not deterministic", id)
				}
				if got {
					n++
				}
			}
			if n < tt.want-tt.tol || n > tt.want+tt.tol {
				t.Fatalf("recorded %d of 10000, want %d±%d", n, tt.want, tt.tol)
			}
		})
	}
}

func TestRecordingPolicyOf(t *testing.T) {
	cfg := testConfig()
	cfg.Recording = RecordingConfig{Inbound: RecordingPolicy{Mode: RecordAll, RetentionDays: 90},
		Outbound: RecordingPolicy{Mode: RecordNone}}
	own := RecordingPolicy{Mode: RecordSample, Share: 0.1, RetentionDays: 30}
	cfg.Queues["sales"] = &Queue{Recording: &own}
	vip := RecordingPolicy{Mode: RecordAll, RetentionDays: 365}
	cfg.Flows["vip"] = &Flow{Recording: &vip}
	tests := []struct {
		dir, queue, flow string
		want             RecordingPolicy
	}{
		{DirectionInbound, "support", "main", cfg.Recording.Inbound},
		{DirectionInbound, "sales", "main", own},
		{DirectionInbound, "sales", "vip", own}, // the queue's first
		{DirectionInbound, "support", "vip", vip},
		{DirectionInbound, "", "", cfg.Recording.Inbound},
		{DirectionOutbound, "sales", "vip", cfg.Recording.Outbound},
	}
	for _, tt := range tests {
		if got := cfg.recordingPolicy(tt.dir, tt.queue, tt.flow); got != tt.want {
			t.Errorf("%s %s %s: %+v, want %+v", tt.dir, tt.queue, tt.flow, got, tt.want)
		}
	}
}

func TestRecordingPolicyValidate(t *testing.T) {
	tests := []struct {
		p    RecordingPolicy
		want string // the key at fault; "" valid
	}{
		{RecordingPolicy{Mode: RecordAll, RetentionDays: 30}, ""},
		{RecordingPolicy{Mode: RecordSample, Share: 0.3}, ""},
		{RecordingPolicy{}, ""},
		{RecordingPolicy{Mode: "some"}, "recording.inbound.mode"},
		{RecordingPolicy{Mode: RecordSample}, "recording.inbound.share"},
		{RecordingPolicy{Mode: RecordSample, Share: 1.5}, "recording.inbound.share"},
		{RecordingPolicy{Mode: RecordAll, Share: 0.5}, "recording.inbound.share"},
		{RecordingPolicy{Mode: RecordAll, RetentionDays: -1}, "recording.inbound.retention_days"},
	}
	for _, tt := range tests {
		var got []string
		validateRecordingPolicy("recording.inbound", &tt.p, func(key, _ string, _ ...any) { got = append(got, key) })
		switch {
		case tt.want == "" && len(got) > 0:
			t.Errorf("%+v: refused %v", tt.p, got)
		case tt.want != "" && (len(got) != 1 || got[0] != tt.want):
			t.Errorf("%+v: problems %v, want %s", tt.p, got, tt.want)
		}
	}
}

func TestRecordingExpired(t *testing.T) {
	start := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		days int
		held bool
		now  time.Time
		want bool
	}{
		{"within", 30, false, start.AddDate(0, 0, 29), false},
		{"on the day", 30, false, start.AddDate(0, 0, 30), true},
		{"past", 30, false, start.AddDate(1, 0, 0), true},
		{"held", 30, true, start.AddDate(1, 0, 0), false},
		{"kept forever", 0, false, start.AddDate(10, 0, 0), false},
	}
	for _, tt := range tests {
		if got := Expired(start, tt.days, tt.held, tt.now); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// answerCall brings a call to a1 and returns the caller's channel and
// the agent's leg.
func answerCall(h *harness, ch string) string {
	h.t.Helper()
	h.arrive(ch)
	out := h.in(pbx.DTMFReceived{Channel: ch, Digit: "1"})
	leg := find[cmdOriginate](h.t, out).Req.Channel
	h.in(pbx.LegRinging{Channel: leg})
	return leg
}

func recordedData[T any](t *testing.T, h *harness, typ string) []T {
	t.Helper()
	var out []T
	for _, r := range h.recs {
		if r.Type != typ {
			continue
		}
		p, err := Payload(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *p.(*T))
	}
	return out
}

func TestCallRecordedFromAnswer(t *testing.T) {
	h := newHarness(t)
	h.m.cfg.Recording.Inbound = RecordingPolicy{Mode: RecordAll, RetentionDays: 30}
	h.signIn("a1")
	leg := answerCall(h, "ch1")
	out := h.in(pbx.LegAnswered{Channel: leg})
	rc := find[cmdRecordCall](t, out)
	br := find[cmdBridge](t, out)
	if rc.Rec.Bridge != br.BridgeID || rc.Rec.Channel != "ch1" || rc.Key() != br.Key() {
		t.Fatalf("record %+v after bridge %+v", rc, br)
	}
	started := recordedData[RecordingData](t, h, EvRecordingStarted)
	if len(started) != 1 || started[0].Agent != "a1" || started[0].Queue != "support" || started[0].Part != 1 ||
		started[0].Direction != DirectionInbound || started[0].RetentionDays != 30 || started[0].Name != rc.Rec.Name {
		t.Fatalf("started %+v", started)
	}
	callID := started[0].Recording[len("rec-"):]

	h.advance(10 * time.Second)
	out = h.in(recordingCommand{Op: "pause", Call: callID, By: "a1"})
	if out.Err != nil || !has[cmdPauseRecording](out) {
		t.Fatalf("pause: %v %+v", out.Err, out.Commands)
	}
	var pe *PolicyError
	if out = h.in(recordingCommand{Op: "pause", Call: callID, By: "a1"}); !errors.As(out.Err, &pe) || pe.Code != CodeRecordingPaused {
		t.Fatalf("second pause: %v", out.Err)
	}
	h.advance(5 * time.Second)
	if out = h.in(recordingCommand{Op: "resume", Call: callID, By: "a1"}); out.Err != nil || !has[cmdResumeRecording](out) {
		t.Fatalf("resume: %v", out.Err)
	}
	pauses := recordedData[RecordingPauseData](t, h, EvRecordingPaused)
	resumes := recordedData[RecordingPauseData](t, h, EvRecordingResumed)
	if len(pauses) != 1 || pauses[0].Offset != 10 || pauses[0].FileOffset != 10 ||
		len(resumes) != 1 || resumes[0].Offset != 15 || resumes[0].FileOffset != 10 {
		t.Fatalf("pauses %+v resumes %+v", pauses, resumes)
	}
	h.advance(20 * time.Second)
	h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	if out = h.in(recordingCommand{Op: "pause", Call: callID, By: "a1"}); !errors.As(out.Err, &pe) || pe.Code != CodeNotRecording {
		t.Fatalf("pause after the end: %v", out.Err)
	}
	// The bridge's recording ends with it; the PBX reports the file
	// (30 s: the talk without the 5 s gap).
	h.in(pbx.RecordingFinished{Name: rc.Rec.Name, Duration: 30 * time.Second})
	ended := recordedData[RecordingEndedData](t, h, EvRecordingEnded)
	if len(ended) != 1 || ended[0].Seconds != 35 || ended[0].PausedSeconds != 5 || ended[0].Part != 1 {
		t.Fatalf("ended %+v", ended)
	}
	for _, r := range h.recs {
		if r.Type == EvRecordingEnded && r.CallID != callID {
			t.Fatalf("ended on call %q", r.CallID)
		}
	}
}

func TestCallRecordingFailureKeepsCall(t *testing.T) {
	h := newHarness(t)
	h.m.cfg.Recording.Inbound = RecordingPolicy{Mode: RecordAll}
	h.signIn("a1")
	leg := answerCall(h, "ch1")
	out := h.in(pbx.LegAnswered{Channel: leg})
	rc := find[cmdRecordCall](t, out)
	out = h.in(pbx.CommandFailed{Channel: channelOf(rc), Command: rc.Name(), Err: "422 format unknown"})
	if has[cmdHangup](out) || has[cmdDestroyBridge](out) {
		t.Fatalf("the call was dropped: %+v", out.Commands)
	}
	failed := recordedData[RecordingFailedData](t, h, EvRecordingFailed)
	if len(failed) != 1 || failed[0].Step != "start" || failed[0].Err == "" {
		t.Fatalf("failed %+v", failed)
	}
	if st := h.agent("a1").State; st != OnCall {
		t.Fatalf("agent %s, want on_call", st)
	}
}

func TestCallNotRecordedByPolicy(t *testing.T) {
	h := newHarness(t)
	h.signIn("a1")
	leg := answerCall(h, "ch1")
	if out := h.in(pbx.LegAnswered{Channel: leg}); has[cmdRecordCall](out) {
		t.Fatal("recorded without a policy")
	}
}

func TestRecordingHoldBlocksDelete(t *testing.T) {
	h := newHarness(t)
	if out := h.in(recordingCommand{Op: "hold", Recording: "rec-c9", By: "sup"}); out.Err != nil {
		t.Fatal(out.Err)
	}
	if out := h.in(recordingCommand{Op: "delete", Recording: "rec-c9", By: "sup", Reason: "retention"}); !errors.Is(out.Err, ErrRecordingHeld) {
		t.Fatalf("delete under hold: %v", out.Err)
	}
	h.in(recordingCommand{Op: "release", Recording: "rec-c9", By: "sup"})
	if out := h.in(recordingCommand{Op: "delete", Recording: "rec-c9", By: "sup", Reason: "retention", Names: []string{"rec-c9-1"}}); out.Err != nil {
		t.Fatal(out.Err)
	}
	del := recordedData[RecordingDeletedData](t, h, EvRecordingDeleted)
	if len(del) != 1 || del[0].Names[0] != "rec-c9-1" {
		t.Fatalf("deleted %+v", del)
	}
	if out := h.in(recordingCommand{Op: "hold", By: "sup"}); out.Err == nil {
		t.Fatal("hold without a recording accepted")
	}
}

// A transfer to another agent keeps recording the call: a second part of
// the same recording, on the new bridge.
func TestCallRecordingTransferKeepsRecording(t *testing.T) {
	h := newDeskHarness(t)
	h.m.cfg.Recording.Inbound = RecordingPolicy{Mode: RecordAll}
	h.signIn("a1")
	id, _ := h.talking()
	h.signIn("a2")
	h.advance(10 * time.Second)
	out := h.in(deskCommand{Op: "transfer", Call: id, ToKind: TransferAgent, To: "a2"})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	leg := find[cmdOriginate](t, out).Req.Channel
	h.in(pbx.LegRinging{Channel: leg})
	h.advance(2 * time.Second)
	out = h.in(pbx.LegAnswered{Channel: leg})
	rc := find[cmdRecordCall](t, out)
	started := recordedData[RecordingData](t, h, EvRecordingStarted)
	if len(started) != 2 || started[0].Recording != started[1].Recording || started[1].Part != 2 ||
		started[1].Agent != "a2" || rc.Rec.Name != started[1].Name || rc.Rec.Bridge != h.m.calls[id].bridge {
		t.Fatalf("parts %+v, command %+v", started, rc)
	}
	// The first bridge's file comes in late: it covered the 10 s with a1.
	h.in(pbx.RecordingFinished{Name: started[0].Name, Duration: 10 * time.Second})
	ended := recordedData[RecordingEndedData](t, h, EvRecordingEnded)
	if len(ended) != 1 || ended[0].Part != 1 || ended[0].Seconds != 10 {
		t.Fatalf("ended %+v", ended)
	}
}

// A recording that began before a restart still gets its end in the
// index when the PBX stores it; a message's recording is left to the
// message step.
func TestCallRecordingFinishedAfterRestart(t *testing.T) {
	h := newHarness(t)
	h.in(pbx.RecordingFinished{Name: "rec-call-7-2", Duration: 42 * time.Second})
	ended := recordedData[RecordingEndedData](t, h, EvRecordingEnded)
	if len(ended) != 1 || ended[0].Recording != "rec-call-7" || ended[0].Part != 2 || ended[0].Seconds != 42 {
		t.Fatalf("ended %+v", ended)
	}
	if h.recs[len(h.recs)-1].CallID != "call-7" {
		t.Fatalf("on call %q", h.recs[len(h.recs)-1].CallID)
	}
	h.in(pbx.RecordingFinished{Name: "msg-call-8"})
	h.in(pbx.RecordingFinished{Name: "rec-"})
	if n := len(recordedData[RecordingEndedData](t, h, EvRecordingEnded)); n != 1 {
		t.Fatalf("%d ends, want 1", n)
	}
}
