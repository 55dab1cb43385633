package ari

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"switchboard/ari/aritest"
	"switchboard/routing/pbx"
)

// warnings counts the warnings logged, by message.
type warnings struct {
	mu sync.Mutex
	n  map[string]int
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n[r.Message]++
	return nil
}

func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

func (w *warnings) count(msg string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n[msg]
}

// An Asterisk that refuses the event filter (one older than 22 has no
// such resource): the driver warns once, over two connects, and works on,
// skipping the events it does not use.
func TestRunWithoutEventFilter(t *testing.T) {
	srv := aritest.NewServer()
	defer srv.Close()
	srv.Respond("PUT", "/applications/switchboard/eventFilter", 404, `{"message":"Resource not found"}`)
	logs := &warnings{n: map[string]int{}}
	r := startLogged(t, srv, slog.New(logs))
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
	if refused := filterRequests(srv); refused < 2 {
		t.Errorf("event filter asked for %d times over two connects, want every connect", refused)
	}
	if n := logs.count("ari event filter not set; unused events are skipped here"); n != 1 {
		t.Errorf("refused filter warned %d times, want once (%v)", n, logs.n)
	}
}

// filterRequests is how many times the driver asked srv for the filter.
func filterRequests(srv *aritest.Server) int {
	n := 0
	for _, q := range srv.Requests() {
		if q.Method == "PUT" && q.Path == "/applications/switchboard/eventFilter" {
			n++
		}
	}
	return n
}
