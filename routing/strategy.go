package routing

import (
	"math/rand/v2"
	"slices"
)

// strategy is one queue strategy: how it scores a tier of candidates
// (higher wins) and the flags the decision and the offer test.
type strategy struct {
	// score fills tier[i].score for call c in queue qs at m's now.
	score func(ac *acd, qs *queueState, c *call, tier []candidate)
	// ringAll offers the whole tier at once instead of its best.
	ringAll bool
	// remembers keeps the member offered last, for the next decision.
	remembers bool
}

// strategies is every queue strategy by its config name.
var strategies = map[string]strategy{
	StrategyLongestIdle:   {score: scoreLongestIdle},
	StrategyRingAll:       {score: scoreLongestIdle, ringAll: true},
	StrategyFewestCalls:   {score: scoreFewestCalls},
	StrategyLeastTalkTime: {score: scoreLeastTalkTime},
	StrategyTopDown:       {score: scoreTopDown},
	StrategyRoundRobin:    {score: scoreRoundRobin, remembers: true},
	StrategyRandom:        {score: scoreRandom},
	StrategySkillWeighted: {score: scoreSkillWeighted},
}

// strategyOf is the queue's strategy; an unknown name (refused by
// Validate) scores nothing, as the switch it replaces did.
func strategyOf(qs *queueState) strategy {
	s, ok := strategies[qs.cfg.Strategy]
	if !ok {
		return strategy{score: func(*acd, *queueState, *call, []candidate) {}}
	}
	return s
}

func scoreLongestIdle(ac *acd, _ *queueState, _ *call, tier []candidate) {
	for i := range tier {
		tier[i].score = ac.now.Sub(tier[i].a.idleSince).Seconds()
	}
}

func scoreFewestCalls(_ *acd, _ *queueState, _ *call, tier []candidate) {
	for i := range tier {
		tier[i].score = -float64(tier[i].a.answered)
	}
}

func scoreLeastTalkTime(_ *acd, _ *queueState, _ *call, tier []candidate) {
	for i := range tier {
		tier[i].score = -tier[i].a.talk.Seconds()
	}
}

func scoreTopDown(_ *acd, qs *queueState, _ *call, tier []candidate) {
	for i := range tier {
		tier[i].score = -float64(memberIndex(qs, tier[i].a))
	}
}

// scoreRoundRobin ranks next after the member offered last, wrapping around.
func scoreRoundRobin(_ *acd, qs *queueState, _ *call, tier []candidate) {
	last := slices.IndexFunc(qs.members, func(a *agent) bool { return a.id == qs.rrLast })
	n := len(qs.members)
	for i := range tier {
		idx := memberIndex(qs, tier[i].a)
		if idx < 0 { // a merged-in agent: after every member
			idx = n + tier[i].a.order
		}
		tier[i].score = -float64((idx - last - 1 + 2*n) % (2 * n))
	}
}

func scoreRandom(ac *acd, _ *queueState, c *call, tier []candidate) {
	rng := rand.New(rand.NewPCG(seed(c.id), uint64(len(ac.waiting))))
	for i := range tier {
		tier[i].score = rng.Float64()
	}
}

// scoreSkillWeighted ranks by the sum of the required skills' levels.
func scoreSkillWeighted(_ *acd, _ *queueState, c *call, tier []candidate) {
	for i := range tier {
		s := 0
		for _, req := range c.entry.skills {
			s += req.Score(tier[i].a.skills)
		}
		tier[i].score = float64(s)
	}
}
