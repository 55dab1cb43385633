//go:build e2e

package testbed

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// recordingConfig: the support queue records every call; agents may play
// their own recordings; 1001 is in team red, 1002 in team blue.
const recordingConfig = `
routes: {default: main}
flows:
  main:
    start: menu
    nodes:
      menu:
        menu:
          prompt: ["sound:beep"]
          options: {"1": support}
          timeout: 3s
          on_failure: bye
      support: {queue: {queue: support, on_timeout: bye}}
      bye: {hangup: {}}
queues:
  support: {ring_timeout: 5s, wrap_up: 1s, hold_media: ["sound:beep"], recording: {mode: all, retention_days: 30}}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: red}
  - {id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [support], team: blue}
teams: {red: {name: Red}, blue: {name: Blue}}
privacy: {full_numbers: [agent], reveal: [team_lead, supervisor], agent_recordings: true}
`

type recordingView struct {
	ID              string  `json:"id"`
	CallID          string  `json:"call_id"`
	Agent           string  `json:"agent"`
	Team            string  `json:"team"`
	Queue           string  `json:"queue"`
	Caller          string  `json:"caller"`
	Direction       string  `json:"direction"`
	EndedAt         *string `json:"ended_at"`
	DurationSeconds float64 `json:"duration_seconds"`
	PausedSeconds   float64 `json:"paused_seconds"`
	Failures        int     `json:"failures"`
	LastError       string  `json:"last_error"`
	Parts           []struct {
		Name          string  `json:"name"`
		Seconds       float64 `json:"seconds"`
		PausedSeconds float64 `json:"paused_seconds"`
	} `json:"parts"`
	Pauses []struct {
		Offset       float64  `json:"offset_seconds"`
		FileOffset   float64  `json:"file_offset_seconds"`
		ResumeOffset *float64 `json:"resume_offset_seconds"`
		By           string   `json:"by"`
	} `json:"pauses"`
}

type recordingPage struct {
	Recordings []recordingView `json:"recordings"`
	Total      int             `json:"total"`
}

// wavSeconds reads a PCM WAV's length from its header: the data chunk's
// size over the byte rate.
func wavSeconds(t *testing.T, b []byte) float64 {
	t.Helper()
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("not a WAV file (%d bytes)", len(b))
	}
	var rate uint32
	for i := 12; i+8 <= len(b); {
		id, size := string(b[i:i+4]), binary.LittleEndian.Uint32(b[i+4:i+8])
		switch id {
		case "fmt ":
			rate = binary.LittleEndian.Uint32(b[i+16 : i+20]) // byte rate
		case "data":
			if rate == 0 {
				t.Fatal("WAV data before fmt")
			}
			return float64(size) / float64(rate)
		}
		i += 8 + int(size) + int(size%2)
	}
	t.Fatal("WAV without data chunk")
	return 0
}

// recordedCall places a call 1001 answers (12 s) whose recording is
// paused from the API 2 s in for 3 s, and returns the stored recording and
// the call.
func recordedCall(t *testing.T, s *sb, p *PBX) (recordingView, callView) {
	t.Helper()
	StartPhone(t, p, 1, Answer(500*time.Millisecond))
	s.signIn("1001")
	run := Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000",
		Steps: append(append([]Step{Pause(1500 * time.Millisecond)}, Digits("1")...), Pause(12*time.Second), HangUp())}.Start(t)

	// Recording starts at the agent's answer.
	var rec recordingView
	s.eventually(15*time.Second, "a recording of 1001's call", func() bool {
		var page recordingPage
		s.do("GET", "/api/v1/recordings?agent=1001", nil, &page)
		if len(page.Recordings) == 1 {
			rec = page.Recordings[0]
		}
		return len(page.Recordings) == 1
	})
	time.Sleep(2 * time.Second) // two seconds of talk recorded
	var st struct {
		Paused bool `json:"paused"`
	}
	if code := s.do("POST", "/api/v1/calls/"+rec.CallID+"/recording/pause", nil, &st); code != 200 || !st.Paused {
		t.Fatalf("pause: %d %+v", code, st)
	}
	if code := s.do("POST", "/api/v1/calls/"+rec.CallID+"/recording/pause", nil, nil); code != 409 {
		t.Fatalf("second pause: %d, want 409", code)
	}
	time.Sleep(3 * time.Second) // the caller reads out a card number
	if code := s.do("POST", "/api/v1/calls/"+rec.CallID+"/recording/resume", nil, &st); code != 200 || st.Paused {
		t.Fatalf("resume: %d %+v", code, st)
	}
	if res := run.Wait(); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	call := s.endedCalls(1, 10*time.Second)[0]
	if call.TalkSeconds == nil {
		t.Fatalf("call %+v has no talk", call)
	}
	s.eventually(10*time.Second, "the recording stored", func() bool {
		s.do("GET", "/api/v1/recordings/"+rec.ID, nil, &rec)
		return rec.EndedAt != nil
	})
	return rec, call
}

