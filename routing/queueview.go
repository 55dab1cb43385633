package routing

import "time"

// QueueView is a queue's live state as the API and wallboard show it.
type QueueView struct {
	Name     string `json:"name"`
	Strategy string `json:"strategy"`
	Waiting  int    `json:"waiting"`
	// LongestWaitSeconds is how long the longest-waiting caller has waited.
	LongestWaitSeconds float64        `json:"longest_wait_seconds"`
	Agents             map[string]int `json:"agents"` // state → count of members
	ServiceLevel       SLView         `json:"service_level"`
	// Calls are the callers waiting, longest first (the wallboard's list).
	Calls []WaitingView `json:"calls,omitempty"`
}

// WaitingView is one caller waiting in a queue.
type WaitingView struct {
	CallID      string  `json:"call_id"`
	WaitSeconds float64 `json:"wait_seconds"` // in this queue
	Priority    int     `json:"priority"`
	Ringing     bool    `json:"ringing"` // an agent's phone rings for them
}

// SLView is the target and the live service level over the last 30 min.
type SLView struct {
	TargetPercent float64 `json:"target_percent"`
	WithinSeconds float64 `json:"within_seconds"`
	LivePercent   float64 `json:"live_percent"`
	Calls         int     `json:"calls"` // calls the live figure counts
}

func (m *Machine) queueViews() []QueueView {
	out := make([]QueueView, 0, len(m.acd.queues))
	for _, name := range sortedKeys(m.acd.queues) {
		qs := m.acd.queues[name]
		v := QueueView{Name: name, Strategy: qs.cfg.Strategy, Agents: map[string]int{}}
		for _, c := range m.acd.waiting {
			if c.queue == name {
				v.Waiting++
				w := m.now.Sub(c.entry.joinedAt).Seconds()
				v.LongestWaitSeconds = max(v.LongestWaitSeconds, w)
				v.Calls = append(v.Calls, WaitingView{CallID: c.id, WaitSeconds: w, Priority: c.entry.priority, Ringing: len(c.entry.offers) > 0})
			}
		}
		for _, a := range qs.members {
			v.Agents[a.state.String()]++
		}
		sl := qs.cfg.ServiceLevel
		v.ServiceLevel = SLView{TargetPercent: sl.Percent, WithinSeconds: sl.Within.D().Seconds()}
		v.ServiceLevel.LivePercent, v.ServiceLevel.Calls = m.acd.liveSL(qs, liveSLWindow)
		out = append(out, v)
	}
	return out
}

const liveSLWindow = 30 * time.Minute
