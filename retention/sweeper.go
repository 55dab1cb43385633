// Package retention deletes call recordings whose retention has run out:
// each deletion is a recording.deleted record through the engine (a
// legal hold blocks it), then the files go from the PBX.
package retention

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"switchboard/routing"
	"switchboard/store"
)

// Index lists the recordings due for deletion (*store.Store).
type Index interface {
	ExpiredRecordings(ctx context.Context, now time.Time, limit int) ([]store.Recording, error)
}

// Control records a deletion (*routing.Recordings).
type Control interface {
	Delete(ctx context.Context, r routing.RecordingRequest) error
}

// Deleter removes a file from the PBX (the ARI driver); nil leaves the
// files to the PBX.
type Deleter interface {
	DeleteRecording(ctx context.Context, name string) error
}

// Sweeper deletes expired recordings every Every.
type Sweeper struct {
	Index   Index
	Control Control
	Deleter Deleter
	Now     func() time.Time
	Every   time.Duration // default an hour
	Log     *slog.Logger
}

// batch bounds one sweep; the next sweep takes the rest.
const batch = 500

// Run sweeps at start and then every Every until ctx ends.
func (s *Sweeper) Run(ctx context.Context) error {
	every := s.Every
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.Log.Warn("recording retention sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Sweep deletes what is due now and reports how many recordings went. A
// recording put on hold since the index was read is refused by the
// engine and skipped.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	due, err := s.Index.ExpiredRecordings(ctx, s.Now(), batch)
	if err != nil {
		return 0, fmt.Errorf("retention: %w", err)
	}
	n := 0
	for _, r := range due {
		names := make([]string, 0, len(r.Parts))
		for _, p := range r.Parts {
			names = append(names, p.Name)
		}
		err := s.Control.Delete(ctx, routing.RecordingRequest{Recording: r.ID, By: "retention",
			Reason: fmt.Sprintf("retention: %d days", r.RetentionDays), Names: names})
		if errors.Is(err, routing.ErrRecordingHeld) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("retention: delete %s: %w", r.ID, err)
		}
		n++
		if s.Deleter == nil {
			continue
		}
		for _, name := range names {
			if err := s.Deleter.DeleteRecording(ctx, name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				s.Log.Warn("recording file not deleted", "recording", r.ID, "file", name, "err", err)
			}
		}
	}
	return n, nil
}
