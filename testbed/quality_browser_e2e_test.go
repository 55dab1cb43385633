//go:build e2e

package testbed

import (
	"math"
	"strings"
	"testing"
	"time"
)

// qualityConfig: recordingConfig with the month's sampled calls going to
// the inspector qa.
const qualityConfig = recordingConfig + `quality:
  sampling: {min: 1, max: 5, inspectors: [qa]}
`

// TestBrowserQuality (issue 19): a real call is recorded; the month is
// sampled; in Chromium the inspector opens their due list, plays the
// recording, comments at the player's time, fills the form and saves;
// the agent sees the score and acknowledges (web-test/quality.mjs).
func TestBrowserQuality(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, qualityConfig)
	qa := s.user("qa", "quality", "", "")
	ada := s.user("ada", "agent", "1001", "red")
	rec, _ := recordedCall(t, s, p)
	var started struct {
		At time.Time `json:"started_at"`
	}
	s.do("GET", "/api/v1/recordings/"+rec.ID, nil, &started)
	month := started.At.Local().Format("2006-01")
	var drawn struct {
		Evaluations []struct {
			ID        string `json:"id"`
			Recording string `json:"recording"`
			Agent     string `json:"agent"`
			Inspector string `json:"inspector"`
		} `json:"evaluations"`
	}
	if code := s.do("POST", "/api/v1/quality/sampling", map[string]string{"month": month}, &drawn); code != 201 {
		t.Fatalf("sampling: %d %+v", code, drawn)
	}
	if len(drawn.Evaluations) != 1 || drawn.Evaluations[0].Recording != rec.ID || drawn.Evaluations[0].Inspector != "qa" {
		t.Fatalf("drawn %+v, want the recording %s for qa", drawn, rec.ID)
	}
	id := drawn.Evaluations[0].ID

	b := runBrowser(t, s, "quality.mjs", "SB_QA=qa", "SB_QA_PW="+qa, "SB_AGENT_PW="+ada, "SB_EVAL="+id)
	var saved struct {
		Score     float64 `json:"score"`
		CommentAt float64 `json:"comment_at"`
	}
	b.step("saved", 90*time.Second, &saved)
	b.step("acknowledged", 60*time.Second, nil)
	b.finish(30 * time.Second)

	var e struct {
		State    string  `json:"state"`
		Score    float64 `json:"score"`
		Version  int     `json:"version"`
		Comments []struct {
			AtSeconds float64 `json:"at_seconds"`
			Text      string  `json:"text"`
		} `json:"comments"`
		History []struct {
			Type string `json:"type"`
			By   string `json:"by"`
		} `json:"history"`
	}
	if code := s.do("GET", "/api/v1/quality/evaluations/"+id, nil, &e); code != 200 {
		t.Fatalf("evaluation: %d", code)
	}
	if e.State != "acknowledged" || e.Score != saved.Score || e.Version != 1 {
		t.Fatalf("evaluation %+v, browser saved %+v", e, saved)
	}
	if len(e.Comments) != 1 || e.Comments[0].AtSeconds <= 0 || math.Abs(e.Comments[0].AtSeconds-saved.CommentAt) > 0.2 {
		t.Fatalf("comments %+v, stamped at %.1f", e.Comments, saved.CommentAt)
	}
	var steps []string
	for _, h := range e.History {
		steps = append(steps, h.Type+" "+h.By)
	}
	if got := strings.Join(steps, ", "); got != "quality.sampled sampling, quality.scored qa, quality.acknowledged 1001" {
		t.Fatalf("history %s", got)
	}
	var audit struct {
		Entries []struct{ Actor string } `json:"entries"`
	}
	s.do("GET", "/api/v1/audit?action=quality.score&actor=qa", nil, &audit)
	if len(audit.Entries) != 1 {
		t.Errorf("quality.score audit %+v", audit.Entries)
	}

	// A restart rebuilds evaluations, forms and the month's draw from the
	// log: the same evaluation, the form still at version 1 (unchanged),
	// and the month not drawn again.
	before := e
	s.stop()
	s.start()
	e.Comments, e.History = nil, nil
	if code := s.do("GET", "/api/v1/quality/evaluations/"+id, nil, &e); code != 200 || e.State != before.State ||
		e.Score != before.Score || len(e.Comments) != 1 || len(e.History) != 3 {
		t.Fatalf("after restart %d %+v, before %+v", code, e, before)
	}
	var forms struct {
		Forms []struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		} `json:"forms"`
	}
	s.eventually(10*time.Second, "the forms restored", func() bool {
		s.do("GET", "/api/v1/quality/forms", nil, &forms)
		return len(forms.Forms) == 1
	})
	if forms.Forms[0].ID != "service" || forms.Forms[0].Version != 1 {
		t.Fatalf("forms after restart %+v", forms)
	}
	if code := s.do("POST", "/api/v1/quality/sampling", map[string]string{"month": month}, nil); code != 409 {
		t.Fatalf("the month drawn again after restart: %d", code)
	}
}

// TestBrowserRecordingHoldDelete: a supervisor holds, releases and
// deletes a real call's recording from the recordings page
// (web-test/recordings-manage.mjs); the index shows each step.
func TestBrowserRecordingHoldDelete(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, recordingConfig)
	sue := s.user("sue", "supervisor", "", "")
	rec, _ := recordedCall(t, s, p)
	b := runBrowser(t, s, "recordings-manage.mjs", "SB_SUP_PW="+sue)
	b.step("held", 60*time.Second, nil)
	var r struct {
		Held      bool    `json:"legal_hold"`
		DeletedAt *string `json:"deleted_at"`
	}
	s.do("GET", "/api/v1/recordings/"+rec.ID, nil, &r)
	if !r.Held {
		t.Errorf("after the hold button: %+v", r)
	}
	b.step("deleted", 60*time.Second, nil)
	b.finish(30 * time.Second)
	var audit struct {
		Entries []struct {
			Action string `json:"action"`
		} `json:"entries"`
	}
	s.do("GET", "/api/v1/audit?action=recording.delete&actor=sue", nil, &audit)
	if len(audit.Entries) != 1 {
		t.Errorf("recording.delete audit %+v", audit.Entries)
	}
}
