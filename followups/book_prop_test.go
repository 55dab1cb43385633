package followups

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// TestAttemptsProperty: over random attempt sequences and limits, a
// closed task never takes an attempt (nothing written), and a task
// closes exactly when the rule says: on a wrong number, on a reached
// answer other than call later, or on the max-th failed attempt.
func TestAttemptsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 72))
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	ctx := context.Background()
	for run := range 300 {
		c := cfg()
		c.MaxAttempts = 3 + rng.IntN(3)
		f := &fakeEngine{now: t0}
		s := newSvc(c, f)
		task, err := s.Create(ctx, NewTask{Customer: "42", Source: SourceLead, By: "lead1"})
		if err != nil {
			t.Fatal(err)
		}
		failed, closed := 0, false
		for i := range 12 {
			f.now = f.now.Add(time.Duration(1+rng.IntN(180)) * time.Minute)
			r := AttemptRequest{ID: task.ID, By: "1001", Outcome: Outcomes[rng.IntN(len(Outcomes))]}
			if r.Outcome == Reached {
				r.Result = Results[rng.IntN(len(Results))]
				switch r.Result {
				case Satisfied:
					r.Satisfaction = 1 + rng.IntN(5)
				case CallLater:
					r.Later = f.now.Add(time.Hour)
				}
			}
			n := len(f.log)
			got, err := s.Attempt(ctx, r)
			if closed {
				if !errors.Is(err, ErrClosed) || len(f.log) != n {
					t.Fatalf("run %d attempt %d: closed task took %s: %v", run, i, r.Outcome, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("run %d attempt %d: %v", run, i, err)
			}
			if r.Outcome == NoAnswer || r.Outcome == Busy {
				failed++
			}
			want := r.Outcome == WrongNumber || (r.Outcome == Reached && r.Result != CallLater) || failed == c.MaxAttempts
			if (got.State == StateClosed) != want {
				t.Fatalf("run %d attempt %d (%s/%s, failed %d of %d): state %s", run, i, r.Outcome, r.Result, failed, c.MaxAttempts, got.State)
			}
			closed = want
			if got.Failed() != failed || len(got.Attempts) != i+1 {
				t.Fatalf("run %d: failed %d attempts %d, want %d, %d", run, got.Failed(), len(got.Attempts), failed, i+1)
			}
		}
	}
}
