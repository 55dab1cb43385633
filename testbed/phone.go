package testbed

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PhoneMode says how a Phone treats each INVITE.
type PhoneMode struct {
	kind  phoneKind
	ring  time.Duration
	talk  time.Duration
	wait  time.Duration // AnswerAndPress: after answering, before the digit
	press string
}

type phoneKind int

const (
	phoneAnswer phoneKind = iota
	phoneNeverAnswer
	phoneBusy
)

// Answer rings for ring (180 Ringing), answers with 200 + SDP, and waits for
// the PBX's BYE. A CANCEL during the ring is answered 200 + 487.
func Answer(ring time.Duration) PhoneMode { return PhoneMode{kind: phoneAnswer, ring: ring} }

// AnswerAndHangUp is Answer, but the phone sends BYE itself after talk unless
// the PBX hangs up first.
func AnswerAndHangUp(ring, talk time.Duration) PhoneMode {
	return PhoneMode{kind: phoneAnswer, ring: ring, talk: talk}
}

// AnswerAndPress answers after ring, waits, presses digit (RFC 2833), and
// then waits for the PBX's BYE: a person accepting (1) or declining (2) a
// screened call.
func AnswerAndPress(ring, wait time.Duration, digit string) PhoneMode {
	return PhoneMode{kind: phoneAnswer, ring: ring, wait: wait, press: digit}
}

// NeverAnswer rings (180) until the PBX cancels: 200 to the CANCEL, 487 to the INVITE.
var NeverAnswer = PhoneMode{kind: phoneNeverAnswer}

// Busy answers every INVITE with 486 Busy Here.
var Busy = PhoneMode{kind: phoneBusy}

// String names the mode.
func (m PhoneMode) String() string {
	switch m.kind {
	case phoneNeverAnswer:
		return "NeverAnswer"
	case phoneBusy:
		return "Busy"
	}
	if m.talk > 0 {
		return fmt.Sprintf("AnswerAndHangUp(%v, %v)", m.ring, m.talk)
	}
	return fmt.Sprintf("Answer(%v)", m.ring)
}

const uasReplyHeaders = `[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:{{USER}}@[local_ip]:[local_port];transport=[transport]>`

// PhoneScenario renders the sipp UAS scenario for user (e.g. "1001").
func PhoneScenario(user string, m PhoneMode) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	reply := strings.ReplaceAll(uasReplyHeaders, "{{USER}}", user)
	logMsg := func(msg string) { w("<nop><action><log message=\"[clock_tick] %s [call_id]\"/></action></nop>\n", msg) }
	send := func(status, body string) {
		w("<send>\n<![CDATA[\nSIP/2.0 %s\n%s\nContent-Length: 0\n\n]]>\n</send>\n", status, reply)
		_ = body
	}
	captures := ""
	if m.kind == phoneAnswer && m.talk > 0 {
		// Only when used: sipp rejects variables that are set but never read.
		captures = `    <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="remote_from"/>
    <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="local_to"/>
    <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" check_it="true" assign_to="remote_contact"/>
`
	}
	w(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="switchboard phone %s">
<recv request="INVITE" crlf="true">
  <action>
%s    <log message="[clock_tick] invite [call_id]"/>
  </action>
</recv>
`, m, captures)
	cancelled := func() {
		w("<label id=\"800\"/>\n")
		logMsg("cancelled")
		w(`<send>
<![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]>
</send>
<send>
<![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
CSeq: [last_cseq_number] INVITE
Content-Length: 0

]]>
</send>
<recv request="ACK" next="999"/>
`)
	}
	switch m.kind {
	case phoneBusy:
		logMsg("busy")
		send("486 Busy Here", "")
		w("<recv request=\"ACK\" next=\"999\"/>\n")
	case phoneNeverAnswer:
		send("180 Ringing", "")
		logMsg("ringing")
		w("<recv request=\"CANCEL\" next=\"800\"/>\n")
		cancelled()
	case phoneAnswer:
		send("180 Ringing", "")
		logMsg("ringing")
		if ms := m.ring.Milliseconds(); ms > 0 {
			w("<recv request=\"CANCEL\" timeout=\"%d\" ontimeout=\"100\" next=\"800\"/>\n", ms)
		}
		w("<label id=\"100\"/>\n")
		w("%s<recv request=\"ACK\" rtd=\"true\" crlf=\"true\"/>\n", sipOKWithSDP(reply, "phone"))
		logMsg("answered")
		if m.press != "" {
			pcap, err := pcapFor(m.press)
			if err != nil {
				panic(err) // a test asked for a digit sipp has no recording of
			}
			w("<recv request=\"BYE\" timeout=\"%d\" ontimeout=\"150\" next=\"300\"/>\n", m.wait.Milliseconds())
			w("<label id=\"150\"/>\n")
			logMsg("pressed")
			w("<nop><action><exec play_pcap_audio=\"%s\"/></action></nop>\n", pcap)
		}
		if ms := m.talk.Milliseconds(); ms > 0 {
			w("<recv request=\"BYE\" timeout=\"%d\" ontimeout=\"200\" next=\"300\"/>\n", ms)
			w("<label id=\"200\"/>\n")
			logMsg("local-bye")
			w(`<send retrans="500">
