package ari

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"testing"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

func TestCallRecordingRequests(t *testing.T) {
	srv := aritest.NewServer(aritest.WithCredentials("switchboard", "secret"))
	defer srv.Close()
	d := newTestDriver(t, srv)
	ctx := context.Background()
	rec := pbx.CallRecording{Bridge: "br-1", Channel: "in-1", Name: "rec-c1-1"}
	if err := d.RecordCall(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := d.PauseCallRecording(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := d.ResumeCallRecording(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteRecording(ctx, "rec-c1-1"); err != nil {
		t.Fatal(err)
	}
	want := []struct{ method, path, query string }{
		{"POST", "/bridges/br-1/record", "beep=false&format=wav&ifExists=fail&name=rec-c1-1&terminateOn=none"},
		{"POST", "/recordings/live/rec-c1-1/pause", ""},
		{"DELETE", "/recordings/live/rec-c1-1/pause", ""},
		{"DELETE", "/recordings/stored/rec-c1-1", ""},
	}
	reqs := srv.Requests()
	if len(reqs) != len(want) {
		t.Fatalf("%d requests, want %d", len(reqs), len(want))
	}
	for i, w := range want {
		q, _ := url.ParseQuery(w.query)
		if reqs[i].Method != w.method || reqs[i].Path != w.path || (len(q) > 0 && !reflect.DeepEqual(reqs[i].Query, q)) {
			t.Errorf("request %d: %s %s %v, want %s %s %v", i, reqs[i].Method, reqs[i].Path, reqs[i].Query, w.method, w.path, q)
		}
	}
	for _, bad := range []pbx.CallRecording{{Bridge: "", Name: "x"}, {Bridge: "br", Name: "../x"}, {Bridge: "br"}} {
		if err := d.RecordCall(ctx, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	srv.Respond("POST", "/bridges/gone/record", 404, `{"message":"Bridge not found"}`)
	if err := d.RecordCall(ctx, pbx.CallRecording{Bridge: "gone", Name: "rec-c2-1"}); err == nil {
		t.Error("a gone bridge recorded")
	}
	srv.Respond("DELETE", "/recordings/stored/nope", 404, `{"message":"Recording not found"}`)
	if err := d.DeleteRecording(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete unknown: %v", err)
	}
}

func TestDecodeBridgeRecordingFinished(t *testing.T) {
	d := &decoder{node: "pbx1", legs: fakeLegs{}}
	got, _, err := d.decode([]byte(aritest.BridgeRecordingFinished("rec-c1-1", "br-1", 12)), recvTime)
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := got.(pbx.RecordingFinished)
	if !ok || ev.Name != "rec-c1-1" || ev.Channel != "" || ev.Duration.Seconds() != 12 {
		t.Fatalf("decoded %#v", got)
	}
}
