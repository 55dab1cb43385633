package testbed

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	pcap   string
	status int
}

type stepKind int

const (
	stepPause stepKind = iota
	stepDigit
	stepHangUp
	stepExpectBYE
	stepAudio
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

// Audio starts playing an RTP capture (e.g. SpeechPcap) to the far end and
// waits d; the capture plays on in the background if d is shorter.
func Audio(pcap string, d time.Duration) Step { return Step{kind: stepAudio, pcap: pcap, d: d} }

// SpeechPcap is 7 s of G.711 A-law (payload type 8) shipped with sip-tester.
const SpeechPcap = PcapDir + "/g711a.pcap"

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
		case stepPause, stepExpectBYE, stepAudio:
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
%s

]]>
</send>
</scenario>
`, sipACKNon2xx(strings.SplitN(hdr(callerHeaders), "\n", 2)[0]))
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
	digitsSent := 0
	for i, s := range c.steps() {
		next := i + 1
		switch s.kind {
		case stepPause:
			w("<recv request=\"BYE\" timeout=\"%d\" ontimeout=\"%d\" next=\"900\"/>\n<label id=\"%d\"/>\n", ms(s.d), next, next)
		case stepDigit:
			pcap, err := dtmfPcap(s.digit, digitsSent)
			digitsSent++
			if err != nil {
				return "", err
			}
			logMsg("digit " + s.digit)
			w("<nop><action><exec play_pcap_audio=\"%s\"/></action></nop>\n", pcap)
			w("<recv request=\"BYE\" timeout=\"%d\" ontimeout=\"%d\" next=\"900\"/>\n<label id=\"%d\"/>\n", ms(digitPlayTime), next, next)
		case stepAudio:
			logMsg("audio " + filepath.Base(s.pcap))
			w("<nop><action><exec play_pcap_audio=\"%s\"/></action></nop>\n", s.pcap)
			w("<recv request=\"BYE\" timeout=\"%d\" ontimeout=\"%d\" next=\"900\"/>\n<label id=\"%d\"/>\n", ms(s.d), next, next)
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