// TestE2ECallRecording: a call answered by an agent is recorded from the
// answer (the bridge); paused and resumed from the API, the gap is in the
// index; it is found by agent and date; a quality inspector streams it
// with a range request (audited); another team's agent is refused (403,
// audited).
func TestE2ECallRecording(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, recordingConfig)
	bo := s.user("bo", "agent", "1002", "blue")
	rec, call := recordedCall(t, s, p)
	t.Logf("recording %+v; talk %.2fs", rec, *call.TalkSeconds)
	if rec.Failures != 0 || len(rec.Parts) != 1 || rec.Team != "red" || rec.Queue != "support" || rec.Direction != "inbound" {
		t.Fatalf("recording %+v", rec)
	}
	if math.Abs(rec.DurationSeconds-*call.TalkSeconds) > 1 {
		t.Errorf("recording covers %.2fs, talk was %.2fs", rec.DurationSeconds, *call.TalkSeconds)
	}
	if len(rec.Pauses) != 1 || rec.Pauses[0].ResumeOffset == nil || math.Abs(rec.Pauses[0].Offset-2) > 1 ||
		math.Abs(*rec.Pauses[0].ResumeOffset-rec.Pauses[0].Offset-3) > 0.5 || math.Abs(rec.PausedSeconds-3) > 0.5 {
		t.Errorf("pauses %+v, paused %.2fs: want one gap of 3s about 2s in", rec.Pauses, rec.PausedSeconds)
	}
	// The file is on the PBX: Asterisk's spool, as the stored recording.
	name := rec.Parts[0].Name
	if _, err := os.Stat(filepath.Join(p.Root, "var", "spool", "asterisk", "recording", name+".wav")); err != nil {
		t.Errorf("recording file: %v", err)
	}

	// Found by agent and date.
	day := time.Now().UTC().Truncate(24 * time.Hour)
	var page recordingPage
	q := fmt.Sprintf("/api/v1/recordings?agent=1001&from=%s&to=%s", day.Format(time.RFC3339), day.Add(24*time.Hour).Format(time.RFC3339))
	if code := s.do("GET", q, nil, &page); code != 200 || page.Total != 1 || page.Recordings[0].ID != rec.ID {
		t.Fatalf("by agent and date: %d %+v", code, page)
	}
	if code := s.do("GET", "/api/v1/recordings?agent=1001&from="+day.Add(24*time.Hour).Format(time.RFC3339), nil, &page); code != 200 || page.Total != 0 {
		t.Fatalf("tomorrow's: %d %+v", code, page)
	}

	// A quality inspector streams it: whole, then a range.
	qa := s.token("quality")
	get := func(auth, path, rng string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", s.base+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	audio := "/api/v1/recordings/" + rec.ID + "/audio"
	resp, whole := get(qa, audio, "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("audio: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), whole)
	}
	file := wavSeconds(t, whole)
	t.Logf("file %s: %d bytes, %.2fs", name, len(whole), file)
	// Asterisk leaves the paused time out of the file.
	if want := *call.TalkSeconds - rec.PausedSeconds; math.Abs(file-want) > 1 {
		t.Errorf("file lasts %.2fs, want the talk less the gap, %.2fs", file, want)
	}
	resp, part := get(qa, audio, "bytes=100-199")
	if resp.StatusCode != 206 || !bytes.Equal(part, whole[100:200]) ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 100-199/%d", len(whole)) {
		t.Fatalf("range: %d %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Range"), len(part))
	}
	resp, body := get(qa, audio, fmt.Sprintf("bytes=%d-", len(whole)))
	if resp.StatusCode != 416 || !strings.Contains(string(body), fmt.Sprintf("%d bytes", len(whole))) {
		t.Fatalf("range past the end: %d %s", resp.StatusCode, body)
	}

	// Another team's agent is refused.
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	login, _ := json.Marshal(map[string]string{"username": "bo", "password": bo})
	lr, err := cl.Post(s.base+"/api/v1/auth/login", "application/json", bytes.NewReader(login))
	if err != nil || lr.StatusCode != 200 {
		t.Fatalf("bo signs in: %v %v", err, lr)
	}
	lr.Body.Close()
	dr, err := cl.Get(s.base + audio)
	if err != nil {
		t.Fatal(err)
	}
	dr.Body.Close()
	if dr.StatusCode != 403 {
		t.Fatalf("another team's agent: %d, want 403", dr.StatusCode)
	}

	// Every playback audited; the refusal too.
	type auditList struct {
		Entries []struct {
			Actor, Action, Target string
			OK                    bool
		} `json:"entries"`
	}
	var plays, denied auditList
	s.do("GET", "/api/v1/audit?action=recording.play", nil, &plays)
	if len(plays.Entries) != 2 {
		t.Errorf("recording.play entries %+v, want 2 (whole, range)", plays.Entries)
	}
	for _, e := range plays.Entries {
		if e.Target != "recording:"+rec.ID || !strings.Contains(e.Actor, "quality") {
			t.Errorf("audit %+v", e)
		}
	}
	s.do("GET", "/api/v1/audit?action=access.denied&actor=bo", nil, &denied)
	if len(denied.Entries) != 1 || !strings.Contains(denied.Entries[0].Target, rec.ID) {
		t.Errorf("access.denied entries %+v", denied.Entries)
	}
}

