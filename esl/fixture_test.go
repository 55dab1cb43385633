package esl

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/esl/esltest"
	"switchboard/routing/pbx"
)

// The captures of a real FreeSWITCH 1.10.12 are copied into testdata so
// the package tests on its own; when the shared originals are beside the
// clone (CI has ../shared), the copies must equal them.
const sharedFixtures = "../../shared/fixtures/esl"

func captures(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob("testdata/*.recv.raw")
	if err != nil || len(names) == 0 {
		t.Fatalf("no captures in testdata: %v", err)
	}
	return names
}

func TestFixtureCopiesEqualOriginals(t *testing.T) {
	if _, err := os.Stat(sharedFixtures); err != nil {
		t.Logf("%s not present; testing the copies in testdata only", sharedFixtures)
		return
	}
	copies, _ := filepath.Glob("testdata/*.raw")
	for _, c := range copies {
		mine, _ := os.ReadFile(c)
		orig, err := os.ReadFile(filepath.Join(sharedFixtures, filepath.Base(c)))
		if err != nil {
			t.Errorf("%s: original: %v", c, err)
			continue
		}
		if !bytes.Equal(mine, orig) {
			t.Errorf("%s differs from %s", c, sharedFixtures)
		}
	}
}

// readAll frames every message of a capture.
func readAll(t testing.TB, name string) []*Message {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	fr := newFrameReader(bytes.NewReader(data), 0)
	var out []*Message
	for {
		m, err := fr.read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: message %d: %v", name, len(out), err)
		}
		out = append(out, m)
	}
}

// Every message FreeSWITCH sent in every capture frames, and every event
// decodes with an Event-Name.
func TestEveryCapturedMessageParses(t *testing.T) {
	for _, name := range captures(t) {
		msgs := readAll(t, name)
		if len(msgs) == 0 {
			t.Errorf("%s: no messages", name)
		}
		for i, m := range msgs {
			switch m.ContentType() {
			case typeEventPlain, typeEventJSON:
				ev, err := parseEvent(m)
				if err != nil {
					t.Errorf("%s: message %d: %v", name, i, err)
					continue
				}
				if ev.Name() == "" {
					t.Errorf("%s: message %d: no Event-Name", name, i)
				}
			case typeCommand, typeAPI, typeAuthRequest, typeDisconnect, typeLog:
			default:
				t.Errorf("%s: message %d: unknown Content-Type %q", name, i, m.ContentType())
			}
		}
	}
}

// The fake's replies are the captured bytes: each one the fake sends
// appears verbatim in what the real FreeSWITCH sent.
func TestFakeRepliesAreCapturedBytes(t *testing.T) {
	var all []byte
	for _, name := range captures(t) {
		b, _ := os.ReadFile(name)
		all = append(all, b...)
	}
	for _, w := range []string{
		esltest.AuthRequest, esltest.AuthAccepted, esltest.AuthInvalid, esltest.CommandNotFnd,
		esltest.EventsEnabled, esltest.NoKeywords, esltest.ReplyOK, esltest.Bye, esltest.MyEventsOK,
		esltest.WillLinger, esltest.Disconnect,
		esltest.APIResponse(esltest.BodyOK), esltest.APIResponse(esltest.BodyMessageSent),
		esltest.APIResponse(esltest.BodySuccess), esltest.APIResponse(esltest.BodyNoSuchChannel),
		esltest.APIResponse(esltest.BodyAnswerUnknown), esltest.APIResponse(esltest.BodyBridgeUnknown),
		esltest.APIResponse(esltest.BodyRecordUnknown), esltest.APIResponse(esltest.BodyVersion),
		esltest.APIResponse(esltest.BodyNoChannels),
		esltest.APIResponse(esltest.UnknownAPI("no_such_command")),
		esltest.JobAccepted("191239da-04af-402e-92b6-e0fb8e7e450f"),
		esltest.InvalidSession("00000000-1111-2222-3333-444444444444"),
		esltest.LingerNotice("d282e147-56b7-483f-b179-e644218aec04", "sofia/esl_test/sipp@127.0.0.1:5090"),
		esltest.OutboundDisconnect("d282e147-56b7-483f-b179-e644218aec04"),
		"+OK de5fb80a-4305-4405-a37c-6663c32fc255\n", // uuid_bridge's body shape
	} {
		if !bytes.Contains(all, []byte(w)) {
			t.Errorf("fake sends %q, which no capture contains", w)
		}
	}
}

