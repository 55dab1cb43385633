package testbed

import (
	"fmt"
	"time"
)

// The load benchmark's sipp scenarios. Both log one line per milestone as
// "[timestamp]|what|call-id|…": sipp's [timestamp] is the wall clock in
// microseconds, so the caller's and the phones' logs share one clock and the
// benchmark measures from SIP messages, not from Switchboard's own log.

// BenchPhonesScenario renders the UAS that plays every benchmark agent at
// once (their contacts share one port): each INVITE is answered at once
// (180, then 200 + SDP) and the phone hangs up after talk unless the PBX
// does first. The INVITE's To names the agent, its From the caller ID.
func BenchPhonesScenario(talk time.Duration) string { return ringingPhonesScenario(0, talk) }

// ringingPhonesScenario is BenchPhonesScenario with the phone ringing for
// ring before it answers.
func ringingPhonesScenario(ring, talk time.Duration) string {
	pause := ""
	if ring > 0 {
		pause = fmt.Sprintf("<pause milliseconds=\"%d\"/>\n", ring.Milliseconds())
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="switchboard bench phones">
<recv request="INVITE" crlf="true">
  <action>
    <ereg regexp=".*" search_in="hdr" header="From:" check_it="true" assign_to="remote_from"/>
    <ereg regexp=".*" search_in="hdr" header="To:" check_it="true" assign_to="local_to"/>
    <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" check_it="true" assign_to="remote_contact"/>
    <log message="[timestamp]|invite|[call_id]|[$local_to]|[$remote_from]"/>
  </action>
</recv>
<send>
<![CDATA[
SIP/2.0 180 Ringing
%[1]s
Content-Length: 0

]]>
</send>
%[6]s<send retrans="500">
<action><log message="[timestamp]|ok|[call_id]"/></action>
<![CDATA[
SIP/2.0 200 OK
%[1]s
Content-Type: application/sdp
Content-Length: [len]

%[3]s
]]>
</send>
<recv request="ACK" crlf="true"/>
<recv request="BYE" timeout="%[2]d" ontimeout="200" next="300">
  <action><log message="[timestamp]|remote-bye|[call_id]"/></action>
</recv>
<label id="200"/>
<send retrans="500">
<action><log message="[timestamp]|bye|[call_id]"/></action>
<![CDATA[
%[5]s

]]>
</send>
<recv response="200" next="999"/>
<label id="300"/>
<send>
<![CDATA[
%[4]s

]]>
</send>
<label id="999"/>
</scenario>
`, benchUASReply, talk.Milliseconds(), sdpAudio("phone"), sipOKToRequest, sipPhoneBYE(""), pause)
}

const benchUASReply = `[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>`

// BenchCallerScenario renders the UAC that places the benchmark's calls: the
// caller ID is prefix+[call_number] (unique per call, so the agent leg's
// From finds its caller). A caller waits up to patience for a 200 (app_queue
// rings it) and then cancels; one answered before an agent takes it
// (Switchboard answers at once) hangs up after patience plus talk.
func BenchCallerScenario(prefix string, patience, talk time.Duration) string {
	from := fmt.Sprintf(`From: "Caller" <sip:%s[call_number]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]`, prefix)
	wait := patience.Milliseconds()
	// Every provisional recv carries the patience: sipp arms the timeout of
	// the recv it is at, and 100/180 may or may not come. Logs are actions
	// of messages: a <nop> between a send and its answer makes sipp abort
	// the call when the answer arrives during it.
	return fmt.Sprintf(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="switchboard bench caller">
<send retrans="500">
<action><log message="[timestamp]|invite|[call_id]|%[2]s[call_number]"/></action>
<![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%[1]s
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:%[2]s[call_number]@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

%[5]s
]]>
</send>
<recv response="100" optional="true" timeout="%[3]d" ontimeout="50"/>
<recv response="180" optional="true" timeout="%[3]d" ontimeout="50"/>
<recv response="183" optional="true" timeout="%[3]d" ontimeout="50"/>
<recv response="200" timeout="%[3]d" ontimeout="50">
  <action><log message="[timestamp]|answered|[call_id]"/></action>
</recv>
<send>
<![CDATA[
%[8]s

]]>
</send>
<recv request="BYE" timeout="%[4]d" ontimeout="60" next="900">
  <action><log message="[timestamp]|remote-bye|[call_id]"/></action>
</recv>
<label id="60"/>
<send retrans="500">
<action><log message="[timestamp]|gave-up|[call_id]"/></action>
<![CDATA[
%[9]s

]]>
</send>
<recv response="200" timeout="5000" ontimeout="999" next="999"/>
<label id="50"/>
<send>
<action><log message="[timestamp]|abandon|[call_id]"/></action>
<![CDATA[
CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
%[1]s
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 CANCEL
Max-Forwards: 70
Content-Length: 0

]]>
</send>
<recv response="200" timeout="5000" ontimeout="999"/>
<recv response="487" timeout="5000" ontimeout="999"/>
<send next="999">
<![CDATA[
%[7]s

]]>
</send>
<label id="900"/>
<send>
<![CDATA[
%[6]s

]]>
</send>
<label id="999"/>
</scenario>
`, from, prefix, wait, (patience + talk).Milliseconds(), sdpAudio("caller"), sipOKToRequest,
		sipACKNon2xx(from), benchCallerInDialog(from, "ACK", 1), benchCallerInDialog(from, "BYE", 2))
}

// benchCallerInDialog is the bench caller's ACK to the 200 or its BYE.
func benchCallerInDialog(from, method string, cseq int) string {
	return fmt.Sprintf(`%[1]s sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
%[2]s
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: %[3]d %[1]s
Max-Forwards: 70
Content-Length: 0`, method, from, cseq)
}
