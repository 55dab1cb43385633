package routing

import (
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

func cbConfig() *Config {
	cfg := outConfig()
	cfg.TrunkGroups["cb"] = &TrunkGroup{Members: []TrunkMember{{Trunk: "good", Priority: 1}}}
	cfg.Outbound.Callbacks = "out"
	q := cfg.Queues["support"]
	q.Callbacks = QueueCallbacks{Group: "cb", RetryDelay: Duration(time.Minute), MaxAttempts: 2}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	return cfg
}

func (h *harness) enqueue(number string, queuedAt time.Time) WorkItemView {
	h.t.Helper()
	out := h.in(workCommand{Op: "enqueue", Enqueue: &EnqueueRequest{Kind: WorkCallback, Number: number, Queue: "support", QueuedAt: queuedAt}})
	if out.Err != nil {
		h.t.Fatalf("enqueue: %v", out.Err)
	}
	return out.Reply.(WorkItemView)
}

func (h *harness) work(op, item, agent, reason string) (WorkItemView, error) {
	out := h.in(workCommand{Op: op, Item: item, Agent: agent, Reason: reason, Role: "agent"})
	v, _ := out.Reply.(WorkItemView)
	return v, out.Err
}

func (h *harness) item(id string) *workItem { return h.m.work.items[id] }

// dialItem accepts a1's preview and answers the agent's phone; it returns
// the customer's leg.
func (h *harness) dialItem(id string) cmdOriginate {
	h.t.Helper()
	if _, err := h.work("accept", id, "a1", ""); err != nil {
		h.t.Fatalf("accept: %v", err)
	}
	ag := find[cmdOriginate](h.t, h.last)
	if ag.Req.Endpoint != "PJSIP/1001" {
		h.t.Fatalf("first the agent's phone: %+v", ag.Req)
	}
	h.in(pbx.LegRinging{Channel: ag.Req.Channel})
	out := h.in(pbx.LegAnswered{Channel: ag.Req.Channel})
	return find[cmdOriginate](h.t, out)
}

func (h *harness) workTypes() []string {
	var out []string
	for _, r := range h.recs {
		if len(r.Type) > 5 && r.Type[:5] == "work." {
			out = append(out, r.Type)
		}
	}
	return out
}

func TestCallbackConnected(t *testing.T) {
	h := newOutHarness(t, cbConfig())
	it := h.enqueue("030 5555 1234", h.now.Add(-time.Minute))
	if it.State != WorkWaiting || it.MaxAttempts != 2 {
		t.Fatalf("nobody signed in: %+v", it)
	}
	h.signIn("a1")
	if h.agent("a1").State != Reserved || h.item(it.ID).state != WorkReserved {
		t.Fatalf("agent %s item %s, want both reserved", h.agent("a1").State, h.item(it.ID).state)
	}
	if v := h.deskView("a1"); v.Callback == nil || v.Callback.ID != it.ID {
		t.Fatalf("desk preview %+v", v.Callback)
	}
	o := h.dialItem(it.ID)
	if o.Req.Trunk != "good" || o.Req.Number != "+493055551234" {
		t.Fatalf("the callbacks group's trunk: %+v", o.Req)
	}
	h.in(pbx.LegRinging{Channel: o.Req.Channel})
	h.in(pbx.LegAnswered{Channel: o.Req.Channel})
	if h.item(it.ID).state != WorkConnected {
		t.Fatalf("item %s, want connected", h.item(it.ID).state)
	}
	h.advance(time.Minute)
	h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, Cause: 16})
	got := h.item(it.ID)
	if got.state != WorkClosed || got.reason != CloseConnected || got.attempts != 1 {
		t.Fatalf("item %+v", got)
	}
	want := []string{EvWorkRequested, EvWorkReserved, EvWorkAccepted, EvWorkConnected, EvWorkAttempt, EvWorkClosed}
	if got := h.workTypes(); len(got) != len(want) {
		t.Fatalf("records %v, want %v", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("records %v, want %v", got, want)
			}
		}
	}
	if h.agent("a1").State != WrapUp {
		t.Fatalf("agent %s, want wrap-up", h.agent("a1").State)
	}
}

