package esl

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// FuzzReadMessage: any byte stream frames into messages or a clear error;
// never a panic, never a body above the cap.
func FuzzReadMessage(f *testing.F) {
	f.Add([]byte("Content-Type: auth/request\n\n"))
	f.Add([]byte("Content-Type: api/response\nContent-Length: 5\n\nfalse"))
	f.Add([]byte("Content-Type: api/response\nContent-Length: 99999999999\n\n"))
	f.Add([]byte("Content-Length: -1\n\n"))
	f.Add([]byte("no colon here\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const max = 1 << 16
		fr := newFrameReader(bytes.NewReader(data), max)
		for range 64 {
			m, err := fr.read()
			if err != nil {
				var fe *FrameError
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &fe) {
					t.Fatalf("unexpected error type %T: %v", err, err)
				}
				return
			}
			if len(m.Body) > max {
				t.Fatalf("body of %d bytes above the cap", len(m.Body))
			}
			if ct := m.ContentType(); ct == typeEventPlain || ct == typeEventJSON {
				if ev, err := parseEvent(m); err == nil {
					newDecoder("n", &fakeRegistry{}).decode(ev, fromInbound, time.Time{})
				}
			}
		}
	})
}

// FuzzParseEvent: any event body decodes or fails clearly, and whatever
// decodes goes through the pbx decoder without a panic.
func FuzzParseEvent(f *testing.F) {
	f.Add(true, []byte("Event-Name: DTMF\nUnique-ID: a\nDTMF-Digit: %23\nDTMF-Duration: 1280\n\n"))
	f.Add(true, []byte("Event-Name: BACKGROUND_JOB\nJob-UUID: j\nContent-Length: 15\n\n-ERR USER_BUSY\n"))
	f.Add(true, []byte("Event-Name: BACKGROUND_JOB\nContent-Length: 900\n\nshort"))
	f.Add(false, []byte(`{"Event-Name":"CHANNEL_HANGUP","Unique-ID":"a","Hangup-Cause":"USER_BUSY","variable_DP_MATCH":["a","b"]}`))
	f.Add(false, []byte(`{"Event-Name":7}`))
	f.Fuzz(func(t *testing.T, plain bool, body []byte) {
		ct := typeEventJSON
		if plain {
			ct = typeEventPlain
		}
		ev, err := parseEvent(&Message{Header: Header{"Content-Type": ct}, Body: body})
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error")
			}
			return
		}
		if ev.Name() == "" {
			t.Fatal("event without a name decoded")
		}
		reg := &fakeRegistry{legs: map[string]bool{ev.Get(hdrUniqueID): true},
			jobs: map[string]string{ev.Get(hdrJobUUID): "leg"}, playbacks: map[string]string{ev.Get(hdrAppUUID): "ch"}}
		newDecoder("n", reg).decode(ev, fromInbound, time.Time{})
	})
}
