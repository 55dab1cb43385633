package quality

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"switchboard/routing"
)

// fakeLog runs decisions like the engine: stamps time and seq, keeps the
// records (as decoded from JSON, the way a restart reads them).
type fakeLog struct {
	now  time.Time
	recs []routing.Record
}

func (l *fakeLog) submit(_ context.Context, d routing.Decision) (any, error) {
	recs, reply, err := d(l.now)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		r.Time = l.now
		r.Seq = int64(len(l.recs) + 1)
		l.recs = append(l.recs, routing.Record{Seq: r.Seq, Time: r.Time, Type: r.Type, AgentID: r.AgentID, Data: r.Data})
	}
	l.now = l.now.Add(time.Minute)
	return reply, nil
}

func newTestService(t *testing.T, forms ...Form) (*Service, *fakeLog) {
	t.Helper()
	l := &fakeLog{now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	if len(forms) == 0 {
		forms = []Form{testForm()}
	}
	s := NewService(Config{Forms: forms}, l.submit, nil)
	if err := s.SyncForms(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, l
}

var rec1 = RecordingRef{ID: "R1", Call: "C1", Agent: "a1", Team: "t1", Queue: "sales"}
var full = map[string]int{"greet": 1, "close": 4, "polite": 5, "abuse": 1}

func TestEvaluationLifecycle(t *testing.T) {
	ctx := context.Background()
	s, l := newTestService(t)
	e, err := s.Score(ctx, ScoreRequest{Recording: rec1, Answers: full, By: "qi", Comments: []Comment{{AtSeconds: 12.5, Text: "good greeting"}}})
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != "Q000001" || e.State != StateScored || e.Score != 100 || e.Version != 1 || e.Inspector != "qi" {
		t.Fatalf("%+v", e)
	}
	if _, err := s.Score(ctx, ScoreRequest{Recording: rec1, Answers: full, By: "qi"}); !isField(err, "recording") {
		t.Fatalf("second evaluation of a recording: %v", err)
	}
	// Saved again before the agent answers: allowed.
	low := map[string]int{"greet": 0, "close": 4, "polite": 5, "abuse": 1}
	if e, err = s.Score(ctx, ScoreRequest{ID: e.ID, Answers: low, By: "qi"}); err != nil || e.Score != 80 {
		t.Fatalf("%v %+v", err, e)
	}
	if _, err := s.Settle(ctx, StepRequest{ID: e.ID, By: "lead", Outcome: Upheld}); !errors.Is(err, ErrIllegalTransition) {
		t.Fatalf("settle undisputed: %v", err)
	}
	if _, err := s.Dispute(ctx, StepRequest{ID: e.ID, By: "a1"}); !isField(err, "reason") {
		t.Fatalf("dispute without reason: %v", err)
	}
	if e, err = s.Dispute(ctx, StepRequest{ID: e.ID, By: "a1", Reason: "I did greet"}); err != nil || e.State != StateDisputed {
		t.Fatalf("%v %+v", err, e)
	}
	if _, err := s.Acknowledge(ctx, StepRequest{ID: e.ID, By: "a1"}); !errors.Is(err, ErrIllegalTransition) {
		t.Fatalf("acknowledge disputed: %v", err)
	}
	if _, err := s.Score(ctx, ScoreRequest{ID: e.ID, Answers: full, By: "qi"}); !errors.Is(err, ErrIllegalTransition) {
		t.Fatalf("rescore disputed: %v", err)
	}
	if _, err := s.Settle(ctx, StepRequest{ID: e.ID, By: "lead", Outcome: Changed, Score: 101}); !isField(err, "score") {
		t.Fatalf("settle score out of range: %v", err)
	}
	if e, err = s.Settle(ctx, StepRequest{ID: e.ID, By: "lead", Outcome: Changed, Score: 95}); err != nil || e.State != StateSettled || e.Score != 95 {
		t.Fatalf("%v %+v", err, e)
	}
	if _, err := s.Acknowledge(ctx, StepRequest{ID: "Q999", By: "a1"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}

	// A second one, acknowledged.
	e2, err := s.Score(ctx, ScoreRequest{Recording: RecordingRef{ID: "R2", Call: "C2", Agent: "a1"}, Answers: full, By: "qi"})
	if err != nil {
		t.Fatal(err)
	}
	if e2, err = s.Acknowledge(ctx, StepRequest{ID: e2.ID, By: "a1"}); err != nil || e2.State != StateAcknowledged {
		t.Fatalf("%v %+v", err, e2)
	}

	// A restart: the projection rebuilt from the log is the same.
	r := NewService(Config{Forms: []Form{testForm()}}, l.submit, nil)
	if err := r.Restore(l.recs); err != nil {
		t.Fatal(err)
	}
	n := len(l.recs)
	if err := r.SyncForms(ctx); err != nil || len(l.recs) != n {
		t.Fatalf("unchanged form written again: %v, %d records", err, len(l.recs)-n)
	}
	if got, want := r.List(Filter{}), s.List(Filter{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("restored\n%+v\nwant\n%+v", got, want)
	}
}

func TestFormVersions(t *testing.T) {
	ctx := context.Background()
	s, l := newTestService(t)
	old, err := s.Score(ctx, ScoreRequest{Recording: rec1, Answers: full, By: "qi"})
	if err != nil {
		t.Fatal(err)
	}
	// The form is edited: a new version; the old evaluation keeps v1.
	f := testForm()
	f.Sections[0].Items[0].Weight, f.Sections[0].Items[1].Weight = 30, 10
	s2 := NewService(Config{Forms: []Form{f}}, l.submit, nil)
	if err := s2.Restore(l.recs); err != nil {
		t.Fatal(err)
	}
	if err := s2.SyncForms(ctx); err != nil {
		t.Fatal(err)
	}
	if latest, _ := s2.Form("svc", 0); latest.Version != 2 {
		t.Fatalf("version %d", latest.Version)
	}
	if v1, ok := s2.Form("svc", 1); !ok || v1.Sections[0].Items[0].Weight != 20 {
		t.Fatalf("v1 %+v", v1)
	}
	got, _ := s2.Get(old.ID)
	if got.Version != 1 {
		t.Fatalf("old evaluation moved to v%d", got.Version)
	}
	// Saved again, it is still scored on v1.
	part := map[string]int{"greet": 0, "close": 4, "polite": 5, "abuse": 1}
	if got, err = s2.Score(ctx, ScoreRequest{ID: old.ID, Answers: part, By: "qi"}); err != nil || got.Version != 1 || got.Score != 80 {
		t.Fatalf("%v %+v", err, got)
	}
	nw, err := s2.Score(ctx, ScoreRequest{Recording: RecordingRef{ID: "R9", Agent: "a2"}, Answers: part, By: "qi"})
	if err != nil || nw.Version != 2 || nw.Score != 70 {
		t.Fatalf("%v %+v", err, nw)
	}
}

func TestScoreBadInput(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestService(t)
	cases := []struct {
		name  string
		req   ScoreRequest
		field string
	}{
		{"no recording", ScoreRequest{Answers: full, By: "qi"}, "recording"},
		{"unknown form", ScoreRequest{Recording: rec1, Form: "x", Answers: full, By: "qi"}, "form"},
		{"out of range", ScoreRequest{Recording: rec1, Answers: map[string]int{"greet": 1, "close": 9, "polite": 5, "abuse": 1}, By: "qi"}, "answers.close"},
		{"unknown item", ScoreRequest{Recording: rec1, Answers: map[string]int{"greet": 1, "close": 4, "polite": 5, "abuse": 1, "x": 1}, By: "qi"}, "answers.x"},
		{"comment time", ScoreRequest{Recording: rec1, Answers: full, By: "qi", Comments: []Comment{{AtSeconds: -1, Text: "x"}}}, "comments[0].at_seconds"},
		{"empty comment", ScoreRequest{Recording: rec1, Answers: full, By: "qi", Comments: []Comment{{AtSeconds: 1, Text: " "}}}, "comments[0].text"},
	}
	for _, c := range cases {
		if _, err := s.Score(ctx, c.req); !isField(err, c.field) {
			t.Errorf("%s: %v, want field %s", c.name, err, c.field)
		}
	}
	if len(s.List(Filter{})) != 0 {
		t.Fatal("a refused evaluation was kept")
	}
}

func isField(err error, field string) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Field == field
}
