package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"switchboard/routing"
	"switchboard/store"
)

// fakeAudio hands out recordings' audio by name.
type fakeAudio map[string][]byte

func (f fakeAudio) FetchRecording(_ context.Context, name string) (io.ReadCloser, error) {
	b, ok := f[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// fakeControl takes recording commands as the engine would.
type fakeControl struct{ got []string }

func (f *fakeControl) Pause(_ context.Context, r routing.RecordingRequest) (routing.RecordingState, error) {
	f.got = append(f.got, "pause "+r.Call+" by "+r.By)
	return routing.RecordingState{Call: r.Call, Paused: true}, nil
}
func (f *fakeControl) Resume(_ context.Context, r routing.RecordingRequest) (routing.RecordingState, error) {
	f.got = append(f.got, "resume "+r.Call)
	return routing.RecordingState{Call: r.Call}, nil
}
func (f *fakeControl) Hold(_ context.Context, r routing.RecordingRequest, hold bool) error {
	f.got = append(f.got, "hold "+r.Recording)
	return nil
}
func (f *fakeControl) Delete(_ context.Context, r routing.RecordingRequest) error {
	f.got = append(f.got, "delete "+r.Recording+" "+strings.Join(r.Names, ","))
	return nil
}

// recordingHarness: the seed's c1 (a1, team red) is recorded in one part.
func recordingHarness(t testing.TB, agentsOwn bool) (*harness, *fakeControl, []byte) {
	t.Helper()
	h := newHarness(t)
	h.agents.agents["a1"].Team = "red"
	h.agents.agents["a2"].Team = "blue"
	audio := bytes.Repeat([]byte("0123456789"), 100) // 1000 bytes
	ctl := &fakeControl{}
	if err := h.store.Append(t.Context(),
		rec(9, routing.EvRecordingStarted, "c1", "a1", "support", routing.RecordingData{Recording: "rec-c1", Part: 1, Name: "rec-c1-1",
			Agent: "a1", Team: "red", Queue: "support", Direction: "inbound", Caller: "+8613812345678", Mode: "all"}),
		rec(12, routing.EvRecordingPaused, "c1", "", "", routing.RecordingPauseData{Recording: "rec-c1", Part: 1, By: "a1", Offset: 3, FileOffset: 3}),
		rec(14, routing.EvRecordingResumed, "c1", "", "", routing.RecordingPauseData{Recording: "rec-c1", Part: 1, By: "a1", Offset: 5, FileOffset: 3}),
		rec(20, routing.EvRecordingEnded, "c1", "", "", routing.RecordingEndedData{Recording: "rec-c1", Part: 1, Name: "rec-c1-1", Seconds: 11, PausedSeconds: 2}),
	); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Accounts: fakeAccounts{}, Audit: h.store, Recordings: fakeAudio{"rec-c1-1": audio}, RecordingControl: ctl}
	cfg.Privacy = DefaultPrivacy
	cfg.Privacy.AgentRecordings = agentsOwn
	h.srv = New(cfg, h.agents, h.store, nil, nil, nil)
	h.h = h.srv.Handler()
	return h, ctl, audio
}

func (h *harness) get(t *testing.T, token, target string, hdr map[string]string) response {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	return response{Code: w.Code, Body: w.Body.Bytes(), Hdr: w.Header()}
}

func TestRecordingsListScope(t *testing.T) {
	h, _, _ := recordingHarness(t, false)
	tests := []struct {
		token, query string
		status       int
		want         int // recordings listed
	}{
		{"role:quality", "", 200, 1},
		{"role:supervisor", "?agent=a1&from=2025-03-14T00:00:00Z&to=2025-03-15T00:00:00Z", 200, 1},
		{"role:supervisor", "?agent=a2", 200, 0},
		{"role:team_lead:l1:red", "", 200, 1},
		{"role:team_lead:l2:blue", "", 200, 0},
		{"role:agent:a1", "", 200, 0}, // agents_own is off
		{"role:admin", "", 403, 0},
		{"role:quality", "?direction=sideways", 400, 0},
		{"role:quality", "?from=yesterday", 400, 0},
		{"role:quality", "?page=0", 400, 0},
		{"role:quality", "?colour=red", 400, 0},
		{"role:quality", "?from=2025-03-15T00:00:00Z&to=2025-03-14T00:00:00Z", 400, 0},
	}
	for _, tt := range tests {
		r := h.get(t, tt.token, "/api/v1/recordings"+tt.query, nil)
		if r.Code != tt.status {
			t.Errorf("%s %s: %d %s", tt.token, tt.query, r.Code, r.Body)
			continue
		}
		if r.Code != 200 {
			errorOf(t, r)
			continue
		}
		var page store.RecordingPage
		if err := json.Unmarshal(r.Body, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Recordings) != tt.want {
			t.Errorf("%s %s: %d recordings, want %d", tt.token, tt.query, len(page.Recordings), tt.want)
		}
		if tt.want == 1 {
			rc := page.Recordings[0]
			if rc.Caller == "+8613812345678" || len(rc.Pauses) != 1 || rc.Pauses[0].FileOffset != 3 {
				t.Errorf("%s: caller %q (want masked), pauses %+v", tt.token, rc.Caller, rc.Pauses)
			}
		}
	}
}

func TestRecordingAudioRanges(t *testing.T) {
	h, _, audio := recordingHarness(t, false)
	tests := []struct {
		token, rng string
		status     int
		body       []byte
	}{
		{"role:quality", "", 200, audio},
		{"role:quality", "bytes=0-9", 206, audio[:10]},
		{"role:quality", "bytes=990-", 206, audio[990:]},
		{"role:quality", "bytes=-5", 206, audio[995:]},
		{"role:quality", "bytes=1000-", 416, nil},
		{"role:quality", "bytes=5-1", 400, nil},
		{"role:team_lead:l1:red", "bytes=0-", 206, audio},
		{"role:team_lead:l2:blue", "bytes=0-", 403, nil},
		{"role:agent:a2", "bytes=0-", 403, nil},
		{"role:agent:a1", "bytes=0-", 403, nil}, // agents_own is off
	}
	for _, tt := range tests {
		r := h.get(t, tt.token, "/api/v1/recordings/rec-c1/audio", map[string]string{"Range": tt.rng})
		if r.Code != tt.status {
			t.Errorf("%s %q: %d %s", tt.token, tt.rng, r.Code, r.Body)
			continue
		}
		if r.Code >= 400 {
			if e := errorOf(t, r); (r.Code == 416 || r.Code == 400) && (e.Field != "Range" || (r.Code == 416 && !strings.Contains(e.Message, "1000 bytes"))) {
				t.Errorf("%q: error %+v", tt.rng, e)
			}
			continue
		}
		if !bytes.Equal(r.Body, tt.body) {
			t.Errorf("%s %q: %d bytes, want %d", tt.token, tt.rng, len(r.Body), len(tt.body))
		}
		if tt.status == 206 && !strings.HasPrefix(r.Hdr.Get("Content-Range"), "bytes ") {
			t.Errorf("%q: Content-Range %q", tt.rng, r.Hdr.Get("Content-Range"))
		}
	}
	plays, err := h.store.Audit(t.Context(), store.AuditFilter{Action: "recording.play"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plays) != 5 { // the 200, three 206s by quality, one by the lead
		t.Errorf("%d recording.play entries, want 5", len(plays))
	}
	for _, p := range plays {
		if p.Target != "recording:rec-c1" || p.Actor == "" {
			t.Errorf("audit %+v", p)
		}
	}
	denied, _ := h.store.Audit(t.Context(), store.AuditFilter{Action: "access.denied"})
	if len(denied) != 3 {
		t.Errorf("%d access.denied entries, want 3", len(denied))
	}
	if r := h.get(t, "role:quality", "/api/v1/recordings/rec-c1/audio?part=2", nil); r.Code != 404 || errorOf(t, r).Field != "part" {
		t.Errorf("part 2: %d %s", r.Code, r.Body)
	}
	if r := h.get(t, "role:quality", "/api/v1/recordings/rec-nope/audio", nil); r.Code != 404 {
		t.Errorf("unknown: %d", r.Code)
	}
}

func TestRecordingAgentsOwn(t *testing.T) {
	h, _, _ := recordingHarness(t, true)
	if r := h.get(t, "role:agent:a1", "/api/v1/recordings/rec-c1/audio", nil); r.Code != 200 {
		t.Errorf("own: %d %s", r.Code, r.Body)
	}
	if r := h.get(t, "role:agent:a2", "/api/v1/recordings/rec-c1", nil); r.Code != 403 {
		t.Errorf("another's: %d", r.Code)
	}
}

func TestRecordingPauseHoldDelete(t *testing.T) {
	h, ctl, _ := recordingHarness(t, false)
	h.token = "role:agent:a1"
	if r := h.do(t, "POST", "/api/v1/calls/c1/recording/pause", ""); r.Code != 200 {
		t.Fatalf("pause: %d %s", r.Code, r.Body)
	}
	h.token = "role:agent:a2"
	if r := h.do(t, "POST", "/api/v1/calls/c1/recording/resume", ""); r.Code != 403 {
		t.Fatalf("resume by another agent: %d %s", r.Code, r.Body)
	}
	h.token = "role:supervisor"
	if r := h.do(t, "POST", "/api/v1/recordings/rec-c1/hold", `{"hold": true}`); r.Code != 400 || errorOf(t, r).Field != "reason" {
		t.Fatalf("hold without reason: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "POST", "/api/v1/recordings/rec-c1/hold", `{"hold": true, "reason": "complaint 42"}`); r.Code != 200 {
		t.Fatalf("hold: %d %s", r.Code, r.Body)
	}
	if r := h.do(t, "DELETE", "/api/v1/recordings/rec-c1", ""); r.Code != 400 {
		t.Fatalf("delete without reason: %d", r.Code)
	}
	if r := h.do(t, "DELETE", "/api/v1/recordings/rec-c1?reason="+url.QueryEscape("asked by the caller"), ""); r.Code != 204 {
		t.Fatalf("delete: %d %s", r.Code, r.Body)
	}
	want := []string{"pause c1 by a1", "hold rec-c1", "delete rec-c1 rec-c1-1"}
	if strings.Join(ctl.got, "|") != strings.Join(want, "|") {
		t.Fatalf("commands %v, want %v", ctl.got, want)
	}
}

// FuzzRecordingHoldBody: no body makes a 5xx; refusals are error bodies.
func FuzzRecordingHoldBody(f *testing.F) {
	for _, s := range []string{`{"hold": true, "reason": "x"}`, `{"hold": false}`, `{"hold": "yes"}`, `{}`, `[]`, `{"hold": true, "x": 1}`, ``, `{`} {
		f.Add(s)
	}
	h, _, _ := recordingHarness(f, false)
	f.Fuzz(func(t *testing.T, body string) {
		r := h.do(t, "POST", "/api/v1/recordings/rec-c1/hold", body)
		if r.Code >= 500 {
			t.Fatalf("%q: %d %s", body, r.Code, r.Body)
		}
		if r.Code >= 400 {
			errorOf(t, r)
		}
	})
}

// FuzzRecordingFilter: any query is a filter or a 400 naming the field.
func FuzzRecordingFilter(f *testing.F) {
	for _, s := range []string{"agent=a1", "from=2025-03-14T00:00:00Z&to=2025-03-15T00:00:00Z", "page=3&limit=10", "direction=x", "page=-1", "limit=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, err := recordingFilter(v)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || (e.Field == "" && !v.Has("")) {
				t.Fatalf("%q: %v", raw, err)
			}
			return
		}
		if fl.Offset < 0 || fl.Limit < 0 {
			t.Fatalf("%q: %+v", raw, fl)
		}
	})
}
