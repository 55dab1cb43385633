package routing

import (
	"testing"
	"time"
)

// The queue view lists each waiting caller with the wait in this queue
// and whether a phone rings for them (the wallboard's waiting list).
func TestQueueViewListsWaitingCalls(t *testing.T) {
	h := newACD(t, &Queue{JoinEmpty: true}, &Queue{JoinEmpty: true}, AgentConfig{ID: "a1", Queues: member("q")})
	h.signIn("a1")
	h.in(agentCommand{Op: "not_ready", Agent: "a1", Reason: "break"})
	h.call("c1", "1")
	h.advance(30 * time.Second)
	h.call("c2", "1") // the view's time is the machine's: c2's arrival
	var q QueueView
	for _, v := range h.m.queueViews() {
		if v.Name == "q" {
			q = v
		}
	}
	if q.Waiting != 2 || len(q.Calls) != 2 {
		t.Fatalf("view %+v", q)
	}
	if c := q.Calls[0]; c.WaitSeconds != 30 || c.Ringing {
		t.Errorf("first caller %+v", c)
	}
	if c := q.Calls[1]; c.WaitSeconds != 0 || c.CallID == q.Calls[0].CallID {
		t.Errorf("second caller %+v", c)
	}
	h.in(agentCommand{Op: "ready", Agent: "a1"})
	for _, v := range h.m.queueViews() {
		if v.Name == "q" && (len(v.Calls) != 2 || !v.Calls[0].Ringing || v.Calls[1].Ringing) {
			t.Errorf("after ready %+v", v.Calls)
		}
	}
}
