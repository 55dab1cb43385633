package testbed

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// PcapDir holds the RFC 2833 DTMF captures shipped with Debian's sip-tester:
// dtmf_2833_0.pcap … dtmf_2833_9.pcap, dtmf_2833_star.pcap, dtmf_2833_pound.pcap
// (payload type 101, ten packets, 140 ms each).
const PcapDir = "/usr/share/sip-tester"

// digitPlayTime is how long the caller waits after starting a DTMF pcap:
// play_pcap_audio is asynchronous and one capture lasts 140 ms.
const digitPlayTime = 300 * time.Millisecond

// SippBinary is the sipp executable; tests may override it.
var SippBinary = "sipp"

// ---------------------------------------------------------------- caller

// Step is one action of a Caller's script after the call is answered.
type Step struct {
	kind   stepKind
	d      time.Duration
	digit  string
	status int
}

type stepKind int

const (
	stepPause stepKind = iota
	stepDigit
	stepHangUp
	stepExpectBYE
)

// Pause waits d. A BYE from the far end during the pause is answered.
func Pause(d time.Duration) Step { return Step{kind: stepPause, d: d} }

// Digit sends one RFC 2833 digit ("0"-"9", "*", "#") from the pcap files and
// waits until the capture has been played.
func Digit(d string) Step { return Step{kind: stepDigit, digit: d} }

// Digits sends each digit of s in turn.
func Digits(s string) []Step {
	var steps []Step
	for _, r := range s {
		steps = append(steps, Digit(string(r)))
	}
	return steps
}

// HangUp ends the call from the caller's side: BYE, expect 200. It must be last.
func HangUp() Step { return Step{kind: stepHangUp} }

// ExpectBYE waits up to within for the far end's BYE and answers 200. It must
// be last. A BYE that arrives during an earlier step also satisfies it.
func ExpectBYE(within time.Duration) Step { return Step{kind: stepExpectBYE, d: within} }

func pcapFor(digit string) (string, error) {
	name := digit
	switch digit {
	case "*":
		name = "star"
	case "#":
		name = "pound"
	default:
		if len(digit) != 1 || digit[0] < '0' || digit[0] > '9' {
			return "", fmt.Errorf("testbed: no DTMF pcap for digit %q", digit)
		}
	}
	return filepath.Join(PcapDir, "dtmf_2833_"+name+".pcap"), nil
}

// Caller is a SIP caller (a sipp UAC) that places one call to Number at the
// PBX and, once answered, runs Steps.
type Caller struct {
	// Target is the PBX's SIP address, "127.0.0.1:5060" (PBX.SIPAddr).
	Target string
	// Number is the dialled number (the Request-URI user), e.g. "100".
	Number string
	// From is the caller's user part (the caller ID number); default "5550100".
	From string
	// Reject, when not 0, expects the call to be refused with this final status
	// (e.g. 603) instead of answered; Steps are then ignored.
	Reject int
	// AnswerTimeout bounds the wait for the final response; default 10 s.
	AnswerTimeout time.Duration
	// Steps run after the 200 OK is acknowledged. The last step must be
	// HangUp or ExpectBYE; if neither is given, HangUp is appended.
	Steps []Step
	// Timeout bounds the whole sipp run (it is killed after it); default: the
	// sum of the steps' times plus AnswerTimeout plus 10 s.
	Timeout time.Duration
	// Headers are extra header lines for the INVITE ("X-Foo: bar").
	Headers []string
}

// CallResult is what a finished Caller reports.
type CallResult struct {
	// Err is nil when the call went as the script said.
	Err error
	// ExitCode is sipp's: 0 all calls succeeded, 1 some failed, others fatal.
	ExitCode int
	// Answered: a 200 OK to the INVITE arrived.
	Answered bool
	// RemoteHangup: the far end sent BYE (and got 200).
	RemoteHangup bool
	// Rejected is the final status received when Reject was set.
	Rejected int
	// Log is the scenario's own trace (one line per milestone); ErrorLog is
	// sipp's unexpected-message trace; Output is sipp's stdout/stderr.
	Log, ErrorLog, Output string
	// Dir holds the scenario and sipp's files.
	Dir string
}

func (c Caller) from() string {
	if c.From == "" {
		return "5550100"
	}
	return c.From
}

