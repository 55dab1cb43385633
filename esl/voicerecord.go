package esl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"switchboard/routing/pbx"
)

// Voice recordings (messages, a screened caller's name): pbx.VoiceRecorder
// runs FreeSWITCH's `record` dialplan application on the channel with
// sendmsg, the way mod_voicemail records:
//
//	set playback_terminators=#             (DTMF that ends the recording)
//	playback tone_stream://%(200,0,800)    (the beep, when asked)
//	record DIR/NAME.wav LIMIT [200 HITS]   (LIMIT s max, HITS s of silence under energy 200)
//	unset playback_terminators             (back to the channel's default)
//
// all with event-lock, so they run one after the other. `record` fires
// RECORD_START and RECORD_STOP (Record-File-Path, Record-Completion-Cause,
// variable_record_ms) and then CHANNEL_EXECUTE_COMPLETE under the
// Event-UUID we gave it. RecordingFinished is decoded from RECORD_STOP;
// when no RECORD_STOP came (the file could not be opened, or the caller
// hung up before the recording started) from the application's
// CHANNEL_EXECUTE_COMPLETE or the channel's last end event, as failed.
//
// pbx.RecordingFetcher: the Event Socket carries no files, so
// FetchRecording reads DIR/NAME.wav from Config.RecordingsDir, a
// directory Switchboard sees (an NFS mount of the PBX's recordings).

var (
	_ pbx.VoiceRecorder    = (*Driver)(nil)
	_ pbx.RecordingFetcher = (*Driver)(nil)
)

// beepTone is the beep before a recording: 200 ms of 800 Hz.
const beepTone = "tone_stream://%(200,0,800)"

// silenceThreshold is `record`'s energy threshold for silence detection
// (mod_voicemail's default).
const silenceThreshold = 200

// recordingExt is the format every recording is stored in (the API serves
// it as audio/wav).
const recordingExt = ".wav"

// ErrNoRecordingsDir: FetchRecording without Config.RecordingsDir.
var ErrNoRecordingsDir = errors.New("no recordings directory configured (pbx.esl.recordings_dir): FreeSWITCH's recordings cannot be read over the Event Socket")

// voiceRec is one recording in progress, keyed by its channel.
type voiceRec struct {
	name    string
	appUUID string    // the record application's Event-UUID
	started time.Time // RECORD_START's time; zero until then
}

// Record implements pbx.VoiceRecorder. It returns once FreeSWITCH took the
// commands; RecordingFinished follows. A channel that is gone is an error
// (no RecordingFinished will come), as for the ARI driver.
func (d *Driver) Record(ctx context.Context, r pbx.Recording) error {
	if err := checkRecordingName(r.Name); err != nil {
		return fmt.Errorf("esl: record on %s: %w", r.Channel, err)
	}
	if err := checkID(r.Channel); err != nil {
		return fmt.Errorf("esl: record %s: %w", r.Name, err)
	}
	term, err := terminators(r.TerminateOn)
	if err != nil {
		return fmt.Errorf("esl: record %s on %s: %w", r.Name, r.Channel, err)
	}
	dir := d.cfg.PBXRecordingsDir
	if dir == "" {
		dir = "${recordings_dir}" // FreeSWITCH's own (a core variable)
	}
	arg := strings.TrimSuffix(dir, "/") + "/" + r.Name + recordingExt + " " + strconv.Itoa(ceilSeconds(r.MaxDuration))
	if r.MaxSilence > 0 {
		arg += " " + strconv.Itoa(silenceThreshold) + " " + strconv.Itoa(ceilSeconds(r.MaxSilence))
	}
	appUUID := newUUID()

	d.mu.Lock()
	if prev, ok := d.recordings[r.Channel]; ok {
		// Its end went missing (a link drop): the new one replaces it.
		d.log.Warn("esl: recording replaced before it finished", "channel", r.Channel, "old", prev.name, "new", r.Name)
	}
	d.recordings[r.Channel] = &voiceRec{name: r.Name, appUUID: appUUID}
	d.mu.Unlock()

	exec := func(app, arg, id string) error {
		h := []string{"call-command: execute", "execute-app-name: " + app, "execute-app-arg: " + arg, "event-lock: true"}
		if id != "" {
			h = append(h, "Event-UUID: "+id)
		}
		return d.sendmsg(ctx, r.Channel, h...)
	}
	err = exec("set", "playback_terminators="+term, "")
	if err == nil && r.Beep {
		err = exec("playback", beepTone, "")
	}
	if err == nil {
		err = exec("record", arg, appUUID)
	}
	if err != nil {
		// Whatever went out before the failure runs; the recording does
		// not, so nothing will finish it.
		d.mu.Lock()
		if cur := d.recordings[r.Channel]; cur != nil && cur.appUUID == appUUID {
			delete(d.recordings, r.Channel)
		}
		d.mu.Unlock()
		return fmt.Errorf("esl: record %s on %s: %w", r.Name, r.Channel, err)
	}
	if err := exec("unset", "playback_terminators", ""); err != nil && !gone(err) {
		d.log.Warn("esl: playback_terminators not reset after recording", "channel", r.Channel, "err", err)
	}
	return nil
}

