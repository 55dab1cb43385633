package ari

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

// want is one REST request a test expects.
type want struct{ method, path, query string }

// expectRequests waits for the next len(ws) REST requests, in order.
func expectRequests(t *testing.T, srv *aritest.Server, ws ...want) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i, w := range ws {
		r, ok := srv.NextRequest(ctx)
		if !ok {
			t.Fatalf("request %d (%s %s) never came", i, w.method, w.path)
		}
		if r.Method != w.method || r.Path != w.path || r.Query.Encode() != w.query {
			t.Fatalf("request %d: %s %s?%s, want %s %s?%s", i, r.Method, r.Path, r.Query.Encode(), w.method, w.path, w.query)
		}
	}
}

// startedDriver is a running driver past its first Resynced, with the
// start-up requests (filter, listings) consumed.
func startedDriver(t *testing.T) (*running, *aritest.Server) {
	t.Helper()
	srv := aritest.NewServer()
	t.Cleanup(srv.Close)
	r := start(t, srv)
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced")
	}
	// The fake registers the websocket just after the handshake: wait for it.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, ok := srv.Connected(ctx); !ok {
		t.Fatal("websocket not registered")
	}
	expectRequests(t, srv,
		want{"PUT", "/applications/switchboard/eventFilter", ""},
		want{"GET", "/applications/switchboard", ""},
		want{"GET", "/channels", ""},
		want{"GET", "/bridges", ""})
	return r, srv
}

// snoopAsync runs Snoop, which waits for the snoop channel's StasisStart,
// beside the test that sends it.
func snoopAsync(d *Driver, req pbx.Snoop) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- d.Snoop(context.Background(), req) }()
	return errc
}

// expectNoRequest fails if a REST request comes within a moment: a
// negative check, so bounded (the driver sends at once when it does).
func expectNoRequest(t *testing.T, srv *aritest.Server, when string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if r, ok := srv.NextRequest(ctx); ok {
		t.Fatalf("%s %s?%s %s", r.Method, r.Path, r.Query.Encode(), when)
	}
}

func TestSnoopListenAndWhisper(t *testing.T) {
	for _, tt := range []struct {
		mode    pbx.SnoopMode
		whisper string
	}{
		{pbx.SnoopListen, "none"},
		{pbx.SnoopWhisper, "out"},
	} {
		t.Run(tt.mode.String(), func(t *testing.T) {
			r, srv := startedDriver(t)
			snoop := snoopAsync(r.d, pbx.Snoop{Channel: "sup-1", Target: "leg-a", Endpoint: "PJSIP/1009",
				CallerID: "listen", Timeout: 20 * time.Second, Mode: tt.mode, Bridge: "br-call"})
			expectRequests(t, srv,
				want{"POST", "/channels/leg-a/snoop/spy-sup-1", "app=switchboard&spy=both&whisper=" + tt.whisper})
			// The snoop channel is bridged only once in Stasis (Asterisk
			// refuses it before, 422); its StasisStart is no call.
			expectNoRequest(t, srv, "before the snoop channel's StasisStart")
			r.emit(aritest.StasisStart("spy-sup-1", "", ""))
			expectRequests(t, srv,
				want{"POST", "/bridges/spybr-sup-1", "type=mixing"},
				want{"POST", "/bridges/spybr-sup-1/addChannel", "channel=spy-sup-1"},
				want{"POST", "/channels/sup-1", "app=switchboard&callerId=listen&endpoint=PJSIP%2F1009&timeout=20"})
			if err := <-snoop; err != nil {
				t.Fatal(err)
			}

			// The leg reports like an originated leg and is bridged with
			// the snoop channel once answered.
			r.emit(aritest.ChannelStateChange("sup-1", "Ringing"),
				aritest.StasisStart("sup-1", "", ""))
			if ev, ok := r.next().(pbx.LegRinging); !ok || ev.Channel != "sup-1" {
				t.Fatalf("want LegRinging sup-1, got %#v", ev)
			}
			if ev, ok := r.next().(pbx.LegAnswered); !ok || ev.Channel != "sup-1" {
				t.Fatalf("want LegAnswered sup-1, got %#v", ev)
			}
			expectRequests(t, srv, want{"POST", "/bridges/spybr-sup-1/addChannel", "channel=sup-1"})

			// The supervisor hangs up: the snoop channel and its bridge go.
			r.emit(aritest.ChannelDestroyed("sup-1", 16))
			if ev, ok := r.next().(pbx.ChannelHungUp); !ok || ev.Channel != "sup-1" {
				t.Fatalf("want ChannelHungUp sup-1, got %#v", ev)
			}
			expectRequests(t, srv,
				want{"DELETE", "/channels/spy-sup-1", "reason_code=16"},
				want{"DELETE", "/bridges/spybr-sup-1", ""})
			// Its own end reaches nobody.
			r.emit(aritest.ChannelHangupRequest("spy-sup-1", 16), aritest.StasisEnd("spy-sup-1"),
				aritest.PlaybackFinished("pb-x", "in-9", "done"))
			if ev := r.next(); ev.Kind() != "playback_finished" {
				t.Fatalf("snoop channel's end reached the engine: %#v", ev)
			}
		})
	}
}

