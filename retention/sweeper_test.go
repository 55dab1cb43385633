package retention

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"switchboard/routing"
	"switchboard/store"
)

type fakeIndex []store.Recording

func (f fakeIndex) ExpiredRecordings(_ context.Context, now time.Time, _ int) ([]store.Recording, error) {
	var out []store.Recording
	for _, r := range f {
		if routing.Expired(r.StartedAt, r.RetentionDays, r.Held, now) {
			out = append(out, r)
		}
	}
	return out, nil
}

type fakeControl struct {
	held    map[string]bool
	deleted []string
}

func (f *fakeControl) Delete(_ context.Context, r routing.RecordingRequest) error {
	if f.held[r.Recording] {
		return routing.ErrRecordingHeld
	}
	f.deleted = append(f.deleted, r.Recording)
	return nil
}

type fakeDeleter []string

func (f *fakeDeleter) DeleteRecording(_ context.Context, name string) error {
	*f = append(*f, name)
	return nil
}

func TestSweep(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	part := func(n string) []store.RecordingPart { return []store.RecordingPart{{Part: 1, Name: n}} }
	idx := fakeIndex{
		{ID: "rec-old", StartedAt: now.AddDate(0, 0, -40), RetentionDays: 30, Parts: part("rec-old-1")},
		{ID: "rec-new", StartedAt: now.AddDate(0, 0, -10), RetentionDays: 30, Parts: part("rec-new-1")},
		{ID: "rec-held", StartedAt: now.AddDate(0, 0, -40), RetentionDays: 30, Held: true, Parts: part("rec-held-1")},
		{ID: "rec-just-held", StartedAt: now.AddDate(0, 0, -40), RetentionDays: 30, Parts: part("rec-just-held-1")},
		{ID: "rec-forever", StartedAt: now.AddDate(-5, 0, 0), Parts: part("rec-forever-1")},
	}
	ctl := &fakeControl{held: map[string]bool{"rec-just-held": true}}
	var del fakeDeleter
	s := &Sweeper{Index: idx, Control: ctl, Deleter: &del, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	n, err := s.Sweep(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || !slices.Equal(ctl.deleted, []string{"rec-old"}) || !slices.Equal([]string(del), []string{"rec-old-1"}) {
		t.Fatalf("swept %d: deleted %v, files %v", n, ctl.deleted, del)
	}
}