func TestCallbackBusyRetriedThenClosed(t *testing.T) {
	h := newOutHarness(t, cbConfig())
	h.signIn("a1")
	it := h.enqueue("030 5555 1234", time.Time{})
	for try := 1; try <= 2; try++ {
		if h.item(it.ID).state != WorkReserved {
			t.Fatalf("try %d: item %s, want reserved", try, h.item(it.ID).state)
		}
		o := h.dialItem(it.ID)
		h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, Cause: 17, SIPCode: 486})
		got := h.item(it.ID)
		if got.attempts != try || got.outcome != OutcomeBusy {
			t.Fatalf("try %d: %+v", try, got)
		}
		if try == 2 {
			break
		}
		if got.state != WorkWaiting || !got.due.Equal(h.now.Add(time.Minute)) {
			t.Fatalf("not retried a minute later: %+v", got)
		}
		h.advance(30 * time.Second) // wrap-up ends: the retry is not due yet
		h.in(TimerFired{Name: "wrapup:a1"})
		if h.agent("a1").State != Ready {
			t.Fatalf("agent %s, want ready (the retry waits)", h.agent("a1").State)
		}
		h.advance(30 * time.Second)
		h.in(TimerFired{Name: "workdue:" + it.ID})
	}
	got := h.item(it.ID)
	if got.state != WorkClosed || got.reason != CloseMaxAttempts {
		t.Fatalf("after the limit: %+v", got)
	}
}

func TestCallbackSkipGoesToAnotherAgent(t *testing.T) {
	h := newOutHarness(t, cbConfig())
	h.signIn("a1")
	it := h.enqueue("030 5555 1234", time.Time{})
	if _, err := h.work("skip", it.ID, "a1", ""); !isField(err, "reason") {
		t.Fatalf("skip without a reason: %v", err)
	}
	if _, err := h.work("accept", it.ID, "a2", ""); err == nil {
		t.Fatal("a2 accepted a1's preview")
	}
	h.signIn("a2")
	if _, err := h.work("skip", it.ID, "a1", "wrong_language"); err != nil {
		t.Fatal(err)
	}
	if h.agent("a1").State != Ready || h.item(it.ID).agent != "a2" || h.agent("a2").State != Reserved {
		t.Fatalf("a1 %s, item for %q, a2 %s", h.agent("a1").State, h.item(it.ID).agent, h.agent("a2").State)
	}
	// a2 lets the preview run out: a2 goes not ready; a1 skipped it, so it waits.
	h.advance(DefaultCallbackPreviewTimeout.D())
	h.in(TimerFired{Name: "workpreview:" + it.ID})
	if h.agent("a2").State != NotReady || h.item(it.ID).state != WorkWaiting || h.agent("a1").State != Ready {
		t.Fatalf("a2 %s, item %s, a1 %s", h.agent("a2").State, h.item(it.ID).state, h.agent("a1").State)
	}
	if _, err := h.work("accept", "cb-nope", "a1", ""); !errors.Is(err, ErrNoSuchItem) {
		t.Fatalf("unknown item: %v", err)
	}
}

// A callback keeps the caller's place: a free agent takes whichever of
// callback and waiting caller came first.
func TestCallbackKeepsItsPlace(t *testing.T) {
	h := newOutHarness(t, cbConfig())
	h.signIn("a1")
	h.agentCmd("not_ready", "a1", "break")
	h.advance(time.Second)
	early := h.enqueue("030 5555 1234", h.now.Add(-time.Minute)) // the caller arrived a minute ago
	h.arrive("ch-1")
	h.in(pbx.DTMFReceived{Channel: "ch-1", Digit: "1"})
	h.advance(time.Second)
	late := h.enqueue("030 5555 9999", time.Time{}) // after ch-1 queued
	if _, err := h.agentCmd("ready", "a1", ""); err != nil {
		t.Fatal(err)
	}
	if h.item(early.ID).state != WorkReserved || len(h.m.acd.waiting) != 1 || len(h.m.acd.waiting[0].entry.offers) != 0 {
		t.Fatalf("the earlier callback waits (%s); a1 took the later caller", h.item(early.ID).state)
	}
	h.work("skip", early.ID, "a1", "later")
	if len(h.m.acd.waiting) != 1 || len(h.m.acd.waiting[0].entry.offers) != 1 || h.item(late.ID).state != WorkWaiting {
		t.Fatalf("a1 free again: the waiting caller comes before the later callback (%s)", h.item(late.ID).state)
	}
}

