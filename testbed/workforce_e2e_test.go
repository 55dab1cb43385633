//go:build e2e

package testbed

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// workforceConfig: deskConfig's agents, a one-minute shift (09:00-09:01,
// 1 s grace) and the clock started just before it, so a real sign-in and
// sign-out around the shift are measured within the test's run.
const workforceConfig = deskConfig + `clock: {start: "2027-01-04T08:59:35+08:00"}
workforce:
  time_zone: "+08:00"
  grace: 1s
  shifts:
    - {name: short, start: "09:00", end: "09:01"}
`

// TestE2EAdherence: a supervisor publishes a schedule (past the deadline:
// overridden with a reason), agent 1001 signs in on the real testbed
// before the shift and out during it; the adherence report shows the
// percentage the rules give for the agent.state records' own times: the
// signed-in part of the minute, an early sign-out, no late sign-in.
func TestE2EAdherence(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, workforceConfig)
	StartPhone(t, p, 1, Answer(500*time.Millisecond))
	put := map[string]any{"entries": []map[string]string{{"agent": "1001", "date": "2027-01-04", "shift": "short"}}}
	if code := s.do("PUT", "/api/v1/schedules/front/2027-01", put, nil); code != 200 {
		t.Fatalf("save: %d", code)
	}
	var e struct{ Error struct{ Code, Field string } }
	if code := s.do("POST", "/api/v1/schedules/front/2027-01/publish", map[string]any{}, &e); code != 409 || e.Error.Field != "publish_by" {
		t.Fatalf("publish in the month: %d %+v", code, e)
	}
	if code := s.do("POST", "/api/v1/schedules/front/2027-01/publish", map[string]any{"override": true, "reason": "e2e"}, nil); code != 200 {
		t.Fatalf("publish late: %d", code)
	}
	s.signIn("1001")
	type floorView struct {
		Teams []struct {
			Team             string
			Scheduled, Ready int
			SignedIn         int `json:"signed_in"`
		}
	}
	var fl floorView
	s.eventually(40*time.Second, "the shift under way", func() bool {
		s.do("GET", "/api/v1/workforce/floor", nil, &fl)
		return len(fl.Teams) == 1 && fl.Teams[0].Scheduled == 1
	})
	if fl.Teams[0].SignedIn != 1 || fl.Teams[0].Ready != 1 {
		t.Fatalf("floor %+v", fl)
	}
	if code := s.do("POST", "/api/v1/agents/1001/sign-out", map[string]string{"reason": "end of test shift"}, nil); code != 200 {
		t.Fatalf("sign out: %d", code)
	}
	type table struct {
		Rows []struct {
			Key    string
			Values []*float64
		}
	}
	var rep table
	s.eventually(90*time.Second, "the shift over in the report", func() bool {
		s.do("GET", "/api/v1/workforce/adherence?month=2027-01", nil, &rep)
		return len(rep.Rows) == 1
	})
	// The prediction from the records: signed in from max(sign-in, 09:00)
	// to the sign-out, over 60 s.
	var list struct {
		Events []struct {
			Time    time.Time       `json:"time"`
			AgentID string          `json:"agent_id"`
			Data    json.RawMessage `json:"data"`
		} `json:"events"`
	}
	if code := s.do("GET", "/api/v1/events?type=agent.state&limit=100", nil, &list); code != 200 {
		t.Fatalf("events: %d", code)
	}
	var in, out time.Time
	for _, ev := range list.Events {
		var d struct{ From, To string }
		_ = json.Unmarshal(ev.Data, &d)
		if ev.AgentID != "1001" {
			continue
		}
		if d.From == "signed_out" && in.IsZero() {
			in = ev.Time
		}
		if d.To == "signed_out" {
			out = ev.Time
		}
	}
	zone := time.FixedZone("+08:00", 8*3600)
	start := time.Date(2027, 1, 4, 9, 0, 0, 0, zone)
	if in.IsZero() || out.IsZero() || !in.Before(start.Add(-time.Second)) || !out.After(start) || !out.Before(start.Add(time.Minute)) {
		t.Fatalf("sign-in %v, sign-out %v around %v", in, out, start)
	}
	want := float64(out.Sub(start)) * 100 / float64(time.Minute)
	v := rep.Rows[0].Values
	got := map[string]float64{}
	for i, k := range []string{"shifts", "present", "attendance", "scheduled", "signed_in", "adherence", "excused",
		"adherence_excused", "late_ins", "early_outs", "overrun"} {
		if v[i] != nil {
			got[k] = *v[i]
		}
	}
	if rep.Rows[0].Key != "1001" || math.Abs(got["adherence"]-want) > 1e-9 || got["attendance"] != 100 ||
		got["late_ins"] != 0 || got["early_outs"] != 1 || got["scheduled"] != 60 {
		t.Fatalf("report %v, want adherence %v (in %v, out %v)", got, want, in, out)
	}
	t.Logf("adherence %.3f%% (signed out %v into the shift)", got["adherence"], out.Sub(start))
}

