package store

import (
	"strings"
	"testing"
	"time"
)

// The wallboard asks for the last 30 minutes several times a second: the
// query must search queued_at's index, not scan every call ever made.
func TestCallsQueuedSinceUsesIndex(t *testing.T) {
	s, _ := openTest(t)
	var rows []struct {
		ID, Parent, NotUsed int
		Detail              string
	}
	q := "EXPLAIN QUERY PLAN SELECT " + callColumns + " FROM calls WHERE queued_at >= ? ORDER BY +first_seq DESC LIMIT ?"
	if err := s.db.Select(&rows, q, formatTime(time.Now()), MaxLimit); err != nil {
		t.Fatal(err)
	}
	var plan []string
	for _, r := range rows {
		plan = append(plan, r.Detail)
	}
	if !strings.Contains(strings.Join(plan, "; "), "USING INDEX calls_queued_at") {
		t.Fatalf("plan %v", plan)
	}
}
