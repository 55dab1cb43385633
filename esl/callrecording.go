package esl

import (
	"context"
	"fmt"
	"path"
	"strings"
	"sync"

	"switchboard/routing/pbx"
)

// Call recordings (pbx.CallRecorder): `uuid_record` on the caller's leg,
// which FreeSWITCH mixes with the leg it is bridged to (both parties in
// one file), stored as PBX_RECORDINGS_DIR/NAME.wav (an absolute path:
// FreeSWITCH puts a relative one under its base directory). Pause and
// resume are uuid_record's own (1.10's mod_commands). Its RECORD_STOP is
// its end (RecordingFinished, no channel: the engine knows the call by
// the name); the bridge's end (DestroyBridge, a transfer) stops it, as
// Asterisk's bridge recording ends with its bridge.
//
// Checked against the fake FreeSWITCH (esl/esltest) only: the wire
// captures of fixtures/esl hold no uuid_record session.

var _ pbx.CallRecorder = (*Driver)(nil)

// callRec is a call recording going on.
type callRec struct{ name, channel, bridge, file string }

// callRecorder is the driver's call recordings: the ones going on, by
// name, under their own lock. Driver embeds it, so the driver is the
// pbx.CallRecorder and the decoder's callRecordings.
type callRecorder struct {
	d    *Driver
	mu   sync.Mutex
	recs map[string]*callRec
}

// RecordCall implements pbx.CallRecorder.
func (rc *callRecorder) RecordCall(ctx context.Context, r pbx.CallRecording) error {
	file, err := rc.callRecordingFile(r)
	if err != nil {
		return err
	}
	rc.mu.Lock()
	if _, dup := rc.recs[r.Name]; dup {
		rc.mu.Unlock()
		return fmt.Errorf("esl: record call %s: already recording", r.Name)
	}
	rc.recs[r.Name] = &callRec{name: r.Name, channel: r.Channel, bridge: r.Bridge, file: file}
	rc.mu.Unlock()
	if _, err := rc.d.api(ctx, "uuid_record "+r.Channel+" start "+file); err != nil {
		rc.forgetCallRec(r.Name)
		return fmt.Errorf("esl: record call %s on %s: %w", r.Name, r.Channel, err)
	}
	return nil
}

// PauseCallRecording implements pbx.CallRecorder with `uuid_record
// pause`: FreeSWITCH stops feeding the recording (its media bug is
// paused), so the file has no audio for the gap, as with Asterisk.
func (rc *callRecorder) PauseCallRecording(ctx context.Context, r pbx.CallRecording) error {
	return rc.pauseCallRec(ctx, r.Name, "pause")
}

// ResumeCallRecording implements pbx.CallRecorder (`uuid_record resume`).
func (rc *callRecorder) ResumeCallRecording(ctx context.Context, r pbx.CallRecording) error {
	return rc.pauseCallRec(ctx, r.Name, "resume")
}

func (rc *callRecorder) pauseCallRec(ctx context.Context, name, op string) error {
	rc.mu.Lock()
	cr := rc.recs[name]
	var c callRec
	if cr != nil {
		c = *cr
	}
	rc.mu.Unlock()
	if cr == nil {
		return fmt.Errorf("esl: %s recording %s: no such call recording going on", op, name)
	}
	if _, err := rc.d.api(ctx, "uuid_record "+c.channel+" "+op+" "+c.file); err != nil {
		return fmt.Errorf("esl: %s recording %s: %w", op, name, err)
	}
	return nil
}

func (rc *callRecorder) callRecordingFile(r pbx.CallRecording) (string, error) {
	if err := checkRecordingName(r.Name); err != nil {
		return "", fmt.Errorf("esl: record call: %w", err)
	}
	if err := checkID(r.Channel); err != nil {
		return "", fmt.Errorf("esl: record call %s: %w", r.Name, err)
	}
	dir := rc.d.cfg.PBXRecordingsDir
	if dir == "" || strings.ContainsAny(dir, " \r\n") {
		// uuid_record is an API command: no channel variable expands in
		// it, so FreeSWITCH's ${recordings_dir} cannot stand in.
		return "", fmt.Errorf("esl: record call %s: %w", r.Name, ErrNoRecordingsDir)
	}
	return strings.TrimSuffix(dir, "/") + "/" + r.Name + recordingExt, nil
}

func (rc *callRecorder) forgetCallRec(name string) {
	rc.mu.Lock()
	delete(rc.recs, name)
	rc.mu.Unlock()
}

// stopBridgeRecordings stops the recordings of bridge (it is being
// destroyed).
func (rc *callRecorder) stopBridgeRecordings(ctx context.Context, bridge string) {
	rc.mu.Lock()
	var stop []callRec
	for _, cr := range rc.recs {
		if cr.bridge == bridge {
			stop = append(stop, *cr)
		}
	}
	rc.mu.Unlock()
	for _, cr := range stop {
		if _, err := rc.d.api(ctx, "uuid_record "+cr.channel+" stop "+cr.file); err != nil && !gone(err) {
			rc.d.log.Warn("esl: call recording not stopped with its bridge", "recording", cr.name, "err", err)
		}
	}
}

// callRecordingEnded is the decoder's side: RECORD_STOP of file (by its
// base name) ends that call recording; ok reports whether it was one. A
// channel's end ends any left (endedOn, through recordEnded), should its
// RECORD_STOP have gone missing.
func (rc *callRecorder) callRecordingEnded(file string) (name string, ok bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := strings.TrimSuffix(path.Base(file), recordingExt)
	if rc.recs[n] == nil {
		return "", false
	}
	delete(rc.recs, n)
	return n, true
}

// endedOn forgets and returns the recordings left on channel, which
// ended.
func (rc *callRecorder) endedOn(channel string) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for n, cr := range rc.recs {
		if cr.channel == channel {
			out = append(out, n)
			delete(rc.recs, n)
		}
	}
	return out
}

// callRecordings is the decoder's view of the driver's call recordings
// (optional, like recordings).
type callRecordings interface {
	callRecordingEnded(file string) (name string, ok bool)
	endedOn(channel string) []string
}

// decodeCallRecord handles RECORD_STOP of call recordings; ok is false
// for any other event. (Their RECORD_START is skipped like any event the
// engine does not use.)
func (d *decoder) decodeCallRecord(base pbx.Base, ev *Event) (pbx.Event, bool) {
	if ev.Name() != evRecordStop {
		return nil, false
	}
	cr, is := d.reg.(callRecordings)
	if !is {
		return nil, false
	}
	name, ok := cr.callRecordingEnded(ev.Get(hdrRecordPath))
	if !ok {
		return nil, false
	}
	return pbx.RecordingFinished{Base: base, Name: name, Duration: recordDuration(ev, base.Time, base.Time),
		Failed: recordFailed(ev)}, true
}
