//go:build e2e

package testbed

import (
	"strings"
	"testing"
	"time"
)

// dayNightConfig: a 24-hour office calendar, so only the switch closes it.
const dayNightConfig = `
routes: {default: main}
calendars:
  office: {weekly: {mon-sun: ["24h"]}}
teams:
  front: {}
flows:
  main:
    start: hours
    nodes:
      hours: {time: {calendar: office, open: day, closed: night}}
      day: {play: {media: ["sound:beep"], next: bye}}
      night: {play: {media: ["sound:beep"], next: bye}}
      bye: {hangup: {}}
`

// TestBrowserDayNightSwitch is issue 16's "day/night switch in the UI"
// (it was API only): on the supervisor page a supervisor forces the
// office calendar to night with the keyboard (confirming), the page says
// so and shows it closed, a lead's page shows the switch read-only and
// follows the change live, and a real call then takes the night branch;
// back to auto, the next call takes the day branch.
//
//	go test -tags e2e -count=1 -run 'TestBrowserDayNightSwitch$' -v ./testbed/
func TestBrowserDayNightSwitch(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, dayNightConfig)
	supPW := s.user("sue", "supervisor", "", "")
	leadPW := s.user("lena", "team_lead", "", "front")
	b := runBrowser(t, s, "hours.mjs", "SB_SUP_PW="+supPW, "SB_LEAD_PW="+leadPW)
	b.step("night", 90*time.Second, nil)

	var cals struct{ Calendars []struct{ Name, Mode string } }
	s.do("GET", "/api/v1/calendars", nil, &cals)
	if len(cals.Calendars) != 1 || cals.Calendars[0].Mode != "night" {
		t.Fatalf("calendars after the switch: %+v", cals.Calendars)
	}
	if res := caller(p, "", ExpectBYE(20*time.Second)).Run(t); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	if c := s.endedCalls(1, 10*time.Second)[0]; len(c.IVRPath) < 2 || c.IVRPath[1] != "closed→night" {
		t.Fatalf("a call after the switch to night: path %v", c.IVRPath)
	}
	b.send("call")
	b.step("auto", 60*time.Second, nil)
	if res := caller(p, "", ExpectBYE(20*time.Second)).Run(t); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	if c := s.endedCalls(2, 10*time.Second); c[0].IVRPath[1] != "open→day" && c[1].IVRPath[1] != "open→day" {
		t.Fatalf("a call after the switch back: paths %v %v", c[0].IVRPath, c[1].IVRPath)
	}
	b.finish(30 * time.Second)
	// Each switch the supervisor made is in the audit log: day, night, auto.
	var audit struct {
		Entries []struct {
			Target string
			OK     bool
			Detail struct{ Mode string }
		}
	}
	s.do("GET", "/api/v1/audit?action=calendar.mode&actor=sue", nil, &audit)
	var modes []string
	for _, e := range audit.Entries {
		if e.Target == "office" && e.OK {
			modes = append(modes, e.Detail.Mode)
		}
	}
	if strings.Join(modes, ",") != "auto,night,day" {
		t.Errorf("audited switches (newest first): %v, want auto,night,day", modes)
	}
}
