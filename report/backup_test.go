package report

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"switchboard/routing"
	"switchboard/store"
)

// TestBackupUnderLoadRestoresTheSameReports: a backup of a SQLite store
// taken while the fixture day (then more days) is being appended restores
// into a fresh data dir, and the restored database answers every fixture
// report the same as a store holding exactly the records the backup holds.
func TestBackupUnderLoadRestoresTheSameReports(t *testing.T) {
	ctx := context.Background()
	orig, err := store.Open(ctx, filepath.Join(t.TempDir(), "live", "switchboard.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	if err := orig.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := orig.SetRollupConfig(ctx, fixtureRollup); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2025, 3, 14, 0, 0, 0, 0, fixtureLoc)
	script := readScript(t, "testdata/fixture_day.txt", day)

	// The writer appends the fixture day, then calls arriving a week later,
	// until the backup is done (at most 2000 of them).
	weeks := [][]*routing.Record{script}
	for k := range 2000 {
		data, _ := json.Marshal(routing.CallArrivedData{Channel: "ch", Caller: "200"})
		weeks = append(weeks, []*routing.Record{{Time: day.AddDate(0, 0, 7).Add(time.Duration(k) * time.Second),
			Type: routing.EvCallArrived, CallID: fmt.Sprintf("F%d", k), Data: data}})
	}
	half := make(chan struct{})
	done := make(chan struct{})
	werr := make(chan error, 1)
	go func() {
		defer close(werr)
		signalled := false
		for _, recs := range weeks {
			for i := 0; i < len(recs); {
				j := i + 1
				for j < len(recs) && recs[j].Time.Equal(recs[i].Time) {
					j++
				}
				if err := orig.Append(ctx, recs[i:j]...); err != nil {
					werr <- err
					return
				}
				i = j
				if !signalled && i >= len(recs)/2 {
					signalled = true
					close(half)
				}
			}
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	<-half
	out := filepath.Join(t.TempDir(), "backups", "sb.db")
	if err := orig.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	close(done)
	if err := <-werr; err != nil {
		t.Fatal(err)
	}

	fresh := filepath.Join(t.TempDir(), "restored", "switchboard.db")
	if err := store.Restore(ctx, out, fresh); err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(ctx, fresh, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	last, err := restored.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total, _ := orig.LastSeq(ctx)
	if last < int64(len(script)/2) || last >= total {
		t.Fatalf("backup holds %d of %d records: not taken mid-load", last, total)
	}

	// The reference: exactly the records the backup holds, appended anew.
	ref := referenceStore(t, orig, last)
	rb, bb := fixtureBuilder(ref), fixtureBuilder(restored)
	for _, e := range readExpected(t) {
		req := Request{Report: e.report, Group: e.group, From: e.from, To: e.to}
		want, err := rb.Build(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := bb.Build(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(tableCells(got), tableCells(want)) {
			t.Errorf("%+v:\nrestored  %v\nreference %v", req, tableCells(got), tableCells(want))
		}
	}

	// Restoring over a data dir that holds anything is refused.
	if err := store.Restore(ctx, out, fresh); err == nil {
		t.Fatal("restore over a non-empty data dir succeeded")
	}
}

// referenceStore is a new store holding the first n records of st's log.
func referenceStore(t *testing.T, st *store.Store, n int64) *store.Store {
	t.Helper()
	ref, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ref.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ref.Close() })
	if err := ref.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := ref.SetRollupConfig(context.Background(), fixtureRollup); err != nil {
		t.Fatal(err)
	}
	var recs []*routing.Record
	for after := int64(0); after < n; {
		page, err := st.Events(context.Background(), store.EventFilter{AfterSeq: after, Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for i := range page {
			if page[i].Seq > n {
				break
			}
			r := page[i]
			r.Seq = 0
			recs = append(recs, &r)
			after = page[i].Seq
		}
		if len(page) == 0 || page[len(page)-1].Seq > n {
			break
		}
	}
	appendBatches(t, ref, recs)
	return ref
}
