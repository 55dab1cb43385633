package esl

import (
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// recRegistry is fakeRegistry with the recording bookkeeping.
type recRegistry struct {
	fakeRegistry
	recs map[string]*voiceRec
}

func (r *recRegistry) voiceRecording(ch string) (voiceRec, bool) {
	v, ok := r.recs[ch]
	if !ok {
		return voiceRec{}, false
	}
	return *v, true
}
func (r *recRegistry) recordStarted(ch string, at time.Time) {
	if v := r.recs[ch]; v != nil && v.started.IsZero() {
		v.started = at
	}
}
func (r *recRegistry) recordingDone(ch string) { delete(r.recs, ch) }

// The real captures' RECORD_START/RECORD_STOP (FreeSWITCH 1.10, plain and
// JSON) decode to one RecordingFinished with record_ms as the duration,
// for the recording whose file name they carry.
func TestRecordEventsFromCaptures(t *testing.T) {
	for _, tc := range []struct {
		capture, channel, name string
		ms                     time.Duration
	}{
		{"testdata/inbound_json_all.recv.raw", "35ed5681-b817-4aab-ac2d-8c14660fd647", "x_json", 3200},
	} {
		t.Run(tc.capture, func(t *testing.T) {
			reg := &recRegistry{recs: map[string]*voiceRec{tc.channel: {name: tc.name, appUUID: "app-1"}}}
			var got []pbx.RecordingFinished
			for _, ev := range decodeCapture(t, tc.capture, reg) {
				if rf, ok := ev.(pbx.RecordingFinished); ok {
					got = append(got, rf)
				}
			}
			if len(got) != 1 || got[0].Channel != tc.channel || got[0].Name != tc.name ||
				got[0].Duration != tc.ms*time.Millisecond || got[0].Failed {
				t.Errorf("RecordingFinished %+v; want one for %s, %v ms, not failed", got, tc.name, tc.ms)
			}
		})
	}
}

// The plain capture's RECORD_STOP: find the file name it carries and check
// the same decoding (its recording was made by uuid_record, whose events
// the record application shares).
func TestRecordEventsFromPlainCapture(t *testing.T) {
	var ch, file string
	for _, m := range readAll(t, "testdata/inbound_plain_call_lifecycle.recv.raw") {
		if m.ContentType() != typeEventPlain {
			continue
		}
		ev, err := parseEvent(m)
		if err == nil && ev.Name() == evRecordStop {
			ch, file = ev.Get(hdrUniqueID), ev.Get(hdrRecordPath)
			if ev.Get(hdrRecordMS) == "" {
				t.Fatal("plain RECORD_STOP has no variable_record_ms")
			}
		}
	}
	if ch == "" || !strings.HasSuffix(file, ".wav") {
		t.Fatalf("no RECORD_STOP with a .wav path in the capture (%q, %q)", ch, file)
	}
	name := strings.TrimSuffix(file[strings.LastIndexByte(file, '/')+1:], ".wav")
	reg := &recRegistry{recs: map[string]*voiceRec{ch: {name: name, appUUID: "app-1"}}}
	var got []pbx.RecordingFinished
	for _, ev := range decodeCapture(t, "testdata/inbound_plain_call_lifecycle.recv.raw", reg) {
		if rf, ok := ev.(pbx.RecordingFinished); ok {
			got = append(got, rf)
		}
	}
	if len(got) != 1 || got[0].Duration != 3160*time.Millisecond || got[0].Failed {
		t.Errorf("RecordingFinished %+v; want one, 3160 ms, not failed", got)
	}
}

// A RECORD_STOP for another file on the channel (a uuid_record call
// recording) is not the voice recording's.
func TestRecordStopOtherFile(t *testing.T) {
	reg := &recRegistry{recs: map[string]*voiceRec{"35ed5681-b817-4aab-ac2d-8c14660fd647": {name: "msg-9", appUUID: "app-1"}}}
	for _, ev := range decodeCapture(t, "testdata/inbound_json_all.recv.raw", reg) {
		if rf, ok := ev.(pbx.RecordingFinished); ok && !rf.Failed {
			t.Errorf("%+v from another file's RECORD_STOP", rf)
		}
	}
}

func TestRecordFailedCauses(t *testing.T) {
	for cause, want := range map[string]bool{
		"success-maxtime": false, "success-silence": false, "no-input-timeout": false, "": false,
		"uri-failure": true, "error": true,
	} {
		ev := &Event{Header: Header{hdrRecordCause: cause}}
		if got := recordFailed(ev); got != want {
			t.Errorf("recordFailed(%q) = %v", cause, got)
		}
	}
}
