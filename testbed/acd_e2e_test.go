//go:build e2e

package testbed

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// acdConfig: two queues. support asks for billing>=5 and, after 3 s with
// nobody, merges in sales' agents whatever their skills; vip has none and
// overflows to sales after 3 s. Agent 1001 and 1003 have billing, 1002
// serves sales only.
const acdConfig = `
routes: {default: main}
flows:
  main:
    start: greeting
    nodes:
      greeting: {play: {media: ["sound:beep"], next: menu}}
      menu:
        menu:
          prompt: ["sound:beep"]
          options: {"1": support, "2": sales, "3": vip}
          timeout: 3s
          on_failure: bye
      support: {queue: {queue: support, on_timeout: bye}}
      sales: {queue: {queue: sales, on_timeout: bye}}
      vip: {queue: {queue: vip, on_timeout: bye}}
      bye: {hangup: {}}
queues:
  support:
    skills: billing>=5
    join_empty: true
    ring_timeout: 3s
    wrap_up: 1s
    escalation:
      - {after: 3s, add_queues: [sales], skills: ""}  # merged group, any skill
  sales: {join_empty: true, ring_timeout: 3s, wrap_up: 1s}
  vip:
    join_empty: true
    escalation:
      - {after: 3s, overflow: {queue: sales}}
agents:
  - {id: "1001", endpoint: PJSIP/1001, queues: [support], skills: {billing: 7}}
  - {id: "1002", endpoint: PJSIP/1002, queues: [sales]}
  - {id: "1003", endpoint: PJSIP/1003, queues: [support], skills: {billing: 6}}
`

type decisionsView struct {
	Decisions []struct {
		Trigger    string   `json:"trigger"`
		Queue      string   `json:"queue"`
		Queues     []string `json:"queues"`
		Rule       string   `json:"rule"`
		Winners    []string `json:"winners"`
		Candidates []struct {
			Agent string  `json:"agent"`
			Score float64 `json:"score"`
		} `json:"candidates"`
		Excluded      map[string]int `json:"excluded"`
		ConfigVersion int            `json:"config_version"`
	} `json:"decisions"`
}

