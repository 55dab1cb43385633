//go:build e2e

package testbed

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// devicesConfig: one agent and team, and the good carrier's trunk,
// qualified every 2 s so its death is seen.
const devicesConfig = `
dialplan:
  trunks:
    - {name: carrier-good, host: 127.0.0.1, port: %d, qualify: 2s}
routes: {default: main}
flows:
  main: {start: bye, nodes: {bye: {hangup: {}}}}
queues:
  support: {ring_timeout: 5s, wrap_up: 60s}
agents:
  - {id: "1001", name: Ada, endpoint: PJSIP/1001, queues: [support], team: front}
teams: {front: {name: Front}}
`

// TestBrowserDevices: an admin files the trunk on /ui/devices; its
// carrier dies on the real testbed and the trunk.state record's fault
// shows in the trunk's file without anyone typing it; a repair and the
// scrapping are records, audited; a lead reads the file
// (web-test/devices.mjs). A restart rebuilds the same file.
func TestBrowserDevices(t *testing.T) {
	p := StartPBX(t)
	good := StartCarrier(t, TrunkGood.Port(p), CarrierAnswers)
	s := startSwitchboardWith(t, p, fmt.Sprintf(devicesConfig, TrunkGood.Port(p)))
	s.waitLinkUp(10 * time.Second)
	env := []string{"SB_ADMIN_PW=" + s.user("adm", "admin", "", ""), "SB_LEAD_PW=" + s.user("lena", "team_lead", "", "front"),
		"SB_DAY=" + time.Now().AddDate(0, 0, -1).Format(time.DateOnly)}
	b := runBrowser(t, s, "devices.mjs", env...)
	b.step("filed", time.Minute, nil)
	good.Stop()
	s.eventually(15*time.Second, "carrier-good down", func() bool {
		var list eventList
		s.do("GET", "/api/v1/events?type=trunk.state", nil, &list)
		for _, ev := range list.Events {
			if strings.Contains(string(ev.Data), `"to":"down"`) {
				return true
			}
		}
		return false
	})
	b.send("go")
	b.step("done", 2*time.Minute, nil)
	b.finish(30 * time.Second)
	var list eventList
	if code := s.do("GET", "/api/v1/events?type=device.", nil, &list); code != 200 {
		t.Fatalf("events: %d", code)
	}
	var types []string
	for _, ev := range list.Events {
		types = append(types, ev.Type)
	}
	if strings.Join(types, ",") != "device.registered,device.maintained,device.scrapped" {
		t.Fatalf("device records %v", types)
	}
	var audit struct {
		Entries []struct{ Action, Target, Actor string }
	}
	for _, action := range []string{"device.maintain", "device.scrap"} {
		if code := s.do("GET", "/api/v1/audit?action="+action, nil, &audit); code != 200 || len(audit.Entries) != 1 || audit.Entries[0].Actor != "adm" {
			t.Errorf("audit %s: %d %+v", action, code, audit)
		}
	}
	var before, after struct {
		State  string
		Faults []struct{ State string }
	}
	s.do("GET", "/api/v1/devices/D000001", nil, &before)
	s.stop()
	s.start()
	if code := s.do("GET", "/api/v1/devices/D000001", nil, &after); code != 200 || after.State != "scrapped" || len(after.Faults) == 0 ||
		len(after.Faults) != len(before.Faults) || after.Faults[len(after.Faults)-1].State != "down" {
		t.Fatalf("after restart: %d %+v, before %+v", code, after, before)
	}
}
