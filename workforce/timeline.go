package workforce

import (
	"sort"
	"time"

	"switchboard/routing"
)

// Status is what an agent.state record says of an agent for workforce:
// signed in or not, and if so ready, not ready (a break, a meal) or busy.
type Status struct {
	SignedIn bool
	NotReady bool
	Ready    bool
}

// statusOf reads routing's state names.
func statusOf(state string) Status {
	switch state {
	case "", "signed_out":
		return Status{}
	case "not_ready":
		return Status{SignedIn: true, NotReady: true}
	case "ready":
		return Status{SignedIn: true, Ready: true}
	}
	return Status{SignedIn: true} // reserved, ringing, on_call, wrap_up: working
}

// Change is an agent's status from At on.
type Change struct {
	At time.Time
	Status
}

// Timeline is each agent's changes in time order: the projection of the
// log's agent.state records workforce reads adherence from.
type Timeline struct {
	agents map[string][]Change
}

// NewTimeline is an empty timeline.
func NewTimeline() *Timeline { return &Timeline{agents: map[string][]Change{}} }

// Apply folds an agent.state record in; others are ignored.
func (tl *Timeline) Apply(rec *routing.Record) error {
	if rec.Type != routing.EvAgentState || rec.AgentID == "" {
		return nil
	}
	d, err := routing.Decode[routing.AgentStateData](rec)
	if err != nil {
		return err
	}
	cs := tl.agents[rec.AgentID]
	if len(cs) == 0 && d.From != "" {
		// What the agent was before the first record we hold.
		cs = append(cs, Change{At: time.Time{}, Status: statusOf(d.From)})
	}
	c := Change{At: rec.Time, Status: statusOf(d.To)}
	// Records come in order; one out of order is placed, not appended.
	i := sort.Search(len(cs), func(i int) bool { return cs[i].At.After(c.At) })
	cs = append(cs, Change{})
	copy(cs[i+1:], cs[i:])
	cs[i] = c
	tl.agents[rec.AgentID] = cs
	return nil
}

// Changes is agent's timeline.
func (tl *Timeline) Changes(agent string) []Change { return tl.agents[agent] }

// At is agent's status at t.
func At(cs []Change, t time.Time) Status {
	i := sort.Search(len(cs), func(i int) bool { return cs[i].At.After(t) })
	if i == 0 {
		return Status{}
	}
	return cs[i-1].Status
}

// segment is a stretch of one status.
type segment struct {
	from, to time.Time
	Status
}

// segments are cs cut to [from, to).
func segments(cs []Change, from, to time.Time) []segment {
	var out []segment
	cur := At(cs, from)
	at := from
	for _, c := range cs {
		if !c.At.After(from) {
			continue
		}
		if !c.At.Before(to) {
			break
		}
		out = append(out, segment{at, c.At, cur})
		at, cur = c.At, c.Status
	}
	return append(out, segment{at, to, cur})
}

// overlap is the length of [a1,a2) ∩ [b1,b2).
func overlap(a1, a2, b1, b2 time.Time) time.Duration {
	lo, hi := a1, a2
	if b1.After(lo) {
		lo = b1
	}
	if b2.Before(hi) {
		hi = b2
	}
	if !hi.After(lo) {
		return 0
	}
	return hi.Sub(lo)
}
