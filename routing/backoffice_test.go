package routing

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"switchboard/routing/pbx"
)

// A Decision's records are stamped with the engine's now and are in the
// journal when Decide returns; a refused one writes nothing.
func TestDecideWritesBeforeReplying(t *testing.T) {
	j := &memJournal{}
	sw := &fakeSwitch{in: make(chan pbx.Event), cmds: make(chan string, 100), journal: j}
	e := NewEngine(testConfig(), sw, j, SystemClock{}, SequentialIDs(), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	defer func() { cancel(); <-done }()

	var at time.Time
	v, err := Decide(ctx, e, func(now time.Time) ([]*Record, any, error) {
		at = now
		return []*Record{{Type: "ticket.created", Data: []byte(`{"id":"T1"}`)}}, "ok", nil
	})
	if err != nil || v != "ok" {
		t.Fatalf("decide: %v %v", v, err)
	}
	j.mu.Lock()
	var got *Record
	for _, r := range j.recs {
		if r.Type == "ticket.created" {
			got = r
		}
	}
	j.mu.Unlock()
	if got == nil || !got.Time.Equal(at) || got.Seq == 0 {
		t.Fatalf("record not journalled at the decision's now before the reply: %+v", got)
	}
	// The engine's own start-up records (config.applied, the driver's
	// first pbx.resynced) may still be on their way: count the others.
	decided := func() int {
		n := 0
		for _, typ := range j.types() {
			if typ != EvConfigApplied && !strings.HasPrefix(typ, EvPBX) {
				n++
			}
		}
		return n
	}
	refused := errors.New("no")
	before := decided()
	if _, err := Decide(ctx, e, func(time.Time) ([]*Record, any, error) {
		return nil, nil, refused
	}); !errors.Is(err, refused) {
		t.Fatalf("refused decision: %v", err)
	}
	if n := decided(); n != before {
		t.Fatalf("refused decision wrote %d records: %v", n-before, j.types())
	}
}