func TestSnoopTargetGoneHangsUpSupervisor(t *testing.T) {
	r, srv := startedDriver(t)
	snoop := snoopAsync(r.d, pbx.Snoop{Channel: "sup-2", Target: "leg-a", Endpoint: "PJSIP/1009", Mode: pbx.SnoopListen})
	expectRequests(t, srv, want{"POST", "/channels/leg-a/snoop/spy-sup-2", "app=switchboard&spy=both&whisper=none"})
	r.emit(aritest.StasisStart("spy-sup-2", "", ""))
	if err := <-snoop; err != nil {
		t.Fatal(err)
	}
	expectRequests(t, srv,
		want{"POST", "/bridges/spybr-sup-2", "type=mixing"},
		want{"POST", "/bridges/spybr-sup-2/addChannel", "channel=spy-sup-2"},
		want{"POST", "/channels/sup-2", "app=switchboard&endpoint=PJSIP%2F1009"})
	r.emit(aritest.StasisStart("sup-2", "", ""))
	if _, ok := r.next().(pbx.LegAnswered); !ok {
		t.Fatal("want LegAnswered")
	}
	expectRequests(t, srv, want{"POST", "/bridges/spybr-sup-2/addChannel", "channel=sup-2"})
	// The agent's leg went, and Asterisk ends the snoop channel with it:
	// the supervisor is not left in silence.
	r.emit(aritest.StasisEnd("spy-sup-2"))
	expectRequests(t, srv, want{"DELETE", "/channels/sup-2", "reason_code=16"})
}

func TestSnoopBargeJoinsCallBridge(t *testing.T) {
	r, srv := startedDriver(t)
	if err := r.d.Snoop(context.Background(), pbx.Snoop{Channel: "sup-3", Target: "leg-a", Endpoint: "PJSIP/1009",
		Mode: pbx.SnoopBarge, Bridge: "br-call"}); err != nil {
		t.Fatal(err)
	}
	expectRequests(t, srv, want{"POST", "/channels/sup-3", "app=switchboard&endpoint=PJSIP%2F1009"})
	r.emit(aritest.StasisStart("sup-3", "", ""))
	if _, ok := r.next().(pbx.LegAnswered); !ok {
		t.Fatal("want LegAnswered")
	}
	expectRequests(t, srv, want{"POST", "/bridges/br-call/addChannel", "channel=sup-3"})
	r.emit(aritest.ChannelDestroyed("sup-3", 16))
	if _, ok := r.next().(pbx.ChannelHungUp); !ok {
		t.Fatal("want ChannelHungUp")
	}
	// Barging made nothing of its own: nothing to undo.
	r.emit(aritest.StasisStart("sup-4", "", "")) // a stray: not a leg, a call
	if _, ok := r.next().(pbx.CallArrived); !ok {
		t.Fatal("want CallArrived")
	}
	for _, req := range srv.Requests() {
		if req.Method == "DELETE" {
			t.Errorf("barge undid something: %+v", req)
		}
	}
}

func TestSnoopErrors(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	d := newTestDriver(t, srv)
	d.spyWait = 10 * time.Millisecond // no websocket here: no snoop channel ever enters Stasis
	ctx := context.Background()
	srv.Respond("POST", "/channels/gone/snoop/spy-sup-1", 404, `{"message":"Channel not found"}`)
	if err := d.Snoop(ctx, pbx.Snoop{Channel: "sup-1", Target: "gone", Endpoint: "PJSIP/1009"}); err == nil {
		t.Error("snoop on a gone channel: no error")
	}
	if d.isSpy("spy-sup-1") || d.isLeg("sup-1") {
		t.Error("failed snoop left state behind")
	}
	if err := d.Snoop(ctx, pbx.Snoop{Channel: "sup-2", Target: "leg", Endpoint: "PJSIP/1009", Mode: pbx.SnoopBarge}); err == nil {
		t.Error("barge without a bridge: no error")
	}
	if err := d.Snoop(ctx, pbx.Snoop{Channel: "sup-3", Target: "leg", Endpoint: "PJSIP/1009", Mode: 9}); !errors.Is(err, pbx.ErrUnsupported) {
		t.Errorf("unknown mode: %v", err)
	}
	if err := d.Snoop(ctx, pbx.Snoop{Channel: "sup-4", Endpoint: "PJSIP/1009"}); err == nil {
		t.Error("no target: no error")
	}
	// Originate refused: the snoop channel and its bridge are undone.
	srv.Respond("POST", "/channels/sup-5", 400, `{"message":"Invalid endpoint"}`)
	if err := d.Snoop(ctx, pbx.Snoop{Channel: "sup-5", Target: "leg", Endpoint: "PJSIP/nobody"}); err == nil {
		t.Error("refused originate: no error")
	}
	reqs := srv.Requests()
	last := reqs[len(reqs)-2:]
	if last[0].Method != "DELETE" || last[0].Path != "/channels/spy-sup-5" || last[1].Path != "/bridges/spybr-sup-5" {
		t.Errorf("not undone: %+v", last)
	}
}
