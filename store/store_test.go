package store

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"switchboard/routing"
	"switchboard/store/pgtest"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// openTest opens and migrates a store in t's temp dir and closes it at the
// end of the test.
func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	var (
		s    *Store
		err  error
		path string
	)
	if backendOf(t) == "postgres" {
		path = pgtest.DSN(t)
		s, err = OpenPostgres(t.Context(), path, slog.New(slog.DiscardHandler))
	} else {
		path = filepath.Join(t.TempDir(), "data", "switchboard.db")
		s, err = Open(t.Context(), path, slog.New(slog.DiscardHandler))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s, path
}

// at is t0 plus sec seconds.
func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Record builders for one call.
func arrived(call string, sec float64) *routing.Record {
	return &routing.Record{Time: at(sec), Type: routing.EvCallArrived, CallID: call,
		Data: mustJSON(routing.CallArrivedData{Channel: "ch-" + call, Caller: "+15550100", Called: "100", Flow: "main"})}
}

func ivr(call string, sec float64, node, input string) *routing.Record {
	return &routing.Record{Time: at(sec), Type: routing.EvCallIVR, CallID: call,
		Data: mustJSON(routing.IVRData{Node: node, Input: input})}
}

func queued(call string, sec float64, q string) *routing.Record {
	return &routing.Record{Time: at(sec), Type: routing.EvCallQueued, CallID: call, Queue: q,
		Data: mustJSON(routing.QueuedData{Queue: q})}
}

func offer(typ, call string, sec float64, agent, cause string) *routing.Record {
	return &routing.Record{Time: at(sec), Type: typ, CallID: call, AgentID: agent,
		Data: mustJSON(routing.OfferData{Agent: agent, Endpoint: "PJSIP/" + agent, Leg: "leg-" + call + "-" + agent, Cause: cause})}
}

func ended(call string, sec float64, outcome, cause, by string) *routing.Record {
	return &routing.Record{Time: at(sec), Type: routing.EvCallEnded, CallID: call,
		Data: mustJSON(routing.EndedData{Outcome: outcome, Cause: cause, HangupBy: by})}
}

func agentState(agent string, sec float64, from, to string) *routing.Record {
	return &routing.Record{Time: at(sec), Type: routing.EvAgentState, AgentID: agent,
		Data: mustJSON(routing.AgentStateData{From: from, To: to})}
}

func tp(sec float64) *time.Time { v := at(sec); return &v }
func fp(v float64) *float64     { return &v }

func TestMigrateIdempotent(t *testing.T) { eachBackend(t, testMigrateIdempotent) }

