//go:build e2e

package testbed

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// deskBookConfig is followupsConfig with one-minute appointment slots, so
// the first free time is at most a minute away.
const deskBookConfig = followupsConfig + "  appointment_slot: 1m\n"

// TestE2EDeskBookedCallbackDialled is the desk booking on the real
// Asterisk: after an inbound call, in wrap-up, the agent books a
// callback for the call in Chromium (the picker's free time; the same
// time again refused, naming the other); when its time comes the
// callback is enqueued through followups.queue, reserved for the agent,
// accepted, and the customer's carrier gets the INVITE for the caller's
// number and answers.
func TestE2EDeskBookedCallbackDialled(t *testing.T) {
	p := StartPBX(t)
	good := StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	s := startSwitchboardWith(t, p, fmt.Sprintf(deskBookConfig, TrunkGood.Port(p)))
	s.waitLinkUp(10 * time.Second)
	pw := s.user("ada", "agent", "1001", "front")
	StartPhone(t, p, 1, AnswerAndHangUp(300*time.Millisecond, 3*time.Second))
	s.signIn("1001")

	run := Caller{Target: p.SIPAddr(), Number: "100", From: "13800138000", Steps: []Step{Pause(2 * time.Second), HangUp()}}.Start(t)
	id := s.onCall("1001", 10*time.Second)
	if res := run.Wait(); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	s.eventually(10*time.Second, "1001 in wrap-up", func() bool { return s.agent("1001").State == "wrap_up" })

	b := runBrowser(t, s, "desk-book.mjs", "SB_AGENT_PW="+pw)
	var booked struct{ At time.Time }
	b.step("booked", time.Minute, &booked)
	b.step("english", 30*time.Second, nil)
	b.finish(30 * time.Second)

	var ap struct {
		Appointments []struct {
			ID, Task, Call, Agent string
			Callback              bool
			At                    time.Time
		}
	}
	if code := s.do("GET", "/api/v1/appointments", nil, &ap); code != 200 || len(ap.Appointments) != 1 {
		t.Fatalf("appointments: %d %+v", code, ap)
	}
	a := ap.Appointments[0]
	if a.Call != id || a.Agent != "1001" || !a.Callback || !a.At.Equal(booked.At) {
		t.Fatalf("appointment %+v, want from call %s at %v", a, id, booked.At)
	}
	if n := len(good.InviteTimes()); n != 0 {
		t.Fatalf("dialled before its time: %d INVITEs", n)
	}
	if code := s.do("POST", "/api/v1/calls/"+id+"/wrap-up", map[string]any{"agent": "1001", "disposition": "resolved"}, nil); code != 200 {
		t.Fatalf("wrap-up: %d", code)
	}

	// Its time comes: enqueued and reserved for 1001, not before.
	var item callbackView
	s.eventually(time.Until(a.At)+20*time.Second, "the booked callback reserved for 1001", func() bool {
		var v []callbackView
		s.do("GET", "/api/v1/callbacks", nil, &v)
		for _, c := range v {
			if c.State == "reserved" {
				item = c
				return true
			}
		}
		return false
	})
	if time.Now().Before(a.At) {
		t.Fatalf("reserved at %v, before the booked time %v", time.Now(), a.At)
	}
	if !strings.HasSuffix(item.Number, "8000") {
		t.Fatalf("work item %+v", item)
	}
	if code := s.do("POST", "/api/v1/desk/callbacks/"+item.ID+"/accept", map[string]any{"agent": "1001"}, nil); code != 200 {
		t.Fatalf("accept: %d", code)
	}
	s.eventually(20*time.Second, "the callback connected and closed", func() bool {
		var v []callbackView
		s.do("GET", "/api/v1/callbacks", nil, &v)
		for _, c := range v {
			if c.ID == item.ID {
				return c.State == "closed" && c.Reason == "connected"
			}
		}
		return false
	})
	if n := len(good.InviteTimes()); n != 1 {
		t.Fatalf("the customer's carrier got %d INVITEs, want 1", n)
	}
	var task followupView
	if code := s.do("GET", "/api/v1/followups/"+a.Task, nil, &task); code != 200 || task.Source != "appointment" || task.Call != id || task.Item != item.ID {
		t.Fatalf("the callback's task: %d %+v", code, task)
	}
}

// TestBrowserDeskMyFollowUps: on the desk in Chromium the agent sees
// their open follow-ups, the one past due marked overdue, and records
// another's result (satisfaction 4) without leaving the desk; the task
// closes reached. No followups.queue: nothing is dialled meanwhile.
func TestBrowserDeskMyFollowUps(t *testing.T) {
	p := StartPBX(t)
	cfg := strings.Replace(fmt.Sprintf(followupsConfig, TrunkGood.Port(p)), "followups:\n  queue: support\n", "", 1)
	s := startSwitchboardWith(t, p, cfg)
	pw := s.user("ada", "agent", "1001", "front")
	var task, late followupView
	if code := s.do("POST", "/api/v1/followups", map[string]any{"customer": "42", "agent": "1001"}, &task); code != 201 {
		t.Fatalf("create: %d", code)
	}
	due := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)
	if code := s.do("POST", "/api/v1/followups", map[string]any{"customer": "43", "agent": "1001", "due": due}, &late); code != 201 {
		t.Fatalf("create late: %d", code)
	}
	s.eventually(10*time.Second, "the late follow-up overdue", func() bool {
		var pg struct{ FollowUps []followupView }
		s.do("GET", "/api/v1/followups?overdue=true", nil, &pg)
		return len(pg.FollowUps) == 1 && pg.FollowUps[0].ID == late.ID
	})
	b := runBrowser(t, s, "desk-followups.mjs", "SB_AGENT_PW="+pw, "SB_TASK="+task.ID, "SB_LATE="+late.ID)
	b.step("recorded", time.Minute, nil)
	b.finish(30 * time.Second)
	var got followupView
	if code := s.do("GET", "/api/v1/followups/"+task.ID, nil, &got); code != 200 || got.State != "closed" || got.Reason != "reached" ||
		len(got.Attempts) != 1 || got.Attempts[0].Satisfaction != 4 {
		t.Fatalf("task after the desk: %d %+v", code, got)
	}
}
