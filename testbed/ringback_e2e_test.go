//go:build e2e

package testbed

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ringbackConfig: DID 400 goes straight to a ringback queue.
const ringbackConfig = `
routes: {"400": direct, default: direct}
flows:
  direct:
    start: wait
    nodes:
      wait: {queue: {queue: sales, ringback: true}}
queues:
  sales: {max_wait: 30s, ring_timeout: 10s, wrap_up: 1s}
agents:
  - {id: "1003", name: Cy, endpoint: PJSIP/1003, queues: [sales]}
`

// ringbackCaller logs each response with sipp's wall clock: 180 must come,
// and the 200 only once the agent answered.
const ringbackCaller = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="ringback caller">
<send retrans="500">
<action><log message="[timestamp]|invite|[call_id]"/></action>
<![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:13800138000@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:13800138000@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

%[1]s
]]>
</send>
<recv response="100" optional="true"/>
<recv response="180" timeout="10000">
  <action><log message="[timestamp]|ringing|[call_id]"/></action>
</recv>
<recv response="200" timeout="20000">
  <action><log message="[timestamp]|answered|[call_id]"/></action>
</recv>
<send>
<![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:13800138000@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:13800138000@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]>
</send>
<pause milliseconds="1000"/>
<send retrans="500">
<![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:13800138000@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]>
</send>
<recv response="200" crlf="true"/>
</scenario>
`

// TestE2ERingbackQueue: a caller to a ringback queue hears ringing (180)
// and is answered (200) only after the agent's phone answered.
func TestE2ERingbackQueue(t *testing.T) {
	const ring = 2 * time.Second
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, ringbackConfig)
	s.signIn("1003")

	dir := t.TempDir()
	phone, err := startSipp(t, dir, "phone", ringingPhonesScenario(ring, 20*time.Second),
		[]string{"-p", strconv.Itoa(p.AgentPort(3)), "-m", "1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitUDPBound(p.AgentPort(3), phone, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	port, err := FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	callerDir := t.TempDir()
	caller, err := startSipp(t, callerDir, "caller", fmt.Sprintf(ringbackCaller, sdpAudio("caller")),
		[]string{"-s", "400", p.SIPAddr(), "-m", "1", "-l", "1", "-p", strconv.Itoa(port)}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, err := caller.wait(); err != nil || code != 0 {
		t.Fatalf("caller: exit %d %v; errors: %s; out: %s", code, err, lastLines(sippErrors(readFile(caller.errFile)), 30), lastLines(readFile(caller.outFile), 10))
	}
	if code, err := phone.wait(); err != nil || code != 0 {
		t.Fatalf("phone: exit %d %v; errors: %s", code, err, lastLines(sippErrors(readFile(phone.errFile)), 30))
	}
	at := func(log, what string) time.Time {
		t.Helper()
		lines, err := parseBenchLog(readFile(log))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if l.what == what {
				return l.at
			}
		}
		t.Fatalf("%s: no %s in %s", log, what, readFile(log))
		return time.Time{}
	}
	invite, ringing, answered := at(caller.logFile, "invite"), at(caller.logFile, "ringing"), at(caller.logFile, "answered")
	agentOK := at(phone.logFile, "ok")
	t.Logf("caller INVITE → 180: %v; INVITE → 200: %v; agent 200 OK → caller 200 OK: %v",
		ringing.Sub(invite), answered.Sub(invite), answered.Sub(agentOK))
	if answered.Before(agentOK) {
		t.Fatalf("the caller was answered %v before the agent", agentOK.Sub(answered))
	}
	if ringing.Sub(invite) > time.Second {
		t.Errorf("180 came %v after the INVITE", ringing.Sub(invite))
	}
	if answered.Sub(invite) < ring {
		t.Errorf("the caller was answered %v after the INVITE, before the agent's %v of ringing", answered.Sub(invite), ring)
	}
	if os.Getenv("SB_E2E_DUMP") != "" {
		t.Logf("caller log:\n%s\nphone log:\n%s", readFile(caller.logFile), readFile(phone.logFile))
	}
	// The record says how it went: rung, then answered by the agent.
	var list eventList
	s.do("GET", "/api/v1/events?limit=100", nil, &list)
	ringingRecord := false
	for _, e := range list.Events {
		if e.Type == "call.arrived" && string(e.Data) != "" {
			ringingRecord = ringingRecord || strings.Contains(string(e.Data), `"ringing":true`)
		}
	}
	if !ringingRecord {
		t.Error("call.arrived does not say ringing")
	}
}

// TestE2ERingbackCallerGivesUp: a caller who cancels while ringing in a
// ringback queue was never answered and counts as abandoned in the queue.
func TestE2ERingbackCallerGivesUp(t *testing.T) {
	p := StartPBX(t)
	s := startSwitchboardWith(t, p, ringbackConfig)
	s.signIn("1003")
	if code := s.do("PUT", "/api/v1/agents/1003/state", map[string]string{"state": "not_ready", "reason": "break"}, nil); code != 200 {
		t.Fatalf("not ready: %d", code)
	}
	port, err := FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	caller, err := startSipp(t, t.TempDir(), "caller", BenchCallerScenario("1380013", 3*time.Second, time.Second),
		[]string{"-s", "400", p.SIPAddr(), "-m", "1", "-l", "1", "-p", strconv.Itoa(port)}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, err := caller.wait(); err != nil || code != 0 {
		t.Fatalf("caller: exit %d %v; errors: %s", code, err, lastLines(sippErrors(readFile(caller.errFile)), 30))
	}
	log := readFile(caller.logFile)
	if !strings.Contains(log, "|abandon|") || strings.Contains(log, "|answered|") {
		t.Fatalf("caller log: want a CANCEL and no 200:\n%s", log)
	}
	c := s.endedCalls(1, 10*time.Second)[0]
	if c.Outcome != "abandoned_queue" || c.HangupBy != "caller" || c.WaitSeconds == nil || *c.WaitSeconds < 2 {
		t.Fatalf("call %+v", c)
	}
}
