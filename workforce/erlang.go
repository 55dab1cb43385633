package workforce

import (
	"math"
	"time"
)

// Erlang C: calls arrive at random (Poisson) and wait for the first free
// of n agents; traffic a is calls × AHT ÷ interval length (Erlangs). No
// abandonment: callers wait as long as it takes, so the agents required
// are an upper bound where callers hang up (docs/workforce.md).

// ErlangC is the probability that a call waits, with n agents and a
// Erlangs of traffic; 1 when n ≤ a (the queue never drains).
func ErlangC(n int, a float64) float64 {
	if a <= 0 {
		return 0
	}
	if float64(n) <= a {
		return 1
	}
	// Erlang B by its recurrence (stable for large n), then C from B.
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return float64(n) * b / (float64(n) - a*(1-b))
}

// ServiceLevel is the share of calls answered within t, with n agents, a
// Erlangs and average handle time aht.
func ServiceLevel(n int, a float64, aht, t time.Duration) float64 {
	if a <= 0 {
		return 1
	}
	if float64(n) <= a || aht <= 0 {
		return 0
	}
	return 1 - ErlangC(n, a)*math.Exp(-(float64(n)-a)*t.Seconds()/aht.Seconds())
}

// MaxAgents bounds AgentsRequired's search.
const MaxAgents = 10000

// AgentsRequired is the fewest agents that answer percent of calls within
// t, for calls arriving over interval with average handle time aht; 0 for
// no calls, MaxAgents if even that many do not.
func AgentsRequired(calls float64, aht, interval time.Duration, percent float64, t time.Duration) int {
	if calls <= 0 || aht <= 0 || interval <= 0 {
		return 0
	}
	a := calls * aht.Seconds() / interval.Seconds()
	for n := int(math.Floor(a)) + 1; n < MaxAgents; n++ {
		if ServiceLevel(n, a, aht, t)*100 >= percent {
			return n
		}
	}
	return MaxAgents
}