// The fake's events are shaped like the real ones: framed and encoded the
// same way, they decode to the same pbx events as the captured ones.
func TestFakeEventsDecodeLikeCaptured(t *testing.T) {
	msgs := readAll(t, "testdata/inbound_plain_call_lifecycle.recv.raw")
	var real *Event
	for _, m := range msgs {
		if m.ContentType() == typeEventPlain {
			ev, _ := parseEvent(m)
			if ev.Name() == "DTMF" && ev.Get("DTMF-Digit") == "#" {
				real = ev
				break
			}
		}
	}
	if real == nil {
		t.Fatal("no DTMF # in the capture")
	}
	fake := esltest.PlainEvent([]esltest.Header{
		{Name: "Event-Name", Value: "DTMF"},
		{Name: "Event-Date-Timestamp", Value: real.Get(hdrTimestamp)},
		{Name: "Unique-ID", Value: real.Get(hdrUniqueID)},
		{Name: "Channel-Name", Value: real.Get("Channel-Name")},
		{Name: "DTMF-Digit", Value: "#"},
		{Name: "DTMF-Duration", Value: real.Get(hdrDTMFDuration)},
	}, "")
	// The encoding is FreeSWITCH's: the captured line for this header.
	if !strings.Contains(fake, "Channel-Name: sofia/esl_test/sipp%40127.0.0.1%3A5090\n") ||
		!strings.Contains(fake, "DTMF-Digit: %23\n") {
		t.Errorf("fake event not encoded like FreeSWITCH's:\n%s", fake)
	}
	fm, err := newFrameReader(strings.NewReader(fake), 0).read()
	if err != nil {
		t.Fatal(err)
	}
	fev, err := parseEvent(fm)
	if err != nil {
		t.Fatal(err)
	}
	reg := &fakeRegistry{}
	a := newDecoder("n", reg).decode(real, fromInbound, time.Time{})
	b := newDecoder("n", reg).decode(fev, fromInbound, time.Time{})
	if a != b {
		t.Errorf("captured decodes to %+v, fake to %+v", a, b)
	}
}

// fakeRegistry stands in for the driver's registry.
type fakeRegistry struct {
	legs      map[string]bool
	jobs      map[string]string
	playbacks map[string]string
}

func (r *fakeRegistry) isLeg(ch string) bool { return r.legs[ch] }
func (r *fakeRegistry) endLeg(ch string)     { delete(r.legs, ch) }
func (r *fakeRegistry) job(id string) (string, bool) {
	leg, ok := r.jobs[id]
	delete(r.jobs, id)
	return leg, ok
}
func (r *fakeRegistry) playback(id string) (string, string, bool) {
	ch, ok := r.playbacks[id]
	delete(r.playbacks, id)
	return id, ch, ok
}

// decodeCapture runs a capture's events through a decoder.
func decodeCapture(t *testing.T, name string, reg registry) []pbx.Event {
	t.Helper()
	dec := newDecoder("fs", reg)
	var out []pbx.Event
	for _, m := range readAll(t, name) {
		if m.ContentType() != typeEventPlain && m.ContentType() != typeEventJSON {
			continue
		}
		ev, err := parseEvent(m)
		if err != nil {
			t.Fatal(err)
		}
		if pe := dec.decode(ev, fromInbound, time.Time{}); pe != nil {
			out = append(out, pe)
		}
	}
	return out
}

func summary(evs []pbx.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		switch e := ev.(type) {
		case pbx.CallArrived:
			b.WriteString("arrived " + e.Channel[:8] + " " + e.Called + " " + e.Caller + "\n")
		case pbx.LegAnswered:
			b.WriteString("answered " + e.Channel[:8] + "\n")
		case pbx.LegRinging:
			b.WriteString("ringing " + e.Channel[:8] + "\n")
		case pbx.DTMFReceived:
			b.WriteString("dtmf " + e.Channel[:8] + " " + e.Digit + " " + e.Duration.String() + "\n")
		case pbx.ChannelHungUp:
			b.WriteString("hungup " + e.Channel[:8] + " " + e.Cause.String() + "\n")
		case pbx.PlaybackFinished:
			b.WriteString("played " + e.PlaybackID + "\n")
		default:
			b.WriteString(ev.Kind() + "\n")
		}
	}
	return b.String()
}

