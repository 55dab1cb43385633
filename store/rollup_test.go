package store

import (
	"fmt"
	"testing"

	"switchboard/report/rollup"
	"switchboard/routing"
)

// TestRollupVersionRebuilds: a rollup built by an older version (no
// agent_calls, no break overruns) is rebuilt from the log by
// SetRollupConfig, and then holds the version-2 metrics.
func TestRollupVersionRebuilds(t *testing.T) { eachBackend(t, testRollupVersionRebuilds) }

func testRollupVersionRebuilds(t *testing.T) {
	s, _ := openTest(t)
	ctx := t.Context()
	if _, err := s.SetRollupConfig(ctx, RollupConfig{}); err != nil {
		t.Fatal(err)
	}
	recs := []*routing.Record{
		arrived("c1", 0), queued("c1", 1, "support"),
		offer(routing.EvCallOffered, "c1", 1, "1001", ""),
		offer(routing.EvCallAnswered, "c1", 5, "1001", ""),
		ended("c1", 65, "answered", "", "caller"),
		arrived("c2", 10), queued("c2", 11, "support"), ended("c2", 20, routing.OutcomeAbandonedQueue, "", "caller"),
		{Time: at(100), Type: routing.EvAgentAlert, AgentID: "1001",
			Data: mustJSON(routing.AlertData{Kind: "break_overrun", Reason: "break", Allowance: "10m0s"})},
		{Time: at(101), Type: routing.EvAgentRequest, AgentID: "1001",
			Data: mustJSON(routing.RequestData{Reason: "break", Status: "pending", Why: "team_min_ready"})},
		{Time: at(102), Type: routing.EvAgentRequest, AgentID: "1001",
			Data: mustJSON(routing.RequestData{Reason: "break", Status: "refused"})},
	}
	if err := s.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"agent_calls/1001/answered": 1, "agent_calls/1001/offered": 1, "agent_calls/1001/wait_answered_s": 4,
		"agent_calls//offered": 1, "agent_calls//abandoned_queue": 1, "agent_calls//max_wait_s": 9,
		"agent/1001/break_overruns": 1, "agent/1001/requests_pending": 1, "agent/1001/requests_refused": 1,
	}
	check := func(when string) {
		t.Helper()
		got := map[string]float64{}
		for _, dim := range []string{rollup.DimAgentCalls, rollup.DimAgent} {
			cells, err := s.Rollup(ctx, RollupQuery{Grain: rollup.GrainDay, Dim: dim, From: "0000", To: "9999", ByKey: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				got[dim+"/"+c.Key+"/"+c.Metric] = c.Value
			}
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", when, k, got[k], v)
			}
		}
	}
	check("appended")
	// Pretend a version-1 binary built the tables.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM rollup WHERE dim = 'agent_calls' OR metric IN ('break_overruns', 'requests_pending', 'requests_refused')`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE rollup_meta SET value = replace(value, ?, '"version":1') WHERE name = 'config'`,
		fmt.Sprintf(`"version":%d`, rollup.Version)); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := s.SetRollupConfig(ctx, RollupConfig{})
	if err != nil || !rebuilt {
		t.Fatalf("rebuilt %v, %v", rebuilt, err)
	}
	check("rebuilt")
	if rebuilt, err := s.SetRollupConfig(ctx, RollupConfig{}); err != nil || rebuilt {
		t.Fatalf("second time: rebuilt %v, %v", rebuilt, err)
	}
}
