package routing

import (
	"errors"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// newExtendHarness is the desk harness with support's wrap-up (3 s)
// extendable by ext.
func newExtendHarness(t *testing.T, ext time.Duration) *harness {
	h := newHarness(t)
	cfg := deskConfig()
	cfg.Queues["support"].WrapUpExtend = Duration(ext)
	h.m = NewMachine(cfg, SequentialIDs(), h.m.log)
	return h
}

func (h *harness) draft(call, disposition, notes string) error {
	h.t.Helper()
	return h.in(deskCommand{Op: "draft", Agent: "a1", Call: call, Disposition: disposition, Notes: notes}).Err
}

func (h *harness) deskView(id string) DeskView {
	h.t.Helper()
	out := h.in(deskCommand{Op: "desk", Agent: id})
	if out.Err != nil {
		h.t.Fatal(out.Err)
	}
	return out.Reply.(DeskView)
}

// A draft typed during the call and finished in wrap-up is stored as the
// call's wrap-up when the timer runs out; only a change is a record.
func TestWrapUpTimerStoresDraft(t *testing.T) {
	h := newDeskHarness(t)
	h.signIn("a1")
	id, _ := h.talking()
	if err := h.draft(id, "", "asked about the bill"); err != nil {
		t.Fatal(err)
	}
	h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	if v := h.deskView("a1"); v.Draft == nil || v.Draft.Notes != "asked about the bill" {
		t.Fatalf("draft not on the desk in wrap-up: %+v", v.Draft)
	}
	if err := h.draft(id, "callback", "asked about the bill; call back"); err != nil {
		t.Fatal(err)
	}
	if out := h.in(deskCommand{Op: "draft", Agent: "a1", Call: id, Disposition: "callback", Notes: "asked about the bill; call back"}); len(out.Records) != 0 || out.Err != nil {
		t.Fatalf("an unchanged draft wrote %d records (%v)", len(out.Records), out.Err)
	}
	if h.lastRecord(EvCallWrapped, nil) {
		t.Fatal("a draft was stored as the wrap-up before wrap-up ended")
	}
	h.advance(3 * time.Second)
	h.in(TimerFired{Name: "wrapup:a1"})
	var w WrapUpData
	if !h.lastRecord(EvCallWrapped, &w) {
		t.Fatal("wrap-up ran out and the call has no wrap-up: the agent's draft was lost")
	}
	if w.Disposition != "callback" || w.Notes != "asked about the bill; call back" || !w.FollowUp || w.Agent != "a1" || w.By != WrappedByDraft {
		t.Fatalf("stored draft %+v", w)
	}
	if h.agent("a1").State != Ready {
		t.Fatalf("after wrap-up: %s", h.agent("a1").State)
	}
	if err := h.draft(id, "resolved", ""); err == nil {
		t.Fatal("a draft for a call whose wrap-up is over was accepted")
	}
}

// A submitted wrap-up is not overwritten by the draft; nothing typed,
// nothing stored.
func TestWrapUpSubmittedOrEmptyDraft(t *testing.T) {
	h := newDeskHarness(t)
	h.signIn("a1")
	id, _ := h.talking()
	h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	if err := h.draft(id, "callback", "draft"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.wrap(deskCommand{Agent: "a1", Call: id, Disposition: "resolved", Notes: "final"}); err != nil {
		t.Fatal(err)
	}
	if n := len(h.recordsOf(EvCallWrapped)); n != 1 {
		t.Fatalf("%d call.wrapped records, want the one submitted", n)
	}

	// Second call: nothing typed, the timer leaves the call without one.
	h.arrive("ch2")
	out := h.in(pbx.DTMFReceived{Channel: "ch2", Digit: "1"})
	leg := find[cmdOriginate](t, out).Req.Channel
	h.in(pbx.LegAnswered{Channel: leg})
	h.in(pbx.ChannelHungUp{Channel: "ch2", Cause: pbx.CauseNormal})
	h.in(TimerFired{Name: "wrapup:a1"})
	if n := len(h.recordsOf(EvCallWrapped)); n != 1 {
		t.Fatalf("%d call.wrapped records after an empty wrap-up ran out, want 1", n)
	}
	if err := h.draft("nope", "", "x"); !errors.Is(err, ErrUnknownCall) {
		t.Fatalf("draft for an unknown call: %v", err)
	}
	if err := h.draft(id, "bogus", "x"); err == nil {
		t.Fatal("a draft with an unknown disposition was accepted")
	}
}

// The queue's extension is given once: wrap-up ends later, the second ask
// is refused, and the timer set is the extended end.
func TestWrapUpExtendOnce(t *testing.T) {
	h := newExtendHarness(t, 30*time.Second)
	h.signIn("a1")
	h.talking()
	h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	end := h.now.Add(3 * time.Second)
	if v := h.deskView("a1"); v.WrapUpExtendSeconds != 30 || !v.WrapUpEnds.Equal(end) {
		t.Fatalf("before the extension: ends %v, extension %v", v.WrapUpEnds, v.WrapUpExtendSeconds)
	}
	h.advance(2 * time.Second)
	out := h.in(deskCommand{Op: "extend", Agent: "a1"})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	var timer timerSet
	for _, ts := range out.Timers {
		if ts.Name == "wrapup:a1" {
			timer = ts
		}
	}
	if !timer.At.Equal(end.Add(30 * time.Second)) {
		t.Fatalf("wrap-up timer after the extension: %+v, want %v", timer, end.Add(30*time.Second))
	}
	v := out.Reply.(DeskView)
	if !v.WrapUpEnds.Equal(end.Add(30*time.Second)) || v.WrapUpExtendSeconds != 0 {
		t.Fatalf("after the extension: ends %v, extension %v", v.WrapUpEnds, v.WrapUpExtendSeconds)
	}
	out = h.in(deskCommand{Op: "extend", Agent: "a1"})
	var pe *PolicyError
	if !errors.As(out.Err, &pe) || pe.Code != "already_extended" || len(out.Timers) != 0 {
		t.Fatalf("second extension: %v, timers %v", out.Err, out.Timers)
	}
	out = h.in(deskCommand{Op: "extend", Agent: "a1"})
	if !errors.As(out.Err, &pe) || pe.Code != "already_extended" {
		t.Fatalf("third extension: %v", out.Err)
	}
	// The next call's wrap-up may be extended again.
	h.in(TimerFired{Name: "wrapup:a1"})
	h.arrive("ch2")
	out = h.in(pbx.DTMFReceived{Channel: "ch2", Digit: "1"})
	h.in(pbx.LegAnswered{Channel: find[cmdOriginate](t, out).Req.Channel})
	h.in(pbx.ChannelHungUp{Channel: "ch2", Cause: pbx.CauseNormal})
	if out := h.in(deskCommand{Op: "extend", Agent: "a1"}); out.Err != nil {
		t.Fatalf("next call's extension: %v", out.Err)
	}
}

func TestWrapUpExtendRefused(t *testing.T) {
	h := newExtendHarness(t, 0)
	h.signIn("a1")
	var pe *PolicyError
	if out := h.in(deskCommand{Op: "extend", Agent: "a1"}); !errors.As(out.Err, &pe) || pe.Code != "not_in_wrap_up" {
		t.Fatalf("extension while ready: %v", out.Err)
	}
	h.talking()
	h.in(pbx.ChannelHungUp{Channel: "ch1", Cause: pbx.CauseNormal})
	if v := h.deskView("a1"); v.WrapUpExtendSeconds != 0 {
		t.Fatalf("extension offered with wrap_up_extend 0: %v", v.WrapUpExtendSeconds)
	}
	if out := h.in(deskCommand{Op: "extend", Agent: "a1"}); !errors.As(out.Err, &pe) || pe.Code != "no_extension" || len(out.Timers) != 0 {
		t.Fatalf("extension with wrap_up_extend 0: %v", out.Err)
	}
	if out := h.in(deskCommand{Op: "extend", Agent: "zz"}); !errors.Is(out.Err, ErrUnknownAgent) {
		t.Fatalf("unknown agent: %v", out.Err)
	}
}
