package store

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"

	"switchboard/routing"
)

// openAgain opens a second handle on the database openTest made, as a
// second process would: its own connections and its own writer mutex.
func openAgain(t *testing.T, path string) *Store {
	t.Helper()
	var (
		s   *Store
		err error
	)
	if backendOf(t) == "postgres" {
		s, err = OpenPostgres(t.Context(), path, slog.New(slog.DiscardHandler))
	} else {
		s, err = Open(t.Context(), path, slog.New(slog.DiscardHandler))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAppendGapFreeUnderConcurrency(t *testing.T) {
	eachBackend(t, testAppendGapFreeUnderConcurrency)
}

// Writers on two handles append batches at once, a third of them refused
// inside the transaction (after their events were inserted): the log's
// seqs are still exactly 1..N, N the records of the accepted batches, and
// each accepted batch got consecutive seqs.
func testAppendGapFreeUnderConcurrency(t *testing.T) {
	a, path := openTest(t)
	b := openAgain(t, path)
	const writers, batches = 4, 20
	var (
		mu       sync.Mutex
		accepted [][]int64
		wg       sync.WaitGroup
		errs     = make(chan error, writers*batches)
	)
	for w := range writers {
		st := a
		if w%2 == 1 {
			st = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 17))
			for i := range batches {
				var recs []*routing.Record
				for j := range 1 + rng.IntN(3) {
					recs = append(recs, arrived(fmt.Sprintf("w%d-%d-%d", w, i, j), float64(i)))
				}
				refused := rng.IntN(3) == 0
				if refused {
					// Fails in the transaction: no such message.
					recs = append(recs, handled("", float64(i), "msg-nope", "1001", ""))
				}
				err := st.Append(t.Context(), recs...)
				switch {
				case refused && !errors.Is(err, ErrNotFound):
					errs <- fmt.Errorf("refused batch: %v", err)
				case !refused && err != nil:
					errs <- err
				case !refused:
					seqs := make([]int64, len(recs))
					for k, r := range recs {
						seqs[k] = r.Seq
					}
					mu.Lock()
					accepted = append(accepted, seqs)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n := 0
	for _, seqs := range accepted {
		for k := 1; k < len(seqs); k++ {
			if seqs[k] != seqs[k-1]+1 {
				t.Fatalf("batch got seqs %v, not consecutive", seqs)
			}
		}
		n += len(seqs)
	}
	recs, err := a.Events(t.Context(), EventFilter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("log holds %d records, accepted batches %d", len(recs), n)
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("record %d has seq %d: a gap or a reorder", i, r.Seq)
		}
	}
}
