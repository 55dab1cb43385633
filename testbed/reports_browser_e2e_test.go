//go:build e2e

package testbed

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserReports is issue 16's reports item: one answered call makes
// the support queue's service level a single data point, which the chart
// draws (it drew nothing); each queue is drawn against its own target
// (support 90 %, billing the default 80 %); the page, its table headers
// and the CSV download are in Chinese after the language button, in
// English before.
//
//	go test -tags e2e -count=1 -run 'TestBrowserReports$' -v ./testbed/
func TestBrowserReports(t *testing.T) {
	p := StartPBX(t)
	cfg := strings.Replace(deskConfig, "  support: {join_empty: true,", "  support: {service_level: {percent: 90, within: 20s}, join_empty: true,", 1)
	if cfg == deskConfig {
		t.Fatal("deskConfig changed: no support queue line")
	}
	s := startSwitchboardWith(t, p, cfg)
	pw := s.user("sup", "supervisor", "", "")
	StartPhone(t, p, 1, Answer(time.Second))
	s.signIn("1001")
	if res := caller(p, "1", Pause(3*time.Second), HangUp()).Start(t).Wait(); res.Err != nil {
		t.Fatalf("caller: %v\n%s", res.Err, res.ErrorLog)
	}
	s.endedCalls(1, 10*time.Second)
	b := runBrowser(t, s, "reports.mjs", "SB_SUP_PW="+pw)
	b.step("done", 2*time.Minute, nil)
	b.finish(30 * time.Second)
}
