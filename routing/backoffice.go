package routing

import (
	"context"
	"sync"
	"time"
)

// Back-office work (tickets, and next follow-ups' own records) lives in
// packages of its own that routing does not import. They get their
// records into the one event log the way every API command does: through
// the engine loop, so the records are stamped with the engine's clock,
// written in the same batch as everything else and published on the live
// feed only once durable. The back-office package decides (pure, over its
// own projection) inside the loop; the engine writes what it decided
// before replying, and the caller applies the records to its projection
// only after the reply: written before acted on.

// Decision decides back-office work at the engine's now: the records to
// append (their payloads set; Time is stamped here) and a reply, or an
// error and no records. It runs on the engine goroutine, so it must be
// quick and must not call back into the engine.
type Decision func(now time.Time) (recs []*Record, reply any, err error)

// decideCommand carries a Decision into the loop.
type decideCommand struct{ fn Decision }

// runDecision runs a Decision in the machine: nothing is recorded on
// error. A function, so neither Machine nor effects grows a method.
func runDecision(fx *effects, cmd decideCommand) (any, error) {
	recs, reply, err := cmd.fn(fx.now)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		r.Time = fx.now
		fx.out.Records = append(fx.out.Records, r)
	}
	return reply, nil
}

// Decide runs d in e's loop and returns once its records are in the
// journal. A function, not an Engine method: the Engine is at its size.
func Decide(ctx context.Context, e *Engine, d Decision) (any, error) {
	return e.doInput(ctx, decideCommand{fn: d})
}

// Submit is how a back-office package reaches the engine: Decide bound to
// it (a function, so the package needs no Engine).
type Submit func(ctx context.Context, d Decision) (any, error)

// DecideApplied is the back-office write: fn decides in the engine loop
// (through submit), and apply folds its records into the package's
// projection once they are durable. mu is held from before the decision
// until the records are applied, so every decision sees every earlier
// one. Nothing is recorded or applied if fn fails.
func DecideApplied(ctx context.Context, mu sync.Locker, submit Submit, apply func(*Record) error,
	fn func(now time.Time) ([]*Record, error)) ([]*Record, error) {
	mu.Lock()
	defer mu.Unlock()
	v, err := submit(ctx, func(now time.Time) ([]*Record, any, error) {
		recs, err := fn(now)
		if err != nil {
			return nil, nil, err
		}
		return recs, recs, nil
	})
	if err != nil {
		return nil, err
	}
	recs, _ := v.([]*Record)
	for _, rec := range recs {
		if err := apply(rec); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// Replay folds the log's records (in order) into a back-office projection
// at start-up, under mu.
func Replay(mu sync.Locker, apply func(*Record) error, recs []Record) error {
	mu.Lock()
	defer mu.Unlock()
	for i := range recs {
		if err := apply(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}
