package esl_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/esl"
	"switchboard/esl/esltest"
	"switchboard/routing/pbx"
)

// recRig is a driver running against the fake FreeSWITCH, its recordings
// directory shared with the fake (as an NFS mount would share it).
type recRig struct {
	srv    *esltest.Server
	drv    *esl.Driver
	dir    string
	events chan pbx.Event
}

func startRecRig(t *testing.T, outbound bool, cfg esl.Config) *recRig {
	t.Helper()
	dir := t.TempDir()
	opts := []esltest.Option{esltest.WithRecordingsDir(t.TempDir())}
	srv := esltest.NewServer(opts...)
	t.Cleanup(srv.Close)
	cfg.Addr, cfg.Password, cfg.PingInterval = srv.Addr, "ClueCon", time.Second
	if cfg.RecordingsDir == "" {
		cfg.RecordingsDir = dir
	}
	if outbound {
		cfg.OutboundListen = "127.0.0.1:0"
	}
	drv, err := esl.New(cfg, testLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &recRig{srv: srv, drv: drv, dir: cfg.RecordingsDir, events: make(chan pbx.Event, 1000)}
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx, r.events) }()
	t.Cleanup(func() { cancel(); <-done })
	r.next(t, func(ev pbx.Event) bool { _, ok := ev.(pbx.Resynced); return ok })
	return r
}

// next returns the first event (skipping others) that match accepts.
func (r *recRig) next(t *testing.T, match func(pbx.Event) bool) pbx.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-r.events:
			if match(ev) {
				return ev
			}
		case <-timeout:
			t.Fatal("no matching event within 10s")
			return nil
		}
	}
}

func (r *recRig) arrived(t *testing.T, c esltest.Call) string {
	t.Helper()
	r.srv.SetOutbound(r.drv.OutboundAddr())
	r.srv.Call(c)
	ca := r.next(t, func(ev pbx.Event) bool { _, ok := ev.(pbx.CallArrived); return ok }).(pbx.CallArrived)
	if err := r.drv.Answer(context.Background(), ca.Channel); err != nil {
		t.Fatal(err)
	}
	return ca.Channel
}

func finished(name string) func(pbx.Event) bool {
	return func(ev pbx.Event) bool {
		rf, ok := ev.(pbx.RecordingFinished)
		return ok && rf.Name == name
	}
}

