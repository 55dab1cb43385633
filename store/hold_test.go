package store

import (
	"testing"

	"switchboard/routing"
)

// call.resumed adds each hold's seconds to hold_seconds, which the rollup
// takes out of talk and AHT adds back.
func TestProjectionHoldSeconds(t *testing.T) {
	var row callRow
	for _, r := range []*routing.Record{
		arrived("c1", 0),
		offer(routing.EvCallAnswered, "c1", 5, "a1", ""),
		recRecord(routing.EvCallHeld, "c1", 10, routing.HoldData{By: "a1", Agent: "a1"}),
		recRecord(routing.EvCallResumed, "c1", 17, routing.HoldData{By: "a1", Agent: "a1", Seconds: 7, Reason: "resumed"}),
		recRecord(routing.EvCallResumed, "c1", 30, routing.HoldData{Agent: "a1", Seconds: 3, Reason: "ended"}),
	} {
		if isProjected(r.Type) {
			if err := applyRecord(&row, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if row.HoldSeconds != 10 {
		t.Fatalf("hold_seconds %v, want 10", row.HoldSeconds)
	}
	if c := row.rollupCall(); c.HoldSeconds != 10 {
		t.Fatalf("rollup call hold %v", c.HoldSeconds)
	}
}
