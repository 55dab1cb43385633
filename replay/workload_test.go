package replay_test

import (
	"reflect"
	"testing"
	"time"

	"switchboard/replay"
	"switchboard/replay/replaytest"
)

func TestExtractPeriodStartsWithWhoWasSignedIn(t *testing.T) {
	cfg := dayConfig(t, 5*time.Minute, "a1", "a2")
	s := recordedDay(t, cfg, 60, "a1", "a2")
	all, err := replay.Extract(t.Context(), s, replay.Period{})
	if err != nil {
		t.Fatal(err)
	}
	since, until := replaytest.Start.Add(10*time.Minute), replaytest.Start.Add(22*time.Minute)
	w, err := replay.Extract(t.Context(), s, replay.Period{Since: since, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, c := range all.Calls {
		if !c.Arrived.Before(since) && c.Arrived.Before(until) {
			want++
		}
	}
	if len(w.Calls) != want || want == 0 {
		t.Fatalf("%d calls in the period, want %d", len(w.Calls), want)
	}
	if w.Start != since || w.End != until || w.Config == nil {
		t.Fatalf("period %s..%s, config %v", w.Start, w.End, w.Config != nil)
	}
	var got []replay.AgentCommand
	for _, c := range w.Commands {
		got = append(got, replay.AgentCommand{At: c.At, Op: c.Op, Agent: c.Agent, Reason: c.Reason})
	}
	wantCmds := []replay.AgentCommand{
		{At: since, Op: "sign_in", Agent: "a1"}, {At: since, Op: "sign_in", Agent: "a2"},
		{At: replaytest.Start.Add(20 * time.Minute), Op: "not_ready", Agent: "a1", Reason: "break"},
		{At: replaytest.Start.Add(20 * time.Minute), Op: "not_ready", Agent: "a2", Reason: "break"},
	}
	// Then the refused not-readies of agents busy at 09:20, tried again
	// (every command reaching the engine is logged).
	if len(got) < len(wantCmds) || !reflect.DeepEqual(got[:len(wantCmds)], wantCmds) {
		t.Errorf("commands\n got %+v\nwant %+v", got, wantCmds)
	}
	for _, c := range got {
		if c.At.Before(since) || !c.At.Before(until) {
			t.Errorf("command outside the period: %+v", c)
		}
	}
	for _, c := range w.Calls {
		if len(c.Digits) != 1 || c.Digits[0] != (replay.Digit{After: 3 * time.Second, Digit: "1"}) {
			t.Errorf("call %s digits %+v", c.ID, c.Digits)
		}
		if c.Outcome == "answered" && (!c.TalkKnown || c.PatienceKnown) {
			t.Errorf("answered call %s: %+v", c.ID, c)
		}
		if (c.Outcome == "abandoned_queue" || c.Outcome == "abandoned_ringing") && !c.PatienceKnown {
			t.Errorf("abandoned call %s without patience: %+v", c.ID, c)
		}
	}
}

func TestAgentWhoNeverAnswers(t *testing.T) {
	cfg := dayConfig(t, 5*time.Minute, "a1", "a2")
	day := replaytest.Day(40, "a1", "a2")
	day.Agents["a2"] = replay.AgentProfile{Failed: 1, FailCause: "no_answer"}
	path := t.TempDir() + "/day.db"
	replaytest.WriteLog(t, path, replaytest.Records(t, cfg, day))
	s := openStore(t, path)
	w, err := replay.Extract(t.Context(), s, replay.Period{})
	if err != nil {
		t.Fatal(err)
	}
	p := w.Agents["a2"]
	if p.Answered != 0 || p.Failed == 0 || p.FailCause != "no_answer" || p.Recovery != 30*time.Second {
		t.Fatalf("a2's profile %+v", p)
	}
	for _, c := range w.Commands {
		if c.Agent == "a2" && c.Op == "ready" && c.At.Before(replaytest.Start.Add(25*time.Minute)) {
			t.Errorf("a recovery from a missed offer was kept as a command: %+v", c)
		}
	}
	rep, err := replay.Compare(w, w.Config, cfg, "log", "same", replay.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if q := rep.Queues[0]; !reflect.DeepEqual(q.Actual, q.Old) {
		t.Errorf("old simulation differs from the recording:\nactual %+v\nold    %+v", q.Actual, q.Old)
	}
}

// A queue run without wrap-up is replayed without wrap-up: the logged
// config's explicit zero is not filled with the default again.
func TestExtractKeepsLoggedZeroWrapUp(t *testing.T) {
	cfg := dayConfig(t, 5*time.Minute, "a1")
	cfg.Queues["support"].WrapUp = 0
	s := recordedDay(t, cfg, 5, "a1")
	w, err := replay.Extract(t.Context(), s, replay.Period{})
	if err != nil {
		t.Fatal(err)
	}
	if w.Config == nil {
		t.Fatal("no config in the workload")
	}
	if got := w.Config.Queues["support"].WrapUp; got != 0 {
		t.Errorf("replayed wrap_up = %v, want 0 as logged", got)
	}
}