func TestRecordTerminatedByDigit(t *testing.T) {
	for _, outbound := range []bool{false, true} {
		t.Run(map[bool]string{false: "inbound", true: "outbound"}[outbound], func(t *testing.T) {
			r := startRecRig(t, outbound, esl.Config{})
			// The caller speaks 1.2 s after the beep (50 ms) and presses #.
			ch := r.arrived(t, esltest.Call{Number: "100", Steps: []esltest.Step{
				esltest.Pause(300 * time.Millisecond), esltest.Pause(1200 * time.Millisecond), esltest.Digit("#"), esltest.Pause(time.Hour)}})
			err := r.drv.Record(context.Background(), pbx.Recording{Channel: ch, Name: "msg-1", MaxDuration: 30 * time.Second,
				MaxSilence: 3 * time.Second, Beep: true, TerminateOn: "#"})
			if err != nil {
				t.Fatal(err)
			}
			rf := r.next(t, finished("msg-1")).(pbx.RecordingFinished)
			if rf.Failed || rf.Channel != ch || rf.Duration < time.Second || rf.Duration > 2*time.Second {
				t.Errorf("RecordingFinished %+v; want ~1.2s, not failed", rf)
			}
			body, err := r.drv.FetchRecording(context.Background(), "msg-1")
			if err != nil {
				t.Fatal(err)
			}
			defer body.Close()
			data, _ := io.ReadAll(body)
			if len(data) < 44 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
				t.Errorf("fetched %d bytes, not a WAV", len(data))
			}
			if err := r.drv.Hangup(context.Background(), ch, 0); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRecordMaxDuration(t *testing.T) {
	r := startRecRig(t, false, esl.Config{})
	ch := r.arrived(t, esltest.Call{Number: "100", Steps: []esltest.Step{esltest.Pause(time.Hour)}})
	if err := r.drv.Record(context.Background(), pbx.Recording{Channel: ch, Name: "name-2", MaxDuration: 900 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	rf := r.next(t, finished("name-2")).(pbx.RecordingFinished)
	if rf.Failed || rf.Duration < 900*time.Millisecond || rf.Duration > 2*time.Second {
		t.Errorf("RecordingFinished %+v; want ~1s (limit rounded up), not failed", rf)
	}
}

// A caller who hangs up while speaking (most do) leaves a message:
// RecordingFinished follows the hang-up, not failed, with what was said.
func TestRecordCallerHangsUp(t *testing.T) {
	for _, outbound := range []bool{false, true} {
		t.Run(map[bool]string{false: "inbound", true: "outbound"}[outbound], func(t *testing.T) {
			r := startRecRig(t, outbound, esl.Config{})
			ch := r.arrived(t, esltest.Call{Number: "100", Steps: []esltest.Step{
				esltest.Pause(time.Second), esltest.HangUp()}})
			if err := r.drv.Record(context.Background(), pbx.Recording{Channel: ch, Name: "msg-3", Beep: true, TerminateOn: "#"}); err != nil {
				t.Fatal(err)
			}
			var hungUp bool
			ev := r.next(t, func(ev pbx.Event) bool {
				if h, ok := ev.(pbx.ChannelHungUp); ok && h.Channel == ch {
					hungUp = true
				}
				return finished("msg-3")(ev)
			})
			rf := ev.(pbx.RecordingFinished)
			if !hungUp || rf.Failed || rf.Duration < 500*time.Millisecond {
				t.Errorf("RecordingFinished %+v (hung up first: %v); want the hang-up, then ~1s not failed", rf, hungUp)
			}
			if _, err := os.Stat(filepath.Join(r.dir, "msg-3.wav")); err != nil {
				t.Error(err)
			}
		})
	}
}

// A hang-up during the beep: the record application never runs; the
// recording still finishes (failed) on the channel's last event.
func TestRecordHangupBeforeRecording(t *testing.T) {
	r := startRecRig(t, false, esl.Config{})
	ch := r.arrived(t, esltest.Call{Number: "100", Steps: []esltest.Step{esltest.Pause(10 * time.Millisecond), esltest.HangUp()}})
	if err := r.drv.Record(context.Background(), pbx.Recording{Channel: ch, Name: "msg-4", Beep: true}); err != nil {
		t.Fatal(err)
	}
	rf := r.next(t, finished("msg-4")).(pbx.RecordingFinished)
	if !rf.Failed {
		t.Errorf("RecordingFinished %+v; want failed", rf)
	}
}

// A directory FreeSWITCH cannot write: no RECORD_START, the application
// completes, RecordingFinished is failed.
func TestRecordCannotWrite(t *testing.T) {
	r := startRecRig(t, false, esl.Config{PBXRecordingsDir: "/nonexistent/recordings"})
	ch := r.arrived(t, esltest.Call{Number: "100", Steps: []esltest.Step{esltest.Pause(time.Hour)}})
	if err := r.drv.Record(context.Background(), pbx.Recording{Channel: ch, Name: "msg-5"}); err != nil {
		t.Fatal(err)
	}
	if rf := r.next(t, finished("msg-5")).(pbx.RecordingFinished); !rf.Failed {
		t.Errorf("RecordingFinished %+v; want failed", rf)
	}
}

// Without a directory, FreeSWITCH's own ${recordings_dir} is used.
func TestRecordDefaultDir(t *testing.T) {
	fsDir := t.TempDir()
	srv := esltest.NewServer(esltest.WithRecordingsDir(fsDir))
	defer srv.Close()
	drv, err := esl.New(esl.Config{Addr: srv.Addr, Password: "ClueCon"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &recRig{srv: srv, drv: drv, events: make(chan pbx.Event, 1000)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx, r.events) }()
	defer func() { cancel(); <-done }()
	r.next(t, func(ev pbx.Event) bool { _, ok := ev.(pbx.Resynced); return ok })
	ch := r.arrived(t, esltest.Call{Number: "100", Steps: []esltest.Step{esltest.Pause(200 * time.Millisecond), esltest.Digit("5")}})
	if err := drv.Record(ctx, pbx.Recording{Channel: ch, Name: "msg-6", TerminateOn: "any"}); err != nil {
		t.Fatal(err)
	}
	if rf := r.next(t, finished("msg-6")).(pbx.RecordingFinished); rf.Failed {
		t.Errorf("RecordingFinished %+v", rf)
	}
	if _, err := os.Stat(filepath.Join(fsDir, "msg-6.wav")); err != nil {
		t.Error(err)
	}
	if _, err := drv.FetchRecording(ctx, "msg-6"); !errors.Is(err, esl.ErrNoRecordingsDir) {
		t.Errorf("fetch without recordings_dir: %v", err)
	}
}

func TestRecordRefusals(t *testing.T) {
	r := startRecRig(t, false, esl.Config{})
	ctx := context.Background()
	for _, rec := range []pbx.Recording{
		{Channel: "c1", Name: ""},
		{Channel: "c1", Name: "../etc/passwd"},
		{Channel: "c1", Name: `a\b`},
		{Channel: "c1", Name: "a b"},
		{Channel: "c1", Name: "${x}"},
		{Channel: "", Name: "ok"},
		{Channel: "c1", Name: "ok", TerminateOn: "x"},
	} {
		if err := r.drv.Record(ctx, rec); err == nil {
			t.Errorf("Record(%+v) accepted", rec)
		}
	}
	// A channel that is gone is an error: no RecordingFinished will come.
	if err := r.drv.Record(ctx, pbx.Recording{Channel: "e5170000-0000-4000-8000-999999999999", Name: "gone"}); err == nil {
		t.Error("Record on a missing channel accepted")
	}
}

func TestFetchRecording(t *testing.T) {
	dir := t.TempDir()
	drv, err := esl.New(esl.Config{Addr: "127.0.0.1:1", RecordingsDir: dir}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	os.WriteFile(filepath.Join(dir, "msg-7.wav"), []byte("RIFF....WAVE"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "x.wav"), []byte("no"), 0o644)
	os.Mkdir(filepath.Join(dir, "adir.wav"), 0o755)
	outside := filepath.Join(t.TempDir(), "secret.wav")
	os.WriteFile(outside, []byte("secret"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "link.wav"))

	body, err := drv.FetchRecording(ctx, "msg-7")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(body)
	body.Close()
	if string(data) != "RIFF....WAVE" {
		t.Errorf("fetched %q", data)
	}
	if _, err := drv.FetchRecording(ctx, "msg-none"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing recording: %v; want fs.ErrNotExist", err)
	}
	for _, name := range []string{"", ".", "..", "sub/x", `sub\x`, "../" + filepath.Base(outside), "link", "adir"} {
		if b, err := drv.FetchRecording(ctx, name); err == nil {
			b.Close()
			t.Errorf("FetchRecording(%q) accepted", name)
		} else if errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(name, `/\`) {
			t.Errorf("FetchRecording(%q): %v; want a refusal, not not-found", name, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := drv.FetchRecording(cctx, "msg-7"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fetch: %v", err)
	}
}
