package esl

import (
	"bytes"
	"testing"
	"time"
)

// benchEvents returns the raw events (framing included) of a capture.
func benchEvents(b *testing.B, name, contentType string) [][]byte {
	var out [][]byte
	for _, m := range readAll(b, name) {
		if m.ContentType() == contentType {
			// Re-frame as on the wire.
			raw := []byte("Content-Length: " + itoa(len(m.Body)) + "\nContent-Type: " + contentType + "\n\n")
			out = append(out, append(raw, m.Body...))
		}
	}
	if len(out) == 0 {
		b.Fatalf("%s: no %s events", name, contentType)
	}
	return out
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

// benchDecode frames, parses and decodes one event per iteration: the
// work the deliverer does per event.
func benchDecode(b *testing.B, events [][]byte) {
	var size int64
	for _, e := range events {
		size += int64(len(e))
	}
	b.SetBytes(size / int64(len(events)))
	reg := &fakeRegistry{legs: map[string]bool{}, jobs: map[string]string{}, playbacks: map[string]string{}}
	dec := newDecoder("fs", reg)
	r := bytes.NewReader(nil)
	fr := newFrameReader(r, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r.Reset(events[i%len(events)])
		fr.r.Reset(r)
		m, err := fr.read()
		if err != nil {
			b.Fatal(err)
		}
		ev, err := parseEvent(m)
		if err != nil {
			b.Fatal(err)
		}
		dec.decode(ev, fromInbound, time.Time{})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeEventPlain: the events of a real call (text/event-plain,
// 0.8–11 KB each, ~150 headers).
func BenchmarkDecodeEventPlain(b *testing.B) {
	benchDecode(b, benchEvents(b, "testdata/inbound_plain_call_lifecycle.recv.raw", typeEventPlain))
}

// BenchmarkDecodeEventJSON: the same flow as text/event-json (event json ALL).
func BenchmarkDecodeEventJSON(b *testing.B) {
	benchDecode(b, benchEvents(b, "testdata/inbound_json_all.recv.raw", typeEventJSON))
}
