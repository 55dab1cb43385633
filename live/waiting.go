package live

import (
	"cmp"
	"slices"

	"switchboard/routing"
)

// maxWaitingList bounds the wallboard's list of waiting callers: a wall
// shows the longest waits; the queue tiles keep the counts.
const maxWaitingList = 50

// WaitingCall is one caller waiting, as the wall shows them: which queue
// and for how long; no number (the wall is read by the whole floor).
type WaitingCall struct {
	Queue       string  `json:"queue"`
	WaitSeconds float64 `json:"wait_seconds"`
	Priority    int     `json:"priority"`
	Ringing     bool    `json:"ringing"`
}

// waitingCalls lists the callers of every queue, longest wait first.
func waitingCalls(qs []routing.QueueView) []WaitingCall {
	out := []WaitingCall{}
	for _, q := range qs {
		for _, c := range q.Calls {
			out = append(out, WaitingCall{Queue: q.Name, WaitSeconds: round1(c.WaitSeconds), Priority: c.Priority, Ringing: c.Ringing})
		}
	}
	slices.SortStableFunc(out, func(a, b WaitingCall) int {
		return cmp.Or(cmp.Compare(b.WaitSeconds, a.WaitSeconds), cmp.Compare(a.Queue, b.Queue))
	})
	if len(out) > maxWaitingList {
		out = out[:maxWaitingList]
	}
	return out
}
