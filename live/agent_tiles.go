package live

import (
	"cmp"
	"slices"
	"time"

	"switchboard/routing"
)

// AgentTile is one agent on the wallboard's agent grid.
type AgentTile struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Team   string `json:"team,omitempty"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
	// Since is when the agent entered State (zero: never signed in);
	// StateSeconds how long ago that was at the board's time.
	Since        *time.Time `json:"since,omitempty"`
	StateSeconds *float64   `json:"state_seconds"`
}

// agentTiles lists the agents signed in first, in ID order, then the
// signed-out ones: the grid shows who is working before who is not.
func agentTiles(agents []routing.AgentView, now time.Time) []AgentTile {
	out := make([]AgentTile, 0, len(agents))
	for _, a := range agents {
		t := AgentTile{ID: a.ID, Name: cmp.Or(a.Name, a.ID), Team: a.Team, State: a.State.String(), Reason: a.Reason}
		if !a.Since.IsZero() && !a.Since.After(now) {
			since := a.Since
			secs := round1(now.Sub(since).Seconds())
			t.Since, t.StateSeconds = &since, &secs
		}
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(x, y AgentTile) int {
		xo, yo := x.State == routing.SignedOut.String(), y.State == routing.SignedOut.String()
		if xo != yo {
			if xo {
				return 1
			}
			return -1
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return out
}

// signedInOf counts a queue's members in any state but signed out.
func signedInOf(byState map[string]int) int {
	n := 0
	for st, c := range byState {
		if st != routing.SignedOut.String() {
			n += c
		}
	}
	return n
}
