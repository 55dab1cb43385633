package testbed

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Carriers: sipp UAS processes that play a SIP trunk's far end. Every
// carrier answers OPTIONS (Asterisk's qualify) with 200 while it runs, so
// killing one is what makes the trunk unreachable.

// CarrierMode is how a carrier answers an INVITE.
type CarrierMode struct {
	reject int  // final failure response; 0: answer
	silent bool // send nothing at all
}

// CarrierAnswers rings briefly, answers with 200 + SDP and waits for BYE.
var CarrierAnswers = CarrierMode{}

// CarrierSilent receives the INVITE and never answers it (not even 100).
var CarrierSilent = CarrierMode{silent: true}

// CarrierRejects answers every INVITE with code (e.g. 503).
func CarrierRejects(code int) CarrierMode { return CarrierMode{reject: code} }

// The testbed's trunks (testbed/pbx.sh) and their carriers.
var (
	TrunkGood   = Trunk{Name: "carrier-good", N: 1}
	Trunk503    = Trunk{Name: "carrier-503", N: 2}
	TrunkSilent = Trunk{Name: "carrier-silent", N: 3}
)

// Trunk is one of the testbed's carrier trunks: its name in dialplan.trunks
// and its port offset from PBX.CarrierBasePort.
type Trunk struct {
	Name string
	N    int
}

// Port is where the trunk's carrier listens.
func (tr Trunk) Port(p *PBX) int { return p.CarrierBasePort + tr.N }

// CarrierScenario renders the sipp scenario of a carrier in mode m. An
// OPTIONS starts its own sipp call, answered 200 and done; an INVITE goes
// on by mode. Milestones are logged like a phone's: "<tick> invite <call-id>".
func CarrierScenario(m CarrierMode) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	reply := strings.ReplaceAll(uasReplyHeaders, "{{USER}}", "carrier")
	w(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="switchboard carrier">
<recv request="OPTIONS" optional="true" next="900"/>
<recv request="INVITE" crlf="true">
  <action><log message="[clock_tick] invite [call_id] [timestamp]"/></action>
</recv>
`)
	switch {
	case m.silent:
		// Wait for Asterisk's CANCEL, and still say nothing.
		w("<recv request=\"CANCEL\" timeout=\"60000\" ontimeout=\"999\" next=\"999\"/>\n")
	case m.reject > 0:
		w("<send>\n<![CDATA[\nSIP/2.0 %d Rejected\n%s\nContent-Length: 0\n\n]]>\n</send>\n", m.reject, reply)
		w("<recv request=\"ACK\" next=\"999\"/>\n")
	default:
		w("<send>\n<![CDATA[\nSIP/2.0 180 Ringing\n%s\nContent-Length: 0\n\n]]>\n</send>\n", reply)
		w(`%s<recv request="ACK" crlf="true">
  <action><log message="[clock_tick] answered [call_id]"/></action>
</recv>
<recv request="BYE"/>
<send>
<![CDATA[
%s

]]>
</send>
<nop next="999"/>
`, sipOKWithSDP(reply, "carrier"), sipOKToRequest)
	}
	w(`<label id="900"/>
<send>
<![CDATA[
%s

]]>
</send>
<label id="999"/>
</scenario>
`, sipOKToRequest)
	return b.String()
}

// Carrier is a running carrier.
type Carrier struct {
	Port int
	proc *sippProc
}

// StartCarrier starts a carrier in mode m on 127.0.0.1:port.
func StartCarrier(t testing.TB, port int, m CarrierMode) *Carrier {
	t.Helper()
	dir, err := os.MkdirTemp(t.TempDir(), "carrier-*")
	if err != nil {
		t.Fatal(err)
	}
	// The fixed carrier port can still be held a moment by whatever had it
	// before (seen once in a full run: errno 98 at start-up): retry, bounded.
	for attempt := 1; ; attempt++ {
		proc, err := startSipp(t, dir, "carrier", CarrierScenario(m), []string{"-p", strconv.Itoa(port)}, 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		c := &Carrier{Port: port, proc: proc}
		err = waitUDPBound(port, proc, 5*time.Second)
		if err == nil {
			t.Cleanup(c.Stop)
			return c
		}
		out := readFile(proc.outFile)
		c.Stop()
		if attempt < 10 && strings.Contains(out, "Address already in use") {
			time.Sleep(500 * time.Millisecond)
			continue
		}
		t.Fatalf("testbed: carrier on %d: %v; output: %s", port, err, out)
	}
}

// InviteTimes are when the carrier received each INVITE, on the wall
// clock sipp logs (the same clock as the phones' bench logs).
func (c *Carrier) InviteTimes() []time.Time {
	var out []time.Time
	for _, line := range strings.Split(c.Log(), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[1] != "invite" {
			continue
		}
		if epoch, err := strconv.ParseFloat(f[len(f)-1], 64); err == nil {
			out = append(out, time.UnixMicro(int64(epoch*1e6)))
		}
	}
	return out
}

// Log is the carrier's milestones so far.
func (c *Carrier) Log() string { return readFile(c.proc.logFile) }

// Stop kills the carrier's sipp (by its own PID) and waits for it.
func (c *Carrier) Stop() {
	c.proc.kill()
	_, _ = c.proc.wait()
}
