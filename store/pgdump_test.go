package store

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"switchboard/store/pgtest"
)

// TestPgDumpRestore is the PostgreSQL backup docs/operations.md gives:
// pg_dump -Fc taken while records are being appended, pg_restore into an
// empty database. The restored log is a gap-free prefix of the live one
// (pg_dump reads one snapshot), with the calls it implies.
func TestPgDumpRestore(t *testing.T) {
	srv := pgtest.Shared(t)
	ctx := t.Context()
	name, dsn, err := srv.CreateDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.DropDB(context.Background(), name) })
	live, err := OpenPostgres(ctx, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := live.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seed(t, live)

	done := make(chan struct{})
	werr := make(chan error, 1)
	go func() {
		defer close(werr)
		for i := 0; i < 2000; i++ {
			select {
			case <-done:
				return
			default:
			}
			if err := live.Append(context.Background(), arrived(fmt.Sprintf("load%d", i), float64(i))); err != nil {
				werr <- err
				return
			}
		}
	}()
	dump := filepath.Join(t.TempDir(), "sb.dump")
	out, err := exec.CommandContext(ctx, srv.Bin("pg_dump"), "-Fc", "--no-owner", "-f", dump, dsn).CombinedOutput()
	close(done)
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	if err := <-werr; err != nil {
		t.Fatal(err)
	}

	rname, rdsn, err := srv.CreateDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.DropDB(context.Background(), rname) })
	if out, err := exec.CommandContext(ctx, srv.Bin("pg_restore"), "--no-owner", "--exit-on-error", "-d", rdsn, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	got, err := OpenPostgres(ctx, rdsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if err := got.Migrate(ctx); err != nil { // nothing to do: the schema came along
		t.Fatal(err)
	}
	rec, err := got.Events(ctx, EventFilter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	all, err := live.Events(ctx, EventFilter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) == 0 || len(rec) > len(all) || !reflect.DeepEqual(rec, all[:len(rec)]) {
		t.Fatalf("restored %d records, not a prefix of the live %d", len(rec), len(all))
	}
	for i, r := range rec {
		if r.Seq != int64(i+1) {
			t.Fatalf("restored record %d has seq %d", i, r.Seq)
		}
	}
	calls, err := got.Calls(ctx, CallFilter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	liveCalls, _ := live.Calls(ctx, CallFilter{Limit: MaxLimit})
	if len(calls) == 0 || len(calls) > len(liveCalls) {
		t.Fatalf("restored %d calls of %d", len(calls), len(liveCalls))
	}
	// Appending goes on from the restored log's end.
	r := arrived("after-restore", 1)
	if err := got.Append(ctx, r); err != nil || r.Seq != int64(len(rec)+1) {
		t.Fatalf("append after restore: seq %d, %v", r.Seq, err)
	}
}
