package ari

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

// running is a Driver under Run against a fake ARI.
type running struct {
	t      *testing.T
	srv    *aritest.Server
	d      *Driver
	reg    *prometheus.Registry
	events chan pbx.Event
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, srv *aritest.Server, tweak ...func(*Config)) *running {
	t.Helper()
	return startLogged(t, srv, slog.New(slog.DiscardHandler), tweak...)
}

// startLogged is start with the driver logging to log.
func startLogged(t *testing.T, srv *aritest.Server, log *slog.Logger, tweak ...func(*Config)) *running {
	t.Helper()
	cfg := Config{URL: srv.URL, User: "switchboard", Password: "secret", Node: "pbx1",
		PingInterval: time.Second}
	for _, f := range tweak {
		f(&cfg)
	}
	r := startWith(t, cfg, log)
	r.srv = srv
	return r
}

// startWith runs a driver with cfg (a fake's or a real Asterisk's).
func startWith(t *testing.T, cfg Config, log *slog.Logger) *running {
	t.Helper()
	reg := prometheus.NewRegistry()
	d, err := New(cfg, log, reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, d: d, reg: reg, events: make(chan pbx.Event), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- d.Run(ctx, r.events) }()
	t.Cleanup(r.stop)
	return r
}

func (r *running) stop() {
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil && !errors.Is(err, context.Canceled) {
			r.t.Errorf("Run: %v", err)
		}
		r.done <- err
	case <-time.After(5 * time.Second):
		r.t.Fatal("Run did not return after cancel")
	}
}

// next waits for the next event.
func (r *running) next() pbx.Event {
	r.t.Helper()
	select {
	case ev := <-r.events:
		return ev
	case <-time.After(5 * time.Second):
		r.t.Fatal("no event within 5s")
		return nil
	}
}

func (r *running) emit(msgs ...string) {
	r.t.Helper()
	for _, m := range msgs {
		if err := r.srv.Emit(m); err != nil {
			r.t.Fatal(err)
		}
	}
}

func TestRunConnectsAndResyncs(t *testing.T) {
	srv := aritest.NewServer(aritest.WithCredentials("switchboard", "secret"))
	defer srv.Close()
	srv.SetChannels(
		aritest.Channel("in-1", "Up", "1000", "4000"),
		aritest.ChannelIn("in-2", "Up", "1001", "4000", "Stasis", "switchboard,sales"),
		aritest.ChannelIn("other-app", "Up", "1002", "4000", "Stasis", "switchboardX"),
		aritest.ChannelIn("dialplan", "Up", "1003", "4000", "Queue", "support"),
	)
	srv.SetBridges(aritest.Bridge("br-1", "in-1"), aritest.Bridge("br-empty"), aritest.Bridge("br-other", "dialplan"))
	r := start(t, srv)

	rs, ok := r.next().(pbx.Resynced)
	if !ok {
		t.Fatal("first event is not Resynced")
	}
	want := []pbx.ChannelInfo{
		{Channel: "in-1", State: "Up", Caller: "1000", Called: "4000", BridgeID: "br-1"},
		{Channel: "in-2", State: "Up", Caller: "1001", Called: "4000"},
	}
	if !reflect.DeepEqual(rs.Channels, want) || !reflect.DeepEqual(rs.Bridges, []string{"br-1", "br-empty"}) {
		t.Errorf("resync %+v", rs)
	}
	if rs.Node != "pbx1" {
		t.Errorf("node %q", rs.Node)
	}
	reqs := srv.Requests()
	if len(reqs) < 3 || reqs[0].Method != "PUT" || reqs[0].Path != "/applications/switchboard/eventFilter" ||
		!strings.Contains(reqs[0].Body, `{"allowed":[{"type":"StasisStart"}`) {
		t.Errorf("event filter not set first: %+v", reqs)
	}
	if got := value(r.d.m.linkUp); got != 1 {
		t.Errorf("link_up %v", got)
	}
}

func TestRunDeliversInOrderSkippingUnknown(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	r := start(t, srv)
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced")
	}
	r.emit(
		aritest.StasisStart("in-1", "1000", "4000", "ivr"),
		`{"type":"ChannelTransfer","timestamp":"2026-11-23T17:10:00.123+0000","refer_to":{"requested_destination":{"exten":"1"}}}`,
		`{"type":"ChannelToneDetected","timestamp":"2026-11-23T17:10:00.123+0000","channel":{"id":"in-1"}}`,
		`{"type": broken json`,
		aritest.ChannelDtmfReceived("in-1", "1", 100),
		aritest.ChannelDtmfReceived("in-1", "2", 100),
		aritest.ChannelHangupRequest("in-1", 16),
		aritest.StasisEnd("in-1"),
	)
	kinds := []string{}
	for range 4 {
		kinds = append(kinds, r.next().Kind())
	}
	if want := []string{"call_arrived", "dtmf", "dtmf", "channel_hungup"}; !reflect.DeepEqual(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	// StasisEnd after the hang-up request produced nothing; prove it by
	// the next event being the one after it.
	r.emit(aritest.PlaybackFinished("pb-1", "in-2", "done"))
	if ev := r.next(); ev.Kind() != "playback_finished" {
		t.Fatalf("got %s", ev.Kind())
	}
	if n := value(r.d.m.decodeErrors); n != 1 {
		t.Errorf("decode errors %v, want 1", n)
	}
	if n := value(r.d.m.events.WithLabelValues("ChannelTransfer")); n != 1 {
		t.Errorf("ChannelTransfer counted %v", n)
	}
}

