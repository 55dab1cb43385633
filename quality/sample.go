package quality

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// Monthly sampling: every agent active in the month gets between min and
// max of their recorded calls drawn for inspection. The draw is seeded
// (the config's seed and the month), so it is the same every time it is
// computed; it is written as one quality.sampled record, so replay never
// draws again. Constraints: every complaint call first (up to max), then
// calls spread over the month's weeks and the agent's queues; each drawn
// call goes to the least loaded inspector under the cap.

// Candidate is a recorded call that may be sampled.
type Candidate struct {
	Recording   string
	Call        string
	Agent       string
	Team        string
	Queue       string
	Started     time.Time
	Disposition string
}

// SampleInput is what a month's draw is made from.
type SampleInput struct {
	Month      string   // 2026-12
	Agents     []string // active in the month (signed in: agent.state records)
	Calls      []Candidate
	Config     SamplingConfig
	Form       string
	Exclude    map[string]bool // recordings already evaluated
	Inspectors []string
}

// Week is the week of the month a time falls in, 1..5.
func Week(t time.Time) int { return (t.Day()-1)/7 + 1 }

// Draw makes the month's sample; ids gives the k-th new evaluation's ID
// (from 1).
func Draw(in SampleInput, ids func(k int) string) SampledData {
	cfg := in.Config.withDefaults()
	h := fnv.New64a()
	h.Write([]byte(in.Month))
	rng := rand.New(rand.NewPCG(cfg.Seed, h.Sum64()))
	complaint := map[string]bool{}
	for _, d := range cfg.Complaints {
		complaint[d] = true
	}
	agents := slices.Clone(in.Agents)
	sort.Strings(agents)
	agents = slices.Compact(agents)
	byAgent := map[string][]Candidate{}
	seen := map[string]bool{}
	calls := slices.Clone(in.Calls)
	sort.Slice(calls, func(i, j int) bool { return calls[i].Recording < calls[j].Recording })
	for _, c := range calls {
		if seen[c.Recording] || in.Exclude[c.Recording] || c.Agent == "" {
			continue
		}
		seen[c.Recording] = true
		byAgent[c.Agent] = append(byAgent[c.Agent], c)
	}
	inspectors := slices.Clone(in.Inspectors)
	sort.Strings(inspectors)
	inspectors = slices.Compact(inspectors)
	load := map[string]int{}
	out := SampledData{Month: in.Month, Seed: cfg.Seed, Evaluations: []Assignment{}}
	for _, agent := range agents {
		cands := byAgent[agent]
		rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		target := cfg.Min
		if cfg.Max > cfg.Min {
			target += rng.IntN(cfg.Max - cfg.Min + 1)
		}
		var picked []Candidate
		weeks, queues := map[int]int{}, map[string]int{}
		take := func(i int) {
			c := cands[i]
			picked = append(picked, c)
			weeks[Week(c.Started)]++
			queues[c.Queue]++
			cands = slices.Delete(cands, i, i+1)
		}
		// Every complaint first (up to max).
		for i := 0; i < len(cands) && len(picked) < cfg.Max; {
			if complaint[cands[i].Disposition] {
				take(i)
				continue
			}
			i++
		}
		// Then the least sampled week, then queue; the shuffle breaks ties.
		for len(picked) < target && len(cands) > 0 {
			best := 0
			for i := 1; i < len(cands); i++ {
				wi, wb := weeks[Week(cands[i].Started)], weeks[Week(cands[best].Started)]
				if wi < wb || (wi == wb && queues[cands[i].Queue] < queues[cands[best].Queue]) {
					best = i
				}
			}
			take(best)
		}
		assigned := 0
		for _, c := range picked {
			a := Assignment{ID: ids(len(out.Evaluations) + 1), Recording: c.Recording, Call: c.Call, Agent: c.Agent,
				Team: c.Team, Queue: c.Queue, Form: in.Form, Complaint: complaint[c.Disposition], Week: Week(c.Started)}
			if insp := leastLoaded(inspectors, load, cfg.InspectorCap); insp != "" {
				a.Inspector = insp
				load[insp]++
				assigned++
			}
			out.Evaluations = append(out.Evaluations, a)
		}
		if len(picked) < cfg.Min || assigned < cfg.Min {
			out.Shortfalls = append(out.Shortfalls, Shortfall{Agent: agent, Sampled: len(picked), Assigned: assigned, Min: cfg.Min})
		}
	}
	return out
}

// leastLoaded is the inspector with the fewest assignments under cap
// (first by name on a tie), or "".
func leastLoaded(inspectors []string, load map[string]int, cap int) string {
	best := ""
	for _, i := range inspectors {
		if load[i] >= cap {
			continue
		}
		if best == "" || load[i] < load[best] {
			best = i
		}
	}
	return best
}
