package routing

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"

	"switchboard/routing/pbx"
)

func TestMarkMessageHandled(t *testing.T) {
	h := newHarness(t)
	out := h.in(messageCommand{Recording: "msg-c1", Call: "c1", By: "1001", Note: "called back"})
	if out.Err != nil || len(out.Records) != 1 {
		t.Fatalf("mark: %v, records %v", out.Err, out.Records)
	}
	r := out.Records[0]
	var d MessageHandledData
	if err := json.Unmarshal(r.Data, &d); err != nil || r.Type != EvMessageHandled || r.CallID != "c1" ||
		d != (MessageHandledData{Recording: "msg-c1", By: "1001", Note: "called back"}) || !r.Time.Equal(h.now) {
		t.Fatalf("record %+v %+v (%v)", r, d, err)
	}
	again := h.in(messageCommand{Recording: "msg-c1", Call: "c1", By: "1002"})
	if !errors.Is(again.Err, ErrMessageHandled) || len(again.Records) != 0 {
		t.Fatalf("second mark: %v, records %v", again.Err, again.Records)
	}
	for _, tc := range []struct {
		cmd   messageCommand
		field string
	}{
		{messageCommand{Call: "c2", By: "1001"}, "message"},
		{messageCommand{Recording: "msg-c2", Call: "c2"}, "by"},
	} {
		out := h.in(tc.cmd)
		var fe *FieldError
		if !errors.As(out.Err, &fe) || fe.Field != tc.field || len(out.Records) != 0 {
			t.Errorf("%+v: %v, records %v; want a field error on %s", tc.cmd, out.Err, out.Records, tc.field)
		}
	}
}

// Through the engine: message.handled is in the journal before the
// caller hears back, and of clients marking at once exactly one wins.
func TestEngineMarksMessageHandledOnce(t *testing.T) {
	j := &memJournal{}
	sw := &fakeSwitch{in: make(chan pbx.Event), cmds: make(chan string, 100), journal: j}
	e := NewEngine(testConfig(), sw, j, SystemClock{}, SequentialIDs(), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()
	defer func() { cancel(); <-done }()

	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = e.MarkMessageHandled(ctx, MessageHandledRequest{Message: "msg-1", Call: "c1", By: "1001"})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrMessageHandled):
			t.Errorf("mark: %v", err)
		}
	}
	handled := 0
	for _, typ := range j.types() {
		if typ == EvMessageHandled {
			handled++
		}
	}
	if ok != 1 || handled != 1 {
		t.Fatalf("%d marks succeeded, %d message.handled logged; want 1 and 1", ok, handled)
	}
}
