// Package replaytest makes event logs for replay tests: a scripted day of
// callers and agents, run through a real Machine and written to SQLite the
// way `switchboard serve` writes them.
package replaytest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"switchboard/replay"
	"switchboard/routing"
	"switchboard/store"
)

// Start is when the scripted day begins.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Day is a scripted period of n callers, one every 20-40 s from Start,
// each pressing "1" 3 s after arriving, talking 60-150 s if answered and
// hanging up after waiting 30-120 s if not. Agents sign in at Start, take a
// 5-minute break after 20 minutes, and ring for 2 s (the first) to 2+i s.
// The same n and agents give the same day.
func Day(n int, agents ...string) *replay.Workload {
	rng := rand.New(rand.NewPCG(uint64(n), 42))
	w := &replay.Workload{Start: Start, Agents: map[string]replay.AgentProfile{}}
	at := Start
	for i := range n {
		at = at.Add(time.Duration(20+rng.IntN(21)) * time.Second)
		w.Calls = append(w.Calls, replay.Call{
			ID: fmt.Sprintf("c%d", i), Arrived: at, Channel: fmt.Sprintf("ch-%d", i),
			Caller: fmt.Sprintf("+1555%04d", i), Called: "100",
			Digits:   []replay.Digit{{After: 3 * time.Second, Digit: "1"}},
			Patience: time.Duration(30+rng.IntN(91)) * time.Second, PatienceKnown: true,
			Talk: time.Duration(60+rng.IntN(91)) * time.Second, TalkKnown: true,
		})
	}
	w.End = at.Add(time.Second)
	for i, a := range agents {
		w.Commands = append(w.Commands, replay.AgentCommand{At: Start, Op: "sign_in", Agent: a})
		w.Agents[a] = replay.AgentProfile{RingTime: time.Duration(2+i) * time.Second, Answered: 1}
	}
	for _, a := range agents {
		w.Commands = append(w.Commands,
			replay.AgentCommand{At: Start.Add(20 * time.Minute), Op: "not_ready", Agent: a, Reason: "break"},
			replay.AgentCommand{At: Start.Add(25 * time.Minute), Op: "ready", Agent: a})
	}
	return w
}

// Records runs w through a Machine with cfg and returns what serve would
// have logged: config.applied first, then every input and decision.
func Records(t testing.TB, cfg *routing.Config, w *replay.Workload) []*routing.Record {
	t.Helper()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	data, err := json.Marshal(routing.ConfigData{Version: 1, Hash: hex.EncodeToString(sum[:8]), Config: json.RawMessage(b)})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := replay.Simulate(cfg, w, replay.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return append([]*routing.Record{{Time: w.Start, Type: routing.EvConfigApplied, Data: data}}, recs...)
}

// WriteLog writes recs to a new, migrated SQLite database at path.
func WriteLog(t testing.TB, path string, recs []*routing.Record) {
	t.Helper()
	s, err := store.Open(t.Context(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	for len(recs) > 0 {
		n := min(len(recs), 500)
		if err := s.Append(t.Context(), recs[:n]...); err != nil {
			t.Fatal(err)
		}
		recs = recs[n:]
	}
}
