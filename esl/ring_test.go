package esl_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"switchboard/esl"
	"switchboard/esl/esltest"
	"switchboard/routing/pbx"
)

// runDriver runs an inbound driver on srv until the test ends; next waits
// for its next event (Resynced, the first, is taken).
func runDriver(t *testing.T, srv *esltest.Server) (*esl.Driver, func() pbx.Event) {
	t.Helper()
	drv, err := esl.New(esl.Config{Addr: srv.Addr, Password: "ClueCon", Node: "fs1"}, testLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan pbx.Event, 16)
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx, events) }()
	t.Cleanup(func() { cancel(); <-done })
	next := func() pbx.Event {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5s")
			return nil
		}
	}
	if _, ok := next().(pbx.Resynced); !ok {
		t.Fatal("want Resynced first")
	}
	return drv, next
}

// A parked caller is rung, not answered: uuid_ring_ready, and the
// CHANNEL_PROGRESS it causes is no leg's ringing.
func TestRingParkedCaller(t *testing.T) {
	srv := esltest.NewServer()
	t.Cleanup(srv.Close)
	drv, next := runDriver(t, srv)
	ctx := t.Context()
	run := srv.Call(esltest.Call{From: "13800000000", Number: "200"})
	arrived, ok := next().(pbx.CallArrived)
	if !ok || arrived.Channel != run.UUID {
		t.Fatalf("want CallArrived for %s, got %+v", run.UUID, arrived)
	}
	if err := drv.Ring(ctx, run.UUID); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(srv.Commands(), "api uuid_ring_ready "+run.UUID) {
		t.Fatalf("commands %v lack uuid_ring_ready", srv.Commands())
	}
	if err := drv.Ring(ctx, "00000000-1111-2222-3333-444444444444"); err != nil {
		t.Errorf("ring a channel that has gone: %v, want nil (already gone)", err)
	}
	if err := drv.Hangup(ctx, run.UUID, pbx.CauseNormal); err != nil {
		t.Fatal(err)
	}
	for {
		switch ev := next().(type) {
		case pbx.ChannelHungUp:
			if ev.Channel == run.UUID {
				return
			}
		case pbx.LegRinging, pbx.LegAnswered:
			t.Fatalf("the rung caller reported %T", ev)
		}
	}
}