// scheduleConfig: deskConfig's team and agents with a day shift; the
// machine's clock, so next month is before its deadline.
const scheduleConfig = deskConfig + `workforce:
  time_zone: "+08:00"
  shifts:
    - {name: day, start: "09:00", end: "17:00", meals: [{start: "12:00", end: "13:00", allowance: 30m}]}
`

// TestBrowserSchedule: a lead builds and publishes next month on
// /ui/schedule, an agent sees it there and requests leave, the lead
// approves it (web-test/schedule.mjs); the log holds the records, the
// audit the actions, and a restart keeps both.
func TestBrowserSchedule(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, scheduleConfig)
	leadPW := s.user("lena", "team_lead", "", "front")
	agentPW := s.user("ada", "agent", "1001", "front")
	now := time.Now()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0).Format("2006-01")
	b := runBrowser(t, s, "schedule.mjs", "SB_LEAD_PW="+leadPW, "SB_AGENT_PW="+agentPW, "SB_MONTH="+month)
	b.step("published", time.Minute, nil)
	var list eventList
	if code := s.do("GET", "/api/v1/events?type=schedule.", nil, &list); code != 200 {
		t.Fatalf("events: %d", code)
	}
	var types []string
	for _, ev := range list.Events {
		types = append(types, ev.Type)
	}
	if strings.Join(types, ",") != "schedule.saved,schedule.published" {
		t.Fatalf("records %v", types)
	}
	var audit struct {
		Entries []struct{ Action, Target, Actor string }
	}
	for _, action := range []string{"schedule.import", "schedule.save", "schedule.publish"} {
		if code := s.do("GET", "/api/v1/audit?action="+action, nil, &audit); code != 200 || len(audit.Entries) != 1 {
			t.Errorf("audit %s: %d %+v", action, code, audit)
		}
	}
	b.step("agent", time.Minute, nil)
	b.step("approved", time.Minute, nil)
	b.finish(30 * time.Second)
	if code := s.do("GET", "/api/v1/events?type=schedule.leave", nil, &list); code != 200 || len(list.Events) != 2 ||
		list.Events[0].Type != "schedule.leave_requested" || list.Events[1].Type != "schedule.leave_decided" {
		t.Fatalf("leave records: %d %+v", code, list.Events)
	}
	// A restart keeps the schedule and the decided leave.
	s.stop()
	s.start()
	var sc struct{ State string }
	if code := s.do("GET", "/api/v1/schedules/front/"+month, nil, &sc); code != 200 || sc.State != "published" {
		t.Fatalf("schedule after restart: %d %+v", code, sc)
	}
	var lv struct{ Leave []struct{ State string } }
	if code := s.do("GET", "/api/v1/leave", nil, &lv); code != 200 || len(lv.Leave) != 1 || lv.Leave[0].State != "approved" {
		t.Fatalf("leave after restart: %d %+v", code, lv)
	}
}

// TestBrowserHandover: the outgoing lead writes the handover log on
// /ui/handover (notes, an equipment fault, an open ticket), the incoming
// lead acknowledges it in their own browser (web-test/handover.mjs); the
// log holds both records, the audit both actions, and a restart keeps the
// acknowledgement.
func TestBrowserHandover(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, scheduleConfig)
	leadPW := s.user("lena", "team_lead", "", "front")
	lead2PW := s.user("lars", "team_lead", "", "front")
	b := runBrowser(t, s, "handover.mjs", "SB_LEAD_PW="+leadPW, "SB_LEAD2_PW="+lead2PW)
	b.step("written", time.Minute, nil)
	b.step("acked", time.Minute, nil)
	b.finish(30 * time.Second)
	var list eventList
	if code := s.do("GET", "/api/v1/events?type=schedule.handover", nil, &list); code != 200 || len(list.Events) != 2 ||
		list.Events[0].Type != "schedule.handover_written" || list.Events[1].Type != "schedule.handover_acked" {
		t.Fatalf("handover records: %d %+v", code, list.Events)
	}
	var audit struct {
		Entries []struct{ Action, Target, Actor string }
	}
	// The refused empty entry is audited too (target the team), then the
	// written one (target its ID).
	for action, want := range map[string]string{"handover.write": "lena:H000001,lena:front", "handover.ack": "lars:H000001"} {
		code := s.do("GET", "/api/v1/audit?action="+action, nil, &audit)
		var got []string
		for _, e := range audit.Entries {
			got = append(got, e.Actor+":"+e.Target)
		}
		if code != 200 || strings.Join(got, ",") != want {
			t.Errorf("audit %s: %d %v, want %s", action, code, got, want)
		}
	}
	s.stop()
	s.start()
	var hs struct {
		Handovers []struct {
			AckedBy string `json:"acked_by"`
			Items   []struct{ Kind, Ref string }
		}
	}
	if code := s.do("GET", "/api/v1/handovers?team=front", nil, &hs); code != 200 || len(hs.Handovers) != 1 || hs.Handovers[0].AckedBy != "lars" ||
		len(hs.Handovers[0].Items) != 2 || hs.Handovers[0].Items[0].Ref != "trunk-a" {
		t.Fatalf("handovers after restart: %d %+v", code, hs)
	}
}

