package store

import (
	"testing"
	"time"

	"switchboard/routing"
)

func recRecord(typ, call string, sec float64, data any) *routing.Record {
	return &routing.Record{Time: at(sec), Type: typ, CallID: call, Data: mustJSON(data)}
}

// seedRecordings: c1 (a1, team t1, paused once, transferred to a2) and
// c2 (b1, team t2, sales, wrapped "sold"), c3 still recording.
func seedRecordings(t *testing.T, s *Store) {
	t.Helper()
	wrap := &routing.Record{Time: at(200), Type: routing.EvCallWrapped, CallID: "c2", AgentID: "b1",
		Data: mustJSON(routing.WrapUpData{Agent: "b1", Disposition: "sold"})}
	if err := s.Append(t.Context(),
		arrived("c1", 0),
		recRecord(routing.EvRecordingStarted, "c1", 10, routing.RecordingData{Recording: "rec-c1", Part: 1, Name: "rec-c1-1",
			Agent: "a1", Team: "t1", Queue: "support", Direction: "inbound", Caller: "+15550100", Mode: "all", RetentionDays: 30}),
		recRecord(routing.EvRecordingPaused, "c1", 20, routing.RecordingPauseData{Recording: "rec-c1", Part: 1, Name: "rec-c1-1", By: "a1", Offset: 10, FileOffset: 10}),
		recRecord(routing.EvRecordingResumed, "c1", 25, routing.RecordingPauseData{Recording: "rec-c1", Part: 1, Name: "rec-c1-1", By: "a1", Offset: 15, FileOffset: 10}),
		recRecord(routing.EvRecordingStarted, "c1", 40, routing.RecordingData{Recording: "rec-c1", Part: 2, Name: "rec-c1-2",
			Agent: "a2", Team: "t1", Queue: "support", Direction: "inbound", Mode: "all"}),
		recRecord(routing.EvRecordingEnded, "c1", 41, routing.RecordingEndedData{Recording: "rec-c1", Part: 1, Name: "rec-c1-1", Seconds: 30, PausedSeconds: 5}),
		recRecord(routing.EvRecordingEnded, "c1", 60, routing.RecordingEndedData{Recording: "rec-c1", Part: 2, Name: "rec-c1-2", Seconds: 20}),
		arrived("c2", 100),
		recRecord(routing.EvRecordingStarted, "c2", 110, routing.RecordingData{Recording: "rec-c2", Part: 1, Name: "rec-c2-1",
			Agent: "b1", Team: "t2", Queue: "sales", Direction: "inbound", Mode: "sample", RetentionDays: 1}),
		recRecord(routing.EvRecordingEnded, "c2", 150, routing.RecordingEndedData{Recording: "rec-c2", Part: 1, Name: "rec-c2-1", Seconds: 40}),
		wrap,
		arrived("c3", 300),
		recRecord(routing.EvRecordingStarted, "c3", 310, routing.RecordingData{Recording: "rec-c3", Part: 1, Name: "rec-c3-1",
			Agent: "a1", Team: "t1", Queue: "support", Direction: "inbound", Mode: "all", RetentionDays: 1}),
		recRecord(routing.EvRecordingFailed, "c3", 311, routing.RecordingFailedData{Recording: "rec-c3", Part: 1, Name: "rec-c3-1", Step: "pause", Err: "409"}),
	); err != nil {
		t.Fatal(err)
	}
}

func recIDs(p RecordingPage) []string {
	out := []string{}
	for _, r := range p.Recordings {
		out = append(out, r.ID)
	}
	return out
}

func TestRecordingsProjection(t *testing.T) { eachBackend(t, testRecordingsProjection) }