<![CDATA[
%s

]]>
</send>
<recv response="200" next="999"/>
`, sipPhoneBYE(user))
		} else {
			w("<recv request=\"BYE\" next=\"300\"/>\n")
		}
		w("<label id=\"300\"/>\n")
		logMsg("remote-bye")
		w(`<send>
<![CDATA[
%s

]]>
</send>
<nop next="999"/>
`, sipOKToRequest)
		cancelled()
	}
	w("<label id=\"999\"/>\n</scenario>\n")
	return b.String()
}

// Phone is an agent's desk phone: a sipp UAS on 127.0.0.1 serving any
// number of consecutive calls until it is stopped.
type Phone struct {
	User string
	Port int
	Mode PhoneMode

	proc *sippProc
	mu   sync.Mutex
}

// StartPhone starts the phone of agent "100N" (n = 1..9) of pbx in mode m,
// listening on pbx.AgentPort(n). It is stopped at the test's cleanup.
func StartPhone(t testing.TB, pbx *PBX, n int, m PhoneMode) *Phone {
	t.Helper()
	return StartPhoneAt(t, fmt.Sprintf("100%d", n), pbx.AgentPort(n), m)
}

// StartPhoneAt starts a phone for user on 127.0.0.1:port.
func StartPhoneAt(t testing.TB, user string, port int, m PhoneMode) *Phone {
	t.Helper()
	dir, err := os.MkdirTemp(t.TempDir(), "phone-"+user+"-*")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-p", strconv.Itoa(port)}
	// A phone of the previous test on this port may still be letting go of
	// it (seen once in CI): retry a bind refused as in use, briefly.
	deadline := time.Now().Add(5 * time.Second)
	for {
		proc, err := startSipp(t, dir, "phone", PhoneScenario(user, m), args, 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		ph := &Phone{User: user, Port: port, Mode: m, proc: proc}
		err = waitUDPBound(port, proc, 5*time.Second)
		if err == nil {
			return ph
		}
		ph.Stop()
		out := readFile(proc.outFile)
		if !strings.Contains(out, "Address already in use") || time.Now().After(deadline) {
			t.Fatalf("testbed: phone %s: %v; output: %s", user, err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Log returns the phone's milestones so far, one per line:
// "<tick> invite|ringing|answered|busy|cancelled|remote-bye|local-bye <call-id>".
func (p *Phone) Log() string { return readFile(p.proc.logFile) }

// Count returns how many times a milestone ("invite", "answered", ...) was logged.
func (p *Phone) Count(what string) int {
	n := 0
	sc := bufio.NewScanner(strings.NewReader(p.Log()))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[1] == what {
			n++
		}
	}
	return n
}

// Calls is the number of INVITEs the phone has received.
func (p *Phone) Calls() int { return p.Count("invite") }

// WaitCount waits until milestone what has been logged at least n times.
func (p *Phone) WaitCount(what string, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		got := p.Count(what)
		if got >= n {
			return nil
		}
		if p.proc.exited() {
			return fmt.Errorf("phone %s exited after %d %q; output: %s", p.User, got, what, lastLines(readFile(p.proc.outFile), 20))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("phone %s: %d %q after %v, want %d; log:\n%s", p.User, got, what, timeout, n, p.Log())
		}
		time.Sleep(20 * time.Millisecond) // sipp reports only through its files
	}
}

// WaitCalls waits until the phone has received at least n INVITEs.
func (p *Phone) WaitCalls(n int, timeout time.Duration) error {
	return p.WaitCount("invite", n, timeout)
}

// ErrorLog is sipp's trace of unexpected messages and other errors (without
// the notices of the scenario's own receive timeouts).
func (p *Phone) ErrorLog() string { return sippErrors(readFile(p.proc.errFile)) }

// Stop kills the phone's sipp and waits for it to exit. Idempotent.
func (p *Phone) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.proc.kill()
	_, _ = p.proc.wait()
}

// ---------------------------------------------------------------- process
