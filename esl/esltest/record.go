package esltest

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The record application, as FreeSWITCH 1.10's mod_dptools runs it:
// `record PATH [LIMIT_SECS [SILENCE_THRESH SILENCE_HITS]]`, ended by a
// DTMF digit in the channel's playback_terminators ("none", "any" or
// digits), by LIMIT or by a hang-up. It fires RECORD_START and RECORD_STOP
// (Record-File-Path, the record_* variables, Record-Completion-Cause, as in
// the captures) and then CHANNEL_EXECUTE_COMPLETE. A path whose directory
// does not exist fails: no RECORD_START/STOP, only the execute complete.
// The file written is a WAV of silence as long as the recording. Silence
// detection is not played: the scripted caller is never silent.

// WithRecordingsDir sets FreeSWITCH's ${recordings_dir} (default
// "/var/lib/freeswitch/recordings").
func WithRecordingsDir(dir string) Option { return func(s *Server) { s.recDir = dir } }

// recorder is the record application's part of the server (its own
// concept, so the switch's type stays small); it reaches the rest of the
// server through the embedded pointer.
type recorder struct{ *Server }

// recording is a record application running on a channel.
type recording struct {
	appUUID, path, arg string
	start              time.Time
	seq                int
}

// execute runs (or queues, behind a record application and what is
// queued) one sendmsg execute.
func (s *Server) execute(ch *channel, h map[string]string, queued bool) bool {
	app := h["execute-app-name"]
	if (!queued && len(ch.queue) > 0) || ch.rec != nil || (app == "record" && ch.playing != "") {
		ch.queue = append(ch.queue, h)
		return true
	}
	switch app {
	case "set":
		k, v, _ := strings.Cut(h["execute-app-arg"], "=")
		ch.setVar(k, v)
	case "unset":
		ch.setVar(h["execute-app-arg"], "")
	case "record":
		recorder{s}.startRecord(ch, h)
		return true
	}
	return false
}

func (ch *channel) setVar(k, v string) {
	if ch.vars == nil {
		ch.vars = map[string]string{}
	}
	if v == "" {
		delete(ch.vars, k)
		return
	}
	ch.vars[k] = v
}

// runQueue runs what was queued behind a finished application.
func (s *Server) runQueue(ch *channel) {
	for len(ch.queue) > 0 && !ch.hungup && ch.rec == nil && ch.playing == "" {
		h := ch.queue[0]
		ch.queue = ch.queue[1:]
		s.execApp(ch, h, true)
	}
}

func (s recorder) startRecord(ch *channel, h map[string]string) {
	arg, appUUID := h["execute-app-arg"], h["event-uuid"]
	if appUUID == "" {
		appUUID = s.newUUID()
	}
	exec := []Header{{"Application", "record"}, {"Application-Data", arg}, {"Application-UUID", appUUID}}
	s.emit(ch, "CHANNEL_EXECUTE", exec...)
	f := strings.Fields(arg)
	path := ""
	if len(f) > 0 {
		dir := s.recDir
		if dir == "" {
			dir = "/var/lib/freeswitch/recordings"
		}
		path = strings.ReplaceAll(f[0], "${recordings_dir}", dir)
	}
	if st, err := os.Stat(filepath.Dir(path)); path == "" || err != nil || !st.IsDir() {
		s.emit(ch, "CHANNEL_EXECUTE_COMPLETE", append(exec, Header{"Application-Response", "_none_"})...)
		s.runQueue(ch)
		return
	}
	ch.recSeq++
	r := &recording{appUUID: appUUID, path: path, arg: arg, start: time.Now(), seq: ch.recSeq}
	ch.rec = r
	ch.app = "record"
	s.emit(ch, "RECORD_START", Header{"Record-File-Path", path})
	if len(f) > 1 {
		if limit, err := strconv.Atoi(f[1]); err == nil && limit > 0 {
			s.after(time.Duration(limit)*time.Second, func() {
				if ch.rec == r && !ch.hungup {
					s.stopRecord(ch, "success-maxtime")
				}
			})
		}
	}
}

// recordDigit ends the recording when digit is a terminator.
func (s recorder) recordDigit(ch *channel, digit string) {
	if ch.rec == nil {
		return
	}
	terms := ch.vars["playback_terminators"]
	switch terms {
	case "", "none":
		return
	case "any":
		terms = "0123456789*#ABCD"
	}
	if strings.Contains(terms, digit) {
		ch.vars["playback_terminator_used"] = digit
		s.stopRecord(ch, "success-silence")
	}
}

// stopRecord ends the recording: the file, RECORD_STOP, then the
// application's CHANNEL_EXECUTE_COMPLETE; what was queued runs.
func (s recorder) stopRecord(ch *channel, cause string) {
	r := ch.rec
	if r == nil {
		return
	}
	ch.rec = nil
	ch.app = "park"
	dur := time.Since(r.start)
	samples := int(dur / (time.Second / 8000))
	size := writeSilence(r.path, samples)
	vars := []Header{
		{"variable_record_file_size", strconv.Itoa(size)},
		{"variable_record_samples", strconv.Itoa(samples)},
		{"variable_record_seconds", strconv.Itoa(int(dur / time.Second))},
		{"variable_record_ms", strconv.Itoa(int(dur / time.Millisecond))},
		{"variable_record_completion_cause", cause},
	}
	s.emit(ch, "RECORD_STOP", append(vars, Header{"Record-File-Path", r.path}, Header{"Record-Completion-Cause", cause})...)
	s.emit(ch, "CHANNEL_EXECUTE_COMPLETE", append([]Header{{"Application", "record"}, {"Application-Data", r.arg},
		{"Application-UUID", r.appUUID}, {"Application-Response", "_none_"}}, vars...)...)
	s.runQueue(ch)
}

// writeSilence writes a 16-bit 8 kHz mono WAV of samples silent samples
// and returns its size (0 if it could not be written).
func writeSilence(path string, samples int) int {
	data := samples * 2
	b := make([]byte, 44+data)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], 8000)
	binary.LittleEndian.PutUint32(b[28:], 16000)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return 0
	}
	return len(b)
}
