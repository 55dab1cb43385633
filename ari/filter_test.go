package ari

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

// syncBuffer is a log sink the driver's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// An Asterisk that refuses the event filter (one older than 22 has no
// such resource): the driver warns once, over two connects, and works on,
// skipping the events it does not use.
func TestRunWithoutEventFilter(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	srv.Respond("PUT", "/applications/switchboard/eventFilter", 404, `{"message":"Resource not found"}`)
	var logs syncBuffer
	r := startLogged(t, srv, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced although the filter was refused")
	}
	r.emit(`{"type":"ChannelVarset","variable":"X","value":"1","channel":{"id":"in-1"}}`,
		aritest.StasisStart("in-1", "1000", "4000"))
	if ev, ok := r.next().(pbx.CallArrived); !ok || ev.Channel != "in-1" {
		t.Fatalf("want CallArrived for in-1 (ChannelVarset skipped), got %#v", ev)
	}
	srv.Drop()
	if _, ok := r.next().(pbx.LinkDown); !ok {
		t.Fatal("want LinkDown")
	}
	if _, ok := r.next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced after the reconnect")
	}
	r.emit(aritest.StasisEnd("in-1"))
	if _, ok := r.next().(pbx.ChannelHungUp); !ok {
		t.Fatal("want ChannelHungUp after the reconnect")
	}
	refused := 0
	for _, q := range srv.Requests() {
		if q.Method == "PUT" && q.Path == "/applications/switchboard/eventFilter" {
			refused++
		}
	}
	if refused < 2 {
		t.Errorf("event filter asked for %d times over two connects, want every connect", refused)
	}
	if n := strings.Count(logs.String(), "ari event filter not set"); n != 1 {
		t.Errorf("refused filter warned %d times, want once:\n%s", n, logs.String())
	}
}
