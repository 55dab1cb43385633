package ari

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

// fakeLegs is a legSet for decoder tests.
type fakeLegs map[string]bool

func (f fakeLegs) isLeg(ch string) bool { return f[ch] }
func (f fakeLegs) endLeg(ch string)     { delete(f, ch) }
func (f fakeLegs) isSpy(ch string) bool { return strings.HasPrefix(ch, spyPrefix) }

var (
	recvTime = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	evTime   = time.Date(2026, 11, 23, 17, 10, 0, 123e6, time.UTC)
)

func base() pbx.Base { return pbx.Base{Time: evTime, Node: "pbx1"} }

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		legs fakeLegs
		want pbx.Event
	}{
		{"inbound StasisStart", aritest.StasisStart("in-1", "13800138000", "4000", "sales", "vip"), nil,
			pbx.CallArrived{Base: base(), Channel: "in-1", Caller: "13800138000", Called: "4000",
				Args: []string{"sales", "vip"}, SIPCallID: "in-1@127.0.0.1"}},
		{"inbound StasisStart no args", aritest.StasisStart("in-1", "1000", "4000"), nil,
			pbx.CallArrived{Base: base(), Channel: "in-1", Caller: "1000", Called: "4000",
				Args: []string{}, SIPCallID: "in-1@127.0.0.1"}},
		{"originated leg StasisStart", aritest.StasisStart("leg-1", "", ""), fakeLegs{"leg-1": true},
			pbx.LegAnswered{Base: base(), Channel: "leg-1"}},
		{"leg ringing", aritest.ChannelStateChange("leg-1", "Ringing"), fakeLegs{"leg-1": true},
			pbx.LegRinging{Base: base(), Channel: "leg-1"}},
		{"ringing not a leg", aritest.ChannelStateChange("in-1", "Ringing"), nil, nil},
		{"leg up state", aritest.ChannelStateChange("leg-1", "Up"), fakeLegs{"leg-1": true}, nil},
		{"dtmf", aritest.ChannelDtmfReceived("in-1", "5", 120), nil,
			pbx.DTMFReceived{Base: base(), Channel: "in-1", Digit: "5", Duration: 120 * time.Millisecond}},
		{"playback done", aritest.PlaybackFinished("pb-1", "in-1", "done"), nil,
			pbx.PlaybackFinished{Base: base(), PlaybackID: "pb-1", Channel: "in-1"}},
		{"playback failed", aritest.PlaybackFinished("pb-1", "in-1", "failed"), nil,
			pbx.PlaybackFinished{Base: base(), PlaybackID: "pb-1", Channel: "in-1", Failed: true}},
		{"destroyed busy", aritest.ChannelDestroyed("leg-1", 17), fakeLegs{"leg-1": true},
			pbx.ChannelHungUp{Base: base(), Channel: "leg-1", Cause: pbx.CauseUserBusy}},
		{"destroyed no answer", aritest.ChannelDestroyed("leg-1", 19), nil,
			pbx.ChannelHungUp{Base: base(), Channel: "leg-1", Cause: pbx.CauseNoAnswer}},
		{"hangup request", aritest.ChannelHangupRequest("in-1", 16), nil,
			pbx.ChannelHungUp{Base: base(), Channel: "in-1", Cause: pbx.CauseNormal}},
		{"soft hangup request carries a flag, not Q.850",
			`{"cause":32,"soft":true,"type":"ChannelHangupRequest","timestamp":"2026-11-23T17:10:00.123+0000","channel":{"id":"leg-1"}}`,
			nil, pbx.ChannelHungUp{Base: base(), Channel: "leg-1", Cause: pbx.CauseNormal}},
		{"stasis end", aritest.StasisEnd("in-1"), nil,
			pbx.ChannelHungUp{Base: base(), Channel: "in-1", Cause: pbx.CauseNormal}},
		{"no timestamp: receive time", `{"type":"StasisEnd","channel":{"id":"in-1"}}`, nil,
			pbx.ChannelHungUp{Base: pbx.Base{Time: recvTime, Node: "pbx1"}, Channel: "in-1", Cause: pbx.CauseNormal}},
		{"varset skipped", `{"type":"ChannelVarset","timestamp":"2026-11-23T17:10:00.123+0000","variable":"X","value":"1","channel":{"id":"in-1"}}`, nil, nil},
		{"transfer skipped", `{"type":"ChannelTransfer","timestamp":"2026-11-23T17:10:00.123+0000","refer_to":{"x":1}}`, nil, nil},
		{"tone skipped", `{"type":"ChannelToneDetected","timestamp":"2026-11-23T17:10:00.123+0000","channel":{"id":"in-1"}}`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			legs := tt.legs
			if legs == nil {
				legs = fakeLegs{}
			}
			d := &decoder{node: "pbx1", legs: legs}
			got, typ, err := d.decode([]byte(tt.msg), recvTime)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if typ == "" {
				t.Error("no type returned")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, msg := range []string{
		`not json`,
		`{"timestamp":"x"}`,
		`{"type":"StasisStart"}`,
		`{"type":"StasisStart","channel":{"id":""}}`,
		`{"type":"PlaybackFinished","playback":{}}`,
		`{"type":"ChannelDestroyed","cause":"busy","channel":{"id":"a"}}`,
	} {
		d := &decoder{node: "pbx1", legs: fakeLegs{}}
		if ev, _, err := d.decode([]byte(msg), recvTime); err == nil {
			t.Errorf("%s: no error, got %#v", msg, ev)
		}
	}
}

func TestHangupReportedOnce(t *testing.T) {
	legs := fakeLegs{"leg-1": true}
	d := &decoder{node: "pbx1", legs: legs}
	var got []pbx.Event
	for _, msg := range []string{
		aritest.ChannelHangupRequest("in-1", 16),
		aritest.StasisEnd("in-1"),
		aritest.ChannelDestroyed("in-1", 16),
		aritest.StasisEnd("leg-1"),
		aritest.ChannelHangupRequest("leg-1", 17),
		aritest.ChannelDestroyed("leg-1", 17),
		// A trunk leg's events come once per subscription (app and
		// endpoint): the second ChannelDestroyed is no second end.
		aritest.ChannelDestroyed("leg-1", 17),
	} {
		ev, _, err := d.decode([]byte(msg), recvTime)
		if err != nil {
			t.Fatal(err)
		}
		if ev != nil {
			got = append(got, ev)
		}
	}
	want := []pbx.Event{
		pbx.ChannelHungUp{Base: base(), Channel: "in-1", Cause: pbx.CauseNormal},
		pbx.ChannelHungUp{Base: base(), Channel: "leg-1", Cause: pbx.CauseNormal},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	if legs["leg-1"] {
		t.Error("ended leg still known")
	}
}

func TestEndedSetExpires(t *testing.T) {
	var s endedSet
	t0 := time.Unix(1000, 0)
	if !s.add("a", t0) || s.add("a", t0.Add(time.Second)) {
		t.Fatal("dedupe")
	}
	s.add("b", t0.Add(endedTTL+time.Second)) // rotates: a in prev
	if s.add("a", t0.Add(endedTTL+2*time.Second)) {
		t.Fatal("a forgotten too early")
	}
	s.add("c", t0.Add(3*endedTTL)) // rotates twice: a gone
	if !s.add("a", t0.Add(3*endedTTL)) {
		t.Fatal("a kept forever")
	}
}

// readLines returns the messages of a testdata .jsonl capture.
func readLines(t testing.TB, name string) [][]byte {
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDecodeCapture replays real Asterisk 22 traffic (testdata/README.md).
func TestDecodeCapture(t *testing.T) {
	legs := fakeLegs{"leg-1": true, "leg-2": true, "leg-3": true}
	d := &decoder{node: "pbx1", legs: legs}
	hungup := map[string][]pbx.Cause{}
	var kinds []string
	for _, msg := range readLines(t, "asterisk22-local-calls.jsonl") {
		ev, _, err := d.decode(msg, recvTime)
		if err != nil {
			t.Fatalf("%s: %v", msg, err)
		}
		switch ev := ev.(type) {
		case nil:
			continue
		case pbx.ChannelHungUp:
			hungup[ev.Channel] = append(hungup[ev.Channel], ev.Cause)
		case pbx.CallArrived:
			if ev.Channel != "leg-1;2" || !reflect.DeepEqual(ev.Args, []string{"arg1", "two words"}) ||
				ev.Caller != "1000" || ev.Called != "in" {
				t.Errorf("CallArrived %+v", ev)
			}
		}
		if ev.At().Equal(recvTime) {
			t.Errorf("%s: timestamp not parsed", ev.Kind())
		}
		kinds = append(kinds, ev.Kind())
	}
	want := map[string][]pbx.Cause{
		"leg-1": {pbx.CauseNormal}, "leg-1;2": {pbx.CauseNormal},
		"leg-2;2": {pbx.CauseNormal}, "leg-2": {0},
		"leg-3;2": {pbx.CauseNoAnswer}, "leg-3": {pbx.CauseNoAnswer},
	}
	if !reflect.DeepEqual(hungup, want) {
		t.Errorf("hang-ups %v, want %v", hungup, want)
	}
	wantKinds := []string{"leg_answered", "call_arrived", "playback_finished", "playback_finished",
		"channel_hungup", "channel_hungup", "channel_hungup", "channel_hungup", "leg_ringing",
		"channel_hungup", "channel_hungup"}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("kinds %v\nwant  %v", kinds, wantKinds)
	}
	if len(legs) != 0 {
		t.Errorf("legs left: %v", legs)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	for _, name := range []string{"asterisk22-local-calls.jsonl", "asterisk22-filter-and-busy.jsonl"} {
		for _, msg := range readLines(f, name) {
			f.Add(msg)
		}
	}
	f.Add([]byte(aritest.StasisStart("a", "1", "2", "x")))
	f.Add([]byte(`{"type":"StasisStart","channel":null}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		d := &decoder{node: "n", legs: fakeLegs{"leg-1": true}}
		ev, _, err := d.decode(msg, recvTime)
		if err != nil && ev != nil {
			t.Fatalf("event and error: %#v %v", ev, err)
		}
		if ev != nil && ev.Kind() == "" {
			t.Fatal("event without kind")
		}
	})
}
