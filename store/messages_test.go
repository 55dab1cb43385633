package store

import (
	"errors"
	"reflect"
	"testing"

	"switchboard/routing"
)

func message(call string, sec float64, rec, target, kind string, dur float64) *routing.Record {
	return &routing.Record{Time: at(sec), Type: routing.EvCallMessage, CallID: call,
		Data: mustJSON(routing.MessageData{Recording: rec, Target: target, TargetKind: kind,
			Caller: "+15550100", DurationSeconds: dur})}
}

func handled(call string, sec float64, rec, by, note string) *routing.Record {
	return &routing.Record{Time: at(sec), Type: routing.EvMessageHandled, CallID: call,
		Data: mustJSON(routing.MessageHandledData{Recording: rec, By: by, Note: note})}
}

func bp(b bool) *bool { return &b }

// seedMessages: three messages, the first handled.
func seedMessages(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Append(t.Context(),
		arrived("c1", 0), message("c1", 30, "msg-c1", "1001", "agent", 12.5), ended("c1", 31, routing.OutcomeAbandonedIVR, "normal", "caller"),
		arrived("c2", 40), message("c2", 60, "msg-c2", "sales", "group", 4),
		arrived("c3", 70), message("c3", 90, "msg-c3", "1001", "agent", 20),
	); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(t.Context(), handled("c1", 120, "msg-c1", "1001", "called back")); err != nil {
		t.Fatal(err)
	}
}