func testRecordingsProjection(t *testing.T) {
	s, _ := openTest(t)
	seedRecordings(t, s)
	r, err := s.Recording(t.Context(), "rec-c1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Agent != "a2" || len(r.Parts) != 2 || r.DurationSeconds != 50 || r.PausedSeconds != 5 || r.EndedAt == nil {
		t.Fatalf("rec-c1 %+v", r)
	}
	if len(r.Pauses) != 1 || r.Pauses[0].Offset != 10 || r.Pauses[0].ResumeOffset == nil || *r.Pauses[0].ResumeOffset != 15 {
		t.Fatalf("pauses %+v", r.Pauses)
	}
	if c2, _ := s.Recording(t.Context(), "rec-c2"); c2.Disposition != "sold" {
		t.Fatalf("rec-c2 disposition %q", c2.Disposition)
	}
	if c3, _ := s.Recording(t.Context(), "rec-c3"); c3.Failures != 1 || c3.EndedAt != nil || c3.LastError != "pause: 409" {
		t.Fatalf("rec-c3 %+v", c3)
	}

	tests := []struct {
		name string
		f    RecordingFilter
		want []string
	}{
		{"all", RecordingFilter{}, []string{"rec-c3", "rec-c2", "rec-c1"}},
		{"agent (the latest part's)", RecordingFilter{Agent: "a2"}, []string{"rec-c1"}},
		{"scope", RecordingFilter{Agents: []string{"b1"}}, []string{"rec-c2"}},
		{"no scope", RecordingFilter{Agents: []string{}}, []string{}},
		{"team", RecordingFilter{Team: "t1"}, []string{"rec-c3", "rec-c1"}},
		{"queue", RecordingFilter{Queue: "sales"}, []string{"rec-c2"}},
		{"disposition", RecordingFilter{Disposition: "sold"}, []string{"rec-c2"}},
		{"direction", RecordingFilter{Direction: "outbound"}, []string{}},
		{"from-to", RecordingFilter{From: at(100), To: at(300)}, []string{"rec-c2"}},
		{"paged", RecordingFilter{Limit: 1, Offset: 1}, []string{"rec-c2"}},
	}
	for _, tt := range tests {
		p, err := s.Recordings(t.Context(), tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := recIDs(p); !equalStrings(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if p, _ := s.Recordings(t.Context(), RecordingFilter{Limit: 1}); p.Total != 3 {
		t.Errorf("total %d, want 3", p.Total)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRecordingsRetention(t *testing.T) { eachBackend(t, testRecordingsRetention) }

func testRecordingsRetention(t *testing.T) {
	s, _ := openTest(t)
	seedRecordings(t, s)
	day := at(110).Add(24 * time.Hour)
	exp, err := s.ExpiredRecordings(t.Context(), day, 0)
	if err != nil {
		t.Fatal(err)
	}
	// rec-c2 is a day old; rec-c1 keeps 30 days; rec-c3 is still recording.
	if len(exp) != 1 || exp[0].ID != "rec-c2" {
		t.Fatalf("expired %+v", exp)
	}
	if err := s.Append(t.Context(), recRecord(routing.EvRecordingHold, "c2", 400, routing.RecordingHoldData{Recording: "rec-c2", Hold: true, By: "sup"})); err != nil {
		t.Fatal(err)
	}
	if exp, _ := s.ExpiredRecordings(t.Context(), day, 0); len(exp) != 0 {
		t.Fatalf("held recording expired: %+v", exp)
	}
	if err := s.Append(t.Context(),
		recRecord(routing.EvRecordingHold, "c2", 401, routing.RecordingHoldData{Recording: "rec-c2", Hold: false, By: "sup"}),
		recRecord(routing.EvRecordingDeleted, "c2", 402, routing.RecordingDeletedData{Recording: "rec-c2", Names: []string{"rec-c2-1"}, By: "retention", Reason: "retention"}),
	); err != nil {
		t.Fatal(err)
	}
	if exp, _ := s.ExpiredRecordings(t.Context(), day, 0); len(exp) != 0 {
		t.Fatalf("deleted recording expired again: %+v", exp)
	}
	if p, _ := s.Recordings(t.Context(), RecordingFilter{}); !equalStrings(recIDs(p), []string{"rec-c3", "rec-c1"}) {
		t.Fatalf("list after deletion %v", recIDs(p))
	}
	if r, _ := s.Recording(t.Context(), "rec-c2"); r.DeletedAt == nil || r.DeleteReason != "retention" {
		t.Fatalf("deleted %+v", r)
	}
	// A rebuild from the log gives the same index.
	before, _ := s.Recording(t.Context(), "rec-c1")
	if err := s.RebuildDerived(t.Context()); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Recording(t.Context(), "rec-c1")
	if len(after.Parts) != len(before.Parts) || after.DurationSeconds != before.DurationSeconds {
		t.Fatalf("rebuilt %+v, was %+v", after, before)
	}
}