// TestBrowserRecordings: the agent pauses and resumes the recording from
// the desk; a quality inspector finds, plays and seeks the call in
// Chromium, the pause marked (web-test/recordings.mjs).
func TestBrowserRecordings(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, recordingConfig)
	qa := s.user("qa", "quality", "", "")
	ada := s.user("ada", "agent", "1001", "red")
	StartPhone(t, p, 1, Answer(500*time.Millisecond))
	b := runBrowser(t, s, "recordings.mjs", "SB_QA=qa", "SB_QA_PW="+qa, "SB_AGENT_PW="+ada)
	b.step("ready", time.Minute, nil)
	run := Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000",
		Steps: append(append([]Step{Pause(1500 * time.Millisecond)}, Digits("1")...), Pause(12*time.Second), HangUp())}.Start(t)
	b.send("call")
	b.step("resumed", time.Minute, nil)
	if res := run.Wait(); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	var page recordingPage
	s.eventually(10*time.Second, "the recording stored", func() bool {
		s.do("GET", "/api/v1/recordings?agent=1001", nil, &page)
		return len(page.Recordings) == 1 && page.Recordings[0].EndedAt != nil
	})
	rec := page.Recordings[0]
	if len(rec.Pauses) != 1 || rec.Pauses[0].By != "1001" || math.Abs(rec.PausedSeconds-3) > 1 {
		t.Fatalf("the desk's pause: %+v, paused %.2fs", rec.Pauses, rec.PausedSeconds)
	}
	b.send("stored")
	var played struct {
		Duration float64 `json:"duration"`
		GapAt    float64 `json:"gap_at"`
	}
	b.step("played", 60*time.Second, &played)
	b.finish(30 * time.Second)
	if want := rec.DurationSeconds - rec.PausedSeconds; math.Abs(played.Duration-want) > 1 {
		t.Errorf("the player's duration %.2fs, want about %.2fs", played.Duration, want)
	}
	var plays struct {
		Entries []struct{ Actor string } `json:"entries"`
	}
	s.do("GET", "/api/v1/audit?action=recording.play&actor=qa", nil, &plays)
	if len(plays.Entries) == 0 {
		t.Error("the browser's playback was not audited")
	}
}