func TestE2EACD(t *testing.T) {
	p := StartPBX(t)

	t.Run("escalation merges another queue's agents", func(t *testing.T) {
		s := startSwitchboardWith(t, p, acdConfig)
		StartPhone(t, p, 2, Answer(300*time.Millisecond))
		s.signIn("1002") // sales only: not eligible for support at first
		res := caller(p, "1", Pause(9*time.Second), HangUp()).Run(t)
		if res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		c := s.endedCalls(1, 10*time.Second)[0]
		if c.Outcome != "answered" || c.Agent != "1002" || c.Queue != "support" {
			t.Fatalf("call %+v", c)
		}
		if c.WaitSeconds == nil || *c.WaitSeconds < 3 {
			t.Fatalf("answered after %v s, before the 3 s escalation", c.WaitSeconds)
		}
		var d decisionsView
		if code := s.do("GET", "/api/v1/calls/"+c.ID+"/decisions", nil, &d); code != 200 || len(d.Decisions) != 1 {
			t.Fatalf("decisions: %d %+v", code, d)
		}
		dec := d.Decisions[0]
		if dec.Rule != "escalation[0]" || dec.Trigger != "escalated" || !slices.Equal(dec.Queues, []string{"support", "sales"}) || !slices.Equal(dec.Winners, []string{"1002"}) {
			t.Fatalf("decision %+v", dec)
		}
		if !slices.Contains(s.callTypes(c.ID), "call.escalated") {
			t.Fatalf("no call.escalated in %v", s.callTypes(c.ID))
		}
	})

	t.Run("overflow to another queue", func(t *testing.T) {
		s := startSwitchboardWith(t, p, acdConfig)
		StartPhone(t, p, 2, Answer(300*time.Millisecond))
		s.signIn("1002")
		res := caller(p, "3", Pause(8*time.Second), HangUp()).Run(t)
		if res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		c := s.endedCalls(1, 10*time.Second)[0]
		if c.Outcome != "answered" || c.Agent != "1002" || c.Queue != "sales" {
			t.Fatalf("call %+v", c)
		}
		var list eventList
		s.do("GET", "/api/v1/calls/"+c.ID+"/events", nil, &list)
		var over struct{ From, Queue, Reason string }
		for _, e := range list.Events {
			if e.Type == "call.overflowed" {
				_ = json.Unmarshal(e.Data, &over)
			}
		}
		if over.From != "vip" || over.Queue != "sales" || over.Reason != "escalation" {
			t.Fatalf("overflow record %+v", over)
		}
	})

	t.Run("skilled agent does not answer, the call goes on", func(t *testing.T) {
		s := startSwitchboardWith(t, p, acdConfig)
		StartPhone(t, p, 1, NeverAnswer)
		StartPhone(t, p, 3, Answer(300*time.Millisecond))
		s.signIn("1001") // idle longest: offered first
		s.signIn("1003")
		res := caller(p, "1", Pause(9*time.Second), HangUp()).Run(t)
		if res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		c := s.endedCalls(1, 10*time.Second)[0]
		if c.Outcome != "answered" || c.Agent != "1003" || c.OfferFailures != 1 {
			t.Fatalf("call %+v", c)
		}
		if a := s.agent("1001"); a.State != "not_ready" || a.Reason != "no_answer" {
			t.Fatalf("agent 1001 %+v", a)
		}
		var d decisionsView
		s.do("GET", "/api/v1/calls/"+c.ID+"/decisions", nil, &d)
		if len(d.Decisions) != 2 || d.Decisions[0].Winners[0] != "1001" || d.Decisions[1].Winners[0] != "1003" || d.Decisions[1].Trigger != "offer_failed" {
			t.Fatalf("decisions %+v", d)
		}
	})

	t.Run("hot reload: a new skill takes effect, nobody is signed out", func(t *testing.T) {
		s := startSwitchboardWith(t, p, acdConfig)
		StartPhone(t, p, 2, Answer(300*time.Millisecond))
		s.signIn("1002")
		// 1002 gains billing and joins support; the file is edited and
		// reloaded while 1002 stays signed in.
		b, err := os.ReadFile(s.cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		edited := strings.Replace(string(b), `{id: "1002", endpoint: PJSIP/1002, queues: [sales]}`,
			`{id: "1002", endpoint: PJSIP/1002, queues: [sales, support], skills: {billing: 9}}`, 1)
		if edited == string(b) {
			t.Fatal("config edit did not apply")
		}
		if err := os.WriteFile(s.cfgPath, []byte(edited), 0o600); err != nil {
			t.Fatal(err)
		}
		var v struct{ Version int }
		if code := s.do("POST", "/api/v1/config/reload", nil, &v); code != 200 || v.Version != 2 {
			t.Fatalf("reload: %d %+v", code, v)
		}
		if a := s.agent("1002"); a.State != "ready" {
			t.Fatalf("agent after reload: %+v", a)
		}
		res := caller(p, "1", Pause(4*time.Second), HangUp()).Run(t)
		if res.Err != nil {
			t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
		}
		c := s.endedCalls(1, 10*time.Second)[0]
		var d decisionsView
		s.do("GET", "/api/v1/calls/"+c.ID+"/decisions", nil, &d)
		if c.Agent != "1002" || len(d.Decisions) == 0 || d.Decisions[0].Rule != "queue" || d.Decisions[0].ConfigVersion != 2 {
			t.Fatalf("call %+v decisions %+v", c, d)
		}
		// A broken file is refused with its line, and the running config stays.
		if err := os.WriteFile(s.cfgPath, []byte(edited+"\nbogus_key: 1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		if code := s.do("POST", "/api/v1/config/reload", nil, &e); code != 422 || !strings.Contains(e.Error.Message, "bogus_key") {
			t.Fatalf("bad reload: %d %+v", code, e)
		}
	})

	t.Run("queues API shows live state", func(t *testing.T) {
		s := startSwitchboardWith(t, p, acdConfig)
		s.signIn("1002")
		var qs struct {
			Queues []struct {
				Name    string         `json:"name"`
				Waiting int            `json:"waiting"`
				Agents  map[string]int `json:"agents"`
			} `json:"queues"`
		}
		if code := s.do("GET", "/api/v1/queues", nil, &qs); code != 200 || len(qs.Queues) != 3 {
			t.Fatalf("queues: %d %+v", code, qs)
		}
		for _, q := range qs.Queues {
			if q.Name == "sales" && q.Agents["ready"] != 1 {
				t.Fatalf("sales agents %+v", q.Agents)
			}
		}
	})
}
