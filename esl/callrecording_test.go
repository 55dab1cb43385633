package esl_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/esl"
	"switchboard/esl/esltest"
	"switchboard/routing/pbx"
)

// A call recording on the fake FreeSWITCH: uuid_record on the caller's
// leg once bridged, pause and resume as uuid_record's own, and the
// bridge's end stops it: RecordingFinished by name, without a channel.
func TestCallRecording(t *testing.T) {
	r := startRecRig(t, false, esl.Config{PBXRecordingsDir: "/recordings"})
	r.srv.SetPhone("user/1001", esltest.Answer(50*time.Millisecond))
	ctx := context.Background()
	ch := r.arrived(t, esltest.Call{Number: "100", Steps: []esltest.Step{esltest.Pause(time.Hour)}})
	if err := r.drv.Originate(ctx, pbx.Originate{Channel: "agent-leg-1", Endpoint: "user/1001", Timeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	r.next(t, func(ev pbx.Event) bool { a, ok := ev.(pbx.LegAnswered); return ok && a.Channel == "agent-leg-1" })
	if err := r.drv.Bridge(ctx, "br-1", ch, "agent-leg-1"); err != nil {
		t.Fatal(err)
	}
	rec := pbx.CallRecording{Bridge: "br-1", Channel: ch, Name: "rec-c1-1"}
	if err := r.drv.RecordCall(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := r.drv.RecordCall(ctx, rec); err == nil {
		t.Error("the same recording started twice")
	}
	if err := r.drv.PauseCallRecording(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := r.drv.ResumeCallRecording(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := r.drv.PauseCallRecording(ctx, pbx.CallRecording{Name: "rec-nope-1"}); err == nil {
		t.Error("paused a recording that is not going on")
	}
	if err := r.drv.DestroyBridge(ctx, "br-1"); err != nil {
		t.Fatal(err)
	}
	rf := r.next(t, finished("rec-c1-1")).(pbx.RecordingFinished)
	if rf.Failed || rf.Channel != "" {
		t.Errorf("RecordingFinished %+v; want by name, no channel, not failed", rf)
	}
	var sent []string
	for _, c := range r.srv.Commands() {
		if strings.Contains(c, "uuid_record") {
			sent = append(sent, c)
		}
	}
	file := "/recordings/rec-c1-1.wav"
	want := []string{"api uuid_record " + ch + " start " + file, "api uuid_record " + ch + " pause " + file,
		"api uuid_record " + ch + " resume " + file, "api uuid_record " + ch + " stop " + file}
	if !slices.Equal(sent, want) {
		t.Errorf("commands\n got %q\nwant %q", sent, want)
	}
}

// The caller hangs up while recorded: the channel's end stops the
// recording (RECORD_STOP), which is its end.
func TestCallRecordingCallerHangsUp(t *testing.T) {
	r := startRecRig(t, false, esl.Config{PBXRecordingsDir: "/recordings"})
	ch := r.arrived(t, esltest.Call{Number: "100", Steps: []esltest.Step{esltest.Pause(300 * time.Millisecond), esltest.HangUp()}})
	if err := r.drv.RecordCall(context.Background(), pbx.CallRecording{Bridge: "br-2", Channel: ch, Name: "rec-c2-1"}); err != nil {
		t.Fatal(err)
	}
	if err := r.drv.PauseCallRecording(context.Background(), pbx.CallRecording{Name: "rec-c2-1"}); err != nil {
		t.Fatal(err)
	}
	if rf := r.next(t, finished("rec-c2-1")).(pbx.RecordingFinished); rf.Failed {
		t.Errorf("RecordingFinished %+v", rf)
	}
}

// Without the PBX's recordings directory there is no path to give
// uuid_record (no channel variable expands in an API command).
func TestCallRecordingNeedsDir(t *testing.T) {
	drv, err := esl.New(esl.Config{Addr: "127.0.0.1:1", Password: "ClueCon"}, testLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = drv.RecordCall(context.Background(), pbx.CallRecording{Bridge: "b", Channel: "some-uuid", Name: "rec-c3-1"})
	if !errors.Is(err, esl.ErrNoRecordingsDir) {
		t.Fatalf("recorded without a directory: %v", err)
	}
	for _, bad := range []pbx.CallRecording{{Channel: "x", Name: "../x"}, {Channel: "", Name: "rec-1"}} {
		if err := drv.RecordCall(context.Background(), bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
