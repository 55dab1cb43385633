package workforce

import (
	"math"
	"testing"
	"time"
)

// Known Erlang C values: the textbook example of 100 calls in 30 minutes
// at 180 s AHT (10 Erlangs), and small exact cases.
func TestErlangC(t *testing.T) {
	tests := []struct {
		n    int
		a    float64
		want float64
	}{
		{1, 0.5, 0.5},    // M/M/1: P(wait) = ρ
		{2, 1, 1.0 / 3},  // exact
		{3, 2, 4.0 / 9},  // exact
		{11, 10, 0.6821}, // tables
		{12, 10, 0.4494}, // tables
		{13, 10, 0.2853}, // tables
		{14, 10, 0.1741}, // tables
		{15, 10, 0.1020}, // tables
		{10, 10, 1},      // never drains
		{5, 0, 0},        // no traffic
	}
	for _, tc := range tests {
		if got := ErlangC(tc.n, tc.a); math.Abs(got-tc.want) > 5e-4 {
			t.Errorf("ErlangC(%d, %v) = %.4f, want %.4f", tc.n, tc.a, got, tc.want)
		}
	}
}

func TestServiceLevelAndAgentsRequired(t *testing.T) {
	aht, half := 180*time.Second, 30*time.Minute
	for _, tc := range []struct {
		n    int
		want float64 // % answered within 20 s, 10 Erlangs
	}{{11, 38.97}, {12, 64.02}, {13, 79.56}, {14, 88.84}, {15, 94.15}} {
		if got := ServiceLevel(tc.n, 10, aht, 20*time.Second) * 100; math.Abs(got-tc.want) > 0.05 {
			t.Errorf("ServiceLevel(%d) = %.2f%%, want %.2f%%", tc.n, got, tc.want)
		}
	}
	tests := []struct {
		name    string
		calls   float64
		aht     time.Duration
		percent float64
		within  time.Duration
		want    int
	}{
		{"80% in 20 s: 14 agents", 100, aht, 80, 20 * time.Second, 14},
		{"79% in 20 s: 13 agents", 100, aht, 79, 20 * time.Second, 13},
		{"90% in 20 s", 100, aht, 90, 20 * time.Second, 15},
		{"80% in 60 s: a longer threshold needs fewer", 100, aht, 80, 60 * time.Second, 13},
		{"no calls", 0, aht, 80, 20 * time.Second, 0},
		{"one call: one agent", 1, aht, 80, 20 * time.Second, 1},
		{"half the traffic", 50, aht, 80, 20 * time.Second, 8},
	}
	for _, tc := range tests {
		if got := AgentsRequired(tc.calls, tc.aht, half, tc.percent, tc.within); got != tc.want {
			t.Errorf("%s: %d agents, want %d", tc.name, got, tc.want)
		}
	}
}