func TestAfterDialRules(t *testing.T) {
	for _, tt := range []struct {
		outcome   string
		attempts  int // before
		state     string
		reason    string
		attemptsN int
		sameDue   bool
	}{
		{OutcomeAnswered, 0, WorkClosed, CloseConnected, 1, false},
		{OutcomeBusy, 0, WorkWaiting, "", 1, false},
		{OutcomeNoAnswer, 0, WorkWaiting, "", 1, false},
		{OutcomeRejected, 0, WorkWaiting, "", 1, false},
		{OutcomeTrunksFailed, 0, WorkWaiting, "", 1, false},
		{"refused:" + RefuseTrunksDown, 0, WorkWaiting, "", 1, false},
		{OutcomeBusy, 2, WorkClosed, CloseMaxAttempts, 3, false},
		{OutcomeNoAnswer, 2, WorkClosed, CloseMaxAttempts, 3, false},
		{OutcomeAgentMissed, 2, WorkWaiting, "", 2, true},
		{OutcomeCancelled, 2, WorkWaiting, "", 2, true},
		{"refused:" + RefuseAgentBusy, 2, WorkWaiting, "", 2, true},
	} {
		h := newOutHarness(t, cbConfig())
		it := &workItem{id: "cb-x", queue: "support", state: WorkDialling, attempts: tt.attempts, maxAttempts: 3, retryEvery: time.Minute}
		h.m.work.items[it.id] = it
		h.in(workCommand{Op: "list"}) // an Output to record into
		h.m.now, h.m.out = h.now, &Output{}
		h.m.work.ended(it, tt.outcome, "call-1")
		h.m.out = nil
		if it.state != tt.state || it.reason != tt.reason || it.attempts != tt.attemptsN {
			t.Errorf("%s after %d: %s %q %d, want %s %q %d", tt.outcome, tt.attempts, it.state, it.reason, it.attempts, tt.state, tt.reason, tt.attemptsN)
		}
		if it.state == WorkWaiting && it.due.Equal(h.now) != tt.sameDue {
			t.Errorf("%s: due %v (now %v), want at once %v", tt.outcome, it.due, h.now, tt.sameDue)
		}
	}
}

func TestCallbackWindowPassed(t *testing.T) {
	h := newOutHarness(t, cbConfig())
	out := h.in(workCommand{Op: "enqueue", Enqueue: &EnqueueRequest{Kind: WorkFollowUp, Number: "030 5555 1234", Queue: "support",
		Until: h.now.Add(time.Minute)}})
	it := out.Reply.(WorkItemView)
	h.advance(2 * time.Minute)
	h.signIn("a1")
	if got := h.item(it.ID); got.state != WorkClosed || got.reason != CloseWindowPassed {
		t.Fatalf("item %+v", got)
	}
	if h.agent("a1").State != Ready {
		t.Fatalf("agent %s", h.agent("a1").State)
	}
	for _, bad := range []EnqueueRequest{{Kind: "x", Number: "1", Queue: "support"}, {Kind: WorkCallback, Queue: "support"}, {Kind: WorkCallback, Number: "1", Queue: "nope"}} {
		if out := h.in(workCommand{Op: "enqueue", Enqueue: &bad}); out.Err == nil || len(out.Records) > 1 {
			t.Errorf("%+v: %v, records %d", bad, out.Err, len(out.Records))
		}
	}
}

// A restart mid-dial: the records bring the callback back waiting, with
// its attempts and place, and the first resync offers it again.
func TestCallbackSurvivesRestart(t *testing.T) {
	h := newOutHarness(t, cbConfig())
	h.signIn("a1")
	it := h.enqueue("030 5555 1234", h.now.Add(-time.Minute))
	o := h.dialItem(it.ID)
	h.in(pbx.ChannelHungUp{Channel: o.Req.Channel, Cause: 19}) // no answer: retry in a minute
	h.advance(5 * time.Second)
	h.in(TimerFired{Name: "wrapup:a1"})
	var recs []Record
	for _, r := range h.recs {
		if r.Type[:5] == "work." {
			recs = append(recs, *r)
		}
	}
	items, closed, err := foldWork(recs)
	if err != nil {
		t.Fatal(err)
	}
	h2 := newOutHarness(t, cbConfig())
	h2.now = h.now
	h2.m.now, h2.m.out = h2.now, &Output{}
	h2.m.work.restore(items, closed)
	timers := h2.m.out.Timers
	h2.m.out = nil
	if len(timers) != 1 || timers[0].Name != "workdue:"+it.ID || !timers[0].At.Equal(h.item(it.ID).due) {
		t.Fatalf("restored timers %+v", timers)
	}
	h2.signIn("a1")
	h2.advance(time.Minute)
	h2.in(pbx.Resynced{})
	got := h2.item(it.ID)
	if got.state != WorkReserved || got.attempts != 1 || !got.queuedAt.Equal(it.QueuedAt) {
		t.Fatalf("restored %+v", got)
	}
}

