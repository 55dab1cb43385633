//go:build e2e

package testbed

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// ivrConfig: business hours (always open unless a supervisor forces
// night mode), a menu, dialling an extension by number with busy/no
// answer/decline to a message (留言), a screened extension (the boss), and
// a post-call survey after the agent hangs up.
const ivrConfig = `
routes: {default: main}
calendars:
  office: {weekly: {mon-sun: ["24h"]}}
extensions:
  "8001": {endpoint: PJSIP/1004, name: Boss, screen: true}
  "8002": {endpoint: PJSIP/1005, name: Sales office}
flows:
  main:
    start: hours
    nodes:
      hours: {time: {calendar: office, open: menu, closed: night}}
      night: {play: {media: ["sound:beep"], next: bye}}
      menu:
        menu:
          prompt: ["sound:beep"]
          options: {"1": support, "9": ext}
          timeout: 3s
          on_failure: bye
      ext: {collect: {max: 4, var: ext, next: dial, timeout: 3s, on_timeout: bye}}
      dial:
        dial:
          extension: "${ext}"
          timeout: 4s
          on_busy: leave
          on_no_answer: leave
          on_decline: leave
          on_unknown: bye
          accept_prompt: ["sound:beep"]
      leave: {message: {prompt: ["sound:beep"], target: "${target}", max_duration: 20s, next: bye}}
      support: {queue: {queue: support, survey: survey}}
      survey: {survey: {prompt: ["sound:beep"], timeout: 10s, thanks: ["sound:beep"], next: bye}}
      bye: {hangup: {}}
queues:
  support: {ring_timeout: 5s, wrap_up: 1s}
agents:
  - {id: "1001", endpoint: PJSIP/1001, queues: [support]}
`

type messageView struct {
	ID         string `json:"id"`
	CallID     string `json:"call_id"`
	Target     string `json:"target"`
	TargetKind string `json:"target_kind"`
	Caller     string `json:"caller"`
}

