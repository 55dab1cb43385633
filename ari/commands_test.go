package ari

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

func newTestDriver(t *testing.T, srv *aritest.Server) *Driver {
	t.Helper()
	d, err := New(Config{URL: srv.URL, User: "switchboard", Password: "secret"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCommandsRequests(t *testing.T) {
	srv := aritest.NewServer(aritest.WithCredentials("switchboard", "secret"))
	defer srv.Close()
	d := newTestDriver(t, srv)
	ctx := context.Background()
	steps := []struct {
		call   func() error
		method string
		path   string
		query  string
	}{
		{func() error { return d.Answer(ctx, "in-1") }, "POST", "/channels/in-1/answer", ""},
		{func() error { return d.Ring(ctx, "in-1") }, "POST", "/channels/in-1/ring", ""},
		{func() error { return d.Play(ctx, "in-1", "pb-1", "sound:hello", "digits:12") }, "POST",
			"/channels/in-1/play/pb-1", "media=sound%3Ahello&media=digits%3A12"},
		{func() error { return d.StopPlayback(ctx, "pb-1") }, "DELETE", "/playbacks/pb-1", ""},
		{func() error { return d.StartMOH(ctx, "in-1", "default") }, "POST", "/channels/in-1/moh", "mohClass=default"},
		{func() error { return d.StopMOH(ctx, "in-1") }, "DELETE", "/channels/in-1/moh", ""},
		{func() error {
			return d.Originate(ctx, pbx.Originate{Channel: "leg-1", Endpoint: "PJSIP/agent1001",
				CallerID: "4000", Timeout: 14500 * time.Millisecond, Headers: map[string]string{"X-Call": "c1"}, Related: "in-1"})
		}, "POST", "/channels/leg-1", "app=switchboard&callerId=4000&endpoint=PJSIP%2Fagent1001&timeout=15"},
		{func() error { return d.Bridge(ctx, "br-1", "in-1", "leg-1") }, "POST", "/bridges/br-1", "type=mixing"},
		{nil, "POST", "/bridges/br-1/addChannel", "channel=in-1%2Cleg-1"},
		{func() error { return d.DestroyBridge(ctx, "br-1") }, "DELETE", "/bridges/br-1", ""},
		{func() error { return d.Hangup(ctx, "in-1", pbx.CauseUserBusy) }, "DELETE", "/channels/in-1", "reason_code=17"},
		{func() error { return d.Hangup(ctx, "in-1", 0) }, "DELETE", "/channels/in-1", "reason=normal"},
	}
	for _, s := range steps {
		if s.call != nil {
			if err := s.call(); err != nil {
				t.Fatalf("%s %s: %v", s.method, s.path, err)
			}
		}
	}
	reqs := srv.Requests()
	if len(reqs) != len(steps) {
		t.Fatalf("%d requests, want %d: %+v", len(reqs), len(steps), reqs)
	}
	for i, s := range steps {
		r := reqs[i]
		if r.Method != s.method || r.Path != s.path || r.Query.Encode() != s.query {
			t.Errorf("request %d: %s %s?%s, want %s %s?%s", i, r.Method, r.Path, r.Query.Encode(), s.method, s.path, s.query)
		}
	}
	var body struct{ Variables map[string]string }
	if err := json.Unmarshal([]byte(reqs[6].Body), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"PJSIP_HEADER(add,X-Call)": "c1", relatedVar: "in-1"}
	if !reflect.DeepEqual(body.Variables, want) {
		t.Errorf("originate variables %v", body.Variables)
	}
	if !d.isLeg("leg-1") {
		t.Error("originated leg not remembered")
	}
}

func TestCommandsGoneIsSuccess(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	d := newTestDriver(t, srv)
	ctx := context.Background()
	nf := `{"message":"Channel not found"}`
	srv.Respond("POST", "/channels/gone/answer", 404, nf)
	srv.Respond("POST", "/channels/gone/ring", 404, nf)
	srv.Respond("DELETE", "/channels/gone", 404, nf)
	srv.Respond("POST", "/channels/gone/play/pb-1", 404, nf)
	srv.Respond("DELETE", "/playbacks/pb-gone", 404, `{"message":"Playback not found"}`)
	srv.Respond("DELETE", "/bridges/br-gone", 404, `{"message":"Bridge not found"}`)
	srv.Respond("POST", "/bridges/br-1", 409, `{"message":"Bridge with id 'br-1' already exists"}`)
	srv.Respond("POST", "/bridges/br-1/addChannel", 400, nf)
	// A channel hanging up has left Stasis: 409, gone all the same.
	srv.Respond("DELETE", "/channels/leaving/moh", 409, `{"message":"Channel not in Stasis application"}`)
	srv.Respond("POST", "/channels/leaving/moh", 409, `{"message":"Channel not in Stasis application"}`)
	for name, err := range map[string]error{
		"stop moh":  d.StopMOH(ctx, "leaving"),
		"start moh": d.StartMOH(ctx, "leaving", "default"),
		"answer":    d.Answer(ctx, "gone"),
		"ring":      d.Ring(ctx, "gone"),
		"hangup":    d.Hangup(ctx, "gone", pbx.CauseNormal),
		"play":      d.Play(ctx, "gone", "pb-1", "sound:x"),
		"stop":      d.StopPlayback(ctx, "pb-gone"),
		"destroy":   d.DestroyBridge(ctx, "br-gone"),
		"bridge":    d.Bridge(ctx, "br-1", "gone", "in-1"),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCommandErrorsCarryARIMessage(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	d := newTestDriver(t, srv)
	ctx := context.Background()
	srv.Respond("POST", "/channels/in-1/answer", 409, `{"message":"Channel not in Stasis application"}`)
	err := d.Answer(ctx, "in-1")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusConflict ||
		err.Error() != "ari: answer in-1: 409 Conflict: Channel not in Stasis application" {
		t.Fatalf("answer: %v", err)
	}

	// Originate refused (500 with ARI's {"error"} body): the leg is forgotten
	// only on 400; a 500 may have made a channel.
	srv.Respond("POST", "/channels/leg-bad", 400, `{"message":"Invalid parameters"}`)
	srv.Respond("POST", "/channels/leg-500", 500, `{"error":"Allocation failed"}`)
	if err := d.Originate(ctx, pbx.Originate{Channel: "leg-bad", Endpoint: "PJSIP/x"}); err == nil || d.isLeg("leg-bad") {
		t.Errorf("originate 400: %v, leg kept %v", err, d.isLeg("leg-bad"))
	}
	err = d.Originate(ctx, pbx.Originate{Channel: "leg-500", Endpoint: "Bogus/x"})
	if err == nil || !strings.Contains(err.Error(), "Allocation failed") {
		t.Errorf("originate 500: %v", err)
	}
}

func TestRequestTimeout(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	d := newTestDriver(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Answer(ctx, "in-1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("answer with cancelled ctx: %v", err)
	}
}

func TestExpand(t *testing.T) {
	got, err := expand("/channels/{channelId}/play/{playbackId}", []string{"a b;2", "p/1"})
	if err != nil || got != "/channels/a%20b%3B2/play/p%2F1" {
		t.Errorf("expand: %q %v", got, err)
	}
	for _, args := range [][]string{nil, {"a"}, {"a", "b", "c"}, {"", "b"}} {
		if _, err := expand("/channels/{channelId}/play/{playbackId}", args); err == nil {
			t.Errorf("expand %q: no error", args)
		}
	}
}