// FetchRecording implements pbx.RecordingFetcher: it opens
// RecordingsDir/name.wav. An unknown name is an error matching
// fs.ErrNotExist.
func (d *Driver) FetchRecording(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := checkRecordingName(name); err != nil {
		return nil, fmt.Errorf("esl: fetch recording: %w", err)
	}
	if d.cfg.RecordingsDir == "" {
		return nil, fmt.Errorf("esl: fetch recording %s: %w", name, ErrNoRecordingsDir)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("esl: fetch recording %s: %w", name, err)
	}
	// OpenInRoot also refuses a symbolic link out of the directory.
	f, err := os.OpenInRoot(d.cfg.RecordingsDir, name+recordingExt)
	if err != nil {
		return nil, fmt.Errorf("esl: fetch recording %s: %w", name, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s%s is not a regular file", name, recordingExt)
		}
		return nil, fmt.Errorf("esl: fetch recording %s: %w", name, err)
	}
	return f, nil
}

// checkRecordingName refuses names that would leave the recordings
// directory or break the record command line.
func checkRecordingName(name string) error {
	switch {
	case name == "":
		return errors.New("empty recording name")
	case strings.ContainsAny(name, `/\`) || name == "." || name == "..":
		return fmt.Errorf("recording name %q: no path separators or dot names", clipString(name, 64))
	case strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune("$'\"{}", r) }):
		return fmt.Errorf("recording name %q: no spaces, control characters, quotes, braces or '$'", clipString(name, 64))
	}
	return nil
}

// terminators maps pbx.Recording.TerminateOn to playback_terminators:
// DTMF digits, "any" or "none".
func terminators(digits string) (string, error) {
	switch digits {
	case "", "none":
		return "none", nil
	case "any":
		return "any", nil
	}
	for _, c := range digits {
		if !strings.ContainsRune("0123456789*#ABCD", c) {
			return "", fmt.Errorf("terminate on %q: want DTMF digits, \"any\" or \"none\"", clipString(digits, 16))
		}
	}
	return digits, nil
}

func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// recordings is the driver's side of the decoder's recording bookkeeping
// (an optional part of registry, so test registries need not have it).
type recordings interface {
	// voiceRecording returns the recording going on on channel.
	voiceRecording(channel string) (voiceRec, bool)
	// recordStarted notes RECORD_START's time.
	recordStarted(channel string, at time.Time)
	// recordingDone forgets channel's recording.
	recordingDone(channel string)
}

func (d *Driver) voiceRecording(channel string) (voiceRec, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.recordings[channel]
	if !ok {
		return voiceRec{}, false
	}
	return *r, true
}

func (d *Driver) recordStarted(channel string, at time.Time) {
	d.mu.Lock()
	if r := d.recordings[channel]; r != nil && r.started.IsZero() {
		r.started = at
	}
	d.mu.Unlock()
}

func (d *Driver) recordingDone(channel string) {
	d.mu.Lock()
	delete(d.recordings, channel)
	d.mu.Unlock()
}

// Header names of the record events.
const (
	hdrRecordPath  = "Record-File-Path"
	hdrRecordCause = "Record-Completion-Cause"
	hdrRecordMS    = "variable_record_ms"
	hdrRecordSecs  = "variable_record_seconds"
	hdrRecordVar   = "variable_record_completion_cause"
)

// decodeRecord handles the events of a voice recording on ch: RECORD_START,
// RECORD_STOP, the record application's CHANNEL_EXECUTE_COMPLETE and the
// channel's end signals. ok is false when ev is none of the recording's.
func (d *decoder) decodeRecord(base pbx.Base, ev *Event, ch string) (out pbx.Event, ok bool) {
	recs, isRecs := d.reg.(recordings)
	if !isRecs || ch == "" {
		return nil, false
	}
	r, pending := recs.voiceRecording(ch)
	if !pending {
		return nil, false
	}
	ours := func() bool { return path.Base(ev.Get(hdrRecordPath)) == r.name+recordingExt }
	finish := func(dur time.Duration, failed bool) pbx.Event {
		recs.recordingDone(ch)
		return pbx.RecordingFinished{Base: base, Channel: ch, Name: r.name, Duration: dur, Failed: failed}
	}
	switch ev.Name() {
	case evRecordStart:
		if !ours() {
			return nil, false // a uuid_record of the same channel
		}
		recs.recordStarted(ch, base.Time)
		return nil, true
	case evRecordStop:
		if !ours() {
			return nil, false
		}
		return finish(recordDuration(ev, r.started, base.Time), recordFailed(ev)), true
	case evExecuteComplete:
		if ev.Get(hdrAppUUID) != r.appUUID {
			return nil, false
		}
		// No RECORD_STOP: the recording never started (the file could not
		// be written), unless it did and its stop went missing.
		return finish(recordDuration(ev, r.started, base.Time), r.started.IsZero() || recordFailed(ev)), true
	}
	return nil, false
}

// recordEnded finishes ch's recording on a repeated end signal
// (CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY after CHANNEL_HANGUP): the
// channel's last words. By then FreeSWITCH sent the record application's
// RECORD_STOP and CHANNEL_EXECUTE_COMPLETE if it ran; it did not when the
// caller hung up during the beep (failed), and if its end went missing
// what was recorded is kept.
func (d *decoder) recordEnded(base pbx.Base, ev *Event, ch string) pbx.Event {
	recs, isRecs := d.reg.(recordings)
	if !isRecs || ch == "" || ev.Name() == evChannelHangup {
		return nil
	}
	r, pending := recs.voiceRecording(ch)
	if !pending {
		if cr, ok := d.reg.(callRecordings); ok {
			if names := cr.endedOn(ch); len(names) > 0 {
				// Its RECORD_STOP went missing: what was recorded is kept.
				return pbx.RecordingFinished{Base: base, Name: names[0]}
			}
		}
		return nil
	}
	recs.recordingDone(ch)
	return pbx.RecordingFinished{Base: base, Channel: ch, Name: r.name,
		Duration: recordDuration(ev, r.started, base.Time), Failed: r.started.IsZero()}
}

// recordDuration is how long the recording is: record_ms (or
// record_seconds) as FreeSWITCH counted it, else the time since
// RECORD_START.
func recordDuration(ev *Event, started, now time.Time) time.Duration {
	if ms, err := strconv.ParseInt(ev.Get(hdrRecordMS), 10, 64); err == nil && ms >= 0 && ev.Name() == evRecordStop {
		return time.Duration(ms) * time.Millisecond
	}
	if s, err := strconv.ParseInt(ev.Get(hdrRecordSecs), 10, 64); err == nil && s >= 0 && ev.Name() == evRecordStop {
		return time.Duration(s) * time.Second
	}
	if !started.IsZero() && now.After(started) {
		return now.Sub(started)
	}
	return 0
}

// recordFailed reads Record-Completion-Cause (MRCP recorder's names):
// success-silence, success-maxtime and no-input-timeout (nothing said) are
// a stored recording; uri-failure and error are not.
func recordFailed(ev *Event) bool {
	cause := ev.Get(hdrRecordCause)
	if cause == "" {
		cause = ev.Get(hdrRecordVar)
	}
	return strings.Contains(cause, "failure") || strings.Contains(cause, "error")
}