func (c Caller) answerTimeout() time.Duration {
	if c.AnswerTimeout <= 0 {
		return 10 * time.Second
	}
	return c.AnswerTimeout
}

func (c Caller) steps() []Step {
	steps := append([]Step(nil), c.Steps...)
	if n := len(steps); n == 0 || (steps[n-1].kind != stepHangUp && steps[n-1].kind != stepExpectBYE) {
		steps = append(steps, HangUp())
	}
	return steps
}

func (c Caller) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	total := c.answerTimeout() + 10*time.Second
	for _, s := range c.steps() {
		switch s.kind {
		case stepPause, stepExpectBYE:
			total += s.d
		case stepDigit:
			total += digitPlayTime
		}
	}
	return total
}

const callerHeaders = `From: "Caller" <sip:{{FROM}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>`

// CallerScenario renders the sipp UAC scenario XML.
func (c Caller) CallerScenario() (string, error) {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	from := c.from()
	hdr := func(s string) string { return strings.ReplaceAll(s, "{{FROM}}", from) }
	extra := ""
	for _, h := range c.Headers {
		extra += strings.TrimSpace(h) + "\n"
	}
	w(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="switchboard caller">
<send retrans="500" start_rtd="true">
<![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%s
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:%s@[local_ip]:[local_port]>
Max-Forwards: 70
User-Agent: switchboard-testbed-caller
%sContent-Type: application/sdp
Content-Length: [len]

v=0
o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendrecv
]]>
</send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="183" optional="true"/>
`, hdr(callerHeaders), from, extra)
	ms := func(d time.Duration) int64 {
		if d < time.Millisecond {
			return 1
		}
		return d.Milliseconds()
	}
	logMsg := func(msg string) { w("<nop><action><log message=\"[clock_tick] %s\"/></action></nop>\n", msg) }
	if c.Reject != 0 {
		w(`<recv response="%d" timeout="%d" rtd="true"/>
`, c.Reject, ms(c.answerTimeout()))
		logMsg(fmt.Sprintf("rejected %d", c.Reject))
		w(`<send>
<![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
%s
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]>
</send>
</scenario>
`, strings.SplitN(hdr(callerHeaders), "\n", 2)[0])
		return b.String(), nil
	}
	w(`<recv response="200" timeout="%d" rtd="true"/>
`, ms(c.answerTimeout()))
	logMsg("answered")
	w(`<send>
<![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%s[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:%s@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]>
</send>
`, hdr(callerHeaders), from)
	// Labels: 1..n after each step, 900 remote BYE, 999 end.
	for i, s := range c.steps() {
		next := i + 1
		switch s.kind {
		case stepPause:
			w("<recv request=\"BYE\" timeout=\"%d\" ontimeout=\"%d\" next=\"900\"/>\n<label id=\"%d\"/>\n", ms(s.d), next, next)
		case stepDigit:
			pcap, err := pcapFor(s.digit)
			if err != nil {
				return "", err
			}
			logMsg("digit " + s.digit)
			w("<nop><action><exec play_pcap_audio=\"%s\"/></action></nop>\n", pcap)
			w("<recv request=\"BYE\" timeout=\"%d\" ontimeout=\"%d\" next=\"900\"/>\n<label id=\"%d\"/>\n", ms(digitPlayTime), next, next)
		case stepHangUp:
			logMsg("local-bye")
			w(`<send retrans="500">
<![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%s[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: <sip:%s@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]>
</send>
<recv response="200" crlf="true" next="999"/>
`, hdr(callerHeaders), from)
		case stepExpectBYE:
			w("<recv request=\"BYE\" timeout=\"%d\" next=\"900\"/>\n", ms(s.d))
		}
	}
	w(`<label id="900"/>
<nop><action><log message="[clock_tick] remote-bye"/></action></nop>
<send>
<![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:%s@[local_ip]:[local_port]>
Content-Length: 0

]]>
</send>
<label id="999"/>
</scenario>
`, from)
	return b.String(), nil
}

// CallerRun is a Caller in progress.
type CallerRun struct {
	proc   *sippProc
	caller Caller
	once   sync.Once
	res    CallResult
}

// Start launches the caller's sipp and returns at once. The process is
// killed at the test's cleanup if it is still running.
func (c Caller) Start(t testing.TB) *CallerRun {
	t.Helper()
	if c.Target == "" || c.Number == "" {
		t.Fatalf("testbed: Caller needs Target and Number")
	}
	xml, err := c.CallerScenario()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(t.TempDir(), "caller-*")
	if err != nil {
		t.Fatal(err)
	}
	sipPort, err := FreeUDPPort()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{
		"-s", c.Number, c.Target,
		"-m", "1", "-l", "1",
		"-p", strconv.Itoa(sipPort),
	}
	proc, err := startSipp(t, dir, "caller", xml, args, c.timeout())
	if err != nil {
		t.Fatal(err)
	}
	return &CallerRun{proc: proc, caller: c}
}

// Wait waits for the caller's sipp to end and returns its result.
func (r *CallerRun) Wait() CallResult {
	r.once.Do(func() {
		code, err := r.proc.wait()
		res := CallResult{ExitCode: code, Dir: r.proc.dir}
		res.Log = readFile(r.proc.logFile)
		res.ErrorLog = sippErrors(readFile(r.proc.errFile))
		res.Output = readFile(r.proc.outFile)
		res.Answered = strings.Contains(res.Log, " answered")
		res.RemoteHangup = strings.Contains(res.Log, " remote-bye")
		if r.caller.Reject != 0 && strings.Contains(res.Log, " rejected ") {
			res.Rejected = r.caller.Reject
		}
		switch {
		case err != nil:
			res.Err = err
		case code != 0:
			res.Err = fmt.Errorf("sipp caller exited %d; errors: %s; log: %s", code, lastLines(res.ErrorLog, 40), lastLines(res.Output, 10))
		case r.caller.Reject == 0 && !res.Answered:
			res.Err = errors.New("call was not answered")
		case r.caller.Reject == 0 && r.caller.steps()[len(r.caller.steps())-1].kind == stepHangUp && res.RemoteHangup:
			res.Err = errors.New("the far end hung up before the caller's HangUp step")
		}
		r.res = res
	})
	return r.res
}

// Stop kills the caller's sipp (if running) and returns its result.
func (r *CallerRun) Stop() CallResult {
	r.proc.kill()
	return r.Wait()
}

// Run starts the caller and waits for it to finish.
func (c Caller) Run(t testing.TB) CallResult {
	t.Helper()
	return c.Start(t).Wait()
}

// ---------------------------------------------------------------- phone

// PhoneMode says how a Phone treats each INVITE.
type PhoneMode struct {
	kind phoneKind
	ring time.Duration
	talk time.Duration
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
		w(`<send retrans="500">
<![CDATA[
SIP/2.0 200 OK
%s
Content-Type: application/sdp
Content-Length: [len]

v=0
o=phone 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendrecv
]]>
</send>
<recv request="ACK" rtd="true" crlf="true"/>
`, reply)
		logMsg("answered")
		if ms := m.talk.Milliseconds(); ms > 0 {
			w("<recv request=\"BYE\" timeout=\"%d\" ontimeout=\"200\" next=\"300\"/>\n", ms)
			w("<label id=\"200\"/>\n")
			logMsg("local-bye")
			w(`<send retrans="500">
<![CDATA[
BYE [$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From:[$local_to];tag=[pid]SIPpTag01[call_number]
To:[$remote_from]
Call-ID: [call_id]
CSeq: 1 BYE
Contact: <sip:%s@[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Length: 0

]]>
</send>
<recv response="200" next="999"/>
`, user)
		} else {
			w("<recv request=\"BYE\" next=\"300\"/>\n")
		}
		w("<label id=\"300\"/>\n")
		logMsg("remote-bye")
		w(`<send>
<![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]>
</send>
<nop next="999"/>
`)
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
	proc, err := startSipp(t, dir, "phone", PhoneScenario(user, m), args, 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ph := &Phone{User: user, Port: port, Mode: m, proc: proc}
	if err := waitUDPBound(port, proc, 5*time.Second); err != nil {
		ph.Stop()
		t.Fatalf("testbed: phone %s: %v; output: %s", user, err, readFile(proc.outFile))
	}
	return ph
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

type sippProc struct {
	cmd                       *exec.Cmd
	dir                       string
	logFile, errFile, outFile string
	cancel                    context.CancelFunc
	done                      chan struct{}
	code                      int
	err                       error
}

func startSipp(t testing.TB, dir, name, scenario string, args []string, lifetime time.Duration) (*sippProc, error) {
	t.Helper()
	sf := filepath.Join(dir, name+".xml")
	if err := os.WriteFile(sf, []byte(scenario), 0o644); err != nil {
		return nil, err
	}
	mp, err := FreeUDPPortRange(4)
	if err != nil {
		return nil, err
	}
	cp, err := FreeUDPPort()
	if err != nil {
		return nil, err
	}
	p := &sippProc{
		dir:     dir,
		logFile: filepath.Join(dir, name+".log"),
		errFile: filepath.Join(dir, name+"-errors.log"),
		outFile: filepath.Join(dir, name+".out"),
		done:    make(chan struct{}),
	}
	secs := int((lifetime + time.Second - 1) / time.Second)
	full := append([]string{
		"-sf", sf,
		"-i", "127.0.0.1",
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(mp),
		"-cp", strconv.Itoa(cp),
		"-nostdin",
		"-trace_err", "-error_file", p.errFile,
		"-trace_logs", "-log_file", p.logFile,
		"-timeout", strconv.Itoa(secs) + "s", "-timeout_error",
		"-max_recv_loops", "1000",
	}, args...)
	out, err := os.Create(p.outFile)
	if err != nil {
		return nil, err
	}
	// The context is a hard bound on top of sipp's own -timeout.
	ctx, cancel := context.WithTimeout(context.Background(), lifetime+5*time.Second)
	p.cancel = cancel
	cmd := exec.CommandContext(ctx, SippBinary, full...)
	cmd.Dir = dir
	cmd.Stdin = nil
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.Env = append(os.Environ(), "TERM=dumb")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		out.Close()
		return nil, fmt.Errorf("testbed: start sipp: %w", err)
	}
	p.cmd = cmd
	go func() {
		err := cmd.Wait()
		out.Close()
		p.code = cmd.ProcessState.ExitCode()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			p.err = err
		}
		if ctx.Err() != nil {
			p.err = fmt.Errorf("sipp %s killed after its deadline of %v", name, lifetime+5*time.Second)
		}
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		_, _ = p.wait()
	})
	return p, nil
}

func (p *sippProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill sends SIGKILL to the sipp process (by its PID) if it is still running.
func (p *sippProc) kill() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
}

func (p *sippProc) wait() (int, error) {
	<-p.done
	return p.code, p.err
}

// waitUDPBound waits until something is bound to 127.0.0.1:port (sipp's SIP
// socket), so calls can be sent to a phone as soon as StartPhone returns.
func waitUDPBound(port int, p *sippProc, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
		if err != nil {
			return nil // bound by sipp
		}
		c.Close()
		if p.exited() {
			return errors.New("sipp exited at start-up")
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("port %d not bound after %v", port, timeout)
		}
		time.Sleep(10 * time.Millisecond) // no event to wait on: poll the port
	}
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort() (int, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// FreeUDPPortRange returns an even port p such that p..p+n-1 were free on
// 127.0.0.1 (sipp's media uses the port and the ones after it).
func FreeUDPPortRange(n int) (int, error) {
	for try := 0; try < 50; try++ {
		base, err := FreeUDPPort()
		if err != nil {
			return 0, err
		}
		base &^= 1
		if base+n > 65535 || base < 1024 {
			continue
		}
		ok := true
		var held []*net.UDPConn
		for i := 0; i < n && ok; i++ {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: base + i})
			if err != nil {
				ok = false
				break
			}
			held = append(held, c)
		}
		for _, c := range held {
			c.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("testbed: no free UDP port range")
}

// sippTimestamp starts each entry of sipp's error file; entries are not
// always separated by a newline.
var sippTimestamp = regexp.MustCompile(`\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d+\t`)

// sippErrors returns the entries of sipp's error file that are real errors:
// the scenarios use receive timeouts (ontimeout) as interruptible pauses, and
// sipp notes each of them there.
func sippErrors(s string) string {
	idx := sippTimestamp.FindAllStringIndex(s, -1)
	var out []string
	for i, loc := range idx {
		end := len(s)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		e := strings.TrimSpace(s[loc[0]:end])
		if strings.Contains(e, "receive timeout on message") && strings.Contains(e, "jumping to label") {
			continue
		}
		out = append(out, e)
	}
	return strings.Join(out, "\n")
}

func readFile(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	return string(b)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