// swapConfig: scheduleConfig with 1002 and 1003 in team back (minimum 1
// scheduled), front keeping 1001.
var swapConfig = strings.NewReplacer(
	`{id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [billing], team: front}`,
	`{id: "1002", name: Bo, endpoint: PJSIP/1002, queues: [billing], team: back}
  - {id: "1003", name: Cy, endpoint: PJSIP/1003, queues: [billing], team: back}`,
	`teams: {front: {name: Front}}`, `teams: {front: {name: Front}, back: {name: Back, min_ready: 1}}`,
).Replace(scheduleConfig)

// TestBrowserSwapTwoLeads: an agent of front swaps with an agent of back
// on /ui/schedule; a swap leaving back under its minimum is refused by
// name; each lead approves in their own browser; both agents see the
// swapped shifts (web-test/swap.mjs); the log holds the request and both
// approvals.
func TestBrowserSwapTwoLeads(t *testing.T) {
	if !strings.Contains(swapConfig, "team: back") || !strings.Contains(swapConfig, "min_ready: 1") {
		t.Fatal("swapConfig did not rewrite deskConfig's agents and teams")
	}
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, swapConfig)
	now := time.Now()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0).Format("2006-01")
	day := func(d string) string { return month + "-" + d }
	for team, entries := range map[string][]map[string]string{
		"front": {{"agent": "1001", "date": day("10"), "shift": "day"}, {"agent": "1001", "date": day("13"), "shift": "day"}},
		"back": {{"agent": "1002", "date": day("11"), "shift": "day"}, {"agent": "1003", "date": day("11"), "shift": "day"},
			{"agent": "1002", "date": day("12"), "shift": "day"}},
	} {
		if code := s.do("PUT", "/api/v1/schedules/"+team+"/"+month, map[string]any{"entries": entries}, nil); code != 200 {
			t.Fatalf("save %s: %d", team, code)
		}
		// Past the 29th the supervisor publishes late, with a reason.
		if code := s.do("POST", "/api/v1/schedules/"+team+"/"+month+"/publish", map[string]any{}, nil); code == 409 {
			code = s.do("POST", "/api/v1/schedules/"+team+"/"+month+"/publish", map[string]any{"override": true, "reason": "e2e"}, nil)
			if code != 200 {
				t.Fatalf("publish %s late: %d", team, code)
			}
		} else if code != 200 {
			t.Fatalf("publish %s: %d", team, code)
		}
	}
	env := []string{"SB_MONTH=" + month,
		"SB_ADA_PW=" + s.user("ada", "agent", "1001", "front"), "SB_BO_PW=" + s.user("bo", "agent", "1002", "back"),
		"SB_LENA_PW=" + s.user("lena", "team_lead", "", "front"), "SB_BOB_PW=" + s.user("bob", "team_lead", "", "back")}
	b := runBrowser(t, s, "swap.mjs", env...)
	b.step("requested", time.Minute, nil)
	b.step("approved", 2*time.Minute, nil)
	b.finish(30 * time.Second)
	var list eventList
	if code := s.do("GET", "/api/v1/events?type=schedule.swap", nil, &list); code != 200 {
		t.Fatalf("events: %d", code)
	}
	var types []string
	for _, ev := range list.Events {
		types = append(types, ev.Type)
	}
	if strings.Join(types, ",") != "schedule.swap_requested,schedule.swap_decided,schedule.swap_decided" {
		t.Fatalf("swap records %v", types)
	}
}
