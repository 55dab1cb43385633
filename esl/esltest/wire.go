package esltest

import (
	"fmt"
	"strconv"
	"strings"
)

// Wire bytes, copied from the FreeSWITCH 1.10.12 captures
// (esl/testdata/*.recv.raw; esl's fixture test checks every one of them
// against the captures, so the fake cannot drift from the real switch).
const (
	AuthRequest   = "Content-Type: auth/request\n\n"
	AuthAccepted  = "Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
	AuthInvalid   = "Content-Type: command/reply\nReply-Text: -ERR invalid\n\n"
	CommandNotFnd = "Content-Type: command/reply\nReply-Text: -ERR command not found\n\n"
	EventsEnabled = "Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n"
	NoKeywords    = "Content-Type: command/reply\nReply-Text: -ERR no keywords supplied\n\n"
	ReplyOK       = "Content-Type: command/reply\nReply-Text: +OK\n\n"
	Bye           = "Content-Type: command/reply\nReply-Text: +OK bye\n\n"
	MyEventsOK    = "Content-Type: command/reply\nReply-Text: +OK Events Enabled\n\n"
	WillLinger    = "Content-Type: command/reply\nReply-Text: +OK will linger\n\n"
	Disconnect    = "Content-Type: text/disconnect-notice\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"

	// api bodies
	BodyOK            = "+OK\n"
	BodyMessageSent   = "+OK Message sent\n"
	BodySuccess       = "+OK Success\n"
	BodyNoSuchChannel = "-ERR No such channel!\n" // uuid_kill, uuid_getvar, uuid_dump
	BodyAnswerUnknown = "-ERROR\n"                // uuid_answer
	BodyBridgeUnknown = "-ERR Invalid uuid\n"     // uuid_bridge
	BodyRecordUnknown = "-ERR Cannot locate session!\n"
	BodyVersion       = "FreeSWITCH Version 1.10.12-release~64bit ( 64bit)\n"
	BodyNoChannels    = "{\"row_count\": 0}\n"
)

// APIResponse frames an api body.
func APIResponse(body string) string {
	return "Content-Type: api/response\nContent-Length: " + strconv.Itoa(len(body)) + "\n\n" + body
}

// JobAccepted is bgapi's reply.
func JobAccepted(jobID string) string {
	return "Content-Type: command/reply\nReply-Text: +OK Job-UUID: " + jobID + "\nJob-UUID: " + jobID + "\n\n"
}

// InvalidSession is sendmsg's reply for an unknown UUID.
func InvalidSession(uuid string) string {
	return "Content-Type: command/reply\nReply-Text: -ERR invalid session id [" + uuid + "]\n\n"
}

// UnknownAPI is api's body for a command FreeSWITCH does not have.
func UnknownAPI(cmd string) string { return "-ERR " + cmd + " Command not found!\n" }

// LingerNotice is the outbound socket's notice that the channel hung up
// and the socket lingers.
func LingerNotice(uuid, channelName string) string {
	return "Content-Type: text/disconnect-notice\nControlled-Session-UUID: " + uuid +
		"\nContent-Disposition: linger\nChannel-Name: " + channelName + "\nLinger-Time: -1\nContent-Length: 0\n\n"
}

// OutboundDisconnect is the outbound socket's last notice.
func OutboundDisconnect(uuid string) string {
	return "Content-Type: text/disconnect-notice\nControlled-Session-UUID: " + uuid +
		"\nContent-Disposition: disconnect\nContent-Length: 67\n\nDisconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
}

// Header is one event header; events keep FreeSWITCH's header order.
type Header struct{ Name, Value string }

// escape URL-encodes a header value as FreeSWITCH's switch_url_encode
// does for text/event-plain (space → %20, '+' kept).
func escape(v string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("-_.~/,()!*", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// PlainEvent frames an event as text/event-plain: the headers, URL-encoded,
// a blank line, and body when there is one (with its own Content-Length,
// as BACKGROUND_JOB carries it).
func PlainEvent(headers []Header, body string) string {
	var b strings.Builder
	for _, h := range headers {
		b.WriteString(h.Name)
		b.WriteString(": ")
		b.WriteString(escape(h.Value))
		b.WriteByte('\n')
	}
	if body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\n\n%s", len(body), body)
	} else {
		b.WriteByte('\n')
	}
	inner := b.String()
	return "Content-Length: " + strconv.Itoa(len(inner)) + "\nContent-Type: text/event-plain\n\n" + inner
}

// ConnectReply is the outbound socket's answer to connect: the channel's
// data as one header block ending in Reply-Text, Socket-Mode and Control.
func ConnectReply(headers []Header) string {
	var b strings.Builder
	for _, h := range headers {
		b.WriteString(h.Name + ": " + escape(h.Value) + "\n")
	}
	b.WriteString("Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n")
	return b.String()
}
