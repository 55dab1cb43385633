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
				v.LongestWaitSeconds = max(v.LongestWaitSeconds, m.now.Sub(c.entry.joinedAt).Seconds())
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
