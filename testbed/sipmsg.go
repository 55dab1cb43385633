package testbed

// Pieces of SIP shared by the sipp scenarios (phone.go, carrier.go, loadscenario.go).

import "fmt"

// sdpAudio is the body of an offer or answer: PCMU and RFC 4733 events on
// sipp's media port; origin names the side in the o= line.
func sdpAudio(origin string) string {
	return `v=0
o=` + origin + ` 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendrecv`
}

// sipOKToRequest answers the request just received (a BYE, a CANCEL) with
// 200 and no body.
const sipOKToRequest = `SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0`

// sipACKNon2xx acknowledges a final failure response (487, 486, …): the
// INVITE's Via and the response's To, as RFC 3261 17.1.1.3 asks; from is
// the INVITE's From line.
func sipACKNon2xx(from string) string {
	return `ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
` + from + `
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0`
}

// sipPhoneBYE is a phone's BYE to the PBX, from the values its scenario
// captured on the INVITE (remote_contact, local_to, remote_from); contact
// is the user part of its Contact ("" for none).
func sipPhoneBYE(contact string) string {
	if contact != "" {
		contact += "@"
	}
	return `BYE [$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From:[$local_to];tag=[pid]SIPpTag01[call_number]
To:[$remote_from]
Call-ID: [call_id]
CSeq: 1 BYE
Contact: <sip:` + contact + `[local_ip]:[local_port];transport=[transport]>
Max-Forwards: 70
Content-Length: 0`
}

// sipOKWithSDP is a UAS's sipp <send> of 200 OK with an audio offer
// (retransmitted until the ACK), reply being the copied request headers.
func sipOKWithSDP(reply, origin string) string {
	return fmt.Sprintf(`<send retrans="500">
<![CDATA[
SIP/2.0 200 OK
%s
Content-Type: application/sdp
Content-Length: [len]

%s
]]>
</send>
`, reply, sdpAudio(origin))
}