// The real call lifecycle (plain events): the originated leg answers,
// digits arrive in order, each channel ends once with its Q.850 cause.
func TestDecodeCapturedLifecyclePlain(t *testing.T) {
	reg := &fakeRegistry{legs: map[string]bool{"de5fb80a-4305-4405-a37c-6663c32fc255": true},
		jobs: map[string]string{"191239da-04af-402e-92b6-e0fb8e7e450f": "de5fb80a-4305-4405-a37c-6663c32fc255"}}
	got := summary(decodeCapture(t, "testdata/inbound_plain_call_lifecycle.recv.raw", reg))
	want := `answered de5fb80a
dtmf ddadad69 1 160ms
dtmf 88b0751c 1 160ms
dtmf ddadad69 2 160ms
dtmf 88b0751c 2 160ms
dtmf ddadad69 # 160ms
dtmf 88b0751c # 160ms
hungup ddadad69 normal
hungup de5fb80a normal
hungup 88b0751c normal
`
	if got != want {
		t.Errorf("decoded:\n%s\nwant:\n%s", got, want)
	}
}

// The same flow with event json ALL: the parked call arrives (CHANNEL_PARK).
func TestDecodeCapturedLifecycleJSON(t *testing.T) {
	reg := &fakeRegistry{legs: map[string]bool{"ad7815a2-3f3b-43fc-93cd-dd7b51f2f572": true}}
	got := summary(decodeCapture(t, "testdata/inbound_json_all.recv.raw", reg))
	if !strings.HasPrefix(got, "arrived 35ed5681 park1002 sipp\nanswered ad7815a2\n") {
		t.Errorf("decoded:\n%s", got)
	}
	for _, ch := range []string{"35ed5681", "ad7815a2", "d1d05563"} {
		if n := strings.Count(got, "hungup "+ch); n != 1 {
			t.Errorf("%s hung up %d times:\n%s", ch, n, got)
		}
	}
	if !strings.Contains(got, "dtmf 35ed5681 1 160ms\ndtmf d1d05563 1 160ms\ndtmf 35ed5681 2") {
		t.Errorf("digits out of order:\n%s", got)
	}
}

// The outbound connect reply is one header block of channel data.
func TestCapturedOutboundConnectReply(t *testing.T) {
	msgs := readAll(t, "testdata/outbound_socket_session.recv.raw")
	m := msgs[0]
	if m.ContentType() != typeCommand || m.ReplyText() != "+OK\n" || m.Header.Get("Socket-Mode") != "async" {
		t.Fatalf("connect reply: %q %q", m.ContentType(), m.ReplyText())
	}
	dec := newDecoder("fs", &fakeRegistry{})
	ev := dec.arrive(pbx.Base{}, &Event{Header: m.Header}).(pbx.CallArrived)
	if ev.Channel != "d282e147-56b7-483f-b179-e644218aec04" || ev.Called != "1001" || ev.Caller != "sipp" ||
		ev.SIPCallID == "" {
		t.Errorf("CallArrived %+v", ev)
	}
	got := summary(decodeCapture(t, "testdata/outbound_socket_session.recv.raw", &fakeRegistry{}))
	if got != "dtmf d282e147 1 160ms\ndtmf d282e147 2 160ms\ndtmf d282e147 # 160ms\nhungup d282e147 normal\n" {
		t.Errorf("decoded:\n%s", got)
	}
}

// A failed originate whose leg never existed ends through its job.
func TestFailedJobEndsLeg(t *testing.T) {
	reg := &fakeRegistry{legs: map[string]bool{"leg-1": true}, jobs: map[string]string{"job-1": "leg-1"}}
	dec := newDecoder("fs", reg)
	ev := dec.decode(&Event{Header: Header{"Event-Name": "BACKGROUND_JOB", "Job-UUID": "job-1"}, Body: "-ERR USER_BUSY\n"},
		fromInbound, time.Unix(1, 0))
	h, ok := ev.(pbx.ChannelHungUp)
	if !ok || h.Channel != "leg-1" || h.Cause != pbx.CauseUserBusy {
		t.Fatalf("got %#v", ev)
	}
}
