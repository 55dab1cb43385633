//go:build e2e

package ari_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/ari"
	"switchboard/routing/pbx"
	"switchboard/testbed"
)

// runDriver connects a driver to the testbed and returns its events once
// the first Resynced has arrived.
func runDriver(t *testing.T, p *testbed.PBX) (*ari.Driver, <-chan pbx.Event) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	drv, err := ari.New(ari.Config{
		URL: fmt.Sprintf("http://127.0.0.1:%d", p.ARIPort), User: p.User, Password: p.Password, App: p.App, Node: "testbed",
	}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan pbx.Event, 1000)
	var wg sync.WaitGroup
	wg.Go(func() { drv.Run(ctx, events) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	expect(t, events, 30*time.Second, "first Resynced", func(ev pbx.Event) bool {
		_, ok := ev.(pbx.Resynced)
		return ok
	})
	return drv, events
}

func expect(t *testing.T, events <-chan pbx.Event, within time.Duration, what string, match func(pbx.Event) bool) pbx.Event {
	t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	var seen []string
	for {
		select {
		case ev := <-events:
			if match(ev) {
				return ev
			}
			seen = append(seen, ev.Kind())
		case <-timer.C:
			t.Fatalf("no %s within %v; saw %v", what, within, seen)
			return nil
		}
	}
}

// TestE2ERecordMessage: a caller is answered and recorded, speaks (7 s of
// sip-tester's A-law capture), presses # to end the message; RecordingFinished reports its length and the stored
// file is a WAV the driver can fetch.
func TestE2ERecordMessage(t *testing.T) {
	p := testbed.StartPBX(t)
	drv, events := runDriver(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	const from = "5550177"
	run := testbed.Caller{Target: p.SIPAddr(), Number: "100", From: from, Steps: []testbed.Step{
		testbed.Audio(testbed.SpeechPcap, 7200*time.Millisecond), testbed.Digit("#"), testbed.Pause(time.Second), testbed.HangUp(),
	}}.Start(t)
	t.Cleanup(func() { run.Stop() })

	ev := expect(t, events, 15*time.Second, "CallArrived", func(ev pbx.Event) bool {
		a, ok := ev.(pbx.CallArrived)
		return ok && a.Caller == from
	}).(pbx.CallArrived)
	if err := drv.Answer(ctx, ev.Channel); err != nil {
		t.Fatal(err)
	}
	name := "msg-e2e-" + strings.ReplaceAll(ev.Channel, ".", "-")
	if err := drv.Record(ctx, pbx.Recording{Channel: ev.Channel, Name: name,
		MaxDuration: 30 * time.Second, TerminateOn: "#"}); err != nil {
		t.Fatal(err)
	}
	fin := expect(t, events, 20*time.Second, "RecordingFinished", func(e pbx.Event) bool {
		f, ok := e.(pbx.RecordingFinished)
		return ok && f.Name == name
	}).(pbx.RecordingFinished)
	t.Logf("RecordingFinished: %+v", fin)
	if fin.Failed || fin.Channel != ev.Channel || fin.Duration <= 0 {
		t.Errorf("RecordingFinished %+v: want done, on %s, a duration > 0", fin, ev.Channel)
	}

	body, err := drv.FetchRecording(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	audio, err := io.ReadAll(body)
	body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(audio) < 44 || string(audio[:4]) != "RIFF" || string(audio[8:12]) != "WAVE" {
		t.Fatalf("fetched %d bytes, not a WAV: %q", len(audio), audio[:min(len(audio), 16)])
	}
	t.Logf("fetched %s: %d bytes", name, len(audio))

	if _, err := drv.FetchRecording(ctx, "msg-e2e-never-recorded"); !errors.Is(err, ari.ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("unknown recording: %v, want ari.ErrNotFound", err)
	}
	if res := run.Wait(); res.Err != nil {
		t.Errorf("caller: %v\n%s", res.Err, res.Log)
	}
}

// TestE2ERecordingHangup: the caller hangs up while being recorded; the
// recording still ends with a RecordingFinished for the driver.
func TestE2ERecordingHangup(t *testing.T) {
	p := testbed.StartPBX(t)
	drv, events := runDriver(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	const from = "5550178"
	run := testbed.Caller{Target: p.SIPAddr(), Number: "100", From: from, Steps: []testbed.Step{
		testbed.Audio(testbed.SpeechPcap, 3*time.Second), testbed.HangUp(),
	}}.Start(t)
	t.Cleanup(func() { run.Stop() })
	ev := expect(t, events, 15*time.Second, "CallArrived", func(ev pbx.Event) bool {
		a, ok := ev.(pbx.CallArrived)
		return ok && a.Caller == from
	}).(pbx.CallArrived)
	if err := drv.Answer(ctx, ev.Channel); err != nil {
		t.Fatal(err)
	}
	name := "msg-e2e-hangup-" + strings.ReplaceAll(ev.Channel, ".", "-")
	if err := drv.Record(ctx, pbx.Recording{Channel: ev.Channel, Name: name, TerminateOn: "#", Beep: true}); err != nil {
		t.Fatal(err)
	}
	// The channel's end can be reported before RecordingFinished: an
	// engine must not forget the call before the recording is reported.
	var fin *pbx.RecordingFinished
	var hungUp bool
	var order []string
	expect(t, events, 20*time.Second, "RecordingFinished and ChannelHungUp", func(e pbx.Event) bool {
		switch e := e.(type) {
		case pbx.RecordingFinished:
			if e.Name == name {
				fin = &e
				order = append(order, e.Kind())
			}
		case pbx.ChannelHungUp:
			if e.Channel == ev.Channel {
				hungUp = true
				order = append(order, e.Kind())
			}
		}
		return fin != nil && hungUp
	})
	t.Logf("RecordingFinished after hang-up: %+v; order %v", *fin, order)
	if fin.Channel != ev.Channel || fin.Failed || fin.Duration <= 0 {
		t.Errorf("RecordingFinished %+v: want done, on %s, a duration > 0", *fin, ev.Channel)
	}
	// Recording a channel that has gone is an error: nothing will follow.
	if err := drv.Record(ctx, pbx.Recording{Channel: ev.Channel, Name: name + "-again"}); err == nil {
		t.Error("Record on a gone channel: no error")
	}
}

// TestE2ERecordingCapture records what Asterisk sends about a recording, raw,
// over the testbed's own websocket: the JSON ari/testdata keeps.
func TestE2ERecordingCapture(t *testing.T) {
	p := testbed.StartPBX(t)
	w := testbed.WatchARI(t, p, p.App)
	const from = "5550179"
	run := testbed.Caller{Target: p.SIPAddr(), Number: "100", From: from, Steps: []testbed.Step{
		testbed.Audio(testbed.SpeechPcap, 7200*time.Millisecond), testbed.Digit("#"), testbed.Pause(time.Second), testbed.HangUp(),
	}}.Start(t)
	t.Cleanup(func() { run.Stop() })
	start := w.WaitFor(15*time.Second, "StasisStart", func(ev testbed.ARIEvent) bool {
		return ev.Type == "StasisStart" && ev.Channel.Caller.Number == from
	})
	ch := start.Channel.ID
	if st, body, err := p.ARI("POST", "/channels/"+ch+"/answer", nil); err != nil || st/100 != 2 {
		t.Fatalf("answer: %d %s %v", st, body, err)
	}
	st, body, err := p.ARI("POST", "/channels/"+ch+"/record?name=capture-"+ch+"&format=wav&terminateOn=%23&ifExists=overwrite", nil)
	if err != nil || st/100 != 2 {
		t.Fatalf("record: %d %s %v", st, body, err)
	}
	t.Logf("record answer %d: %s", st, body)
	for _, typ := range []string{"RecordingStarted", "RecordingFinished"} {
		ev := w.WaitFor(20*time.Second, typ, func(ev testbed.ARIEvent) bool { return ev.Type == typ })
		t.Logf("%s", ev.Raw)
	}
	run.Wait()
}
