package quality

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestSamplingProperties: over random months of calls, every active
// agent with enough calls gets min..max, no recording twice, every
// complaint in (up to max), the inspectors' cap holds, weeks are spread,
// and the draw is the same for the same seed.
func TestSamplingProperties(t *testing.T) {
	for trial := range 200 {
		r := rand.New(rand.NewPCG(uint64(trial), 7))
		minN := r.IntN(3)
		maxN := minN + r.IntN(5)
		if maxN == 0 {
			maxN = 1
		}
		cfg := SamplingConfig{Min: minN, Max: maxN, InspectorCap: 1 + r.IntN(30), Seed: r.Uint64(), Complaints: []string{"complaint"}}
		in := SampleInput{Month: "2026-11", Config: cfg, Form: "svc", Inspectors: []string{"qi1", "qi2", "qi3"}[:1+r.IntN(3)]}
		nAgents := 1 + r.IntN(8)
		calls := map[string]int{}
		complaints := map[string]int{}
		for a := range nAgents {
			agent := fmt.Sprintf("a%d", a)
			in.Agents = append(in.Agents, agent)
			for c := range r.IntN(15) {
				disp := "sale"
				if r.IntN(6) == 0 {
					disp = "complaint"
					complaints[agent]++
				}
				in.Calls = append(in.Calls, Candidate{Recording: fmt.Sprintf("R%d-%d", a, c), Call: fmt.Sprintf("C%d-%d", a, c), Agent: agent,
					Queue: []string{"sales", "support"}[r.IntN(2)], Disposition: disp,
					Started: time.Date(2026, 11, 1+r.IntN(30), 10, 0, 0, 0, time.UTC)})
				calls[agent]++
			}
		}
		ids := func(k int) string { return fmt.Sprintf("Q%06d", k) }
		d := Draw(in, ids)
		if again := Draw(in, ids); !reflect.DeepEqual(d, again) {
			t.Fatalf("trial %d: not deterministic", trial)
		}
		got, gotComplaints := map[string]int{}, map[string]int{}
		seen, idSeen := map[string]bool{}, map[string]bool{}
		load := map[string]int{}
		weeks := map[string]map[int]int{}
		for _, a := range d.Evaluations {
			if seen[a.Recording] || idSeen[a.ID] {
				t.Fatalf("trial %d: %s sampled twice", trial, a.Recording)
			}
			seen[a.Recording], idSeen[a.ID] = true, true
			got[a.Agent]++
			if a.Complaint {
				gotComplaints[a.Agent]++
			}
			if a.Inspector != "" {
				load[a.Inspector]++
			}
			if weeks[a.Agent] == nil {
				weeks[a.Agent] = map[int]int{}
			}
			weeks[a.Agent][a.Week]++
		}
		short := map[string]bool{}
		for _, s := range d.Shortfalls {
			short[s.Agent] = true
		}
		for _, agent := range in.Agents {
			n, c := got[agent], calls[agent]
			if n > maxN || n > c {
				t.Fatalf("trial %d: %s got %d (max %d, %d calls)", trial, agent, n, maxN, c)
			}
			if c >= minN && n < minN {
				t.Fatalf("trial %d: %s got %d < min %d with %d calls", trial, agent, n, minN, c)
			}
			if c < minN && !short[agent] {
				t.Fatalf("trial %d: %s short (%d calls) but no shortfall", trial, agent, c)
			}
			if want := min(complaints[agent], maxN); gotComplaints[agent] < want {
				t.Fatalf("trial %d: %s %d complaints sampled, want %d", trial, agent, gotComplaints[agent], want)
			}
		}
		for insp, n := range load {
			if n > cfg.InspectorCap {
				t.Fatalf("trial %d: %s has %d > cap %d", trial, insp, n, cfg.InspectorCap)
			}
		}
		// Unassigned only when every inspector is at the cap.
		for _, a := range d.Evaluations {
			if a.Inspector == "" && len(load) < len(in.Inspectors) {
				t.Fatalf("trial %d: unassigned while an inspector has room", trial)
			}
		}
	}
}

// TestSamplingSpreadsWeeks: with calls in every week and no complaints,
// five draws from five weeks take one from each.
func TestSamplingSpreadsWeeks(t *testing.T) {
	in := SampleInput{Month: "2026-11", Agents: []string{"a"}, Config: SamplingConfig{Min: 5, Max: 5, Seed: 3}, Inspectors: []string{"qi"}}
	for d := 1; d <= 30; d++ {
		in.Calls = append(in.Calls, Candidate{Recording: fmt.Sprintf("R%02d", d), Agent: "a", Queue: "q",
			Started: time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC)})
	}
	weeks := map[int]int{}
	for _, a := range Draw(in, func(k int) string { return fmt.Sprint(k) }).Evaluations {
		weeks[a.Week]++
	}
	if len(weeks) != 5 {
		t.Fatalf("weeks %v", weeks)
	}
}