func testMigrateIdempotent(t *testing.T) {
	s, _ := openTest(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.Get(&n, "SELECT count(*) FROM schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}

func TestMigrationFailureRollsBack(t *testing.T) { eachBackend(t, testMigrationFailureRollsBack) }

func testMigrationFailureRollsBack(t *testing.T) {
	s, _ := openTest(t)
	bad := []migration{{Version: 900, Name: "0900_bad", SQL: "CREATE TABLE half (x INT); SELECT nope FROM nowhere;"}}
	if err := s.migrate(t.Context(), bad); err == nil {
		t.Fatal("bad migration applied without error")
	}
	var n int
	if err := s.db.Get(&n, "SELECT count(*) FROM half"); err == nil {
		t.Fatal("failed migration left table half behind")
	}
	if err := s.db.Get(&n, "SELECT count(*) FROM schema_migrations WHERE version = 900"); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("failed migration recorded as applied")
	}
}

func TestOpenIsWAL(t *testing.T) {
	s, _ := openTest(t)
	var mode string
	if err := s.db.Get(&mode, "PRAGMA journal_mode"); err != nil {
		t.Fatal(err)
	}
	var fk int
	if err := s.db.Get(&fk, "PRAGMA foreign_keys"); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || fk != 1 {
		t.Fatalf("journal_mode=%s foreign_keys=%d", mode, fk)
	}
}

func TestProjection(t *testing.T) { eachBackend(t, testProjection) }

func testProjection(t *testing.T) {
	tests := []struct {
		name string
		recs []*routing.Record
		want Call
	}{{
		name: "answered",
		recs: []*routing.Record{
			arrived("c1", 0),
			ivr("c1", 0.5, "main", ""),
			ivr("c1", 4, "support_queue", "1"),
			queued("c1", 4, "support"),
			offer(routing.EvCallOffered, "c1", 5, "a1", ""),
			offer(routing.EvCallAnswered, "c1", 9, "a1", ""),
			ended("c1", 69, routing.OutcomeAnswered, "16", "agent"),
		},
		want: Call{ID: "c1", Channel: "ch-c1", Caller: "+15550100", Called: "100", Flow: "main",
			IVRPath: []string{"main", "1→support_queue"}, Queue: "support", Agent: "a1", Offers: 1,
			ArrivedAt: tp(0), QueuedAt: tp(4), AnsweredAt: tp(9), EndedAt: tp(69),
			WaitSeconds: fp(5), TalkSeconds: fp(60), Outcome: "answered", Cause: "16", HangupBy: "agent"},
	}, {
		name: "abandoned in queue",
		recs: []*routing.Record{
			arrived("c2", 0),
			queued("c2", 1, "sales"),
			ended("c2", 31.5, routing.OutcomeAbandonedQueue, "16", "caller"),
		},
		want: Call{ID: "c2", Channel: "ch-c2", Caller: "+15550100", Called: "100", Flow: "main",
			IVRPath: []string{}, Queue: "sales", ArrivedAt: tp(0), QueuedAt: tp(1), EndedAt: tp(31.5),
			WaitSeconds: fp(30.5), Outcome: "abandoned_queue", Cause: "16", HangupBy: "caller"},
	}, {
		name: "no answer then answered by next agent",
		recs: []*routing.Record{
			arrived("c3", 0),
			queued("c3", 1, "support"),
			offer(routing.EvCallOffered, "c3", 2, "a1", ""),
			offer(routing.EvCallOfferFailed, "c3", 17, "a1", "19"),
			offer(routing.EvCallOffered, "c3", 18, "a2", ""),
			offer(routing.EvCallAnswered, "c3", 21, "a2", ""),
			ended("c3", 121, routing.OutcomeAnswered, "16", "caller"),
		},
		want: Call{ID: "c3", Channel: "ch-c3", Caller: "+15550100", Called: "100", Flow: "main",
			IVRPath: []string{}, Queue: "support", Agent: "a2", Offers: 2, OfferFailures: 1,
			ArrivedAt: tp(0), QueuedAt: tp(1), AnsweredAt: tp(21), EndedAt: tp(121),
			WaitSeconds: fp(20), TalkSeconds: fp(100), Outcome: "answered", Cause: "16", HangupBy: "caller"},
	}, {
		name: "IVR abandon",
		recs: []*routing.Record{
			arrived("c4", 0),
			ivr("c4", 0, "main", ""),
			ivr("c4", 5, "main", "timeout"),
			ivr("c4", 8, "billing", "2"),
			ended("c4", 10, routing.OutcomeAbandonedIVR, "16", "caller"),
		},
		want: Call{ID: "c4", Channel: "ch-c4", Caller: "+15550100", Called: "100", Flow: "main",
			IVRPath: []string{"main", "timeout→main", "2→billing"}, ArrivedAt: tp(0), EndedAt: tp(10),
			Outcome: "abandoned_ivr", Cause: "16", HangupBy: "caller"},
	}, {
		name: "still waiting",
		recs: []*routing.Record{arrived("c5", 0), queued("c5", 2, "support")},
		want: Call{ID: "c5", Channel: "ch-c5", Caller: "+15550100", Called: "100", Flow: "main",
			IVRPath: []string{}, Queue: "support", ArrivedAt: tp(0), QueuedAt: tp(2)},
	}, {
		name: "overflow keeps first queued_at and last queue",
		recs: []*routing.Record{
			arrived("c6", 0), queued("c6", 1, "support"), queued("c6", 61, "overflow"),
			offer(routing.EvCallOffered, "c6", 62, "a9", ""), offer(routing.EvCallAnswered, "c6", 64, "a9", ""),
		},
		want: Call{ID: "c6", Channel: "ch-c6", Caller: "+15550100", Called: "100", Flow: "main",
			IVRPath: []string{}, Queue: "overflow", Agent: "a9", Offers: 1,
			ArrivedAt: tp(0), QueuedAt: tp(1), AnsweredAt: tp(64), WaitSeconds: fp(63)},
	}, {
		name: "outbound: dialled, answered through the third trunk",
		recs: []*routing.Record{
			{Time: at(0), Type: routing.EvCallDialled, CallID: "c7", AgentID: "a9", Data: mustJSON(routing.DialledData{
				Direction: routing.DirectionOutbound, Agent: "a9", Endpoint: "PJSIP/1009", Leg: "leg-1", Number: "+493055501", Purpose: "manual", Group: "out"})},
			offer(routing.EvCallAnswered, "c7", 8, "a9", ""),
			{Time: at(68), Type: routing.EvCallEnded, CallID: "c7", AgentID: "a9", Data: mustJSON(routing.EndedData{
				Outcome: "answered", HangupBy: "callee", Direction: routing.DirectionOutbound, Trunk: "good", Attempts: 3, TalkSeconds: 60})},
		},
		want: Call{ID: "c7", Channel: "leg-1", Caller: "PJSIP/1009", Called: "+493055501", IVRPath: []string{}, Agent: "a9",
			ArrivedAt: tp(0), AnsweredAt: tp(8), EndedAt: tp(68), TalkSeconds: fp(60), Outcome: "answered", HangupBy: "callee",
			Direction: routing.DirectionOutbound, Trunk: "good", Attempts: 3},
	}}
	for _, tt := range tests {
		if tt.want.Direction == "" {
			tt.want.Direction = routing.DirectionInbound
		}
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			// One record per Append and all in one Append must agree.
			for _, r := range tt.recs {
				if err := s.Append(t.Context(), r); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Call(t.Context(), tt.want.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertCall(t, got, tt.want)

			s2, _ := openTest(t)
			batch := make([]*routing.Record, len(tt.recs))
			for i, r := range tt.recs {
				c := *r
				batch[i] = &c
			}
			if err := s2.Append(t.Context(), batch...); err != nil {
				t.Fatal(err)
			}
			got, err = s2.Call(t.Context(), tt.want.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertCall(t, got, tt.want)
		})
	}
}

func assertCall(t *testing.T, got, want Call) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("call\n got %s\nwant %s", g, w)
	}
}

func TestAppendSeq(t *testing.T) { eachBackend(t, testAppendSeq) }

func testAppendSeq(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	a := []*routing.Record{arrived("c1", 0), agentState("a1", 0, "signed_out", "ready")}
	b := []*routing.Record{ivr("c1", 1, "main", "")}
	c := []*routing.Record{arrived("c2", 2), queued("c1", 2, "q"), {Time: at(2), Type: "pbx.ChannelHungUp"}}
	var last int64
	for _, batch := range [][]*routing.Record{a, b, c} {
		if err := s.Append(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		for _, r := range batch {
			if r.Seq <= last {
				t.Fatalf("%s got seq %d after %d", r.Type, r.Seq, last)
			}
			last = r.Seq
		}
	}
	evs, err := s.Events(ctx, EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 6 || evs[5].Seq != last {
		t.Fatalf("got %d events, last seq %d; want 6, %d", len(evs), evs[len(evs)-1].Seq, last)
	}
	// Round trip: what was appended is what is read.
	want := append(append(append([]*routing.Record{}, a...), b...), c...)
	for i, e := range evs {
		w := *want[i]
		if !e.Time.Equal(w.Time) || e.Type != w.Type || e.CallID != w.CallID || e.AgentID != w.AgentID ||
			e.Queue != w.Queue || string(e.Data) != string(w.Data) || e.Seq != w.Seq {
			t.Errorf("event %d: got %+v want %+v", i, e, w)
		}
	}
	if evs[5].Data != nil {
		t.Errorf("record without data read back as %q", evs[5].Data)
	}
}

func TestAppendRefusesBadRecordAtomically(t *testing.T) {
	eachBackend(t, testAppendRefusesBadRecordAtomically)
}

func testAppendRefusesBadRecordAtomically(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	tests := []struct {
		name string
		bad  *routing.Record
	}{
		{"no type", &routing.Record{Time: at(0)}},
		{"data not JSON", &routing.Record{Time: at(0), Type: "timer", Data: json.RawMessage("{nope")}},
		{"call record without call ID", &routing.Record{Time: at(0), Type: routing.EvCallQueued, Data: mustJSON(routing.QueuedData{Queue: "q"})}},
		{"call payload of wrong shape", &routing.Record{Time: at(0), Type: routing.EvCallQueued, CallID: "c9", Data: json.RawMessage(`{"queue": 7}`)}},
		{"nil record", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := arrived("c9", 0)
			err := s.Append(ctx, good, tt.bad)
			if !errors.Is(err, ErrBadRecord) {
				t.Fatalf("err = %v, want ErrBadRecord", err)
			}
			if good.Seq != 0 {
				t.Errorf("good record got seq %d from a failed Append", good.Seq)
			}
			evs, err := s.Events(ctx, EventFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 0 {
				t.Fatalf("failed Append wrote %d events", len(evs))
			}
			if _, err := s.Call(ctx, "c9"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("failed Append left call row: %v", err)
			}
		})
	}
}

// seed writes a small day: three calls, agent changes and PBX events.
func seed(t testing.TB, s *Store) {
	t.Helper()
	recs := []*routing.Record{
		agentState("a1", -10, "signed_out", "ready"),
		agentState("a2", -10, "signed_out", "ready"),
		arrived("c1", 0), ivr("c1", 0, "main", ""), ivr("c1", 3, "support_queue", "1"), queued("c1", 3, "support"),
		offer(routing.EvCallOffered, "c1", 4, "a1", ""), offer(routing.EvCallAnswered, "c1", 8, "a1", ""),
		{Time: at(8), Type: "pbx.LegAnswered", CallID: "c1", Data: json.RawMessage(`{"channel":"leg-c1-a1"}`)},
		arrived("c2", 10), queued("c2", 11, "sales"),
		arrived("c3", 20), queued("c3", 21, "support"),
		offer(routing.EvCallOffered, "c3", 22, "a2", ""), offer(routing.EvCallOfferFailed, "c3", 37, "a2", "19"),
		ended("c2", 40, routing.OutcomeAbandonedQueue, "16", "caller"),
		ended("c1", 68, routing.OutcomeAnswered, "16", "agent"),
		{Time: at(70), Type: routing.EvTimer, CallID: "c3", Data: mustJSON(routing.TimerData{Name: "max_wait"})},
		ended("c3", 70, routing.OutcomeTimeout, "", "switchboard"),
		arrived("c4", 80),
	}
	if err := s.Append(t.Context(), recs...); err != nil {
		t.Fatal(err)
	}
}

func TestEventsFilter(t *testing.T) { eachBackend(t, testEventsFilter) }

func testEventsFilter(t *testing.T) {
	s, _ := openTest(t)
	seed(t, s)
	all, err := s.Events(t.Context(), EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    EventFilter
		want func(routing.Record) bool
		n    int // expected count, -1: whatever want selects
	}{
		{"call", EventFilter{CallID: "c1"}, func(r routing.Record) bool { return r.CallID == "c1" }, 8},
		{"agent", EventFilter{AgentID: "a2"}, func(r routing.Record) bool { return r.AgentID == "a2" }, 3},
		{"queue", EventFilter{Queue: "support"}, func(r routing.Record) bool { return r.Queue == "support" }, 2},
		{"type prefix", EventFilter{TypePrefix: "call.offer"}, func(r routing.Record) bool {
			return r.Type == routing.EvCallOffered || r.Type == routing.EvCallOfferFailed
		}, 3},
		{"exact type", EventFilter{TypePrefix: "call.ended"}, func(r routing.Record) bool { return r.Type == routing.EvCallEnded }, 3},
		{"underscore is literal", EventFilter{TypePrefix: "call.offer_"}, func(r routing.Record) bool { return r.Type == routing.EvCallOfferFailed }, 1},
		{"call and type", EventFilter{CallID: "c3", TypePrefix: "call."}, func(r routing.Record) bool {
			return r.CallID == "c3" && r.Type != routing.EvTimer
		}, 5},
		{"after", EventFilter{AfterSeq: all[len(all)-3].Seq}, func(r routing.Record) bool { return r.Seq > all[len(all)-3].Seq }, 2},
		{"limit", EventFilter{Limit: 4}, func(r routing.Record) bool { return r.Seq <= all[3].Seq }, 4},
		{"nothing", EventFilter{CallID: "nope"}, func(routing.Record) bool { return false }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Events(t.Context(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, r := range all {
				if tt.want(r) {
					want = append(want, r.Seq)
				}
			}
			var gotSeq []int64
			for _, r := range got {
				gotSeq = append(gotSeq, r.Seq)
			}
			if len(gotSeq) != tt.n || !reflect.DeepEqual(gotSeq, want) {
				t.Errorf("seqs %v, want %v (%d)", gotSeq, want, tt.n)
			}
		})
	}
}

func TestCallsFilter(t *testing.T) { eachBackend(t, testCallsFilter) }

func testCallsFilter(t *testing.T) {
	s, _ := openTest(t)
	seed(t, s)
	yes, no := true, false
	tests := []struct {
		name string
		f    CallFilter
		want []string
	}{
		{"all newest first", CallFilter{}, []string{"c4", "c3", "c2", "c1"}},
		{"queue", CallFilter{Queue: "support"}, []string{"c3", "c1"}},
		{"agent", CallFilter{Agent: "a1"}, []string{"c1"}},
		{"outcome", CallFilter{Outcome: routing.OutcomeAbandonedQueue}, []string{"c2"}},
		{"open", CallFilter{Open: &yes}, []string{"c4"}},
		{"closed", CallFilter{Open: &no}, []string{"c3", "c2", "c1"}},
		{"since", CallFilter{Since: at(10)}, []string{"c4", "c3", "c2"}},
		{"until", CallFilter{Until: at(10)}, []string{"c1"}},
		{"since and until", CallFilter{Since: at(5), Until: at(20)}, []string{"c2"}},
		{"limit", CallFilter{Limit: 2}, []string{"c4", "c3"}},
		{"queue and outcome", CallFilter{Queue: "support", Outcome: routing.OutcomeTimeout}, []string{"c3"}},
		{"queued since", CallFilter{QueuedSince: at(11)}, []string{"c3", "c2"}},
		{"queued since, queue", CallFilter{QueuedSince: at(4), Queue: "support"}, []string{"c3"}},
		{"none", CallFilter{Queue: "nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Calls(t.Context(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestCallNotFound(t *testing.T) { eachBackend(t, testCallNotFound) }

func testCallNotFound(t *testing.T) {
	s, _ := openTest(t)
	_, err := s.Call(t.Context(), "nope")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

// allCallRows reads the calls table whole, internal columns included.
func allCallRows(t *testing.T, s *Store) []callRow {
	t.Helper()
	var rows []callRow
	if err := s.db.Select(&rows, "SELECT "+callColumns+" FROM calls ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestRebuildCalls(t *testing.T) { eachBackend(t, testRebuildCalls) }

func testRebuildCalls(t *testing.T) {
	s, _ := openTest(t)
	seed(t, s)
	// More calls than one rebuild batch, appended in small batches.
	for i := range 1200 {
		id := "bulk" + strconv.Itoa(i)
		sec := 100 + float64(i)
		if err := s.Append(t.Context(), arrived(id, sec), queued(id, sec+1, "support")); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := s.Append(t.Context(), ended(id, sec+3, routing.OutcomeAbandonedQueue, "16", "caller")); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := allCallRows(t, s)
	if _, err := s.db.Exec("UPDATE calls SET outcome = 'corrupted', offers = 99"); err != nil {
		t.Fatal(err)
	}
	if err := s.RebuildCalls(t.Context()); err != nil {
		t.Fatal(err)
	}
	after := allCallRows(t, s)
	if len(before) != 1204 || !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuild differs: %d rows before, %d after", len(before), len(after))
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "sb.db")
	s, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seed(t, s)
	last := arrived("c5", 90)
	if err := s.Append(ctx, last); err != nil {
		t.Fatal(err)
	}
	c1, err := s.Call(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.Call(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	assertCall(t, got, c1)
	next := arrived("c6", 91)
	if err := s.Append(ctx, next); err != nil {
		t.Fatal(err)
	}
	if next.Seq <= last.Seq {
		t.Fatalf("seq after reopen %d, not above %d", next.Seq, last.Seq)
	}
}

// TestConcurrentReaders reads calls and events from several goroutines while
// one goroutine appends, as the API does beside the engine.
func TestConcurrentReaders(t *testing.T) { eachBackend(t, testConcurrentReaders) }

func testConcurrentReaders(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	const calls = 200
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lastSeq int64
			for {
				select {
				case <-done:
					return
				default:
				}
				evs, err := s.Events(ctx, EventFilter{AfterSeq: lastSeq, Limit: 50})
				if err != nil {
					errs <- err
					return
				}
				for _, e := range evs {
					if e.Seq <= lastSeq {
						errs <- errors.New("events out of order")
						return
					}
					lastSeq = e.Seq
				}
				if _, err := s.Calls(ctx, CallFilter{Limit: 20}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range calls {
		id := "c" + strconv.Itoa(i)
		if err := s.Append(ctx, arrived(id, float64(i)), queued(id, float64(i), "q"), ended(id, float64(i)+1, "abandoned_queue", "", "caller")); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.Calls(ctx, CallFilter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != calls {
		t.Fatalf("%d calls, want %d", len(got), calls)
	}
}

func BenchmarkAppend(b *testing.B) {
	s, _ := openTest(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		id := "c" + strconv.Itoa(i)
		if err := s.Append(ctx, arrived(id, 0), queued(id, 1, "q")); err != nil {
			b.Fatal(err)
		}
	}
}