func TestE2EIVR(t *testing.T) {
	p := StartPBX(t)

	t.Run("business hours open, then night mode", func(t *testing.T) {
		s := startSwitchboardWith(t, p, ivrConfig)
		// No digit: three prompts and timeouts (about 10 s), then goodbye. The
		// BYE waits are upper bounds with room for a loaded CI machine.
		res := caller(p, "", ExpectBYE(30*time.Second)).Run(t)
		if res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		c := s.endedCalls(1, 10*time.Second)[0]
		if len(c.IVRPath) < 2 || c.IVRPath[1] != "open→menu" {
			t.Fatalf("open: path %v", c.IVRPath)
		}
		if code := s.do("PUT", "/api/v1/calendars/office/mode", map[string]string{"mode": "night"}, nil); code != 200 {
			t.Fatalf("night mode: %d", code)
		}
		res = caller(p, "", ExpectBYE(30*time.Second)).Run(t)
		if res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		c = s.endedCalls(2, 10*time.Second)[0]
		if !slices.Equal(c.IVRPath, []string{"hours", "closed→night", "bye"}) {
			t.Fatalf("night: path %v", c.IVRPath)
		}
	})

	t.Run("extension busy: a message is left and listed", func(t *testing.T) {
		s := startSwitchboardWith(t, p, ivrConfig)
		StartPhone(t, p, 5, Busy)
		steps := append([]Step{Pause(1500 * time.Millisecond)}, Digits("98002")...)
		steps = append(steps, Pause(4*time.Second), HangUp()) // talks into the recording, hangs up
		res := Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000", Steps: steps}.Run(t)
		if res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		c := s.endedCalls(1, 10*time.Second)[0]
		if !slices.Contains(c.IVRPath, "busy→leave") {
			t.Fatalf("path %v", c.IVRPath)
		}
		var list struct{ Messages []messageView }
		s.eventually(10*time.Second, "the message listed", func() bool {
			s.do("GET", "/api/v1/messages?target=8002", nil, &list)
			return len(list.Messages) == 1
		})
		m := list.Messages[0]
		if m.CallID != c.ID || m.TargetKind != "extension" || m.Caller != "138****8000" {
			t.Fatalf("message %+v (the caller masked for a supervisor)", m)
		}
	})

	for _, tt := range []struct {
		digit string
		want  string
	}{{"1", "answered"}, {"2", "declined→leave"}} {
		t.Run("screened transfer, the boss presses "+tt.digit, func(t *testing.T) {
			s := startSwitchboardWith(t, p, ivrConfig)
			boss := StartPhone(t, p, 4, AnswerAndPress(300*time.Millisecond, 1500*time.Millisecond, tt.digit))
			steps := append([]Step{Pause(1500 * time.Millisecond)}, Digits("98001")...)
			// Says their name after the beep and ends it with #. Put
			// through, they talk and hang up; declined, they leave a message
			// and the flow says goodbye.
			steps = append(steps, Pause(2*time.Second), Digit("#"))
			// If the # beat the recording's start, the name runs to its
			// 10 s limit; 15 s still lets the boss answer and press 1.
			if tt.want == "answered" {
				steps = append(steps, Pause(15*time.Second), HangUp())
			} else {
				steps = append(steps, ExpectBYE(45*time.Second))
			}
			res := Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000", Steps: steps}.Run(t)
			if res.Err != nil {
				t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
			}
			c := s.endedCalls(1, 10*time.Second)[0]
			if boss.Calls() != 1 {
				t.Fatalf("the boss's phone rang %d times\n%s", boss.Calls(), boss.Log())
			}
			if tt.want == "answered" {
				if c.Outcome != "answered" || c.Agent != "ext:8001" {
					t.Fatalf("call %+v", c)
				}
				return
			}
			if !slices.Contains(c.IVRPath, tt.want) || c.Outcome == "answered" {
				t.Fatalf("declined call %+v", c)
			}
			var list struct{ Messages []messageView }
			s.eventually(10*time.Second, "the message for the boss", func() bool {
				s.do("GET", "/api/v1/messages?target=8001", nil, &list)
				return len(list.Messages) == 1
			})
		})
	}

	t.Run("post-call survey stored with the call", func(t *testing.T) {
		s := startSwitchboardWith(t, p, ivrConfig)
		StartPhone(t, p, 1, AnswerAndHangUp(300*time.Millisecond, 1*time.Second))
		s.signIn("1001")
		// The agent hangs up about 2 s after the caller's 1 and the survey
		// waits 10 s for a score: the 4, 5 s after the 1, has room both ways.
		res := caller(p, "1", Pause(5*time.Second), Digit("4"), ExpectBYE(20*time.Second)).Run(t)
		if res.Err != nil || !res.RemoteHangup {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		var c struct {
			Outcome     string `json:"outcome"`
			HangupBy    string `json:"hangup_by"`
			SurveyScore *int   `json:"survey_score"`
			TalkSeconds *float64
		}
		var list struct {
			Calls []struct {
				ID string `json:"id"`
			} `json:"calls"`
		}
		s.eventually(10*time.Second, "the call with its score", func() bool {
			s.do("GET", "/api/v1/calls", nil, &list)
			if len(list.Calls) == 0 {
				return false
			}
			s.do("GET", "/api/v1/calls/"+list.Calls[0].ID, nil, &c)
			return c.SurveyScore != nil
		})
		if *c.SurveyScore != 4 || c.Outcome != "answered" || c.HangupBy != "agent" {
			t.Fatalf("call %+v score %d", c, *c.SurveyScore)
		}
	})
}

// hoursConfig: office hours with a lunch break and a holiday, in Beijing
// time; the clock starts where the case sets it (clock.start).
const hoursConfig = `
clock: {start: "%s"}
routes: {default: main}
calendars:
  office:
    time_zone: Asia/Shanghai
    weekly: {mon-fri: ["09:00-12:00", "13:30-18:00"]}
    holidays: [{date: "2026-10-01", name: National Day}]
flows:
  main:
    start: hours
    nodes:
      hours: {time: {calendar: office, open: day, closed: night}}
      day: {play: {media: ["sound:beep"], next: bye}}
      night: {play: {media: ["sound:beep"], next: bye}}
      bye: {hangup: {}}
`

// TestE2EBusinessHoursByClock: the same call at different times of the
// week, with the clock set in the config, takes the open or closed branch.
func TestE2EBusinessHoursByClock(t *testing.T) {
	p := StartPBX(t)
	for _, tt := range []struct {
		name, at, want string
	}{
		{"monday morning", "2026-12-07T10:00:00+08:00", "open→day"},
		{"lunch break", "2026-12-07T12:30:00+08:00", "closed→night"},
		{"monday evening", "2026-12-07T18:00:30+08:00", "closed→night"},
		{"monday 10:00 in Beijing, given in UTC", "2026-12-07T02:00:00Z", "open→day"},
		{"saturday", "2026-12-05T10:00:00+08:00", "closed→night"},
		{"a holiday on a thursday", "2026-10-01T10:00:00+08:00", "closed→night"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startSwitchboardWith(t, p, fmt.Sprintf(hoursConfig, tt.at))
			res := caller(p, "", ExpectBYE(20*time.Second)).Run(t)
			if res.Err != nil {
				t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
			}
			c := s.endedCalls(1, 10*time.Second)[0]
			if len(c.IVRPath) < 2 || c.IVRPath[1] != tt.want {
				t.Fatalf("at %s: path %v, want %s", tt.at, c.IVRPath, tt.want)
			}
		})
	}
}
