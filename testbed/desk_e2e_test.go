//go:build e2e

package testbed

import (
	"slices"
	"testing"
	"time"
)

// deskConfig: menu 1 → support (agent 1001), billing served by 1002; a
// wrap-up long enough to be ended by the wrap-up form.
const deskConfig = `
routes: {default: main}
flows:
  main:
    start: greeting
    nodes:
      greeting: {play: {media: ["sound:beep"], next: menu}}
      menu:
        menu:
          prompt: ["sound:beep"]
          options: {"1": support}
          timeout: 3s
          on_failure: bye
      support: {queue: {queue: support, on_timeout: bye}}
      bye: {hangup: {}}
queues:
  support: {join_empty: true, ring_timeout: 5s, wrap_up: 60s, hold_media: ["sound:beep"]}
  billing: {join_empty: true, ring_timeout: 5s, wrap_up: 60s, hold_media: ["sound:beep"]}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: front}
  - {id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [billing], team: front}
teams: {front: {name: Front}}
extensions:
  "8002": {endpoint: PJSIP/1005, name: Sales office}
not_ready_reasons: [{code: break, allowance: 15m}, meal]
dispositions:
  - {code: resolved, zh: 已解决, en: Resolved}
  - {code: callback, zh: 需回电, en: Call back, follow_up: true}
`

type deskCallView struct {
	ID          string   `json:"id"`
	Phase       string   `json:"phase"`
	Caller      string   `json:"caller"`
	Queue       string   `json:"queue"`
	IVRPath     []string `json:"ivr_path"`
	Digits      string   `json:"digits"`
	Disposition string   `json:"disposition"`
}