func ids(ms []Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestMessagesProjection(t *testing.T) { eachBackend(t, testMessagesProjection) }

func testMessagesProjection(t *testing.T) {
	s, _ := openTest(t)
	seedMessages(t, s)

	got, err := s.Message(t.Context(), "msg-c1")
	if err != nil {
		t.Fatal(err)
	}
	want := Message{ID: "msg-c1", CallID: "c1", Caller: "+15550100", Target: "1001", TargetKind: "agent",
		RecordedAt: at(30), DurationSeconds: 12.5, HandledAt: tp(120), HandledBy: "1001", Note: "called back"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("msg-c1:\n got %+v\nwant %+v", got, want)
	}
	open, err := s.Message(t.Context(), "msg-c2")
	if err != nil {
		t.Fatal(err)
	}
	if open.HandledAt != nil || open.HandledBy != "" || open.Target != "sales" || open.TargetKind != "group" {
		t.Errorf("msg-c2: %+v", open)
	}
	if _, err := s.Message(t.Context(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown message: %v", err)
	}

	for _, tt := range []struct {
		f    MessageFilter
		want []string
	}{
		{MessageFilter{}, []string{"msg-c3", "msg-c2", "msg-c1"}},
		{MessageFilter{Target: "1001"}, []string{"msg-c3", "msg-c1"}},
		{MessageFilter{Handled: bp(true)}, []string{"msg-c1"}},
		{MessageFilter{Handled: bp(false)}, []string{"msg-c3", "msg-c2"}},
		{MessageFilter{Target: "1001", Handled: bp(false)}, []string{"msg-c3"}},
		{MessageFilter{Limit: 1}, []string{"msg-c3"}},
		{MessageFilter{Target: "nobody"}, []string{}},
	} {
		ms, err := s.Messages(t.Context(), tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(ms); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.f, got, tt.want)
		}
	}
}

func eventCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.Get(&n, "SELECT count(*) FROM events"); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMessageHandledRefusedAtomically(t *testing.T) {
	eachBackend(t, testMessageHandledRefusedAtomically)
}

func testMessageHandledRefusedAtomically(t *testing.T) {
	s, _ := openTest(t)
	seedMessages(t, s)
	before := eventCount(t, s)

	for _, tt := range []struct {
		name string
		recs []*routing.Record
		want error
	}{
		{"handled twice", []*routing.Record{handled("c1", 130, "msg-c1", "1002", "again")}, ErrAlreadyHandled},
		{"twice in one batch", []*routing.Record{arrived("c9", 140),
			handled("c2", 141, "msg-c2", "1002", ""), handled("c2", 142, "msg-c2", "1003", "")}, ErrAlreadyHandled},
		{"unknown message", []*routing.Record{handled("", 150, "msg-nope", "1001", "")}, ErrNotFound},
		{"no recording", []*routing.Record{message("c4", 160, "", "1001", "agent", 3)}, ErrBadRecord},
		{"handled without recording", []*routing.Record{handled("c1", 170, "", "1001", "")}, ErrBadRecord},
	} {
		err := s.Append(t.Context(), tt.recs...)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if n := eventCount(t, s); n != before {
		t.Errorf("refused appends wrote %d records", n-before)
	}
	m, _ := s.Message(t.Context(), "msg-c1")
	if m.HandledBy != "1001" || m.Note != "called back" {
		t.Errorf("msg-c1 changed by a refused append: %+v", m)
	}
	m, _ = s.Message(t.Context(), "msg-c2")
	if m.HandledAt != nil {
		t.Errorf("msg-c2 handled by a refused batch: %+v", m)
	}
	// Handling in the same batch as the message itself is fine.
	if err := s.Append(t.Context(), message("c5", 200, "msg-c5", "1001", "agent", 1),
		handled("c5", 201, "msg-c5", "1001", "")); err != nil {
		t.Fatal(err)
	}
}

func allMessageRows(t *testing.T, s *Store) []map[string]any {
	t.Helper()
	rows, err := s.db.Queryx("SELECT * FROM messages ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// TestMessagesRebuild: the table rebuilt from the log equals the one Append
// kept; a log holding records Append would refuse (written by hand, or by
// an older version) rebuilds without failing, the first record winning.
func TestMessagesRebuild(t *testing.T) { eachBackend(t, testMessagesRebuild) }

func testMessagesRebuild(t *testing.T) {
	s, _ := openTest(t)
	seedMessages(t, s)
	before := allMessageRows(t, s)
	if len(before) != 3 {
		t.Fatalf("%d rows", len(before))
	}
	if _, err := s.db.Exec("DELETE FROM messages WHERE id = 'msg-c2'"); err != nil {
		t.Fatal(err)
	}
	if err := s.RebuildDerived(t.Context()); err != nil {
		t.Fatal(err)
	}
	if after := allMessageRows(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("rebuilt:\n%v\nwant\n%v", after, before)
	}

	for _, r := range []*routing.Record{
		handled("c1", 300, "msg-c1", "1009", "second"),
		handled("", 301, "msg-nope", "1009", ""),
		message("c1", 302, "msg-c1", "other", "agent", 99),
	} {
		// Around Append (no projection), with the seq it would give.
		if _, err := s.db.Exec(`INSERT INTO events (seq, time, type, call_id, agent_id, queue, data)
			SELECT coalesce(max(seq), 0) + 1, ?, ?, ?, '', '', ? FROM events`, formatTime(r.Time), r.Type, r.CallID, string(r.Data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RebuildDerived(t.Context()); err != nil {
		t.Fatal(err)
	}
	if after := allMessageRows(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("rebuilt with refused records:\n%v\nwant\n%v", after, before)
	}
}

// TestMessagesMigrationBackfills: a log written before the messages table
// existed gets the same table from the migration as from a rebuild.
func TestMessagesMigrationBackfills(t *testing.T) {
	s, _ := openTest(t)
	seedMessages(t, s)
	// A second handling and an orphan, written around Append.
	for _, r := range []*routing.Record{handled("c1", 300, "msg-c1", "1009", "second"), handled("", 301, "msg-nope", "1009", "")} {
		if _, err := s.db.Exec(insertEventSQL, formatTime(r.Time), r.Type, r.CallID, "", "", string(r.Data)); err != nil {
			t.Fatal(err)
		}
	}
	want := allMessageRows(t, s)

	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	var mine migration
	for _, m := range ms {
		if m.Name == "0250_messages" {
			mine = m
		}
	}
	if mine.SQL == "" {
		t.Fatal("no 0250_messages migration")
	}
	if _, err := s.db.Exec("DROP TABLE messages; DELETE FROM schema_migrations WHERE version = 250"); err != nil {
		t.Fatal(err)
	}
	if err := s.migrate(t.Context(), []migration{mine}); err != nil {
		t.Fatal(err)
	}
	if got := allMessageRows(t, s); !reflect.DeepEqual(got, want) {
		t.Errorf("backfilled:\n%v\nwant\n%v", got, want)
	}
}
