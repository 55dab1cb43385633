package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"switchboard/store/pgtest"
)

// twoNodes opens two stores on one fresh PostgreSQL database, both
// migrated at the same time as two nodes starting together would.
func twoNodes(t *testing.T) (a, b *Store) {
	t.Helper()
	srv := pgtest.Shared(t)
	ctx := t.Context()
	name, dsn, err := srv.CreateDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.DropDB(context.Background(), name) })
	var stores [2]*Store
	var errs [2]error
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := OpenPostgres(ctx, dsn, nil)
			if err == nil {
				err = st.Migrate(ctx)
			}
			stores[i], errs[i] = st, err
		}()
	}
	wg.Wait()
	for i, st := range stores {
		if st != nil {
			t.Cleanup(func() { st.Close() })
		}
		if errs[i] != nil {
			t.Fatalf("node %d: open and migrate beside the other: %v", i, errs[i])
		}
	}
	return stores[0], stores[1]
}

func TestLeaseTakeOverAndFence(t *testing.T) {
	a, b := twoNodes(t)
	ctx := t.Context()
	la, err := NewLeases(a)
	if err != nil {
		t.Fatal(err)
	}
	lb, _ := NewLeases(b)
	const ttl = 1500 * time.Millisecond

	leaseA, _, ok, err := la.Acquire(ctx, "pbx1", "node-a", "http://a", ttl)
	if err != nil || !ok {
		t.Fatalf("a acquires a free lease: ok %v err %v", ok, err)
	}
	_, held, ok, err := lb.Acquire(ctx, "pbx1", "node-b", "http://b", ttl)
	if err != nil || ok {
		t.Fatalf("b acquires a's live lease: ok %v err %v", ok, err)
	}
	if held.Owner != "node-a" || held.OwnerURL != "http://a" || held.ExpiresIn <= 0 || held.ExpiresIn > ttl {
		t.Fatalf("b is told %+v, want node-a at http://a with time left", held)
	}
	if err := la.Renew(ctx, leaseA); err != nil {
		t.Fatalf("a renews its own lease: %v", err)
	}
	if err := a.Append(ctx, arrived("c1", 1)); err != nil {
		t.Fatalf("a appends under its lease: %v", err)
	}

	// a stops renewing (paused, cut off): the lease lapses, b takes it.
	var leaseB Lease
	deadline := time.Now().Add(5 * ttl)
	for {
		leaseB, _, ok, err = lb.Acquire(ctx, "pbx1", "node-b", "http://b", ttl)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("b never took the lapsed lease")
		}
		time.Sleep(100 * time.Millisecond) // the lease is the database's clock; nothing to await
	}
	if leaseB.Epoch != leaseA.Epoch+1 {
		t.Errorf("take-over epoch %d, want %d", leaseB.Epoch, leaseA.Epoch+1)
	}
	// a wakes up: it may neither renew nor write the log.
	if err := la.Renew(ctx, leaseA); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("a renews after the take-over: %v, want ErrLeaseLost", err)
	}
	if err := a.Append(ctx, arrived("c2", 2)); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("a appends after the take-over: %v, want ErrLeaseLost", err)
	}
	if err := b.Append(ctx, arrived("c3", 3)); err != nil {
		t.Fatalf("b appends under its lease: %v", err)
	}
	evs, err := b.Events(ctx, EventFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	for _, e := range evs {
		calls = append(calls, e.CallID)
	}
	if len(calls) != 2 || calls[0] != "c1" || calls[1] != "c3" {
		t.Errorf("log holds calls %v, want [c1 c3] (nothing of a's after it lost the lease)", calls)
	}

	// A clean stop releases: a takes it back at once, fencing b.
	if err := lb.Release(ctx, leaseB); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, err := la.Acquire(ctx, "pbx1", "node-a", "http://a", ttl); err != nil || !ok {
		t.Fatalf("a acquires a released lease: ok %v err %v", ok, err)
	}
	if err := b.Append(ctx, arrived("c4", 4)); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("b appends after releasing: %v, want ErrLeaseLost", err)
	}
	if h, err := lb.Holder(ctx, "nobody"); err != nil || h.Owner != "" {
		t.Errorf("a partition never leased: %+v %v", h, err)
	}
}

func TestLeasesNeedPostgres(t *testing.T) {
	st, _ := openTest(t)
	if _, err := NewLeases(st); err == nil {
		t.Error("leases on SQLite: no error")
	}
}