// The watchdog leaves an agent reserved for a preview alone: no offer
// holds them, the callback does.
func TestWatchdogKeepsPreview(t *testing.T) {
	h := newOutHarness(t, cbConfig())
	h.signIn("a1")
	it := h.enqueue("030 5555 1234", time.Time{})
	h.advance(30 * time.Second)
	h.in(Audit{Taken: h.now})
	if h.agent("a1").State != Reserved || h.item(it.ID).state != WorkReserved {
		t.Fatalf("after the watchdog: agent %s, item %s", h.agent("a1").State, h.item(it.ID).state)
	}
	for _, r := range h.recs {
		if r.Type == EvAgentRepaired {
			t.Fatalf("the watchdog repaired a previewing agent: %s", r.Data)
		}
	}
}

// "Press 1 to be called back, you keep your place": the waiting caller
// leaves the queue for the callback step, and the callback keeps the
// place they had, ahead of a caller who queued after them.
func TestQueueCallbackDigitKeepsPlace(t *testing.T) {
	cfg := cbConfig()
	f := cfg.Flows["main"]
	f.Nodes["support"].Queue.CallbackDigit, f.Nodes["support"].Queue.OnCallback = "1", "cb"
	f.Nodes["cb"] = &Node{Callback: &CallbackNode{Next: "bye"}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	h := newOutHarness(t, cfg)
	h.signIn("a1")
	h.agentCmd("not_ready", "a1", "break")
	h.arrive("ch-1")
	h.in(pbx.DTMFReceived{Channel: "ch-1", Digit: "1"}) // menu: support
	queuedAt := h.now
	h.advance(10 * time.Second)
	h.arrive("ch-2")
	h.in(pbx.DTMFReceived{Channel: "ch-2", Digit: "1"})
	h.advance(10 * time.Second)
	h.in(pbx.DTMFReceived{Channel: "ch-1", Digit: "1"}) // in the queue: call me back
	if len(h.m.acd.waiting) != 1 || h.m.acd.waiting[0].channel != "ch-2" {
		t.Fatalf("ch-1 still waits: %d waiting", len(h.m.acd.waiting))
	}
	items := h.m.work.list(workCommand{})
	if len(items) != 1 || !items[0].QueuedAt.Equal(queuedAt) || items[0].Queue != "support" || items[0].Number != "13800000000" {
		t.Fatalf("callback %+v, want support since %v", items, queuedAt)
	}
	h.agentCmd("ready", "a1", "")
	if h.item(items[0].ID).state != WorkReserved {
		t.Fatalf("the callback (queued first) is not offered first: %s", h.item(items[0].ID).state)
	}
	bad := cbConfig()
	bad.Flows["main"].Nodes["support"].Queue.CallbackDigit, bad.Flows["main"].Nodes["support"].Queue.OnCallback = "12", "bye"
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "queue.callback_digit: must be one DTMF digit") || !strings.Contains(err.Error(), `queue.on_callback: node "bye" is not a callback step`) {
		t.Fatalf("validate: %v", err)
	}
}

// TestReloadKeepsOpenCallbacksQueue: a reload that removes the queue an
// open callback is in is refused naming both (the callback would wait
// forever), and nothing of it is applied; once the callback is closed the
// same reload goes through.
func TestReloadKeepsOpenCallbacksQueue(t *testing.T) {
	cfg := cbConfig()
	cfg.Queues["billing"] = &Queue{}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	h := newOutHarness(t, cfg)
	out := h.in(workCommand{Op: "enqueue", Enqueue: &EnqueueRequest{Kind: WorkCallback, Number: "030 5555 1234",
		Queue: "support", QueuedAt: h.now, Until: h.now.Add(time.Minute)}})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	it := out.Reply.(WorkItemView)
	next := *cfg
	next.Queues = map[string]*Queue{"billing": cfg.Queues["billing"]}
	next.Agents = nil
	next.Flows = map[string]*Flow{}
	next.Routes = map[string]string{}
	out = h.in(reloadCommand{cfg: &next})
	if out.Err == nil || !strings.Contains(out.Err.Error(), "queues.support: cannot be removed while callback "+it.ID) {
		t.Fatalf("reload removing the callback's queue: %v", out.Err)
	}
	if h.m.Version() != 1 || h.m.acd.queues["support"] == nil {
		t.Fatalf("refused reload was applied: version %d", h.m.Version())
	}
	// Its window passes: closed, and the queue may go.
	h.advance(2 * time.Minute)
	h.in(TimerFired{Name: "workdue:" + it.ID})
	if st := h.item(it.ID).state; st != WorkClosed {
		t.Fatalf("callback past its window: %s", st)
	}
	if out := h.in(reloadCommand{cfg: &next}); out.Err != nil {
		t.Fatalf("reload after the callback closed: %v", out.Err)
	}
}
