package routing

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// memJournal is an in-memory event log.
type memJournal struct {
	mu   sync.Mutex
	recs []*Record
	seq  int64
}

func (j *memJournal) Append(_ context.Context, recs ...*Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, r := range recs {
		j.seq++
		r.Seq = j.seq
		j.recs = append(j.recs, r)
	}
	return nil
}

func (j *memJournal) types() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []string
	for _, r := range j.recs {
		out = append(out, r.Type)
	}
	return out
}

// fakeSwitch delivers the test's events and reports each command together
// with what the journal held when the command ran.
type fakeSwitch struct {
	in      chan pbx.Event
	cmds    chan string
	journal *memJournal
}

func (f *fakeSwitch) Run(ctx context.Context, events chan<- pbx.Event) error {
	events <- pbx.Resynced{}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev := <-f.in:
			events <- ev
		}
	}
}

func (f *fakeSwitch) note(cmd string) error {
	// Log before act: the record that caused a command is written first.
	f.cmds <- cmd + " after " + f.journal.types()[len(f.journal.types())-1]
	return nil
}

func (f *fakeSwitch) Answer(_ context.Context, ch string) error { return f.note("answer " + ch) }
func (f *fakeSwitch) Play(_ context.Context, ch, id string, media ...string) error {
	return f.note("play " + ch)
}
func (f *fakeSwitch) StopPlayback(context.Context, string) error { return nil }
func (f *fakeSwitch) Originate(_ context.Context, o pbx.Originate) error {
	return f.note("originate " + o.Endpoint)
}
func (f *fakeSwitch) Bridge(context.Context, string, ...string) error { return f.note("bridge") }
func (f *fakeSwitch) DestroyBridge(context.Context, string) error     { return nil }
func (f *fakeSwitch) Hangup(_ context.Context, ch string, _ pbx.Cause) error {
	return f.note("hangup " + ch)
}

func TestEngineLogsBeforeActing(t *testing.T) {
	j := &memJournal{}
	sw := &fakeSwitch{in: make(chan pbx.Event), cmds: make(chan string, 100), journal: j}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := NewEngine(testConfig(), sw, j, SystemClock{}, SequentialIDs(), log, nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	defer func() { cancel(); <-done }()

	v, err := e.SignIn(ctx, "a1", "")
	if err != nil || v.State != Ready {
		t.Fatalf("sign in: %v %+v", err, v)
	}
	if !slices.Contains(j.types(), EvAgentState) {
		t.Fatalf("sign-in answered before agent.state was logged: %v", j.types())
	}
	sw.in <- pbx.CallArrived{Channel: "ch1", Caller: "1", Called: "100"}
	want := []string{"answer ch1 after ", "play ch1 after "}
	for i, w := range want {
		select {
		case got := <-sw.cmds:
			if len(got) < len(w) || got[:len(w)] != w {
				t.Fatalf("command %d: %q, want %q…", i, got, w)
			}
			// Both commands come from the arrival: its records, ending with
			// the first IVR node, were written before either ran.
			if got[len(w):] != EvCallIVR {
				t.Fatalf("command %q ran before the call's records were logged", got)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no command %d", i)
		}
	}
	if _, err := e.Agent(ctx, "nobody"); err != ErrUnknownAgent {
		t.Fatalf("unknown agent: %v", err)
	}
	if _, err := e.Reload(ctx, &Config{}); err == nil {
		t.Fatal("reload accepted an empty config")
	}
}

// listingSwitch is a fakeSwitch whose PBX lists channels, so the engine
// runs its watchdog beside the loop.
type listingSwitch struct{ *fakeSwitch }

func (listingSwitch) Channels(context.Context) ([]pbx.ChannelInfo, error) { return nil, nil }

// TestEngineReloadBesideTheWatchdog: the watchdog goroutine never reads
// the config a reload replaces (under -race this failed when the
// interval was read inside the goroutine).
func TestEngineReloadBesideTheWatchdog(t *testing.T) {
	j := &memJournal{}
	sw := listingSwitch{&fakeSwitch{in: make(chan pbx.Event), cmds: make(chan string, 100), journal: j}}
	cfg := testConfig()
	cfg.Watchdog = Duration(time.Hour)
	e := NewEngine(cfg, sw, j, SystemClock{}, SequentialIDs(), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for i := range 3 {
		next := testConfig()
		next.Watchdog = Duration(time.Duration(i+2) * time.Hour)
		if _, err := e.Reload(ctx, next); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
	}
	if _, err := e.Agent(ctx, "a1"); err != nil {
		t.Fatalf("agent after reloads: %v", err)
	}
}
