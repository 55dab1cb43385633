package ari

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

// Captured from the testbed's Asterisk 22.10.1 (TestE2ERecordingCapture):
// POST /channels/{id}/record?format=wav&terminateOn=%23, the caller speaks
// 7 s and presses #.
const (
	capturedRecordingStarted  = `{"type":"RecordingStarted","timestamp":"2026-11-23T18:15:29.783+0000","recording":{"name":"capture-1795457729.0","format":"wav","state":"recording","target_uri":"channel:1795457729.0"},"asterisk_id":"02:fc:00:00:00:01","application":"switchboard"}`
	capturedRecordingFinished = `{"type":"RecordingFinished","timestamp":"2026-11-23T18:15:37.134+0000","recording":{"name":"capture-1795457729.0","format":"wav","state":"done","target_uri":"channel:1795457729.0","duration":7},"asterisk_id":"02:fc:00:00:00:01","application":"switchboard"}`
)

func TestDecodeRecording(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		want pbx.Event
	}{
		{"captured finished", capturedRecordingFinished, pbx.RecordingFinished{
			Base:    pbx.Base{Time: time.Date(2026, 11, 23, 18, 15, 37, 134e6, time.UTC), Node: "pbx1"},
			Channel: "1795457729.0", Name: "capture-1795457729.0", Duration: 7 * time.Second}},
		{"captured started skipped", capturedRecordingStarted, nil},
		{"finished", aritest.RecordingFinished("msg-c1", "in-1", 7), pbx.RecordingFinished{
			Base: base(), Channel: "in-1", Name: "msg-c1", Duration: 7 * time.Second}},
		{"finished short", aritest.RecordingFinished("msg-c1", "in-1", 0), pbx.RecordingFinished{
			Base: base(), Channel: "in-1", Name: "msg-c1"}},
		{"failed", aritest.RecordingFailed("msg-c1", "in-1", "Hungup"), pbx.RecordingFinished{
			Base: base(), Channel: "in-1", Name: "msg-c1", Failed: true}},
		{"canceled is failed",
			`{"type":"RecordingFinished","timestamp":"2026-11-23T17:10:00.123+0000","recording":` +
				aritest.LiveRecording("msg-c1", "in-1", "canceled", 3) + `}`,
			pbx.RecordingFinished{Base: base(), Channel: "in-1", Name: "msg-c1", Duration: 3 * time.Second, Failed: true}},
		{"bridge recording has no channel",
			`{"type":"RecordingFinished","timestamp":"2026-11-23T17:10:00.123+0000","recording":` +
				`{"name":"br-rec","format":"wav","target_uri":"bridge:br-1","state":"done","duration":12}}`,
			pbx.RecordingFinished{Base: base(), Name: "br-rec", Duration: 12 * time.Second}},
		{"started skipped",
			`{"type":"RecordingStarted","timestamp":"2026-11-23T17:10:00.123+0000","recording":` +
				aritest.LiveRecording("msg-c1", "in-1", "recording", 0) + `}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &decoder{node: "pbx1", legs: fakeLegs{}}
			got, _, err := d.decode([]byte(tt.msg), recvTime)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
	for _, msg := range []string{
		`{"type":"RecordingFinished","timestamp":"2026-11-23T17:10:00.123+0000"}`,
		`{"type":"RecordingFailed","recording":{"name":""}}`,
		`{"type":"RecordingFinished","recording":{"name":"x","duration":"long"}}`,
	} {
		d := &decoder{node: "pbx1", legs: fakeLegs{}}
		if ev, _, err := d.decode([]byte(msg), recvTime); err == nil {
			t.Errorf("%s: no error, got %#v", msg, ev)
		}
	}
}

func TestRecordRequest(t *testing.T) {
	srv := aritest.NewServer(aritest.WithCredentials("switchboard", "secret"))
	defer srv.Close()
	d := newTestDriver(t, srv)
	ctx := context.Background()

	tests := []struct {
		rec   pbx.Recording
		query string
	}{
		{pbx.Recording{Channel: "in-1", Name: "msg-c1", MaxDuration: 119500 * time.Millisecond,
			MaxSilence: 5 * time.Second, Beep: true, TerminateOn: "#"},
			"beep=true&format=wav&ifExists=overwrite&maxDurationSeconds=120&maxSilenceSeconds=5&name=msg-c1&terminateOn=%23"},
		{pbx.Recording{Channel: "in-1", Name: "name-c2"},
			"beep=false&format=wav&ifExists=overwrite&name=name-c2&terminateOn=none"},
		{pbx.Recording{Channel: "in-1", Name: "msg-c3", TerminateOn: "any"},
			"beep=false&format=wav&ifExists=overwrite&name=msg-c3&terminateOn=any"},
	}
	for _, tt := range tests {
		if err := d.Record(ctx, tt.rec); err != nil {
			t.Fatalf("%+v: %v", tt.rec, err)
		}
	}
	reqs := srv.Requests()
	if len(reqs) != len(tests) {
		t.Fatalf("%d requests, want %d", len(reqs), len(tests))
	}
	for i, tt := range tests {
		r := reqs[i]
		want, _ := url.ParseQuery(tt.query)
		if r.Method != "POST" || r.Path != "/channels/in-1/record" || !reflect.DeepEqual(r.Query, want) {
			t.Errorf("request %d: %s %s %v, want POST /channels/in-1/record %v", i, r.Method, r.Path, r.Query, want)
		}
	}

	// Refused before any request: ARI cannot express these.
	for _, bad := range []pbx.Recording{
		{Channel: "in-1", Name: "x", TerminateOn: "1#"},
		{Channel: "in-1", Name: ""},
		{Channel: "in-1", Name: "../etc/passwd"},
		{Channel: "", Name: "x"},
	} {
		if err := d.Record(ctx, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if n := len(srv.Requests()); n != len(tests) {
		t.Errorf("refused recordings sent requests: %d", n-len(tests))
	}

	// The channel has gone: no RecordingFinished will come, so it is an error.
	srv.Respond("POST", "/channels/gone/record", 404, `{"message":"Channel not found"}`)
	err := d.Record(ctx, pbx.Recording{Channel: "gone", Name: "msg-gone"})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		t.Errorf("record on a gone channel: %v", err)
	}
}

func TestFetchRecording(t *testing.T) {
	srv := aritest.NewServer(aritest.WithCredentials("switchboard", "secret"))
	defer srv.Close()
	d := newTestDriver(t, srv)
	ctx := context.Background()
	audio := append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), bytes.Repeat([]byte{0x7f}, 100000)...)
	srv.SetStoredRecording("msg-c1", audio)

	body, err := d.FetchRecording(ctx, "msg-c1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := body.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, audio) {
		t.Errorf("got %d bytes, want the %d stored", len(got), len(audio))
	}
	r := srv.Requests()[0]
	if r.Method != "GET" || r.Path != "/recordings/stored/msg-c1/file" {
		t.Errorf("request %s %s", r.Method, r.Path)
	}

	_, err = d.FetchRecording(ctx, "nope")
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("unknown recording: %v, want ErrNotFound matching fs.ErrNotExist", err)
	}
	if _, err := d.FetchRecording(ctx, "../../etc/asterisk/ari.conf"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("path name: %v, want a refusal", err)
	}
	srv.Respond("GET", "/recordings/stored/locked/file", 403, `{"message":"The recording file could not be opened"}`)
	_, err = d.FetchRecording(ctx, "locked")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusForbidden || errors.Is(err, ErrNotFound) {
		t.Errorf("403: %v", err)
	}
}