func TestRunReconnects(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	r := start(t, srv)
	if rs, ok := r.next().(pbx.Resynced); !ok || len(rs.Channels) != 0 {
		t.Fatal("want empty Resynced")
	}
	r.emit(aritest.StasisStart("in-1", "1000", "4000"))
	if _, ok := r.next().(pbx.CallArrived); !ok {
		t.Fatal("want CallArrived")
	}
	srv.SetChannels(aritest.Channel("in-1", "Up", "1000", "4000"))
	srv.Drop()
	if _, ok := r.next().(pbx.LinkDown); !ok {
		t.Fatal("want LinkDown")
	}
	rs, ok := r.next().(pbx.Resynced)
	if !ok || len(rs.Channels) != 1 || rs.Channels[0].Channel != "in-1" {
		t.Fatalf("want Resynced with in-1, got %+v", rs)
	}
	r.emit(aritest.StasisEnd("in-1"))
	if ev, ok := r.next().(pbx.ChannelHungUp); !ok || ev.Channel != "in-1" {
		t.Fatal("want ChannelHungUp after reconnect")
	}
	if n := value(r.d.m.reconnects); n < 1 {
		t.Errorf("reconnects %v", n)
	}
	// Asterisk keeps the filter per application, but a restarted Asterisk
	// forgets it: the driver sets it again at every connect.
	if filters := filterRequests(srv); filters < 2 {
		t.Errorf("event filter set %d times over two connects", filters)
	}
}

func TestRunServerDownThenUp(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	srv.SetDown(true)
	r := start(t, srv)
	// Let a few attempts fail; the first success follows SetDown(false).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.SetDown(false)
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced once up")
	}
	if _, ok := srv.Connected(ctx); !ok {
		t.Fatal("no websocket connect recorded")
	}
}

func TestRunMissedPingsDropLink(t *testing.T) {
	srv := aritest.NewServer(aritest.WithoutPong())
	defer srv.Close()
	r := start(t, srv, func(c *Config) { c.PingInterval = 50 * time.Millisecond })
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced")
	}
	ld, ok := r.next().(pbx.LinkDown)
	if !ok || !strings.Contains(ld.Reason, "ping") {
		t.Fatalf("want LinkDown for ping, got %+v", ld)
	}
}

func TestRunDeadPortReturnsOnCancel(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	d, err := New(Config{URL: "http://" + addr, DialTimeout: 200 * time.Millisecond}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, make(chan pbx.Event)) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Run hangs on a dead port")
	}
}

// A black hole (accepts TCP, never answers) must not hang a dial past
// DialTimeout either.
func TestRunBlackHoleDialTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d, err := New(Config{URL: "http://" + l.Addr().String(), DialTimeout: 100 * time.Millisecond}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = d.session(context.Background(), newQueue(10, d.m, d.log))
	if err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("session: %v after %v", err, time.Since(start))
	}
}

func TestRunTwiceRefused(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	r := start(t, srv)
	r.next()
	if err := r.d.Run(context.Background(), r.events); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run: %v", err)
	}
}

func TestQueueOverflowCountedNotDropped(t *testing.T) {
	m, _ := newMetrics("n", nil)
	q := newQueue(2, m, slog.New(slog.DiscardHandler))
	for i := range 5 {
		q.Push(item{raw: []byte{byte(i)}})
	}
	if n := value(m.queueOverflow); n != 3 {
		t.Errorf("overflow %v, want 3", n)
	}
	ctx := context.Background()
	for i := range 5 {
		it, ok := q.Pop(ctx)
		if !ok || it.raw[0] != byte(i) {
			t.Fatalf("pop %d: %v %v", i, it.raw, ok)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := q.Pop(cctx); ok {
		t.Fatal("pop on empty queue after cancel")
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8088", "ftp://x"} {
		if _, err := New(Config{URL: u}, nil, nil); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

func TestTwoDriversShareARegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	for _, node := range []string{"a", "b"} {
		if _, err := New(Config{URL: "http://127.0.0.1:1", Node: node}, nil, reg); err != nil {
			t.Fatal(err)
		}
	}
}

// value reads a counter or gauge.
func value(c prometheus.Metric) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}