type deskResp struct {
	Agent    agentView     `json:"agent"`
	Call     *deskCallView `json:"call"`
	Customer *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"customer"`
	Contacts []struct {
		ID          string `json:"id"`
		Disposition string `json:"disposition"`
	} `json:"contacts"`
}

type wrappedCall struct {
	callView
	Disposition string `json:"disposition"`
	Notes       string `json:"notes"`
	FollowUp    bool   `json:"follow_up"`
	WrappedBy   string `json:"wrapped_by"`
	Transfers   int    `json:"transfers"`
}

func (s *sb) desk(id string) deskResp {
	s.t.Helper()
	var d deskResp
	if code := s.do("GET", "/api/v1/agents/"+id+"/desk", nil, &d); code != 200 {
		s.t.Fatalf("desk %s: %d", id, code)
	}
	return d
}

// onCall waits until agent id talks and returns the call's ID.
func (s *sb) onCall(id string, within time.Duration) string {
	s.t.Helper()
	var call string
	s.eventually(within, "agent "+id+" on a call", func() bool {
		var a struct {
			State  string `json:"state"`
			CallID string `json:"call_id"`
		}
		s.do("GET", "/api/v1/agents/"+id, nil, &a)
		call = a.CallID
		return a.State == "on_call"
	})
	return call
}

func TestE2EDesk(t *testing.T) {
	p := StartPBX(t)

	t.Run("a call answered, wrapped up with a disposition via the API", func(t *testing.T) {
		s := startSwitchboardWith(t, p, deskConfig)
		phone := StartPhone(t, p, 1, Answer(500*time.Millisecond))
		s.signIn("1001")
		var cust struct{ ID int64 }
		if code := s.do("POST", "/api/v1/customers", map[string]any{"name": "<b>王</b> Wang", "numbers": []string{"138-0013-8000"}}, &cust); code != 201 {
			t.Fatalf("customer: %d", code)
		}
		run := caller(p, "1", Pause(4*time.Second), HangUp()).Start(t)
		id := s.onCall("1001", 10*time.Second)
		d := s.desk("1001")
		if d.Call == nil || d.Call.ID != id || d.Call.Phase != "talking" || d.Call.Caller != "138****8000" || // a supervisor sees it masked

			d.Call.Digits != "1" || !slices.Contains(d.Call.IVRPath, "1→support") {
			t.Fatalf("desk during the call %+v", d.Call)
		}
		if d.Customer == nil || d.Customer.ID != cust.ID {
			t.Fatalf("customer not matched: %+v", d.Customer)
		}
		if res := run.Wait(); res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		s.eventually(5*time.Second, "1001 in wrap-up", func() bool { return s.agent("1001").State == "wrap_up" })
		if d := s.desk("1001"); d.Call == nil || d.Call.Phase != "wrap_up" || d.Call.ID != id {
			t.Fatalf("desk in wrap-up %+v", d.Call)
		}
		// An unknown disposition is refused, naming the field.
		var e struct{ Error struct{ Code, Field string } }
		if code := s.do("POST", "/api/v1/calls/"+id+"/wrap-up", map[string]any{"agent": "1001", "disposition": "nope"}, &e); code != 400 || e.Error.Field != "disposition" {
			t.Fatalf("bad disposition: %d %+v", code, e)
		}
		var a agentView
		if code := s.do("POST", "/api/v1/calls/"+id+"/wrap-up", map[string]any{
			"agent": "1001", "disposition": "callback", "notes": "<i>明天</i> call back", "not_ready": "break",
		}, &a); code != 200 || a.State != "not_ready" || a.Reason != "break" {
			t.Fatalf("wrap-up: %d %+v", code, a)
		}
		var c wrappedCall
		if code := s.do("GET", "/api/v1/calls/"+id, nil, &c); code != 200 {
			t.Fatalf("call: %d", code)
		}
		if c.Disposition != "callback" || c.Notes != "<i>明天</i> call back" || !c.FollowUp || c.WrappedBy != "1001" || c.Outcome != "answered" {
			t.Fatalf("call record %+v", c)
		}
		if !slices.Contains(s.callTypes(id), "call.wrapped") {
			t.Fatalf("no call.wrapped in %v", s.callTypes(id))
		}
		if err := phone.WaitCount("remote-bye", 1, 5*time.Second); err != nil {
			t.Fatalf("phone not hung up: %v", err)
		}
	})

	t.Run("a transfer to a queue that another agent answers", func(t *testing.T) {
		s := startSwitchboardWith(t, p, deskConfig)
		StartPhone(t, p, 1, Answer(300*time.Millisecond))
		phone2 := StartPhone(t, p, 2, Answer(300*time.Millisecond))
		s.signIn("1001")
		s.signIn("1002")
		run := caller(p, "1", Pause(12*time.Second), HangUp()).Start(t)
		id := s.onCall("1001", 10*time.Second)
		var moved struct {
			ID          string `json:"id"`
			Queue       string `json:"queue"`
			Transferred bool   `json:"transferred"`
		}
		if code := s.do("POST", "/api/v1/calls/"+id+"/transfer", map[string]string{"to_kind": "queue", "to": "billing"}, &moved); code != 200 ||
			moved.ID != id || moved.Queue != "billing" || !moved.Transferred {
			t.Fatalf("transfer: %d %+v", code, moved)
		}
		if got := s.onCall("1002", 10*time.Second); got != id {
			t.Fatalf("1002 took call %q, want the same call %q", got, id)
		}
		if a := s.agent("1001"); a.State != "wrap_up" {
			t.Fatalf("1001 after the transfer: %+v", a)
		}
		if res := run.Wait(); res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		s.eventually(5*time.Second, "1002 in wrap-up", func() bool { return s.agent("1002").State == "wrap_up" })
		if code := s.do("POST", "/api/v1/calls/"+id+"/wrap-up", map[string]any{"agent": "1002", "disposition": "resolved"}, nil); code != 200 {
			t.Fatalf("wrap-up by 1002: %d", code)
		}
		var c wrappedCall
		s.do("GET", "/api/v1/calls/"+id, nil, &c)
		if c.Outcome != "answered" || c.Transfers != 1 || c.Queue != "billing" || c.Disposition != "resolved" || c.WrappedBy != "1002" {
			t.Fatalf("call record %+v", c)
		}
		types := s.callTypes(id)
		answered := 0
		for _, typ := range types {
			if typ == "call.answered" {
				answered++
			}
		}
		if !slices.Contains(types, "call.transferred") || answered != 2 {
			t.Fatalf("event log %v", types)
		}
		if err := phone2.WaitCount("remote-bye", 1, 5*time.Second); err != nil {
			t.Fatalf("1002's phone not hung up: %v", err)
		}
	})

	for _, tc := range []struct {
		name, kind, to string
		phone          int // the phone that takes the call over
		agent          string
	}{
		{name: "a transfer to a ready agent", kind: "agent", to: "1002", phone: 2, agent: "1002"},
		{name: "a transfer to an extension", kind: "extension", to: "8002", phone: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSwitchboardWith(t, p, deskConfig)
			StartPhone(t, p, 1, Answer(300*time.Millisecond))
			other := StartPhone(t, p, tc.phone, Answer(300*time.Millisecond))
			s.signIn("1001")
			s.signIn("1002")
			run := caller(p, "1", Pause(10*time.Second), HangUp()).Start(t)
			id := s.onCall("1001", 10*time.Second)
			if code := s.do("POST", "/api/v1/calls/"+id+"/transfer", map[string]string{"to_kind": tc.kind, "to": tc.to}, nil); code != 200 {
				t.Fatalf("transfer: %d", code)
			}
			if tc.agent != "" {
				if got := s.onCall(tc.agent, 10*time.Second); got != id {
					t.Fatalf("%s took %q, want %q", tc.agent, got, id)
				}
			}
			if err := other.WaitCount("invite", 1, 10*time.Second); err != nil {
				t.Fatalf("phone %d not rung: %v", tc.phone, err)
			}
			if a := s.agent("1001"); a.State != "wrap_up" {
				t.Fatalf("1001 after the transfer: %+v", a)
			}
			if res := run.Wait(); res.Err != nil {
				t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
			}
			c := s.endedCalls(1, 10*time.Second)[0]
			var rec wrappedCall
			s.do("GET", "/api/v1/calls/"+c.ID, nil, &rec)
			if c.ID != id || rec.Outcome != "answered" || rec.Transfers != 1 {
				t.Fatalf("call record %+v", rec)
			}
			if err := other.WaitCount("remote-bye", 1, 5*time.Second); err != nil {
				t.Fatalf("phone %d not hung up when the caller left: %v", tc.phone, err)
			}
			// The caller talked to the one the call was transferred to:
			// the call was answered twice, by 1001 and then by them.
			var list eventList
			s.do("GET", "/api/v1/calls/"+id+"/events?type=call.answered", nil, &list)
			if len(list.Events) != 2 {
				t.Fatalf("%d call.answered records", len(list.Events))
			}
		})
	}
}
